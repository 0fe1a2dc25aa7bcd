"""The data page's list of recent exports and imports follows a job started on the page: the
finished export is listed with its download link without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from annotate.models import Gold, Job, JobKind, JobStatus, Role
from tests.browser.conftest import sign_in
from tests.factories import make_article, make_project, make_user, span_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "قال المتحدث إن وداعش انسحب من الميادين."


def test_a_finished_export_appears_in_the_recent_list_without_a_reload(
    browser, live_server, settings, tmp_path
):
    settings.EXPORT_ROOT = tmp_path / "exports"
    manager = make_user("mona")
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
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en")
    sign_in(context, live_server, manager)
    page = context.new_page()
    page.goto(f"{live_server.url}/projects/{project.pk}/exports/")
    expect(page.locator("#jobs-empty")).to_be_visible()
    expect(page.locator("#jobs-table")).to_be_hidden()

    page.click("#export-form button[type=submit]")
    page.locator("#export-job .job-download").wait_for(state="visible")
    job = Job.objects.get(kind=JobKind.EXPORT)
    assert job.status == JobStatus.DONE
    rows = page.locator("#jobs-body .job-row")
    expect(rows).to_have_count(1)
    expect(page.locator("#jobs-empty")).to_be_hidden()
    expect(rows.first).to_have_attribute("data-status", "done")
    expect(rows.first.locator("td").first).to_have_text(str(job.pk))
    expect(rows.first.locator(".job-text")).to_have_text("Done.")
    link = rows.first.locator("a.button")
    expect(link).to_have_text("Download")
    assert link.get_attribute("href") == f"/api/projects/{project.pk}/exports/{job.pk}/download/"

    # A second export goes on top; the list still matches what a reload shows.
    page.click("#export-form button[type=submit]")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-status", "done")
    live = rows.evaluate_all("(rs) => rs.map((r) => r.children[0].textContent)")
    page.reload()
    assert rows.evaluate_all("(rs) => rs.map((r) => r.children[0].textContent.trim())") == live
    context.close()
