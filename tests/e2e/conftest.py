"""Browser journeys: Debian's headless Chromium driven by Playwright's sync API against
pytest-django's ``live_server``.

Every test collected under ``tests/e2e`` is marked ``browser``; without Chromium they are skipped,
unless ``PLIE_REQUIRE_SERVICES=1`` (CI), where a missing browser is a failure.

The daily journeys use the ``journey`` fixture: ``journey.check("step")`` on every page they reach
saves a full-page screenshot under ``var/screenshots/<journey>/<nn>-<step>.png`` (git-ignored, a
CI artefact), runs axe-core (vendored in ``static/vendor/axe-core-<version>/``, injected into every
page of the browser context; never a CDN) and fails on any « critical » or « serious » violation,
and asks every link of the page for the current role: each must answer below 400 (a role never
sees a link it would be refused). At the end of the test, every page the browser navigated to
must have been checked.
"""

import os
import re
import shutil
import subprocess
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
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "screenshots"
AXE = next((ROOT / "static" / "vendor").glob("axe-core-*/axe.min.js"))
AXE_BLOCKING = ("critical", "serious")
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


def _slug(text):
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-")


def screenshot(page, name, *, journey=""):
    """Save a full-page PNG under var/screenshots/[<journey>/] (git-ignored) and return its path."""
    directory = ARTIFACTS / _slug(journey) if journey else ARTIFACTS
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{_slug(name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page, impacts=AXE_BLOCKING):
    """The axe-core violations of the page as it stands whose impact is in ``impacts``, one line
    each: rule, impact, help and the first offending elements. axe is in every page of the
    context (``add_init_script``: an injected <script> tag would be refused by the CSP)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))  # a page opened before the context had it
    results = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " [" + n.failureSummary + "]")}));
        }"""
    )
    return [
        f"{v['id']} ({v['impact']}) : {v['help']} — {', '.join(v['targets'])}"
        for v in results
        if v["impact"] in impacts
    ]


def broken_links(page, seen=None):
    """The links of the page (same origin, not anchors) that answer 400 or more, or land on the
    login page, for the user of the page's context; ``seen`` (a dict url → status) spares asking
    twice in one journey."""
    seen = {} if seen is None else seen
    origin = page.evaluate("() => location.origin")
    hrefs = page.evaluate(
        """() => Array.from(document.querySelectorAll("a[href]"), a => a.href)
            .filter(h => h.startsWith(location.origin + "/"))
            .map(h => h.split("#")[0])"""
    )
    broken = []
    for href in dict.fromkeys(hrefs):
        if href not in seen:
            response = page.request.get(href, max_redirects=5)
            landed = response.url.removeprefix(origin)
            seen[href] = (
                response.status if not landed.startswith("/connexion/") else f"{response.status} → {landed}"
            )
            response.dispose()
        status = seen[href]
        if not isinstance(status, int) or status >= 400:
            broken.append(f"{href.removeprefix(origin)} : {status}")
    return broken


class Journey:
    """One daily journey: ``check(step)`` on every page reached (screenshot, axe, links)."""

    def __init__(self, page, name):
        self.page = page
        self.name = name
        self.step_number = 0
        self.navigated = []
        self.checked = set()
        self.links = {}
        page.on("framenavigated", lambda frame: self._navigated(frame))

    def _navigated(self, frame):
        if frame == self.page.main_frame:
            self.navigated.append(frame.url.split("#")[0])

    def check(self, step, *, links=True):
        """Screenshot, axe and (unless ``links=False``: an anonymous page, whose links all lead
        to the login page) the links of the page as it stands."""
        self.step_number += 1
        self.page.wait_for_load_state("load")
        # axe before the screenshot: a full-page screenshot resizes the page for a moment, and
        # axe run right after it may read a header's background as the body's.
        violations = axe_violations(self.page)
        screenshot(self.page, f"{self.step_number:02d}-{step}", journey=self.name)
        assert violations == [], f"axe, {self.page.url} :\n" + "\n".join(violations)
        if links:
            broken = broken_links(self.page, self.links)
            assert broken == [], f"liens refusés depuis {self.page.url} :\n" + "\n".join(broken)
        self.checked.add(self.page.url.split("#")[0])

    def keep_pdf(self, name, content):
        """Keep a downloaded PDF next to the screenshots, with its first page as a PNG (poppler's
        pdftoppm) to look at in the CI artefacts. Returns the PDF's path."""
        directory = ARTIFACTS / _slug(self.name)
        directory.mkdir(parents=True, exist_ok=True)
        self.step_number += 1
        path = directory / f"{self.step_number:02d}-{_slug(name)}.pdf"
        path.write_bytes(content)
        if shutil.which("pdftoppm"):
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "80",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    path,
                    path.with_suffix(""),
                ],
                check=True,
            )
        return path

    def unchecked(self):
        return [url for url in dict.fromkeys(self.navigated) if url not in self.checked]


@pytest.fixture
def journey(page, request):
    """A :class:`Journey` named after the test; fails if a page navigated to was never checked."""
    page.context.add_init_script(path=str(AXE))
    name = request.node.name.removeprefix("test_")
    current = Journey(page, name)
    failed = request.session.testsfailed
    yield current
    if request.session.testsfailed > failed:
        return  # the test's own failure says more
    unchecked = current.unchecked()
    assert unchecked == [], "pages visitées sans contrôle (journey.check) :\n" + "\n".join(unchecked)
