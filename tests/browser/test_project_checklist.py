"""The project page: the set-up checklist, and guidelines paragraphs laid out each in its own
direction (an English line in an Arabic page keeps its full stop on the right)."""

import pytest

from annotate.models import Role
from tests.browser.conftest import sign_in
from tests.factories import make_article, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = {"wide": (1400, 900), "medium": (960, 900), "phone": (390, 844)}
GUIDELINES = "# القواعد\n\nMark people by their name only.\n\nضع وسم الأشخاص على الاسم فقط."


def test_checklist_and_guidelines_directions(browser, live_server, artifacts_dir):
    manager = make_user("mona")
    project = make_project(
        "الرقة 2017",
        articles=[make_article()],
        members={manager: Role.MANAGER},
        guidelines=GUIDELINES,
    )
    for language in ("en", "ar"):
        for size, (width, height) in SIZES.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            sign_in(context, live_server, manager)
            context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            page = context.new_page()
            page.goto(f"{live_server.url}/projects/{project.pk}/")
            steps = page.locator(".setup-steps li")
            assert steps.count() == 5
            assert page.locator(".setup-steps li.done").count() == 3  # schema, articles, guidelines
            paragraphs = page.locator(".guidelines p")
            directions = [
                p.evaluate("e => getComputedStyle(e).direction") for p in paragraphs.all()
            ]
            assert directions == ["ltr", "rtl"]
            page.screenshot(
                path=str(artifacts_dir / f"project-checklist-{language}-{size}.png"),
                full_page=True,
            )
            context.close()
