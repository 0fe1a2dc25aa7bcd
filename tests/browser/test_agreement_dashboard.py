"""The agreement dashboard and side-by-side view in Chromium, in Arabic (right-to-left)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from annotate.models import Role
from tests.browser.conftest import sign_in
from tests.factories import make_annotation, make_article, make_corpus, make_project, make_user
from tests.factories import span_of as span_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = [
    "قالت وزارة الدفاع إن القوات دخلت مدينة الرقة صباح الأحد، وإن وداعش انسحب نحو دير الزور.",
    "أعلن التحالف الدولي أن الجيش السوري تقدم نحو مدينة تدمر بعد معارك مع داعش.",
    "قال المتحدث باسم الأمم المتحدة إن المساعدات وصلت إلى حلب يوم الاثنين.",
    "نفى مسؤول في دمشق أن تكون القوات الحكومية قد قصفت ريف إدلب.",
    "ذكرت وكالة الأنباء أن المدنيين نزحوا من القرى المجاورة لمدينة الرقة.",
    "قالت مصادر محلية إن داعش هاجم مواقع الجيش السوري قرب دير الزور.",
]
ENTITIES = {
    0: [("وزارة الدفاع", "ORG"), ("الرقة", "GPE"), ("داعش", "MILITARY_GROUP")],
    1: [("التحالف الدولي", "ORG"), ("الجيش السوري", "MILITARY_GROUP"), ("تدمر", "GPE")],
    2: [("الأمم المتحدة", "ORG"), ("حلب", "GPE"), ("يوم الاثنين", "DATE")],
    3: [("دمشق", "GPE"), ("إدلب", "GPE")],
    4: [("وكالة الأنباء", "ORG"), ("الرقة", "GPE")],
    5: [("داعش", "MILITARY_GROUP"), ("الجيش السوري", "MILITARY_GROUP"), ("دير الزور", "GPE")],
}
STANCES = ["against", "neutral", "favor", "not_mentioned"]


def sign_in_arabic(context, live_server, user) -> None:
    sign_in(context, live_server, user)
    context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])


def build_project():
    annotators = [make_user(name) for name in ("amal", "badr", "huda")]
    manager = make_user("manal")
    corpus = make_corpus()
    articles = [make_article(corpus, text=t, title=f"خبر رقم {i}") for i, t in enumerate(TEXTS, 1)]
    members = {user: Role.ANNOTATOR for user in annotators}
    members[manager] = Role.MANAGER
    project = make_project("مشروع الاتفاق", articles=articles, members=members)
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    for k, user in enumerate(annotators):
        for i, article in enumerate(articles):
            spans = []
            for j, (word, label) in enumerate(ENTITIES[i]):
                if (i + j + k) % 5 == 0:
                    continue  # someone missed this one
                if k == 1 and word == "داعش" and "وداعش" in article.text:
                    word = "وداعش"  # with the clitic
                if k == 2 and j == 1:
                    label = "LOC" if label == "GPE" else label
                spans.append(span_in(article.text, word, label))
            stance = {
                "isis": STANCES[(i + (k == 2)) % 4],
                "syrian_army": STANCES[(i * 2 + k) % 4],
                "us_coalition": "not_mentioned",
            }
            make_annotation(
                project,
                article,
                user,
                spans=spans,
                stance=stance,
                submitted_at=start + timedelta(days=4 * i + k),
            )
    return project, manager, articles


def test_dashboard_renders_in_arabic_with_charts(browser, live_server, artifacts_dir):
    project, manager, articles = build_project()
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ar")
    try:
        sign_in_arabic(context, live_server, manager)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{live_server.url}/projects/{project.pk}/agreement/")
        html = page.locator("html")
        expect(html).to_have_attribute("dir", "rtl")
        expect(html).to_have_attribute("lang", "ar")
        expect(page.locator("table.agreement-summary tbody tr")).to_have_count(14)
        alpha = page.locator('tr[data-measure="stance.krippendorff_alpha"] td.value')
        expect(alpha).not_to_have_text("غير معرَّف")  # "undefined", in Arabic
        alpha_u = page.locator('tr[data-measure="spans.alpha_u"] td.value bdi')
        expect(alpha_u).to_have_text(re.compile(r"^-?\d,\d{3}$"))  # Arabic decimal comma
        expect(page.locator('table.agreement-labels tr[data-label="GPE"] td')).to_have_count(6)
        expect(page.locator("svg.heat-map")).to_have_count(3)
        expect(page.locator("svg.line-chart")).to_have_count(1)
        expect(page.locator("svg.bar-chart")).to_have_count(1)
        # The heat map's first column is on the right in a right-to-left page.
        cells = page.locator("svg.heat-map").first.locator("rect")
        first_box = cells.nth(1).bounding_box()
        second_box = cells.nth(2).bounding_box()
        assert first_box and second_box and first_box["x"] > second_box["x"]
        page.screenshot(path=str(artifacts_dir / "agreement-dashboard.png"), full_page=True)

        page.select_option("#pair-a", label="huda")
        page.select_option("#pair-b", label="amal")
        page.locator(".pair-form button").click()
        expect(page.locator('table.confusion[data-kind="stance"]')).to_be_visible()
        assert "a=" in page.url

        page.locator("table.agreement-lowest a").first.click()
        expect(page.locator(".compare-column")).to_have_count(3)
        expect(page.locator(".compare-text").first).to_have_attribute("dir", "rtl")
        expect(page.locator(".compare-text .hl").first).to_be_visible()
        page.screenshot(path=str(artifacts_dir / "agreement-compare.png"), full_page=True)
        assert not [e for e in errors if "Content Security Policy" in e]

        # The same page left to right: the first annotator's column moves to the left.
        context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        page.goto(f"{live_server.url}/projects/{project.pk}/agreement/")
        expect(page.locator("html")).to_have_attribute("dir", "ltr")
        cells = page.locator("svg.heat-map").first.locator("rect")
        first_box = cells.nth(1).bounding_box()
        second_box = cells.nth(2).bounding_box()
        assert first_box and second_box and first_box["x"] < second_box["x"]
        page.screenshot(path=str(artifacts_dir / "agreement-dashboard-en.png"), full_page=True)
    finally:
        context.close()
