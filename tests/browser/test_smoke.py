"""The browser path works end to end: log in, see Arabic laid out right-to-left."""

import pytest

from tests.browser.conftest import log_in
from tests.factories import PASSWORD, make_article, make_corpus, make_user

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
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl"
    assert html.get_attribute("lang") == "ar"
    page.screenshot(path=str(artifacts_dir / "smoke-article-list.png"), full_page=True)
