"""The world the access matrix visits: three cases (A in Derbyshire Dales, reviewed with a
High Peak chair and under appeal; B in Derbyshire Dales and C in Erewash, both waiting for the
agencies' returns), the role each user signs in for, which cases each role takes part in
(``SEES``, written out from the rules), and a visitor per role with a browser and an API
client. One role is no user: the applicant of case A, signed in with a link to it."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from engine.core import clock
from engine.core.clock import FixedClock
from engine.core.config import load_settings
from engine.core.db import Database
from engine.core.models import (
    ApiToken,
    Attachment,
    CaseParticipant,
    CheckIn,
    Document,
    Incident,
    Notification,
    ProcessInstance,
    Task,
    User,
)
from engine.documents import LETTER_KINDS
from engine.people.accounts import add_user
from engine.people.personal_tokens import READ_ONLY, TokenAnswers, default_expiry, make_token
from engine.people.tokens import issue_token
from engine.records.attachments import attach_file
from tests.support.applicant import following, new_link
from tests.support.oidc import Account, Client, Provider, sign_in_through
from tests.support.people import COUNCIL, DEMO_PASSWORD
from tests.support.procedure import (
    application,
    deploy_review_and_appeal,
    do,
    incident,
    lodge,
    reviewed_case,
    submit,
)
from tests.support.providers import POLICE_ORGANISATION, give_provider
from tests.support.web import csrf_token
from web import create_app

CALLBACK = "/sign-in/organisation/callback"
PROVIDER_START = f"/sign-in/organisation/{POLICE_ORGANISATION}"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

# Who signs in for each role: the users of tests/conftest.py, and a few more added here.
ROLES: dict[str, str | None] = {
    "anonymous": None,
    "council caseworker": "council@example.org",
    "council manager": "manager@example.org",
    "other district's council": "erewash@example.org",
    "police": "police@example.org",
    "housing provider": "housing@example.org",
    "another housing provider": "emh@example.org",
    "health": "health@example.org",
    "review chair": "chair@example.org",
    "the chair's colleague": "highpeak@example.org",
    "opcc": "opcc@example.org",
    # A police officer who signs in through the police's own provider (``PROVIDER_OFFICER``),
    # their role given by their group there.
    "police, own account": "officer@derbyshire.police.example",
    "process owner": "owner@example.org",
    "administrator": "admin@example.org",
    # No account: signed in with a one-time link to their own case (``APPLICANT_CASE``).
    "applicant": None,
}
APPLICANT = "applicant"
APPLICANT_CASE = "A"
EXTRA_USERS = [
    ("emh@example.org", "emh-homes", ["agency_officer"]),
    ("highpeak@example.org", "high-peak-borough-council", ["caseworker", "manager"]),
    ("owner@example.org", "derbyshire-dales-district-council", ["process_owner"]),
    ("admin@example.org", "derbyshire-dales-district-council", ["administrator"]),
]
PROVIDER_ROLE = "police, own account"
PROVIDER_OFFICER = Account(
    "officer@derbyshire.police.example", "their password at the police", "Officer", ["ct"]
)
PROVIDER_SECRET = "the matrix's client secret at the police's provider"
# The test client's address, where the provider sends the browser back.
PROVIDER_CLIENT = Client("casereview", PROVIDER_SECRET, ["http://localhost" + CALLBACK])
# The cases each role takes part in: the rule, written out.
SEES: dict[str, set[str]] = {
    "anonymous": set(),
    "council caseworker": {"A", "B"},
    "council manager": {"A", "B"},
    "other district's council": {"C"},
    "police": {"A", "B", "C"},
    "housing provider": {"A", "B"},
    "another housing provider": {"C"},
    "health": {"A", "B", "C"},
    "review chair": {"A"},
    "the chair's colleague": set(),
    "opcc": {"A"},
    "police, own account": {"A", "B", "C"},
    "process owner": set(),
    "administrator": set(),
    APPLICANT: {APPLICANT_CASE},  # on their own pages only
}
CASES = ("A", "B", "C")
ME = "the visitor's own user id"  # in a body, so a reassignment names a real colleague


@dataclass
class Target:
    """One case and the things on it a route can name."""

    reference: str
    case_id: int
    instance: int
    tasks: dict[int, int] = field(default_factory=dict)  # organisation id -> an open task
    any_task: int = 0
    council: int = 0  # the organisation managing the case
    document: int | None = None
    attachment: int | None = None
    letter: int | None = None  # a letter to the applicant
    check_in: int | None = None  # a check-in after closure, asked and waiting for its answer
    report: int | None = None  # a report of the behaviour, from the application or a return


@dataclass
class World:
    app: Flask
    db: Database
    cases: dict[str, Target]
    users: dict[str, User]
    provider: Provider | None = None


def user_with_roles(db: Database, email: str) -> User:
    """The user with ``email``, their roles loaded for use after the session."""
    with db.read() as session:
        found = session.scalar(select(User).where(User.email == email))
        found.roles  # noqa: B018 - loaded for use after the session
        return found


def _returns_case(db: Database, district: str, council: str, incidents: list[dict]) -> int:
    case_id = submit(db, application(incidents, district=district))
    do(db, case_id, "acknowledge", council, {"method": "email"})
    do(db, case_id, "screen", council, {"route": "review", "hate_element": False})
    return case_id


def _target(db: Database, case_id: int) -> Target:
    with db.read() as session:
        tasks = session.scalars(
            select(Task).where(Task.case_id == case_id).order_by(Task.id.desc())
        ).all()
        target = Target(
            reference=tasks[0].case.reference,
            case_id=case_id,
            instance=session.scalar(
                select(ProcessInstance.id).where(ProcessInstance.case_id == case_id)
            ),
            any_task=tasks[0].id,
            council=session.scalar(
                select(CaseParticipant.organisation_id).where(
                    CaseParticipant.case_id == case_id, CaseParticipant.role == "council"
                )
            ),
        )
        for task in tasks:
            if task.state in ("open", "claimed"):
                for organisation_id in task.organisation_ids:
                    target.tasks.setdefault(organisation_id, task.id)
        target.document = session.scalar(
            select(Document.id).where(Document.case_id == case_id).order_by(Document.id).limit(1)
        )
        target.attachment = session.scalar(
            select(Attachment.id).where(Attachment.case_id == case_id).limit(1)
        )
        target.check_in = session.scalar(select(CheckIn.id).where(CheckIn.case_id == case_id))
        target.report = session.scalar(
            select(Incident.id).where(Incident.case_id == case_id).order_by(Incident.id).limit(1)
        )
        target.letter = session.scalar(
            select(Document.id)
            .where(Document.case_id == case_id, Document.kind.in_(LETTER_KINDS))
            .order_by(Document.id)
            .limit(1)
        )
    return target


def _asked(db: Database, case_id: int) -> None:
    """A check-in after closure, put to the applicant by the council and not yet answered."""
    with db.transaction() as session:
        session.add(
            CheckIn(
                case_id=case_id,
                months=1,
                due_on=clock.today(),
                sent_at=clock.now(),
                channel="post",
                comment="",
                answered_by="",
            )
        )


def build_world(
    app_db: Database, fixed_clock: FixedClock, tmp_path: Path, provider: Provider | None = None
) -> World:
    """The three cases, the extra users, and the app, with a file on each case. With
    ``provider`` (for ``PROVIDER_CLIENT`` and ``PROVIDER_OFFICER``, its secret in the
    environment), the police sign in through it too, and its officer has signed in once."""
    db = deploy_review_and_appeal(app_db)
    with db.transaction() as session:
        for email, organisation, roles in EXTRA_USERS:
            add_user(
                session,
                email=email,
                name=email.split("@")[0].title(),
                organisation_key=organisation,
                roles=roles,
                password=DEMO_PASSWORD,
            )
    a_id, a_reference = reviewed_case(db, fixed_clock)
    fixed_clock.advance(timedelta(days=5))
    lodge(db, a_reference, "2026-03-20", ["information_not_considered"])
    b_id = _returns_case(db, "derbyshire-dales", COUNCIL, None)
    c_id = _returns_case(
        db,
        "erewash",
        "erewash@example.org",
        [incident(f"2026-01-{day:02d}", f"2026-01-{day + 1:02d}") for day in (5, 12, 19)],
    )
    for case_id in (a_id, b_id, c_id):
        _asked(db, case_id)
    cases = {"A": _target(db, a_id), "B": _target(db, b_id), "C": _target(db, c_id)}
    for name, email in (("A", "opcc@example.org"), ("B", "police@example.org")):
        user = user_with_roles(db, email)
        task = cases[name].tasks[user.organisation_id]
        attach_file(db, task, user, "statement.pdf", PDF)
        cases[name] = _target(db, cases[name].case_id)
    # C's file is the other housing provider's, on its own return.
    emh = user_with_roles(db, "emh@example.org")
    attach_file(db, cases["C"].tasks[emh.organisation_id], emh, "log.pdf", PDF)
    cases["C"] = _target(db, c_id)
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    app = create_app(settings, db)
    if provider is not None:
        give_provider(
            db, provider.issuer, methods=("provider", "password"), roles={"ct": ["agency_officer"]}
        )
        first = sign_in_through(
            app.test_client(), PROVIDER_START, PROVIDER_OFFICER.email, PROVIDER_OFFICER.password
        )
        assert first.status_code == 302, first.get_data(as_text=True)
    users = {
        role: user_with_roles(db, email)
        for role, email in ROLES.items()
        if email and (provider is not None or role != PROVIDER_ROLE)
    }
    with db.transaction() as session:
        for user in users.values():
            last_day = default_expiry(clock.today()).isoformat()
            answers = TokenAnswers("Matrix link", last_day, READ_ONLY)
            make_token(session, session.get_one(User, user.id), answers, ())
    return World(app, db, cases, users, provider)


@dataclass(frozen=True)
class Route:
    method: str
    # {ref}, {task}, {instance}, {document}, {attachment}, {check_in}, {report}, {notification},
    # {user}, {token} (a personal access token: the visitor's own on an "own" route)
    path: str
    rule: str  # the Flask rule it exercises, so the matrix can list what it misses
    # "public", "signed in", "case", "administrator", "process owner", "letters" (the
    # letters' wording: process owners and administrators), "manager" (a page of
    # the manager's role about their own organisation, or its download of the cases list),
    # "admits" (people waiting for roles: managers and administrators), "district notes"
    # (Derbyshire Dales's notes on its figures: its council's staff), "oversight" (the
    # oversight figures: the OPCC's staff and those of a council leading a district), "own",
    # "reason",
    # "sign-out", "provider callback" (back from a provider), "applicant" (the applicant's own
    # pages), "applicant token" (the API's routes for the applicant's token alone) or "case
    # search" (the cases list: anyone signed in, an administrator with a reason),
    # "single-use link" (another public body's link, given no valid token) or "public body"
    # (a request sent to the visitor's organisation as another public body)
    who: str
    body: dict[str, Any] | None = None
    upload: bool = False
    # "candidate": done by the task's organisations; "manager": their managers; "council":
    # the council managing the case; "council manager": that council's managers; "chair":
    # the chair of the case's review
    acts: str = ""


class Visitor:
    """One role's browser (session and CSRF token) and API client (bearer token)."""

    def __init__(self, world: World, email: str | None, *, follows: int | None = None) -> None:
        """Signed in as the user with ``email``, or, with ``follows``, as the applicant of
        that case (by its id), signed in with a link to it and holding an API token for
        another."""
        self.browser = world.app.test_client()
        self.api = world.app.test_client()
        self.db = world.db
        self.token = ""
        self.user_id = 0
        if follows is not None:
            following(world.app, world.db, follows, self.browser)
            # On the API, the applicant holds a token got for another of their codes.
            issued = self.api.post(
                "/api/v1/applicant/token", json={"link": new_link(world.db, follows)}
            )
            self.token = issued.get_json()["token"]
        if email is None:
            return
        self.user_id = user_with_roles(world.db, email).id
        if email == PROVIDER_OFFICER.email:
            self._through_provider()
            return
        csrf = _csrf(self.browser.get("/sign-in"))
        signed = self.browser.post(
            "/sign-in", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": csrf}
        )
        assert signed.status_code == 302, email
        issued = self.api.post(
            "/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD}
        )
        self.token = issued.get_json()["token"]

    def _through_provider(self) -> None:
        """Signed in through the police's provider, with a token of their own for the API."""
        signed = sign_in_through(
            self.browser, PROVIDER_START, PROVIDER_OFFICER.email, PROVIDER_OFFICER.password
        )
        assert signed.status_code == 302, signed.get_data(as_text=True)
        with self.db.transaction() as session:
            self.token = issue_token(session, session.get_one(User, self.user_id))

    @classmethod
    def for_role(cls, world: World, role: str) -> Visitor:
        """The visitor of a role of ``ROLES``, the applicant included."""
        if role == APPLICANT:
            return cls(world, None, follows=world.cases[APPLICANT_CASE].case_id)
        return cls(world, ROLES[role])

    def call(self, route: Route, path: str) -> TestResponse:
        body = {
            name: self.user_id if value == ME else value
            for name, value in (route.body or {}).items()
        }
        if path.startswith("/api/"):
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            json = body if route.body is not None else None
            return self.api.open(path, method=route.method, json=json, headers=headers)
        if route.method == "GET":
            return self.browser.get(path)
        page = self.browser.get("/sign-out" if self.user_id else "/sign-in")
        data: dict[str, Any] = {"csrf_token": _csrf(page)}
        data.update((name, str(value)) for name, value in body.items())
        if route.upload:
            data["file"] = (io.BytesIO(PDF), "more.pdf")
        return self.browser.post(path, data=data)


def _csrf(page: TestResponse) -> str:
    return csrf_token(page.get_data(as_text=True))


def _notification(world: World, email: str | None, own: bool) -> int:
    """A notification of this user's (own) or of someone else's."""
    with world.db.read() as session:
        user_id = session.scalar(select(User.id).where(User.email == (email or "")))
        mine = Notification.user_id == user_id
        chosen = select(Notification.id).where(mine if own else ~mine).limit(1)
        return session.scalar(chosen) or 0


def _token(world: World, email: str | None, own: bool) -> int:
    """A personal access token of this user's (own), or else of the health officer's."""
    mine = own and email is not None
    with world.db.read() as session:
        owner = select(User.id).where(User.email == (email if mine else ROLES["health"]))
        return (
            session.scalar(select(ApiToken.id).where(ApiToken.user_id == owner.scalar_subquery()))
            or 0
        )


def route_path(world: World, role: str, route: Route, case: str) -> str | None:
    """The route's path for this role and case; None where the case has no such thing."""
    target = world.cases[case]
    user = world.users.get(role)
    task = target.tasks.get(user.organisation_id, target.any_task) if user else target.any_task
    values = {
        "ref": target.reference,
        "task": task,
        "instance": target.instance,
        "document": target.document,
        "attachment": target.attachment,
        "letter": target.letter,
        "check_in": target.check_in,
        "report": target.report,
        "notification": _notification(world, ROLES[role], route.who == "own") or None,
        "user": world.users["health"].id,
        "token": _token(world, ROLES[role], route.who == "own") or None,
    }
    if any(values[name] is None for name in re.findall(r"{(\w+)}", route.path)):
        return None
    return route.path.format(**values)
