"""Personal access tokens, on both databases: made on the account's page and shown once,
called with on the API within their scope alone (read only, or the routes chosen), listed with
their last use, revoked by their owner or an administrator, and ending when revoked, expired,
or when their owner's password changes; every answer checked against the OpenAPI document."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.models import ApiToken, AuditEvent
from tests.support.api import API, Api, acknowledge_task, new_case
from tests.support.people import ADMIN, COUNCIL, DEMO_PASSWORD, POLICE, add_administrator, user
from tests.support.web import error_summary, field_error, form_token, page_words, signed_in

PAGE = "/account/tokens"


def make(
    client: FlaskClient,
    name: str = "Police records link",
    last_day: tuple[str, str, str] = ("31", "5", "2026"),
    scope: str = "read_only",
    routes: tuple[str, ...] = (),
) -> TestResponse:
    """Post the account page's form for a new token."""
    day, month, year = last_day
    return client.post(
        PAGE,
        data={
            "csrf_token": form_token(client, PAGE),
            "name": name,
            "expires_on-day": day,
            "expires_on-month": month,
            "expires_on-year": year,
            "scope": scope,
            "routes": list(routes),
        },
    )


def shown_token(made: TestResponse) -> str:
    assert made.status_code == 200, made.get_data(as_text=True)
    return re.search(r'<code id="token">([^<]+)</code>', made.get_data(as_text=True)).group(1)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def post(client: FlaskClient, path: str) -> TestResponse:
    return client.post(path, data={"csrf_token": form_token(client, "/sign-out")})


def db_of(app: Flask) -> Database:
    return app.extensions["casereview.db"]


def token_id(app: Flask, name: str) -> int:
    with db_of(app).read() as session:
        return session.scalar(select(ApiToken.id).where(ApiToken.name == name))


def test_a_read_only_token_is_shown_once_and_reads_but_changes_nothing(
    app: Flask, api: Api
) -> None:
    page = signed_in(app, COUNCIL)
    offered = page.get(PAGE)
    assert offered.status_code == 200
    form = offered.get_data(as_text=True)
    assert 'name="expires_on-day" type="text" value="31"' in form, "90 days on is offered"
    assert 'name="expires_on-month" type="text" value="05"' in form
    assert 'value="GET /api/v1/cases/{reference}"' in form
    assert 'value="POST /api/v1/tasks/{task_id}/claim"' in form
    assert "/api/v1/auth/token" not in form and "/api/v1/applicant/" not in form
    assert "You have no personal access tokens" in page_words(offered)

    made = make(page)
    token = shown_token(made)
    assert made.headers["Cache-Control"] == "no-store"
    assert "This is the only time it is shown" in page_words(made)
    assert token not in page.get(PAGE).get_data(as_text=True)

    reference, _ = new_case(api)
    task_id = acknowledge_task(api, reference)
    listed = api.call("get", "/tasks?scope=organisation", headers=bearer(token))
    assert [task["id"] for task in listed["tasks"]] == [task_id]
    assert api.client.head(f"{API}/tasks", headers=bearer(token)).status_code == 200
    refused = api.call(
        "post",
        f"/tasks/{task_id}/claim",
        template="/tasks/{task_id}/claim",
        headers=bearer(token),
        status=403,
    )
    assert refused == {
        "error": "The token's scope does not include POST /api/v1/tasks/{task_id}/claim"
    }
    assert (
        api.call("get", f"/tasks/{task_id}", template="/tasks/{task_id}", who=COUNCIL)["assignee"]
        is None
    ), "nothing changed"
    with db_of(app).read() as session:
        (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "api_token.made"))
    assert event.user_id == user(db_of(app), COUNCIL).id
    assert event.detail == {
        "name": "Police records link",
        "scope": "read_only",
        "routes": [],
        "expires_on": "2026-05-31",
    }


def test_a_token_for_chosen_routes_calls_those_alone(app: Flask, api: Api) -> None:
    page = signed_in(app, COUNCIL)
    routes = ("GET /api/v1/tasks", "POST /api/v1/tasks/{task_id}/claim")
    token = shown_token(make(page, name="Claimer", scope="routes", routes=routes))
    reference, _ = new_case(api)
    task_id = acknowledge_task(api, reference)

    assert api.call("get", "/tasks?scope=organisation", headers=bearer(token))["tasks"]
    claimed = api.call(
        "post", f"/tasks/{task_id}/claim", template="/tasks/{task_id}/claim", headers=bearer(token)
    )
    assert claimed["assignee"]["id"] == user(db_of(app), COUNCIL).id
    for method, path, template, route in [
        ("get", "/tasks/filters", "/tasks/filters", "GET /api/v1/tasks/filters"),
        ("get", f"/tasks/{task_id}", "/tasks/{task_id}", "GET /api/v1/tasks/{task_id}"),
        ("get", f"/cases/{reference}", "/cases/{reference}", "GET /api/v1/cases/{reference}"),
        (
            "post",
            f"/tasks/{task_id}/release",
            "/tasks/{task_id}/release",
            "POST /api/v1/tasks/{task_id}/release",
        ),
    ]:
        refused = api.call(method, path, template=template, headers=bearer(token), status=403)
        assert refused["error"] == f"The token's scope does not include {route}"
    # The public figures take no staff token: a scope does not reach them, nor limit them.
    api.call("get", "/statistics?year=2025", headers=bearer(token))
    # The pages take no personal access token at all.
    assert app.test_client().get("/", headers=bearer(token)).status_code == 302
    listed = page_words(page.get(PAGE))
    assert "Claimer Only these routes: GET /api/v1/tasks POST /api/v1/tasks/{task_id}/claim" in (
        listed
    )


def test_the_list_shows_each_token_s_last_use_written_once_a_minute(
    app: Flask, api: Api, fixed_clock: FixedClock
) -> None:
    page = signed_in(app, COUNCIL)
    token = shown_token(make(page, name="Nightly export"))

    def last_used() -> str:
        row = re.search(r'data-label="Last used">([^<]*)<', page.get(PAGE).get_data(as_text=True))
        return row.group(1)

    assert last_used() == "Never"
    fixed_clock.advance(timedelta(minutes=5))
    api.call("get", "/tasks", headers=bearer(token))
    assert last_used() == "2 March 2026, 9:05am"
    fixed_clock.advance(timedelta(seconds=50))
    api.call("get", "/tasks", headers=bearer(token))
    assert last_used() == "2 March 2026, 9:05am", "not written again within the minute"
    fixed_clock.advance(timedelta(minutes=2))
    api.call("get", "/tasks", headers=bearer(token))
    assert last_used() == "2 March 2026, 9:07am"


def test_revoked_and_expired_tokens_are_refused_as_unknown_ones(
    app: Flask, api: Api, fixed_clock: FixedClock
) -> None:
    page = signed_in(app, COUNCIL)
    revoked = shown_token(make(page, name="Old link"))
    today_only = shown_token(make(page, name="Today only", last_day=("2", "3", "2026")))
    api.call("get", "/tasks", headers=bearer(revoked))

    answer = post(page, f"/account/tokens/{token_id(app, 'Old link')}/revoke")
    assert answer.status_code == 302 and answer.headers["Location"] == PAGE
    listed = page_words(page.get(PAGE))
    assert "The token 'Old link' is revoked: it no longer works." in listed
    assert "Old link Read only (GET requests)" in listed
    assert "Revoked 2 March 2026, 9:00am, by Council" in listed
    refused = api.call("get", "/tasks", headers=bearer(revoked), status=401)
    assert refused["error"].startswith("Send a valid token")

    fixed_clock.set(fixed_clock.now().replace(hour=23, minute=59))
    api.call("get", "/tasks", headers=bearer(today_only))
    fixed_clock.advance(timedelta(minutes=1))
    api.call("get", "/tasks", headers=bearer(today_only), status=401)
    assert "Today only Read only (GET requests)" in page_words(page.get(PAGE))
    assert re.search(r"Today only .* Expired", page_words(page.get(PAGE)))
    # A token got with a password is another thing, and works as it always has.
    api.call("get", "/tasks", who=COUNCIL)


def test_only_the_owner_or_an_administrator_revokes_a_token(app: Flask, api: Api) -> None:
    add_administrator(db_of(app))
    council = signed_in(app, COUNCIL)
    token = shown_token(make(council, name="Case system"))
    mine = token_id(app, "Case system")
    police = signed_in(app, POLICE)
    assert post(police, f"/account/tokens/{mine}/revoke").status_code == 404
    assert post(police, f"/tokens/{mine}/revoke").status_code == 403
    assert police.get("/tokens").status_code == 403
    assert "Case system" not in police.get(PAGE).get_data(as_text=True)
    api.call("get", "/tasks", headers=bearer(token))

    admin = signed_in(app, ADMIN)
    every = page_words(admin.get("/tokens"))
    assert "Council council@example.org Derbyshire Dales District Council Case system" in every
    answer = post(admin, f"/tokens/{mine}/revoke")
    assert answer.status_code == 302 and answer.headers["Location"] == "/tokens"
    assert "Revoked 2 March 2026, 9:00am, by Ada Admin" in page_words(admin.get("/tokens"))
    assert "by Ada Admin" in page_words(council.get(PAGE))
    api.call("get", "/tasks", headers=bearer(token), status=401)
    assert post(admin, "/tokens/999/revoke").status_code == 404
    with db_of(app).read() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("api_token.%")).order_by(AuditEvent.seq)
        ).all()
    assert [(e.action, e.user_id, e.object_id) for e in events] == [
        ("api_token.made", user(db_of(app), COUNCIL).id, str(mine)),
        ("api_token.revoked", user(db_of(app), ADMIN).id, str(mine)),
    ]
    assert events[1].detail == {"name": "Case system", "owner": user(db_of(app), COUNCIL).id}


def test_a_new_password_revokes_every_token_and_keeps_them_listed(app: Flask, api: Api) -> None:
    page = signed_in(app, COUNCIL)
    token = shown_token(make(page, name="Case system"))
    changed = page.post(
        "/account/password",
        data={
            "csrf_token": form_token(page, "/account/password"),
            "current_password": DEMO_PASSWORD,
            "new_password": "another long enough password",
            "confirm_password": "another long enough password",
        },
    )
    assert changed.status_code == 200
    api.call("get", "/tasks", headers=bearer(token), status=401)
    assert "Case system Read only (GET requests)" in page_words(page.get(PAGE))
    assert "Revoked 2 March 2026, 9:00am, by Council" in page_words(page.get(PAGE))
    with db_of(app).read() as session:
        why = session.scalar(
            select(AuditEvent.detail).where(AuditEvent.action == "api_token.revoked")
        )
    assert why["why"] == "password changed"


def test_a_token_s_form_tells_every_problem_at_once_and_keeps_what_was_typed(
    app: Flask,
) -> None:
    page = signed_in(app, COUNCIL)
    nothing = make(page, name="  ", last_day=("", "", ""), scope="")
    assert nothing.status_code == 400
    assert error_summary(nothing.get_data(as_text=True)) == [
        ("Enter a name for the token", "#name"),
        ("Enter the date the token expires", "#expires_on-day"),
        ("Select what the token may do", "#scope"),
    ]

    long_ago = make(page, name="Export", last_day=("1", "3", "2026"))
    assert long_ago.status_code == 400
    text = long_ago.get_data(as_text=True)
    assert field_error(text, "expires_on") == "The expiry date must be today or in the future"
    assert (
        'value="Export"' in text
        and 'id="expires_on-day" name="expires_on-day" type="text" value="01"' in text
    )

    too_far = make(page, name="x" * 101, last_day=("3", "3", "2027"))
    text = too_far.get_data(as_text=True)
    assert error_summary(text) == [
        ("The name must be 100 characters or fewer", "#name"),
        (
            "The expiry date must be no later than 2 March 2027, a year from today",
            "#expires_on-day",
        ),
    ]
    assert make(page, last_day=("2", "3", "2027")).status_code == 200, "a year ahead is allowed"
    not_a_date = make(page, last_day=("31", "2", "2026"))
    assert field_error(not_a_date.get_data(as_text=True), "expires_on") == (
        "The expiry date must be a real date"
    )

    no_route = make(page, name="Claimer", scope="routes")
    text = no_route.get_data(as_text=True)
    assert error_summary(text) == [("Select at least one route the token may call", "#routes")]
    assert re.search(r'value="routes" checked', text), "the choice is kept"

    chosen = ("GET /api/v1/tasks", "POST /api/v1/auth/token")
    outside = make(page, name="Claimer", scope="routes", routes=chosen)
    text = outside.get_data(as_text=True)
    assert outside.status_code == 400
    assert error_summary(text) == [("Select only routes from the list", "#routes")]
    assert re.search(r'value="GET /api/v1/tasks" checked', text)
    with db_of(app).read() as session:
        names = session.scalars(select(ApiToken.name).where(ApiToken.name.is_not(None))).all()
    assert names == ["Police records link"], "only the right one is made"


def test_stopped_access_revokes_every_token_for_good(app: Flask, api: Api) -> None:
    add_administrator(db_of(app))
    token = shown_token(make(signed_in(app, POLICE), name="Records link"))
    admin = signed_in(app, ADMIN)
    police = user(db_of(app), POLICE).id
    form = {"csrf_token": form_token(admin, "/sign-out"), "roles": ["agency_officer"]}
    assert admin.post(f"/users/{police}", data={**form, "active": "no"}).status_code == 302
    api.call("get", "/tasks", headers=bearer(token), status=401)
    assert "Records link" in page_words(admin.get("/tokens"))
    assert "Revoked 2 March 2026, 9:00am, by Ada Admin" in page_words(admin.get("/tokens"))
    assert admin.post(f"/users/{police}", data={**form, "active": "yes"}).status_code == 302
    api.call("get", "/tasks", headers=bearer(token), status=401)
