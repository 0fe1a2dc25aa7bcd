"""Adjudication and exports in Chromium: each annotator's spans drawn over the RTL text, open
decisions settled, gold saved through the API; an export followed to its download link."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from annotate.models import Gold, Job, JobKind, JobStatus, Role
from tests.browser.conftest import sign_in
from tests.factories import (
    make_annotation,
    make_article,
    make_project,
    make_user,
    span,
    span_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


TEXT = "😀 قال المتحدث إن وداعش انسحب من الميادين، وأكد الجيش السوري ذلك."


def reviewed_article(text: str):
    """A reviewer, two annotators and a project with one article of `text`."""
    reviewer, ann1, ann2 = make_user("reviewer"), make_user("ann1"), make_user("ann2")
    article = make_article(text=text, title="انسحاب من الميادين")
    project = make_project(
        articles=[article],
        members={reviewer: Role.REVIEWER, ann1: Role.ANNOTATOR, ann2: Role.ANNOTATOR},
    )
    return reviewer, ann1, ann2, article, project


def test_a_reviewer_settles_a_tie_and_saves_gold(page, live_server, artifacts_dir):
    reviewer, ann1, ann2, article, project = reviewed_article(TEXT)
    isis = span(TEXT, TEXT.index("وداعش") + 1, TEXT.index("وداعش") + 5, "MILITARY_GROUP")
    army = span_of(TEXT, "الجيش السوري", "MILITARY_GROUP")
    city = span_of(TEXT, "الميادين", "LOC")
    make_annotation(project, article, ann1, spans=[isis, army, city], stance={"isis": "against"})
    make_annotation(project, article, ann2, spans=[isis, army], stance={"isis": "neutral"})

    sign_in(page.context, live_server, reviewer)
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
    sign_in(page.context, live_server, manager)
    page.goto(f"{live_server.url}/projects/{project.pk}/exports/")
    page.fill("#export-seed", "5")
    page.click("#export-form button[type=submit]")
    download = page.locator("#export-job .job-download")
    download.wait_for(state="visible")
    job = Job.objects.get(kind=JobKind.EXPORT)
    assert job.status == JobStatus.DONE
    assert (
        download.get_attribute("href") == f"/api/projects/{project.pk}/exports/{job.pk}/download/"
    )
    assert job.params["seed"] == 5


# ---- marking in the gold -------------------------------------------------------------------

CHAR_BOX = """([rootId, from16, to16]) => {
  const root = document.getElementById(rootId);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const point = (offset) => {
    walker.currentNode = root;
    let pos = 0;
    let node;
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
  if (box.top < 40 || box.bottom > window.innerHeight - 20) {
    window.scrollBy(0, box.top - window.innerHeight / 2);
    box = range.getClientRects()[0];
  }
  return {left: box.left, right: box.right, top: box.top, bottom: box.bottom};
}"""


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def char_box(page, text: str, index: int) -> dict:
    """Viewport box of text[index] (a code-point index) in the gold text."""
    return page.evaluate(CHAR_BOX, ["gold-text", utf16(text[:index]), utf16(text[: index + 1])])


def drag_select(page, text: str, start: int, end: int) -> None:
    """Drag over text[start:end] from the right edge of its first letter to the left edge of
    its last, as a reader of Arabic does."""
    first = char_box(page, text, start)
    last = char_box(page, text, end - 1)
    page.mouse.move(first["right"] - 1, (first["top"] + first["bottom"]) / 2)
    page.mouse.down()
    page.mouse.move(last["left"] + 1, (last["top"] + last["bottom"]) / 2, steps=8)
    page.mouse.up()


def click_text(page, text: str, index: int) -> None:
    box = char_box(page, text, index)
    page.mouse.click((box["left"] + box["right"]) / 2, (box["top"] + box["bottom"]) / 2)


MARK_TEXT = "😀 قال المتحدث إن وداعش انسحب من الميادين، وأكد الجيش السوري ذلك 🇸🇾 أمس."


def test_a_reviewer_marks_relabels_and_deletes_gold_spans_in_rtl_text(
    page, live_server, artifacts_dir
):
    text = MARK_TEXT
    reviewer, ann1, ann2, article, project = reviewed_article(text)
    isis = span(text, text.index("وداعش") + 1, text.index("وداعش") + 5, "MILITARY_GROUP")
    army = span_of(text, "الجيش السوري", "MILITARY_GROUP")
    make_annotation(project, article, ann1, spans=[isis, army], stance={"isis": "against"})
    make_annotation(project, article, ann2, spans=[isis, army], stance={"isis": "against"})

    sign_in(page.context, live_server, reviewer)
    page.goto(f"{live_server.url}/projects/{project.pk}/articles/{article.pk}/adjudicate/")
    page.wait_for_selector("#adjudicate[data-ready=true]")
    gold_segs = page.locator("#gold-text .seg")
    assert gold_segs.all_text_contents() == ["داعش", "الجيش السوري"]

    # A new span by mouse, snapped to the whole word, labelled with a key (1 = the first label).
    speaker = text.index("المتحدث")
    drag_select(page, text, speaker + 1, speaker + 5)
    assert page.locator("#selection-text").text_content() == "المتحدث"
    page.keyboard.press("1")
    # Another by mouse and a label button; the comma after the word stays out.
    town = text.index("الميادين")
    drag_select(page, text, town, town + len("الميادين"))
    page.locator('.label-button[data-label="LOC"]').click()
    # A claim over a whole phrase, overlapping the place, with the speaker as its claimant.
    claim_start = text.index("انسحب")
    drag_select(page, text, claim_start, town + len("الميادين"))
    assert page.locator("#selection-text").text_content() == "انسحب من الميادين"
    page.keyboard.press("c")
    assert page.locator("#span-panel").is_visible()
    assert page.locator("#span-text").text_content() == "انسحب من الميادين"
    page.locator("#claimant-select").select_option(label="المتحدث — Person")
    page.locator("#checkworthy-select").select_option("true")
    page.locator("#claim-stance-select").select_option("reports")
    assert gold_segs.all_text_contents() == [
        "المتحدث",
        "داعش",
        "انسحب من ",
        "الميادين",
        "الجيش السوري",
    ]

    # From the keyboard: click into a word, Shift+Left (forward in RTL) takes it whole.
    yesterday = text.index("أمس")
    click_text(page, text, yesterday + 1)
    page.keyboard.press("Shift+ArrowLeft")
    assert page.locator("#selection-text").text_content() == "أمس"
    page.keyboard.press("7")

    # Relabel the army (click it, choose a label) and delete ISIS (click it, Delete key).
    click_text(page, text, text.index("الجيش") + 2)
    assert page.locator("#span-text").text_content() == "الجيش السوري"
    page.locator("#span-label").select_option("ORG")
    click_text(page, text, isis["start"] + 1)
    assert page.locator("#span-text").text_content() == "داعش"
    page.keyboard.press("Delete")
    assert "داعش" not in page.locator("#gold-spans").inner_text()
    assert page.locator("#save-state").get_attribute("data-state") == "unsaved"
    page.mouse.move(0, 0)
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("#gold-title").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "adjudicate-marking.png"), full_page=True)

    page.click("#save-gold")
    page.wait_for_selector('#save-state[data-state="saved"]')
    gold = Gold.objects.get(project=project, article=article)
    spans = {(s["text"], s["label"]) for s in gold.content["spans"]}
    assert spans == {
        ("المتحدث", "PER"),
        ("الميادين", "LOC"),
        ("انسحب من الميادين", "CLAIM"),
        ("الجيش السوري", "ORG"),
        ("أمس", "DATE"),
    }
    for s in gold.content["spans"]:
        assert text[s["start"] : s["end"]] == s["text"]
    by_text = {s["text"]: s for s in gold.content["spans"]}
    claim = by_text["انسحب من الميادين"]
    assert claim["attributes"]["checkworthy"] is True
    assert claim["attributes"]["stance"] == "reports"
    assert gold.content["relations"] == [
        {"type": "claimant", "from": claim["id"], "to": by_text["المتحدث"]["id"]}
    ]
    assert gold.content["document_labels"]["stance"] == {"isis": "against"}


def review_army_and_city(page, live_server):
    """MARK_TEXT open for adjudication: both annotators marked the army, one the city."""
    text = MARK_TEXT
    reviewer, ann1, ann2, article, project = reviewed_article(text)
    army = span_of(text, "الجيش السوري", "MILITARY_GROUP")
    city = span_of(text, "الميادين", "LOC")
    make_annotation(project, article, ann1, spans=[army, city], stance={"isis": "against"})
    make_annotation(project, article, ann2, spans=[army], stance={"isis": "against"})
    sign_in(page.context, live_server, reviewer)
    page.goto(f"{live_server.url}/projects/{project.pk}/articles/{article.pk}/adjudicate/")
    page.wait_for_selector("#adjudicate[data-ready=true]")
    return text, project, article, city


def test_label_keys_relabel_with_a_button_focused_and_are_typing_in_a_menu(page, live_server):
    text, project, article, city = review_army_and_city(page, live_server)
    # Nothing selected: a label key says what to do first, as on the annotation page.
    page.mouse.click(5, 5)
    page.keyboard.press("2")
    assert page.locator("#flash").text_content() == arabic(
        "Select some text first, then press a label key."
    )
    click_text(page, text, text.index("الجيش") + 2)
    assert page.locator("#span-text").text_content() == "الجيش السوري"
    # The focus on a button (an open decision's): a label key relabels the selected span.
    city_decision = page.locator(f'[data-decision="span:s{city["start"]}-{city["end"]}-LOC"]')
    city_decision.locator("button").first.focus()
    page.keyboard.press("2")  # ORG
    assert page.locator("#span-label").input_value() == "ORG"
    # In a menu (the article's stance) the keys are typing.
    page.locator("#stance-panel select").first.focus()
    page.keyboard.press("3")
    assert page.locator("#span-label").input_value() == "ORG"

    page.click("#save-gold")
    page.wait_for_selector('#save-state[data-state="saved"]')
    gold = Gold.objects.get(project=project, article=article)
    assert {(s["text"], s["label"]) for s in gold.content["spans"]} == {("الجيش السوري", "ORG")}


def arabic(message: str) -> str:
    """The interface text as the (Arabic by default) page shows it."""
    with translation.override("ar"):
        return gettext(message)


def test_a_reviewer_undoes_and_redoes_gold_changes_and_finds_the_shortcuts(
    page, live_server, artifacts_dir
):
    """Marking, deleting and settling decisions are undone and redone with Ctrl+Z and
    Ctrl+Shift+Z (and the buttons); undoing back to the saved gold is not "unsaved"; ? lists
    the shortcuts."""
    text, project, article, city = review_army_and_city(page, live_server)
    gold_segs = page.locator("#gold-text .seg")
    undo, redo = page.locator("#undo-button"), page.locator("#redo-button")
    assert gold_segs.all_text_contents() == ["الجيش السوري"]
    assert undo.is_disabled() and redo.is_disabled()

    # Two changes: accept the city (a decision), mark the speaker as a person (a key).
    city_decision = page.locator(f'[data-decision="span:s{city["start"]}-{city["end"]}-LOC"]')
    city_decision.locator('button[data-value="\\"accept\\""]').click()
    speaker = text.index("المتحدث")
    drag_select(page, text, speaker + 1, speaker + 5)
    page.keyboard.press("1")
    assert gold_segs.all_text_contents() == ["المتحدث", "الميادين", "الجيش السوري"]

    page.mouse.click(5, 5)  # focus on the page, not a button
    page.keyboard.press("Control+z")
    assert gold_segs.all_text_contents() == ["الميادين", "الجيش السوري"]
    assert page.locator("#flash").text_content() == arabic("Undone")
    page.keyboard.press("Control+z")
    assert gold_segs.all_text_contents() == ["الجيش السوري"]
    assert city_decision.get_attribute("data-state") == "open"  # the decision is open again
    assert page.locator("#save-state").get_attribute("data-state") == "saved"  # nothing to save
    assert undo.is_disabled()
    page.keyboard.press("Control+z")
    assert page.locator("#flash").text_content() == arabic("Nothing to undo")

    page.keyboard.press("Control+Shift+Z")
    assert city_decision.get_attribute("data-state") == "decided"
    redo.click()
    assert gold_segs.all_text_contents() == ["المتحدث", "الميادين", "الجيش السوري"]
    assert redo.is_disabled()

    # Saved, then a deletion undone: back at the saved gold, nothing unsaved.
    page.click("#save-gold")
    page.wait_for_selector('#save-state[data-state="saved"]')
    click_text(page, text, speaker + 2)
    page.keyboard.press("Delete")
    assert page.locator("#save-state").get_attribute("data-state") == "unsaved"
    page.keyboard.press("Control+y")  # nothing to redo after a new change
    assert page.locator("#flash").text_content() == arabic("Nothing to redo")
    undo.click()
    assert gold_segs.all_text_contents() == ["المتحدث", "الميادين", "الجيش السوري"]
    assert page.locator("#save-state").get_attribute("data-state") == "saved"
    # A change made after an undo drops what could have been redone.
    click_text(page, text, text.index("الميادين") + 2)
    page.keyboard.press("Delete")
    assert redo.is_disabled()
    undo.click()
    page.click("#save-gold")
    page.wait_for_selector('#save-state[data-state="saved"]')
    gold = Gold.objects.get(project=project, article=article)
    assert {(s["text"], s["label"]) for s in gold.content["spans"]} == {
        ("المتحدث", "PER"),
        ("الميادين", "LOC"),
        ("الجيش السوري", "MILITARY_GROUP"),
    }

    # ? opens the list of shortcuts, with each label's key; Esc closes it.
    page.mouse.click(5, 5)
    page.keyboard.press("?")
    dialog = page.locator("#help-dialog")
    assert dialog.is_visible()
    with translation.override("ar"):
        person = gettext("Mark the selection as %(name)s (or relabel the selected span)") % {
            "name": "Person"
        }
    assert person in dialog.inner_text()
    assert arabic("Redo") in dialog.inner_text()
    page.screenshot(path=str(artifacts_dir / "adjudicate-shortcuts.png"))
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
