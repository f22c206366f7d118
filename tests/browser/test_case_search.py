"""Finding a case in a real Chromium, as a caseworker does: a name typed in the inbox's box,
the list narrowed and sorted in its form, a page further on, a wrong date put right, a whole
reference straight to its case; every page checked with axe-core."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from engine.cases.opening import open_case
from engine.core.clock import FixedClock
from engine.core.db import Database
from tests.support.axe import accessibility_problems
from tests.support.browser import needs_chromium, sign_in
from tests.support.case_search import searchable
from tests.support.databases import only_on
from tests.support.people import COUNCIL

pytestmark = [
    needs_chromium,
    # One database is enough to prove the journey; the pages are tested on both.
    only_on("sqlite"),
]
TEXT = "Reference, name, address or postcode"


def test_a_caseworker_finds_cases_by_name_narrows_them_and_opens_one(
    server: str, page, app_db: Database, fixed_clock: FixedClock
) -> None:
    found = searchable(app_db, fixed_clock)
    with app_db.transaction() as session:
        for day in range(1, 31):
            case = open_case(session, "derbyshire-dales", date(2026, 1, day))
            case.applicant = {"name": f"Person {day}", "address": "Matlock"}
    sign_in(page, server, COUNCIL)

    page.get_by_label("Find a case").fill("smith")
    page.get_by_role("button", name="Find", exact=True).click()
    page.wait_for_url(re.compile(r"/cases\?q=smith$"))
    expect(page.get_by_role("heading", name="1 case found")).to_be_visible()
    rows = page.locator("#cases tbody tr")
    assert rows.count() == 1
    assert "Tom Smith" in rows.first.inner_text() and "For Ava Smithson" in rows.first.inner_text()
    assert page.get_by_role("link", name="Cases").get_attribute("aria-current") == "true"
    assert accessibility_problems(page) == []

    page.get_by_label(TEXT).fill("")
    page.get_by_label("District").select_option("derbyshire-dales")
    page.get_by_label("Sort by").select_option("received-oldest")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="33 cases found")).to_be_visible()
    assert "Person 1" in rows.first.inner_text(), "the oldest first"
    assert accessibility_problems(page) == []
    page.get_by_role("link", name="Page 2").click()
    expect(page.get_by_text("Cases 26 to 33")).to_be_visible()
    assert page.get_by_label("Sort by").input_value() == "received-oldest", "the search kept"
    assert found["smith"] in rows.last.inner_text(), "the newest last"
    assert accessibility_problems(page) == []

    page.goto(f"{server}/cases?q=hall&status=lost")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert "Select a status from the list" in summary.inner_text()
    assert page.get_by_label(TEXT).input_value() == "hall", "the rest kept"
    assert accessibility_problems(page) == []
    summary.get_by_role("link", name="Select a status from the list").click()
    page.get_by_label("Status").select_option("received")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 case found")).to_be_visible()
    assert found["paper"] in rows.first.inner_text()

    page.get_by_label(TEXT).fill(found["obrien"])
    page.get_by_label("Status").select_option("")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(f"{server}/cases/{found['obrien']}")
    expect(page.get_by_role("heading", name=re.compile(f"Case {found['obrien']}"))).to_be_visible()
