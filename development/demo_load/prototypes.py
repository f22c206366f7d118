"""The prototypes: one case per stage, taken there by the real procedure, and read back whole.

Every other case the load adds is a copy of one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import FromClause, select
from sqlalchemy.engine import Connection

from development.demo import STANDARD_RISK, active_users_by_email
from engine.core import clock
from engine.core.config import Settings
from engine.core.db import Database
from engine.core.models import (
    LIVE_TASK_STATES,
    Appeal,
    Case,
    CaseParticipant,
    CaseStatusChange,
    Incident,
    ProcessInstance,
    Recommendation,
    Review,
    Task,
    TaskCandidate,
)
from engine.core.workdays import add_working_days

PROTOTYPE_DISTRICT = "derbyshire-dales"
PROTOTYPE_COUNCIL = "derbyshire-dales-district-council"
PROTOTYPE_HOUSING = "dales-housing"


@dataclass
class Prototype:
    """A prototype case as stored: its rows in each table a copy needs, by table name."""

    stage: str
    reference: str
    received_on: date
    rows: dict[str, list[dict[str, Any]]]


def _incidents(today: date, count: int) -> list[dict[str, str]]:
    behaviours = [
        (70, 1, "police", "DC-24-1187", "Loud music and shouting from next door until 3am"),
        (45, 2, "housing", "", "Bins set alight in the shared yard"),
        (30, 1, "council", "", "Abuse shouted at my children on the way to school"),
        (12, 3, "police", "DC-24-2051", "Stones thrown at the back windows"),
    ]
    return [
        {
            "occurred_on": (today - timedelta(days=ago)).isoformat(),
            "reported_on": (today - timedelta(days=ago - after)).isoformat(),
            "reported_to": to,
            "reference": reference,
            "description": what,
        }
        for ago, after, to, reference, what in behaviours[:count]
    ]


def build_prototypes(db: Database, settings: Settings) -> dict[str, int]:
    """One case per stage, taken there by the real procedure; returns stage -> case id."""
    from engine.intake.appeals import submit_appeal
    from engine.intake.applications import submit_application
    from engine.procedure import complete_task

    today = clock.today()
    iso = today.isoformat()
    # A meeting is arranged for a working day; on a weekend it is held early, rescheduled.
    meeting_day = add_working_days(today, 0).isoformat()
    with db.read() as session:
        users = active_users_by_email(session)

    def start(incidents: int = 3) -> int:
        payload = {
            "district": PROTOTYPE_DISTRICT,
            "applicant": {
                "name": "Sam Taylor",
                "address": "12 Example Street, Matlock",
                "email": "sam.taylor@example.com",
                "phone": "07700 900123",
            },
            "on_behalf": False,
            "contact_preference": "email",
            "incidents": _incidents(today, incidents),
            "hate_element": False,
            "impact": "We no longer feel safe in our home.",
            "place": "The park behind Station Road, Matlock",
            "outcome": "I want the noise and the damage to stop.",
        }
        with db.transaction() as session:
            return submit_application(session, payload, settings).id

    def do(case_id: int, spec_name: str, email: str, data: dict[str, Any]) -> None:
        with db.read() as session:
            task_ids = session.scalars(
                select(Task.id).where(
                    Task.case_id == case_id,
                    Task.spec_name == spec_name,
                    Task.state.in_(LIVE_TASK_STATES),
                )
            ).all()
        for task_id in task_ids:
            complete_task(db, task_id, users[email], data, forms_dir=settings.forms_dir)

    council, chair = "caseworker@dales.example.org", "chair@highpeak.example.org"
    no_return = {"incidents": [], "actions_taken": "Advice given", "view": "Supports a review"}
    recommendations = [
        {
            "organisation": "derbyshire-constabulary",
            "action": "Weekend patrols for six weeks",
            "due_date": (today + timedelta(days=28)).isoformat(),
        },
        {
            "organisation": PROTOTYPE_HOUSING,
            "action": "Serve a formal warning",
            "due_date": (today + timedelta(days=28)).isoformat(),
        },
    ]

    def acknowledged(case_id: int) -> int:
        do(case_id, "acknowledge", council, {"method": "email"})
        return case_id

    def screened(case_id: int) -> int:
        acknowledged(case_id)
        do(case_id, "screen", council, {"route": "review", "hate_element": False})
        return case_id

    def returned(case_id: int) -> int:
        screened(case_id)
        do(case_id, "police_return", "police@derbyshire.example.org", no_return)
        do(case_id, "housing_return [child]", "housing@dales-housing.example.org", no_return)
        do(case_id, "health_return", "health@icb.example.org", no_return)
        # The caseworker who screened the case has the council's return: work stays with them.
        do(case_id, "council_return", council, no_return)
        do(case_id, "risk_assessment", council, STANDARD_RISK)
        return case_id

    def decided(case_id: int) -> int:
        returned(case_id)
        do(
            case_id,
            "threshold_decision",
            council,
            {"threshold_met": True, "decision_basis": "count"},
        )
        do(case_id, "decision_letter", council, {"method": "email"})
        return case_id

    def arranged(case_id: int) -> int:
        decided(case_id)
        do(
            case_id,
            "schedule_meeting",
            council,
            {"chair_email": chair, "meeting_date": meeting_day},
        )
        do(case_id, "meeting_pack", council, {"pack_ready_on": iso})
        return case_id

    def met(case_id: int, with_recommendations: bool) -> int:
        arranged(case_id)
        meeting = {
            "held_on": iso,
            "rescheduled": meeting_day != iso,
            "attendees": ["Review chair", "Derbyshire Constabulary", "Dales Housing"],
            "findings": "Reports were not shared between the agencies.",
            "applicant_took_part": "remotely",
            "recommendations": recommendations if with_recommendations else [],
        }
        invited = {"invite": True, "method": "email"}
        do(case_id, "meeting_invitation", chair, invited)
        do(case_id, "record_meeting", chair, meeting)
        if with_recommendations:
            views = {"views": "Please patrol on Friday nights too.", "given_by": "telephone"}
            do(case_id, "applicant_views", council, views)
            considered = {"views_considered": "Friday nights were added to the patrols."}
            do(case_id, "finalise_plan", chair, considered)
        outcome = {"method": "email", "updates": "A monthly email from the SPOC"}
        do(case_id, "outcome_letter", council, outcome)
        return case_id

    def closed(case_id: int) -> int:
        met(case_id, True)
        done = {"action_status": "done", "notes": "Completed as agreed"}
        do(case_id, "police_actions [child]", "police@derbyshire.example.org", done)
        do(case_id, "housing_actions [child]", "housing@dales-housing.example.org", done)
        return case_id

    def not_met(case_id: int) -> int:
        returned(case_id)
        decision = {
            "threshold_met": False,
            "decision_basis": "discretion",
            "reasons": "One recent report, which the police have dealt with",
            "persistence": "Not persistent",
            "harm": "Low",
            "adequacy": "The police responded on the day",
        }
        do(case_id, "threshold_decision", council, decision)
        do(case_id, "decision_letter", council, {"method": "post"})
        return case_id

    def appealed(case_id: int) -> int:
        met(case_id, False)
        with db.transaction() as session:
            submit_appeal(
                session,
                {
                    "case_reference": session.get_one(Case, case_id).reference,
                    "letter_date": iso,
                    "grounds": ["information_not_considered"],
                    "details": "The housing provider's records were not looked at.",
                },
                settings,
            )
        return case_id

    builders: dict[str, Callable[[], int]] = {
        "received": lambda: start(),
        "screening": lambda: acknowledged(start()),
        "awaiting_information": lambda: screened(start(4)),
        "threshold_decision": lambda: returned(start()),
        "review_being_arranged": lambda: decided(start()),
        "review_meeting": lambda: arranged(start(4)),
        "action_plan": lambda: met(start(), True),
        "appeal_lodged": lambda: appealed(start()),
        "closed_not_met": lambda: not_met(start(2)),
        "closed": lambda: closed(start(4)),
    }

    return {stage: build() for stage, build in builders.items()}


def read_prototype(connection: Connection, stage: str, case_id: int) -> Prototype:
    def rows(table: FromClause, where: Any) -> list[dict[str, Any]]:
        query = select(table).where(where)
        if "id" in table.c:
            query = query.order_by(table.c.id)
        return [dict(row._mapping) for row in connection.execute(query)]

    case = rows(Case.__table__, Case.id == case_id)
    task_ids = select(Task.id).where(Task.case_id == case_id)
    review_ids = select(Review.id).where(Review.case_id == case_id)
    found = {
        "cases": case,
        "incidents": rows(Incident.__table__, Incident.case_id == case_id),
        "case_participants": rows(CaseParticipant.__table__, CaseParticipant.case_id == case_id),
        "case_status_changes": rows(
            CaseStatusChange.__table__, CaseStatusChange.case_id == case_id
        ),
        "process_instances": rows(ProcessInstance.__table__, ProcessInstance.case_id == case_id),
        "tasks": rows(Task.__table__, Task.case_id == case_id),
        "task_candidates": rows(TaskCandidate.__table__, TaskCandidate.task_id.in_(task_ids)),
        "reviews": rows(Review.__table__, Review.case_id == case_id),
        "recommendations": rows(Recommendation.__table__, Recommendation.review_id.in_(review_ids)),
        "appeals": rows(Appeal.__table__, Appeal.case_id == case_id),
    }
    return Prototype(stage, case[0]["reference"], case[0]["received_on"], found)
