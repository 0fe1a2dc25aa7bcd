"""Issue 15 findings 1, 2 and 8 in Chromium: from an agreement number to the tokens behind it,
to the side by side that marks what differs, to adjudication with that decision selected; a
two-to-one claimant that counts and stays open; the mean of pairs naming its undefined pair.
axe-core on the agreement and adjudication pages; screenshots at three sizes, two languages."""

from __future__ import annotations

import pprint
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from annotate.models import Role
from tests.browser.conftest import sign_in
from tests.factories import make_annotation, make_article, make_project, make_user, span_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "قال المتحدث باسم الجيش السوري إن وحدات الجيش استعادت السيطرة على المدينة من داعش، "
    "وأكد أن قوات سوريا الديمقراطية انسحبت من الريف الشرقي."
)
OTHER = "أعلن التحالف الدولي أن قوات سوريا الديمقراطية دخلت مدينة الرقة يوم الأحد."
CLAIM_TEXT = "وحدات الجيش استعادت السيطرة على المدينة"
VIEWPORTS = {"wide": (1400, 900), "medium": (960, 900), "phone": (390, 844)}


def claim(claimant):
    return span_of(TEXT, CLAIM_TEXT, "CLAIM", claimant=claimant, checkworthy=True, stance=None)


def build():
    """amal tags the army MILITARY_GROUP where badr and chadi tag it ORG; the claimant is
    given two to one; badr gives another stance on the second article; amal and chadi always
    agree on stance (their Cohen's kappa is undefined)."""
    reviewer = make_user("rami")
    amal, badr, chadi = make_user("amal"), make_user("badr"), make_user("chadi")
    first = make_article(text=TEXT, title="بيان الجيش السوري")
    second = make_article(text=OTHER, title="دخول الرقة")
    project = make_project(
        "مشروع الاتفاق",
        articles=[first, second],
        members={
            reviewer: Role.REVIEWER,
            amal: Role.ANNOTATOR,
            badr: Role.ANNOTATOR,
            chadi: Role.ANNOTATOR,
        },
    )
    army_label = {amal: "MILITARY_GROUP", badr: "ORG", chadi: "ORG"}
    claimant = {amal: "author", badr: "author", chadi: "unattributed"}
    sdf = span_of(TEXT, "قوات سوريا الديمقراطية", "MILITARY_GROUP")
    for who in (amal, badr, chadi):
        spans = [
            span_of(TEXT, "الجيش السوري", army_label[who]),
            span_of(TEXT, "داعش", "MILITARY_GROUP"),
            claim(claimant[who]),
        ]
        if who is not chadi:
            spans.append(sdf)
        make_annotation(project, first, who, spans=spans, stance={"isis": "against"})
    other_sdf = span_of(OTHER, "قوات سوريا الديمقراطية", "MILITARY_GROUP")
    for who, value in ((amal, "against"), (badr, "neutral"), (chadi, "against")):
        make_annotation(project, second, who, spans=[other_sdf], stance={"isis": value})
    return project, reviewer, (amal, badr, chadi), first, second


def open_as(browser, live_server, user, *, locale="en", size=(1400, 900)):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale=locale)
    sign_in(context, live_server, user)
    context.add_cookies([{"name": "django_language", "value": locale, "url": live_server.url}])
    return context, context.new_page()


# The elements sticking out of the viewport (for the message when the page is too wide).
WIDEST = """() => [...document.querySelectorAll('main *')]
  .filter(e => { const r = e.getBoundingClientRect();
                 return r.right > innerWidth + 1 || r.left < -1; })
  .filter(e => !e.closest('.table-scroll, .chart-figure'))
  .slice(0, 6)
  .map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().width)}`)"""


def serious(page) -> list:
    results = Axe().run(page)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_finding_1_from_a_confusion_cell_to_its_tokens_the_side_by_side_and_the_decision(
    browser, live_server, artifacts_dir
):
    project, reviewer, (amal, badr, chadi), first, second = build()
    context, page = open_as(browser, live_server, reviewer)
    page.goto(f"{live_server.url}/projects/{project.pk}/agreement/?a={amal.pk}&b={badr.pk}")
    tokens = page.locator('table.confusion[data-kind="tokens"]')
    header = tokens.locator("thead th").all_text_contents()
    row = tokens.locator("tbody tr", has=page.locator("th", has_text="MILITARY_GROUP"))
    cell = row.locator("td").nth(header.index("ORG") - 1)
    assert cell.inner_text() == "2"
    cell.locator("a").click()

    # The tokens behind the cell: the two words of «الجيش السوري», in the one article.
    expect(page.locator("#evidence-count")).to_have_attribute("data-tokens", "2")
    assert page.locator(".evidence-article").count() == 1
    assert page.locator(".evidence-rows .evidence-text").all_text_contents() == ["الجيش السوري"]
    page.screenshot(path=str(artifacts_dir / "doors-tokens.png"), full_page=True)

    page.locator(".evidence-article a", has_text="Side by side").click()
    # Only the pair, their difference named and marked in both columns.
    expect(page.locator(".compare-column")).to_have_count(2)
    kinds = page.locator(".compare-differences tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.kind)"
    )
    assert kinds == ["label", "label"]
    marked = page.locator(".compare-column .compare-text .diff-label")
    assert marked.all_text_contents() == ["الجيش السوري", "الجيش السوري"]
    page.screenshot(path=str(artifacts_dir / "doors-compare.png"), full_page=True)

    decide = page.locator('.compare-differences tbody tr[data-kind="label"]').first
    decision = decide.get_attribute("data-decision")
    decide.locator("a", has_text="Decide").click()
    page.wait_for_selector("#adjudicate[data-ready=true]")
    assert "decision=" in page.url
    item = page.locator(f'[data-decision="{decision}"]')
    expect(item).to_have_class(re.compile(r"\btargeted\b"))
    expect(item).to_be_in_viewport()
    assert item.evaluate("el => el.contains(document.activeElement)")
    assert item.get_attribute("data-state") == "open"
    context.close()


def test_finding_1_the_review_list_sorts_by_score_and_filters_by_kind(browser, live_server):
    project, reviewer, (amal, badr, chadi), first, second = build()
    context, page = open_as(browser, live_server, reviewer)
    page.goto(f"{live_server.url}/projects/{project.pk}/adjudicate/")
    page.select_option("#review-sort", "score")
    page.click(".review-filters button[type=submit]")
    rows = page.locator(".review-list tbody tr")
    expect(rows).to_have_count(2)
    scores = [float(s) for s in page.locator(".review-list td.score").all_inner_texts()]
    assert scores == sorted(scores) and scores[0] < 1
    # The army's label both ways, the SDF chadi left out, the claimant two to one.
    opened = page.locator(f'.review-list tr[data-article="{first.pk}"] td.open').inner_text()
    assert opened.split()[0] == "4"
    assert "2 different labels" in opened and "1 missing span" in opened
    assert "1 different claimant" in opened
    page.select_option("#review-kind", "stance")
    page.click(".review-filters button[type=submit]")
    expect(rows).to_have_count(1)
    assert rows.first.get_attribute("data-article") == str(second.pk)
    context.close()


def test_finding_2_a_two_to_one_claimant_counts_stays_open_and_explains_refusal(
    browser, live_server, artifacts_dir
):
    project, reviewer, (amal, badr, chadi), first, second = build()
    context, page = open_as(browser, live_server, reviewer)
    page.goto(f"{live_server.url}/projects/{project.pk}/agreement/")
    lowest = page.locator(f'.agreement-lowest tr[data-article="{first.pk}"] td')
    claim_part = float(lowest.nth(4).inner_text())
    assert claim_part < 1  # the claimant given two to one is counted

    page.goto(f"{live_server.url}/projects/{project.pk}/articles/{first.pk}/adjudicate/")
    page.wait_for_selector("#adjudicate[data-ready=true]")
    claimant = page.locator('[data-decision$=":claimant"]')
    expect(claimant).to_have_attribute("data-state", "open")
    expect(claimant.locator(".suggested-note")).to_have_count(1)
    assert "amal, badr" in claimant.inner_text()
    claimant.locator("button.suggested").click()
    expect(claimant).to_have_attribute("data-state", "decided")

    page.goto(f"{live_server.url}/projects/{project.pk}/adjudicate/")
    page.click("form[method=post] button[type=submit].primary")
    refusals = page.locator("#refusals tbody tr")
    expect(refusals).to_have_count(2)
    why = page.locator(f'#refusals tr[data-article="{first.pk}"] .why').inner_text()
    assert "1 different claimant" in why and "2 different labels" in why
    page.screenshot(path=str(artifacts_dir / "doors-refusals.png"), full_page=True)
    context.close()


def test_finding_8_the_mean_of_pairs_names_its_undefined_pair(browser, live_server):
    project, reviewer, annotators, first, second = build()
    context, page = open_as(browser, live_server, reviewer)
    page.goto(f"{live_server.url}/projects/{project.pk}/agreement/")
    note = page.locator('tr[data-measure="stance.cohen_kappa"] .pairs-note')
    expect(note).to_have_attribute("data-pairs", "3")
    expect(note).to_have_attribute("data-defined", "2")
    text = note.inner_text()
    assert "Mean of 2 of 3 pairs." in text
    assert "amal × chadi" in text and "every rating uses the same label" in text
    context.close()


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_axe_and_screenshots_of_the_agreement_and_adjudication_pages(
    browser, live_server, artifacts_dir, locale
):
    project, reviewer, (amal, badr, chadi), first, second = build()
    pages = {
        "agreement": f"/projects/{project.pk}/agreement/?a={amal.pk}&b={badr.pk}",
        "articles": f"/projects/{project.pk}/agreement/articles/?label=MILITARY_GROUP",
        "compare": f"/projects/{project.pk}/articles/{first.pk}/compare/",
        "review": f"/projects/{project.pk}/adjudicate/?sort=score",
        "adjudicate": (
            f"/projects/{project.pk}/articles/{first.pk}/adjudicate/?decision=stance%3Aisis"
        ),
    }
    context, page = open_as(browser, live_server, reviewer, locale=locale)
    found = {}
    for name, path in pages.items():
        page.set_viewport_size({"width": 1400, "height": 900})
        page.goto(live_server.url + path)
        if name == "adjudicate":
            page.wait_for_selector("#adjudicate[data-ready=true]")
        assert page.locator("html").get_attribute("lang") == locale
        found[(name, locale, "wide")] = serious(page)
        for size, (width, height) in VIEWPORTS.items():
            page.set_viewport_size({"width": width, "height": height})
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(artifacts_dir / f"doors-{name}-{size}-{locale}.png"))
            if size == "phone":
                found[(name, locale, size)] = serious(page)
                # Nothing wider than the phone but the tables that scroll on their own.
                overflow = page.evaluate("document.documentElement.scrollWidth")
                if overflow > width + 1:
                    found[(name, locale, "overflow")] = [overflow, *page.evaluate(WIDEST)]
    context.close()
    problems = {where: v for where, v in found.items() if v}
    assert not problems, pprint.pformat(problems, width=200)
