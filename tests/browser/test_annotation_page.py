"""The annotation page in Chromium: marking in right-to-left text, claims, stance, saving.

Each test sets up a project queue for one annotator with the factories and the queue
functions, opens the page on the live server and checks what was stored in the database:
offsets are code points that slice the stored text to exactly the marked words.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from annotate.models import Annotation, AnnotationStatus, Assignment, Role
from annotate.queue import do_generate_assignments
from corpus.lib.text import utf16_length
from tests.browser.conftest import sign_in
from tests.factories import make_article, make_corpus, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVE_TIMEOUT = 15_000  # ms; the page saves within about a second, retries back off to 15 s

ARTICLE = (
    "قالت وزارة الدفاع إن القوات دخلت مدينة الرَّقَّة صباح الأحد، "
    "وإن وداعش انسحب نحو دير الزور.\n"
    "وأضاف المتحدث باسم التحالف الدولي أن الجيش السوري تقدّم 12 كم."
)
WITH_EMOJI = "😀👍🏽 خبر عاجل: قالت وزارة الدفاع إن القوات دخلت مدينة الرَّقَّة صباح الأحد."


# ---- helpers ------------------------------------------------------------------------------


def queue_for(user, texts: list[str], **fields):
    corpus = make_corpus()
    articles = [
        make_article(corpus, text=text, title=f"خبر رقم {i}") for i, text in enumerate(texts, 1)
    ]
    project = make_project(articles=articles, members={user: Role.ANNOTATOR}, **fields)
    do_generate_assignments(project, k=1, fraction=1.0, seed=1, mode="preassign")
    assignments = list(
        Assignment.objects.filter(project=project, annotator=user).order_by("position")
    )
    return project, assignments


def open_page(page, live_server, assignment) -> None:
    page.goto(f"{live_server.url}/assignments/{assignment.pk}/annotate/")
    expect(page.locator("#annotate")).to_have_attribute("data-ready", "true")


def expect_saved(page) -> None:
    expect(page.locator("#save-state")).to_have_attribute(
        "data-state", "saved", timeout=SAVE_TIMEOUT
    )


def stored(assignment) -> dict:
    return Annotation.objects.get(assignment=assignment).content


CHAR_BOX = """([from16, to16]) => {
  const root = document.getElementById("article-text");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let pos = 0;
  let node;
  const point = (offset) => {
    walker.currentNode = root;
    pos = 0;
    while ((node = walker.nextNode())) {
      if (offset < pos + node.length) return [node, offset - pos];
      pos += node.length;
    }
    return null;
  };
  const [a, ao] = point(from16);
  const [b, bo] = point(to16 - 1);
  const range = document.createRange();
  range.setStart(a, ao);
  range.setEnd(b, bo + 1);
  let box = range.getClientRects()[0];
  if (box.top < 80 || box.bottom > window.innerHeight - 20) {
    window.scrollBy(0, box.top - window.innerHeight / 2);  // bring it into view first
    box = range.getClientRects()[0];
  }
  return {left: box.left, right: box.right, top: box.top, bottom: box.bottom};
}"""


def char_box(page, text: str, index: int) -> dict:
    """Viewport box of the character text[index] (a code-point index) in the article."""
    start16 = utf16_length(text[:index])
    end16 = utf16_length(text[: index + 1])
    return page.evaluate(CHAR_BOX, [start16, end16])


def drag_select(page, text: str, start: int, end: int, *, alt: bool = False) -> None:
    """Drag the mouse over text[start:end] as a reader of Arabic does: from the right edge of
    the first letter to the left edge of the last."""
    first = char_box(page, text, start)
    last = char_box(page, text, end - 1)
    page.mouse.move(first["right"] - 1, (first["top"] + first["bottom"]) / 2)
    if alt:
        page.keyboard.down("Alt")
    page.mouse.down()
    page.mouse.move(last["left"] + 1, (last["top"] + last["bottom"]) / 2, steps=8)
    page.mouse.up()
    if alt:
        page.keyboard.up("Alt")


def spans_by_text(content: dict) -> dict[str, dict]:
    return {span["text"]: span for span in content["spans"]}


def assert_slices(text: str, content: dict) -> None:
    for span in content["spans"]:
        assert text[span["start"] : span["end"]] == span["text"]


# ---- marking ------------------------------------------------------------------------------


def test_mouse_selection_in_rtl_text_stores_offsets_of_exactly_the_marked_words(page, live_server):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [ARTICLE])
    sign_in(page.context, live_server, user)
    open_page(page, live_server, assignment)

    words = "وزارة الدفاع"
    start = ARTICLE.index(words)
    drag_select(page, ARTICLE, start, start + len(words))
    expect(page.locator("#selection-text")).to_have_text(words)
    page.keyboard.press("2")  # ORG
    # Half a word on each side snaps out to the whole words.
    partial = ARTICLE.index("لقوات دخ")
    drag_select(page, ARTICLE, partial, partial + len("لقوات دخ"))
    expect(page.locator("#selection-text")).to_have_text("القوات دخلت")
    page.keyboard.press("5")  # MILITARY_GROUP
    expect_saved(page)

    content = stored(assignment)
    assert_slices(ARTICLE, content)
    spans = spans_by_text(content)
    assert spans["وزارة الدفاع"]["start"] == start
    assert spans["وزارة الدفاع"]["label"] == "ORG"
    assert spans["القوات دخلت"]["start"] == ARTICLE.index("القوات دخلت")
    assert spans["القوات دخلت"]["label"] == "MILITARY_GROUP"


def test_offsets_stay_exact_after_emoji_earlier_in_the_text(page, live_server):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [WITH_EMOJI])
    sign_in(page.context, live_server, user)
    open_page(page, live_server, assignment)

    word = "الرَّقَّة"
    start = WITH_EMOJI.index(word)
    drag_select(page, WITH_EMOJI, start, start + len(word))
    page.keyboard.press("3")  # LOC
    expect_saved(page)
    (span,) = stored(assignment)["spans"]
    # Three astral characters (😀 👍 🏽) come first: UTF-16 offsets would be 3 more.
    assert (span["start"], span["end"]) == (start, start + len(word))
    assert WITH_EMOJI[span["start"] : span["end"]] == word == span["text"]
    assert utf16_length(WITH_EMOJI[:start]) == start + 3


def test_keyboard_selection_marks_words_without_the_mouse(page, live_server):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [WITH_EMOJI])
    sign_in(page.context, live_server, user)
    open_page(page, live_server, assignment)

    page.focus("#article-text")
    # In right-to-left text the next word is to the left; each emoji is a token of its own.
    for _ in range(4):
        page.keyboard.press("Shift+ArrowLeft")
    expect(page.locator("#selection-text")).to_have_text("😀👍🏽 خبر عاجل")
    page.keyboard.press("Shift+ArrowRight")
    expect(page.locator("#selection-text")).to_have_text("😀👍🏽 خبر")
    page.keyboard.press("7")  # DATE, whatever: the offsets are the point
    # A new selection starts after the span just marked.
    page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Shift+ArrowLeft")
    expect(page.locator("#selection-text")).to_have_text("عاجل:")
    page.keyboard.press("Shift+ArrowLeft")
    expect(page.locator("#selection-text")).to_have_text("عاجل: قالت")
    page.keyboard.press("1")
    expect_saved(page)

    spans = spans_by_text(stored(assignment))
    assert set(spans) == {"😀👍🏽 خبر", "عاجل: قالت"}
    assert spans["😀👍🏽 خبر"]["start"] == 0
    assert spans["عاجل: قالت"]["start"] == WITH_EMOJI.index("عاجل")
    assert_slices(WITH_EMOJI, stored(assignment))


def test_daesh_inside_wadaesh_is_marked_without_the_clitic(page, live_server):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [ARTICLE])
    sign_in(page.context, live_server, user)
    open_page(page, live_server, assignment)

    whole = ARTICLE.index("وداعش")
    # Double-click selects the word with its clitic; Space drops the clitic.
    box = char_box(page, ARTICLE, whole + 2)
    page.mouse.dblclick((box["left"] + box["right"]) / 2, (box["top"] + box["bottom"]) / 2)
    expect(page.locator("#selection-text")).to_have_text("وداعش")
    expect(page.locator("#clitic-button")).to_be_visible()
    page.keyboard.press("Space")
    expect(page.locator("#selection-text")).to_have_text("داعش")
    page.keyboard.press("5")
    # Exact characters with Alt: from the first letter after the clitic.
    second = ARTICLE.index("الدولي")
    drag_select(page, ARTICLE, second + 2, second + len("الدولي"), alt=True)
    expect(page.locator("#selection-text")).to_have_text("دولي")
    page.keyboard.press("2")
    expect_saved(page)

    spans = spans_by_text(stored(assignment))
    assert spans["داعش"]["start"] == whole + 1
    assert spans["داعش"]["end"] == whole + 5
    assert spans["داعش"]["label"] == "MILITARY_GROUP"
    assert spans["دولي"]["start"] == second + 2
    assert_slices(ARTICLE, stored(assignment))


def test_overlapping_spans_survive_a_reload_and_both_stay_visible(page, live_server):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [ARTICLE])
    sign_in(page.context, live_server, user)
    open_page(page, live_server, assignment)

    a = ARTICLE.index("التحالف الدولي")
    drag_select(page, ARTICLE, a, a + len("التحالف الدولي"))
    page.keyboard.press("2")
    b = ARTICLE.index("الدولي أن الجيش السوري")
    drag_select(page, ARTICLE, b, b + len("الدولي أن الجيش السوري"))
    page.keyboard.press("c")
    c = ARTICLE.index("الجيش السوري")
    drag_select(page, ARTICLE, c, c + len("الجيش السوري"))
    page.keyboard.press("5")
    expect_saved(page)

    page.reload()
    expect(page.locator("#annotate")).to_have_attribute("data-ready", "true")
    content = stored(assignment)
    assert sorted(s["text"] for s in content["spans"]) == sorted(
        ["التحالف الدولي", "الدولي أن الجيش السوري", "الجيش السوري"]
    )
    ids = {s["text"]: s["id"] for s in content["spans"]}
    # The word both spans cover is one segment carrying two underlines of different colours.
    org, claim = ids["التحالف الدولي"], ids["الدولي أن الجيش السوري"]
    shared = page.locator(f'.seg[data-spans~="{org}"][data-spans~="{claim}"]')
    expect(shared).to_have_count(1)
    expect(shared).to_have_text("الدولي")
    colours = shared.evaluate(
        "(el) => [0, 1, 2].map((k) => getComputedStyle(el).getPropertyValue(`--u${k}`).trim())"
    )
    assert colours[0] and colours[1] and colours[0] != colours[1]
    nested = page.locator(f'.seg[data-spans~="{ids["الجيش السوري"]}"]')
    expect(nested).to_have_text("الجيش السوري")
    assert nested.evaluate("(el) => el.dataset.spans.split(' ').length") == 2
    for span_id in ids.values():
        expect(page.locator(f'.tag[data-span="{span_id}"]')).to_be_visible()
    expect(page.locator(".tag")).to_have_count(3)


def test_click_arrows_relabel_delete_undo_and_redo(page, live_server):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [ARTICLE])
    sign_in(page.context, live_server, user)
    open_page(page, live_server, assignment)

    for word, key in (("وزارة", "2"), ("الرَّقَّة", "3"), ("المتحدث", "1")):
        start = ARTICLE.index(word)
        drag_select(page, ARTICLE, start, start + len(word))
        page.keyboard.press(key)
    expect(page.locator(".tag")).to_have_count(3)
    # Arrows walk the spans in reading order.
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#span-text")).to_have_text("وزارة")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#span-text")).to_have_text("الرَّقَّة")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#span-text")).to_have_text("وزارة")
    page.keyboard.press("4")  # relabel the selected span: GPE
    expect(page.locator("#span-label")).to_have_value("GPE")
    page.keyboard.press("Delete")
    expect(page.locator(".tag")).to_have_count(2)
    page.keyboard.press("Control+z")
    expect(page.locator(".tag")).to_have_count(3)
    page.keyboard.press("Control+Shift+z")
    expect(page.locator(".tag")).to_have_count(2)
    page.keyboard.press("Control+z")
    # A click selects the span under the pointer.
    box = char_box(page, ARTICLE, ARTICLE.index("المتحدث") + 2)
    page.mouse.click((box["left"] + box["right"]) / 2, (box["top"] + box["bottom"]) / 2)
    expect(page.locator("#span-text")).to_have_text("المتحدث")
    expect_saved(page)
    labels = {s["text"]: s["label"] for s in stored(assignment)["spans"]}
    assert labels == {"وزارة": "GPE", "الرَّقَّة": "LOC", "المتحدث": "PER"}


def test_label_keys_work_on_an_arabic_keyboard_layout(page, live_server):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [ARTICLE])
    sign_in(page.context, live_server, user)
    open_page(page, live_server, assignment)
    press = """([key, code]) => document.getElementById("article-text").dispatchEvent(
        new KeyboardEvent("keydown", {key, code, bubbles: true, cancelable: true}))"""
    word = ARTICLE.index("وزارة")
    drag_select(page, ARTICLE, word, word + len("وزارة"))
    page.evaluate(press, ["٢", "Digit2"])  # Arabic-Indic two
    claim = ARTICLE.index("القوات دخلت")
    drag_select(page, ARTICLE, claim, claim + len("القوات دخلت"))
    page.evaluate(press, ["ؤ", "KeyC"])  # the C key on an Arabic layout
    page.evaluate(press, ["؟", "Slash"])  # the Arabic question mark opens the help
    expect(page.locator("#help-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect_saved(page)
    labels = {s["text"]: s["label"] for s in stored(assignment)["spans"]}
    assert labels == {"وزارة": "ORG", "القوات دخلت": "CLAIM"}


def test_label_keys_mark_with_a_stance_radio_focused_and_are_typing_in_a_menu(page, live_server):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [ARTICLE])
    sign_in(page.context, live_server, user)
    open_page(page, live_server, assignment)

    words = "وزارة الدفاع"
    start = ARTICLE.index(words)
    drag_select(page, ARTICLE, start, start + len(words))
    page.keyboard.press("2")  # ORG; the new span is selected
    expect(page.locator("#span-label")).to_have_value("ORG")
    # A stance chosen with the mouse leaves the focus on its radio button: a label key still
    # relabels the selected span.
    page.click("input[name=stance-isis][value=favor]")
    page.keyboard.press("3")  # LOC
    expect(page.locator("#span-label")).to_have_value("LOC")
    # In a menu the keys are typing.
    page.focus("#span-label")
    page.keyboard.press("1")
    expect(page.locator("#span-label")).to_have_value("LOC")
    expect_saved(page)

    content = stored(assignment)
    assert [(s["text"], s["label"]) for s in content["spans"]] == [(words, "LOC")]
    assert content["document_labels"]["stance"] == {"isis": "favor"}


# ---- claims, stance and submit ------------------------------------------------------------


def test_claim_with_claimant_and_stance_for_every_target_then_submit_opens_the_next(
    page, live_server
):
    user = make_user("amal")
    project, (first, second) = queue_for(user, [ARTICLE, WITH_EMOJI])
    sign_in(page.context, live_server, user)
    page.goto(f"{live_server.url}/projects/{project.pk}/annotate/")
    expect(page.locator("#annotate")).to_have_attribute("data-ready", "true")
    assert page.url.endswith(f"/assignments/{first.pk}/annotate/")
    expect(page.locator("#queue-progress")).to_have_attribute("value", "0")
    expect(page.locator("#queue-progress")).to_have_attribute("max", "2")

    speaker = ARTICLE.index("المتحدث")
    drag_select(page, ARTICLE, speaker, speaker + len("المتحدث"))
    page.keyboard.press("1")  # PER
    claim = ARTICLE.index("أن الجيش السوري تقدّم 12 كم")
    drag_select(page, ARTICLE, claim, claim + len("أن الجيش السوري تقدّم 12 كم"))
    page.keyboard.press("c")
    expect(page.locator("#claim-fields")).to_be_visible()
    # Link the claimant by clicking the entity span in the text.
    page.click("#pick-claimant")
    box = char_box(page, ARTICLE, speaker + 3)
    page.mouse.click((box["left"] + box["right"]) / 2, (box["top"] + box["bottom"]) / 2)
    expect(page.locator("#claimant-select")).to_have_value(re.compile(r"^span:"))
    page.check("input[name=checkworthy][value=true]")
    page.check("input[name=claim-stance][value=reports]")

    # Enter before every required stance is set: a message, no dialog.
    page.focus("#article-text")
    page.keyboard.press("Enter")
    expect(page.locator("#flash")).to_contain_text("ISIS")
    expect(page.locator("#submit-dialog")).not_to_be_visible()
    # Stance by keyboard (arrows inside a radio group) and by mouse.
    page.focus("input[name=stance-isis][value=favor]")
    page.keyboard.press("ArrowDown")  # favor -> against
    page.click("input[name=stance-syrian_army][value=neutral]")
    page.click("input[name=stance-us_coalition][value=not_mentioned]")
    expect(page.locator("input[name=stance-isis][value=against]")).to_be_checked()

    # Enter with the stance radio just clicked still focused: it submits (asking first).
    expect(page.locator("input[name=stance-us_coalition][value=not_mentioned]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#submit-dialog")).to_be_visible()
    expect(page.locator("#submit-summary")).to_have_text("نطاقان، ادعاء واحد")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/assignments/{second.pk}/annotate/")
    expect(page.locator("#annotate")).to_have_attribute("data-ready", "true")
    expect(page.locator("#queue-progress")).to_have_attribute("value", "1")
    # The next article opens with a word that the last one was submitted.
    expect(page.locator(".messages")).to_contain_text("خبر رقم 1")

    annotation = Annotation.objects.get(assignment=first)
    assert annotation.status == AnnotationStatus.SUBMITTED
    content = annotation.content
    spans = spans_by_text(content)
    claim_span = spans["أن الجيش السوري تقدّم 12 كم"]
    assert claim_span["label"] == "CLAIM"
    assert claim_span["attributes"] == {"checkworthy": True, "claimant": None, "stance": "reports"}
    assert content["relations"] == [
        {"type": "claimant", "from": claim_span["id"], "to": spans["المتحدث"]["id"]}
    ]
    assert content["document_labels"]["stance"] == {
        "isis": "against",
        "syrian_army": "neutral",
        "us_coalition": "not_mentioned",
    }
    assert_slices(ARTICLE, content)


def test_claimant_can_be_the_author_or_unattributed(page, live_server):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [ARTICLE])
    sign_in(page.context, live_server, user)
    open_page(page, live_server, assignment)
    start = ARTICLE.index("القوات دخلت مدينة")
    drag_select(page, ARTICLE, start, start + len("القوات دخلت مدينة"))
    page.keyboard.press("c")
    page.select_option("#claimant-select", "author")
    page.check("input[name=checkworthy][value=false]")
    expect_saved(page)
    (span,) = stored(assignment)["spans"]
    assert span["attributes"] == {"checkworthy": False, "claimant": "author", "stance": None}
    page.select_option("#claimant-select", "unattributed")
    expect_saved(page)
    assert stored(assignment)["spans"][0]["attributes"]["claimant"] == "unattributed"


# ---- saving -------------------------------------------------------------------------------


def test_autosave_keeps_a_change_across_a_reload(page, live_server):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [ARTICLE])
    sign_in(page.context, live_server, user)
    open_page(page, live_server, assignment)
    page.click("input[name=stance-isis][value=against]")
    word = ARTICLE.index("الرَّقَّة")
    drag_select(page, ARTICLE, word, word + len("الرَّقَّة"))
    page.keyboard.press("3")
    expect_saved(page)
    page.reload()
    expect(page.locator("#annotate")).to_have_attribute("data-ready", "true")
    expect(page.locator("input[name=stance-isis][value=against]")).to_be_checked()
    expect(page.locator(".seg")).to_have_text("الرَّقَّة")
    assert stored(assignment)["document_labels"]["stance"] == {"isis": "against"}


def test_offline_changes_are_kept_and_saved_when_the_network_returns(page, live_server):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [ARTICLE])
    sign_in(page.context, live_server, user)
    open_page(page, live_server, assignment)

    page.route("**/api/**", lambda route: route.abort("internetdisconnected"))
    word = ARTICLE.index("الرَّقَّة")
    drag_select(page, ARTICLE, word, word + len("الرَّقَّة"))
    page.keyboard.press("3")
    expect(page.locator("#save-state")).to_have_attribute("data-state", "offline")
    expect(page.locator("#save-state")).to_contain_text("لا اتصال")  # "Offline", in Arabic
    assert stored(assignment)["spans"] == []
    queued = page.evaluate(
        "Object.keys(localStorage).filter((k) => k.startsWith('annotate:unsent:'))"
    )
    assert len(queued) == 1

    # Even a reload while offline keeps the work: it comes back from the browser's storage.
    page.reload()
    expect(page.locator("#annotate")).to_have_attribute("data-ready", "true")
    expect(page.locator(".seg")).to_have_text("الرَّقَّة")
    expect(page.locator("#save-state")).to_have_attribute("data-state", "offline")

    page.unroute("**/api/**")
    expect_saved(page)
    (span,) = stored(assignment)["spans"]
    assert (span["text"], span["start"]) == ("الرَّقَّة", word)
    assert (
        page.evaluate(
            "Object.keys(localStorage).filter((k) => k.startsWith('annotate:unsent:')).length"
        )
        == 0
    )


def test_a_save_whose_answer_was_lost_is_not_mistaken_for_a_conflict(page, live_server):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [ARTICLE])
    sign_in(page.context, live_server, user)
    open_page(page, live_server, assignment)
    blips = []

    def lose_the_answer(route):
        if route.request.method in ("PUT", "POST") and not blips:
            route.fetch()  # the server stores it ...
            blips.append(route.request.url)
            route.abort("connectionreset")  # ... but the answer never arrives
        else:
            route.continue_()

    page.route("**/annotation/**", lose_the_answer)
    word = ARTICLE.index("الرَّقَّة")
    drag_select(page, ARTICLE, word, word + len("الرَّقَّة"))
    page.keyboard.press("3")
    expect_saved(page)
    assert blips
    expect(page.locator("#conflict-banner")).to_be_hidden()
    annotation = Annotation.objects.get(assignment=assignment)
    assert [s["text"] for s in annotation.content["spans"]] == ["الرَّقَّة"]
    # The next change saves on top of the version the lost answer carried.
    page.click("input[name=stance-isis][value=neutral]")
    expect_saved(page)
    annotation.refresh_from_db()
    assert annotation.content["document_labels"]["stance"] == {"isis": "neutral"}


def test_one_new_or_removed_span_is_sent_alone_and_other_changes_send_the_document(
    page, live_server
):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [ARTICLE])
    sign_in(page.context, live_server, user)
    open_page(page, live_server, assignment)
    sent = []
    page.on(
        "request",
        lambda r: (
            sent.append((r.method, r.url.split("/annotation/")[1]))
            if "/annotation/" in r.url and r.method != "GET"
            else None
        ),
    )

    def saved_with() -> list[tuple[str, str]]:
        expect_saved(page)
        made, sent[:] = list(sent), []
        return made

    word = ARTICLE.index("الرَّقَّة")
    drag_select(page, ARTICLE, word, word + len("الرَّقَّة"))
    page.keyboard.press("3")
    assert saved_with() == [("POST", "spans/")]
    (span,) = stored(assignment)["spans"]
    assert (span["text"], span["label"]) == ("الرَّقَّة", "LOC")

    page.keyboard.press("4")  # relabel: the whole document
    assert saved_with() == [("PUT", "")]
    assert stored(assignment)["spans"][0]["label"] == "GPE"

    page.keyboard.press("Delete")
    assert saved_with() == [("DELETE", f"spans/{span['id']}/?version=3")]
    assert stored(assignment)["spans"] == []
    assert Annotation.objects.get(assignment=assignment).version == 4


def test_a_second_window_gets_the_conflict_message_and_loses_nothing(browser, live_server):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [ARTICLE])
    windows = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ar")
        sign_in(context, live_server, user)
        page = context.new_page()
        open_page(page, live_server, assignment)
        windows.append((context, page))
    (_, first), (_, second) = windows
    try:
        word = ARTICLE.index("وزارة الدفاع")
        drag_select(first, ARTICLE, word, word + len("وزارة الدفاع"))
        first.keyboard.press("2")
        expect_saved(first)

        other = ARTICLE.index("الرَّقَّة")
        drag_select(second, ARTICLE, other, other + len("الرَّقَّة"))
        second.keyboard.press("3")
        expect(second.locator("#save-state")).to_have_attribute(
            "data-state", "conflict", timeout=SAVE_TIMEOUT
        )
        expect(second.locator("#conflict-banner")).to_be_visible()
        expect(second.locator("#conflict-text")).to_contain_text("حفظ شخص آخر هذا التوسيم")
        # The first window's work is not overwritten.
        assert [s["text"] for s in stored(assignment)["spans"]] == ["وزارة الدفاع"]

        # Reloading the second window re-applies its unsent span on top of the newer version.
        second.click("#reload-button")
        expect(second.locator("#annotate")).to_have_attribute("data-ready", "true")
        expect_saved(second)
        assert sorted(s["text"] for s in stored(assignment)["spans"]) == [
            "الرَّقَّة",
            "وزارة الدفاع",
        ]
        expect(second.locator(".tag")).to_have_count(2)
    finally:
        for context, _ in windows:
            context.close()


# ---- safety, help, layout -----------------------------------------------------------------


def test_article_markup_is_shown_as_text_never_run(page, live_server):
    hostile = (
        'قال <script>alert("x")</script> المتحدث <img src=x onerror="alert(1)"> '
        "إن <b>الجيش</b> تقدم & انسحب."
    )
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [hostile])
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page.context, live_server, user)
    open_page(page, live_server, assignment)
    article = page.locator("#article-text")
    assert article.text_content() == hostile
    expect(article.locator("script, img, b")).to_have_count(0)
    start = hostile.index("<img")
    drag_select(page, hostile, start, start + len('<img src=x onerror="alert(1)">'))
    page.keyboard.press("1")
    expect_saved(page)
    assert dialogs == []
    expect(article.locator("img")).to_have_count(0)
    assert_slices(hostile, stored(assignment))


def test_help_overlay_lists_every_shortcut(page, live_server):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [ARTICLE])
    sign_in(page.context, live_server, user)
    open_page(page, live_server, assignment)
    page.keyboard.press("?")
    dialog = page.locator("#help-dialog")
    expect(dialog).to_be_visible()
    for label_key in ("1", "2", "3", "4", "5", "6", "7", "c"):
        expect(dialog.locator("kbd", has_text=re.compile(f"^{label_key}$"))).to_have_count(1)
    for key in ("Alt", "Shift", "Delete", "Esc", "Enter", "Ctrl"):
        expect(dialog.locator("kbd", has_text=key).first).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).not_to_be_visible()
    page.click("#guidelines-toggle")
    expect(page.locator("#guidelines-panel")).to_be_visible()
    expect(page.locator("#guidelines-toggle")).to_have_attribute("aria-expanded", "true")


def test_every_control_has_a_label_and_a_laptop_at_200_percent_zoom_needs_no_sideways_scroll(
    browser, live_server, artifacts_dir
):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [ARTICLE])
    # 1366x768 at 200% zoom lays out like a 683x384 CSS-pixel window.
    context = browser.new_context(
        viewport={"width": 683, "height": 384}, device_scale_factor=2, locale="ar"
    )
    try:
        sign_in(context, live_server, user)
        page = context.new_page()
        open_page(page, live_server, assignment)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll(
                '#annotate button, #annotate select, #annotate input, #annotate progress')]
              .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                              && !el.textContent.trim())
              .map((el) => el.outerHTML)"""
        )
        assert unlabelled == []
        word = ARTICLE.index("وزارة")
        page.locator("#article-text").scroll_into_view_if_needed()
        drag_select(page, ARTICLE, word, word + len("وزارة"))
        page.keyboard.press("2")
        page.locator("#submit-button").scroll_into_view_if_needed()
        expect(page.locator("#submit-button")).to_be_visible()
        page.screenshot(path=str(artifacts_dir / "annotation-page-200-percent.png"))
        expect_saved(page)
    finally:
        context.close()


def test_screenshot_of_spans_on_the_right_letters(browser, live_server, artifacts_dir):
    user = make_user("amal")
    _, (assignment,) = queue_for(user, [ARTICLE])
    # A laptop screen; twice the pixels so the letters under each highlight can be checked.
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, device_scale_factor=2, locale="ar"
    )
    sign_in(context, live_server, user)
    page = context.new_page()
    open_page(page, live_server, assignment)
    marks = [
        ("وزارة الدفاع", "2"),
        ("الرَّقَّة", "3"),
        ("الأحد", "7"),
        ("المتحدث باسم التحالف الدولي", "1"),
        ("التحالف الدولي", "2"),
        ("الدولي أن الجيش السوري تقدّم 12 كم", "c"),
        ("الجيش السوري", "5"),
    ]
    for words, key in marks:
        start = ARTICLE.index(words)
        drag_select(page, ARTICLE, start, start + len(words))
        page.keyboard.press(key)
    start = ARTICLE.index("وداعش")
    drag_select(page, ARTICLE, start + 1, start + 5, alt=True)  # exact: without و
    page.keyboard.press("5")
    # Inside a word whose letters join across the span boundary: ال|زور
    start = ARTICLE.index("الزور") + 2
    drag_select(page, ARTICLE, start, start + 3, alt=True)
    page.keyboard.press("3")
    expect_saved(page)
    page.keyboard.press("Escape")
    page.mouse.move(0, 0)
    page.locator("#article-text").screenshot(path=str(artifacts_dir / "annotation-article.png"))
    page.screenshot(path=str(artifacts_dir / "annotation-page.png"))
    context.close()
    content = stored(assignment)
    assert len(content["spans"]) == len(marks) + 2
    assert {"داعش", "زور"} <= set(spans_by_text(content))
    assert_slices(ARTICLE, content)
