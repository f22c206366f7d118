"""Administrators manage users: add, change roles, stop access, give a new password."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.core.config import load_settings
from engine.core.db import Database
from engine.core.models import AuditEvent, User
from tests.support.people import ADMIN, DEMO_PASSWORD, add_administrator
from tests.support.web import csrf_token, form_token, signed_in
from web import create_app


@pytest.fixture
def app(db: Database, tmp_path) -> Flask:
    add_administrator(db)
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    return create_app(settings, db)


def can_sign_in(app: Flask, email: str, password: str) -> bool:
    client = app.test_client()
    response = client.post(
        "/sign-in",
        data={
            "email": email,
            "password": password,
            "csrf_token": form_token(client, "/sign-in"),
        },
    )
    return response.status_code == 302


def post(client: FlaskClient, path: str, data: dict):
    return client.post(
        path,
        data={"csrf_token": form_token(client, "/sign-out"), **data},
    )


def user_id(db: Database, email: str) -> int:
    with db.read() as session:
        return session.scalar(select(User.id).where(User.email == email))


def test_an_administrator_adds_a_user_who_signs_in_with_the_password_shown_once(
    app: Flask, db: Database
) -> None:
    admin = signed_in(app, ADMIN)
    listed = admin.get("/users").get_data(as_text=True)
    assert "police@example.org" in listed and "Derbyshire Constabulary" in listed
    created = post(
        admin,
        "/users/new",
        {
            "name": "Priya Shah",
            "email": "Priya.Shah@example.org",
            "organisation": "dales-housing",
            "roles": ["agency_officer", "manager"],
        },
    )
    assert created.status_code == 200
    password = re.search(r'<code id="password">([^<]+)</code>', created.get_data(as_text=True))
    assert password is not None
    assert can_sign_in(app, "priya.shah@example.org", password.group(1))
    with db.read() as session:
        priya = session.scalar(select(User).where(User.email == "priya.shah@example.org"))
        assert priya.roles == ["agency_officer", "manager"]
        assert priya.organisation.key == "dales-housing"
        event = session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "user.created", AuditEvent.object_id == str(priya.id)
            )
        )
        assert event.user_id == user_id(db, ADMIN)


def test_a_refused_new_user_keeps_what_was_typed_and_says_what_to_fix(app: Flask) -> None:
    admin = signed_in(app, ADMIN)
    refused = post(
        admin,
        "/users/new",
        {"name": "Priya Shah", "email": "not an email", "organisation": "dales-housing"},
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "There is a problem" in page
    assert '<a href="#email">&#39;not an email&#39; is not an email address</a>' in page
    assert 'id="email-error"' in page and 'id="name-error"' not in page
    assert 'value="Priya Shah"' in page
    assert '<option value="dales-housing" selected>' in page
    long_name = post(
        admin,
        "/users/new",
        {"name": "Priya " * 40, "email": "priya@example.org", "organisation": "dales-housing"},
    )
    assert long_name.status_code == 400
    page = long_name.get_data(as_text=True)
    assert '<a href="#name">The name must be 200 characters or fewer</a>' in page
    assert 'value="priya@example.org"' in page, "nothing typed is lost"
    no_role = post(
        admin,
        "/users/new",
        {"name": "Priya Shah", "email": "priya@example.org", "organisation": "dales-housing"},
    )
    assert '<a href="#roles">' in no_role.get_data(as_text=True)
    duplicate = post(
        admin,
        "/users/new",
        {
            "name": "Police",
            "email": "police@example.org",
            "organisation": "derbyshire-constabulary",
            "roles": ["agency_officer"],
        },
    )
    assert duplicate.status_code == 400
    assert "already exists" in duplicate.get_data(as_text=True)


def test_stopping_access_ends_sign_in_and_api_tokens(app: Flask, db: Database) -> None:
    admin = signed_in(app, ADMIN)
    api = app.test_client()
    token = api.post(
        "/api/v1/auth/token", json={"email": "police@example.org", "password": DEMO_PASSWORD}
    ).get_json()["token"]
    police = user_id(db, "police@example.org")
    stopped = post(admin, f"/users/{police}", {"roles": ["agency_officer"], "active": "no"})
    assert stopped.status_code == 302
    assert not can_sign_in(app, "police@example.org", DEMO_PASSWORD)
    answer = api.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    restored = post(
        admin, f"/users/{police}", {"roles": ["agency_officer", "manager"], "active": "yes"}
    )
    assert restored.status_code == 302
    assert can_sign_in(app, "police@example.org", DEMO_PASSWORD)
    with db.read() as session:
        assert session.get(User, police).roles == ["agency_officer", "manager"]
        changes = session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "user.changed")
        ).all()
    assert [c["after"]["active"] for c in changes] == [False, True]


def test_an_administrator_cannot_lock_themselves_out(app: Flask, db: Database) -> None:
    admin = signed_in(app, ADMIN)
    me = user_id(db, ADMIN)
    refused = post(admin, f"/users/{me}", {"roles": ["caseworker"], "active": "yes"})
    assert refused.status_code == 400
    assert "cannot remove your own administrator access" in refused.get_data(as_text=True)
    assert (
        post(admin, f"/users/{me}", {"roles": ["administrator"], "active": "no"}).status_code == 400
    )
    no_role = post(admin, f"/users/{me}", {"active": "yes"})
    assert no_role.status_code == 400
    assert '<a href="#roles">Select at least one role</a>' in no_role.get_data(as_text=True)
    kept = post(admin, f"/users/{me}", {"roles": ["caseworker", "manager"], "active": "no"})
    page = kept.get_data(as_text=True)
    assert re.search(r'value="manager" checked', page), "what was chosen is shown again"
    assert not re.search(r'value="administrator" checked', page)
    assert re.search(r'value="no" checked', page)
    with db.read() as session:
        assert session.get(User, me).roles == ["administrator"]


def test_a_new_password_replaces_the_lost_one(app: Flask, db: Database) -> None:
    admin = signed_in(app, ADMIN)
    given = post(admin, f"/users/{user_id(db, 'health@example.org')}/password", {})
    password = re.search(r'<code id="password">([^<]+)</code>', given.get_data(as_text=True))
    assert can_sign_in(app, "health@example.org", password.group(1))
    assert not can_sign_in(app, "health@example.org", DEMO_PASSWORD)
    assert post(admin, "/users/999999/password", {}).status_code == 404


def test_only_administrators_manage_users(app: Flask, db: Database) -> None:
    manager = signed_in(app, "manager@example.org")
    assert manager.get("/users").status_code == 403
    assert manager.get("/users/new").status_code == 403
    police = user_id(db, "police@example.org")
    page = manager.get("/sign-out").get_data(as_text=True)
    csrf = csrf_token(page)
    refused = manager.post(
        f"/users/{police}", data={"csrf_token": csrf, "roles": ["manager"], "active": "yes"}
    )
    assert refused.status_code == 403
    with db.read() as session:
        assert session.get(User, police).roles == ["agency_officer"]


def test_no_one_changes_their_own_roles_and_administrators_do_not_work_on_cases(
    app: Flask, db: Database
) -> None:
    """Separation of duties: an administrator giving themself a case role could read cases
    and tasks without the reason an administrator must give."""
    admin = signed_in(app, ADMIN)
    me = user_id(db, ADMIN)
    both = {"roles": ["administrator", "caseworker"], "active": "yes"}
    own = post(admin, f"/users/{me}", both)
    assert own.status_code == 400
    assert "cannot change your own roles" in own.get_data(as_text=True)
    police = user_id(db, "police@example.org")
    refused = post(admin, f"/users/{police}", {**both, "roles": ["administrator", "manager"]})
    assert refused.status_code == 400
    assert "a separate account" in refused.get_data(as_text=True)
    with db.read() as session:
        assert session.get(User, me).roles == ["administrator"]
        assert session.get(User, police).roles == ["agency_officer"]
