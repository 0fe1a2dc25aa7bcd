"""The project page's set-up checklist, and guidelines whose paragraphs each find their own
direction."""

from __future__ import annotations

import pytest

from annotate.guidelines import guidelines_html
from annotate.models import Role
from annotate.projects import do_update_project, setup_state
from annotate.queue import do_generate_assignments
from tests.base import login
from tests.factories import make_article, make_project

pytestmark = pytest.mark.django_db


def steps(response) -> list[tuple[str, bool, str]]:
    return [(str(s["name"]), s["done"], s["state"]) for s in response.context["checklist"]]


def test_the_checklist_follows_the_set_up(client, team, django_assert_num_queries):
    project = make_project("p", members={team.manager: Role.MANAGER})
    login(client, team.manager)
    url = f"/projects/{project.pk}/"
    assert steps(client.get(url)) == [
        ("Label schema", True, "version 1, 8 labels"),
        ("Articles", False, "0 articles"),
        ("Members", False, "0 annotators"),
        ("Assignments", False, "0 assignments"),
        ("Guidelines", False, "not written yet"),
    ]
    html = client.get(url).content.decode()
    assert f'<a href="/projects/{project.pk}/members/">Members</a>' in html
    assert f'<a href="/projects/{project.pk}/schema/edit/">Label schema</a>' in html
    project.project_articles.create(article=make_article(), position=0)
    project.memberships.create(user=team.annotator, role=Role.ANNOTATOR)
    do_generate_assignments(project, k=1, seed=0)
    do_update_project(project, by=team.manager, changes={"guidelines": "Mark people."})
    with django_assert_num_queries(1):
        state = setup_state(project)
    assert (state.articles, state.annotators, state.assignments) == (1, 1, 1)
    assert all(done for _, done, _ in steps(client.get(url)))


@pytest.mark.parametrize("who", ["reviewer", "annotator"])
def test_only_managers_see_the_checklist(client, team, who):
    project = make_project("p", members={team.manager: Role.MANAGER, team[who]: who})
    login(client, team[who])
    response = client.get(f"/projects/{project.pk}/")
    assert "checklist" not in response.context
    assert "Set-up checklist" not in response.content.decode()


def test_each_guidelines_paragraph_has_its_own_direction():
    html = guidelines_html("# القواعد\n\nMark people by name.\n\nالأشخاص بأسمائهم.\n\n- one\n")
    assert html == (
        '<h1 dir="auto">القواعد</h1>\n<p dir="auto">Mark people by name.</p>\n'
        '<p dir="auto">الأشخاص بأسمائهم.</p>\n<ul>\n<li dir="auto">one</li>\n</ul>'
    )
    assert guidelines_html('<p onclick="x()">hi</p>') == '<p dir="auto">hi</p>'
