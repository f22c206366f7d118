"""The area's brand and the pages the law requires in a real headless Chromium: a member of
the public follows each footer link from the application form, and a signed-in caseworker
sees the same brand; every page is checked with axe-core, the header's colour included."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from engine.core.db import Database
from tests.support.axe import accessibility_problems
from tests.support.browser import needs_chromium, sign_in
from tests.support.databases import only_on

pytestmark = [needs_chromium, only_on("sqlite")]

FOOTER_PAGES = {
    "Privacy": ("/privacy", "Privacy notice"),
    "Accessibility statement": ("/accessibility", "Accessibility statement for ASB Case Review"),
    "Cookies": ("/cookies", "Cookies"),
    "Contact": ("/contact", "Contact"),
}


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: refused.append(str(error)))
    yield page
    context.close()
    assert refused == [], f"refused or failed on the page: {refused}"


def header_colour(page) -> str:  # noqa: ANN001 - a Playwright page
    return page.evaluate(
        "() => getComputedStyle(document.querySelector('.casereview-brand-header')).backgroundColor"
    )


def test_each_footer_page_opens_from_the_footer_and_passes_axe(
    server: str, page, app_db: Database
) -> None:
    for link, (path, heading) in FOOTER_PAGES.items():
        page.goto(f"{server}/apply")
        footer = page.locator(".govuk-footer")
        expect(footer.get_by_text("Derbyshire County Council")).to_be_visible()
        footer.get_by_role("link", name=link, exact=True).click()
        page.wait_for_url(f"{server}{path}")
        expect(page.get_by_role("heading", level=1, name=heading, exact=True)).to_be_visible()
        header = page.locator(".casereview-brand-header")
        expect(header.get_by_text("Derbyshire Community Safety Partnerships")).to_be_visible()
        # The area's colour reached the header through /brand.css, not an inline style.
        assert header_colour(page) == "rgb(29, 79, 145)"
        assert accessibility_problems(page) == [], path


def test_a_signed_in_page_carries_the_brand_and_passes_axe(
    server: str, page, app_db: Database
) -> None:
    sign_in(page, server, "council@example.org")
    header = page.locator(".casereview-brand-header")
    expect(header.get_by_text("Derbyshire Community Safety Partnerships")).to_be_visible()
    assert page.get_by_text("Crown copyright").count() == 0
    assert header_colour(page) == "rgb(29, 79, 145)"
    assert accessibility_problems(page) == []
