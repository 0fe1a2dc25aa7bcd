"""The People page in Chromium: a manager reassigns from the table, a reviewer follows a demo
annotator to their differences from gold, and the annotation page measures active time
(Playwright's fake clock: idle gaps over a minute are not counted). Screenshots at three
widths, in English and Arabic, go to test-artifacts/."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from annotate.management.commands.demo import DEMO_PASSWORD, build_demo
from annotate.models import Assignment, Gold, Role
from annotate.queue import do_generate_assignments
from tests.browser.conftest import module_page
from tests.factories import PASSWORD, make_article, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"wide": (1400, 900), "medium": (960, 900), "phone": (390, 844)}
LOGIN_SUBMIT = "form[method=post]:not([action*=i18n]) button[type=submit]"


def log_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click(LOGIN_SUBMIT)
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, "the login failed"


def new_page(browser, locale: str, size: str = "wide"):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    return context.new_page()


def screenshots(browser, live_server, username, password, path, name, artifacts_dir) -> None:
    """The page at `path` at every size, in English and Arabic."""
    for locale in ("en", "ar"):
        for size in SIZES:
            page = new_page(browser, locale, size)
            log_in(page, live_server, username, password)
            page.goto(f"{live_server.url}{path}")
            assert page.locator("html").get_attribute("dir") == ("rtl" if locale == "ar" else "ltr")
            page.screenshot(path=str(artifacts_dir / f"{name}-{locale}-{size}.png"), full_page=True)
            page.context.close()


def test_a_manager_reassigns_an_assignment_from_the_table(browser, live_server, artifacts_dir):
    manager = make_user("mona")
    amal, badr = make_user("amal"), make_user("badr")
    articles = [make_article(text=f"خبر رقم {i} عن الرقة.", title=f"خبر {i}") for i in range(3)]
    project = make_project(
        articles=articles,
        members={manager: Role.MANAGER, amal: Role.ANNOTATOR, badr: Role.ANNOTATOR},
    )
    do_generate_assignments(project, k=1, fraction=1.0, seed=3)
    target = Assignment.objects.filter(project=project, annotator=amal).first()

    page = new_page(browser, "en")
    log_in(page, live_server, "mona", PASSWORD)
    page.goto(f"{live_server.url}/projects/{project.pk}/people/?annotator={amal.pk}")
    row = page.locator(f'tr[data-assignment="{target.pk}"]')
    expect(row).to_contain_text("amal")
    row.locator("select").select_option(label="badr")
    row.get_by_role("button", name="Reassign").click()
    expect(page.locator(".messages")).to_contain_text("1 assignment reassigned.")
    # Back on the same filtered view: amal's row is gone from her list.
    assert "annotator=" in page.url
    expect(page.locator(f'tr[data-assignment="{target.pk}"]')).to_have_count(0)
    assert Assignment.objects.get(pk=target.pk).annotator_id == badr.pk

    # The preview says what generating would add, before anything is created.
    page.fill("#g-k", "2")
    page.click("#preview-form button[name=preview]")
    expect(page.locator("#generate-preview")).to_contain_text(
        "This will create 3 assignments: 2 annotators on 3 articles"
    )
    assert Assignment.objects.filter(project=project).count() == 3
    page.context.close()
    screenshots(
        browser,
        live_server,
        "mona",
        PASSWORD,
        f"/projects/{project.pk}/people/?preview=1&k=2",
        "people-table",
        artifacts_dir,
    )


def test_a_reviewer_sees_a_demo_annotators_differences_from_gold(
    browser, live_server, artifacts_dir
):
    _corpus, users, project, _report = build_demo()
    badr = users["badr"]
    page = new_page(browser, "ar")
    log_in(page, live_server, "rami", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/projects/{project.pk}/people/")
    # Every demo annotator has a quality row.
    for name in ("amal", "badr", "chadi"):
        expect(page.locator(f'tr[data-annotator="{name}"] .quality-f1')).to_be_visible()
    page.locator('tr[data-annotator="badr"] th a').click()
    expect(page.locator("#quality-table tbody tr")).not_to_have_count(0)
    first = page.locator("#gold-articles tbody tr a").first
    first.click()
    expect(page.locator("#text-gold")).to_have_attribute("dir", "rtl")

    article_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    article = project.articles.get(pk=article_id)
    gold = Gold.objects.get(project=project, article=article).content["spans"]
    # Each gold span the annotator missed is marked over exactly its letters.
    missing = page.locator("#text-gold mark[data-kind=missing]").all_text_contents()
    rows = page.locator("#differences tr[data-kind=missing]")
    assert rows.count() >= 1 and len(missing) >= 1
    gold_texts = {article.text[s["start"] : s["end"]] for s in gold}
    assert set(missing) <= gold_texts
    assert page.locator("#text-annotator mark").count() >= 1
    page.context.close()
    path = f"/projects/{project.pk}/people/{badr.pk}/articles/{article_id}/"
    screenshots(browser, live_server, "rami", DEMO_PASSWORD, path, "people-diff", artifacts_dir)
    screenshots(
        browser,
        live_server,
        "rami",
        DEMO_PASSWORD,
        f"/projects/{project.pk}/people/{badr.pk}/",
        "people-annotator",
        artifacts_dir,
    )


def wait_for_active_ms(assignment_id: int, expected: int, timeout: float = 15) -> int:
    deadline = time.monotonic() + timeout
    value = -1
    while time.monotonic() < deadline:
        value = Assignment.objects.values_list("active_ms", flat=True).get(pk=assignment_id)
        if value == expected:
            return value
        time.sleep(0.1)
    return value


def test_the_annotation_page_measures_active_time_without_idle_gaps(browser, live_server):
    amal = make_user("amal")
    project = make_project(
        articles=[make_article(text="قال المتحدث إن القوات دخلت الرقة.")],
        members={amal: Role.ANNOTATOR},
    )
    do_generate_assignments(project, k=1, fraction=1.0, seed=1)
    assignment = Assignment.objects.get(project=project)
    page = new_page(browser, "en")
    log_in(page, live_server, "amal", PASSWORD)
    start = 1_800_000_000_000  # ms since the epoch
    page.clock.install(time=start / 1000)
    page.goto(f"{live_server.url}/assignments/{assignment.pk}/annotate/")
    expect(page.locator("#annotate")).to_have_attribute("data-ready", "true")
    # Stop the clock ten minutes on: time before the first key is an idle gap.
    page.clock.pause_at((start + 600_000) / 1000)

    page.keyboard.press("Shift")
    page.clock.run_for(10_000)
    page.keyboard.press("Shift")  # 10 s of work
    page.clock.run_for(120_000)  # two minutes away: not counted (the timer reports 10 s)
    assert wait_for_active_ms(assignment.pk, 10_000) == 10_000
    page.keyboard.press("Shift")
    page.clock.run_for(5_000)
    page.keyboard.press("Shift")  # 5 s more
    page.clock.run_for(59_000)  # under a minute idle, then the tab loses focus
    page.evaluate("() => window.dispatchEvent(new Event('blur'))")  # 59 s counted
    page.clock.run_for(30_000)  # the timer reports
    assert wait_for_active_ms(assignment.pk, 74_000) == 74_000
    page.context.close()


def test_active_clock_rules(browser):
    page = module_page(browser, ["active-time"])
    result = page.evaluate(
        """() => {
          const c = new window.m.active_time.ActiveClock({ focused: false, now: 0 });
          c.activity(1000);            // first activity: nothing to count yet
          c.activity(31000);           // 30 s
          c.activity(91001);           // 60.001 s: an idle gap, not counted
          c.activity(151001);          // exactly 60 s: counted
          const first = c.take();
          c.blur(160000);              // 8.999 s until the blur
          c.activity(500000);          // after a blur, nothing until activity
          c.activity(500250.5);
          return [first, c.take(), c.take()];
        }"""
    )
    assert result == [90_000, 9_249, 0]
    page.context.close()
