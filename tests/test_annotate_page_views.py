"""The annotation page and its queue entry, through the test client."""

from __future__ import annotations

import copy
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from annotate.annotations import do_start_assignment, do_submit
from annotate.guidelines import guidelines_html
from annotate.lib.schema import default_schema
from annotate.models import Annotation, Assignment, AssignmentStatus, Role
from annotate.queue import do_generate_assignments
from annotate.views.annotate_page import label_shortcuts
from tests.factories import PASSWORD, make_article, make_corpus, make_project

pytestmark = pytest.mark.django_db

HOSTILE = 'قال <script>alert("x")</script> ثم <img src=x onerror="alert(1)"> انتهى & «تم»'


@pytest.fixture(scope="module")
def shared_world(module_team):
    """A project with three articles queued for one annotator (the team's); its manager is a
    member too; the second annotator and the outsider are not. Built once per module."""
    annotator, other = module_team.annotator, module_team.annotator2
    manager, outsider = module_team.manager, module_team.outsider
    corpus = make_corpus()
    articles = [
        make_article(corpus, text=HOSTILE, title="مقال <b>أول</b>"),
        make_article(corpus, text="قالت الوزارة إن وداعش انسحب من المدينة."),
        make_article(corpus, text="الجيش السوري دخل 😀 مدينة الرقة."),
    ]
    project = make_project(
        articles=articles,
        members={annotator: Role.ANNOTATOR, manager: Role.MANAGER},
        guidelines="# Rules\n\nMark **every** entity.\n\n<script>alert(1)</script>\n"
        '<a href="javascript:alert(1)">x</a>',
    )
    do_generate_assignments(project, k=1, fraction=1.0, seed=3, mode="preassign")
    first = Assignment.objects.filter(project=project, annotator=annotator).order_by("position")
    return {
        "annotator": annotator,
        "other": other,
        "manager": manager,
        "outsider": outsider,
        "project": project,
        "articles": articles,
        "assignments": list(first),
    }


@pytest.fixture
def world(shared_world, db):
    return copy.deepcopy(shared_world)


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def page_url(assignment) -> str:
    return reverse("annotate:assignment-annotate", kwargs={"asid": assignment.pk})


def project_url(project) -> str:
    return reverse("annotate:project-annotate", kwargs={"pid": project.pk})


def page_data(response) -> dict:
    match = re.search(
        r'<script id="page-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the page carries its data in a json_script block"
    return json.loads(match.group(1))


def test_project_entry_redirects_to_the_first_assignment_and_starts_it(world):
    response = client_for(world["annotator"]).get(project_url(world["project"]))
    first = world["assignments"][0]
    assert response.status_code == 302
    assert response["Location"] == page_url(first)
    first.refresh_from_db()
    assert first.status == AssignmentStatus.IN_PROGRESS
    assert Annotation.objects.filter(assignment=first).exists()


def test_project_entry_returns_to_work_in_progress_before_new_work(world):
    second = world["assignments"][1]
    do_start_assignment(second, user=world["annotator"])
    response = client_for(world["annotator"]).get(project_url(world["project"]))
    assert response["Location"] == page_url(second)


def test_project_entry_says_the_queue_is_finished_when_nothing_is_left(world):
    annotator = world["annotator"]
    for assignment in world["assignments"]:
        annotation = do_start_assignment(assignment, user=annotator)
        stance = {t["key"]: "neutral" for t in world["project"].schema["stance_targets"]}
        do_submit(
            assignment,
            user=annotator,
            version=annotation.version,
            content={"spans": [], "relations": [], "document_labels": {"stance": stance}},
        )
    response = client_for(annotator).get(project_url(world["project"]))
    assert response.status_code == 200
    assert "annotate/queue_finished.html" in [t.name for t in response.templates]
    assert response.context["progress"]["done"] == 3
    assert response.context["progress"]["total"] == 3
    assert b'value="3"' in response.content


def test_project_entry_is_404_for_outsiders_and_asks_anonymous_to_log_in(world):
    assert client_for(world["outsider"]).get(project_url(world["project"])).status_code == 404
    response = Client().get(project_url(world["project"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_manager_without_assignments_sees_the_finished_page(world):
    response = client_for(world["manager"]).get(project_url(world["project"]))
    assert response.status_code == 200
    assert response.context["progress"]["total"] == 0


def test_page_is_only_for_the_assigned_annotator(world):
    first = world["assignments"][0]
    assert client_for(world["outsider"]).get(page_url(first)).status_code == 404
    assert client_for(world["other"]).get(page_url(first)).status_code == 404
    # A lead may read drafts through the API but never edits them here.
    assert client_for(world["manager"]).get(page_url(first)).status_code == 403
    assert Client().get(page_url(first)).status_code == 302
    assert client_for(world["annotator"]).get("/assignments/999999/annotate/").status_code == 404


def test_page_data_carries_text_schema_annotation_progress_and_urls(world):
    first = world["assignments"][0]
    response = client_for(world["annotator"]).get(page_url(first))
    assert response.status_code == 200
    data = page_data(response)
    annotation = Annotation.objects.get(assignment=first)
    assert data["article"]["text"] == world["articles"][0].text
    assert data["schema"] == world["project"].schema
    assert data["annotation"] == {
        "id": annotation.pk,
        "version": annotation.version,
        "status": "draft",
        "content": annotation.content,
    }
    assert data["progress"] == {"done": 0, "total": 3}
    assert data["readonly"] is False
    assert data["urls"] == {
        "annotation": f"/api/assignments/{first.pk}/annotation/",
        "spans": f"/api/assignments/{first.pk}/annotation/spans/",
        "submit": f"/api/assignments/{first.pk}/annotation/submit/",
        "active_time": f"/api/assignments/{first.pk}/active-time/",
        "next": project_url(world["project"]),
    }
    assert [label["shortcut"] for label in data["labels"]] == [
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "c",
    ]
    assert data["strings"]["saved"]


def test_article_text_and_title_are_escaped_never_markup(world):
    response = client_for(world["annotator"]).get(page_url(world["assignments"][0]))
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<b>أول</b>" not in html
    assert "مقال &lt;b&gt;أول&lt;/b&gt;" in html
    # json_script escapes < > & inside the data block, so it cannot close the script element.
    assert "\\u003Cscript\\u003Ealert" in html


def test_page_has_no_inline_script_or_style_and_sends_a_strict_csp(world):
    response = client_for(world["annotator"]).get(page_url(world["assignments"][0]))
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'self'" in script_src
    assert "unsafe-inline" not in policy
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert 'type="module" src="/static/' in tag or 'type="application/json"' in tag, tag
    markup = re.sub(r'<script id="page-data".*?</script>', "", html, flags=re.S)
    assert not re.search(r"<[^>]*\sstyle=", markup)
    assert not re.search(r"<[^>]*\son[a-z]+=", markup)


def test_article_is_laid_out_right_to_left_in_arabic(world):
    response = client_for(world["annotator"]).get(page_url(world["assignments"][0]))
    html = response.content.decode()
    assert re.search(r'<div id="article-text" class="article-text" lang="ar" dir="rtl"', html)
    assert 'href="/static/css/annotate.css"' in html
    assert 'src="/static/js/annotate-boot.js"' in html


def test_every_stance_target_and_value_has_a_labelled_control(world):
    response = client_for(world["annotator"]).get(page_url(world["assignments"][0]))
    html = response.content.decode()
    schema = world["project"].schema
    for target in schema["stance_targets"]:
        assert f'data-target="{target["key"]}"' in html
        for value in schema["stance_values"]:
            assert re.search(
                rf'<label><input type="radio" name="stance-{target["key"]}" value="{value}"', html
            )
    for element_id in ("span-label", "claimant-select", "queue-progress"):
        assert f'for="{element_id}"' in html


def test_guidelines_are_rendered_from_markdown_and_sanitised(world):
    response = client_for(world["annotator"]).get(page_url(world["assignments"][0]))
    html = response.content.decode()
    assert '<h1 dir="auto">Rules</h1>' in html
    assert "<strong>every</strong>" in html
    assert "<script>alert(1)" not in html
    assert "javascript:" not in html


def test_guidelines_html_cleans_scripts_handlers_and_keeps_text():
    html = guidelines_html('Hi <img src=x onerror="alert(1)"> **there**\n\n<iframe src="x">')
    assert "onerror" not in html
    assert "<iframe" not in html
    assert "<strong>there</strong>" in html
    assert guidelines_html("   ") == ""


def test_a_submitted_assignment_opens_read_only(world):
    annotator = world["annotator"]
    first = world["assignments"][0]
    annotation = do_start_assignment(first, user=annotator)
    stance = {t["key"]: "against" for t in world["project"].schema["stance_targets"]}
    do_submit(
        first,
        user=annotator,
        version=annotation.version,
        content={"spans": [], "relations": [], "document_labels": {"stance": stance}},
    )
    response = client_for(annotator).get(page_url(first))
    assert response.status_code == 200
    assert page_data(response)["readonly"] is True
    assert 'id="submit-button"' not in response.content.decode()


def test_label_shortcuts_fill_free_digits_and_skip_retired_labels():
    schema = default_schema()
    schema["entity_labels"][0]["shortcut"] = ""
    schema["entity_labels"][1]["shortcut"] = ""
    schema["entity_labels"][2]["retired"] = True
    schema["entity_labels"][3]["shortcut"] = "1"
    keys = [(label["key"], label["shortcut"]) for label in label_shortcuts(schema)]
    assert keys == [
        ("PER", "2"),
        ("ORG", "3"),
        ("GPE", "1"),
        ("MILITARY_GROUP", "5"),
        ("EVENT", "6"),
        ("DATE", "7"),
        ("CLAIM", "c"),
    ]
