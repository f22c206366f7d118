"""Journeys done with the keyboard alone, in a real headless Chromium: a member of the public
applies, mistake and all; members of staff sign in, claim their tasks and complete them; an
applicant signs in with the code on a letter and says how they will take part. Tab and
Shift+Tab move between controls, the arrow keys choose a radio, Space ticks and Enter follows a
link or sends a form; nothing is clicked. At every stop the focus must be on something shown, in
the focus style, and axe-core checks the page at each point where it changes.

Whoever cannot use a mouse (or a screen reader's user, who moves the same way) must be able to
do everything here: a control Tab cannot reach, a page that drops the focus after an action or
hides where it is, stops them."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from engine.core.db import Database
from engine.review.applicant_part import CHOICES
from tests.support.applicant import new_letter_code, reference_of
from tests.support.axe import accessibility_problems
from tests.support.browser import needs_chromium
from tests.support.databases import only_on
from tests.support.keyboard import (
    assert_focus_shows,
    focused,
    press,
    press_and_load,
    replace_text,
    tab_to,
    type_text,
    with_id,
    with_text,
)
from tests.support.people import COUNCIL, DEMO_PASSWORD
from tests.support.procedure import application, do, live, submit, through_to_decision

pytestmark = [
    needs_chromium,
    # One database is enough to prove a journey through the browser; the pages are tested on both.
    only_on("sqlite"),
]


def fill_date(page, day: str, month: str, year: str) -> None:  # noqa: ANN001
    """From a date's Day box (which has the focus): its three boxes, in turn."""
    type_text(page, day)
    assert press(page, "Tab").id.endswith("-month")
    type_text(page, month)
    assert press(page, "Tab").id.endswith("-year")
    type_text(page, year)


def choose_option(page, times: int) -> str:  # noqa: ANN001
    """In a focused drop-down list, move down ``times`` options: the value chosen."""
    for _ in range(times):
        page.keyboard.press("ArrowDown")
    return focused(page).value


def test_a_member_of_the_public_applies_with_the_keyboard_alone(
    server: str, page, app_db: Database
) -> None:
    page.goto(f"{server}/apply")
    assert accessibility_problems(page) == []

    # The first Tab reaches the skip link, which takes them past the header to the page.
    skip = press(page, "Tab")
    assert (skip.tag, skip.text) == ("a", "Skip to main content")
    page.keyboard.press("Enter")
    assert focused(page).id == "main-content"
    district = press(page, "Tab")
    assert district.id == "district", "the skip link leads straight to the form"
    # Typing the start of a name in a drop-down list chooses it.
    type_text(page, "Derbys")
    assert focused(page).value == "derbyshire-dales"

    # Who applies: Tab reaches the first answer, and Space chooses it.
    person = press(page, "Tab")
    assert (person.id, person.checked) == ("applying_as", False)
    assert press(page, "Space").checked
    assert press(page, "Tab").id == "applicant-name"
    type_text(page, "Robin Hart")
    # Back to check who applies, and on again.
    assert press(page, "Shift+Tab").id == "applying_as"
    assert press(page, "Tab").id == "applicant-name"
    tab_to(page, with_id("applicant-email"))
    type_text(page, "robin@example.com")

    # Radios: Tab reaches the group, the arrow keys move between its answers and choose.
    behalf = tab_to(page, lambda focus: focus.name == "on_behalf")
    assert (behalf.id, behalf.checked) == ("on_behalf", False), "Tab reaches the first answer"
    no = press(page, "ArrowDown")
    assert (no.id, no.text, no.checked) == ("on_behalf-2", "No", True)
    by_email = tab_to(page, lambda focus: focus.name == "contact_preference")
    assert (by_email.text, by_email.checked) == ("By email", False)
    assert press(page, "Space").checked, "Space chooses the radio with the focus"

    # The first report: its dates a box at a time, who it was reported to, what happened.
    assert press(page, "Tab").id == "incidents-0-occurred_on-day", "one Tab from the radios"
    fill_date(page, "12", "2", "2026")
    assert press(page, "Tab").id == "incidents-0-reported_on-day"
    fill_date(page, "13", "2", "2026")
    assert press(page, "Tab").id == "incidents-0-reported_to"
    assert choose_option(page, 2) == "police"
    tab_to(page, with_id("incidents-0-description"))
    type_text(page, "Stones thrown at the windows")

    # Another report: the page comes back with the focus in the new report, not at the top.
    tab_to(page, with_text("Add another report"))
    press_and_load(page)
    added = assert_focus_shows(page)
    assert added.id == "incidents-1-occurred_on-day", f"the focus went to {added}"
    assert accessibility_problems(page) == []
    fill_date(page, "31", "2", "2026")  # there is no 31 February: the mistake
    assert press(page, "Tab").id == "incidents-1-reported_on-day"
    fill_date(page, "2", "3", "2026")
    assert press(page, "Tab").id == "incidents-1-reported_to"
    assert choose_option(page, 1) == "council"

    hate = tab_to(page, lambda focus: focus.name == "hate_element")
    assert hate.text == "Yes"
    no = press(page, "ArrowRight")  # Yes and No side by side
    assert (no.id, no.checked) == ("hate_element-2", True)

    tab_to(page, with_id("place"))
    type_text(page, "The park behind Station Road")
    tab_to(page, with_id("outcome"))
    type_text(page, "The stone throwing to stop")
    # Letters in another language: choosing it reveals the language, next in the Tab order.
    letters = tab_to(page, lambda focus: focus.name == "letter_format")
    assert (letters.text, letters.checked) == ("Standard", False)
    for _ in range(3):
        chosen = press(page, "ArrowDown")
    assert (chosen.text, chosen.checked) == ("Another language", True)
    assert press(page, "Tab").id == "letter_language", "the revealed answer comes next"
    type_text(page, "Polish")

    # Sent with the mistake: the focus moves to the error summary, whose link leads to the date.
    tab_to(page, with_text("Send application"))
    press_and_load(page)
    summary = assert_focus_shows(page)
    assert "govuk-error-summary" in summary.classes, f"the focus went to {summary}"
    assert accessibility_problems(page) == []
    problem = tab_to(page, lambda focus: focus.href.startswith("#incidents-1-occurred_on"))
    assert problem.tag == "a"
    page.keyboard.press("Enter")
    field = assert_focus_shows(page)
    assert field.id == problem.href.removeprefix("#"), "the link takes the focus to its field"
    assert field.id.startswith("incidents-1-occurred_on-")
    # Nothing typed was lost; they put the date right.
    assert field.value in ("31", "2", "2026")
    if not field.id.endswith("-day"):
        tab_to(page, with_id("incidents-1-occurred_on-day"), backwards=True)
    replace_text(page, "27")
    # The language stays where it was revealed, as typed.
    language = tab_to(page, with_id("letter_language"))
    assert language.value == "Polish"

    tab_to(page, with_text("Send application"))
    press_and_load(page)
    page.wait_for_url(f"{server}/submitted")
    expect(page.get_by_role("heading", name="Application sent")).to_be_visible()
    reference = page.locator("#reference").inner_text()
    assert re.fullmatch(r"CT-2026-\d{5}", reference)
    assert accessibility_problems(page) == []


def sign_in_by_keyboard(page, server: str, email: str) -> None:  # noqa: ANN001
    """From the sign-in page: past the header, the email address, the password, and Enter."""
    page.goto(f"{server}/sign-in")
    assert accessibility_problems(page) == []
    tab_to(page, with_id("email"))
    type_text(page, email)
    assert press(page, "Tab").id == "password"
    type_text(page, DEMO_PASSWORD)
    press_and_load(page)  # Enter in a box sends its form
    page.wait_for_url(f"{server}/")
    assert accessibility_problems(page) == []


def notice_has_the_focus(page) -> str:  # noqa: ANN001
    """A page that opens with a message (a task claimed, a task complete) puts the focus on it,
    so a screen reader reads it out: its text."""
    notice = assert_focus_shows(page)
    assert "govuk-notification-banner" in notice.classes, f"the focus went to {notice}"
    return notice.text


def test_after_the_skip_link_a_mistake_still_takes_the_focus_to_the_error_summary(
    server: str, page
) -> None:
    """The skip link leaves #main-content in the page's address; a form sent from that page
    must not carry it to the answer, whose browser would move there and drop the focus."""
    page.goto(f"{server}/sign-in")
    press(page, "Tab")
    page.keyboard.press("Enter")  # the skip link
    assert press(page, "Tab").id == "email"
    press_and_load(page)  # sent with nothing in it
    summary = assert_focus_shows(page)
    assert "govuk-error-summary" in summary.classes, f"the focus went to {summary}"
    problem = press(page, "Tab")
    assert problem.href == "#email"
    page.keyboard.press("Enter")
    assert assert_focus_shows(page).id == "email"
    assert accessibility_problems(page) == []


def test_a_caseworker_claims_and_completes_their_tasks_with_the_keyboard_alone(
    server: str, page, app_db: Database
) -> None:
    case_id = submit(app_db, application())
    reference = reference_of(app_db, case_id)
    sign_in_by_keyboard(page, server, COUNCIL)

    # The application waits for the council: claimed from the inbox, it opens.
    claim = tab_to(page, lambda focus: focus.tag == "button" and reference in focus.text)
    assert claim.text.startswith("Claim")
    press_and_load(page)
    page.wait_for_url(f"{server}/tasks/{live(app_db, case_id)['acknowledge'].id}")
    assert "You claimed 'Acknowledge the application'" in notice_has_the_focus(page)
    assert accessibility_problems(page) == []
    how = tab_to(page, lambda focus: focus.name == "method")
    assert not how.checked
    assert press(page, "Space").checked
    assert press(page, "Tab").id == "notes"
    type_text(page, "Also told them by phone")
    tab_to(page, with_text("Complete task"))
    press_and_load(page)
    page.wait_for_url(f"{server}/")
    assert "'Acknowledge the application' is complete" in notice_has_the_focus(page)
    assert accessibility_problems(page) == []

    # The next step is theirs already: radios by the arrow keys, and a note.
    screen = tab_to(page, with_text("Screen the application"))
    assert screen.tag == "a"
    press_and_load(page)
    route = tab_to(page, lambda focus: focus.name == "route")
    assert (route.value, route.checked) == ("review", False)
    assert press(page, "Space").checked
    hate = press(page, "Tab")
    assert (hate.name, hate.value) == ("hate_element", "yes"), "one Tab to the next question"
    no = press(page, "ArrowRight")
    assert (no.value, no.checked) == ("no", True)
    tab_to(page, with_id("notes"))
    type_text(page, "Persistent noise; no hate element")
    assert accessibility_problems(page) == []
    tab_to(page, with_text("Complete task"))
    press_and_load(page)
    page.wait_for_url(f"{server}/")
    assert "'Screen the application' is complete" in notice_has_the_focus(page)
    mine = page.locator("#my-tasks")
    assert mine.get_by_role("link", name="Screen the application").count() == 0, "off the list"

    # The case shows both steps done, in the list of the steps after its diagram.
    tab_to(page, lambda focus: focus.tag == "a" and focus.text == reference)
    press_and_load(page)
    page.locator("[data-diagram-ready='true']").first.wait_for()
    steps = tab_to(page, lambda focus: focus.text.startswith("The steps of Community Trigger"))
    assert steps.tag == "summary"
    press(page, "Enter")  # opens the list
    table = page.locator("details[open] table").first
    for step in ("Acknowledge the application", "Screen the application"):
        assert table.locator("tr", has_text=step).locator("td").last.inner_text() == "Done"
    assert accessibility_problems(page) == []
    # The notice bpmn.io's logo on the diagram opens over the page closes with Escape.
    logo = press(page, "Shift+Tab")
    assert "bjs-powered-by" in logo.classes
    page.keyboard.press("Enter")
    notice = page.locator(".bjs-powered-by-lightbox")
    expect(notice).to_be_visible()
    page.keyboard.press("Escape")
    assert notice.count() == 0
    assert "bjs-powered-by" in assert_focus_shows(page).classes, "the focus is where it was"


def test_a_police_officer_claims_a_task_and_returns_dated_incidents_with_the_keyboard(
    server: str, page, app_db: Database
) -> None:
    case_id = submit(app_db, application())
    do(app_db, case_id, "acknowledge", COUNCIL, {"method": "email"})
    do(app_db, case_id, "screen", COUNCIL, {"route": "review", "hate_element": False})
    task_id = live(app_db, case_id)["police_return"].id
    sign_in_by_keyboard(page, server, "police@example.org")

    # Opened from the organisation's tasks, claimed on its own page.
    tab_to(page, with_text("Police information return"))
    press_and_load(page)
    page.wait_for_url(f"{server}/tasks/{task_id}")
    tab_to(page, with_text("Claim this task"))
    press_and_load(page)
    assert "You claimed 'Police information return'" in notice_has_the_focus(page)
    assert accessibility_problems(page) == []

    first = tab_to(page, with_id("incidents-0-occurred_on-day"))
    assert first.text == "Day"
    fill_date(page, "8", "1", "2026")
    assert press(page, "Tab").id == "incidents-0-reported_on-day"
    fill_date(page, "9", "1", "2026")
    assert press(page, "Tab").id == "incidents-0-reference"
    type_text(page, "DC-1")
    assert press(page, "Tab").id == "incidents-0-description"
    type_text(page, "Youths shouting in the street")

    # A second incident: the page comes back with the focus on its first box.
    tab_to(page, with_text("Add another incident"))
    press_and_load(page)
    added = assert_focus_shows(page)
    assert added.id == "incidents-1-occurred_on-day", f"the focus went to {added}"
    assert page.locator("#incidents-0-reference").input_value() == "DC-1", "kept"
    fill_date(page, "15", "1", "2026")
    assert press(page, "Tab").id == "incidents-1-reported_on-day"
    fill_date(page, "16", "1", "2026")
    assert press(page, "Tab").id == "incidents-1-reference"
    type_text(page, "DC-2")

    tab_to(page, with_id("actions_taken"))
    type_text(page, "Two warnings given")
    assert press(page, "Tab").id == "view"
    type_text(page, "Persistent; a review would help")
    tab_to(page, with_text("Complete task"))
    press_and_load(page)
    page.wait_for_url(f"{server}/")
    assert "'Police information return' is complete" in notice_has_the_focus(page)
    assert page.get_by_role("link", name="Police information return").count() == 0
    assert "police_return" not in live(app_db, case_id)


def test_an_applicant_signs_in_with_their_code_and_says_how_they_take_part_by_keyboard(
    server: str, page, app_db: Database
) -> None:
    applicant = {"name": "Sam Taylor", "address": "1 Bank Road, Matlock", "postcode": "DE4 3AB"}
    case_id = submit(app_db, application(applicant=applicant, contact_preference="letter"))
    through_to_decision(app_db, case_id)
    met = {"threshold_met": True, "decision_basis": "count"}
    do(app_db, case_id, "threshold_decision", COUNCIL, met)
    do(app_db, case_id, "decision_letter", COUNCIL, {"method": "post"})
    reference, code = reference_of(app_db, case_id), new_letter_code(app_db, case_id)

    # The code on their letter, typed into the first form of the page, and Enter.
    page.goto(f"{server}/your-case")
    assert accessibility_problems(page) == []
    tab_to(page, with_id("code-reference"))
    type_text(page, reference)
    assert press(page, "Tab").id == "code"
    type_text(page, code)
    assert press(page, "Tab").id == "postcode"
    type_text(page, "DE4 3AB")
    press_and_load(page)
    page.wait_for_url(f"{server}/your-case/{reference}")
    assert accessibility_problems(page) == []

    tab_to(page, with_text("Tell us how you want to take part"))
    press_and_load(page)
    page.wait_for_url(f"{server}/your-case/{reference}/meeting")
    assert accessibility_problems(page) == []
    first = tab_to(page, lambda focus: focus.name == "choice")
    assert first.id == "choice"
    # Down through the answers: each one passed reveals its own question and hides it again.
    chosen = first
    for _ in range(len(CHOICES)):
        if chosen.value == "written_statement":
            break
        chosen = press(page, "ArrowDown")
        assert chosen.checked
    assert chosen.value == "written_statement"
    statement = press(page, "Tab")
    assert statement.id == "statement", "the question the answer revealed comes next"
    type_text(page, "It goes on every night and I cannot sleep.")
    # The hidden questions of the other answers are passed over.
    assert press(page, "Tab").id == "needs"
    type_text(page, "Large print, please")
    assert accessibility_problems(page) == []
    tab_to(page, with_text("Send your answer"))
    press_and_load(page)
    page.wait_for_url(f"{server}/your-case/{reference}")
    assert "we have told the chair of your review" in notice_has_the_focus(page)

    # Signing out is above the message, in the page's header: back up to it.
    assert press(page, "Shift+Tab").text == "Sign out"
    press_and_load(page)
    page.wait_for_url(f"{server}/your-case")
    expect(page.get_by_text("You have signed out")).to_be_visible()
