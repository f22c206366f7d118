"""Every task of the shipped procedure, as the person who does it sees it in Chromium.

One case is taken from its application through screening (which finds a hate element the
applicant did not say), the agencies' returns, a vulnerable victim decision and its senior
officer's confirmation, a review meeting with a draft action plan, the plan's action and an
appeal to the OPCC. At each step the task's page, then the same page sent with its answers
left blank (so it comes back with its errors), pass axe-core's WCAG 2.0, 2.1 and 2.2 A and AA
checks and fit a window 320 pixels wide; then the step is done with real answers and the case
moves on.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from engine.core.clock import FixedClock
from engine.core.db import Database
from tests.support.axe import accessibility_problems
from tests.support.browser import LAPTOP, needs_chromium, sideways_scroll, sign_in
from tests.support.databases import only_on
from tests.support.people import COUNCIL, MANAGER
from tests.support.procedure import (
    ACKNOWLEDGED,
    CONSIDERED,
    INVITED,
    NO_RETURN,
    STANDARD_RISK,
    THREE,
    VIEWS_BY_LETTER,
    application,
    case_of,
    do,
    live,
    lodge,
    submit,
)

pytestmark = [needs_chromium, only_on("sqlite")]

POLICE, CHAIR, OPCC = "police@example.org", "chair@example.org", "opcc@example.org"
MEETING_DAY = "2026-03-20"  # the tests' clock starts on Monday 2 March 2026
# Each step in order: the task, who does it, and their answers.
REVIEW = [
    ("acknowledge", COUNCIL, ACKNOWLEDGED),
    (
        "screen",
        COUNCIL,
        {
            "route": "review",
            "hate_element": True,
            "hate_signposted": True,
            "hate_element_reason": "The incidents describe racist abuse",
        },
    ),
    ("police_return", POLICE, NO_RETURN),
    ("housing_return [child]", "housing@example.org", NO_RETURN),
    ("health_return", "health@example.org", NO_RETURN),
    ("council_return", COUNCIL, NO_RETURN),
    ("risk_assessment", COUNCIL, STANDARD_RISK),
    (
        "threshold_decision",
        COUNCIL,
        {
            "threshold_met": True,
            "decision_basis": "vulnerability",
            "reasons": "The victim is 87 and lives alone",
            "senior_officer": MANAGER,
        },
    ),
    ("confirm_decision", MANAGER, {"decision_confirmed": True}),
    ("decision_letter", COUNCIL, {"method": "email"}),
    ("schedule_meeting", COUNCIL, {"chair_email": CHAIR, "meeting_date": MEETING_DAY}),
    ("meeting_pack", COUNCIL, {"pack_ready_on": "2026-03-17"}),
    ("meeting_invitation", CHAIR, INVITED),
]
MET = [
    (
        "record_meeting",
        CHAIR,
        {
            "held_on": MEETING_DAY,
            "attendees": ["Chair", "Police", "Dales Housing"],
            "findings": "Agencies did not share information",
            "applicant_took_part": "in_person",
            "recommendations": [
                {
                    "organisation": "derbyshire-constabulary",
                    "action": "Patrol on Friday nights",
                    "due_date": "2026-05-01",
                }
            ],
        },
    ),
    ("applicant_views", COUNCIL, VIEWS_BY_LETTER),
    ("finalise_plan", CHAIR, CONSIDERED),
    ("outcome_letter", COUNCIL, {"method": "post", "updates": "Monthly"}),
]
APPEALED = [
    ("acknowledge_appeal", OPCC, {"method": "email"}),
    ("check_eligibility", OPCC, {"eligible": True, "reasons": "In time"}),
    ("case_file", COUNCIL, {"sent_on": MEETING_DAY}),
    ("panel_decision", OPCC, {"appeal_outcome": "not_upheld", "reasons": "The review was fair"}),
    ("decision_letters", OPCC, {"council_told_on": MEETING_DAY}),
    ("police_actions [child]", POLICE, {"action_status": "done", "notes": "Patrols added"}),
]


def _problems(page: Any, where: str) -> list[str]:
    overflow = sideways_scroll(page)
    return [f"{where}: {problem}" for problem in accessibility_problems(page)] + (
        [f"{where}: {overflow}"] if overflow else []
    )


def test_every_task_page_and_its_errors_pass_axe_and_fit_320_pixels(
    server: str, browser: Any, app_db: Database, fixed_clock: FixedClock
) -> None:
    db = app_db
    # Two qualifying complaints, below the area's three: the decision is the officers' own.
    case_id = submit(db, application(THREE[:2]))
    pages: dict[str, Any] = {}
    problems: list[str] = []
    seen_errors = 0

    def step(name: str, email: str, answers: dict) -> None:
        nonlocal seen_errors
        if email not in pages:
            pages[email] = browser.new_context(viewport=LAPTOP).new_page()
            sign_in(pages[email], server, email)
        page = pages[email]
        task = live(db, case_id)[name]
        page.goto(f"{server}/tasks/{task.id}")
        problems.extend(_problems(page, name))
        claim = page.locator("button[name=action][value=claim]")
        if claim.count():
            with page.expect_navigation():
                claim.click()
        for field in page.locator("main form textarea, main form input[type=text]").all():
            field.fill("")
        with page.expect_navigation():
            page.locator("button[name=action][value=complete]").click()
        if page.locator(".govuk-error-summary").count():
            seen_errors += 1
            problems.extend(_problems(page, f"{name}, sent blank"))
        if name in live(db, case_id):
            do(db, case_id, name, email, answers)

    try:
        for name, email, answers in REVIEW:
            step(name, email, answers)
        fixed_clock.advance(timedelta(days=18))  # the day of the meeting
        for name, email, answers in MET:
            step(name, email, answers)
        reference = case_of(db, case_id).reference
        lodge(db, reference, MEETING_DAY, ["information_not_considered"])
        for name, email, answers in APPEALED:
            step(name, email, answers)
    finally:
        for page in pages.values():
            page.context.close()
    assert problems == [], "\n".join(problems)
    # Nearly every form asks for something: most came back with their errors to check.
    assert seen_errors >= len(REVIEW + MET + APPEALED) // 2, seen_errors
    assert live(db, case_id) == {}, "the case went all the way through"
