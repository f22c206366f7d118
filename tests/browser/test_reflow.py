"""The pages on a screen 320 CSS pixels wide (a phone, or a laptop zoomed to 400%), in a real
headless Chromium: nothing scrolls sideways; the tables become lists of their rows, each cell
under its column's heading, with the Claim and Reassign buttons whole and working; the
published figures are read whole there, and where they are a table wider than the page their
box is reached with Tab and scrolled with the arrow keys. Every page is checked with axe-core."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from engine.cases.statistics import ROWS
from engine.core.clock import FixedClock
from engine.core.db import Database
from tests.support.axe import accessibility_problems
from tests.support.browser import needs_chromium, sign_in
from tests.support.case_search import searchable
from tests.support.databases import only_on
from tests.support.figures import PUBLISHED_ORDER, record_facts
from tests.support.people import ADMIN, COUNCIL, MANAGER, add_administrator
from tests.support.procedure import (
    ACKNOWLEDGED,
    application,
    case_of,
    do,
    incident,
    submit,
    through_to_decision,
)
from tests.support.reflow import NARROW, shown_cells, sticking_out, within_window

pytestmark = [needs_chromium, only_on("sqlite")]

# Words no line can break between, as people's records hold them.
LONG_EMAIL = (
    "sam.taylor.of.flat.twelve.at.the.old.mill@matlock-bath-residents-association.example.org"
)
LONG_REFERENCE = "DERBYSHIRE-CONSTABULARY-INCIDENT-2026-000012345"


@pytest.fixture
def phone(browser) -> Iterator[object]:
    """A page in a fresh context 320 CSS pixels wide; a test fails on any script error in it."""
    context = browser.new_context(viewport=NARROW)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def reads_at_320(page) -> None:  # noqa: ANN001 - a Playwright page
    """The page as it stands needs no sideways scrolling and passes axe-core."""
    assert sticking_out(page) == [], f"{page.url} is wider than the screen"
    assert accessibility_problems(page) == [], page.url


def test_the_inbox_lists_each_task_with_its_claim_button_whole_and_working(
    server: str, phone, app_db: Database
) -> None:
    for _ in range(2):
        submit(app_db, application())  # each acknowledgement waits to be claimed
    sign_in(phone, server, COUNCIL)
    reads_at_320(phone)

    waiting = phone.locator("#organisation-tasks")
    first = shown_cells(waiting)[0]
    assert [label for label, _text in first] == ["Case", "District", "Task", "Due", ""]
    assert first[1][1] == "Derbyshire Dales" and first[2][1] == "Acknowledge the application"
    claim = waiting.get_by_role("button", name=re.compile("^Claim Acknowledge the application"))
    assert claim.count() == 2
    button = claim.first
    assert within_window(phone, button), "the Claim button is cut off"
    reference = first[0][1]
    button.click()
    phone.wait_for_url(re.compile(r"/tasks/\d+$"))  # claimed: straight to its form
    expect(phone.get_by_role("heading", name="Acknowledge the application")).to_be_visible()
    reads_at_320(phone)
    phone.goto(f"{server}/")
    expect(phone.locator("#my-tasks").get_by_role("link", name=reference)).to_be_visible()
    assert waiting.get_by_role("button", name=re.compile("^Claim")).count() == 1
    reads_at_320(phone)


def test_the_cases_list_stacks_each_case_under_its_headings(
    server: str, phone, app_db: Database, fixed_clock: FixedClock
) -> None:
    found = searchable(app_db, fixed_clock)
    sign_in(phone, server, COUNCIL)
    phone.goto(f"{server}/cases?q=smith")
    reads_at_320(phone)
    (row,) = shown_cells(phone.locator("#cases"))
    assert [label for label, _text in row] == [
        "Reference",
        "Applicant",
        "District",
        "Status",
        "Received",
    ]
    assert row[0][1] == found["smith"]
    assert within_window(phone, phone.get_by_role("link", name=found["smith"]))


def test_the_team_view_keeps_each_task_s_choice_and_reassign_button_on_the_screen(
    server: str, phone, app_db: Database
) -> None:
    submit(app_db, application())  # its acknowledgement waits to be claimed
    case_id = submit(app_db, application())
    do(app_db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    sign_in(phone, server, MANAGER)
    phone.goto(f"{server}/team")
    reads_at_320(phone)

    held = phone.get_by_role("table", name="Council 1 task")
    assert [label for label, _text in shown_cells(held)[0]] == ["Case", "Task", "Due", "Give to"]
    choice = held.get_by_label("Give Screen the application for")
    reassign = held.get_by_role("button", name="Reassign Screen the application")
    assert within_window(phone, choice) and within_window(phone, reassign)
    choice.select_option(label="Council2")
    reassign.click()
    phone.wait_for_url(f"{server}/team")
    expect(phone.get_by_role("table", name="Council2 1 task")).to_be_visible()
    summary = shown_cells(phone.get_by_role("table", name="Summary"))
    assert ("Tasks", "1") in summary[0], "the figures keep their headings"
    reads_at_320(phone)


def test_a_case_page_with_long_unbroken_words_and_its_diagrams_fits_the_screen(
    server: str, phone, app_db: Database
) -> None:
    case_id = submit(
        app_db,
        application(
            applicant={
                "name": "Sam Taylor",
                "address": "1 Bank Road, Matlock",
                "email": LONG_EMAIL,
            },
            incidents=[incident("2026-01-05", "2026-01-06", "police", LONG_REFERENCE)],
        ),
    )
    through_to_decision(app_db, case_id)
    sign_in(phone, server, COUNCIL)
    phone.goto(f"{server}/cases/{case_of(app_db, case_id).reference}")
    # Every folded part open, and each diagram drawn, as a reader would have them.
    phone.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    phone.locator(".casereview-case-diagram svg").first.wait_for()
    expect(phone.get_by_text(LONG_EMAIL).first).to_be_visible()
    expect(phone.get_by_text(LONG_REFERENCE).first).to_be_visible()
    reads_at_320(phone)

    incidents = shown_cells(phone.locator("#incidents + .casereview-table table"))
    assert ("Reference", LONG_REFERENCE) in incidents[0]
    assert within_window(phone, phone.get_by_text(LONG_REFERENCE).first)


def test_the_published_figures_are_read_whole_at_320_and_reached_by_tab(
    server: str, phone, app_db: Database
) -> None:
    record_facts(app_db)
    phone.goto(f"{server}/statistics?year=2021")
    reads_at_320(phone)

    figures = phone.get_by_role("region", name="Applications and reviews by district, 2021/22")
    phone.get_by_role("button", name="Show figures").focus()
    phone.keyboard.press("Tab")
    assert figures.evaluate("region => region === document.activeElement"), "Tab reaches it"
    focus = figures.evaluate("region => getComputedStyle(region).outline")
    assert focus == "rgb(255, 221, 0) solid 3px", "its focus is shown as GOV.UK shows focus"

    measures = shown_cells(phone.locator("#figures"))
    assert len(measures) == len(ROWS)
    for measure in measures:
        # The measure's name, then each district's figure beside the district's name.
        assert [label for label, _text in measure] == ["", *PUBLISHED_ORDER, "Total"]
        assert all(re.fullmatch(r"\d+", text) for _label, text in measure[1:])
    received = dict(measures[0][1:])
    assert (received["Erewash"], received["Derbyshire Dales"]) == ("4", "3")
    for cell in phone.locator("#figures td").all():
        assert within_window(phone, cell), "every figure on the screen"


def test_the_published_figures_scroll_by_keyboard_where_wider_than_the_page(
    server: str, browser, app_db: Database
) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    page = context.new_page()
    try:
        record_facts(app_db)
        page.goto(f"{server}/statistics?year=2021")
        figures = page.get_by_role("region", name="Applications and reviews by district, 2021/22")
        width = figures.evaluate("region => [region.scrollWidth, region.clientWidth]")
        assert width[0] > width[1], "a table wider than its box at this width"
        assert sticking_out(page) == [], "the box scrolls, not the page"
        page.get_by_role("button", name="Show figures").focus()
        page.keyboard.press("Tab")
        for _ in range(10):
            page.keyboard.press("ArrowRight")
        # The browser scrolls smoothly: wait until it has come to the table's end.
        page.wait_for_function(
            "() => { const region = document.getElementById('figures').parentElement;"
            " return region.scrollLeft + region.clientWidth >= region.scrollWidth - 1; }"
        )
        assert within_window(page, page.get_by_role("columnheader", name="Total"))
        assert accessibility_problems(page) == []
    finally:
        context.close()


PUBLIC_PAGES = [
    "/apply",
    "/your-case",
    "/appeal",
    "/sign-in",
    "/sign-in/forgotten",
    "/accessibility",
    "/privacy",
    "/cookies",
    "/contact",
]


def test_the_public_pages_need_no_sideways_scrolling(server: str, phone, app_db: Database) -> None:
    for path in PUBLIC_PAGES:
        phone.goto(f"{server}{path}")
        reads_at_320(phone)


def test_an_administrator_s_wide_tables_stack_under_the_full_navigation(
    server: str, phone, app_db: Database
) -> None:
    add_administrator(app_db)
    submit(app_db, application())  # a message in the outbox
    sign_in(phone, server, ADMIN)
    for path in ("/outbox", "/audit", "/users"):
        phone.goto(f"{server}{path}")
        reads_at_320(phone)
    row = shown_cells(phone.locator("#users"))[0]
    assert [label for label, _text in row] == ["Name", "Organisation", "Roles", "Access", ""]

    # The header's links, folded behind Menu on a narrow screen, unfold within it.
    phone.get_by_role("button", name="Menu").click()
    audit = phone.get_by_role("link", name="Audit trail")
    expect(audit).to_be_visible()
    assert within_window(phone, audit)
    reads_at_320(phone)
