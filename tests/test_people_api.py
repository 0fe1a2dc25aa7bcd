"""The people API: assignments table, bulk actions, overlap preview, active time, progress and
quality against gold, an annotator's differences from gold; and who may call each (role x
endpoint)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotate.models import Assignment, AssignmentStatus, AuditEvent, Comment, Gold, GoldSource
from annotate.queue import do_generate_assignments
from tests.base import ProjectTeam, login
from tests.factories import make_annotation, make_article, span_of

pytestmark = pytest.mark.django_db

TEXT = "قال المتحدث باسم الجيش السوري إن داعش انسحب من الرقة، وأكد التحالف الدولي ذلك."


def gold_content(text=TEXT):
    return {
        "spans": [
            span_of(text, "الجيش السوري", "MILITARY_GROUP", span_id="g1"),
            span_of(text, "داعش", "MILITARY_GROUP", span_id="g2"),
            span_of(text, "الرقة", "LOC", span_id="g3"),
            span_of(text, "التحالف الدولي", "ORG", span_id="g4"),
        ],
        "relations": [],
        "document_labels": {"stance": {"isis": "against", "syrian_army": "neutral"}},
    }


@pytest.fixture
def world(team):
    articles = [make_article(text=TEXT, title=f"مقال {i}") for i in range(4)]
    pt = ProjectTeam.create(team, articles=articles)
    project = pt.project
    # amal: gold's spans on article 0 but الجيش السوري shortened (boundary), الرقة as GPE
    # (label), التحالف الدولي missing, an extra span; badr: exactly the gold.
    start = TEXT.index("الجيش السوري")
    amal_spans = [
        {"id": "a1", "start": start + 6, "end": start + 12, "label": "MILITARY_GROUP",
         "text": TEXT[start + 6 : start + 12], "attributes": {}},
        span_of(TEXT, "داعش", "MILITARY_GROUP", span_id="a2"),
        span_of(TEXT, "الرقة", "GPE", span_id="a3"),
        span_of(TEXT, "المتحدث", "PER", span_id="a4"),
    ]  # fmt: skip
    amal = make_annotation(
        project, articles[0], team.annotator, spans=amal_spans, stance={"isis": "favor"}
    )
    badr = make_annotation(
        project,
        articles[0],
        team.annotator2,
        spans=gold_content()["spans"],
        stance=gold_content()["document_labels"]["stance"],
    )
    Gold.objects.create(
        project=project, article=articles[0], content=gold_content(), source=GoldSource.ADJUDICATED
    )
    Assignment.objects.filter(pk=amal.assignment_id).update(active_ms=240_000)
    Assignment.objects.filter(pk=badr.assignment_id).update(active_ms=60_000)
    todo = Assignment.objects.create(
        project=project, article=articles[1], annotator=team.annotator3, slot=0, position=1
    )
    return {"pt": pt, "project": project, "articles": articles, "team": team, "todo": todo,
            "amal": amal, "badr": badr}  # fmt: skip


# ---- who may call what -----------------------------------------------------------------------

WHO = ["manager", "reviewer", "annotator", "outsider", "anonymous"]


def endpoints(w):
    p, a0 = w["project"].pk, w["articles"][0].pk
    amal = w["team"].annotator.pk
    return {
        "people": ("get", f"/api/projects/{p}/people/", None),
        "table": ("get", f"/api/projects/{p}/people/assignments/", None),
        "bulk": (
            "post",
            f"/api/projects/{p}/people/assignments/bulk/",
            {"action": "unassign", "assignments": [w["todo"].pk]},
        ),
        "gold list": ("get", f"/api/projects/{p}/people/{amal}/gold/", None),
        "gold article": ("get", f"/api/projects/{p}/people/{amal}/gold/{a0}/", None),
        "preview": ("get", f"/api/projects/{p}/assignments/preview/?k=2", None),
        "unassign": ("post", f"/api/assignments/{w['todo'].pk}/unassign/", {}),
        "active time": ("post", f"/api/assignments/{w['amal'].assignment_id}/active-time/",
                        {"ms": 1000}),
    }  # fmt: skip


EXPECTED = {
    #               manager reviewer annotator outsider anonymous
    "people": (200, 200, 403, 404, 401),
    "table": (200, 200, 403, 404, 401),
    "bulk": (200, 403, 403, 404, 401),
    "gold list": (200, 200, 403, 404, 401),
    "gold article": (200, 200, 403, 404, 401),
    "preview": (200, 403, 403, 404, 401),
    "unassign": (200, 403, 404, 404, 401),
    # Only the assignment's annotator (amal): leads read assignments but never write time.
    "active time": (403, 403, 200, 404, 401),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("who", WHO)
def test_each_role_gets_what_it_may(client, world, name, who):
    method, url, body = endpoints(world)[name]
    if who != "anonymous":
        login(client, world["team"][who])
    response = getattr(client, method)(url, body, content_type="application/json")
    assert response.status_code == EXPECTED[name][WHO.index(who)], response.content


def test_another_annotator_cannot_report_time_on_amals_assignment(client, world):
    login(client, world["team"].annotator2)
    url = f"/api/assignments/{world['amal'].assignment_id}/active-time/"
    assert client.post(url, {"ms": 5}, content_type="application/json").status_code == 404
    assert Assignment.objects.get(pk=world["amal"].assignment_id).active_ms == 240_000


# ---- active time -----------------------------------------------------------------------------


def test_reported_active_time_adds_up(client, world):
    login(client, world["team"].annotator)
    url = f"/api/assignments/{world['amal'].assignment_id}/active-time/"
    first = client.post(url, {"ms": 1500}, content_type="application/json")
    second = client.post(url, {"ms": 500}, content_type="application/json")
    assert first.json() == {"active_ms": 241_500}
    assert second.json() == {"active_ms": 242_000}
    assert Assignment.objects.get(pk=world["amal"].assignment_id).active_ms == 242_000


@pytest.mark.parametrize("body", [{"ms": 0}, {"ms": -5}, {"ms": 3_600_001}, {"ms": "12"},
                                  {"ms": 1.5}, {}, {"ms": True}])  # fmt: skip
def test_bad_time_reports_are_refused_and_change_nothing(client, world, body):
    login(client, world["team"].annotator)
    url = f"/api/assignments/{world['amal'].assignment_id}/active-time/"
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["field"] == "ms"
    assert Assignment.objects.get(pk=world["amal"].assignment_id).active_ms == 240_000


# ---- per annotator ---------------------------------------------------------------------------


def test_flags_are_counted_per_annotator_and_plain_comments_are_not(client, world):
    project, team = world["project"], world["team"]
    article = Assignment.objects.get(pk=world["amal"].assignment_id).article
    Comment.objects.create(
        project=project, article=article, author=team.annotator, flag="question", body="PER?"
    )
    Comment.objects.create(project=project, article=article, author=team.annotator, body="hm")
    login(client, team.reviewer)
    body = client.get(f"/api/projects/{project.pk}/people/").json()
    rows = {r["username"]: r for r in body["annotators"]}
    assert (rows["amal"]["flags"], rows["badr"]["flags"]) == (1, 0)


def test_people_shows_progress_time_pace_and_quality_against_gold(client, world):
    login(client, world["team"].reviewer)
    body = client.get(f"/api/projects/{world['project'].pk}/people/").json()
    assert body["gold_articles"] == 1
    rows = {r["username"]: r for r in body["annotators"]}
    amal, badr, chadi = rows["amal"], rows["badr"], rows["chadi"]
    assert (amal["done"], amal["total"], amal["skipped"]) == (1, 1, 0)
    assert (chadi["done"], chadi["total"]) == (0, 1)
    assert amal["active_time"]["median_seconds"] == 240
    assert amal["active_time"]["articles"] == 1
    bins = {(b["lower_seconds"], b["upper_seconds"]): b["count"]
            for b in amal["active_time"]["distribution"]}  # fmt: skip
    assert bins[(120, 300)] == 1 and sum(bins.values()) == 1
    # 4 spans in 4 minutes: 60 an hour; badr 4 in one minute.
    assert amal["spans_per_hour"] == pytest.approx(60)
    assert badr["spans_per_hour"] == pytest.approx(240)
    assert amal["flags"] == 0
    assert chadi["quality"] is None and chadi["active_time"]["median_seconds"] is None

    # badr matches the gold exactly; amal: 1 of 4 gold spans exact, 2 by overlap.
    assert badr["quality"]["articles"] == 1
    assert badr["quality"]["exact"]["micro"]["f1"]["value"] == 1
    exact, overlap = amal["quality"]["exact"], amal["quality"]["overlap"]
    assert (exact["micro"]["matched"], exact["micro"]["a_spans"], exact["micro"]["b_spans"]) == (
        1,
        4,
        4,
    )
    assert exact["micro"]["recall"]["value"] == pytest.approx(1 / 4)
    assert overlap["micro"]["matched"] == 2
    assert overlap["labels"]["MILITARY_GROUP"]["f1"]["value"] == 1
    assert exact["labels"]["MILITARY_GROUP"]["f1"]["value"] == pytest.approx(0.5)
    assert exact["labels"]["ORG"]["recall"]["value"] == 0
    assert exact["labels"]["PER"]["precision"]["value"] == 0
    assert amal["quality"]["stance_kappa"]["items"] == 1


def test_quality_follows_a_gold_change(client, world):
    login(client, world["team"].manager)
    url = f"/api/projects/{world['project'].pk}/people/"
    before = {r["username"]: r for r in client.get(url).json()["annotators"]}
    assert before["badr"]["quality"]["exact"]["micro"]["f1"]["value"] == 1
    gold = Gold.objects.get()
    gold.content = {**gold.content, "spans": gold.content["spans"][:2]}
    gold.save()
    after = {r["username"]: r for r in client.get(url).json()["annotators"]}
    assert after["badr"]["quality"]["exact"]["micro"]["precision"]["value"] == pytest.approx(0.5)


def test_annotator_differences_from_gold_name_each_kind(client, world):
    login(client, world["team"].manager)
    p, a0, amal = world["project"].pk, world["articles"][0].pk, world["team"].annotator.pk
    body = client.get(f"/api/projects/{p}/people/{amal}/gold/{a0}/").json()
    assert body["counts"] == {"missing": 1, "extra": 1, "label": 1, "boundary": 1, "match": 1}
    kinds = {d["kind"]: d for d in body["differences"]}
    assert kinds["missing"]["gold"]["text"] == "التحالف الدولي"
    assert kinds["missing"]["annotator"] is None
    assert kinds["extra"]["annotator"]["text"] == "المتحدث"
    assert (kinds["label"]["gold"]["label"], kinds["label"]["annotator"]["label"]) == ("LOC", "GPE")
    assert kinds["boundary"]["gold"]["text"] == "الجيش السوري"
    assert kinds["boundary"]["annotator"]["text"] == "السوري"
    stance = {s["target"]: s for s in body["stance"]}
    assert stance["isis"] == {"target": "isis", "gold": "against", "annotator": "favor",
                              "same": False}  # fmt: skip
    listing = client.get(f"/api/projects/{p}/people/{amal}/gold/").json()
    assert [a["article"] for a in listing["articles"]] == [a0]
    assert listing["articles"][0]["differences"]["missing"] == 1


def test_differences_need_gold_and_a_submission(client, world):
    login(client, world["team"].manager)
    p, a1 = world["project"].pk, world["articles"][1].pk
    amal, omar = world["team"].annotator.pk, world["team"].outsider.pk
    assert client.get(f"/api/projects/{p}/people/{amal}/gold/{a1}/").status_code == 404
    assert client.get(f"/api/projects/{p}/people/{omar}/gold/").status_code == 404


# ---- the assignments table -------------------------------------------------------------------


def test_table_filters_sorts_and_pages_by_cursor(client, world):
    project, team = world["project"], world["team"]
    extra = [make_article(text=f"نص رقم {i} هنا.", title=f"عنوان {i}") for i in range(5)]
    for i, article in enumerate(extra):
        world["pt"].project.project_articles.create(article=article, position=10 + i)
        Assignment.objects.create(
            project=project, article=article, annotator=team.annotator, position=10 + i
        )
    login(client, team.reviewer)
    url = f"/api/projects/{project.pk}/people/assignments/"
    first = client.get(url, {"annotator": team.annotator.pk, "limit": 2}).json()
    assert first["count"] == 6
    assert len(first["results"]) == 2 and first["next"]
    seen = [r["id"] for r in first["results"]]
    cursor = first["next"]
    while cursor:
        page = client.get(url, {"annotator": team.annotator.pk, "limit": 2, "after": cursor}).json()
        seen += [r["id"] for r in page["results"]]
        cursor = page["next"]
    expected = list(
        Assignment.objects.filter(project=project, annotator=team.annotator)
        .order_by("position", "id")
        .values_list("id", flat=True)
    )
    assert seen == expected
    todo = client.get(url, {"status": "todo", "sort": "-position"}).json()["results"]
    assert [r["position"] for r in todo] == sorted((r["position"] for r in todo), reverse=True)
    assert all(r["status"] == "todo" for r in todo)
    titled = client.get(url, {"q": "عنوان 3"}).json()
    assert [r["article_title"] for r in titled["results"]] == ["عنوان 3"]
    by_time = client.get(url, {"sort": "-active"}).json()["results"]
    assert by_time[0]["active_seconds"] == 240


@pytest.mark.parametrize(
    ("params", "field"),
    [({"status": "done"}, "status"), ({"sort": "colour"}, "sort"),
     ({"annotator": "x"}, "annotator"), ({"after": "not-a-cursor"}, "after"),
     ({"limit": "0"}, "limit"), ({"article": "1a"}, "article"),
     # digits int() cannot read, and digits of other scripts, are refused (they were a 500)
     ({"annotator": "²"}, "annotator"), ({"article": "٣"}, "article"), ({"limit": "²"}, "limit"),
     ({"annotator": " 3"}, "annotator"), ({"q": "x" * 201}, "q")],
)  # fmt: skip
def test_table_refuses_bad_parameters(client, world, params, field):
    login(client, world["team"].manager)
    response = client.get(f"/api/projects/{world['project'].pk}/people/assignments/", params)
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_table_query_count_does_not_grow_with_rows(client, world, django_assert_num_queries):
    project, team = world["project"], world["team"]
    for i in range(6):
        article = make_article(text=f"نص آخر {i}.")
        Assignment.objects.create(project=project, article=article, annotator=team.annotator2)
    login(client, team.manager)
    url = f"/api/projects/{project.pk}/people/assignments/"
    # session, user, project with role, count, page
    with django_assert_num_queries(5):
        assert len(client.get(url, {"limit": 3}).json()["results"]) == 3
    with django_assert_num_queries(5):
        assert len(client.get(url, {"limit": 50}).json()["results"]) == 9


def test_people_summary_query_count_is_fixed(client, world):
    login(client, world["team"].manager)
    url = f"/api/projects/{world['project'].pk}/people/"
    client.get(url)  # fills the quality cache
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    for i in range(5):
        make_annotation(world["project"], make_article(text=f"خبر {i}."), world["team"].annotator3)
    client.get(url)
    with CaptureQueriesContext(connection) as later:
        client.get(url)
    assert len(later) == len(warm)


# ---- actions ---------------------------------------------------------------------------------


def test_bulk_reassign_moves_every_listed_assignment(client, world):
    project, team = world["project"], world["team"]
    second = Assignment.objects.create(
        project=project, article=world["articles"][2], annotator=team.annotator3, position=2
    )
    login(client, team.manager)
    response = client.post(
        f"/api/projects/{project.pk}/people/assignments/bulk/",
        {"action": "reassign", "assignments": [world["todo"].pk, second.pk],
         "annotator": team.annotator2.pk},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json() == {"changed": 2}
    moved = Assignment.objects.filter(pk__in=[world["todo"].pk, second.pk])
    assert set(moved.values_list("annotator", flat=True)) == {team.annotator2.pk}
    assert AuditEvent.objects.filter(action="reassign").count() == 2


def test_bulk_is_all_or_nothing(client, world):
    project, team = world["project"], world["team"]
    login(client, team.manager)
    submitted = world["amal"].assignment_id
    response = client.post(
        f"/api/projects/{project.pk}/people/assignments/bulk/",
        {"action": "unassign", "assignments": [world["todo"].pk, submitted]},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert f"Assignment {submitted}" in response.json()["detail"]
    assert Assignment.objects.get(pk=world["todo"].pk).annotator_id == team.annotator3.pk
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [({"action": "delete", "assignments": [1]}, "action"),
     ({"action": "unassign", "assignments": []}, "assignments"),
     ({"action": "unassign", "assignments": ["1"]}, "assignments[0]"),
     ({"action": "reassign", "assignments": [1]}, "annotator")],
)  # fmt: skip
def test_bulk_refuses_bad_input(client, world, body, field):
    login(client, world["team"].manager)
    if body["assignments"] == [1]:
        body = {**body, "assignments": [world["todo"].pk]}
    response = client.post(
        f"/api/projects/{world['project'].pk}/people/assignments/bulk/",
        body,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert Assignment.objects.get(pk=world["todo"].pk).annotator_id == world["team"].annotator3.pk


def test_bulk_refuses_another_projects_assignment(client, world, team):
    other = ProjectTeam.create(team, articles=[make_article(text="نص مشروع آخر.")])
    foreign = Assignment.objects.create(
        project=other.project, article=other.articles[0], annotator=team.annotator
    )
    login(client, team.manager)
    response = client.post(
        f"/api/projects/{world['project'].pk}/people/assignments/bulk/",
        {"action": "unassign", "assignments": [foreign.pk]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert Assignment.objects.get(pk=foreign.pk).annotator_id == team.annotator.pk


def test_unassign_returns_unstarted_work_to_the_pool(client, world):
    login(client, world["team"].manager)
    response = client.post(f"/api/assignments/{world['todo'].pk}/unassign/")
    assert response.status_code == 200
    assert response.json()["annotator"] is None
    todo = Assignment.objects.get(pk=world["todo"].pk)
    assert todo.annotator_id is None and todo.status == AssignmentStatus.TODO
    again = client.post(f"/api/assignments/{world['todo'].pk}/unassign/")
    assert again.status_code == 409


def test_preview_counts_what_generating_would_create_and_creates_nothing(client, world):
    project = world["project"]
    Assignment.objects.filter(project=project).delete()
    login(client, world["team"].manager)
    url = f"/api/projects/{project.pk}/assignments/preview/"
    body = client.get(url, {"k": 3, "fraction": 0.5, "seed": 1}).json()
    assert not Assignment.objects.exists()
    result = do_generate_assignments(project, k=3, fraction=0.5, seed=1)
    assert body["created"] == result.created == 2 * 3 + 2 * 1
    assert body["articles"] == 4
    assert body["by_count"] == [{"annotators": 1, "articles": 2}, {"annotators": 3, "articles": 2}]
    again = client.get(url, {"k": 3, "fraction": 0.5, "seed": 1}).json()
    assert again == {"created": 0, "articles": 0, "by_count": [], "mode": "preassign"}


@pytest.mark.parametrize(
    ("params", "field"),
    [({"k": "0"}, "k"), ({"k": "many"}, "k"), ({"fraction": "2"}, "fraction"),
     ({"mode": "lottery"}, "mode"), ({"k": "4"}, "k")],
)  # fmt: skip
def test_preview_refuses_bad_policies(client, world, params, field):
    login(client, world["team"].manager)
    response = client.get(f"/api/projects/{world['project'].pk}/assignments/preview/", params)
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_the_schema_states_the_bounds_the_table_preview_and_bulk_check(client, world):
    login(client, world["team"].manager)
    schema = client.get("/api/schema/", {"format": "json"}).json()

    def query(path):
        return {
            p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]
            if p["in"] == "query"
        }  # fmt: skip

    table = query("/api/projects/{pid}/people/assignments/")
    assert table["limit"] == {"type": "integer", "minimum": 1, "maximum": 500}
    assert table["article"] == {"type": "integer", "minimum": 0}
    assert table["annotator"]["pattern"] == "^(pool|[0-9]+)?$"
    assert table["q"]["maxLength"] == 200
    preview = query("/api/projects/{pid}/assignments/preview/")
    assert preview["k"] == {"type": "integer", "minimum": 1, "maximum": 50}
    assert preview["fraction"] == {"type": "number", "minimum": 0, "maximum": 1}
    assert preview["seed"]["maximum"] == 2**31 - 1
    assert preview["mode"]["enum"] == ["pool", "preassign"]
    bulk = schema["components"]["schemas"]["BulkRequest"]["properties"]["assignments"]
    assert (bulk["minItems"], bulk["maxItems"]) == (1, 1000)


@pytest.mark.parametrize(
    ("params", "field"),
    [({"k": "51"}, "k"), ({"fraction": "-0.1"}, "fraction"), ({"seed": str(2**31)}, "seed")],
)
def test_preview_refuses_what_the_schema_leaves_out(client, world, params, field):
    login(client, world["team"].manager)
    response = client.get(f"/api/projects/{world['project'].pk}/assignments/preview/", params)
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_quality_from_one_report_equals_a_report_per_annotator(world):
    """quality_against_gold builds one report of the gold and everyone; each annotator's row
    must be what a report of the gold and that annotator alone gives, also when annotators
    have different gold articles."""
    from annotate.lib.agreement.report import build_report
    from annotate.people import GOLD, _gold_docs, quality_against_gold

    project, articles, team = world["project"], world["articles"], world["team"]
    make_annotation(
        project,
        articles[2],
        team.annotator,
        spans=gold_content()["spans"][:2],
        stance={"isis": "against"},
    )
    Gold.objects.create(
        project=project, article=articles[2], content=gold_content(), source=GoldSource.ADJUDICATED
    )
    gold, by_annotator, texts = _gold_docs(project)
    expected = {}
    for annotator, docs in by_annotator.items():
        mine = sorted({d.article for d in docs})
        report = build_report([*(gold[a] for a in mine), *docs], texts=texts, schema=project.schema)
        pair = report.pair(GOLD, annotator)
        expected[annotator] = {
            "articles": pair.articles,
            "stance_kappa": pair.stance.cohen_kappa.as_dict(),
            "exact": pair.spans.exact.as_dict(),
            "overlap": pair.spans.overlap.as_dict(),
        }
    assert {a: len(d) for a, d in by_annotator.items()} == {team.annotator.pk: 2,
                                                            team.annotator2.pk: 1}  # fmt: skip
    assert quality_against_gold(project) == expected
