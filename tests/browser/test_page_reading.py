"""The annotation page as people read and touch it: labels that stay apart and never move the
text, snapping that keeps a word's own first letter, a phone that marks by touch with the
palette in reach, an Arabic column aligned with its title, Enter from a radio button, axe-core
with no serious violation, and screenshots at three widths in both languages.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from annotate.lib.palette import PALETTE, contrast_ratio
from annotate.models import Annotation, Assignment, Role
from annotate.queue import do_generate_assignments
from corpus.lib.text import utf16_length
from tests.browser.conftest import sign_in
from tests.browser.test_annotation_page import (
    SAVE_TIMEOUT,
    char_box,
    drag_select,
    expect_saved,
    open_page,
    stored,
)
from tests.factories import make_article, make_corpus, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARAGRAPHS = [
    "قالت وزارة الخارجية في «فرنسا» إن وفدا من «لبنان» وصل إلى الرقة صباح الأحد، "
    "وإن وداعش انسحب نحو دير الزور بعد معارك استمرت أسابيع مع قوات التحالف الدولي.",
    "وأضاف المتحدث باسم التحالف الدولي أن الجيش السوري تقدّم 12 كم جنوب المدينة، "
    "فيما قالت مصادر محلية إن المدنيين بدأوا العودة إلى أحيائهم.",
    "ولم تعلّق الحكومة على هذه الأنباء حتى الآن.",
]
ARTICLE = "\n\n".join(PARAGRAPHS)
# A long article: the same paragraphs again and again, about 700 words.
LONG_ARTICLE = "\n\n".join(PARAGRAPHS * 12)

VIEWPORTS = {"wide": (1400, 900), "laptop": (960, 900), "phone": (390, 844)}


def queue_for(user, texts, *, targets=None):
    corpus = make_corpus()
    articles = [
        make_article(corpus, text=text, title=f"خبر رقم {i}") for i, text in enumerate(texts, 1)
    ]
    project = make_project(articles=articles, members={user: Role.ANNOTATOR})
    if targets is not None:
        project.schema["stance_targets"] = targets
        project.save()
    do_generate_assignments(project, k=1, fraction=1.0, seed=1, mode="preassign")
    return project, list(
        Assignment.objects.filter(project=project, annotator=user).order_by("position")
    )


def new_page(browser, live_server, user, *, viewport="wide", locale="ar", touch=False):
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale=locale,
        has_touch=touch,
        is_mobile=touch,
        device_scale_factor=1,
    )
    sign_in(context, live_server, user)
    return context, context.new_page()


def word_start(word: str, text: str = ARTICLE) -> int:
    return text.index(word)


LINE_TOPS = """() => {
  const root = document.getElementById("article-text");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let node;
  let total = 0;
  while ((node = walker.nextNode())) {
    nodes.push([node, total]);
    total += node.length;
  }
  const tops = [];
  const range = document.createRange();
  let k = 0;
  for (let at = 0; at < total; at += 5) {
    while (k + 1 < nodes.length && nodes[k + 1][1] <= at) k += 1;
    const [textNode, start] = nodes[k];
    range.setStart(textNode, at - start);
    range.setEnd(textNode, at - start + 1);
    const box = range.getClientRects()[0];
    tops.push(box ? [at, Math.round(box.top + window.scrollY), Math.round(box.left)] : [at, null]);
  }
  return {height: root.getBoundingClientRect().height, tops};
}"""


def layout(page) -> dict:
    return page.evaluate(LINE_TOPS)


def press_inner_half_of_first_letter_and_drag(page, text, word):
    """Press in the half of the word's first letter nearer the rest of the word (its left half:
    the text runs right to left) and drag to the word's last letter."""
    start = text.index(word)
    first = char_box(page, text, start)
    last = char_box(page, text, start + len(word) - 1)
    page.mouse.move(first["left"] + 1, (first["top"] + first["bottom"]) / 2)
    page.mouse.down()
    page.mouse.move(last["left"] + 1, (last["top"] + last["bottom"]) / 2, steps=8)
    page.mouse.up()


# ---- labels -------------------------------------------------------------------------------


def test_marking_spans_never_moves_a_letter_of_the_paragraphs(browser, live_server):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [ARTICLE])
    context, page = new_page(browser, live_server, user)
    open_page(page, live_server, assignment)
    page.evaluate("window.scrollTo(0, 0)")
    before = layout(page)

    for words, key in [
        ("وزارة الخارجية", "2"),
        ("الرقة", "3"),
        ("التحالف الدولي", "2"),
        ("المتحدث باسم التحالف الدولي", "1"),  # nested around an ORG, ending with it
        ("الحكومة", "2"),
    ]:
        start = word_start(words)
        drag_select(page, ARTICLE, start, start + len(words))
        page.keyboard.press(key)
    expect_saved(page)
    assert len(stored(assignment)["spans"]) == 5
    page.keyboard.press("Escape")
    page.evaluate("window.scrollTo(0, 0)")
    after = layout(page)
    # Every sampled letter is where it was, and the paragraphs are as tall as before.
    assert after["height"] == before["height"]
    assert after["tops"] == before["tops"]
    # Tags carry the palette's colours and AA ink, and sit above the text, not in it.
    tag = page.locator(".tag").first
    assert tag.evaluate("(t) => getComputedStyle(t.parentElement).position") == "absolute"
    colors = page.eval_on_selector_all(
        ".tag", "(tags) => tags.map((t) => t.style.getPropertyValue('--tag'))"
    )
    assert set(colors) <= set(PALETTE)
    # axe-core skips generated text, so the tags' contrast is measured here: WCAG AA.
    inks = page.eval_on_selector_all(
        ".tag",
        """(tags) => tags.map((t) => {
          const style = getComputedStyle(t);
          return [style.color, style.backgroundColor];
        })""",
    )
    for ink, background in inks:
        assert contrast_ratio(css_hex(ink), css_hex(background)) >= 4.5, (ink, background)
    context.close()


def css_hex(color: str) -> str:
    """'rgb(0, 114, 178)' -> '#0072b2'."""
    red, green, blue = (int(part) for part in color[color.index("(") + 1 : -1].split(",")[:3])
    return f"#{red:02x}{green:02x}{blue:02x}"


def test_paragraphs_are_compact_and_the_text_lines_up_with_the_title_in_english(
    browser, live_server
):
    user = make_user("amal")
    _, (assignment, long) = queue_for(user, [ARTICLE, LONG_ARTICLE])
    context, page = new_page(browser, live_server, user, locale="en")
    open_page(page, live_server, assignment)
    assert page.locator("html").get_attribute("dir") == "ltr"
    title = page.locator("#article-title").bounding_box()
    text = page.locator("#article-text").bounding_box()
    assert abs((title["x"] + title["width"]) - (text["x"] + text["width"])) <= 1
    # The Arabic itself starts (on the right) where the title starts.
    first_letter = char_box(page, ARTICLE, 0)
    title_range = page.evaluate(
        """() => {
          const range = document.createRange();
          range.selectNodeContents(document.getElementById("article-title"));
          return Math.max(...[...range.getClientRects()].map((r) => r.right));
        }"""
    )
    assert abs(first_letter["right"] - title_range) <= 12
    # A blank line between paragraphs is a small gap, not a line.
    line = char_box(page, ARTICLE, 0)
    line_height = float(
        page.eval_on_selector("#article-text", "(e) => parseFloat(getComputedStyle(e).lineHeight)")
    )
    end_of_first = char_box(page, ARTICLE, len(PARAGRAPHS[0]) - 1)
    start_of_second = char_box(page, ARTICLE, ARTICLE.index(PARAGRAPHS[1]))
    gap = start_of_second["top"] - end_of_first["top"]
    assert line_height <= 2.2 * 20.8 + 1  # font-size 1.3rem at 16 px
    assert gap < 1.5 * line_height, (gap, line_height)
    assert line["top"] > 0
    # About 700 words: as tall as their lines plus a small gap per paragraph, no blank lines.
    open_page(page, live_server, long)
    words = len(LONG_ARTICLE.split())
    measured = layout(page)
    tops = sorted({top for _at, top, *_ in measured["tops"] if top is not None})
    # Letters of one line may have boxes a few pixels apart (digits, quotes): one line each.
    lines = 1 + sum(1 for a, b in zip(tops, tops[1:], strict=False) if b - a > line_height / 2)
    breaks = LONG_ARTICLE.count("\n\n")
    height = measured["height"]
    print(f"{words} words, {lines} lines, {breaks} paragraph breaks: {height:.0f} px at 1400 px")
    assert 600 < words < 800
    assert height <= lines * line_height + breaks * 0.6 * 20.8 + 40
    context.close()


# ---- snapping -----------------------------------------------------------------------------


@pytest.mark.parametrize(("word", "label"), [("فرنسا", "4"), ("لبنان", "4")])
def test_a_drag_from_inside_the_first_letter_keeps_the_whole_word(
    browser, live_server, word, label
):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [ARTICLE])
    context, page = new_page(browser, live_server, user)
    open_page(page, live_server, assignment)
    press_inner_half_of_first_letter_and_drag(page, ARTICLE, word)
    expect(page.locator("#selection-text")).to_have_text(word)
    page.keyboard.press(label)
    expect_saved(page)
    (span,) = stored(assignment)["spans"]
    assert span["text"] == word
    assert span["start"] == ARTICLE.index(word)
    # The cut start is still there when asked for: exact characters from the second letter.
    page.click("#exact-toggle")
    press_inner_half_of_first_letter_and_drag(page, ARTICLE, word)
    expect(page.locator("#selection-text")).to_have_text(word[1:])
    context.close()


def test_space_drops_the_article_of_raqqa_once_and_stops_at_the_bare_word(browser, live_server):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [ARTICLE])
    context, page = new_page(browser, live_server, user)
    open_page(page, live_server, assignment)
    start = word_start("الرقة")
    drag_select(page, ARTICLE, start, start + len("الرقة"))
    expect(page.locator("#selection-text")).to_have_text("الرقة")
    page.keyboard.press("Space")
    expect(page.locator("#selection-text")).to_have_text("رقة")
    expect(page.locator("#clitic-button")).to_be_hidden()
    page.keyboard.press("Space")  # one too many: it stays at the bare word
    expect(page.locator("#selection-text")).to_have_text("رقة")
    page.keyboard.press("Shift+Space")
    expect(page.locator("#selection-text")).to_have_text("الرقة")
    page.keyboard.press("Space")
    page.keyboard.press("3")
    expect_saved(page)
    (span,) = stored(assignment)["spans"]
    assert (span["text"], span["start"]) == ("رقة", start + 2)
    context.close()


# ---- keyboard and words -------------------------------------------------------------------


def test_enter_on_a_checkbox_radio_submits_and_counts_read_in_english(browser, live_server):
    user = make_user("amal")
    _, (first, second) = queue_for(user, [ARTICLE, ARTICLE + " "], targets=[])
    context, page = new_page(browser, live_server, user, locale="en")
    open_page(page, live_server, first)
    start = word_start("الرقة")
    drag_select(page, ARTICLE, start, start + len("الرقة"))
    page.keyboard.press("3")
    claim = "إن المدنيين بدأوا العودة إلى أحيائهم"
    start = word_start(claim)
    drag_select(page, ARTICLE, start, start + len(claim))
    page.keyboard.press("c")
    page.click("input[name=checkworthy][value=true]")
    expect(page.locator("input[name=checkworthy][value=true]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#submit-summary")).to_have_text("2 spans, 1 claim")
    page.keyboard.press("Escape")
    # In a text field Enter is typing, never a submission.
    page.focus("#span-label")
    page.keyboard.press("Enter")
    expect(page.locator("#submit-dialog")).to_be_hidden()
    page.focus("input[name=checkworthy][value=true]")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/assignments/{second.pk}/annotate/")
    expect(page.locator(".messages")).to_have_text("Submitted: خبر رقم 1.")
    assert Annotation.objects.get(assignment=first).status == "submitted"
    context.close()


# ---- touch and small screens --------------------------------------------------------------

# What the phone's own selection does after a long press and a drag of the handles: a DOM
# selection over characters [from16, to16) of the article, with no mouse event at all.
TOUCH_SELECT = """([from16, to16]) => {
  const root = document.getElementById("article-text");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let pos = 0, node, a = null, b = null;
  while ((node = walker.nextNode())) {
    if (!a && from16 < pos + node.length) a = [node, from16 - pos];
    if (!b && to16 <= pos + node.length) b = [node, to16 - pos];
    pos += node.length;
  }
  window.getSelection().setBaseAndExtent(a[0], a[1], b[0], b[1]);
}"""


def in_viewport(page, selector) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"] + 0.5
        and box["y"] + box["height"] <= size["height"] + 0.5
    )


def test_a_phone_marks_a_span_by_touch_with_the_palette_in_reach(browser, live_server):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [LONG_ARTICLE])
    context, page = new_page(browser, live_server, user, viewport="phone", touch=True)
    open_page(page, live_server, assignment)
    # Deep in the article the labels are still on screen.
    target = LONG_ARTICLE.index("الحكومة", len(LONG_ARTICLE) // 2)
    box = char_box(page, LONG_ARTICLE, target)
    assert page.evaluate("window.scrollY") > 1000
    assert in_viewport(page, ".labels-card")
    assert in_viewport(page, ".label-button[data-label=ORG]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # A tap, then the phone's selection over part of the word: it snaps to the whole word.
    page.touchscreen.tap((box["left"] + box["right"]) / 2, (box["top"] + box["bottom"]) / 2)
    start16 = utf16_length(LONG_ARTICLE[:target])
    page.evaluate(TOUCH_SELECT, [start16 + 1, start16 + 5])
    expect(page.locator("#selection-text")).to_have_text("الحكومة")
    expect(page.locator("#selection-bar")).to_be_in_viewport()
    button = page.locator(".label-button[data-label=ORG]").bounding_box()
    page.touchscreen.tap(button["x"] + button["width"] / 2, button["y"] + button["height"] / 2)
    expect(page.locator("#save-state")).to_have_attribute(
        "data-state", "saved", timeout=SAVE_TIMEOUT
    )
    (span,) = stored(assignment)["spans"]
    assert (span["start"], span["end"], span["label"]) == (target, target + 7, "ORG")
    # At the very bottom the docked labels cover nothing: the last stance choice is above them.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    last = page.locator("#stance-panel fieldset").last.bounding_box()
    dock = page.locator(".labels-card").bounding_box()
    assert last["y"] + last["height"] <= dock["y"]
    context.close()


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_palette_stays_in_reach_at_960_pixels(browser, live_server, locale):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [LONG_ARTICLE])
    context, page = new_page(browser, live_server, user, viewport="laptop", locale=locale)
    open_page(page, live_server, assignment)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
    assert in_viewport(page, ".labels-card")
    target = LONG_ARTICLE.index("الحكومة", len(LONG_ARTICLE) // 2)
    drag_select(page, LONG_ARTICLE, target, target + len("الحكومة"))
    page.click(".label-button[data-label=ORG]")
    expect_saved(page)
    assert stored(assignment)["spans"][0]["text"] == "الحكومة"
    context.close()


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_home_page_fits_a_phone_with_start_annotating_in_view(
    browser, live_server, artifacts_dir, locale
):
    user = make_user("amal")
    project, _ = queue_for(user, [ARTICLE])
    project.name = "مشروع تجريبي بعنوان طويل نوعا ما لأخبار سوريا"
    project.save()
    context, page = new_page(browser, live_server, user, viewport="phone", locale=locale)
    page.goto(f"{live_server.url}/")
    start = page.get_by_role("link", name="Start annotating" if locale == "en" else "ابدأ التوسيم")
    expect(start).to_be_visible()
    assert in_viewport(page, "a.button.primary")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts_dir / f"home-390-{locale}.png"), full_page=True)
    start.click()
    expect(page.locator("#annotate")).to_have_attribute("data-ready", "true")
    context.close()


# ---- accessibility and screenshots --------------------------------------------------------


def mark_sample(page):
    for words, key in [
        ("وزارة الخارجية", "2"),
        ("فرنسا", "4"),
        ("الرقة", "3"),
        ("المتحدث باسم التحالف الدولي", "1"),
        ("التحالف الدولي", "6"),
        ("الأحد", "7"),
    ]:
        start = word_start(words)
        drag_select(page, ARTICLE, start, start + len(words))
        page.keyboard.press(key)
    start = word_start("وداعش")
    drag_select(page, ARTICLE, start, start + len("وداعش"))
    page.keyboard.press("Space")
    page.keyboard.press("5")
    claim = "إن المدنيين بدأوا العودة إلى أحيائهم"
    start = word_start(claim)
    drag_select(page, ARTICLE, start, start + len(claim))
    page.keyboard.press("c")
    expect_saved(page)


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_axe_finds_no_serious_violation_and_screenshots_at_three_widths(
    browser, live_server, artifacts_dir, locale
):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [ARTICLE])
    context, page = new_page(browser, live_server, user, locale=locale)
    open_page(page, live_server, assignment)
    mark_sample(page)
    page.keyboard.press("Escape")
    results = Axe().run(page)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], serious
    for name, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(artifacts_dir / f"annotate-{name}-{locale}.png"))
        if name != "wide":
            results = Axe().run(page)
            assert not [
                v["id"]
                for v in results.response["violations"]
                if v["impact"] in ("serious", "critical")
            ], name
    context.close()
