"""Fixtures of the browser tests: the app served on a loopback port, and a headless Chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from engine.core.db import Database
from tests.support.browser import CHROMIUM
from tests.support.procedure import deploy_review_and_appeal
from tests.support.web import make_app


@pytest.fixture
def server(app_db: Database, tmp_path: Path) -> Iterator[str]:
    """The app on every shipped diagram, served on a port the kernel chose: its address."""
    deploy_review_and_appeal(app_db)
    app = make_app(app_db, tmp_path)
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A headless Chromium for a module's tests, each of which opens its own context."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    """A page in a fresh context at a laptop's size; a test fails on any script error in it.
    A module that needs another size or more checks defines its own."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"
