"""The browser path works end to end: log in, see Arabic laid out right-to-left."""

import json

import pytest

from annotate.models import Role
from corpus.models import Article
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, make_article, make_corpus, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_and_article_list_render_arabic_right_to_left(page, live_server, artifacts_dir):
    make_user("layla", is_staff=True)
    corpus = make_corpus("أخبار")
    make_article(
        corpus, text="قالت وزارة الدفاع إن القوات دخلت مدينة الرَّقَّة صباح الأحد.", title="دخول الرقة"
    )
    page.set_extra_http_headers({"Accept-Language": "ar"})
    log_in(page, live_server, "layla", PASSWORD)
    page.goto(f"{live_server.url}/corpus/articles/")
    assert page.url == f"{live_server.url}/corpus/articles/"
    assert page.get_by_role("link", name="دخول الرقة").is_visible()
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl"
    assert html.get_attribute("lang") == "ar"
    page.screenshot(path=str(artifacts_dir / "smoke-article-list.png"), full_page=True)


def test_manager_uploads_a_file_and_sees_the_report(page, live_server, artifacts_dir):
    manager = make_user("mona")
    make_project("p", members={manager: Role.MANAGER})
    errors: list[str] = []  # script exceptions and console errors (CSP refusals show there)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda m: errors.append(f"{m.text} {m.location.get('url')}") if m.type == "error" else None,
    )
    xhr: list[str] = []
    page.on("request", lambda r: xhr.append(r.url) if r.resource_type == "xhr" else None)
    log_in(page, live_server, "mona", PASSWORD)

    page.goto(f"{live_server.url}/corpus/import/")
    page.fill("#id_corpus", "أخبار الشمال")
    lines = [
        {"text": "دخلت القوات مدينة الرَّقَّة صباح الأحد 👍🏽", "title": "الرقة"},
        {"text": "قال المتحدث: «المعارك مستمرة» في دير الزور.", "title": "دير الزور"},
        {"text": "خبر ثالث عن وداعش في البادية.", "title": "البادية"},
    ]
    data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
    page.set_input_files(
        "#id_file",
        files=[{"name": "news.jsonl", "mimeType": "application/x-ndjson", "buffer": data}],
    )
    # Choosing the file previews it; the import button then says how many articles it imports.
    result = page.locator("#import-result")
    page.locator(".preview-table").wait_for()
    assert page.locator(".preview-table tbody tr").count() == 3
    assert " 3 " in page.locator("#import-button").inner_text()  # "Import 3 articles"
    assert Article.objects.count() == 0
    page.click("#import-button")
    result.locator("h2.ok").wait_for()
    assert result.locator("h2").inner_text() == "imported 3 articles, 0 duplicates"
    assert page.url == f"{live_server.url}/corpus/import/"  # no page load: the script posted
    assert xhr == [f"{live_server.url}/corpus/import/"] * 2
    assert page.locator("#upload-progress").is_hidden()
    articles_url = result.get_by_role("link").get_attribute("href")
    assert articles_url.startswith("/corpus/articles/?corpus=")
    page.screenshot(path=str(artifacts_dir / "import-report.png"), full_page=True)

    # A bad file: the error names the line, and nothing is imported.
    bad = b'{"text": "\xd8\xa3"}\n{"text": \n'
    page.set_input_files(
        "#id_file", files=[{"name": "bad.jsonl", "mimeType": "application/x-ndjson", "buffer": bad}]
    )
    page.locator("#import-result .refused").wait_for()
    assert "bad.jsonl, line 2: not valid JSON" in result.inner_text()
    assert page.locator("#import-button").is_disabled()
    assert Article.objects.count() == 3

    # The imported articles are searchable without diacritics and shown right-to-left.
    page.goto(f"{live_server.url}{articles_url}")
    page.fill("#article-search", "الرقة")
    page.click(".search-form button[type=submit]")
    page.get_by_role("link", name="الرقة").click()
    text = page.locator(".article-text")
    assert text.get_attribute("dir") == "rtl"
    assert text.inner_text() == "دخلت القوات مدينة الرَّقَّة صباح الأحد 👍🏽"
    expected_400 = "the server responded with a status of 400"  # the bad file's answer
    # Chromium asks for /favicon.ico by itself (there is none): not the page's error.
    assert [e for e in errors if expected_400 not in e and "/favicon.ico" not in e] == []
