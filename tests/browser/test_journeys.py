"""Journeys in a real headless Chromium against the app served on a loopback port.

Chromium comes from the system (Debian's ``chromium``); Playwright drives it. Where there is
no Chromium the tests skip and say how to get one.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engine.core.db import Database
from engine.core.models import Case, Incident
from tests.support.axe import accessibility_problems
from tests.support.browser import needs_chromium, sign_in
from tests.support.databases import only_on
from tests.support.people import COUNCIL
from tests.support.procedure import (
    INVITED,
    application,
    do,
    live,
    lodge,
    met_case,
    reviewed_case,
    submit,
)

pytestmark = [
    needs_chromium,
    # One database is enough to prove a journey through the browser; the routes themselves
    # are tested on both databases.
    only_on("sqlite"),
]


def test_an_applicant_applies_and_sees_a_reference(server: str, page, app_db: Database) -> None:
    page.goto(f"{server}/apply")
    page.get_by_label("Where do you live?").select_option("derbyshire-dales")
    page.get_by_label("Full name").first.fill("Jo Bloggs")
    page.get_by_label("Email address").first.fill("jo@example.com")
    page.locator("#on_behalf-2").check()  # No
    page.get_by_label("By email").check()
    report = page.locator("#incidents-0")
    report.get_by_label("Day").first.fill("12")
    report.get_by_label("Month").first.fill("2")
    report.get_by_label("Year").first.fill("2026")
    report.get_by_label("Day").nth(1).fill("13")
    report.get_by_label("Month").nth(1).fill("2")
    report.get_by_label("Year").nth(1).fill("2026")
    report.get_by_label("Who you reported it to").select_option("police")
    report.get_by_label("What happened").fill("Motorbikes on the footpath every night")
    page.locator("#hate_element-2").check()
    page.get_by_label("Where does the behaviour happen?").fill("The footpath behind Mill Lane")
    page.get_by_label("What would you like to happen?").fill("The motorbikes to stop")
    # The language is asked only once letters in another language are chosen.
    language = page.get_by_label("Which language?")
    expect(language).to_be_hidden()
    page.get_by_label("Another language").check()
    expect(language).to_be_visible()
    assert accessibility_problems(page) == []
    language.fill("Polish")
    page.get_by_role("button", name="Send application").click()
    page.wait_for_url(f"{server}/submitted")
    reference = page.locator("#reference").inner_text()
    assert re.fullmatch(r"CT-2026-\d{5}", reference)
    expect(page.get_by_role("heading", name="Application sent")).to_be_visible()
    assert accessibility_problems(page) == []
    with app_db.read() as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        assert case.applicant["name"] == "Jo Bloggs"
        assert case.details == {
            "place": "The footpath behind Mill Lane",
            "outcome": "The motorbikes to stop",
            "letter_format": "another_language",
            "letter_language": "Polish",
        }


def test_a_police_officer_returns_information_with_a_list_of_incidents(
    server: str, page, app_db: Database
) -> None:
    case_id = submit(app_db, application())
    do(app_db, case_id, "acknowledge", COUNCIL, {"method": "email"})
    do(app_db, case_id, "screen", COUNCIL, {"route": "review", "hate_element": False})
    task_id = live(app_db, case_id)["police_return"].id

    sign_in(page, server, "police@example.org")
    waiting = page.locator("#organisation-tasks")
    waiting.get_by_role("link", name="Police information return").click()
    page.wait_for_url(f"{server}/tasks/{task_id}")
    page.get_by_role("button", name="Claim this task").click()
    expect(page.get_by_text("You claimed 'Police information return'")).to_be_visible()

    def fill_incident(index: int, day: str, reference: str) -> None:
        incident = page.locator(f"#incidents-{index}")
        for nth, value in ((0, day), (1, str(int(day) + 1))):
            incident.get_by_label("Day").nth(nth).fill(value)
            incident.get_by_label("Month").nth(nth).fill("1")
            incident.get_by_label("Year").nth(nth).fill("2026")
        incident.get_by_label("Your reference").fill(reference)
        incident.get_by_label("Summary").fill(f"Report {reference}")

    fill_incident(0, "8", "DC-1")
    page.get_by_role("button", name="Add another incident").click()
    fill_incident(1, "15", "DC-2")
    page.get_by_role("button", name="Add another incident").click()
    fill_incident(2, "22", "DC-3")
    page.get_by_role("button", name="Remove incident 2").click()
    expect(page.locator("#incidents-2")).to_have_count(0)
    assert page.locator("#incidents-1").get_by_label("Your reference").input_value() == "DC-3"
    page.get_by_label("Actions taken so far").fill("Two warnings given")
    page.get_by_label("Your view of the case").fill("Persistent; a review would help")
    page.get_by_role("button", name="Complete task").click()
    page.wait_for_url(f"{server}/")
    expect(page.get_by_text("'Police information return' is complete")).to_be_visible()

    with app_db.read() as session:
        held = session.scalars(
            select(Incident.reference)
            .where(Incident.case_id == case_id, Incident.source != "application")
            .order_by(Incident.occurred_on)
        ).all()
    assert held == ["DC-1", "DC-3"]


def test_the_chair_sees_the_diagram_with_the_active_task_highlighted(
    server: str, page, app_db: Database
) -> None:
    case_id = met_case(app_db)
    do(
        app_db,
        case_id,
        "schedule_meeting",
        COUNCIL,
        {"chair_email": "chair@example.org", "meeting_date": "2026-03-20"},
    )
    do(app_db, case_id, "meeting_pack", COUNCIL, {"pack_ready_on": "2026-03-17"})
    do(app_db, case_id, "meeting_invitation", "chair@example.org", INVITED)
    with app_db.read() as session:
        reference = session.get(Case, case_id).reference

    sign_in(page, server, "chair@example.org")
    page.locator("#my-tasks").get_by_role("link", name=reference).click()
    page.wait_for_url(f"{server}/cases/{reference}")
    review = page.locator("[data-diagram-url][data-diagram-ready='true']").nth(1)
    review.wait_for()
    active = review.locator("[data-element-id='record_meeting'].task-active")
    assert active.count() == 1
    assert review.locator("[data-element-id='meeting_pack'].task-completed").count() == 1
    assert review.locator(".task-active").count() == 1

    # Drawn across the window, wider than the page's column of text, and zoomed on demand.
    assert review.bounding_box()["width"] > 1100
    fitted = _scale(review)
    zoom = page.get_by_role("button", name="Zoom in on ASB case review")
    zoom.click()
    assert _scale(review) == pytest.approx(fitted * 1.25, rel=0.01)
    page.get_by_role("button", name="Fit to width for ASB case review").click()
    assert _scale(review) == pytest.approx(fitted, rel=0.01)
    # The same steps, in words, with where the case is.
    page.get_by_text("The steps of ASB case review, in order").click()
    steps = page.locator("#steps-" + review.get_attribute("id").removeprefix("diagram-"))
    rows = [row.get_by_role("cell").all_inner_texts() for row in steps.locator("tbody tr").all()]
    assert rows[0] == ["Appoint the chair and schedule the meeting", "Council", "Done"]
    assert ["Record the meeting", "Chair", "Waiting"] in rows
    assert ["Carry out the police recommendations", "Police", "Not reached"] in rows
    assert accessibility_problems(page) == []


def _scale(diagram) -> float:  # noqa: ANN001 - a Playwright locator
    """How large bpmn-js draws the diagram: the scale of its viewport's transform."""
    matrix = diagram.locator("g.viewport").get_attribute("transform")
    return float(re.match(r"matrix\(([-\d.e]+)", matrix).group(1))


def test_an_opcc_officer_finds_an_appeal_task(
    server: str, page, app_db: Database, fixed_clock
) -> None:
    _case_id, reference = reviewed_case(app_db, fixed_clock)
    lodge(app_db, reference, "2026-03-20", ["information_not_considered"])

    sign_in(page, server, "opcc@example.org")
    row = page.locator("#organisation-tasks tr", has_text=reference)
    expect(row.get_by_role("link", name="Acknowledge the appeal")).to_be_visible()
    row.get_by_role("link", name="Acknowledge the appeal").click()
    expect(page.get_by_role("heading", name="Acknowledge the appeal")).to_be_visible()
