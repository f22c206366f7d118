"""The vulnerable victim decision's senior officer: a user with the manager role in the council
managing the case, named on the threshold decision, who confirms it.

A manager who records the decision naming themself confirms it as they record it. Named by
someone else, the officer is given a task to confirm it, and the threshold is recorded as met
only when they do; if they do not, the council decides again. Each step is in the case's
audit trail.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine import runtime
from engine.cases.contact import council_officers, managing_councils
from engine.chasing.notifications import notify
from engine.core import audit, clock
from engine.core.area import service_url
from engine.core.errors import InvalidData
from engine.core.models import Case, Organisation, Task, User
from engine.procedure.step import Arrival, Step
from engine.runtime.holders import PREVIOUS_STEP, may_hold

VULNERABILITY = "vulnerability"
DECISION_FORM = "threshold_decision"
CONFIRMATION_FORM = "senior_officer_confirmation"
# Why a task was given to the officer (``Task.assigned_because``).
ASSIGNED_AS = "senior_officer"
CONFIRMED = "threshold.senior_officer_confirmed"


def senior_officers(session: Session, case: Case) -> list[User]:
    """Who may be named: the active managers of the council managing the case, by name."""
    return council_officers(session, case, ("manager",))


def _council_names(session: Session, case: Case) -> str:
    names = session.scalars(
        select(Organisation.name)
        .where(Organisation.id.in_(managing_councils(session, case)))
        .order_by(Organisation.name)
    ).all()
    return " or ".join(names) or "the council managing the case"


def _named(session: Session, email: str) -> User | None:
    return session.scalar(
        select(User)
        .where(User.email == email.strip().lower())
        .options(selectinload(User.role_rows))
    )


def officer_problem(session: Session, case: Case, email: str) -> str | None:
    """Why the person with this email address cannot be the case's senior officer, or None
    when they can."""
    council = _council_names(session, case)
    named = _named(session, email)
    if named is None or not named.active:
        return (
            f"{email.strip()} is not an active user of the service: select a manager of {council}"
        )
    if named.organisation_id not in managing_councils(session, case):
        return (
            f"{named.name} is not an officer of {council}, which manages this case: select one "
            "of its managers"
        )
    if not named.has_role("manager"):
        return f"{named.name} is not a manager of {council}: select one of its managers"
    return None


def senior_officer_problems(step: Step) -> dict[str, str]:
    """On a vulnerable victim decision, the officer named must be a manager of the managing
    council, and be someone the case's process can ask to confirm it."""
    email = step.data.get("senior_officer")
    if step.data.get("decision_basis") != VULNERABILITY or not isinstance(email, str):
        return {}
    if not email.strip():
        return {}  # the form asks for it
    problem = officer_problem(step.session, step.case, email)
    if problem:
        return {"senior_officer": problem}
    officer = _named(step.session, email)
    if (
        officer is not None
        and officer.id != step.user.id
        and CONFIRMATION_FORM not in runtime.instance_forms(step.session, step.task.instance_id)
    ):
        # A case still on a version of the diagram drawn before the confirmation step.
        return {
            "senior_officer": (
                f"This case's process cannot ask {officer.name} to confirm the decision: "
                f"{officer.name} records it themselves"
            )
        }
    return {}


def name_senior_officer(step: Step) -> bool:
    """Keep the officer a vulnerable victim decision names (checked already): True when they
    recorded it themselves, which confirms it; otherwise it waits for their confirmation."""
    case = step.case
    officer = _named(step.session, str(step.data["senior_officer"]))
    if officer is None:
        raise InvalidData("The decision needs correcting", senior_officer_problems(step))
    case.senior_officer_id = officer.id
    case.senior_officer_confirmed_at = None
    if officer.id == step.user.id:
        _confirm(step, officer)
        return True
    audit.record(
        step.session,
        "threshold.confirmation_asked",
        user=step.user,
        case_id=case.id,
        object_type="case",
        object_id=case.reference,
        detail={"senior_officer_id": officer.id, "senior_officer": officer.name},
    )
    return False


def _confirm(step: Step, officer: User) -> None:
    """The threshold met for a vulnerable victim, as the officer confirmed it now."""
    case = step.case
    case.threshold_met = True
    case.decision_basis = VULNERABILITY
    case.decided_on = clock.today()
    case.senior_officer_confirmed_at = clock.now()
    audit.record(
        step.session,
        CONFIRMED,
        user=officer,
        case_id=case.id,
        object_type="case",
        object_id=case.reference,
        detail={"senior_officer_id": officer.id, "senior_officer": officer.name},
    )


def give_to_the_senior_officer(arrival: Arrival) -> None:
    """The confirmation goes to the officer named, who is told; where they can no longer
    hold it, it waits in the council's queue for a manager to answer no for them."""
    session, task, case = arrival.session, arrival.task, arrival.case
    officer = session.get(User, case.senior_officer_id) if case.senior_officer_id else None
    if officer is None or not may_hold(task, officer):
        return
    task.assignee_id = officer.id
    task.claimed_at = clock.now()
    task.assigned_because = ASSIGNED_AS
    task.state = "claimed"
    for candidate in task.candidates:
        candidate.state = "claimed"
    audit.record(
        session,
        "task.assigned",
        case_id=case.id,
        object_type="task",
        object_id=task.id,
        detail={"to_user_id": officer.id, "as": "the senior officer named in the decision"},
    )
    notify(
        session,
        key=f"senior_officer:task:{task.id}",
        kind="assignment",
        subject=f"Case {case.reference}: confirm a vulnerable victim decision",
        body=(
            f"You are named as the senior officer who decided that the threshold for a case "
            f"review of case {case.reference} is met because of the victim's vulnerability. "
            "The decision is recorded only when you confirm it; if you do not, the council "
            "decides again.\n\n"
            f"{service_url(session)}/tasks/{task.id}\n"
        ),
        user=officer,
        case_id=case.id,
        task_id=task.id,
    )


def back_to_who_decided(arrival: Arrival) -> None:
    """The council's step after a senior officer's answer (the decision letter, or the
    decision made again) goes back to whoever recorded the decision, the officer who knows
    the case, rather than to the senior officer the previous-step rule would keep it with."""
    session, task, case = arrival.session, arrival.task, arrival.case
    if task.assigned_because != PREVIOUS_STEP:
        return
    latest = _latest_completed(session, case, (CONFIRMATION_FORM, DECISION_FORM))
    answered, decided = latest.get(CONFIRMATION_FORM), latest.get(DECISION_FORM)
    if answered is None or decided is None or answered.id < decided.id:
        return  # no answer since the decision (a manager confirmed it as they recorded it)
    recorder = session.get(User, decided.completed_by_id) if decided.completed_by_id else None
    if (
        answered.completed_by_id != task.assignee_id
        or recorder is None
        or recorder.id == task.assignee_id
        or not may_hold(task, recorder)
    ):
        return
    task.assignee_id = recorder.id
    audit.record(
        session,
        "task.assigned",
        case_id=case.id,
        object_type="task",
        object_id=task.id,
        detail={"to_user_id": recorder.id, "to": recorder.name, "because": PREVIOUS_STEP},
    )


def _latest_completed(session: Session, case: Case, forms: tuple[str, ...]) -> dict[str, Task]:
    """The case's task of each of these forms completed last (a task made later has a
    higher id)."""
    completed = session.scalars(
        select(Task)
        .where(Task.case_id == case.id, Task.form.in_(forms), Task.state == "completed")
        .order_by(Task.id)
    )
    return {task.form: task for task in completed}


def confirmation_problems(step: Step) -> dict[str, str]:
    """Only the officer named confirms the decision, while they are a manager of the managing
    council. Once they no longer can (their account closed, say), another of its managers
    answers no for them, so that the council decides again."""
    session, case = step.session, step.case
    officer = session.get(User, case.senior_officer_id) if case.senior_officer_id else None
    if officer is None:
        return {"": "No vulnerable victim decision on this case is waiting to be confirmed"}
    council = _council_names(session, case)
    still_able = officer_problem(session, case, officer.email) is None
    confirms = step.data.get("decision_confirmed") is True
    if officer.id == step.user.id:
        if confirms and not still_able:
            return {
                "decision_confirmed": (
                    f"Only a manager of {council} can confirm the decision: select no, so that "
                    "the council decides again"
                )
            }
        return {}
    if still_able:
        return {
            "": f"Only {officer.name}, the senior officer named in the decision, can confirm it"
        }
    if officer_problem(session, case, step.user.email) is not None:
        return {
            "": (
                f"{officer.name}, the senior officer named, can no longer confirm the decision: "
                f"a manager of {council} can answer no for them, so that the council decides again"
            )
        }
    if confirms:
        return {
            "decision_confirmed": (
                f"{officer.name}, the senior officer named, can no longer confirm the decision: "
                "select no, so that the council decides again"
            )
        }
    return {}


def record_confirmation(step: Step) -> dict[str, Any]:
    """The officer's answer: confirmed, the threshold is met; otherwise the decision is set
    aside and the council decides again."""
    problems = confirmation_problems(step)
    if problems:
        raise InvalidData("The confirmation needs correcting", problems)
    case = step.case
    if step.data["decision_confirmed"]:
        _confirm(step, step.user)
        return {"senior_officer_confirmed": True}
    reason = str(step.data.get("not_confirmed_reason") or "").strip()
    audit.record(
        step.session,
        "threshold.senior_officer_not_confirmed",
        user=step.user,
        case_id=case.id,
        object_type="case",
        object_id=case.reference,
        detail={"senior_officer_id": case.senior_officer_id, "reason": reason},
    )
    case.senior_officer_id = None
    case.senior_officer_confirmed_at = None
    return {"senior_officer_confirmed": False}
