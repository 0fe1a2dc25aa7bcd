"""The data page's export options in Chromium, English and Arabic: grouping, stratifying by
label and the stance CSV's title go from the form to the job; screenshots at three widths."""

import pytest

from annotate.models import Gold, Job, JobKind, JobStatus, Role
from tests.browser.conftest import sign_in
from tests.factories import make_article, make_project, make_user, span_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "😀 قال المتحدث إن وداعش انسحب من الميادين، وأكد الجيش السوري ذلك."
SIZES = {"wide": (1400, 900), "medium": (960, 900), "phone": (390, 844)}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_manager_exports_a_stratified_split_with_stance_titles(
    browser, live_server, settings, tmp_path, artifacts_dir, language
):
    settings.EXPORT_ROOT = tmp_path / "exports"
    manager = make_user("manager")
    articles = [make_article(text=f"{TEXT} {i}", metadata={"story": f"s{i % 2}"}) for i in range(4)]
    project = make_project(articles=articles, members={manager: Role.MANAGER})
    for article in articles:
        Gold.objects.create(
            project=project,
            article=article,
            content={
                "spans": [span_of(article.text, "الميادين", "LOC")],
                "relations": [],
                "document_labels": {"stance": {"isis": "against"}},
            },
            source="adjudicated",
        )
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale=language)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    sign_in(context, live_server, manager)
    page.goto(f"{live_server.url}/projects/{project.pk}/exports/")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    page.fill("#export-group-by", "story")
    page.select_option("#export-stratify", "stance:isis")
    page.check("input[name=stance_title]")
    for name, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(
            path=str(artifacts_dir / f"export-options-{language}-{name}.png"), full_page=True
        )
    page.set_viewport_size({"width": 1400, "height": 900})
    page.click("#export-form button[type=submit]")
    page.locator("#export-job .job-download").wait_for(state="visible")
    job = Job.objects.get(kind=JobKind.EXPORT)
    assert job.status == JobStatus.DONE
    assert job.params["group_by"] == "story"
    assert job.params["stratify_by"] == "stance:isis"
    assert job.params["stance_title"] is True
    context.close()
