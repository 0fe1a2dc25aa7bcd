"""Every agreement number is a door (issue 15): the dashboard links each number to the
articles and spans behind it; that page lists them, each linked to its decision; the side by
side names and marks every difference; the mean of pairs says which pairs it stands on."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import unquote, urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotate.models import ProjectArticle
from tests.base import ProjectTeam, login, make_team
from tests.factories import make_annotation, make_article, span_of

pytestmark = pytest.mark.django_db

TEXT = "قال المتحدث باسم الجيش السوري إن وحدات الجيش استعادت السيطرة على المدينة من داعش."
OTHER = "أعلن التحالف الدولي أن قوات سوريا الديمقراطية دخلت مدينة الرقة."
CLAIM_TEXT = "وحدات الجيش استعادت السيطرة على المدينة"


def claim(text, claimant):
    return span_of(text, CLAIM_TEXT, "CLAIM", claimant=claimant, checkworthy=True, stance=None)


@pytest.fixture
def world():
    """Three annotators on two articles: amal tags the army MILITARY_GROUP where badr and chadi
    tag it ORG; the claimant is given two to one; chadi gives a different stance on the second
    article; amal and chadi always agree on stance (their pair has no variation)."""
    team = make_team()
    first = make_article(text=TEXT, title="بيان الجيش")
    second = make_article(text=OTHER, title="دخول الرقة")
    pt = ProjectTeam.create(team, articles=[first, second])
    project = pt.project
    army = {
        team.annotator: span_of(TEXT, "الجيش السوري", "MILITARY_GROUP"),
        team.annotator2: span_of(TEXT, "الجيش السوري", "ORG"),
        team.annotator3: span_of(TEXT, "الجيش السوري", "ORG"),
    }
    claimant = {
        team.annotator: "author",
        team.annotator2: "author",
        team.annotator3: "unattributed",
    }
    for who in (team.annotator, team.annotator2, team.annotator3):
        make_annotation(
            project,
            first,
            who,
            spans=[army[who], span_of(TEXT, "داعش", "MILITARY_GROUP"), claim(TEXT, claimant[who])],
            stance={"isis": "against"},
        )
    sdf = span_of(OTHER, "قوات سوريا الديمقراطية", "MILITARY_GROUP")
    make_annotation(project, second, team.annotator, spans=[sdf], stance={"isis": "against"})
    make_annotation(project, second, team.annotator2, spans=[sdf], stance={"isis": "neutral"})
    make_annotation(project, second, team.annotator3, spans=[sdf], stance={"isis": "against"})
    return project, first, second, team


def get(user, url) -> tuple[int, str]:
    response = login(Client(), user).get(url)
    return response.status_code, response.content.decode()


def links(html: str) -> list[str]:
    return [unquote(unescape(h)) for h in re.findall(r'href="([^"]+)"', html)]


def articles_url(project, **params) -> str:
    return reverse("annotate:agreement-articles", args=[project.pk]) + (
        "?" + urlencode(params, doseq=True) if params else ""
    )


def test_every_number_on_the_dashboard_opens_what_is_behind_it(world):
    project, first, second, team = world
    a, b = team.annotator.pk, team.annotator2.pk
    status, html = get(
        team.reviewer, reverse("annotate:agreement", args=[project.pk]) + f"?a={a}&b={b}"
    )
    assert status == 200
    hrefs = links(html)
    base = articles_url(project)
    # Summary rows, per-label rows, targets, heat-map cells, confusion cells.
    assert f"{base}?kind=claimant" in hrefs
    assert f"{base}?label=MILITARY_GROUP" in hrefs
    assert f"{base}?kind=stance&target=isis" in hrefs
    assert f"{base}?a={a}&b={b}&kind=stance" in hrefs  # a heat-map cell of the pair
    assert f"{base}?a={a}&b={b}&cell=tokens&x=MILITARY_GROUP&y=ORG" in hrefs
    assert f"{base}?a={a}&b={b}&cell=stance&x=against&y=neutral" in hrefs
    # Lowest-agreement rows open the side by side and adjudication.
    assert reverse("annotate:agreement-compare", args=[project.pk, first.pk]) in hrefs
    assert reverse("annotate:adjudicate-article", args=[project.pk, first.pk]) in hrefs


def test_a_confusion_cell_lists_the_tokens_it_counts(world):
    project, first, second, team = world
    a, b = team.annotator.pk, team.annotator2.pk
    url = articles_url(project, a=a, b=b, cell="tokens", x="MILITARY_GROUP", y="ORG")
    status, html = get(team.manager, url)
    assert status == 200
    # The cell on the dashboard says 2 (two tokens); the page lists those two words.
    assert 'data-tokens="2"' in html
    assert "الجيش السوري" in html
    assert "amal: MILITARY_GROUP" in html and "badr: ORG" in html
    decision = (
        f"span:s{TEXT.index('الجيش السوري')}-{TEXT.index('الجيش السوري') + 12}-MILITARY_GROUP"
    )
    adjudicate = reverse("annotate:adjudicate-article", args=[project.pk, first.pk])
    assert f"{adjudicate}?decision={decision}" in links(html)
    assert str(second.pk) not in re.findall(r'data-article="(\d+)"', html)


def test_a_label_row_lists_its_differences_with_kinds(world):
    project, first, second, team = world
    status, html = get(team.reviewer, articles_url(project, label="MILITARY_GROUP"))
    assert status == 200
    assert re.findall(r'data-article="(\d+)"', html) == [str(first.pk)]
    assert re.findall(r'<tr data-kind="(\w+)"', html) == ["label"]
    assert "badr, chadi: ORG" not in html  # each other annotator on their own line
    assert "badr: ORG on «الجيش السوري»" in unescape(html)


def test_claim_attribute_disagreements_are_listed_not_hidden(world):
    project, first, second, team = world
    status, html = get(team.reviewer, articles_url(project, kind="claimant"))
    assert status == 200
    assert re.findall(r'<tr data-kind="(\w+)"', html) == ["claimant"]
    text = unescape(html)
    assert "amal, badr: author" in text and "chadi: unattributed" in text
    claim_span = f"s{TEXT.index(CLAIM_TEXT)}-{TEXT.index(CLAIM_TEXT) + len(CLAIM_TEXT)}-CLAIM"
    assert any(h.endswith(f"decision=attr:{claim_span}:claimant") for h in links(html))


def test_the_mean_of_pairs_names_the_undefined_pair(world):
    project, first, second, team = world
    status, html = get(team.manager, reverse("annotate:agreement", args=[project.pk]))
    assert status == 200
    text = unescape(re.sub(r"\s+", " ", html))
    row = text[text.index('data-measure="stance.cohen_kappa"') :]
    row = row[: row.index("</tr>")]
    assert "Mean of 2 of 3 pairs." in row
    assert "amal × chadi" in row
    assert "every rating uses the same label" in row


def test_the_side_by_side_names_and_marks_each_difference(world):
    project, first, second, team = world
    url = reverse("annotate:agreement-compare", args=[project.pk, first.pk])
    status, html = get(team.reviewer, url)
    assert status == 200
    kinds = re.findall(r'<tr data-kind="(\w+)" data-decision="([^"]+)"', html)
    assert sorted(k for k, _ in kinds) == ["claimant", "label", "label"]
    assert html.count("diff diff-label") >= 3  # the army in each of the three columns
    assert "diff diff-claimant" in html
    adjudicate = reverse("annotate:adjudicate-article", args=[project.pk, first.pk])
    for _, decision in kinds:
        assert f"{adjudicate}?decision={decision}" in links(html)
    # Only two annotators, from a matrix cell: amal and badr differ on the label only.
    a, b = team.annotator.pk, team.annotator2.pk
    status, html = get(team.reviewer, f"{url}?a={a}&b={b}")
    assert [k for k, _ in re.findall(r'<tr data-kind="(\w+)" data-decision="([^"]+)"', html)] == [
        "label",
        "label",
    ]
    assert html.count('class="card compare-column"') == 2


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"a": "x", "b": "1"}, "a must be an annotator id."),
        ({"a": "999999", "b": "1"}, "No annotator 999999"),
        ({"kind": "colour"}, "Unknown kind of difference: colour."),
        ({"cell": "tokens"}, "A confusion cell needs a pair"),
        ({"cell": "pixels"}, "cell must be tokens or stance."),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(world, params, message):
    project, first, second, team = world
    status, html = get(team.reviewer, articles_url(project, **params))
    assert status == 400
    assert message in unescape(html)


def test_a_pair_of_one_annotator_twice_is_refused(world):
    project, first, second, team = world
    a = team.annotator.pk
    status, html = get(team.reviewer, articles_url(project, a=a, b=a))
    assert status == 400
    assert "Choose two different annotators." in html


@pytest.mark.parametrize(
    ("who", "status"),
    [("manager", 200), ("reviewer", 200), ("annotator", 403), ("outsider", 404)],
)
def test_who_may_open_the_doors(world, who, status):
    project, first, second, team = world
    assert get(team[who], articles_url(project, kind="stance"))[0] == status


def test_anonymous_is_sent_to_log_in(world):
    project, *_ = world
    response = Client().get(articles_url(project))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_list_takes_the_same_queries_for_more_articles(world):
    project, first, second, team = world
    client = login(Client(), team.reviewer)
    client.get(articles_url(project))  # the report is computed and cached once
    with CaptureQueriesContext(connection) as before:
        assert client.get(articles_url(project)).status_code == 200
    for k in range(3):
        text = f"{TEXT} {k}"
        article = make_article(text=text, title=f"خبر {k}")
        ProjectArticle.objects.create(project=project, article=article, position=10 + k)
        for who in (team.annotator, team.annotator2):
            label = "ORG" if who == team.annotator else "PER"
            make_annotation(project, article, who, spans=[span_of(text, "داعش", label)])
    client.get(articles_url(project))  # the report changes: computed again, once
    with CaptureQueriesContext(connection) as after:
        response = client.get(articles_url(project))
    assert response.status_code == 200
    assert response.content.decode().count('class="card evidence-article"') == 5
    assert len(after) == len(before)
