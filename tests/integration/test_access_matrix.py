"""Need-to-know, route by route: every route, for every role and for an anonymous visitor.

Three cases make the world: A in Derbyshire Dales, reviewed (a High Peak chair took part) and
under appeal, so the OPCC takes part; B in Derbyshire Dales, waiting for the agencies' returns;
C in Erewash, waiting for the agencies' returns. Each role's expected view of each case is
written out in ``SEES`` from the rules, not worked out by the code under test. A route that is
not in ``ROUTES`` fails the test, so a new route cannot escape the matrix.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from engine.core.config import load_settings
from engine.core.db import Database
from engine.core.models import (
    Attachment,
    CaseParticipant,
    Document,
    Notification,
    ProcessInstance,
    Task,
    User,
)
from engine.people.accounts import add_user
from engine.records.attachments import attach_file
from tests.support.people import COUNCIL, DEMO_PASSWORD
from tests.support.procedure import (
    TODAY,
    application,
    deploy_review_and_appeal,
    do,
    incident,
    lodge,
    reviewed_case,
    submit,
)
from tests.support.web import csrf_token
from web import create_app

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
    "process owner": "owner@example.org",
    "administrator": "admin@example.org",
}
EXTRA_USERS = [
    ("emh@example.org", "emh-homes", ["agency_officer"]),
    ("highpeak@example.org", "high-peak-borough-council", ["caseworker", "manager"]),
    ("owner@example.org", "derbyshire-dales-district-council", ["process_owner"]),
    ("admin@example.org", "derbyshire-dales-district-council", ["administrator"]),
]
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
    "process owner": set(),
    "administrator": set(),
}
CASES = ("A", "B", "C")


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


@dataclass
class World:
    app: Flask
    db: Database
    cases: dict[str, Target]
    users: dict[str, User]


def _user(db: Database, email: str) -> User:
    with db.read() as session:
        found = session.scalar(select(User).where(User.email == email))
        found.roles  # noqa: B018 - loaded for use after the session
        return found


def _returns_case(db: Database, district: str, council: str, incidents: list[dict]) -> int:
    case_id = submit(db, application(incidents, district=district))
    do(db, case_id, "acknowledge", council, {"acknowledged_on": TODAY, "method": "email"})
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
            select(Document.id).where(Document.case_id == case_id).limit(1)
        )
        target.attachment = session.scalar(
            select(Attachment.id).where(Attachment.case_id == case_id).limit(1)
        )
    return target


@pytest.fixture
def world(app_db: Database, fixed_clock, tmp_path) -> World:
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
    cases = {"A": _target(db, a_id), "B": _target(db, b_id), "C": _target(db, c_id)}
    for name, email in (("A", "opcc@example.org"), ("B", "police@example.org")):
        user = _user(db, email)
        task = cases[name].tasks[user.organisation_id]
        attach_file(db, task, user, "statement.pdf", PDF)
        cases[name] = _target(db, cases[name].case_id)
    # C's file is the other housing provider's, on its own return.
    emh = _user(db, "emh@example.org")
    attach_file(db, cases["C"].tasks[emh.organisation_id], emh, "log.pdf", PDF)
    cases["C"] = _target(db, c_id)
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    users = {role: _user(db, email) for role, email in ROLES.items() if email}
    return World(create_app(settings, db), db, cases, users)


# What a route answers, in four kinds.
OK = "answers"  # a GET: 200; a POST: done, or refused for what was sent (never 401/404/5xx)
HIDDEN = "404"  # as if it did not exist
SIGN_IN = "asks to sign in"  # HTML: redirect to the sign-in page; API: 401
FORBIDDEN = "403"  # a page for another role, which hides nothing about any case
ASKS_REASON = "asks why"  # an administrator is asked for a reason before reading a case
ME = "the visitor's own user id"  # in a body, so a reassignment names a real colleague


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {ref}, {task}, {instance}, {document}, {attachment}, {notification}, {user}
    rule: str  # the Flask rule it exercises, so the matrix can list what it misses
    # "public", "signed in", "case", "administrator", "process owner", "own", "reason", "sign-out"
    who: str
    body: dict[str, Any] | None = None
    upload: bool = False
    # "candidate": done by the task's organisations; "manager": their managers; "council
    # manager": the managers of the council managing the case
    acts: str = ""


ROUTES = [
    Route("GET", "/sign-in", "/sign-in", "public"),
    Route("POST", "/sign-in", "/sign-in", "public", {"email": "x@example.org", "password": "no"}),
    Route("GET", "/apply", "/apply", "public"),
    Route("POST", "/apply", "/apply", "public", {}),
    Route("GET", "/appeal", "/appeal", "public"),
    Route("POST", "/appeal", "/appeal", "public", {}),
    Route("GET", "/submitted", "/submitted", "public"),
    Route("GET", "/statistics", "/statistics", "public"),
    Route("GET", "/statistics/2025.docx", "/statistics/<int:year>.docx", "public"),
    Route("GET", "/assets/govuk/govuk-frontend.min.css", "/assets/govuk/<path:filename>", "public"),
    Route("GET", "/assets/images/favicon.ico", "/assets/<path:filename>", "public"),
    Route(
        "GET",
        "/assets/bpmn-js/bpmn-navigated-viewer.production.min.js",
        "/assets/bpmn-js/<path:filename>",
        "public",
    ),
    Route("GET", "/static/casereview.css", "/static/<path:filename>", "public"),
    Route("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", "public"),
    Route("GET", "/api/v1/statistics?year=2025", "/api/v1/statistics", "public"),
    Route("POST", "/api/v1/applications", "/api/v1/applications", "public", {}),
    Route("POST", "/api/v1/appeals", "/api/v1/appeals", "public", {}),
    Route("POST", "/api/v1/auth/token", "/api/v1/auth/token", "public", {"email": "x"}),
    Route("GET", "/", "/", "signed in"),
    Route("GET", "/sign-out", "/sign-out", "signed in"),
    Route("GET", "/notifications", "/notifications", "signed in"),
    Route("POST", "/notifications/read-all", "/notifications/read-all", "signed in", {}),
    Route("GET", "/cases?reference={ref}", "/cases", "signed in"),
    Route("GET", "/api/v1/tasks?scope=organisation", "/api/v1/tasks", "signed in"),
    Route("GET", "/api/v1/tasks/filters", "/api/v1/tasks/filters", "signed in"),
    Route(
        "POST",
        "/notifications/{notification}/read",
        "/notifications/<int:notification_id>/read",
        "own",
        {},
    ),
    Route("GET", "/outbox", "/outbox", "administrator"),
    Route("GET", "/users", "/users", "administrator"),
    Route("GET", "/audit", "/audit", "administrator"),
    Route(
        "GET",
        "/audit/export?from=2026-01-01&to=2026-12-31&format=csv",
        "/audit/export",
        "administrator",
    ),
    Route("GET", "/users/new", "/users/new", "administrator"),
    Route("POST", "/users/new", "/users/new", "administrator", {"name": "No email"}),
    Route("GET", "/users/{user}", "/users/<int:user_id>", "administrator"),
    Route("POST", "/users/{user}", "/users/<int:user_id>", "administrator", {"active": "yes"}),
    Route("POST", "/users/{user}/password", "/users/<int:user_id>/password", "administrator", {}),
    Route(
        "POST",
        "/outbox/{notification}/retry",
        "/outbox/<int:notification_id>/retry",
        "administrator",
        {},
    ),
    Route("GET", "/procedure", "/procedure", "process owner"),
    Route("GET", "/procedure/asb_case_review", "/procedure/<key>", "process owner"),
    Route("GET", "/procedure/asb_case_review/edit", "/procedure/<key>/edit", "process owner"),
    Route(
        "GET",
        "/procedure/asb_case_review/compare?from=1&to=1",
        "/procedure/<key>/compare",
        "process owner",
    ),
    Route(
        "GET",
        "/procedure/asb_case_review/versions/1.bpmn",
        "/procedure/<key>/versions/<int:version>.bpmn",
        "process owner",
    ),
    Route(
        "POST",
        "/procedure/asb_case_review/versions/1/move",
        "/procedure/<key>/versions/<int:version>/move",
        "process owner",
        {},
    ),
    Route("POST", "/procedure/check", "/procedure/check", "process owner", {}),
    Route("POST", "/procedure/deploy", "/procedure/deploy", "process owner", {}),
    Route("POST", "/procedure/upload", "/procedure/upload", "process owner", {}),
    Route("GET", "/api/v1/process-definitions", "/api/v1/process-definitions", "process owner"),
    Route(
        "POST", "/api/v1/process-definitions", "/api/v1/process-definitions", "process owner", {}
    ),
    Route(
        "POST",
        "/api/v1/process-definitions/validate",
        "/api/v1/process-definitions/validate",
        "process owner",
        {},
    ),
    Route(
        "GET",
        "/api/v1/process-definitions/asb_case_review/compare?from=1&to=1",
        "/api/v1/process-definitions/<key>/compare",
        "process owner",
    ),
    Route(
        "GET",
        "/api/v1/process-definitions/asb_case_review/versions/1",
        "/api/v1/process-definitions/<key>/versions/<int:version>",
        "process owner",
    ),
    Route(
        "POST",
        "/api/v1/process-definitions/asb_case_review/versions/1/move",
        "/api/v1/process-definitions/<key>/versions/<int:version>/move",
        "process owner",
        {},
    ),
    Route("GET", "/cases/{ref}", "/cases/<reference>", "case"),
    Route("POST", "/cases/{ref}/reason", "/cases/<reference>/reason", "reason", {"reason": "x"}),
    Route(
        "GET",
        "/cases/{ref}/processes/{instance}/diagram.json",
        "/cases/<reference>/processes/<int:instance_id>/diagram.json",
        "case",
    ),
    Route(
        "GET",
        "/cases/{ref}/documents/{document}",
        "/cases/<reference>/documents/<int:document_id>",
        "case",
    ),
    Route(
        "GET",
        "/cases/{ref}/documents/meeting-pack",
        "/cases/<reference>/documents/meeting-pack",
        "case",
    ),
    Route(
        "GET",
        "/cases/{ref}/documents/meeting-pack.zip",
        "/cases/<reference>/documents/meeting-pack.zip",
        "case",
    ),
    Route("GET", "/tasks/{task}", "/tasks/<int:task_id>", "case"),
    Route(
        "POST",
        "/tasks/{task}",
        "/tasks/<int:task_id>",
        "case",
        {"action": "draft"},
        acts="candidate",
    ),
    Route(
        "POST", "/tasks/{task}/claim", "/tasks/<int:task_id>/claim", "case", {}, acts="candidate"
    ),
    Route(
        "POST",
        "/tasks/{task}/reassign",
        "/tasks/<int:task_id>/reassign",
        "case",
        {"user_id": ME},
        acts="manager",
    ),
    Route(
        "POST",
        "/tasks/{task}/attachments",
        "/tasks/<int:task_id>/attachments",
        "case",
        upload=True,
        acts="candidate",
    ),
    Route("GET", "/attachments/{attachment}", "/attachments/<int:attachment_id>", "case"),
    Route("GET", "/api/v1/cases/{ref}", "/api/v1/cases/<reference>", "case"),
    Route("GET", "/api/v1/cases/{ref}/documents", "/api/v1/cases/<reference>/documents", "case"),
    Route(
        "GET",
        "/api/v1/cases/{ref}/documents/meeting-pack",
        "/api/v1/cases/<reference>/documents/meeting-pack",
        "case",
    ),
    Route("GET", "/api/v1/tasks/{task}", "/api/v1/tasks/<int:task_id>", "case"),
    Route(
        "PUT",
        "/api/v1/tasks/{task}/draft",
        "/api/v1/tasks/<int:task_id>/draft",
        "case",
        {"data": {}},
        acts="candidate",
    ),
    Route(
        "POST",
        "/api/v1/tasks/{task}/claim",
        "/api/v1/tasks/<int:task_id>/claim",
        "case",
        {},
        acts="candidate",
    ),
    Route(
        "POST",
        "/api/v1/tasks/{task}/release",
        "/api/v1/tasks/<int:task_id>/release",
        "case",
        {},
        acts="candidate",
    ),
    Route(
        "POST",
        "/api/v1/tasks/{task}/reassign",
        "/api/v1/tasks/<int:task_id>/reassign",
        "case",
        {"user_id": ME},
        acts="manager",
    ),
    Route(
        "POST",
        "/api/v1/tasks/{task}/complete",
        "/api/v1/tasks/<int:task_id>/complete",
        "case",
        {"data": {}},
        acts="candidate",
    ),
    # Every case here is past its meeting or has no review yet: a manager is told so.
    Route(
        "POST",
        "/cases/{ref}/chair",
        "/cases/<reference>/chair",
        "case",
        {"chair_email": "chair@example.org"},
        acts="council manager",
    ),
    Route(
        "POST",
        "/api/v1/cases/{ref}/chair",
        "/api/v1/cases/<reference>/chair",
        "case",
        {"chair_email": "chair@example.org"},
        acts="council manager",
    ),
    # Last, because it changes what the rest of the row would see.
    Route(
        "POST",
        "/tasks/{task}/attachments/{attachment}/remove",
        "/tasks/<int:task_id>/attachments/<int:attachment_id>/remove",
        "case",
        {},
    ),
    Route("POST", "/sign-out", "/sign-out", "sign-out", {}),
]
# Answers that differ from the general rule, and why.
EXCEPTIONS: dict[tuple[str, str], Callable[[str, str], str | None]] = {
    # Only the organisation that added a file may take it off; to anyone else it is not there.
    ("POST", "/tasks/{task}/attachments/{attachment}/remove"): lambda role, case: (
        OK
        if (role, case) in {("opcc", "A"), ("police", "B"), ("another housing provider", "C")}
        else None
    ),
}


def expected(world: World, role: str, route: Route, case: str) -> str:
    if route.who == "public":
        return OK
    if role == "anonymous" or route.who == "sign-out":
        return SIGN_IN
    if route.who == "reason":
        # Only administrators give reasons; a reason this short is refused and asked again.
        return ASKS_REASON if role == "administrator" else HIDDEN
    if route.who in ("signed in", "own"):
        return OK
    if route.who == "administrator":
        return OK if role == "administrator" else FORBIDDEN
    if route.who == "process owner":
        # The diagrams are the partnership's procedure, not personal data: 403, not 404.
        return OK if role == "process owner" else FORBIDDEN
    if (route.method, route.path) in EXCEPTIONS:
        special = EXCEPTIONS[(route.method, route.path)](role, case)
        if case in SEES[role]:
            return special or HIDDEN
    if case in SEES[role]:
        return _may_act(world, role, route, case)
    if role == "administrator" and route.path == "/cases/{ref}":
        return ASKS_REASON
    return HIDDEN


def _may_act(world: World, role: str, route: Route, case: str) -> str:
    """On a case they take part in, anyone may look; only the task's organisations act on it,
    and only their managers hand it to someone else."""
    user = world.users[role]
    ours = user.organisation_id in world.cases[case].tasks
    if route.acts == "candidate" and not ours:
        return FORBIDDEN
    if route.acts == "manager" and not (ours and "manager" in user.roles):
        return FORBIDDEN
    managing = user.organisation_id == world.cases[case].council
    if route.acts == "council manager" and not (managing and "manager" in user.roles):
        return FORBIDDEN
    return OK


def kind_of(response: TestResponse, route: Route) -> str:
    status = response.status_code
    api = route.path.startswith("/api/")
    if status >= 500:
        return f"server error {status}"
    if status == 404:
        return HIDDEN
    if status == 403:
        return FORBIDDEN
    if (api and status == 401) or (
        not api and status == 302 and "/sign-in" in response.headers.get("Location", "")
    ):
        return SIGN_IN
    if status == 401:
        return f"unexpected {status}"
    if b'name="reason"' in response.get_data():
        return ASKS_REASON
    if route.method == "GET":
        return OK if status in (200, 302) else f"unexpected {status}"
    return OK if status < 400 or status in (400, 409, 422) else f"unexpected {status}"


class Visitor:
    """One role's browser (session and CSRF token) and API client (bearer token)."""

    def __init__(self, world: World, email: str | None) -> None:
        self.browser = world.app.test_client()
        self.api = world.app.test_client()
        self.token = ""
        self.user_id = 0
        if email is None:
            return
        self.user_id = _user(world.db, email).id
        csrf = _csrf(self.browser.get("/sign-in"))
        signed = self.browser.post(
            "/sign-in", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": csrf}
        )
        assert signed.status_code == 302, email
        issued = self.api.post(
            "/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD}
        )
        self.token = issued.get_json()["token"]

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
        page = self.browser.get("/sign-out" if self.token else "/sign-in")
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


def _path(world: World, role: str, route: Route, case: str) -> str | None:
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
        "notification": _notification(world, ROLES[role], route.who == "own") or None,
        "user": world.users["health"].id,
    }
    if any(values[name] is None for name in re.findall(r"{(\w+)}", route.path)):
        return None
    return route.path.format(**values)


def test_the_matrix_names_every_route_the_app_has(world: World) -> None:
    covered = {(route.method, route.rule) for route in ROUTES}
    missing = [
        f"{method} {rule.rule}"
        for rule in world.app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
        if (method, rule.rule) not in covered
    ]
    assert missing == []


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_sees_exactly_what_it_needs_to_know(world: World, role: str) -> None:
    visitor = Visitor(world, ROLES[role])
    wrong = []
    for route in ROUTES:
        for case in CASES if "{" in route.path else CASES[:1]:
            path = _path(world, role, route, case)
            if path is None:
                continue
            want = expected(world, role, route, case)
            answer = visitor.call(route, path)
            got = kind_of(answer, route)
            if got != want:
                got = f"{got} ({answer.status_code})"
            if got != want:
                wrong.append(f"{route.method} {path} (case {case}): expected {want}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_a_hidden_case_answers_exactly_as_a_missing_one(world: World) -> None:
    visitor = Visitor(world, "erewash@example.org")
    dales = world.cases["A"]
    for hidden, missing in [
        (f"/api/v1/cases/{dales.reference}", "/api/v1/cases/CT-NONE-0000"),
        (f"/api/v1/tasks/{dales.any_task}", "/api/v1/tasks/999999"),
        (f"/tasks/{dales.any_task}", "/tasks/999999"),
        (f"/attachments/{dales.attachment}", "/attachments/999999"),
    ]:
        route = Route("GET", hidden, hidden, "case")
        seen, absent = visitor.call(route, hidden), visitor.call(route, missing)
        assert seen.status_code == absent.status_code == 404
        assert _without_nonce(seen).replace(dales.reference, "CT-NONE-0000") == (
            _without_nonce(absent)
        )


def _without_nonce(response: TestResponse) -> str:
    """The page without its per-request CSP nonce, the one part that differs every time."""
    return re.sub(r'nonce="[^"]+"', "", response.get_data(as_text=True))


def test_an_administrator_reads_a_case_only_with_a_recorded_reason(world: World) -> None:
    from engine.core.models import AuditEvent

    visitor = Visitor(world, "admin@example.org")
    reference = world.cases["B"].reference
    asked = visitor.browser.get(f"/cases/{reference}").get_data(as_text=True)
    assert "Why do you need to read case" in asked and "Sam Taylor" not in asked
    short = Route("POST", f"/cases/{reference}/reason", "", "case", {"reason": "audit"})
    refused = visitor.call(short, short.path)
    assert refused.status_code == 400
    assert "at least 10 characters" in refused.get_data(as_text=True)
    assert "<title>Error: Why do you need" in refused.get_data(as_text=True), "said once"
    rambling = "A long story. " * 40  # 560 characters
    long = Route("POST", f"/cases/{reference}/reason", "", "case", {"reason": rambling})
    too_long = visitor.call(long, long.path)
    assert too_long.status_code == 400
    assert "in 500 characters or fewer" in too_long.get_data(as_text=True)
    assert rambling.strip() in too_long.get_data(as_text=True), "what was typed is kept"
    reason = "Subject access request SAR-2026-041 from the applicant"
    given = Route("POST", f"/cases/{reference}/reason", "", "case", {"reason": reason})
    assert visitor.call(given, given.path).status_code == 302
    page = visitor.browser.get(f"/cases/{reference}").get_data(as_text=True)
    assert "Sam Taylor" in page
    with world.db.read() as session:
        admin = world.users["administrator"]
        viewed = session.scalars(
            select(AuditEvent).where(
                AuditEvent.user_id == admin.id, AuditEvent.case_id == world.cases["B"].case_id
            )
        ).all()
    assert [event.action for event in viewed] == ["case.reading_justified", "case.viewed"]
    assert all(event.detail["justification"] == reason for event in viewed)
    # The reason is for that case only, and gives no way into the case's tasks.
    other = world.cases["C"]
    assert "Why do you need" in visitor.browser.get(f"/cases/{other.reference}").get_data(
        as_text=True
    )
    assert visitor.browser.get(f"/tasks/{world.cases['B'].any_task}").status_code == 404
    lines = "\r\n".join(["SAR 2041."] * 50)  # 499 characters as the page counts them
    broken = Route("POST", f"/cases/{other.reference}/reason", "", "case", {"reason": lines})
    assert visitor.call(broken, broken.path).status_code == 302, "a line break counts once"
