"""Importing in the browser: a preview first, the file-name title rule, every refused file named,
and renaming an article afterwards."""

import pytest

from corpus.models import Article, ArticleEdit
from tests.browser.conftest import log_in, sign_in
from tests.factories import PASSWORD, make_article, make_corpus, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"wide": (1400, 900), "medium": (960, 900), "phone": (390, 844)}
# Scraped news pages have site furniture on their first lines, as the sample articles do: a
# share button's text, the site's name, a date line (made-up articles, not the samples).
SCRAPED = [
    ("000_raqqa.txt", "شارك\nدخلت القوات مدينة الرقة صباح الأحد بعد معارك استمرت أسابيع."),
    ("001_deir.txt", "kayhan.ir\nقال المتحدث: «المعارك مستمرة» في دير الزور منذ الفجر."),
    ("002_badia.txt", "2019-02-11 08:40\nخبر عن تحركات في البادية السورية قرب تدمر."),
]


def files(pairs):
    return [
        {"name": name, "mimeType": "text/plain", "buffer": text.encode()} for name, text in pairs
    ]


def choose(page, pairs, corpus="أخبار الشمال"):
    page.fill("#id_corpus", corpus)
    page.set_input_files("#id_file", files=files(pairs))


def test_sample_articles_imported_with_the_file_name_title_rule_after_a_preview(
    page, live_server, artifacts_dir
):
    make_user("mona", is_staff=True)
    log_in(page, live_server, "mona", PASSWORD)
    page.goto(f"{live_server.url}/corpus/import/")
    choose(page, SCRAPED)
    result = page.locator("#import-result")
    page.locator(".preview-table").wait_for()
    # The default rule takes the furniture for titles: the preview shows it before anything
    # is written.
    titles = page.locator(".preview-table tbody tr td:nth-child(2)").all_inner_texts()
    assert titles == ["شارك", "kayhan.ir", "2019-02-11 08:40"]
    assert not Article.objects.exists()
    page.select_option("#id_title_rule", "file_name")
    page.locator(".preview-table tbody tr td:nth-child(2)", has_text="000_raqqa").wait_for()
    titles = page.locator(".preview-table tbody tr td:nth-child(2)").all_inner_texts()
    assert titles == ["000_raqqa", "001_deir", "002_badia"]
    assert "شارك" in page.locator(".preview-table tbody tr").first.inner_text()  # kept in the text
    page.screenshot(path=str(artifacts_dir / "import-preview-file-names.png"), full_page=True)
    page.click("#import-button")
    result.locator("h2.ok").wait_for()
    assert result.locator("h2").inner_text() == "imported 3 articles, 0 duplicates"
    stored = dict(Article.objects.values_list("title", "text"))
    assert stored["000_raqqa"] == SCRAPED[0][1]
    assert sorted(stored) == ["000_raqqa", "001_deir", "002_badia"]


def test_a_mixed_upload_names_each_refused_file(page, live_server, artifacts_dir):
    make_user("mona", is_staff=True)
    log_in(page, live_server, "mona", PASSWORD)
    page.goto(f"{live_server.url}/corpus/import/")
    choose(page, [("good1.txt", SCRAPED[0][1]), ("empty.txt", ""), ("blank.txt", "  \n\n")])
    refused = page.locator("#import-result .refused li")
    refused.first.wait_for()
    assert refused.all_inner_texts() == [
        "empty.txt: empty article (the file is blank)",
        "blank.txt: empty article (the file is blank)",
    ]
    assert page.locator("#import-button").is_disabled()  # nothing half-imported
    cp1256 = {"name": "old.txt", "mimeType": "text/plain", "buffer": SCRAPED[1][1].encode("cp1256")}
    page.set_input_files("#id_file", files=[*files([("good1.txt", SCRAPED[0][1])]), cp1256])
    page.locator("#import-result .refused li", has_text="old.txt").wait_for()
    message = refused.first.inner_text()
    assert message.startswith("old.txt: the file is not UTF-8: it looks like Windows-1256")
    assert "iconv -f WINDOWS-1256 -t UTF-8 'old.txt'" in message
    page.screenshot(path=str(artifacts_dir / "import-refused-files.png"), full_page=True)
    page.check("#id_skip_bad")
    page.locator("#import-button:not([disabled])").wait_for()
    page.click("#import-button")
    page.locator("#import-result h2.ok").wait_for()
    assert Article.objects.count() == 1
    assert "old.txt: the file is not UTF-8" in page.locator("#import-result").inner_text()


def test_renaming_an_article_title(page, live_server, artifacts_dir):
    manager = make_user("mona")
    corpus = make_corpus("أخبار", owners=[manager])
    article = make_article(corpus, text=SCRAPED[0][1], title="شارك")
    log_in(page, live_server, "mona", PASSWORD)
    page.goto(f"{live_server.url}/corpus/articles/{article.pk}/")
    assert page.locator("h1").inner_text() == "شارك"
    page.fill("#id_title", "دخول القوات مدينة الرقة")
    page.click("#article-edit-form button[type=submit]")
    page.locator(".message-success").wait_for()
    assert page.locator("h1").inner_text() == "دخول القوات مدينة الرقة"
    assert page.locator(".article-edits li").count() == 1
    assert "شارك" in page.locator(".article-edits del").inner_text()
    article.refresh_from_db()
    assert (article.title, article.text) == ("دخول القوات مدينة الرقة", SCRAPED[0][1])
    assert ArticleEdit.objects.get().changes["title"] == ["شارك", "دخول القوات مدينة الرقة"]


def test_import_and_article_pages_at_three_sizes(browser, live_server, artifacts_dir):
    manager = make_user("mona", is_staff=True)
    corpus = make_corpus("أخبار", owners=[manager])
    article = make_article(corpus, text=SCRAPED[0][1], title="شارك", metadata={"site": "x.org"})
    from corpus.articles import do_edit_article

    do_edit_article(article, by=manager, changes={"title": "دخول الرقة"})
    for language in ("en", "ar"):
        for size, (width, height) in SIZES.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            sign_in(context, live_server, manager)
            context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            page = context.new_page()
            page.goto(f"{live_server.url}/corpus/import/")
            page.fill("#id_corpus", "أخبار")
            page.set_input_files("#id_file", files=files([*SCRAPED, ("empty.txt", "")]))
            page.locator(".preview-table").wait_for()
            page.screenshot(
                path=str(artifacts_dir / f"import-preview-{language}-{size}.png"), full_page=True
            )
            page.goto(f"{live_server.url}/corpus/articles/{article.pk}/")
            page.screenshot(
                path=str(artifacts_dir / f"article-edit-{language}-{size}.png"), full_page=True
            )
            context.close()
