"""Headless Chromium against the app served on 127.0.0.1 from a thread.

Chromium comes from Debian (`apt-get install chromium`); Playwright drives it. Where
it cannot be had the tests skip with the reason, except in CI, where they must run."""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("HUB_CHROMIUM", "/usr/bin/chromium")


def _chromium_missing_reason() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture
def live_app(make_app):
    """The app with CSRF on, as a browser meets it."""
    app = make_app(SERVER_NAME=None, WTF_CSRF_ENABLED=True)
    return app


@pytest.fixture
def live_url(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    reason = _chromium_missing_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_url):
    """A fresh browser context; requests leaving the test server are aborted."""
    context = browser.new_context(base_url=live_url, accept_downloads=True, locale="en-GB")
    context.set_default_timeout(10_000)

    def only_local(route):
        if route.request.url.startswith(live_url):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    context.close()


@pytest.fixture
def browser_login(page, make_user):
    """``browser_login(role)`` → a member of that role, logged in through the form."""
    from tests.conftest import TEST_PASSWORD

    def do(role: str = "learner", trains=(), **fields):
        from tests.factories import name_trainer

        user = make_user(role, **fields)
        for course in trains:  # named on these courses (only named trainers manage a course)
            name_trainer(course, user)
        page.goto("/login")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/")
        return user

    return do


AXE = Path(__file__).parent / "vendor" / "axe.min.js"  # axe-core 4.14.1 from the npm registry (MPL-2.0)


@pytest.fixture
def axe_check(page):
    """``axe_check()`` → serious/critical WCAG 2 A/AA violations of the current page."""

    def check(ignore: tuple[str, ...] = ()) -> list[dict]:
        page.evaluate(AXE.read_text())  # DevTools evaluation: not blocked by the page's CSP
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})")
        return [{"id": v["id"], "impact": v["impact"], "nodes": [n["html"][:120] for n in v["nodes"][:3]]}
                for v in result["violations"]
                if v["impact"] in ("serious", "critical") and v["id"] not in ignore]

    return check
