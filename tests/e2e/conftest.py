"""Browser journeys: Debian's headless Chromium driven by Playwright's sync API against
pytest-django's ``live_server``.

Every test collected under ``tests/e2e`` is marked ``browser``; without Chromium they are skipped,
unless ``PLIE_REQUIRE_SERVICES=1`` (CI), where a missing browser is a failure.
"""

import os
import re
from pathlib import Path

import pytest

from tests.conftest import services_required

# Playwright's sync API runs an asyncio loop in the main thread; Django would then refuse ORM
# calls made by the test itself (factories, assertions) with SynchronousOnlyOperation.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
E2E_DIR = Path(__file__).resolve().parent
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(items):
    for item in items:
        if E2E_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"navigateur absent : {CHROMIUM}"
        if services_required():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh French browser context per test, with relative URLs resolved on the live server.

    Every Content-Security-Policy violation the browser reports (in the console) fails the test:
    the journeys prove that no page needs an inline script or style."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 1280, "height": 800},
        reduced_motion="reduce",
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    assert violations == [], "violations de la Content-Security-Policy :\n" + "\n".join(violations)


def screenshot(page, name):
    """Save a full-page PNG under tests/artifacts/ (git-ignored) and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
