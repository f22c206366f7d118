"""Who hears of a new task, and what they are told, in the transaction that writes the task.

A task waiting in an organisation's queue is told to the people of that organisation who may
claim it: its officers (caseworkers, agency officers, review chairs), or its managers where it
has no officer, as reminders are. A task given to one person as it is made (a task claimed
for someone, or one whose lane one person alone plays for their organisation, a review's
chair) is told to that person alone. No one is told who can no longer sign in or work on
cases, and no one twice: someone the step told itself (the applicant's contact given the
follow-up task, say) is not told again.

Everyone hears in the service; by email as they choose (``engine.people.new_work_email``):
at once, in the day's summary (``digest``), or not at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.chasing.escalation import OFFICER_ROLES
from engine.chasing.notifications import Message, notify_all, tasks_told_of
from engine.core.area import service_url
from engine.core.models import (
    LIVE_TASK_STATES,
    Case,
    Notification,
    Organisation,
    Task,
    User,
    UserRole,
)
from engine.people.access import CASE_ROLES
from engine.people.new_work_email import AT_ONCE

NEW_WORK = "new_work"
QUEUE_SUBJECT = "New task in your organisation's queue"
YOURS_SUBJECT = "New task for you"
CHOOSING = "/account/notifications"


@dataclass(frozen=True)
class _Person:
    id: int
    email: str
    organisation_id: int
    new_work_email: str
    roles: frozenset[str]


def tell_of_new_work(session: Session, tasks: Sequence[Task]) -> None:
    """Tell of each new task still waiting to be done (a step may have finished one already)
    the people who may do it, each once (the key names the task and the person). The tasks
    are those this transaction wrote: no one can have been told of them in another."""
    waiting = [task for task in tasks if task.state in LIVE_TASK_STATES]
    if not waiting:
        return
    people, organisations = _people(session, waiting)
    told = _told_already(session, waiting)
    site = service_url(session)
    messages = []
    for task in waiting:
        reference = _reference(session, task.case_id)
        for person, queue in _recipients(task, people):
            if (task.id, person.id) in told:
                continue
            queue_name = (
                organisations.get(queue, "your organisation") if queue is not None else None
            )
            subject, body = _wording(task, reference, site, queue_name)
            messages.append(
                Message(
                    key=f"{NEW_WORK}:task:{task.id}:user:{person.id}",
                    kind=NEW_WORK,
                    subject=subject,
                    body=body,
                    email=person.email if person.new_work_email == AT_ONCE else "",
                    user_id=person.id,
                    organisation_id=person.organisation_id,
                    case_id=task.case_id,
                    task_id=task.id,
                )
            )
    notify_all(session, messages)


def _recipients(task: Task, people: dict[int, _Person]) -> list[tuple[_Person, int | None]]:
    """Who is told of the task, each with the organisation whose queue it waits in (None when
    it is theirs alone)."""
    found: list[tuple[int, int | None]] = []
    if task.assignee_id is not None:
        found.append((task.assignee_id, None))
    else:
        for candidate in task.candidates:
            if candidate.user_id is not None:
                found.append((candidate.user_id, None))
            else:
                org = candidate.organisation_id
                found += [(person.id, org) for person in _claimers(people, org)]
    unique: dict[int, tuple[_Person, int | None]] = {}
    for person_id, queue in found:
        if person_id in people:
            unique.setdefault(person_id, (people[person_id], queue))
    return list(unique.values())


def _claimers(people: dict[int, _Person], organisation_id: int) -> list[_Person]:
    """The organisation's officers, or its managers where it has no officer."""
    staff = sorted(
        (p for p in people.values() if p.organisation_id == organisation_id), key=lambda p: p.id
    )
    officers = [p for p in staff if p.roles & OFFICER_ROLES]
    return officers or [p for p in staff if "manager" in p.roles]


def _people(session: Session, tasks: list[Task]) -> tuple[dict[int, _Person], dict[int, str]]:
    """The active people who work on cases, of the organisations in whose queues the tasks
    wait, and the people they are given to, with the names of their organisations (a queue is
    named to its own people alone): one query."""
    organisations: set[int] = set()
    persons: set[int] = set()
    for task in tasks:
        if task.assignee_id is not None:
            persons.add(task.assignee_id)
            continue
        for candidate in task.candidates:
            if candidate.user_id is not None:
                persons.add(candidate.user_id)
            else:
                organisations.add(candidate.organisation_id)
    rows = session.execute(
        select(
            User.id,
            User.email,
            User.organisation_id,
            User.new_work_email,
            UserRole.role,
            Organisation.name,
        )
        .join(UserRole, UserRole.user_id == User.id)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(
            User.active.is_(True),
            UserRole.role.in_(CASE_ROLES),
            or_(User.organisation_id.in_(organisations), User.id.in_(persons)),
        )
    )
    roles: dict[int, set[str]] = defaultdict(set)
    found: dict[int, tuple[str, int, str]] = {}
    names: dict[int, str] = {}
    for user_id, email, organisation_id, choice, role, name in rows:
        roles[user_id].add(role)
        found[user_id] = (email, organisation_id, choice)
        names[organisation_id] = name
    people = {
        user_id: _Person(user_id, email, org, choice, frozenset(roles[user_id]))
        for user_id, (email, org, choice) in found.items()
    }
    return people, names


def _told_already(session: Session, tasks: list[Task]) -> set[tuple[int, int]]:
    """(task, person) of the messages the steps that made the tasks already wrote. Only this
    transaction can have written any, so the database is asked about the tasks it wrote
    messages of alone: most often none."""
    told_of = tasks_told_of(session)
    ids = [task.id for task in tasks if task.id in told_of]
    if not ids:
        return set()
    rows = session.execute(
        select(Notification.task_id, Notification.user_id).where(
            Notification.task_id.in_(ids), Notification.user_id.is_not(None)
        )
    )
    return {(task_id, user_id) for task_id, user_id in rows if task_id and user_id}


def _reference(session: Session, case_id: int) -> str:
    # The case is in the session wherever a process moves on: no statement.
    case = session.get(Case, case_id)
    return case.reference if case is not None else ""


def day_written(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def due_words(task_due_on: date | None) -> str:
    return f"due on {day_written(task_due_on)}" if task_due_on else "with no due date"


def _wording(task: Task, reference: str, site: str, organisation: str | None) -> tuple[str, str]:
    """The subject, which names nothing of the case, and the body with the task and its link."""
    what = f"'{task.title}' for case {reference}, {due_words(task.due_on)}."
    if organisation is not None:
        subject = QUEUE_SUBJECT
        opening = f"A new task is waiting in {organisation}'s tasks for someone to claim it:"
    elif task.role == "chair":
        subject = YOURS_SUBJECT
        opening = "A new task of the review you chair is yours to do:"
    else:
        subject = YOURS_SUBJECT
        opening = "A new task has been given to you:"
    body = (
        f"{opening}\n\n{what}\n\nOpen the task: {site}/tasks/{task.id}\n\n"
        "You can choose how you hear of new tasks by email (at once, once a day or not at "
        f"all): {site}{CHOOSING}\n"
    )
    return subject, body
