"""Suggestions on the annotation page in Chromium: drawn dashed, accepted and rejected by
keyboard, accepted spans saved with their provenance, rejections remembered."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from annotate.models import (
    Annotation,
    Assignment,
    Gold,
    GoldSource,
    Role,
    SuggestionAcceptance,
    SuggestionRejection,
    SuggestionSettings,
)
from annotate.recommend import do_train_recommenders
from tests.browser.conftest import sign_in
from tests.factories import make_article, make_corpus, make_project, make_user
from tests.test_recommenders_api import SENTENCES, gold_spans

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TARGET = "هاجم وداعش مدينة لحلب صباح اليوم. ودخل الجيش السوري دمشق بعد أن انسحب داعش."


def trained_project(annotator):
    corpus = make_corpus()
    articles = [
        make_article(
            corpus, " ".join(SENTENCES[(i + k) % 5] for k in range(5)) + f" الخبر رقم {i}."
        )
        for i in range(10)
    ]
    target = make_article(corpus, TARGET, title="خبر للتجربة")
    project = make_project(articles=[*articles, target], members={annotator: Role.ANNOTATOR})
    for article in articles:
        Gold.objects.create(
            project=project,
            article=article,
            content={"spans": gold_spans(article.text)},
            source=GoldSource.IMPORTED,
        )
    SuggestionSettings.objects.create(project=project, threshold=0.5, crf=False)
    do_train_recommenders(project)
    assignment = Assignment.objects.create(project=project, article=target, annotator=annotator)
    return project, assignment


def open_page(page, live_server, assignment):
    page.goto(f"{live_server.url}/assignments/{assignment.pk}/annotate/")
    expect(page.locator("#annotate")).to_have_attribute("data-ready", "true")
    expect(page.locator("#suggestion-panel")).to_have_attribute("data-ready", "true")


def highlighted(page) -> list[str]:
    """The text of each range in the page's suggestion highlight."""
    return page.evaluate(
        "() => [...(CSS.highlights.get('suggestion') || [])].map((r) => r.toString())"
    )


def test_suggestions_are_accepted_and_rejected_by_keyboard(browser, live_server, artifacts_dir):
    annotator = make_user("amal")
    _project, assignment = trained_project(annotator)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="ar")
    sign_in(context, live_server, annotator)
    page = context.new_page()
    open_page(page, live_server, assignment)

    # Drawn apart from spans: the bare words, clitics left out; nothing in the annotation.
    assert sorted(highlighted(page)) == sorted(["داعش", "حلب", "الجيش السوري", "دمشق", "داعش"])
    assert page.locator("#article-text .seg").count() == 0
    expect(page.locator("#suggestion-count")).to_contain_text("5")

    page.locator("#article-text").focus()
    page.keyboard.press("]")  # the first suggestion: داعش in وداعش
    expect(page.locator("#suggestion-text")).to_have_text("داعش")
    focus = page.evaluate(
        "() => [...CSS.highlights.get('suggestion-focus')].map((r) => r.toString())"
    )
    assert focus == ["داعش"]
    page.screenshot(path=str(artifacts_dir / "suggestions-annotate-ar-1400.png"))
    page.keyboard.press("a")
    expect(page.locator("#save-state")).to_have_attribute("data-state", "saved", timeout=15_000)
    content = Annotation.objects.get(assignment=assignment).content
    (span,) = content["spans"]
    assert (TARGET[span["start"] : span["end"]], span["label"]) == ("داعش", "MILITARY_GROUP")
    assert span["start"] == TARGET.index("وداعش") + 1
    expect(page.locator("#suggestion-count")).to_contain_text("4")
    accepted = SuggestionAcceptance.objects.get(assignment=assignment)
    assert (accepted.span_id, accepted.recommender) == (span["id"], "gazetteer@1")

    # The focus moved on to the next suggestion by itself: حلب in لحلب.
    expect(page.locator("#suggestion-text")).to_have_text("حلب")
    page.keyboard.press("r")
    expect(page.locator("#suggestion-count")).to_contain_text("3")
    rejection = None
    for _ in range(50):
        rejection = SuggestionRejection.objects.filter(user=annotator).first()
        if rejection:
            break
        page.wait_for_timeout(100)
    assert rejection is not None and rejection.text == "حلب"
    assert "حلب" not in highlighted(page)

    # Shift+A on a MILITARY_GROUP suggestion accepts every one of that label at once.
    expect(page.locator("#suggestion-label")).to_have_text("Military group")
    page.keyboard.press("Shift+A")
    expect(page.locator("#save-state")).to_have_attribute("data-state", "saved", timeout=15_000)
    content = Annotation.objects.get(assignment=assignment).content
    assert sorted(s["text"] for s in content["spans"]) == ["الجيش السوري", "داعش", "داعش"]
    assert highlighted(page) == ["دمشق"]
    assert SuggestionAcceptance.objects.filter(assignment=assignment).count() == 3

    # Undo takes the accepted batch back; the suggestions come back with it.
    page.keyboard.press("Control+z")
    expect(page.locator("#suggestion-count")).to_contain_text("3")

    # A reload still leaves out the rejected suggestion.
    open_page(page, live_server, assignment)
    assert "حلب" not in highlighted(page)
    context.close()


@pytest.mark.parametrize(
    ("width", "height", "language"),
    [(1400, 900, "en"), (960, 900, "ar"), (390, 844, "ar"), (390, 844, "en")],
)
def test_screenshots_of_the_suggestion_panel(
    browser, live_server, artifacts_dir, width, height, language
):
    annotator = make_user("amal")
    _project, assignment = trained_project(annotator)
    context = browser.new_context(viewport={"width": width, "height": height}, locale=language)
    sign_in(context, live_server, annotator)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    open_page(page, live_server, assignment)
    page.locator("#article-text").focus()
    page.keyboard.press("]")
    page.screenshot(
        path=str(artifacts_dir / f"suggestions-annotate-{language}-{width}.png"), full_page=True
    )
    context.close()


def test_the_page_offers_no_suggestions_on_agreement_sample_articles(browser, live_server):
    annotator, other = make_user("amal"), make_user("badr")
    project, assignment = trained_project(annotator)
    project.memberships.create(user=other, role=Role.ANNOTATOR)
    Assignment.objects.create(project=project, article=assignment.article, annotator=other, slot=1)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="ar")
    sign_in(context, live_server, annotator)
    page = context.new_page()
    page.goto(f"{live_server.url}/assignments/{assignment.pk}/annotate/")
    expect(page.locator("#annotate")).to_have_attribute("data-ready", "true")
    expect(page.locator("#suggestion-panel")).to_be_hidden()
    assert page.evaluate("() => CSS.highlights.has('suggestion')") is False
    context.close()


@pytest.mark.parametrize(
    ("width", "height", "language"),
    [(1400, 900, "en"), (1400, 900, "ar"), (960, 900, "ar"), (390, 844, "ar"), (390, 844, "en")],
)
def test_screenshots_of_the_suggestions_page(
    browser, live_server, artifacts_dir, width, height, language
):
    manager = make_user("mona")
    project, _assignment = trained_project(make_user("amal"))
    project.memberships.create(user=manager, role=Role.MANAGER)
    context = browser.new_context(viewport={"width": width, "height": height}, locale=language)
    sign_in(context, live_server, manager)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/projects/{project.pk}/suggestions/")
    expect(page.locator("table.suggestion-scores").first).to_be_visible()
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    page.screenshot(
        path=str(artifacts_dir / f"suggestions-page-{language}-{width}.png"), full_page=True
    )
    context.close()


def test_a_stance_suggestion_is_shown_beside_its_target_and_used_with_a_click(
    browser, live_server, artifacts_dir
):
    import random

    from tests.test_recommend_stance import article, examples

    annotator = make_user("amal")
    corpus = make_corpus()
    data = examples(40, seed=3)
    articles = [make_article(corpus, f"{text} رقم {i}") for i, (text, _) in enumerate(data)]
    target = make_article(corpus, article(random.Random(9), "against"))
    project = make_project(articles=[*articles, target], members={annotator: Role.ANNOTATOR})
    for created, (_, value) in zip(articles, data, strict=True):
        Gold.objects.create(
            project=project,
            article=created,
            content={"spans": [], "document_labels": {"stance": {"isis": value}}},
            source=GoldSource.IMPORTED,
        )
    SuggestionSettings.objects.create(
        project=project, gazetteer=False, crf=False, threshold=0.7, stance_confidence=0.5
    )
    do_train_recommenders(project)
    assignment = Assignment.objects.create(project=project, article=target, annotator=annotator)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="ar")
    sign_in(context, live_server, annotator)
    page = context.new_page()
    open_page(page, live_server, assignment)
    hint = page.locator('fieldset[data-target="isis"] .stance-suggestion')
    expect(hint).to_contain_text("معارض")  # Against, in the Arabic interface
    page.screenshot(path=str(artifacts_dir / "suggestions-stance-ar-1400.png"))
    hint.locator("button").click()
    expect(page.locator('input[name="stance-isis"][value="against"]')).to_be_checked()
    expect(hint).to_have_count(0)
    expect(page.locator("#save-state")).to_have_attribute("data-state", "saved", timeout=15_000)
    stance = Annotation.objects.get(assignment=assignment).content["document_labels"]["stance"]
    assert stance == {"isis": "against"}
    context.close()
