"""Browser fixtures: the app served for real on loopback with its own database, one
Chromium per session, a fresh browser context per test, and an axe-core check.

The live server cannot share the rolled-back transaction of tests/conftest.py: its
requests run in other threads and must see what the factories committed."""

from __future__ import annotations

import os
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from flask_babel import force_locale, gettext
from flask_migrate import upgrade
from playwright.sync_api import Browser, Page, expect, sync_playwright

from foreningen import create_app
from foreningen.core.extensions import db, limiter
from tests.browser.live import serving
from tests.support import base_config, drop_scratch_database, scratch_database

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
# axe impacts that fail a page; "minor" and "moderate" are left to review.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
# How long an action, a navigation or an expect() may take: room for a loaded machine.
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)  # expect() has its own default of 5 s otherwise


@dataclass
class LiveServer:
    app: Flask
    url: str

    def t(self, msgid: str, locale: str = "sv", **variables) -> str:
        """A message as the running app shows it in `locale`, so that tests find Swedish
        labels through the catalog instead of repeating its wording."""
        with self.app.test_request_context(method="POST"), force_locale(locale):
            return gettext(msgid, **variables)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, smtp):
    # A database of this run's own: the PostgreSQL server is shared, and a fixed name
    # would let another run's DROP DATABASE ... WITH (FORCE) pull it away mid-run.
    database = scratch_database(tmp_path_factory.mktemp("browser-db"), f"browser_{os.getpid()}")
    app = create_app(base_config(database, smtp[1]))
    try:
        with app.app_context():
            upgrade()  # the schema comes from the migrations, as in the rest of the suite
        with serving(app) as server:
            url = f"http://127.0.0.1:{server.port}"
            app.config["PUBLIC_BASE_URL"] = url  # the links in mails lead here
            yield LiveServer(app, url)
    finally:
        with app.app_context():
            db.engine.dispose()
        drop_scratch_database(database)


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail(f"browser tests cannot run in CI: {CHROMIUM} not found "
                        "(apt-get install chromium)", pytrace=False)
        pytest.skip(f"browser tests skipped: {CHROMIUM} not found; apt-get install chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                              headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def unchecked_loads() -> dict:
    """Per page, the URL of a document that loaded and has not been through axe yet."""
    return {}


@pytest.fixture
def new_page(browser, live_server, unchecked_loads):
    """new_page(locale) opens a page in a fresh context whose browser asks for that
    language (Accept-Language), like a visitor's own browser would. At the end, every
    document the page loaded must have been checked with axe."""
    contexts = []

    def _open(locale: str = "sv-SE") -> Page:
        context = browser.new_context(base_url=live_server.url, locale=locale,
                                      timezone_id="Europe/Stockholm")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        # "load" fires for each new document, not for a jump to #content on the same page.
        page.on("load", lambda loaded: unchecked_loads.__setitem__(loaded, loaded.url))
        return page

    limiter.reset()  # every journey starts with fresh sign-in limits
    yield _open
    # Closing a context drops whatever it still has in flight (the favicon, often); the
    # live server copes with that (tests/browser/live.py).
    closing = ExitStack()
    for context in contexts:
        closing.callback(context.close)
    closing.close()  # every context, even when closing one of them fails
    missed = [url for url in unchecked_loads.values() if url]
    assert not missed, f"pages visited without an axe check: {missed}"


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


def axe_violations(page: Page) -> list[dict]:
    # Axe.run injects axe-core with page.evaluate, which the Content-Security-Policy
    # does not block, so the pages are checked exactly as they are served.
    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]


@pytest.fixture
def axe(unchecked_loads):
    """axe(page) fails the test when axe-core finds a serious or critical problem."""

    def _check(page: Page) -> None:
        page.wait_for_load_state("load")
        violations = axe_violations(page)
        unchecked_loads[page] = None
        lang = page.locator("html").get_attribute("lang")
        lines = [
            f"  {v['id']} ({v['impact']}): {v['help']}\n"
            + "\n".join(f"      at {', '.join(map(str, node['target']))}" for node in v["nodes"])
            for v in violations
        ]
        assert not violations, (f"axe found {len(violations)} serious/critical violation(s) "
                                f"on {page.url} (lang={lang}):\n" + "\n".join(lines))

    return _check
