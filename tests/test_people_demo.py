"""The demo has gold enough for every annotator to have a quality row on the People page
(its own module: the demo makes its own users, which the team fixture's would clash with)."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_demo_gives_every_annotator_a_quality_row(client):
    from annotate.management.commands.demo import DEMO_GOLD_ARTICLES, build_demo

    _corpus, users, project, _report = build_demo()
    client.force_login(users["rami"])
    body = client.get(f"/api/projects/{project.pk}/people/").json()
    assert body["gold_articles"] == DEMO_GOLD_ARTICLES
    rows = {r["username"]: r for r in body["annotators"]}
    for name in ("amal", "badr", "chadi"):
        assert rows[name]["quality"]["articles"] == DEMO_GOLD_ARTICLES
        assert rows[name]["active_time"]["median_seconds"] > 0
        assert rows[name]["spans_per_hour"] > 0
