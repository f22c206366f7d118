"""The oversight page in a real Chromium: each chart an image with a name and a description,
its figures in the table beside it, the filters working, and axe finding nothing wrong."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from engine.core.db import Database
from tests.support.axe import accessibility_problems
from tests.support.browser import NARROWEST, needs_chromium, sideways_scroll, sign_in
from tests.support.databases import only_on
from tests.support.figures import record_facts
from tests.support.people import OPCC

pytestmark = [needs_chromium, only_on("sqlite")]


@pytest.fixture
def base(app_db: Database, server: str) -> str:
    record_facts(app_db)
    return server


def test_the_charts_come_with_their_tables_and_pass_axe(page: Any, base: str) -> None:
    sign_in(page, base, OPCC)
    page.get_by_role("link", name="Oversight").click()
    page.get_by_label("Financial year", exact=True).select_option("2021")
    page.get_by_role("button", name="Show figures").click()
    expect(page).to_have_url(re.compile(r"/oversight\?district=&year=2021$"))

    chart = page.get_by_role("img", name="Applications received by district, 2021/22")
    expect(chart).to_be_visible()
    assert chart.locator("rect").count() == 9
    # Its figures, in the table that follows it.
    table = page.get_by_role("table", name="Applications and threshold decisions by district")
    dales = table.get_by_role("row", name="Derbyshire Dales")
    assert dales.get_by_role("cell").all_inner_texts() == ["3", "1", "1"]
    steps = page.get_by_role("img", name="Share of each step taken on time, 2021/22")
    expect(steps).to_be_visible()
    expect(page.get_by_role("table", name="Time to each step, 2021/22")).to_be_visible()
    expect(page.get_by_role("img", name="Applications received by financial year")).to_be_visible()
    assert accessibility_problems(page) == []

    page.get_by_label("District", exact=True).select_option("erewash")
    page.get_by_role("button", name="Show figures").click()
    assert (
        page.get_by_role("img", name="Applications received by district, 2021/22")
        .locator("rect")
        .count()
        == 1
    )
    page.set_viewport_size(NARROWEST)
    assert sideways_scroll(page) is None
    assert accessibility_problems(page) == []


def test_a_bad_filter_is_answered_with_a_message_that_passes_axe(page: Any, base: str) -> None:
    sign_in(page, base, OPCC)
    page.goto(f"{base}/oversight?year=next")
    summary = page.locator(".govuk-error-summary")
    assert "Choose a financial year from the list" in summary.inner_text()
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "year"
    assert accessibility_problems(page) == []


def test_a_year_with_nothing_is_an_empty_view_that_passes_axe(page: Any, base: str) -> None:
    sign_in(page, base, OPCC)
    page.goto(f"{base}/oversight?year=2012")
    assert "The service holds no applications for 2012/13" in page.locator("#nothing").inner_text()
    assert page.get_by_label("Financial year", exact=True).input_value() == "2012"
    assert accessibility_problems(page) == []
