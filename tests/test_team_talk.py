"""Skip with a reason, comments and flags with blinding, unread replies, reopen with a reason
(agreement and gold follow), reopen requests, guidelines versions: through the REST API,
asserting the answer and the database."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from rest_framework.test import APIClient

from annotate.agreement import agreement_report
from annotate.annotations import do_start_assignment, do_submit
from annotate.exports import check_export_options, export_stream
from annotate.gold import do_save_gold
from annotate.models import (
    AgreementSnapshot,
    Annotation,
    AnnotationStatus,
    Assignment,
    AssignmentStatus,
    AuditAction,
    AuditEvent,
    Comment,
    Gold,
    GuidelinesRead,
    GuidelinesVersion,
)
from annotate.projects import do_update_project
from annotate.queue import do_generate_assignments, do_next
from tests.base import ProjectTeam
from tests.factories import make_article, make_corpus, span_of

pytestmark = pytest.mark.django_db

TEXT = "قال المتحدث باسم الجيش السوري إن داعش انسحبت من الرقة."
STANCE = {"isis": "against", "syrian_army": "neutral", "us_coalition": "not_mentioned"}


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def content(text, *labels):
    spans = [span_of(text, word, label) for word, label in labels]
    return {"spans": spans, "relations": [], "document_labels": {"stance": STANCE}}


@pytest.fixture
def crew(team) -> ProjectTeam:
    corpus = make_corpus()
    articles = [make_article(corpus, text=f"{TEXT} {i}", title=f"خبر {i}") for i in range(3)]
    crew = ProjectTeam.create(team, articles=articles, without=("annotator3",))
    do_generate_assignments(crew.project, k=2, fraction=1.0, seed=1, mode="preassign")
    return crew


def mine(crew, who, article):
    return Assignment.objects.get(project=crew.project, article=article, annotator=crew.team[who])


def thread_url(crew, article):
    return f"/api/projects/{crew.project.pk}/articles/{article.pk}/comments/"


# ---- skip ----


def test_skip_takes_a_reason_from_the_project_list_plus_free_text(crew):
    project, articles, team = crew
    do_update_project(project, by=team.manager, changes={"skip_reasons": ["Site menu", "Dup"]})
    assert client_for(team.annotator).get(f"/api/projects/{project.pk}/skip-reasons/").json() == [
        "Site menu",
        "Dup",
    ]
    assignment = mine(crew, "annotator", articles[0])
    url = f"/api/assignments/{assignment.pk}/skip/"
    refused = client_for(team.annotator).post(url, {"choice": "Junk"}, format="json")
    assert refused.status_code == 400 and refused.json()["field"] == "choice"
    assert client_for(team.annotator).post(url, {}, format="json").status_code == 400
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.TODO
    response = client_for(team.annotator).post(
        url, {"choice": "Site menu", "reason": "only the header"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["skip_reason"] == "Site menu — only the header"
    assignment.refresh_from_db()
    assert (assignment.status, assignment.skip_reason) == ("skipped", "Site menu — only the header")
    # Back on the lead's list, with the reason.
    page = APIClient()
    page.force_login(team.manager)
    html = page.get(f"/projects/{project.pk}/").content.decode()
    assert "Site menu — only the header" in html


def test_default_skip_reasons_when_the_project_names_none(crew):
    reasons = (
        client_for(crew.team.annotator).get(f"/api/projects/{crew.project.pk}/skip-reasons/").json()
    )
    assert len(reasons) == 4 and "Duplicate of another article" in reasons


def test_skip_reasons_are_checked(crew):
    project, _, team = crew
    response = client_for(team.manager).patch(
        f"/api/projects/{project.pk}/", {"skip_reasons": ["a", " a "]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "skip_reasons[1]"
    project.refresh_from_db()
    assert project.skip_reasons == []


# ---- comments and blinding ----


def test_a_flag_with_a_question_is_answered_and_blinded_from_the_other_annotator(crew):
    project, articles, team = crew
    url = thread_url(crew, articles[0])
    asked = client_for(team.annotator).post(
        url,
        {"body": "Does a **spokesman** count as PER? <script>x()</script>", "flag": "question"},
        format="json",
    )
    assert asked.status_code == 201, asked.content
    question = asked.json()
    assert question["flag"] == "question"
    assert "<strong>spokesman</strong>" in question["body_html"]
    assert "<script>" not in question["body_html"]
    other = client_for(team.annotator2).post(url, {"body": "Text is cut", "flag": "bad_text"})
    assert other.status_code == 201
    answer = client_for(team.reviewer).post(
        url, {"body": "Yes, mark the person.", "parent": question["id"]}, format="json"
    )
    assert answer.status_code == 201 and answer.json()["parent"] == question["id"]

    amal = client_for(team.annotator).get(url).json()
    assert [c["body"] for c in amal] == [question["body"]]
    assert [r["body"] for r in amal[0]["replies"]] == ["Yes, mark the person."]
    assert amal[0]["replies"][0]["unread"] is True
    badr = client_for(team.annotator2).get(url).json()
    assert [c["body"] for c in badr] == ["Text is cut"]
    leads = client_for(team.reviewer).get(url).json()
    assert len(leads) == 2 and len(leads[0]["replies"]) == 1

    # badr cannot reply into amal's thread (he cannot see it): 400, nothing written.
    before = Comment.objects.count()
    sneaky = client_for(team.annotator2).post(
        url, {"body": "me too", "parent": question["id"]}, format="json"
    )
    assert sneaky.status_code == 400 and sneaky.json()["field"] == "parent"
    assert Comment.objects.count() == before

    # Once badr submitted the article, the whole thread is his to read.
    assignment = mine(crew, "annotator2", articles[0])
    do_start_assignment(assignment, user=team.annotator2)
    do_submit(assignment, user=team.annotator2, version=1, content=content(articles[0].text))
    assert len(client_for(team.annotator2).get(url).json()) == 2


def test_unread_replies_show_in_the_annotators_queue_until_read(crew):
    project, articles, team = crew
    url = thread_url(crew, articles[1])
    question = client_for(team.annotator).post(url, {"body": "Is ISIS an ORG?"}).json()
    client_for(team.reviewer).post(url, {"body": "MILITARY_GROUP", "parent": question["id"]})
    unread_url = f"/api/projects/{project.pk}/comments/unread/"
    rows = client_for(team.annotator).get(unread_url).json()
    assignment = mine(crew, "annotator", articles[1])
    assert rows == [
        {"article": articles[1].pk, "title": "خبر 1", "count": 1, "assignment": assignment.pk}
    ]
    assert client_for(team.annotator2).get(unread_url).json() == []
    page = APIClient()
    page.force_login(team.annotator)
    assert "1 new reply" in page.get(f"/projects/{project.pk}/").content.decode()
    assert client_for(team.annotator).post(f"{url}read/").status_code == 204
    assert client_for(team.annotator).get(unread_url).json() == []


def test_comment_input_is_checked(crew):
    url = thread_url(crew, crew.articles[0])
    client = client_for(crew.team.annotator)
    assert client.post(url, {"body": "   "}, format="json").json()["field"] == "body"
    assert client.post(url, {"body": "x" * 5001}, format="json").status_code == 400
    assert client.post(url, {"body": "x", "flag": "rude"}, format="json").status_code == 400
    assert client.post(url, {"body": 5}, format="json").status_code in (201, 400)
    assert Comment.objects.filter(body__in=["   ", "x"]).count() == 0


def test_the_leads_list_of_threads_is_one_query_per_page(crew, django_assert_num_queries):
    project, articles, team = crew
    for article in articles[:2]:
        client_for(team.annotator).post(
            thread_url(crew, article), {"body": "?", "flag": "duplicate"}
        )
    client = client_for(team.reviewer)
    with django_assert_num_queries(2):  # the membership, then the threads
        response = client.get(f"/api/projects/{project.pk}/comments/")
    rows = response.json()
    assert [r["flag"] for r in rows] == ["duplicate", "duplicate"]
    assert all(r["answered"] is False for r in rows)


# ---- reopen ----


def submit(crew, who, article, *labels):
    assignment = mine(crew, who, article)
    do_start_assignment(assignment, user=crew.team[who])
    do_submit(assignment, user=crew.team[who], version=1, content=content(article.text, *labels))
    return assignment


def test_a_reviewer_reopens_with_a_reason_agreement_and_gold_follow(crew):
    project, articles, team = crew
    article = articles[0]
    first = submit(crew, "annotator", article, ("داعش", "ORG"))
    submit(crew, "annotator2", article, ("داعش", "MILITARY_GROUP"))
    before = agreement_report(project)
    assert AgreementSnapshot.objects.filter(project=project).exists()
    gold = do_save_gold(
        project, article, user=team.reviewer, version=0, content=content(article.text)
    )
    assert gold.inputs_changed is False

    response = client_for(team.reviewer).post(
        f"/api/assignments/{first.pk}/reopen/", {"reason": "ISIS is a MILITARY_GROUP"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "in_progress" and body["reopen_reason"] == "ISIS is a MILITARY_GROUP"
    annotation = Annotation.objects.get(assignment=first)
    assert (annotation.status, annotation.version) == (AnnotationStatus.DRAFT, 3)
    assert not AgreementSnapshot.objects.filter(project=project).exists()
    assert Gold.objects.get(pk=gold.pk).inputs_changed is True
    event = AuditEvent.objects.filter(action=AuditAction.REOPEN).get()
    assert event.user == team.reviewer
    assert event.changes["reason"] == "ISIS is a MILITARY_GROUP"
    assert event.changes["gold_inputs_changed"] is True
    gold_api = client_for(team.reviewer).get(
        f"/api/projects/{project.pk}/articles/{article.pk}/gold/"
    )
    assert gold_api.json()["inputs_changed"] is True

    # Head of the queue, with the reason; re-submitting changes agreement.
    other_draft = mine(crew, "annotator", articles[2])
    do_start_assignment(other_draft, user=team.annotator)  # in progress, but earlier reopened
    found = do_next(project, team.annotator)
    assert found is not None and found[0].pk == first.pk
    resubmit = client_for(team.annotator).post(
        f"/api/assignments/{first.pk}/annotation/submit/",
        {"version": 3, "content": content(article.text, ("داعش", "MILITARY_GROUP"))},
        format="json",
    )
    assert resubmit.status_code == 200, resubmit.content
    first.refresh_from_db()
    assert (first.status, first.reopen_reason) == ("submitted", "")
    after = agreement_report(project)
    assert json.dumps(after, sort_keys=True, default=str) != json.dumps(
        before, sort_keys=True, default=str
    )
    # Saving gold again clears the mark.
    gold = do_save_gold(
        project, article, user=team.reviewer, version=1, content=content(article.text)
    )
    assert gold.inputs_changed is False


def test_gold_saved_before_the_submission_is_not_marked(crew):
    project, articles, team = crew
    article = articles[1]
    gold = do_save_gold(
        project, article, user=team.reviewer, version=0, content=content(article.text)
    )
    late = submit(crew, "annotator", article)
    client_for(team.manager).post(f"/api/assignments/{late.pk}/reopen/", {"reason": "again"})
    assert Gold.objects.get(pk=gold.pk).inputs_changed is False


def test_an_annotator_asks_for_a_reopen_with_a_reason(crew):
    project, articles, team = crew
    assignment = submit(crew, "annotator", articles[0])
    url = f"/api/assignments/{assignment.pk}/request-reopen/"
    assert client_for(team.annotator).post(url, {"reason": " "}).status_code == 400
    draft = mine(crew, "annotator", articles[1])
    refused = client_for(team.annotator).post(
        f"/api/assignments/{draft.pk}/request-reopen/", {"reason": "x"}
    )
    assert refused.status_code == 409
    response = client_for(team.annotator).post(url, {"reason": "I missed a claim"})
    assert response.status_code == 200
    assert response.json()["reopen_request"] == "I missed a claim"
    listed = client_for(team.reviewer).get(f"/api/projects/{project.pk}/reopen-requests/").json()
    assert [row["id"] for row in listed["results"]] == [assignment.pk]
    assert AuditEvent.objects.filter(action=AuditAction.REQUEST_REOPEN).count() == 1


# ---- guidelines versions ----


def test_guidelines_changes_are_versions_annotators_acknowledge(crew):
    project, _, team = crew
    do_update_project(project, by=team.manager, changes={"guidelines": "# Rules\nMark people."})
    response = client_for(team.manager).patch(
        f"/api/projects/{project.pk}/",
        {"guidelines": "# Rules\nMark people.\nA spokesman is PER.", "guidelines_summary": "PER"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["guidelines_version"] == 3
    assert list(
        GuidelinesVersion.objects.filter(project=project).values_list("version", "summary")
    ) == [(1, ""), (2, ""), (3, "PER")]
    url = f"/api/projects/{project.pk}/guidelines/"
    ack = f"{url}acknowledge/"
    client = client_for(team.annotator)
    assert client.get(url).json()["changed"] is True
    assert client.post(ack, {"version": 2}, format="json").status_code == 409
    assert client.post(ack, {"version": 2.5}, format="json").status_code == 400
    # Acknowledge version 3, then a change: the diff is from 3 to 4.
    assert client.post(ack, {"version": 3}, format="json").status_code == 200
    assert client.get(url).json()["changed"] is False
    do_update_project(
        project,
        by=team.manager,
        changes={
            "guidelines": "# Rules\nMark people.\nA spokesman is not PER.",
            "guidelines_summary": "no",
        },
    )
    state = client.get(url).json()
    assert state["changed"] is True and state["read_version"] == 3
    assert [c["summary"] for c in state["changes"]] == ["no"]
    assert {"op": "-", "text": "A spokesman is PER."} in state["diff"]
    assert {"op": "+", "text": "A spokesman is not PER."} in state["diff"]
    versions = client.get(f"{url}versions/").json()["results"]
    assert [v["version"] for v in versions] == [4, 3, 2, 1]


def test_acknowledging_an_old_version_is_a_documented_conflict(crew):
    project, _, team = crew
    do_update_project(project, by=team.manager, changes={"guidelines": "# Rules\nMark people."})
    url = f"/api/projects/{project.pk}/guidelines/acknowledge/"
    stale = client_for(team.annotator).post(url, {"version": 0}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == project.guidelines_version
    assert "changed again" in stale.json()["detail"]
    assert not GuidelinesRead.objects.filter(user=team.annotator).exists()
    schema = client_for(team.annotator).get("/api/schema/", {"format": "json"}).json()
    assert (
        "409" in schema["paths"]["/api/projects/{pid}/guidelines/acknowledge/"]["post"]["responses"]
    )


def test_unchanged_guidelines_make_no_version(crew):
    project, _, team = crew
    do_update_project(project, by=team.manager, changes={"guidelines": project.guidelines})
    project.refresh_from_db()
    assert project.guidelines_version == 1
    assert GuidelinesVersion.objects.filter(project=project).count() == 0


def test_the_export_manifest_records_the_guidelines_version_in_force(crew):
    project, _, team = crew
    do_update_project(
        project, by=team.manager, changes={"guidelines": "v2 rules", "guidelines_summary": "s"}
    )
    stream = export_stream(
        project, check_export_options(formats="jsonl"), created_at="2024-01-01T00:00:00"
    )
    with zipfile.ZipFile(io.BytesIO(b"".join(stream))) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["guidelines"]["version"] == 2
    assert manifest["guidelines"]["sha256"] == hashlib.sha256(b"v2 rules").hexdigest()


# ---- pages ----


@pytest.mark.parametrize(
    ("who", "expected"),
    [("manager", 200), ("reviewer", 200), ("annotator", 403), ("outsider", 404)],
)
def test_who_opens_the_discussion_pages(crew, who, expected):
    project, articles, team = crew
    client = APIClient()
    client.force_login(team[who])
    pid, aid = project.pk, articles[0].pk
    assert client.get(f"/projects/{pid}/discussions/").status_code == expected
    assert client.get(f"/projects/{pid}/articles/{aid}/discussion/").status_code == expected
    reply = client.post(f"/projects/{pid}/articles/{aid}/discussion/", {"body": "note"})
    assert reply.status_code == (302 if expected == 200 else expected)
    assert Comment.objects.filter(body="note").exists() == (expected == 200)


def test_the_discussion_page_reopens_with_a_reason_and_escapes_comments(crew):
    project, articles, team = crew
    article = articles[0]
    work = submit(crew, "annotator", article)
    client_for(team.annotator).post(
        thread_url(crew, article), {"body": "<script>alert(1)</script> *why*"}, format="json"
    )
    page = APIClient()
    page.force_login(team.reviewer)
    url = f"/projects/{project.pk}/articles/{article.pk}/discussion/"
    html = page.get(url).content.decode()
    assert "<script>alert(1)</script>" not in html and "<em>why</em>" in html
    refused = page.post(f"{url}reopen/{work.pk}/", {"reason": ""})
    assert refused.status_code == 302
    work.refresh_from_db()
    assert work.status == "submitted"
    page.post(f"{url}reopen/{work.pk}/", {"reason": "mark the date"})
    work.refresh_from_db()
    assert (work.status, work.reopen_reason) == ("in_progress", "mark the date")
    annotator_page = APIClient()
    annotator_page.force_login(team.annotator)
    assert annotator_page.post(f"{url}reopen/{work.pk}/", {"reason": "x"}).status_code == 403


def test_the_settings_form_keeps_a_guidelines_summary_and_skip_reasons(crew):
    project, _, team = crew
    page = APIClient()
    page.force_login(team.manager)
    response = page.post(
        f"/projects/{project.pk}/settings/",
        {
            "name": project.name,
            "description": "",
            "guidelines": "# New rules",
            "guidelines_summary": "rules rewritten",
            "skip_reasons": "Site menu\n\n  Duplicate  \n",
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.skip_reasons == ["Site menu", "Duplicate"]
    assert project.guidelines_version == 2
    latest = GuidelinesVersion.objects.get(project=project, version=2)
    assert (latest.text, latest.summary) == ("# New rules", "rules rewritten")


def test_list_endpoints_take_a_fixed_number_of_queries(crew, django_assert_num_queries):
    project, articles, team = crew
    for article in articles:
        work = submit(crew, "annotator", article)
        client_for(team.annotator).post(
            f"/api/assignments/{work.pk}/request-reopen/", {"reason": "again"}
        )
        question = client_for(team.annotator).post(thread_url(crew, article), {"body": "?"})
        client_for(team.reviewer).post(
            thread_url(crew, article), {"body": "!", "parent": question.json()["id"]}
        )
    reviewer, annotator = client_for(team.reviewer), client_for(team.annotator)
    with django_assert_num_queries(3):  # membership, count, page
        rows = reviewer.get(f"/api/projects/{project.pk}/reopen-requests/").json()
    assert rows["count"] == 3
    with django_assert_num_queries(2):  # membership, unread per article
        assert len(annotator.get(f"/api/projects/{project.pk}/comments/unread/").json()) == 3
    with django_assert_num_queries(4):  # membership, article, submitted?, read mark + thread
        annotator.get(thread_url(crew, articles[0]))


def test_the_adjudication_page_says_when_gold_inputs_changed(crew):
    project, articles, team = crew
    article = articles[0]
    work = submit(crew, "annotator", article)
    do_save_gold(project, article, user=team.reviewer, version=0, content=content(article.text))
    page = APIClient()
    page.force_login(team.reviewer)
    url = f"/projects/{project.pk}/articles/{article.pk}/adjudicate/"
    assert 'id="gold-inputs-changed"' not in page.get(url).content.decode()
    client_for(team.reviewer).post(f"/api/assignments/{work.pk}/reopen/", {"reason": "fix"})
    html = page.get(url).content.decode()
    assert 'id="gold-inputs-changed"' in html
    assert f"/projects/{project.pk}/articles/{article.pk}/discussion/" in html
