"""The Content Security Policy in a real Chromium: the pages, GOV.UK Frontend's scripts and
the bpmn-js diagram all work with no inline script or style allowed, and nothing is refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.core.db import Database
from engine.core.models import Case
from tests.support.browser import needs_chromium, sign_in
from tests.support.databases import only_on
from tests.support.procedure import met_case

pytestmark = [needs_chromium, only_on("sqlite")]


@pytest.fixture
def watched(browser) -> Iterator[tuple[object, list[str]]]:
    """A page, and every policy violation Chromium reports on it."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: refused.append(f"script error: {error}"))
    yield page, refused
    context.close()


def test_pages_run_their_scripts_under_the_policy(
    server: str,
    watched,
    app_db: Database,
) -> None:
    page, refused = watched
    page.goto(f"{server}/apply")
    # The template's nonce'd inline script ran, and GOV.UK Frontend's module script after it.
    assert "js-enabled" in page.locator("body").get_attribute("class")
    assert "govuk-frontend-supported" in page.locator("body").get_attribute("class")
    page.get_by_role("button", name="Send application").click()
    # The error summary takes focus only when GOV.UK Frontend's script runs.
    page.locator(".govuk-error-summary:focus").wait_for()
    assert refused == []


def test_the_case_diagram_is_drawn_under_the_policy(
    server: str,
    watched,
    app_db: Database,
) -> None:
    page, refused = watched
    case_id = met_case(app_db)
    with app_db.read() as session:
        reference = session.get(Case, case_id).reference
    sign_in(page, server, "council@example.org")
    page.goto(f"{server}/cases/{reference}")
    drawn = page.locator("[data-diagram-url][data-diagram-ready='true']").first
    drawn.wait_for()
    assert drawn.locator("[data-element-id].task-completed").count() >= 1
    assert refused == []
