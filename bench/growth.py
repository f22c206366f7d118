"""Growth: the cost of a completion as the instance's history grows."""

from __future__ import annotations

import statistics
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bench.measure import Row, ms, say, timed
from development.demo import STANDARD_RISK
from engine.core import clock
from engine.core.config import load_settings
from engine.core.db import Database
from engine.core.models import (
    ProcessDefinition,
    ProcessInstance,
    Task,
    User,
)
from engine.core.workdays import add_working_days


def growth(env: dict[str, str], db: Database, label: str) -> list[Row]:
    from engine.intake.applications import submit_application
    from engine.people.accounts import get_user
    from engine.procedure import complete_task

    settings = load_settings(env)
    today = clock.today().isoformat()
    with db.read() as session:
        users = {
            email: get_user(session, user_id)
            for user_id, email in session.execute(select(User.id, User.email))
        }

    def do(case_id: int, spec_name: str, email: str, data: dict[str, Any]) -> list[float]:
        with db.read() as session:
            ids = session.scalars(
                select(Task.id)
                .where(Task.case_id == case_id, Task.spec_name == spec_name)
                .where(Task.state.in_(["open", "claimed"]))
                .order_by(Task.id)
            ).all()
        return [
            timed(
                lambda task_id=task_id: complete_task(
                    db, task_id, users[email], data, forms_dir=settings.forms_dir
                )
            )
            for task_id in ids
        ]

    incidents = [
        {
            "occurred_on": (clock.today() - timedelta(days=ago)).isoformat(),
            "reported_on": (clock.today() - timedelta(days=ago - 1)).isoformat(),
            "reported_to": "police",
            "reference": f"DC-{ago}",
            "description": "Shouting",
        }
        for ago in (40, 30, 20)
    ]
    with db.transaction() as session:
        case_id = submit_application(
            session,
            {
                "district": "derbyshire-dales",
                "applicant": {"name": "Growth Test", "address": "1 Bank Road, Matlock"},
                "on_behalf": False,
                "incidents": incidents,
                "hate_element": False,
                "impact": "Sleepless nights",
                "place": "The park behind Station Road",
                "outcome": "The shouting to stop",
            },
            settings,
        ).id
    council, police = "caseworker@dales.example.org", "police@derbyshire.example.org"
    # A meeting is arranged for a working day that has not passed: today, or the next one.
    meeting_day = add_working_days(clock.today(), 0).isoformat()
    no_return = {"incidents": [], "actions_taken": "None", "view": "Supports a review"}
    do(case_id, "acknowledge", council, {"method": "email"})
    do(case_id, "screen", council, {"route": "review", "hate_element": False})
    do(case_id, "police_return", police, no_return)
    do(case_id, "housing_return [child]", "housing@dales-housing.example.org", no_return)
    do(case_id, "health_return", "health@icb.example.org", no_return)
    do(case_id, "council_return", council, no_return)
    do(case_id, "risk_assessment", council, STANDARD_RISK)
    do(case_id, "threshold_decision", council, {"threshold_met": True, "decision_basis": "count"})
    do(case_id, "decision_letter", council, {"method": "email"})
    do(
        case_id,
        "schedule_meeting",
        council,
        {"chair_email": "chair@highpeak.example.org", "meeting_date": meeting_day},
    )
    do(case_id, "meeting_pack", council, {"pack_ready_on": today})
    due = (clock.today() + timedelta(days=60)).isoformat()
    actions = [
        {"organisation": "derbyshire-constabulary", "action": f"Action {n}", "due_date": due}
        for n in range(60)
    ]
    chair = "chair@highpeak.example.org"
    do(case_id, "meeting_invitation", chair, {"invite": True, "method": "email"})
    do(
        case_id,
        "record_meeting",
        chair,
        {
            "held_on": today,
            # Today, or held early when today is not a working day to arrange it for.
            "rescheduled": meeting_day != today,
            "attendees": ["Chair"],
            "findings": "Findings",
            "applicant_took_part": "did_not_take_part",
            "recommendations": actions,
        },
    )
    do(case_id, "applicant_views", council, {"views": "None", "given_by": "letter"})
    do(case_id, "finalise_plan", chair, {"views_considered": "Noted"})
    do(
        case_id,
        "outcome_letter",
        council,
        {"method": "email", "updates": "Monthly"},
    )
    sizes: list[int] = []
    costs: list[float] = []
    with db.read() as session:
        instance_id = session.scalar(
            select(ProcessInstance.id)
            .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
            .where(ProcessInstance.case_id == case_id, ProcessDefinition.key == "asb_case_review")
        )
        ids = session.scalars(
            select(Task.id)
            .where(Task.instance_id == instance_id, Task.state.in_(["open", "claimed"]))
            .order_by(Task.id)
        ).all()
    done_data = {"action_status": "done", "notes": "Done"}
    for task_id in ids[:55]:
        costs.append(
            timed(
                lambda task_id=task_id: complete_task(
                    db, task_id, users[police], done_data, forms_dir=settings.forms_dir
                )
            )
        )
        with db.read() as session:
            sizes.append(
                session.scalar(
                    select(func.length(ProcessInstance.workflow_json)).where(
                        ProcessInstance.id == instance_id
                    )
                )
            )
    # The instance already holds the review's completed tasks before the first action.
    with db.read() as session:
        base = session.scalar(
            select(func.count())
            .select_from(Task)
            .where(Task.instance_id == instance_id, Task.state == "completed")
        ) - len(costs)

    def at(history: int) -> tuple[float, int]:
        # The median of the seven completions around the point: of three, one slow moment on
        # a busy machine could move the ratio past its target.
        index = max(0, history - base)
        window = costs[max(0, index - 3) : index + 4]
        return statistics.median(window), sizes[min(index, len(sizes) - 1)]

    points = {history: at(history) for history in (1, 10, 50)}
    say(
        "  growth: "
        + ", ".join(f"{h} done: {ms(c)} ms, {s // 1024} KB" for h, (c, s) in points.items())
    )
    ratio = round(points[50][0] / points[1][0], 2)
    detail = "; ".join(f"{h}: {ms(c)} ms, state {s // 1024} KB" for h, (c, s) in points.items())
    return [
        Row(
            f"Completion cost with 50 completed tasks / with 1 ({detail}; {label})",
            ratio,
            "x",
            "<= 1.5",
            ratio <= 1.5,
        )
    ]
