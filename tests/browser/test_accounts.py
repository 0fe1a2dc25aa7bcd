"""People in the browser: a manager invites a new annotator by e-mail, who opens the link, sets
a password and lands in their queue; staff create and deactivate accounts."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from annotate.models import Assignment, Membership, Role
from annotate.queue import do_generate_assignments
from tests.browser.conftest import log_in, sign_in
from tests.factories import PASSWORD, make_article, make_corpus, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "olive trees by the river 2026"
SIZES = {"wide": (1400, 900), "medium": (960, 900), "phone": (390, 844)}


def shoot(browser, live_server, user, path, name, artifacts_dir):
    """Screenshots of `path` at the three sizes, in English and Arabic."""
    for language in ("en", "ar"):
        for size, (width, height) in SIZES.items():
            context = browser.new_context(
                viewport={"width": width, "height": height}, locale=language
            )
            if user is not None:
                sign_in(context, live_server, user)
            context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            page = context.new_page()
            page.goto(f"{live_server.url}{path}")
            assert page.locator("html").get_attribute("dir") == (
                "rtl" if language == "ar" else "ltr"
            )
            page.screenshot(
                path=str(artifacts_dir / f"people-{name}-{language}-{size}.png"), full_page=True
            )
            context.close()


def test_an_invited_annotator_sets_a_password_and_lands_in_their_queue(
    browser, live_server, artifacts_dir
):
    manager = make_user("mona")
    corpus = make_corpus("أخبار")
    articles = [
        make_article(corpus, text="دخلت القوات مدينة الرقة صباح الأحد.", title="الرقة"),
        make_article(corpus, text="قال المتحدث إن المعارك مستمرة في دير الزور.", title="دير الزور"),
    ]
    project = make_project("الرقة 2017", articles=articles, members={manager: Role.MANAGER})
    do_generate_assignments(project, k=1, fraction=1, seed=0, mode="pool")  # an open pool

    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en")
    page = context.new_page()
    log_in(page, live_server, "mona", PASSWORD)
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.get_by_role("link", name="Members and invitations: invite, change roles, remove").click()
    page.fill("#id_who", "layla@example.org")
    page.select_option("#id_role", "annotator")
    page.click("#invite-form button[type=submit]")
    page.locator("#invitation-url").wait_for()
    assert "Invitation sent to layla@example.org." in page.locator(".messages").inner_text()
    link = page.locator("#invitation-url").input_value()
    assert link.startswith(f"{live_server.url}/invitations/wbi_")
    assert link in mail.outbox[0].body
    page.screenshot(path=str(artifacts_dir / "people-invited.png"), full_page=True)
    context.close()

    # The new person, in another browser: no account yet, only the link.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ar")
    page = context.new_page()
    page.goto(link)
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("#id_username").input_value() == "layla"
    page.fill("#id_password1", "123")
    page.fill("#id_password2", "123")
    page.click("#accept-form button[type=submit]")
    assert page.locator("#accept-form .error").first.is_visible()
    page.screenshot(path=str(artifacts_dir / "people-accept-refused-ar-phone.png"), full_page=True)
    assert not get_user_model().objects.filter(username="layla").exists()
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.click("#accept-form button[type=submit]")
    # Their queue: the first open article of the pool, on the annotation page, logged in.
    page.wait_for_url(f"{live_server.url}/assignments/*/annotate/")
    page.locator("#article-text").wait_for()
    assert "الرقة" in page.content()
    assert Assignment.objects.get(annotator__username="layla").article == articles[0]
    assert Membership.objects.get(project=project, user__username="layla").role == Role.ANNOTATOR
    page.screenshot(path=str(artifacts_dir / "people-landed-ar-phone.png"), full_page=True)
    context.close()


def test_invitation_pages_and_accounts_page_at_three_sizes(browser, live_server, artifacts_dir):
    from annotate.members import do_invite

    manager = make_user("mona")
    staff = make_user("sami", is_staff=True)
    annotator = make_user("amal", email="amal@example.org")
    project = make_project("الرقة 2017", members={manager: Role.MANAGER, annotator: Role.ANNOTATOR})
    key = do_invite(project, by=manager, role=Role.REVIEWER, email="layla@example.org").key
    shoot(
        browser, live_server, manager, f"/projects/{project.pk}/members/", "members", artifacts_dir
    )
    shoot(browser, live_server, None, f"/invitations/{key}/", "accept", artifacts_dir)
    shoot(browser, live_server, staff, "/people/", "accounts", artifacts_dir)

    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en")
    sign_in(context, live_server, staff)
    page = context.new_page()
    page.goto(f"{live_server.url}/people/")
    page.locator("tr[data-username=amal] button", has_text="Deactivate").click()
    page.locator("tr[data-username=amal]", has_text="deactivated").wait_for()
    assert not get_user_model().objects.get(username="amal").is_active
    page.fill("#account-form #id_username", "nadia")
    page.fill("#account-form #id_email", "nadia@example.org")
    page.click("#account-form button[type=submit]")
    page.locator("#set-password-url").wait_for()
    assert "/accounts/reset/" in page.locator("#set-password-url").input_value()
    context.close()
