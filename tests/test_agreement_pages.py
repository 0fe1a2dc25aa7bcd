"""Agreement through the dashboard, the side-by-side page, the REST API and the command."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.template.defaultfilters import floatformat
from django.test import Client
from django.urls import reverse
from django.utils import translation
from sklearn.metrics import cohen_kappa_score

from annotate.agreement import project_report
from annotate.lib.agreement.report import REPORT_FORMAT
from annotate.lib.agreement.unitizing import Continuum, UnitizingAlpha, unitizing_alpha
from annotate.models import AgreementSnapshot, Annotation, AnnotationStatus, Role
from tests.factories import (
    PASSWORD,
    make_annotation,
    make_article,
    make_corpus,
    make_project,
    make_user,
    span_of,
)
from tests.test_agreement_assemble import assert_same

pytestmark = pytest.mark.django_db

TEXTS = [
    "قالت وزارة الدفاع إن وداعش انسحب من مدينة الرقة صباح الأحد.",
    "أعلن التحالف الدولي أن الجيش السوري دخل مدينة دير الزور.",
    "قال المتحدث باسم الأمم المتحدة إن المساعدات وصلت إلى حلب.",
    'نفى مسؤول <script>alert("x")</script> في دمشق & «الخبر».',
]
HOSTILE_NAME = '<img src=x onerror="alert(1)">'


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def world():
    """Three annotators' submitted work on four articles, plus a draft that must not count."""
    amal, badr, huda = make_user("amal"), make_user("badr"), make_user(HOSTILE_NAME)
    manager, reviewer, outsider = make_user("manal"), make_user("rami"), make_user("omar")
    corpus = make_corpus()
    articles = [
        make_article(corpus, text=t, title=f"خبر {i} <b>x</b>") for i, t in enumerate(TEXTS)
    ]
    project = make_project(
        articles=articles,
        members={
            amal: Role.ANNOTATOR,
            badr: Role.ANNOTATOR,
            huda: Role.ANNOTATOR,
            manager: Role.MANAGER,
            reviewer: Role.REVIEWER,
        },
    )
    week1 = datetime(2026, 1, 6, 10, tzinfo=UTC)
    week2 = datetime(2026, 1, 14, 10, tzinfo=UTC)
    t0, t1, t2, t3 = (a.text for a in articles)
    plan = {
        amal: [
            (
                0,
                [span_of(t0, "داعش", "MILITARY_GROUP"), span_of(t0, "الرقة", "GPE")],
                {"isis": "against", "syrian_army": "neutral"},
                week1,
            ),
            (
                1,
                [span_of(t1, "الجيش السوري", "MILITARY_GROUP")],
                {"isis": "not_mentioned", "syrian_army": "favor"},
                week2,
            ),
            (2, [span_of(t2, "حلب", "GPE")], {"isis": "not_mentioned"}, week2),
            (3, [span_of(t3, "دمشق", "GPE")], {"isis": "neutral"}, week2),
        ],
        badr: [
            (
                0,
                [span_of(t0, "وداعش", "MILITARY_GROUP"), span_of(t0, "الرقة", "LOC")],
                {"isis": "against", "syrian_army": "against"},
                week1,
            ),
            (
                1,
                [span_of(t1, "الجيش السوري", "MILITARY_GROUP")],
                {"isis": "not_mentioned", "syrian_army": "favor"},
                week2,
            ),
            (3, [span_of(t3, "دمشق", "GPE")], {"isis": "against"}, week2),
        ],
        huda: [
            (0, [span_of(t0, "داعش", "MILITARY_GROUP")], {"isis": "against"}, week1),
            (
                2,
                [span_of(t2, "حلب", "GPE"), span_of(t2, "الأمم المتحدة", "ORG")],
                {"isis": "neutral"},
                week2,
            ),
        ],
    }
    for user, rows in plan.items():
        for index, spans, stance, when in rows:
            make_annotation(
                project, articles[index], user, spans=spans, stance=stance, submitted_at=when
            )
    draft_writer = make_user("drafty")
    make_annotation(
        project,
        articles[1],
        draft_writer,
        spans=[span_of(t1, "التحالف", "ORG")],
        stance={"isis": "favor"},
        submitted=False,
    )
    return {
        "project": project,
        "articles": articles,
        "annotators": (amal, badr, huda),
        "manager": manager,
        "reviewer": reviewer,
        "outsider": outsider,
        "draft_writer": draft_writer,
    }


def alpha_u_by_hand(world) -> tuple[UnitizingAlpha, list[str]]:
    """αU straight from the submitted annotations in the database: each article a continuum
    of len(text) code points, each annotator who submitted it a coder (the draft left out)."""
    project = world["project"]
    continua = []
    for article in world["articles"]:
        submitted = Annotation.objects.filter(
            project=project, article=article, status=AnnotationStatus.SUBMITTED
        )
        units = {
            a.annotator_id: [(s["start"], s["end"], s["label"]) for s in a.content["spans"]]
            for a in submitted
        }
        continua.append(Continuum(len(article.text), units))
    entity_labels = [label["key"] for label in project.schema["entity_labels"]]
    return unitizing_alpha(continua, labels=[*entity_labels, "CLAIM"]), entity_labels


def dashboard_url(project) -> str:
    return reverse("annotate:agreement", args=[project.pk])


def api_url(project) -> str:
    return reverse("annotate:api-agreement", args=[project.pk])


def test_managers_and_reviewers_see_the_dashboard(world):
    for user in (world["manager"], world["reviewer"]):
        response = client_for(user).get(dashboard_url(world["project"]))
        assert response.status_code == 200
        body = response.content.decode()
        assert "Krippendorff" in body
        assert "<svg" in body


def test_annotators_get_403_and_outsiders_404_everywhere(world):
    project, article = world["project"], world["articles"][0]
    urls = [
        dashboard_url(project),
        api_url(project),
        reverse("annotate:agreement-compare", args=[project.pk, article.pk]),
    ]
    for url in urls:
        assert client_for(world["annotators"][0]).get(url).status_code == 403, url
        assert client_for(world["outsider"]).get(url).status_code == 404, url
        assert client_for(world["draft_writer"]).get(url).status_code == 404, url
    anonymous = Client()
    assert anonymous.get(dashboard_url(project)).status_code == 302
    assert anonymous.get(api_url(project)).status_code == 401


def test_unknown_project_and_foreign_article_are_404(world):
    manager = client_for(world["manager"])
    assert manager.get(reverse("annotate:agreement", args=[999999])).status_code == 404
    stranger = make_article(make_corpus(), text="مقال خارج المشروع.")
    url = reverse("annotate:agreement-compare", args=[world["project"].pk, stranger.pk])
    assert manager.get(url).status_code == 404


def test_api_numbers_match_a_reference_and_ignore_drafts(world):
    response = client_for(world["reviewer"]).get(api_url(world["project"]))
    assert response.status_code == 200
    report = response.json()
    assert report["counts"]["annotations"] == 9  # the draft is not counted
    amal, badr, huda = world["annotators"]
    assert {a["id"] for a in report["annotators"]} == {amal.pk, badr.pk, huda.pk}
    pair = next(p for p in report["pairs"] if {p["a"], p["b"]} == {amal.pk, badr.pk})
    # Items both labelled, in (article, target) order: article 0 isis/syrian_army,
    # article 1 isis/syrian_army, article 3 isis.
    a = ["against", "neutral", "not_mentioned", "favor", "neutral"]
    b = ["against", "against", "not_mentioned", "favor", "against"]
    assert pair["stance"]["cohen_kappa"]["value"] == pytest.approx(
        cohen_kappa_score(a, b), abs=1e-12
    )
    assert pair["stance"]["cohen_kappa"]["items"] == 5
    # Spans of amal vs badr: exact matches "الرقة"? no (GPE vs LOC); "الجيش السوري" and
    # "دمشق" yes; overlap adds "داعش" inside "وداعش".
    exact = pair["spans"]["exact"]["micro"]
    overlap = pair["spans"]["overlap"]["micro"]
    assert (exact["matched"], exact["a_spans"], exact["b_spans"]) == (2, 4, 4)
    assert (overlap["matched"], overlap["a_spans"], overlap["b_spans"]) == (3, 4, 4)
    assert overlap["f1"]["value"] == pytest.approx(0.75)
    summary = {row["key"]: row for row in report["summary"]}
    assert summary["stance.fleiss_kappa"]["value"] is None
    assert summary["stance.fleiss_kappa"]["reason"] == "unequal_raters"
    assert summary["stance.krippendorff_alpha"]["value"] is not None


def test_api_shows_the_unitizing_alpha_computed_from_the_submitted_spans(world):
    report = client_for(world["reviewer"]).get(api_url(world["project"])).json()
    by_hand, entity_labels = alpha_u_by_hand(world)
    expected = by_hand.joint_alpha(entity_labels)
    summary = {row["key"]: row for row in report["summary"]}
    shown = summary["spans.alpha_u"]
    assert expected.value is not None
    assert shown["value"] == pytest.approx(expected.value, abs=1e-12)
    # Four articles submitted by two or three of the three annotators (the draft is no coder).
    assert (shown["items"], shown["annotators"]) == (4, 3)
    assert report["spans"]["alpha_u"]["entities"]["value"] == shown["value"]
    labels = report["spans"]["alpha_u"]["labels"]
    assert set(labels) == {"MILITARY_GROUP", "GPE", "LOC", "ORG"}
    for label, row in labels.items():
        assert row["value"] == pytest.approx(by_hand.label_alpha(label).value, abs=1e-12)
        k = by_hand.labels.index(label)
        assert row["observed_disagreement"] == pytest.approx(by_hand.observed[k], abs=1e-15)
        assert row["expected_disagreement"] == pytest.approx(by_hand.expected[k], abs=1e-15)
    # Nobody marked a claim: undefined, with the reason, never a fake 1.0.
    assert summary["claims.alpha_u"]["value"] is None
    assert summary["claims.alpha_u"]["reason"] == "no_spans"
    assert report["claims"]["alpha_u"]["reason"] == "no_spans"


def test_dashboard_shows_the_unitizing_alpha_in_arabic(world):
    client = client_for(world["manager"])
    client.cookies["django_language"] = "ar"
    body = client.get(dashboard_url(world["project"]), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    by_hand, entity_labels = alpha_u_by_hand(world)
    with translation.override("ar"):
        overall = floatformat(by_hand.joint_alpha(entity_labels).value, 3)
        gpe = floatformat(by_hand.label_alpha("GPE").value, 3)
    row = re.search(r'<tr data-measure="spans\.alpha_u">(.*?)</tr>', body, re.S).group(1)
    assert f"<bdi>{overall}</bdi>" in row
    assert "ألفا كريبندورف للتقطيع" in row  # the title and explanation are translated
    gpe_row = re.search(r'<tr data-label="GPE">(.*?)</tr>', body, re.S).group(1)
    assert f"<bdi>{gpe}</bdi>" in gpe_row
    claims = re.search(r'<tr data-measure="claims\.alpha_u">(.*?)</tr>', body, re.S).group(1)
    assert 'class="undefined"' in claims
    assert 'dir="rtl"' in body


def test_an_old_cached_report_without_unitizing_alpha_is_rebuilt(world):
    """Reports cached before αU (format 1) no longer match the fingerprint: the full report
    (command, exports, ?refresh) recomputes instead of reading a report without the new
    fields; the dashboard reads the totals and shows αU either way."""
    project = world["project"]
    client = client_for(world["manager"])
    project_report(project)
    snapshot = AgreementSnapshot.objects.get(project=project)
    assert snapshot.fingerprint.startswith(f"f{REPORT_FORMAT}:") and REPORT_FORMAT >= 2
    old = dict(snapshot.result)
    old["format"] = 1
    old["summary"] = [r for r in old["summary"] if not r["key"].endswith(".alpha_u")]
    old["spans"] = {k: v for k, v in old["spans"].items() if k != "alpha_u"}
    old["claims"] = {k: v for k, v in old["claims"].items() if k != "alpha_u"}
    snapshot.result = old
    snapshot.fingerprint = "f1:" + snapshot.fingerprint.split(":", 1)[1]
    snapshot.save()
    response = client.get(dashboard_url(project))
    assert response.status_code == 200
    assert 'data-measure="spans.alpha_u"' in response.content.decode()
    rebuilt = project_report(project).as_dict()
    assert rebuilt["meta"]["cached"] is False
    assert rebuilt["format"] == REPORT_FORMAT
    assert "alpha_u" in rebuilt["spans"]
    assert project_report(project).meta.cached is True


def test_report_is_cached_until_an_annotation_changes(world, django_assert_max_num_queries):
    project = world["project"]
    first = project_report(project).as_dict()
    assert first["meta"]["cached"] is False
    snapshot = AgreementSnapshot.objects.get(project=project)
    with django_assert_max_num_queries(8):
        second = project_report(project).as_dict()
    assert second["meta"]["cached"] is True
    assert second["summary"] == first["summary"]
    # A changed submitted annotation gives a new fingerprint and new numbers.
    annotation = Annotation.objects.filter(project=project, annotator=world["annotators"][1])[0]
    annotation.content["document_labels"]["stance"]["isis"] = "favor"
    annotation.save()
    third = project_report(project).as_dict()
    assert third["meta"]["cached"] is False
    assert third["meta"]["fingerprint"] != snapshot.fingerprint
    assert third["summary"] != first["summary"]
    client = client_for(world["manager"])
    refreshed = client.get(api_url(project) + "?refresh=1").json()
    assert refreshed["meta"]["cached"] is False


def test_dashboard_escapes_names_and_titles_and_draws_rtl_charts(world):
    client = client_for(world["manager"])
    client.cookies["django_language"] = "ar"
    response = client.get(dashboard_url(world["project"]), HTTP_ACCEPT_LANGUAGE="ar")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'dir="rtl"' in body
    assert HOSTILE_NAME not in body
    assert "&lt;img src=x onerror=" in body
    assert "<b>x</b>" not in body
    assert 'direction="rtl"' in body  # SVG text follows the page direction
    assert "<script" not in body
    compare = reverse(
        "annotate:agreement-compare", args=[world["project"].pk, world["articles"][0].pk]
    )
    assert compare in body  # lowest-agreement articles link to the side-by-side view


def test_confusion_matrix_for_two_chosen_annotators(world):
    amal, badr, _ = world["annotators"]
    client = client_for(world["manager"])
    body = client.get(dashboard_url(world["project"]), {"a": badr.pk, "b": amal.pk}).content
    body = body.decode()
    assert 'data-kind="stance"' in body
    assert 'data-kind="tokens"' in body
    same = client.get(dashboard_url(world["project"]), {"a": amal.pk, "b": amal.pk})
    assert "Choose two different annotators" in same.content.decode()
    junk = client.get(dashboard_url(world["project"]), {"a": "x", "b": "<script>"})
    assert junk.status_code == 200


def test_side_by_side_shows_every_submitted_annotation_escaped(world):
    project, article = world["project"], world["articles"][3]
    url = reverse("annotate:agreement-compare", args=[project.pk, article.pk])
    response = client_for(world["reviewer"]).get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="card compare-column"') == 2  # amal and badr submitted it
    assert '<script>alert("x")</script>' not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert 'lang="ar" dir="rtl"' in body
    assert 'title="GPE">دمشق</span>' in body


def test_dashboard_with_nothing_submitted_says_so(world):
    empty = make_project(members={world["manager"]: Role.MANAGER})
    response = client_for(world["manager"]).get(dashboard_url(empty))
    assert response.status_code == 200
    report = client_for(world["manager"]).get(api_url(empty)).json()
    assert all(row["value"] is None for row in report["summary"])
    assert {row["reason"] for row in report["summary"]} == {"one_rater"}


def test_command_prints_the_same_numbers_as_the_api(world):
    project = world["project"]
    api = client_for(world["manager"]).get(api_url(project)).json()
    out = StringIO()
    call_command("agreement", str(project.pk), "--json", stdout=out)
    from_command = json.loads(out.getvalue())
    # The API's figures come from the stored totals, the command's from a full recomputation.
    assert_same(from_command["summary"], api["summary"], ordered=False)
    assert_same(from_command["pairs"], api["pairs"], ordered=False)
    table = StringIO()
    call_command("agreement", project.name, stdout=table)
    text = table.getvalue()
    alpha = next(r for r in api["summary"] if r["key"] == "stance.krippendorff_alpha")
    assert f"{alpha['value']:.3f}" in text
    assert "Fleiss" in text and "undefined" in text
    alpha_u = next(r for r in api["summary"] if r["key"] == "spans.alpha_u")
    line = next(x for x in text.splitlines() if "Entities: Krippendorff's unitizing alpha" in x)
    assert f"{alpha_u['value']:.3f}" in line
    assert_same(from_command["spans"]["alpha_u"], api["spans"]["alpha_u"], "", True, ordered=False)


def test_command_names_an_unknown_project():
    with pytest.raises(CommandError, match="no project with id or name 'nope'"):
        call_command("agreement", "nope")


def test_database_side_span_extraction_equals_reading_whole_documents(world):
    """On PostgreSQL the span fields come out of the JSON in SQL; the result is the same."""
    from annotate.agreement import submitted, submitted_docs
    from annotate.lib.agreement.documents import doc_from_content

    project = world["project"]
    speaker = world["articles"][0].text.index("وزارة")
    claim_text = world["articles"][0].text
    annotation = submitted(project).filter(article=world["articles"][0]).first()
    annotation.content["spans"] += [
        {
            "id": "p1",
            "start": speaker,
            "end": speaker + 5,
            "label": "ORG",
            "text": claim_text[speaker : speaker + 5],
            "attributes": {},
        },
        {
            "id": "c1",
            "start": 0,
            "end": 20,
            "label": "CLAIM",
            "text": claim_text[:20],
            "attributes": {"checkworthy": True, "claimant": None, "stance": "reports"},
        },
    ]
    annotation.content["relations"] = [{"type": "claimant", "from": "c1", "to": "p1"}]
    annotation.save()
    expected = sorted(
        (
            doc_from_content(
                a.content,
                article=a.article_id,
                annotator=a.annotator_id,
                claim_label="CLAIM",
                submitted_at=a.submitted_at or a.updated_at,
            )
            for a in submitted(project)
        ),
        key=lambda d: (d.article, d.annotator),
    )
    got = sorted(submitted_docs(project), key=lambda d: (d.article, d.annotator))
    assert got == expected
    assert any(d.claims and d.claim_info[0].claimant_span == "p1" for d in got)


def test_side_by_side_view_leads_to_adjudication(world):
    project, article = world["project"], world["articles"][0]
    body = client_for(world["reviewer"] if "reviewer" in world else world["manager"]).get(
        reverse("annotate:agreement-compare", args=[project.pk, article.pk])
    )
    adjudicate = reverse("annotate:adjudicate-article", args=[project.pk, article.pk])
    assert f'href="{adjudicate}"' in body.content.decode()


def test_leads_recompute_agreement_in_the_background(world):
    project = world["project"]
    url = reverse("annotate:api-agreement", args=[project.pk])
    response = client_for(world["manager"]).post(url)
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["kind"] == "agreement"
    # The in-process backend has already run it; a worker would pick it up otherwise.
    assert job["status"] == "done", job
    assert job["result"]["fingerprint"]
    snapshot = AgreementSnapshot.objects.get(project=project)
    assert snapshot.fingerprint == job["result"]["fingerprint"]


def test_annotators_cannot_start_agreement_jobs(world):
    url = reverse("annotate:api-agreement", args=[world["project"].pk])
    response = client_for(world["annotators"][0]).post(url)
    assert response.status_code == 403
    assert not AgreementSnapshot.objects.filter(project=world["project"]).exists()


def test_a_cached_report_that_cannot_be_read_is_computed_again(world):
    """A stored report under the current fingerprint that is not a whole report (written by
    hand, or by a bug) is recomputed rather than shown half."""
    project = world["project"]
    first = project_report(project).as_dict()
    snapshot = AgreementSnapshot.objects.get(project=project)
    snapshot.result = {k: v for k, v in snapshot.result.items() if k != "pairs"}
    snapshot.save()
    again = project_report(project).as_dict()
    assert again["meta"]["cached"] is False
    assert again["pairs"] == first["pairs"]
    assert project_report(project).meta.cached is True


def test_the_command_imports_no_page_module():
    code = (
        "import sys, django; django.setup(); "
        "import annotate.management.commands.agreement; "
        "print(sorted(m for m in sys.modules if m.startswith('annotate.views')))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "workbench.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "[]"
