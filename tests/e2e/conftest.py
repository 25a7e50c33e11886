"""The web console in a real browser: Debian's Chromium (headless) driven by Playwright's sync API, against
the app served in its own process on a database loaded with the demo data (as `atn-hub demo load` makes it).

One server for the whole package (the journey's steps build on each other and starting is the slow part);
each test gets fresh browser contexts, so each person signs in on their own.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from atn_hub import create_app
from atn_hub.cli.data import DEMO_DIR, demo_accounts, run_import
from atn_hub.cli.database import upgrade
from atn_hub.services import transfer
from tests.conftest import free_port, serving

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = HERE / "screenshots"
PASSWORD = "e2e-demo-password"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


def _required(what: str) -> None:
    message = f"{what} is missing: run `make browser` (make test does)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def axe_script() -> Path:
    found = sorted((HERE / ".vendor").glob("axe-core-*/axe.min.js"))
    if not found:
        _required("axe-core (tests/e2e/.vendor)")
    return found[-1]


@pytest.fixture(scope="session")
def mailbox():
    """The console server's mail server: a real SMTP server on 127.0.0.1 that keeps what it is sent."""
    from tests.mailbox import Mailbox

    box = Mailbox()
    yield box
    box.stop()


@pytest.fixture(scope="session")
def console_server(tmp_path_factory, mailbox):
    """The app on a fresh SQLite database with the demo data, on a random port set as its ATN_PUBLIC_URL (as
    `serving` does): the console's client, registered at the default address, signs in there all the same."""
    root = tmp_path_factory.mktemp("e2e")
    url = f"sqlite:///{root / 'atn.db'}"
    SERVER["root"], SERVER["url"] = root, url
    upgrade(url)
    port = free_port()
    loader = create_app({"database_url": url, "instance_dir": root / "loader", "testing": True,
                         "secret_key": "e2e", "indexer": "off", "extractor": "off", "delivery": "off"})
    try:
        with loader.app_context():
            for record_type, (_, _, _, filename) in transfer.TYPES.items():
                assert run_import(record_type, DEMO_DIR / filename, quiet=True)["rejected"] == 0
            session = loader.extensions["atn_db"].new_session()
            demo_accounts(session, PASSWORD)  # the console's client as `make run` has it: for the default port
            session.commit()
            session.close()
    finally:
        loader.extensions["atn_search"].stop()
        loader.extensions["atn_files"].stop()
        loader.extensions["atn_db"].engine.dispose()
    # The embedded default delivers (ATN_DELIVERY=thread): the inbox fills, and e-mails reach the mailbox, as
    # the workflow moves, with no worker.
    # (ATN_STATS_CACHE_SECONDS=0: the dashboard counts for each request, so that a page opened right after a
    # decision shows it; what is kept, and for how long, is tested in tests/api/test_stats.py)
    with serving(url, root / "instance", port=port, ATN_EXTRACTOR="off", ATN_DELIVERY="thread",
                 ATN_STATS_CACHE_SECONDS="0",
                 ATN_DELIVERY_POLL_SECONDS="0.2", ATN_SMTP_URL=mailbox.url,
                 ATN_MAIL_FROM="ATN Hub <hub@demo.atn-hub.example>") as base:
        _wait_until_indexed(base)
        yield base


SERVER: dict = {}  # the console server's folder and database, for what runs beside it (extract_files)


@pytest.fixture
def extract_files(console_server):
    """Read the text of the files uploaded so far, as the server's extraction thread would (it is off, so that
    pages show files waiting to be read); the server's indexer then makes it searchable."""
    def extract() -> int:
        app = create_app({"database_url": SERVER["url"], "instance_dir": SERVER["root"] / "instance",
                          "secret_key": "e2e", "indexer": "off", "extractor": "off", "delivery": "off"})
        try:
            return app.extensions["atn_files"].extract_pending()
        finally:
            app.extensions["atn_search"].stop()
            app.extensions["atn_files"].stop()
            app.extensions["atn_db"].engine.dispose()
    return extract


def _wait_until_indexed(base: str) -> None:
    """The server's indexer catches up with the demo data's change log after it starts."""
    import time

    import requests

    deadline = time.monotonic() + 60
    while requests.get(f"{base}/api/v1/search", params={"q": "trafficking"}, timeout=10).json()["total"] < 5:
        assert time.monotonic() < deadline, "the demo data never became searchable"
        time.sleep(0.3)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _required("Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield launched
        launched.close()


class Browsing:
    """Opens pages in fresh contexts (one per person) and fails the test on any script error, any request
    that leaves the server's origin, or any failed request."""

    def __init__(self, browser, base: str):
        self.browser = browser
        self.base = base
        self.contexts = []
        self.problems: list[str] = []

    def page(self, viewport=(1280, 900), bypass_csp: bool = False, locale: str = "en-US"):
        """A page in a fresh context; `locale` is the browser's language (navigator.languages and
        Accept-Language), English unless a test speaks another."""
        context = self.browser.new_context(base_url=self.base, viewport={"width": viewport[0], "height": viewport[1]},
                                           bypass_csp=bypass_csp, locale=locale)
        context.set_default_timeout(30_000)  # generous: the machine may be busy; a pass is usually far quicker
        context.set_default_navigation_timeout(30_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("console", lambda msg: msg.type == "error" and not msg.text.startswith("Failed to load resource")
                and self.problems.append(f"console error: {msg.text}"))
        page.on("request", lambda request: None if request.url.startswith((self.base, "data:", "blob:"))
                else self.problems.append(f"request off the origin: {request.url}"))
        return page

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(browser, console_server):
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    session = Browsing(browser, console_server)
    yield session
    session.close()
    assert session.problems == []


@pytest.fixture(scope="session")
def screenshot():
    SCREENSHOTS.mkdir(exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()

    def take(page, name: str, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


def sign_in(page, email: str) -> None:
    """Through the console's Sign in button: the server's sign-in page, then back (PKCE); the console is the
    hub's own client, so no consent page."""
    page.goto("/")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/oauth/authorize?**")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()


def axe_violations(page, axe_script) -> list[str]:
    """What axe-core (run in the page; the page must bypass the CSP) finds wrong, one line per rule."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script))
    result = page.evaluate("async () => await axe.run(document)")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
            for v in result["violations"]]


MEMBER = "member.nl@demo.atn-hub.example"
COORDINATOR = "coordinator@demo.atn-hub.example"
