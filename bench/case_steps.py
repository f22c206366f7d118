"""A whole case's user tasks, in the order people do them, with answers each task's form
accepts: the application (acknowledged, screened, four information returns, the risk, the
threshold decision and its letter), the case review (the meeting and its three
recommendations' actions, the applicant's views, the outcome letter) and an appeal against
it, which the OPCC does not uphold. The answers are those of the demo cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from development.demo import STANDARD_RISK
from engine.core import clock
from engine.core.workdays import add_working_days

COUNCIL = "caseworker@dales.example.org"
POLICE = "police@derbyshire.example.org"
HOUSING = "housing@dales-housing.example.org"
HEALTH = "health@icb.example.org"
CHAIR = "chair@highpeak.example.org"
OPCC = "opcc@opcc.example.org"
PEOPLE = (COUNCIL, POLICE, HOUSING, HEALTH, CHAIR, OPCC)


@dataclass(frozen=True)
class Step:
    task: str  # the task's spec name, as its row holds it
    email: str
    data: dict[str, Any]


def application() -> dict[str, Any]:
    today = clock.today()

    def incident(days_ago: int, to: str, reference: str, what: str) -> dict[str, str]:
        occurred = today - timedelta(days=days_ago)
        return {
            "occurred_on": occurred.isoformat(),
            "reported_on": (occurred + timedelta(days=1)).isoformat(),
            "reported_to": to,
            "reference": reference,
            "description": what,
        }

    return {
        "district": "derbyshire-dales",
        "applicant": {
            "name": "Robin Ashby",
            "address": "3 Example Street",
            "email": "robin@example.com",
        },
        "on_behalf": False,
        "contact_preference": "email",
        "incidents": [
            incident(70, "police", "DC-24-1187", "Loud music and shouting until 3am"),
            incident(45, "housing", "", "Bins set alight in the shared yard"),
            incident(30, "council", "", "Abuse shouted at my children on the way to school"),
        ],
        "hate_element": False,
        "impact": "We no longer feel safe in our home.",
        "place": "Outside my house, and on the shared path behind it",
        "outcome": "I want the noise and the damage to stop.",
    }


def appeal(reference: str) -> dict[str, Any]:
    return {
        "case_reference": reference,
        "letter_date": clock.today().isoformat(),
        "grounds": ["information_not_considered"],
        "details": "The housing provider's records were not looked at.",
    }


def before_appeal() -> list[Step]:
    """The application and the review, up to the outcome letter and the actions."""
    today = clock.today().isoformat()
    # A meeting is arranged for a working day; on a weekend it is held early, rescheduled.
    meeting_day = add_working_days(clock.today(), 0).isoformat()
    due = (clock.today() + timedelta(days=28)).isoformat()
    no_return = {"incidents": [], "actions_taken": "Advice given", "view": "Supports a review"}
    recommendations = [
        {"organisation": organisation, "action": action, "due_date": due}
        for organisation, action in (
            ("derbyshire-dales-district-council", "Install lighting on the shared path"),
            ("derbyshire-constabulary", "Weekend patrols for six weeks"),
            ("dales-housing", "Serve a formal warning"),
        )
    ]
    done = {"action_status": "done", "notes": "Done as the plan said."}
    return [
        Step("acknowledge", COUNCIL, {"method": "email"}),
        Step("screen", COUNCIL, {"route": "review", "hate_element": False}),
        Step("police_return", POLICE, no_return),
        Step("housing_return [child]", HOUSING, no_return),
        Step("health_return", HEALTH, no_return),
        Step("council_return", COUNCIL, no_return),
        Step("risk_assessment", COUNCIL, STANDARD_RISK),
        Step("threshold_decision", COUNCIL, {"threshold_met": True, "decision_basis": "count"}),
        Step("decision_letter", COUNCIL, {"method": "email"}),
        Step("schedule_meeting", COUNCIL, {"chair_email": CHAIR, "meeting_date": meeting_day}),
        Step("meeting_pack", COUNCIL, {"pack_ready_on": today}),
        Step("meeting_invitation", CHAIR, {"invite": True, "method": "email"}),
        Step(
            "record_meeting",
            CHAIR,
            {
                "held_on": today,
                "rescheduled": meeting_day != today,
                "attendees": ["Review chair", "Derbyshire Constabulary", "Dales Housing"],
                "findings": "Reports were not shared between the agencies.",
                "applicant_took_part": "remotely",
                "recommendations": recommendations,
            },
        ),
        Step(
            "applicant_views",
            COUNCIL,
            {"views": "Please patrol on Friday nights too.", "given_by": "telephone"},
        ),
        Step("finalise_plan", CHAIR, {"views_considered": "Friday nights were added."}),
        Step(
            "outcome_letter",
            COUNCIL,
            {"method": "email", "updates": "A monthly email from the SPOC"},
        ),
        Step("council_actions [child]", COUNCIL, done),
        Step("police_actions [child]", POLICE, done),
        Step("housing_actions [child]", HOUSING, done),
    ]


def after_appeal() -> list[Step]:
    """The appeal, lodged once the review's outcome letter has gone."""
    today = clock.today().isoformat()
    return [
        Step("acknowledge_appeal", OPCC, {"method": "email"}),
        Step("check_eligibility", OPCC, {"eligible": True, "reasons": "In time, on a ground"}),
        Step("case_file", COUNCIL, {"sent_on": today}),
        Step("panel_decision", OPCC, {"appeal_outcome": "not_upheld", "reasons": "Done well"}),
        Step("decision_letters", OPCC, {"council_told_on": today}),
    ]
