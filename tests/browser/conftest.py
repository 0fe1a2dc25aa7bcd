"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

Without /usr/bin/chromium these tests are skipped with a visible reason, unless
WORKBENCH_REQUIRE_BROWSER is set (CI sets it), which turns the skip into a failure.
"""

import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
STATIC = Path(__file__).resolve().parents[2] / "static"
# A made-up origin for pages that load the ES modules without a server (see serve_modules).
MODULE_ORIGIN = "http://workbench.test"
BLANK_PAGE = "<!doctype html><meta charset=utf-8><title>modules</title>"

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself (not by the live server) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# On SQLite the test database lives in memory, and the live server's threads share its one
# connection. A page that sends several requests at once (autosave, active time, comments,
# suggestions) would use that connection from several threads together, which SQLite answers
# with "bad parameter or other API misuse". So, there only, the live server handles one
# request at a time; PostgreSQL gives each thread its own connection and keeps the threads.
if connection.vendor == "sqlite":
    _ONE_AT_A_TIME = threading.Lock()
    _handle = WSGIHandler.__call__

    def _serialised(self, environ, start_response):
        with _ONE_AT_A_TIME:
            return _handle(self, environ, start_response)

    WSGIHandler.__call__ = _serialised


def _browser_missing_reason() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -r requirements-dev.txt)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _browser_missing_reason()
    if reason is None:
        return
    if os.environ.get("WORKBENCH_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"Browser tests are required here but cannot run: {reason}")
    skip = pytest.mark.skip(reason=f"browser tests skipped: {reason}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ar")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def log_in(page, live_server, username: str, password: str) -> None:
    """Log in through the form (its own submit button, not the language switch's)."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, "the login failed"


def sign_in(context, live_server, user) -> None:
    """Put a logged-in session cookie into the browser context, without going through the form."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])


def serve_modules(context, *, html: str = BLANK_PAGE, api: Callable | None = None) -> None:
    """Answer MODULE_ORIGIN in `context` without a server: "/" is `html` (a blank page by
    default), /static/js/... the modules from static/, /api/... `api(route)` (404 without it)."""

    def handle(route):
        path = urlparse(route.request.url).path
        if path == "/":
            route.fulfill(body=html, content_type="text/html; charset=utf-8")
        elif path.startswith("/static/js/") and (STATIC / path[len("/static/") :]).is_file():
            route.fulfill(
                body=(STATIC / path[len("/static/") :]).read_text(encoding="utf-8"),
                content_type="text/javascript; charset=utf-8",
            )
        elif path.startswith("/api/") and api is not None:
            api(route)
        else:
            route.fulfill(status=404, body="not found")

    context.route(f"{MODULE_ORIGIN}/**", handle)


def module_page(browser, modules: list[str], *, html: str = BLANK_PAGE):
    """A page on MODULE_ORIGIN holding `html`, with the static/js modules `modules` imported as
    window.m.<name> (a dash in the name becomes an underscore). Close its context when done."""
    context = browser.new_context()
    serve_modules(context, html=html)
    page = context.new_page()
    page.goto(f"{MODULE_ORIGIN}/")
    page.evaluate(
        """async (names) => {
            window.m = {};
            for (const name of names) {
              window.m[name.replace("-", "_")] = await import(`/static/js/${name}.js`);
            }
        }""",
        modules,
    )
    return page
