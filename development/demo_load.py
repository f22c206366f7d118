"""Many synthetic but realistic cases, for the benchmark and for trying the service at scale.

A few prototype cases are taken through the real procedure (applications, task completions,
letters), one for each stage a case can be at. Every other case is a copy of a prototype moved
to another district (its council and housing provider, and their officers) and another date:
closed cases spread over ten years, live ones over the last few months, so some of their tasks
are due soon, some overdue and some already escalated. Copies are written in bulk (COPY on
PostgreSQL), a batch of cases per transaction; their workflows are the prototype's stored
workflow with the case's own reference, district, organisations and record ids, so every copied
task can be completed like any other.

Letters, notifications and the per-step audit trail of the prototypes are not copied: each copy
gets one audit event saying it was bulk-loaded.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import Connection

from development.demo import DEMO_PASSWORD, DEMO_PROCESSES, DemoUnavailable
from engine.chasing.escalation import escalation_on, next_chase_on, plan_for, reminder_on
from engine.core import audit, clock
from engine.core.area import current_settings
from engine.core.config import Settings
from engine.core.db import Database
from engine.core.models import (
    LIVE_TASK_STATES,
    Appeal,
    AuditEvent,
    Case,
    CaseParticipant,
    CaseStatusChange,
    District,
    Incident,
    Organisation,
    OrganisationDistrict,
    ProcessInstance,
    Recommendation,
    Review,
    Task,
    TaskCandidate,
    User,
)
from engine.people.accounts import add_user, get_user
from engine.runtime import latest_definition

PROTOTYPE_DISTRICT = "derbyshire-dales"
PROTOTYPE_COUNCIL = "derbyshire-dales-district-council"
PROTOTYPE_HOUSING = "dales-housing"
# How the copies are spread over the stages, per 100 cases: most cases of ten years are
# closed; the live ones are at every step, many waiting for the agencies' returns.
STAGE_WEIGHTS = {
    "received": 4,
    "screening": 4,
    "awaiting_information": 16,
    "threshold_decision": 5,
    "review_being_arranged": 5,
    "review_meeting": 4,
    "action_plan": 4,
    "appeal_lodged": 2,
    "closed_not_met": 15,
    "closed": 41,
}
LIVE_STAGES = frozenset(STAGE_WEIGHTS) - {"closed", "closed_not_met"}
YEARS_OF_HISTORY = 10
# Live cases were received over this many days before today, so their tasks fall due (and
# fall overdue) across the weeks around today.
LIVE_SPAN_DAYS = 90
CLAIMED_SHARE = 0.3
BATCH_CASES = 2000
# Tables copied for each case, in an order that satisfies their foreign keys.
_TABLES: tuple[Any, ...] = (
    Case,
    Incident,
    CaseParticipant,
    CaseStatusChange,
    ProcessInstance,
    Task,
    TaskCandidate,
    Review,
    Recommendation,
    Appeal,
    AuditEvent,
)
_FIRST_NAMES = [
    "Sam",
    "Alex",
    "Jordan",
    "Priya",
    "Chris",
    "Morgan",
    "Jamie",
    "Taylor",
    "Aisha",
    "Tom",
    "Grace",
    "Oliver",
    "Amelia",
    "Harry",
    "Isla",
    "Mohammed",
    "Sophie",
    "Jack",
    "Ava",
    "Leo",
    "Zara",
    "Daniel",
    "Ella",
    "Ryan",
    "Ruby",
    "Adam",
    "Chloe",
    "Ben",
    "Hannah",
    "Kian",
]
_LAST_NAMES = [
    "Taylor",
    "Smith",
    "Jones",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Wright",
    "Walker",
    "Robinson",
    "Khan",
    "Thompson",
    "Evans",
    "White",
    "Hughes",
    "Edwards",
    "Green",
    "Hall",
    "Wood",
    "Harris",
    "Lewis",
    "Martin",
    "Jackson",
    "Clarke",
]
_STREETS = [
    "Bank Road",
    "Chapel Street",
    "Station Road",
    "Church Lane",
    "Park Avenue",
    "Mill Lane",
    "Victoria Street",
    "The Crescent",
    "Market Place",
    "Derby Road",
    "Queen Street",
    "Hillside",
]


@dataclass
class LoadResult:
    cases: int = 0
    tasks: int = 0
    live_tasks: int = 0
    stages: Counter[str] = field(default_factory=Counter)


# --- prototypes through the real procedure ---------------------------------------------------


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


def _build_prototypes(db: Database, settings: Settings) -> dict[str, int]:
    """One case per stage, taken there by the real procedure; returns stage -> case id."""
    from engine.intake.appeals import submit_appeal
    from engine.intake.applications import submit_application
    from engine.procedure import complete_task

    today = clock.today()
    iso = today.isoformat()
    with db.read() as session:
        users = {u.email: get_user(session, u.id) for u in session.scalars(select(User))}

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
        do(case_id, "acknowledge", council, {"acknowledged_on": iso, "method": "email"})
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
        do(case_id, "council_return", "manager@dales.example.org", no_return)
        return case_id

    def decided(case_id: int) -> int:
        returned(case_id)
        do(
            case_id,
            "threshold_decision",
            council,
            {"threshold_met": True, "decision_basis": "count"},
        )
        do(case_id, "decision_letter", council, {"sent_on": iso, "method": "email"})
        return case_id

    def arranged(case_id: int) -> int:
        decided(case_id)
        do(case_id, "schedule_meeting", council, {"chair_email": chair, "meeting_date": iso})
        do(case_id, "chase_returns", council, {"all_returns_in": True})
        do(case_id, "meeting_pack", council, {"pack_ready_on": iso})
        return case_id

    def met(case_id: int, with_recommendations: bool) -> int:
        arranged(case_id)
        meeting = {
            "held_on": iso,
            "attendees": ["Review chair", "Derbyshire Constabulary", "Dales Housing"],
            "findings": "Reports were not shared between the agencies.",
            "recommendations": recommendations if with_recommendations else [],
        }
        do(case_id, "record_meeting", chair, meeting)
        outcome = {"sent_on": iso, "method": "email", "updates": "A monthly email from the SPOC"}
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
        do(case_id, "decision_letter", council, {"sent_on": iso, "method": "post"})
        return case_id

    def appealed(case_id: int) -> int:
        met(case_id, False)
        with db.transaction() as session:
            submit_appeal(
                session,
                {
                    "case_reference": session.get(Case, case_id).reference,
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


# --- who plays each part in another district ---------------------------------------------------


@dataclass(frozen=True)
class _DistrictCast:
    """The organisations and officers a copied case uses instead of the prototype's."""

    district_id: int
    district_key: str
    council_key: str
    housing_key: str
    organisations: dict[int, int]
    users: dict[int, int]
    officers: dict[int, int]  # organisation id -> the officer who claims its tasks


def _ensure_user(session: Any, email: str, name: str, organisation: str, roles: tuple) -> int:
    user_id = session.scalar(select(User.id).where(User.email == email))
    if user_id is None:
        user_id = add_user(
            session,
            email=email,
            name=name,
            organisation_key=organisation,
            roles=roles,
            password=DEMO_PASSWORD,
        ).id
    return user_id


def _casts(session: Any) -> list[_DistrictCast]:
    """For every district: its council and a housing provider, with an officer and manager
    each (demo users, made when missing), mapped from the prototype district's."""
    org_ids = dict(session.execute(select(Organisation.key, Organisation.id)).all())
    names = dict(session.execute(select(Organisation.key, Organisation.name)).all())
    email_ids = dict(session.execute(select(User.email, User.id)).all())
    proto_council, proto_housing = org_ids[PROTOTYPE_COUNCIL], org_ids[PROTOTYPE_HOUSING]
    proto_users = {
        "caseworker": email_ids["caseworker@dales.example.org"],
        "manager": email_ids["manager@dales.example.org"],
        "housing": email_ids["housing@dales-housing.example.org"],
    }
    casts = []
    districts = session.execute(
        select(District.id, District.key, District.name, District.lead_council_id).order_by(
            District.position
        )
    ).all()
    for district_id, key, name, council_id in districts:
        council_key = next(k for k, v in org_ids.items() if v == council_id)
        housing_key = session.scalar(
            select(Organisation.key)
            .join(OrganisationDistrict, OrganisationDistrict.organisation_id == Organisation.id)
            .where(OrganisationDistrict.district_id == district_id, Organisation.kind == "housing")
            .order_by(Organisation.key)
            .limit(1)
        )
        if key == PROTOTYPE_DISTRICT:
            housing_key = PROTOTYPE_HOUSING
        domain = "dales" if key == PROTOTYPE_DISTRICT else key
        caseworker = email_ids.get(f"caseworker@{domain}.example.org") or _ensure_user(
            session,
            f"caseworker@{domain}.example.org",
            f"Caseworker, {name}",
            council_key,
            ("caseworker",),
        )
        manager = email_ids.get(f"manager@{domain}.example.org") or _ensure_user(
            session,
            f"manager@{domain}.example.org",
            f"Manager, {name}",
            council_key,
            ("manager", "caseworker"),
        )
        housing_officer = email_ids.get(f"housing@{housing_key}.example.org") or _ensure_user(
            session,
            f"housing@{housing_key}.example.org",
            f"Officer, {names[housing_key]}",
            housing_key,
            ("agency_officer",),
        )
        email_ids[f"housing@{housing_key}.example.org"] = housing_officer
        police = email_ids["police@derbyshire.example.org"]
        health = email_ids["health@icb.example.org"]
        casts.append(
            _DistrictCast(
                district_id=district_id,
                district_key=key,
                council_key=council_key,
                housing_key=housing_key,
                organisations={proto_council: council_id, proto_housing: org_ids[housing_key]},
                users={
                    proto_users["caseworker"]: caseworker,
                    proto_users["manager"]: manager,
                    proto_users["housing"]: housing_officer,
                },
                officers={
                    council_id: caseworker,
                    org_ids[housing_key]: housing_officer,
                    org_ids["derbyshire-constabulary"]: police,
                    org_ids["derby-derbyshire-icb"]: health,
                    org_ids["opcc-derbyshire"]: email_ids["opcc@opcc.example.org"],
                },
            )
        )
    return casts


# --- copying ---------------------------------------------------------------------------------


@dataclass
class _Prototype:
    stage: str
    reference: str
    received_on: date
    rows: dict[str, list[dict[str, Any]]]


def _read_prototype(connection: Connection, stage: str, case_id: int) -> _Prototype:
    def rows(table: Table, where: Any) -> list[dict[str, Any]]:
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
    return _Prototype(stage, case[0]["reference"], case[0]["received_on"], found)


class _Ids:
    """The next free id of each table, handed out in the order rows are made."""

    def __init__(self, connection: Connection) -> None:
        self._next = {
            model.__tablename__: (connection.scalar(select(func.max(model.id))) or 0) + 1
            for model in _TABLES
            if model is not TaskCandidate
        }

    def take(self, table: str) -> int:
        value = self._next[table]
        self._next[table] = value + 1
        return value


def _shift(row: dict[str, Any], days: timedelta) -> None:
    for key, value in row.items():
        if isinstance(value, date | datetime):
            row[key] = value + days


def _case_dates(random_: random.Random, stage: str, today: date) -> date:
    if stage in LIVE_STAGES:
        return today - timedelta(days=random_.randint(0, LIVE_SPAN_DAYS))
    oldest = today - timedelta(days=365 * YEARS_OF_HISTORY)
    return oldest + timedelta(days=random_.randint(0, 365 * YEARS_OF_HISTORY - LIVE_SPAN_DAYS))


@dataclass
class _Chase:
    state: str
    due_on: date | None
    reminded_at: datetime | None = None
    escalation_level: int = 0
    escalated_at: datetime | None = None


def _chase_until_yesterday(task: dict[str, Any], plan: Any, today: date) -> None:
    """Set a live task's reminders and escalations as if a sweep had run every day so far."""
    state = _Chase(task["state"], task["due_on"])
    yesterday = today - timedelta(days=1)
    for _ in range(len(plan.levels) + 2):
        escalate = escalation_on(state, plan)
        remind = reminder_on(state, plan, yesterday)
        if escalate is not None and escalate <= yesterday:
            state.escalation_level += 1
            state.escalated_at = _morning(escalate)
        elif remind is not None and remind <= yesterday:
            state.reminded_at = _morning(remind)
        else:
            break
    task.update(
        reminded_at=state.reminded_at,
        escalation_level=state.escalation_level,
        escalated_at=state.escalated_at,
        next_chase_on=next_chase_on(state, plan, today),
    )


def _morning(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=clock.LOCAL_ZONE).astimezone(UTC)


class _Copier:
    def __init__(
        self,
        prototypes: list[_Prototype],
        casts: list[_DistrictCast],
        ids: _Ids,
        settings: dict[str, Any],
        seed: int,
    ) -> None:
        self.prototypes = prototypes
        self.casts = casts
        self.ids = ids
        self.settings = settings
        self.random = random.Random(seed)
        self.today = clock.today()
        self.now = clock.now()
        self._plans: dict[str, Any] = {}
        stages = [p.stage for p in prototypes]
        self._weights = [STAGE_WEIGHTS[stage] for stage in stages]

    def _plan(self, chase: dict[str, Any] | None) -> Any:
        key = repr(chase)
        if key not in self._plans:
            self._plans[key] = plan_for(self.settings, chase)
        return self._plans[key]

    def copy(self, out: dict[str, list[dict[str, Any]]]) -> _Prototype:
        prototype = self.random.choices(self.prototypes, self._weights)[0]
        cast = self.random.choice(self.casts)
        received_on = _case_dates(self.random, prototype.stage, self.today)
        days = received_on - prototype.received_on
        case_id = self.ids.take("cases")
        reference = f"CT-{received_on.year}-{case_id:05d}"
        rows = prototype.rows
        mapped: dict[str, dict[int, int]] = {name: {} for name in rows}

        def fresh(table: str, row: dict[str, Any]) -> dict[str, Any]:
            copied = dict(row)
            _shift(copied, days)
            if "id" in copied:
                copied["id"] = mapped[table][row["id"]] = self.ids.take(table)
            if "case_id" in copied:
                copied["case_id"] = case_id
            out[table].append(copied)
            return copied

        case = fresh("cases", rows["cases"][0])
        case.update(id=case_id, reference=reference, district_id=cast.district_id)
        case["applicant"] = self._applicant(cast)
        for row in rows["incidents"]:
            incident = fresh("incidents", row)
            incident["source"] = self._organisation_key(incident["source"], cast)
            incident["reported_to"] = self._organisation_key(incident["reported_to"], cast)
        for row in rows["case_participants"]:
            participant = fresh("case_participants", row)
            participant["organisation_id"] = cast.organisations.get(
                row["organisation_id"], row["organisation_id"]
            )
            participant["user_id"] = cast.users.get(row["user_id"], row["user_id"])
        for row in rows["case_status_changes"]:
            change = fresh("case_status_changes", row)
            change["user_id"] = cast.users.get(row["user_id"], row["user_id"])
        for row in rows["reviews"]:
            fresh("reviews", row)
        for row in rows["recommendations"]:
            recommendation = fresh("recommendations", row)
            recommendation["review_id"] = mapped["reviews"][row["review_id"]]
            recommendation["organisation_id"] = cast.organisations.get(
                row["organisation_id"], row["organisation_id"]
            )
        for row in rows["appeals"]:
            fresh("appeals", row)
        for row in rows["process_instances"]:
            instance = fresh("process_instances", row)
            instance["workflow_json"] = self._workflow(
                row["workflow_json"], prototype, reference, cast, mapped
            )
        for row in rows["tasks"]:
            task = fresh("tasks", row)
            task["instance_id"] = mapped["process_instances"][row["instance_id"]]
            task["assignee_id"] = cast.users.get(row["assignee_id"], row["assignee_id"])
            task["completed_by_id"] = cast.users.get(row["completed_by_id"], row["completed_by_id"])
        candidates_of: dict[int, list[dict[str, Any]]] = {}
        for row in rows["task_candidates"]:
            candidate = dict(row)
            _shift(candidate, days)
            candidate["task_id"] = mapped["tasks"][row["task_id"]]
            candidate["organisation_id"] = cast.organisations.get(
                row["organisation_id"], row["organisation_id"]
            )
            candidate["district_id"] = cast.district_id
            candidate["user_id"] = cast.users.get(row["user_id"], row["user_id"])
            candidates_of.setdefault(candidate["task_id"], []).append(candidate)
            out["task_candidates"].append(candidate)
        for task in out["tasks"][-len(rows["tasks"]) :] if rows["tasks"] else []:
            if task["state"] not in LIVE_TASK_STATES:
                continue
            candidates = candidates_of.get(task["id"], [])
            if task["state"] == "open" and self.random.random() < CLAIMED_SHARE and candidates:
                officer = candidates[0]["user_id"] or cast.officers.get(
                    candidates[0]["organisation_id"]
                )
                if officer is not None:
                    task.update(state="claimed", assignee_id=officer, claimed_at=self.now)
                    for candidate in candidates:
                        candidate["state"] = "claimed"
            _chase_until_yesterday(task, self._plan(task["chase"]), self.today)
        out["audit_events"].append(
            {
                "id": self.ids.take("audit_events"),
                "at": self.now,
                "user_id": None,
                "organisation_id": None,
                "action": "case.demo_loaded",
                "case_id": case_id,
                "object_type": "case",
                "object_id": reference,
                "detail": {"copy_of": prototype.reference, "stage": prototype.stage},
            }
        )
        return prototype

    def _applicant(self, cast: _DistrictCast) -> dict[str, Any]:
        first, last = self.random.choice(_FIRST_NAMES), self.random.choice(_LAST_NAMES)
        town = cast.district_key.replace("-", " ").title()
        return {
            "name": f"{first} {last}",
            "address": f"{self.random.randint(1, 180)} {self.random.choice(_STREETS)}, {town}",
            "email": f"{first.lower()}.{last.lower()}{self.random.randint(1, 999)}@example.com",
            "phone": f"07700 900{self.random.randint(0, 999):03d}",
            "contact_preference": self.random.choice(["email", "email", "letter"]),
        }

    @staticmethod
    def _organisation_key(value: str, cast: _DistrictCast) -> str:
        return {PROTOTYPE_COUNCIL: cast.council_key, PROTOTYPE_HOUSING: cast.housing_key}.get(
            value, value
        )

    @staticmethod
    def _workflow(
        state: str,
        prototype: _Prototype,
        reference: str,
        cast: _DistrictCast,
        mapped: dict[str, dict[int, int]],
    ) -> str:
        state = state.replace(f'"{prototype.reference}"', f'"{reference}"')
        state = state.replace(
            f'"district":"{PROTOTYPE_DISTRICT}"', f'"district":"{cast.district_key}"'
        )
        state = state.replace(f'"{PROTOTYPE_COUNCIL}"', f'"{cast.council_key}"')
        state = state.replace(f'"{PROTOTYPE_HOUSING}"', f'"{cast.housing_key}"')

        def renumber(table: str) -> Callable[[re.Match[str]], str]:
            return lambda match: (
                f"{match.group(1)}{mapped[table].get(int(match.group(2)), match.group(2))}"
            )

        state = re.sub(r'("recommendation_id":)(\d+)', renumber("recommendations"), state)
        return re.sub(r'("appeal_id":)(\d+)', renumber("appeals"), state)


# --- writing in bulk -------------------------------------------------------------------------


def _plain(value: Any, sqlite: bool) -> Any:
    if isinstance(value, datetime):
        value = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        return str(value) if sqlite else value
    if isinstance(value, date):
        return value.isoformat() if sqlite else value
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    if isinstance(value, bool) and sqlite:
        return int(value)
    return value


def _write(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = [column.name for column in table.columns]
    sqlite = connection.dialect.name == "sqlite"
    values = ([_plain(row.get(name), sqlite) for name in columns] for row in rows)
    names = ", ".join(f'"{name}"' for name in columns)
    if sqlite:
        marks = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(
            f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', [tuple(v) for v in values]
        )
        return
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in values:
            copy.write_row(row)


def _batches(total: int, size: int) -> Iterator[int]:
    while total > 0:
        yield min(size, total)
        total -= size


def load_cases(
    db: Database,
    settings: Settings,
    count: int,
    *,
    seed: int = 2014,
    progress: Callable[[int, int], None] | None = None,
) -> LoadResult:
    """Add ``count`` cases: one real prototype per stage, the rest copies of them.

    Needs the shipped diagrams and the demo users (``casereview init --demo``).
    """
    with db.read() as session:
        if not all(latest_definition(session, key) for key in DEMO_PROCESSES):
            raise DemoUnavailable(
                "demo-load needs the shipped diagrams deployed and the demo users: "
                "run `casereview init --demo` first"
            )
        if (
            session.scalar(select(User.id).where(User.email == "caseworker@dales.example.org"))
            is None
        ):
            raise DemoUnavailable("demo-load needs the demo users: run `casereview init --demo`")
    if count < len(STAGE_WEIGHTS):
        raise ValueError(f"demo-load makes at least {len(STAGE_WEIGHTS)} cases, one per stage")
    with db.transaction() as session:
        casts = _casts(session)
    prototype_ids = _build_prototypes(db, settings)
    result = LoadResult(cases=len(prototype_ids))
    result.stages.update(prototype_ids.keys())
    with db.writer.connect() as connection:
        prototypes = [
            _read_prototype(connection, stage, case_id) for stage, case_id in prototype_ids.items()
        ]
        connection.rollback()
        with db.read() as session:
            area_settings = current_settings(session)
        copier = None
        done = 0
        for size in _batches(count - len(prototypes), BATCH_CASES):
            with connection.begin():
                if copier is None:
                    copier = _Copier(prototypes, casts, _Ids(connection), area_settings, seed)
                out: dict[str, list[dict[str, Any]]] = {m.__tablename__: [] for m in _TABLES}
                for _ in range(size):
                    result.stages[copier.copy(out).stage] += 1
                audit.chain_rows(connection, out["audit_events"])
                for model in _TABLES:
                    _write(connection, model.__table__, out[model.__tablename__])
                result.tasks += len(out["tasks"])
                result.live_tasks += sum(t["state"] in LIVE_TASK_STATES for t in out["tasks"])
            done += size
            result.cases += size
            if progress:
                progress(done, count - len(prototypes))
        with connection.begin():
            if connection.dialect.name == "postgresql":
                for model in _TABLES:
                    if model is TaskCandidate:
                        continue
                    name = model.__tablename__
                    connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f'(SELECT COALESCE(MAX(id), 1) FROM "{name}"))'
                        )
                    )
    _analyze(db)
    with db.read() as session:
        result.tasks = session.scalar(select(func.count()).select_from(Task)) or 0
        result.live_tasks = (
            session.scalar(
                select(func.count()).select_from(Task).where(Task.state.in_(LIVE_TASK_STATES))
            )
            or 0
        )
    return result


def _analyze(db: Database) -> None:
    """Fresh planner statistics after a bulk load, as an operator would gather after one; on
    PostgreSQL a vacuum too, which autovacuum would otherwise start later, in the middle of
    whatever runs next, to mark the new rows visible to all."""
    if db.is_sqlite:
        with db.writer.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
        return
    with db.writer.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM (ANALYZE)")


def stage_counts(db: Database) -> dict[str, int]:
    """How many cases are at each status."""
    with db.read() as session:
        return dict(session.execute(select(Case.status, func.count()).group_by(Case.status)).all())
