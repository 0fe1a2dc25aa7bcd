"""/api/docs/ renders Swagger UI under the site's own CSP: pinned local assets (no CDN), no
inline script or style, the operations listed, and no CSP violation in the console."""

from urllib.parse import urlparse

import pytest

from tests.browser.conftest import sign_in
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_page_lists_the_operations_without_csp_violations(
    page, live_server, artifacts_dir
):
    sign_in(page.context, live_server, make_user("mona"))
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    origins: set[str] = set()
    page.on("request", lambda r: origins.add(urlparse(r.url).netloc))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )

    response = page.goto(f"{live_server.url}/api/docs/")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".opblock").first.wait_for(timeout=15_000)
    assert page.locator(".opblock").count() > 40
    assert page.get_by_text("/api/projects/{pid}/schema/").first.is_visible()
    page.screenshot(path=str(artifacts_dir / "api-docs.png"))
    assert problems == []
    assert origins == {urlparse(live_server.url).netloc}
