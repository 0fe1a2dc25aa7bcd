"""Talking about items in Chromium: skip with a reason, flag with a comment, a reviewer's
reply the annotator sees, blinding between annotators, reopen with a reason and re-submit,
acknowledging changed guidelines. Each journey checks what the database holds afterwards."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from annotate.annotations import do_start_assignment, do_submit
from annotate.comments import do_comment
from annotate.models import (
    Annotation,
    AnnotationStatus,
    Assignment,
    AssignmentStatus,
    Comment,
    GuidelinesRead,
    Role,
)
from annotate.projects import do_update_project
from annotate.queue import do_generate_assignments
from tests.browser.conftest import sign_in
from tests.factories import make_article, make_corpus, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "قال المتحدث باسم الجيش السوري إن داعش انسحبت من الرقة صباح الأحد."
STANCE = {"isis": "against", "syrian_army": "neutral", "us_coalition": "not_mentioned"}
FULL = {"spans": [], "relations": [], "document_labels": {"stance": STANCE}}


@pytest.fixture
def crew():
    people = {
        "mona": Role.MANAGER,
        "rami": Role.REVIEWER,
        "amal": Role.ANNOTATOR,
        "badr": Role.ANNOTATOR,
    }
    users = {name: make_user(name) for name in people}
    corpus = make_corpus()
    articles = [make_article(corpus, text=f"{TEXT} {i}", title=f"خبر رقم {i}") for i in (1, 2)]
    project = make_project(
        articles=articles,
        members={users[name]: role for name, role in people.items()},
        skip_reasons=["قائمة الموقع وليست خبرا", "Duplicate"],
    )
    do_generate_assignments(project, k=2, fraction=1.0, seed=1, mode="preassign")
    return project, articles, users


def assignment_of(project, article, user):
    return Assignment.objects.get(project=project, article=article, annotator=user)


def open_page(page, live_server, assignment):
    page.goto(f"{live_server.url}/assignments/{assignment.pk}/annotate/")
    expect(page.locator("#annotate")).to_have_attribute("data-ready", "true")
    expect(page.locator("#team-panel")).to_have_attribute("data-loaded", "true")


def test_skip_with_a_reason_by_keyboard(page, live_server, crew):
    project, articles, users = crew
    first = assignment_of(project, articles[0], users["amal"])
    second = assignment_of(project, articles[1], users["amal"])
    sign_in(page.context, live_server, users["amal"])
    open_page(page, live_server, first)
    page.focus("#article-text")
    page.keyboard.press("Alt+s")
    expect(page.locator("#skip-dialog")).to_be_visible()
    # No reason: the dialog says so and nothing is stored.
    page.click("#skip-confirm")
    expect(page.locator("#skip-error")).not_to_be_empty()
    page.keyboard.press("Tab")
    page.check("#skip-dialog input[value='قائمة الموقع وليست خبرا']")
    page.fill("#skip-note", "فقط روابط")
    page.click("#skip-confirm")
    page.wait_for_url(f"**/assignments/{second.pk}/annotate/")
    first.refresh_from_db()
    assert first.status == AssignmentStatus.SKIPPED
    assert first.skip_reason == "قائمة الموقع وليست خبرا — فقط روابط"


def test_flag_with_a_comment_while_annotating(page, live_server, crew):
    project, articles, users = crew
    first = assignment_of(project, articles[0], users["amal"])
    sign_in(page.context, live_server, users["amal"])
    open_page(page, live_server, first)
    page.focus("#article-text")
    page.keyboard.press("Alt+f")
    expect(page.locator("#comment-flag")).to_be_focused()
    page.select_option("#comment-flag", "question")
    page.fill("#comment-body", "هل يُعدّ **المتحدث** شخصا PER؟ <img src=x onerror=alert(1)>")
    page.click("#comment-send")
    item = page.locator("#comment-thread .comment").first
    expect(item.locator("strong")).to_have_text("المتحدث")
    expect(item).to_contain_text("PER")
    expect(page.locator("#comment-thread [onerror], #comment-thread script")).to_have_count(0)
    comment = Comment.objects.get()
    assert (comment.flag, comment.author, comment.article_id) == (
        "question",
        users["amal"],
        articles[0].pk,
    )
    # Still annotating: the assignment is in progress, the page still editable.
    assert assignment_of(project, articles[0], users["amal"]).status == "in_progress"
    expect(page.locator("#submit-button")).to_be_enabled()


def test_a_reviewer_reply_reaches_the_annotator_and_is_hidden_from_the_other(
    browser, live_server, crew
):
    project, articles, users = crew
    article = articles[0]
    amal = assignment_of(project, article, users["amal"])
    badr = assignment_of(project, article, users["badr"])
    question = do_comment(
        _as(project, Role.ANNOTATOR), article, user=users["amal"], body="سؤال أمل", flag="question"
    )
    do_comment(_as(project, Role.ANNOTATOR), article, user=users["badr"], body="سؤال بدر")

    reviewer = browser.new_context(locale="en")
    try:
        page = reviewer.new_page()
        sign_in(reviewer, live_server, users["rami"])
        page.goto(f"{live_server.url}/projects/{project.pk}/discussions/")
        page.click(f"a[href$='/articles/{article.pk}/discussion/']")
        page.fill(f"#reply-{question.pk}", "نعم، المتحدث PER.")
        page.locator(f"#reply-{question.pk}").press("Tab")
        page.keyboard.press("Enter")  # the Send reply button, by keyboard
        expect(page.locator(".comment.by-lead")).to_contain_text("نعم، المتحدث PER.")
    finally:
        reviewer.close()

    annotator = browser.new_context(locale="ar")
    try:
        page = annotator.new_page()
        sign_in(annotator, live_server, users["amal"])
        page.goto(f"{live_server.url}/projects/{project.pk}/")
        link = page.locator(f".unread-replies a[href$='/assignments/{amal.pk}/annotate/']")
        expect(link).to_be_visible()
        link.click()
        expect(page.locator("#team-panel")).to_have_attribute("data-loaded", "true")
        reply = page.locator("#comment-thread .comment-replies .comment")
        expect(reply).to_contain_text("نعم، المتحدث PER.")
        expect(reply).to_have_class("comment by-lead unread")
        expect(page.locator("#comment-thread")).not_to_contain_text("سؤال بدر")
        page.goto(f"{live_server.url}/projects/{project.pk}/")
        expect(page.locator(".unread-replies")).to_have_count(0)
    finally:
        annotator.close()

    other = browser.new_context(locale="ar")
    try:
        page = other.new_page()
        sign_in(other, live_server, users["badr"])
        open_page(page, live_server, badr)
        expect(page.locator("#comment-thread")).to_contain_text("سؤال بدر")
        expect(page.locator("#comment-thread")).not_to_contain_text("سؤال أمل")
        expect(page.locator("#comment-thread")).not_to_contain_text("نعم، المتحدث PER.")
    finally:
        other.close()


def test_reopen_with_a_reason_then_the_annotator_resubmits(browser, live_server, crew):
    project, articles, users = crew
    article = articles[0]
    work = assignment_of(project, article, users["amal"])
    do_start_assignment(work, user=users["amal"])
    do_submit(work, user=users["amal"], version=1, content=FULL)

    reviewer = browser.new_context(locale="en")
    try:
        page = reviewer.new_page()
        sign_in(reviewer, live_server, users["rami"])
        page.goto(f"{live_server.url}/projects/{project.pk}/articles/{article.pk}/discussion/")
        page.fill(f"#reopen-{work.pk}", "Mark the spokesman as PER")
        page.locator(f"#reopen-{work.pk}").press("Enter")
        expect(page.locator(".messages")).to_contain_text("Reopened")
    finally:
        reviewer.close()
    work.refresh_from_db()
    assert (work.status, work.reopen_reason) == ("in_progress", "Mark the spokesman as PER")

    annotator = browser.new_context(locale="ar")
    try:
        page = annotator.new_page()
        sign_in(annotator, live_server, users["amal"])
        other = assignment_of(project, articles[1], users["amal"])
        do_start_assignment(other, user=users["amal"])  # another article already in progress
        page.goto(f"{live_server.url}/projects/{project.pk}/annotate/")
        page.wait_for_url(f"**/assignments/{work.pk}/annotate/")
        expect(page.locator("#annotate")).to_have_attribute("data-ready", "true")
        expect(page.locator("#reopen-banner")).to_contain_text("Mark the spokesman as PER")
        page.focus("#article-text")
        page.keyboard.press("Enter")
        expect(page.locator("#submit-dialog")).to_be_visible()
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/assignments/{other.pk}/annotate/")
    finally:
        annotator.close()
    work.refresh_from_db()
    annotation = Annotation.objects.get(assignment=work)
    assert (work.status, work.reopen_reason) == ("submitted", "")
    assert (annotation.status, annotation.version) == (AnnotationStatus.SUBMITTED, 4)


def test_an_annotator_asks_to_reopen_submitted_work(page, live_server, crew):
    project, articles, users = crew
    work = assignment_of(project, articles[0], users["amal"])
    do_start_assignment(work, user=users["amal"])
    do_submit(work, user=users["amal"], version=1, content=FULL)
    sign_in(page.context, live_server, users["amal"])
    open_page(page, live_server, work)
    page.click("#request-reopen-button")
    expect(page.locator("#request-reopen-dialog")).to_be_visible()
    page.fill("#request-reopen-reason", "نسيت ادعاء المتحدث")
    page.keyboard.press("Tab")  # Cancel
    page.keyboard.press("Tab")  # Send request
    page.keyboard.press("Enter")
    expect(page.locator("#request-reopen-dialog")).to_be_hidden()
    expect(page.locator("#request-reopen-button")).to_be_hidden()
    work.refresh_from_db()
    assert (work.status, work.reopen_request) == ("submitted", "نسيت ادعاء المتحدث")


def test_changed_guidelines_show_a_diff_and_are_acknowledged(page, live_server, crew):
    project, articles, users = crew
    do_update_project(project, by=users["mona"], changes={"guidelines": "# القواعد\nعلّم الأشخاص."})
    GuidelinesRead.objects.create(project=project, user=users["amal"], version=2)
    do_update_project(
        project,
        by=users["mona"],
        changes={
            "guidelines": "# القواعد\nعلّم الأشخاص.\nالمتحدث الرسمي PER.",
            "guidelines_summary": "المتحدث",
        },
    )
    work = assignment_of(project, articles[0], users["amal"])
    sign_in(page.context, live_server, users["amal"])
    open_page(page, live_server, work)
    banner = page.locator("#guidelines-changed")
    expect(banner.locator(".diff-added")).to_contain_text("المتحدث الرسمي PER.")
    page.click("#acknowledge-guidelines")
    expect(banner).to_be_hidden()
    assert GuidelinesRead.objects.get(project=project, user=users["amal"]).version == 3


def _as(project, role):
    project.my_role = role
    return project


SIZES = {"wide": (1400, 900), "narrow": (960, 900), "phone": (390, 844)}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_screenshots_of_the_team_tools(browser, live_server, crew, artifacts_dir, language):
    """The annotation page with a flag, an answer, a reopen reason and changed guidelines, and
    the reviewer's discussion page, at three widths in both languages (looked at by hand)."""
    project, articles, users = crew
    article = articles[0]
    work = assignment_of(project, article, users["amal"])
    do_start_assignment(work, user=users["amal"])
    do_submit(work, user=users["amal"], version=1, content=FULL)
    from annotate.annotations import do_reopen

    do_reopen(work, by=users["rami"], reason="علّم المتحدث باسم الجيش")
    question = do_comment(
        _as(project, Role.ANNOTATOR),
        article,
        user=users["amal"],
        body="هل يُعدّ **المتحدث** شخصًا PER؟",
        flag="question",
    )
    do_comment(
        _as(project, Role.REVIEWER),
        article,
        user=users["rami"],
        body="لا: علّم الجهة (MILITARY_GROUP).",
        parent_id=question.pk,
    )
    do_update_project(project, by=users["mona"], changes={"guidelines": "# القواعد\nعلّم الأشخاص."})
    GuidelinesRead.objects.create(project=project, user=users["amal"], version=2)
    do_update_project(
        project,
        by=users["mona"],
        changes={
            "guidelines": "# القواعد\nعلّم الأشخاص.\nالمتحدث باسم جهة: علّم الجهة.",
            "guidelines_summary": "المتحدث",
        },
    )
    for size, (width, height) in SIZES.items():
        context = browser.new_context(viewport={"width": width, "height": height}, locale=language)
        try:
            page = context.new_page()
            sign_in(context, live_server, users["amal"])
            open_page(page, live_server, work)
            page.screenshot(path=str(artifacts_dir / f"team-annotate-{language}-{size}.png"))
            page.locator("#team-panel").scroll_into_view_if_needed()
            page.screenshot(path=str(artifacts_dir / f"team-thread-{language}-{size}.png"))
            page.keyboard.press("Alt+s")
            expect(page.locator("#skip-dialog")).to_be_visible()
            page.screenshot(path=str(artifacts_dir / f"team-skip-{language}-{size}.png"))
        finally:
            context.close()
        context = browser.new_context(viewport={"width": width, "height": height}, locale=language)
        try:
            page = context.new_page()
            sign_in(context, live_server, users["rami"])
            page.goto(f"{live_server.url}/projects/{project.pk}/articles/{article.pk}/discussion/")
            page.screenshot(
                path=str(artifacts_dir / f"team-discussion-{language}-{size}.png"), full_page=True
            )
        finally:
            context.close()
