"""Chasing late work: a reminder before a task is due, then escalation level by level.

Every live task carries the day its next reminder or escalation falls due
(``Task.next_chase_on``, indexed for the live tasks), set when the task is created and
again after each step. A sweep therefore reads only the tasks due for chasing, never every open
task and never a workflow. Each step writes its notifications (once each, by key), moves the
task's record on and writes its audit event in the same transaction, so a sweep run twice, two
processes racing or a process killed half-way sends every reminder and escalation once.

The area file sets the reminder (``reminder_days``) and the levels (``[escalation]``); a
diagram may override them for one user task with extension properties:

- ``reminder_days``: working days before the due date, ``0`` for no reminder;
- ``escalation_days``: working days for each level, comma-separated (``"2, 10"``: level 1 two
  working days after the due date, level 2 ten after level 1), or ``none``;
- ``escalation_to``: each level's recipients, levels separated by ``;`` and recipients by
  ``,`` (``"organisation_managers; district_spoc, lead_council_managers"``).
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, select, tuple_, update
from sqlalchemy.orm import Session

from engine.chasing.notifications import Message, notify_all
from engine.core import audit, clock
from engine.core.area import (
    DEFAULT_ESCALATION,
    MAX_ESCALATION_LEVELS,
    current_settings,
    recipient_problem,
)
from engine.core.db import Database
from engine.core.models import (
    LIVE_TASK_STATES,
    Case,
    CaseParticipant,
    District,
    Organisation,
    Task,
    TaskCandidate,
    User,
    UserRole,
)
from engine.core.workdays import add_working_days, working_days_between
from engine.people.access import CASE_ROLES

log = logging.getLogger(__name__)

REMINDER_PROPERTY = "reminder_days"
DAYS_PROPERTY = "escalation_days"
TO_PROPERTY = "escalation_to"
# Officers who do the work; a manager is told of work only when it is late, or when the
# organisation has no officer.
OFFICER_ROLES = frozenset({"caseworker", "agency_officer", "review_chair"})
BATCH_SIZE = 200


class ChaseSettingError(ValueError):
    """A diagram's reminder or escalation property cannot be used; the message says why."""


@dataclass(frozen=True)
class Level:
    """One level of escalation: how many working days after the step before, and to whom."""

    after: int
    to: tuple[str, ...]
    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def recipients_for(self, role: str) -> tuple[str, ...]:
        return self.roles.get(role, self.to)


@dataclass(frozen=True)
class ChasePlan:
    reminder_days: int
    levels: tuple[Level, ...]


# --- the diagram's overrides -----------------------------------------------------------------


def _whole_number(text: str, name: str) -> int:
    value = text.strip()
    if not value.isdigit() or len(value) > 3:
        raise ChaseSettingError(f"{name} '{text}' must be a whole number of working days")
    return int(value)


def _recipient_list(text: str) -> list[str]:
    recipients = [part.strip() for part in text.split(",") if part.strip()]
    if not recipients:
        raise ChaseSettingError(f"{TO_PROPERTY} names a level with no recipients")
    for recipient in recipients:
        problem = recipient_problem(recipient)
        if problem:
            raise ChaseSettingError(f"{TO_PROPERTY}: {problem}")
    return recipients


def parse_chase_properties(properties: Mapping[str, str]) -> dict[str, Any] | None:
    """The overrides a diagram gives one user task, as stored on ``Task.chase``; None when it
    gives none. Raises ChaseSettingError."""
    override: dict[str, Any] = {}
    if properties.get(REMINDER_PROPERTY) is not None:
        override["reminder_days"] = _whole_number(properties[REMINDER_PROPERTY], REMINDER_PROPERTY)
    days_text = properties.get(DAYS_PROPERTY)
    if days_text is not None:
        if days_text.strip().lower() == "none":
            override["escalation_days"] = []
        else:
            days = [_whole_number(part, DAYS_PROPERTY) for part in days_text.split(",")]
            if any(day < 1 for day in days):
                raise ChaseSettingError(f"{DAYS_PROPERTY}: each level is at least 1 working day")
            override["escalation_days"] = days
    to_text = properties.get(TO_PROPERTY)
    if to_text is not None:
        override["escalation_to"] = [_recipient_list(level) for level in to_text.split(";")]
    days, to = override.get("escalation_days"), override.get("escalation_to")
    if days is not None and to is not None and len(days) != len(to):
        raise ChaseSettingError(
            f"{DAYS_PROPERTY} gives {len(days)} level(s) but {TO_PROPERTY} gives {len(to)}"
        )
    if len(days if days is not None else to or []) > MAX_ESCALATION_LEVELS:
        raise ChaseSettingError(f"a task has at most {MAX_ESCALATION_LEVELS} escalation levels")
    return override or None


def chase_property_problems(properties: Mapping[str, str]) -> list[str]:
    """What is wrong with a user task's reminder and escalation properties, for deployment."""
    try:
        parse_chase_properties(properties)
    except ChaseSettingError as error:
        return [str(error)]
    return []


def plan_for(settings: Mapping[str, Any], override: Mapping[str, Any] | None) -> ChasePlan:
    """The area's reminder and levels, with a task's overrides applied."""
    escalation = settings.get("escalation") or DEFAULT_ESCALATION
    area_levels = [
        Level(
            after=int(level["after"]),
            to=tuple(level["to"]),
            roles={role: tuple(to) for role, to in level.get("roles", {}).items()},
        )
        for level in escalation["levels"]
    ]
    override = override or {}
    reminder_days = int(override.get("reminder_days", settings.get("reminder_days", 2)))
    days, to = override.get("escalation_days"), override.get("escalation_to")
    if days is None and to is None:
        return ChasePlan(reminder_days, tuple(area_levels))
    count = len(days) if days is not None else len(to)
    levels = []
    for index in range(count):
        # A level the area does not have takes the recipients of the area's last level.
        base = area_levels[min(index, len(area_levels) - 1)] if area_levels else None
        after = days[index] if days is not None else (base.after if base else 1)
        if to is not None:
            levels.append(Level(after, tuple(to[index])))
        elif base is not None:
            levels.append(Level(after, base.to, base.roles))
        else:
            levels.append(Level(after, ("organisation_managers",)))
    return ChasePlan(reminder_days, tuple(levels))


# --- when the next step falls due ------------------------------------------------------------


class ChaseState(Protocol):
    """What chasing reads of a task: a Task row, or the sweep's copy of one."""

    state: str
    due_on: date | None
    reminded_at: datetime | None
    escalation_level: int
    escalated_at: datetime | None


def _local_date(moment: datetime | None) -> date | None:
    return moment.astimezone(clock.LOCAL_ZONE).date() if moment else None


def escalation_on(task: ChaseState, plan: ChasePlan) -> date | None:
    """The day the task's next escalation level falls due, or None when none is left.

    Level 1 counts from the due date; each later level from the day the level before it was
    actually sent, so every level has its full time to work even after a late sweep.
    """
    level = task.escalation_level or 0
    if task.due_on is None or level >= len(plan.levels):
        return None
    base = task.due_on if level == 0 else (_local_date(task.escalated_at) or task.due_on)
    return add_working_days(base, plan.levels[level].after)


def reminder_on(task: ChaseState, plan: ChasePlan, today: date) -> date | None:
    """The day of the task's reminder, or None once it is sent, overdue or not wanted."""
    if (
        task.due_on is None
        or plan.reminder_days <= 0
        or task.reminded_at is not None
        or (task.escalation_level or 0) > 0
        or today > task.due_on
    ):
        return None
    return add_working_days(task.due_on, -plan.reminder_days)


def next_chase_on(task: ChaseState, plan: ChasePlan, today: date) -> date | None:
    """The next day a sweep has something to do for this task (None: nothing, ever)."""
    if task.state not in LIVE_TASK_STATES:
        return None
    days = [day for day in (reminder_on(task, plan, today), escalation_on(task, plan)) if day]
    return min(days, default=None)


def schedule_new_task(
    session: Session, task: Task, properties: Mapping[str, str], today: date | None = None
) -> None:
    """Keep a new task's overrides and set when it is first chased (from task_created, before
    the row is written, so it has no id yet)."""
    try:
        task.chase = parse_chase_properties(properties)
    except ChaseSettingError as error:
        # Deployment refuses such diagrams; one deployed before that check keeps the area's.
        log.warning(
            "task '%s' of case %s: %s; the area's chasing settings apply",
            task.spec_name,
            task.case_id,
            error,
        )
        task.chase = None
    plan = plan_for(current_settings(session), task.chase)
    task.next_chase_on = next_chase_on(task, plan, today or clock.today())


def remind_afresh(session: Session, task: Task, today: date | None = None) -> None:
    """A task that passed to someone else: they are reminded of it too, if it is not yet
    overdue nor escalated; its escalations stand, and so does the record of a reminder that
    can have no successor."""
    task.handovers = (task.handovers or 0) + 1
    today = today or clock.today()
    if task.due_on is None or (task.escalation_level or 0) > 0 or today > task.due_on:
        return
    task.reminded_at = None
    task.next_chase_on = next_chase_on(task, plan_for(current_settings(session), task.chase), today)


# --- who is told -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    id: int
    email: str
    name: str
    organisation_id: int
    roles: frozenset[str]


@dataclass(frozen=True)
class _Recipient:
    email: str
    organisation_id: int | None
    person: _Person | None = None

    @property
    def key(self) -> str:
        if self.person is not None:
            return f"user:{self.person.id}"
        address = self.email.lower()
        if len(address) > 100:
            address = hashlib.sha256(address.encode()).hexdigest()[:32]
        return f"email:{address}"


@dataclass
class _Directory:
    """Who works where, read once per sweep: small tables, so no query per task."""

    people: dict[int, _Person]
    by_organisation: dict[int, list[_Person]]
    by_email: dict[str, _Person]
    organisations: dict[int, tuple[str, str, str]]  # id -> (name, kind, email)
    districts: dict[int, tuple[str, int | None, str]]  # id -> (name, lead council, spoc email)

    @classmethod
    def load(cls, session: Session) -> _Directory:
        roles: dict[int, set[str]] = defaultdict(set)
        for user_id, role in session.execute(select(UserRole.user_id, UserRole.role)):
            roles[user_id].add(role)
        people = {
            row.id: _Person(
                row.id, row.email, row.name, row.organisation_id, frozenset(roles[row.id])
            )
            for row in session.execute(
                select(User.id, User.email, User.name, User.organisation_id).where(
                    User.active.is_(True)
                )
            )
        }
        by_organisation: dict[int, list[_Person]] = defaultdict(list)
        for person in sorted(people.values(), key=lambda p: p.id):
            by_organisation[person.organisation_id].append(person)
        organisations = {
            row.id: (row.name, row.kind, row.email)
            for row in session.execute(
                select(Organisation.id, Organisation.name, Organisation.kind, Organisation.email)
            )
        }
        districts = {
            row.id: (row.name, row.lead_council_id, row.spoc_email)
            for row in session.execute(
                select(District.id, District.name, District.lead_council_id, District.spoc_email)
            )
        }
        return cls(
            people,
            by_organisation,
            {p.email.lower(): p for p in people.values()},
            organisations,
            districts,
        )

    def organisation_name(self, organisation_id: int | None) -> str:
        return self.organisations.get(organisation_id, ("an organisation", "", ""))[0]

    def _mailbox(self, organisation_id: int | None) -> list[_Recipient]:
        email = self.organisations.get(organisation_id, ("", "", ""))[2]
        return [self.address(email, organisation_id)] if email else []

    def address(self, email: str, organisation_id: int | None) -> _Recipient:
        person = self.by_email.get(email.strip().lower())
        if person is not None:
            return _Recipient(person.email, person.organisation_id, person)
        return _Recipient(email.strip(), organisation_id)

    def _with_role(self, organisation_id: int | None, roles: Iterable[str]) -> list[_Recipient]:
        wanted = set(roles)
        return [
            _Recipient(p.email, p.organisation_id, p)
            for p in self.by_organisation.get(organisation_id, [])
            if p.roles & wanted
        ]

    def managers(self, organisation_id: int | None) -> list[_Recipient]:
        """The organisation's managers, or its shared mailbox when it has none."""
        return self._with_role(organisation_id, {"manager"}) or self._mailbox(organisation_id)

    def officers(self, organisation_id: int) -> list[_Recipient]:
        """Who may claim the organisation's tasks: its officers, else its managers."""
        return self._with_role(organisation_id, OFFICER_ROLES) or self.managers(organisation_id)

    def _person(self, user_id: int | None) -> list[_Recipient]:
        person = self.people.get(user_id) if user_id else None
        return [_Recipient(person.email, person.organisation_id, person)] if person else []

    def can_work(self, user_id: int | None) -> bool:
        """Whether the person can still sign in and open cases, and so do a task."""
        person = self.people.get(user_id) if user_id else None
        return person is not None and bool(person.roles & CASE_ROLES)

    def holders(self, task: _Chased) -> list[_Recipient]:
        """Whoever holds the task, or while no one does, the officers of its organisations
        (or the one person through whom an organisation plays the lane, a review chair).

        A chair who can no longer sign in or open cases cannot do the task, and no one else
        may: the managers of the council managing the review hear instead, as they can give
        the review another chair. Anyone else who holds a task but can no longer do it keeps
        it from their colleagues, who cannot claim it: their organisation's managers hear, as
        they can give it to someone else."""
        if self.can_work(task.assignee_id):
            return self._person(task.assignee_id)
        stranded = task.assignee_id is not None
        return [
            r
            for org in task.organisation_ids
            for r in (
                (
                    self._person(task.persons[org])
                    if self.can_work(task.persons[org])
                    else self.managers(self.managing_council(task))
                )
                if org in task.persons
                else self.managers(org)
                if stranded
                else self.officers(org)
            )
        ]

    def _district(self, task: _Chased) -> tuple[str, int | None, str]:
        return self.districts.get(task.district_id, ("", None, ""))

    def managing_council(self, task: _Chased) -> int | None:
        """The council managing the task's review: the council taking part in its case (its
        district's lead council when the case began), whose managers may change its chair."""
        return task.council_id if task.council_id is not None else self._district(task)[1]

    def for_whom(self, task: _Chased) -> str:
        """The organisations the task is for, and the person where one person alone plays the
        lane for their organisation."""
        names = []
        for org in task.organisation_ids:
            person = self.people.get(task.persons.get(org, 0))
            organisation = self.organisation_name(org)
            names.append(f"{person.name} of {organisation}" if person else organisation)
        return ", ".join(names)

    def resolve(self, names: Iterable[str], task: _Chased) -> list[_Recipient]:
        _name, lead_council_id, spoc_email = self._district(task)
        found: list[_Recipient] = []
        for name in names:
            if "@" in name:
                found.append(self.address(name, None))
            elif name == "assignee":
                found += self.holders(task)
            elif name == "organisation_managers":
                # A review chair's organisation takes no part in the case: the council that
                # manages the review hears when the chair's task is late.
                found += [
                    r
                    for org in task.organisation_ids
                    for r in self.managers(
                        self.managing_council(task) if org in task.persons else org
                    )
                ]
            elif name == "lead_council_managers":
                found += self.managers(lead_council_id)
            elif name == "district_spoc" and spoc_email:
                found.append(self.address(spoc_email, lead_council_id))
            elif name == "opcc_managers":
                found += [
                    r
                    for org, (_name, kind, _email) in sorted(self.organisations.items())
                    if kind == "opcc"
                    for r in self.managers(org)
                ]
        unique: dict[str, _Recipient] = {}
        for recipient in found:
            unique.setdefault(recipient.email.lower(), recipient)
        return list(unique.values())


# --- the sweep -------------------------------------------------------------------------------


@dataclass
class ChaseResult:
    reminded: int = 0
    escalated: int = 0


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _working_days(count: int) -> str:
    return f"{count} working day{'' if count == 1 else 's'}"


@dataclass
class _Chased:
    """A task due for chasing as the sweep reads and changes it: plain data, so a batch's
    changes go to the database as one UPDATE run for every row."""

    id: int
    case_id: int
    spec_name: str
    title: str
    role: str
    state: str
    assignee_id: int | None
    handovers: int
    due_on: date | None
    chase: dict[str, Any] | None
    reminded_at: datetime | None
    escalation_level: int
    escalated_at: datetime | None
    next_chase_on: date | None
    reference: str
    district_id: int
    organisation_ids: list[int] = field(default_factory=list)
    # Those organisations that play the task's lane through one person alone: that person.
    persons: dict[int, int] = field(default_factory=dict)
    # The council taking part in the case, which manages its review (and may change its chair).
    council_id: int | None = None

    def changes(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "reminded_at": self.reminded_at,
            "escalation_level": self.escalation_level,
            "escalated_at": self.escalated_at,
            "next_chase_on": self.next_chase_on,
        }


# Said of a chair's task whose chair can no longer sign in, to whoever is told of it, so that
# someone who can act on it (the managing council) knows what to do.
CHAIR_GONE = (
    "It is for a review chair who can no longer sign in or open cases, and no one else may do "
    "it: a manager of the council managing the review can give the review another chair on the "
    "case page."
)


def _chair_gone(task: _Chased, directory: _Directory) -> bool:
    return not all(directory.can_work(person) for person in task.persons.values())


def _open_the_case(task: _Chased) -> str:
    return f"Sign in to the ASB Case Review service to open case {task.reference}."


def _reminder(task: _Chased, directory: _Directory, today: date) -> tuple[str, str]:
    left = working_days_between(today, task.due_on)
    when = "today" if left <= 0 else f"in {_working_days(left)}"
    where = "Sign in to the ASB Case Review service to see it in your tasks."
    holder = directory.people.get(task.assignee_id) if task.assignee_id else None
    if directory.can_work(task.assignee_id):
        organisations = ", ".join(directory.organisation_name(o) for o in task.organisation_ids)
        who = f"You hold this task for {organisations}."
    elif _chair_gone(task, directory):
        # The task is in no one's tasks: the managing council opens the case to act.
        who, where = CHAIR_GONE, _open_the_case(task)
    elif task.assignee_id is not None:
        name = holder.name if holder else "The person who claimed it"
        who = (
            f"{name} holds it but can no longer sign in or open cases, so no one else can "
            "claim it: as a manager, you can give it to someone else."
        )
        where = _open_the_case(task)
    else:
        who = f"No one has claimed it yet: it is waiting for {directory.for_whom(task)}."
    subject = f"Reminder: '{task.title}' for case {task.reference} is due {when}"
    body = (
        f"'{task.title}' for case {task.reference} is due on {_day(task.due_on)}.\n\n"
        f"{who}\n\n{where}\n"
    )
    return subject, body


def _escalation(task: _Chased, level: int, directory: _Directory, today: date) -> tuple[str, str]:
    late = working_days_between(task.due_on, today)
    organisations = directory.for_whom(task)
    holder = directory.people.get(task.assignee_id) if task.assignee_id else None
    if directory.can_work(task.assignee_id):
        held = f"{holder.name} holds it"
    elif task.assignee_id is not None:
        held = (
            f"{holder.name if holder else 'the person who claimed it'} holds it but can no "
            "longer sign in or open cases, so a manager must give it to someone else"
        )
    else:
        held = "no one has claimed it"
    subject = f"Overdue (level {level}): '{task.title}' for case {task.reference}"
    gone = _chair_gone(task, directory)
    lines = [
        f"'{task.title}' for case {task.reference} was due on {_day(task.due_on)} and is "
        f"{_working_days(late)} overdue.",
        "",
        CHAIR_GONE if gone else f"It is for {organisations}; {held}.",
    ]
    if level > 1 and task.escalated_at is not None:
        lines.append(
            f"It was escalated (level {level - 1}) on {_day(_local_date(task.escalated_at))}."
        )
    lines += [
        "",
        _open_the_case(task)
        if gone
        else "Sign in to the ASB Case Review service to see the task and who can do it.",
    ]
    return subject, "\n".join(lines) + "\n"


def _messages(
    kind: str, key: str, task: _Chased, recipients: list[_Recipient], text: tuple[str, str]
) -> list[Message]:
    subject, body = text
    return [
        Message(
            key=f"{key}:{recipient.key}",
            kind=kind,
            subject=subject,
            body=body,
            email=recipient.email,
            user_id=recipient.person.id if recipient.person else None,
            organisation_id=recipient.organisation_id,
            case_id=task.case_id,
            task_id=task.id,
        )
        for recipient in recipients
    ]


def _reminder_key(task: _Chased) -> str:
    """A task's holder is reminded once; one it passed to, or came back to (see
    ``remind_afresh``), is reminded again."""
    if not task.handovers:
        return f"reminder:task:{task.id}"
    return f"reminder:task:{task.id}:handover:{task.handovers}"


def _chase_one(
    session: Session,
    task: _Chased,
    plan: ChasePlan,
    directory: _Directory,
    today: date,
    now: datetime,
    out: list[Message],
) -> str | None:
    """Take the one step due for a task (or none), then set when it is next due."""
    step = None
    level = task.escalation_level or 0
    escalate_day = escalation_on(task, plan)
    remind_day = reminder_on(task, plan, today)
    if escalate_day is not None and escalate_day <= today:
        step, level = "escalated", level + 1
        names = plan.levels[level - 1].recipients_for(task.role)
        recipients = directory.resolve(names, task)
        text = _escalation(task, level, directory, today)
        key = f"escalation:task:{task.id}:level:{level}"
        out += _messages("escalation", key, task, recipients, text)
        task.escalation_level = level
        task.escalated_at = now
    elif remind_day is not None and remind_day <= today:
        step = "reminded"
        recipients = directory.holders(task)
        text = _reminder(task, directory, today)
        out += _messages("reminder", _reminder_key(task), task, recipients, text)
        task.reminded_at = now
    task.next_chase_on = next_chase_on(task, plan, today)
    if step is None:
        return None
    if not recipients:
        log.warning("task %s %s with no one to tell: check the area's contacts", task.id, step)
    detail: dict[str, Any] = {
        "task": task.spec_name,
        "due_on": task.due_on.isoformat(),
        "to": [recipient.email for recipient in recipients],
    }
    if step == "escalated":
        detail["level"] = level
    audit.record(
        session,
        f"task.{step}",
        case_id=task.case_id,
        object_type="task",
        object_id=task.id,
        detail=detail,
    )
    return step


_COLUMNS = (
    Task.id,
    Task.case_id,
    Task.spec_name,
    Task.title,
    Task.role,
    Task.state,
    Task.assignee_id,
    Task.handovers,
    Task.due_on,
    Task.chase,
    Task.reminded_at,
    Task.escalation_level,
    Task.escalated_at,
    Task.next_chase_on,
    Case.reference,
    Case.district_id,
)


# The live states written out, not bound, so that PostgreSQL sees the condition of the partial
# index ``ix_tasks_live_next_chase`` in the query, whatever plan it keeps for the statement.
_LIVE = Task.state.in_(bindparam("live", LIVE_TASK_STATES, expanding=True, literal_execute=True))


def _due_batch(
    session: Session, db: Database, today: date, after: tuple[date, int], size: int
) -> list[_Chased]:
    """The next ``size`` live tasks due to be chased by ``today``, in the order of the sweep's
    index (day, then id) from just after ``after``."""
    query = (
        select(*_COLUMNS)
        .join(Case, Case.id == Task.case_id)
        .where(
            _LIVE,
            Task.next_chase_on <= today,
            tuple_(Task.next_chase_on, Task.id) > tuple_(*after),
        )
        .order_by(Task.next_chase_on, Task.id)
        .limit(size)
    )
    if not db.is_sqlite:
        query = query.with_for_update(of=Task, skip_locked=True)
    tasks = [_Chased(**row._mapping) for row in session.execute(query)]
    by_id = {task.id: task for task in tasks}
    if by_id:
        for task_id, organisation_id, user_id in session.execute(
            select(TaskCandidate.task_id, TaskCandidate.organisation_id, TaskCandidate.user_id)
            .where(TaskCandidate.task_id.in_(by_id))
            .order_by(TaskCandidate.task_id, TaskCandidate.organisation_id)
        ):
            by_id[task_id].organisation_ids.append(organisation_id)
            if user_id is not None:
                by_id[task_id].persons[organisation_id] = user_id
        councils = dict(
            session.execute(
                select(CaseParticipant.case_id, CaseParticipant.organisation_id).where(
                    CaseParticipant.case_id.in_({task.case_id for task in tasks}),
                    CaseParticipant.role == "council",
                )
            ).all()
        )
        for task in tasks:
            task.council_id = councils.get(task.case_id)
    return tasks


def chase_due(db: Database, *, batch_size: int = BATCH_SIZE) -> ChaseResult:
    """Send every reminder and escalation due today, in batches of one transaction each.

    Reads only tasks whose ``next_chase_on`` has come (an index range). On PostgreSQL the
    batch's rows are locked and rows another process holds are skipped, to be chased by the
    next sweep; on SQLite each batch holds the database's write lock.
    """
    today, now = clock.today(), clock.now()
    result = ChaseResult()
    with db.read() as session:
        settings = current_settings(session)
        directory = _Directory.load(session)
    plans: dict[str, ChasePlan] = {}
    last = (date.min, 0)
    while True:
        with db.transaction() as session:
            tasks = _due_batch(session, db, today, last, batch_size)
            if not tasks:
                break
            # Read before chasing moves the task's date on.
            last = (tasks[-1].next_chase_on, tasks[-1].id)
            messages: list[Message] = []
            for task in tasks:
                cache_key = repr(task.chase)
                plan = plans.get(cache_key)
                if plan is None:
                    plan = plans[cache_key] = plan_for(settings, task.chase)
                step = _chase_one(session, task, plan, directory, today, now, messages)
                if step == "reminded":
                    result.reminded += 1
                elif step == "escalated":
                    result.escalated += 1
            session.execute(update(Task), [task.changes() for task in tasks])
            notify_all(session, messages)
    return result
