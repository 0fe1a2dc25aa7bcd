"""Adjudication and exports in Chromium: each annotator's spans drawn over the RTL text, open
decisions settled, gold saved through the API; an export followed to its download link."""

import pytest
from django.test import Client

from annotate.models import Gold, Job, JobStatus, Role
from tests.factories import (
    make_annotation,
    make_article,
    make_project,
    make_user,
    span,
    span_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user) -> None:
    """A logged-in session cookie in the browser context."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])


TEXT = "😀 قال المتحدث إن وداعش انسحب من الميادين، وأكد الجيش السوري ذلك."


def test_a_reviewer_settles_a_tie_and_saves_gold(page, live_server, artifacts_dir):
    reviewer, ann1, ann2 = make_user("reviewer"), make_user("ann1"), make_user("ann2")
    article = make_article(text=TEXT, title="انسحاب من الميادين")
    project = make_project(
        articles=[article],
        members={reviewer: Role.REVIEWER, ann1: Role.ANNOTATOR, ann2: Role.ANNOTATOR},
    )
    isis = span(TEXT, TEXT.index("وداعش") + 1, TEXT.index("وداعش") + 5, "MILITARY_GROUP")
    army = span_of(TEXT, "الجيش السوري", "MILITARY_GROUP")
    city = span_of(TEXT, "الميادين", "LOC")
    make_annotation(project, article, ann1, spans=[isis, army, city], stance={"isis": "against"})
    make_annotation(project, article, ann2, spans=[isis, army], stance={"isis": "neutral"})

    log_in(page, live_server, reviewer)
    page.goto(f"{live_server.url}/projects/{project.pk}/articles/{article.pk}/adjudicate/")
    page.wait_for_selector("#adjudicate[data-ready=true]")
    # Each annotator's spans are drawn over the text; the emoji does not shift them.
    columns = page.locator(".annotator-text")
    assert columns.count() == 2
    first_marked = columns.nth(0).locator(".seg").all_text_contents()
    assert first_marked == ["داعش", "الميادين", "الجيش السوري"]
    assert page.locator("#gold-text .seg").all_text_contents() == ["داعش", "الجيش السوري"]
    assert page.locator("#gold-text").get_attribute("dir") == "rtl"

    city_decision = page.locator(f'[data-decision="span:s{city["start"]}-{city["end"]}-LOC"]')
    assert city_decision.get_attribute("data-state") == "open"
    city_decision.locator('button[data-value="\\"accept\\""]').click()
    assert city_decision.get_attribute("data-state") == "decided"
    stance = page.locator('[data-decision="stance:isis"]')
    stance.locator('button[data-value="\\"against\\""]').click()
    assert "الميادين" in page.locator("#gold-text").inner_text()
    page.screenshot(path=str(artifacts_dir / "adjudicate.png"), full_page=True)

    page.click("#save-gold")
    page.wait_for_selector('#save-state[data-state="saved"]')
    gold = Gold.objects.get(project=project, article=article)
    assert gold.version == 1
    assert sorted(s["text"] for s in gold.content["spans"]) == sorted(
        ["داعش", "الجيش السوري", "الميادين"]
    )
    assert gold.content["document_labels"]["stance"] == {"isis": "against"}
    for s in gold.content["spans"]:
        assert TEXT[s["start"] : s["end"]] == s["text"]

    # Someone else saves meanwhile: the next save is a conflict, not an overwrite.
    Gold.objects.filter(pk=gold.pk).update(version=5)
    page.locator("#gold-spans li").first.locator("button").click()
    page.click("#save-gold")
    page.wait_for_selector("#conflict-banner:not([hidden])")
    assert Gold.objects.get(pk=gold.pk).version == 5


def test_a_manager_follows_an_export_to_its_download(page, live_server, settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    manager = make_user("manager")
    article = make_article(text=TEXT)
    project = make_project(articles=[article], members={manager: Role.MANAGER})
    Gold.objects.create(
        project=project,
        article=article,
        content={
            "spans": [span_of(TEXT, "الميادين", "LOC")],
            "relations": [],
            "document_labels": {},
        },
        source="adjudicated",
    )
    log_in(page, live_server, manager)
    page.goto(f"{live_server.url}/projects/{project.pk}/exports/")
    page.fill("#export-seed", "5")
    page.click("#export-form button[type=submit]")
    download = page.locator("#export-job .job-download")
    download.wait_for(state="visible")
    job = Job.objects.get()
    assert job.status == JobStatus.DONE
    assert (
        download.get_attribute("href") == f"/api/projects/{project.pk}/exports/{job.pk}/download/"
    )
    assert job.params["seed"] == 5
