"""Need-to-know, route by route: every route, for every role, for an applicant following
their own case, and for an anonymous visitor.

Three cases make the world: A in Derbyshire Dales, reviewed (a High Peak chair took part) and
under appeal, so the OPCC takes part; B in Derbyshire Dales, waiting for the agencies' returns;
C in Erewash, waiting for the agencies' returns (the world of tests/support/access.py). Each
role's expected view of each case is written out in ``SEES`` there from the rules, not worked
out by the code under test. The applicant used the code of case A: they see its pages only,
and the staff pages as an anonymous visitor does; their API token (got for another of their
codes) is taken by the applicant's routes alone, every staff route answering it as it answers
no token. A route that is not in ``ROUTES`` (tests/support/access_routes.py) fails the test,
so a new route cannot escape the matrix.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from werkzeug.test import TestResponse

from engine.core.models import District, Organisation
from tests.support.access import (
    APPLICANT,
    CASES,
    ROLES,
    SEES,
    Route,
    Visitor,
    World,
    route_path,
)
from tests.support.access_routes import ROUTES

# What a route answers, in five kinds.
OK = "answers"  # a GET: 200; a POST: done, or refused for what was sent (never 401/404/5xx)
HIDDEN = "404"  # as if it did not exist
SIGN_IN = "asks to sign in"  # HTML: redirect to the sign-in page; API: 401
FORBIDDEN = "403"  # a page for another role, which hides nothing about any case
ASKS_REASON = "asks why"  # an administrator is asked for a reason before reading a case
ASKS_CODE = "asks for a code"  # the applicant's pages: redirect to where a code is used
REFUSED = "400"  # a GET that cannot be answered without what it should follow


# Answers that differ from the general rule, and why.
EXCEPTIONS: dict[tuple[str, str], Callable[[str, str], str | None]] = {
    ("POST", "/api/v1/appeals"): lambda role, case: HIDDEN,
    # Only the organisation that added a file may take it off (the police: both of its
    # officers); to anyone else it is not there.
    ("POST", "/tasks/{task}/attachments/{attachment}/remove"): lambda role, case: (
        OK
        if (role, case)
        in {
            ("opcc", "A"),
            ("police", "B"),
            ("police, own account", "B"),
            ("another housing provider", "C"),
        }
        else None
    ),
    # Case A's task is the OPCC's acknowledgement of the appeal, which sends a letter: the
    # OPCC may read it before it goes, the others who see the task may not. The other cases'
    # tasks are information returns, which send no letter.
    ("GET", "/tasks/{task}/letter.docx"): lambda role, case: (
        (OK if role == "opcc" else FORBIDDEN) if case == "A" else HIDDEN
    ),
    # No appeal was sent in the applicant's browser, so there is nothing to confirm.
    ("GET", "/your-case/{ref}/appeal/sent"): lambda role, case: HIDDEN,
}


def expected(world: World, role: str, route: Route, case: str) -> str:
    if route.who == "public":
        return OK
    if route.who == "provider callback":
        # Anyone may come back from a provider, but only to finish a sign-in this browser
        # started: the matrix's visitors started none.
        return REFUSED
    if route.who == "single-use link":
        # No valid token: a clear refusal for anyone, signed in or not, and nothing recorded.
        return REFUSED if route.method == "GET" else OK
    if route.who == "applicant token":
        return OK if role == APPLICANT else SIGN_IN
    if role == APPLICANT and (route.method, route.path) == ("POST", "/api/v1/appeals"):
        return HIDDEN  # their token is taken, and no case is named
    if route.who == "applicant":
        if role != APPLICANT:
            return ASKS_CODE
        if case not in SEES[role]:
            return HIDDEN
        exception = EXCEPTIONS.get((route.method, route.path))
        return (exception and exception(role, case)) or OK
    if role in ("anonymous", APPLICANT) or route.who == "sign-out":
        return SIGN_IN
    if route.who == "reason":
        # Only administrators give reasons; a reason this short is refused and asked again.
        return ASKS_REASON if role == "administrator" else HIDDEN
    if route.who in ("signed in", "own"):
        return OK
    if route.who == "case search":
        # Anyone signed in searches the cases they take part in; an administrator, who takes
        # part in none, says why before searching every case.
        return ASKS_REASON if role == "administrator" else OK
    if route.who == "administrator":
        return OK if role == "administrator" else FORBIDDEN
    if route.who == "public body":
        # No organisation of the matrix was asked as another public body.
        return HIDDEN
    if route.who == "district notes":
        # Derbyshire Dales's notes: its council's caseworkers and managers, no one else.
        # (Case A is in Derbyshire Dales, managed by its council.)
        user = world.users[role]
        dales = user.organisation_id == world.cases["A"].council
        writes = dales and bool({"caseworker", "manager"} & set(user.roles))
        return OK if writes else FORBIDDEN
    if route.who == "oversight":
        # Counts of cases, naming none: another role's page (403) to anyone but the OPCC's
        # staff and those of a council that leads a district.
        return OK if world.users[role].organisation_id in _overseers(world) else FORBIDDEN
    if route.who == "admits":
        # Managers and administrators answer people waiting for roles; the user a POST names
        # (the health officer) is not waiting, so it is not there to answer.
        admits = role == "administrator" or "manager" in world.users[role].roles
        if not admits:
            return FORBIDDEN
        return OK if route.method == "GET" else HIDDEN
    if route.who == "manager":
        # Their own organisation's work, or the cases list to download, naming no case they
        # may not see: to anyone else another role's page, 403, not 404.
        return OK if "manager" in world.users[role].roles else FORBIDDEN
    if route.who == "process owner":
        # The diagrams are the partnership's procedure, not personal data: 403, not 404.
        return OK if role == "process owner" else FORBIDDEN
    if route.who == "process owner or manager":
        # How the procedure runs: counts and durations of its steps, naming no case.
        user = world.users[role]
        return OK if {"process_owner", "manager"} & set(user.roles) else FORBIDDEN
    if route.who == "letters":
        # The letters' wording is the partnership's too: its process owners and the
        # administrators change it; 403 to anyone else.
        return OK if role in ("process owner", "administrator") else FORBIDDEN
    if (route.method, route.path) in EXCEPTIONS:
        special = EXCEPTIONS[(route.method, route.path)](role, case)
        if case in SEES[role]:
            return special or HIDDEN
    if case in SEES[role]:
        return _may_act(world, role, route, case)
    if role == "administrator" and route.path == "/cases/{ref}":
        return ASKS_REASON
    return HIDDEN


def _overseers(world: World) -> set[int]:
    with world.db.read() as session:
        opcc = session.scalars(select(Organisation.id).where(Organisation.kind == "opcc"))
        leads = session.scalars(select(District.lead_council_id))
        return set(opcc) | {lead for lead in leads if lead is not None}


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
    if route.acts == "chair" and role != "review chair":
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
    if route.who == "applicant" and status == 302 and response.headers["Location"] == "/your-case":
        return ASKS_CODE
    if api and status == 422 and "reason" in (response.get_json() or {}).get("fields", {}):
        return ASKS_REASON
    if b'name="reason"' in response.get_data():
        return ASKS_REASON
    if route.method == "GET":
        if status == 400:
            return REFUSED
        return OK if status in (200, 302) else f"unexpected {status}"
    return OK if status < 400 or status in (400, 409, 422) else f"unexpected {status}"


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
    visitor = Visitor.for_role(world, role)
    wrong = []
    for route in ROUTES:
        for case in CASES if "{" in route.path else CASES[:1]:
            path = route_path(world, role, route, case)
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
