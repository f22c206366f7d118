"""Need-to-know, route by route: every route, for every role and for an anonymous visitor.

Three cases make the world: A in Derbyshire Dales, reviewed (a High Peak chair took part) and
under appeal, so the OPCC takes part; B in Derbyshire Dales, waiting for the agencies' returns;
C in Erewash, waiting for the agencies' returns (the world of tests/support/access.py). Each
role's expected view of each case is written out in ``SEES`` there from the rules, not worked
out by the code under test. A route that is not in ``ROUTES`` fails the test, so a new route
cannot escape the matrix.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import select
from werkzeug.test import TestResponse

from engine.core.models import Notification, User
from tests.support.access import CASES, ME, ROLES, SEES, Route, Visitor, World

# What a route answers, in four kinds.
OK = "answers"  # a GET: 200; a POST: done, or refused for what was sent (never 401/404/5xx)
HIDDEN = "404"  # as if it did not exist
SIGN_IN = "asks to sign in"  # HTML: redirect to the sign-in page; API: 401
FORBIDDEN = "403"  # a page for another role, which hides nothing about any case
ASKS_REASON = "asks why"  # an administrator is asked for a reason before reading a case


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
    # Only the council lodges an appeal for the applicant, naming the case: with none named,
    # every signed-in caller is answered as for a case that does not exist.
    Route("POST", "/api/v1/appeals", "/api/v1/appeals", "case", {}),
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
    Route(
        "POST",
        "/cases/{ref}/applicant-code",
        "/cases/<reference>/applicant-code",
        "case",
        {},
        acts="council",
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
    ("POST", "/api/v1/appeals"): lambda role, case: HIDDEN,
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
    if route.acts == "council" and not managing:
        return FORBIDDEN
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
