"""A signed-in session ends when it should, on every browser at once: signing out, a new
password, a change of roles or access; and after an absolute lifetime however busy it is."""

from __future__ import annotations

import time
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from engine.core.db import Database
from engine.people.accounts import change_user, reset_password
from tests.support.people import DEMO_PASSWORD, add_people, user
from tests.support.web import form_token, make_app, sign_in

POLICE = "police@example.org"
ADMIN = "admin@example.org"


def signed_in_twice(app: Flask, email: str) -> tuple[FlaskClient, FlaskClient]:
    """The same person signed in on two browsers."""
    first, second = app.test_client(), app.test_client()
    for browser in (first, second):
        assert sign_in(browser, email).status_code == 302
        assert browser.get("/").status_code == 200
    return first, second


def is_signed_in(browser: FlaskClient) -> bool:
    # The one page open to everyone signed in, those with a temporary password included.
    return browser.get("/account/password").status_code == 200


def test_signing_out_ends_every_session_of_that_person(db: Database, tmp_path: Path) -> None:
    app = make_app(db, tmp_path)
    first, second = signed_in_twice(app, POLICE)
    kept_cookie = second.get_cookie("session").value
    first.post("/sign-out", data={"csrf_token": form_token(first, "/sign-out")})
    assert not is_signed_in(first)
    assert not is_signed_in(second), "the other browser's session ended too"
    replayed = app.test_client()
    replayed.set_cookie("session", kept_cookie)
    assert not is_signed_in(replayed), "an old cookie opens nothing"
    fresh = app.test_client()
    assert sign_in(fresh, POLICE).status_code == 302 and is_signed_in(fresh)


def test_a_new_password_a_change_of_roles_or_stopped_access_ends_sessions(
    db: Database, tmp_path: Path
) -> None:
    app = make_app(db, tmp_path)
    add_people(db, [(ADMIN, "derbyshire-dales-district-council", ["administrator"])])
    admin = user(db, ADMIN)
    police_id = user(db, POLICE).id
    password = DEMO_PASSWORD

    def new_password(session: Session) -> None:
        nonlocal password
        password = reset_password(session, admin, police_id)

    changes = [
        new_password,
        lambda session: change_user(
            session, admin, police_id, roles=["agency_officer", "manager"], active=True
        ),
        lambda session: change_user(
            session, admin, police_id, roles=["agency_officer"], active=False
        ),
    ]
    for change in changes:
        browser = app.test_client()
        assert sign_in(browser, POLICE, password).status_code == 302
        assert is_signed_in(browser)
        with db.transaction() as session:
            change(session)
        assert not is_signed_in(browser)


def test_saving_a_user_unchanged_keeps_their_sessions(db: Database, tmp_path: Path) -> None:
    app = make_app(db, tmp_path)
    add_people(db, [(ADMIN, "derbyshire-dales-district-council", ["administrator"])])
    admin, police_id = user(db, ADMIN), user(db, POLICE).id
    browser = app.test_client()
    assert sign_in(browser, POLICE).status_code == 302
    with db.transaction() as session:
        change_user(session, admin, police_id, roles=["agency_officer"], active=True)
    assert is_signed_in(browser)


def test_a_session_ends_after_its_lifetime_however_busy(db: Database, tmp_path: Path) -> None:
    """A cookie re-signed a moment ago (busy, so never idle) that began 12 hours ago."""
    app = make_app(db, tmp_path, CASEREVIEW_SESSION_HOURS="12")
    browser = app.test_client()
    assert sign_in(browser, POLICE).status_code == 302
    serializer = app.session_interface.get_signing_serializer(app)
    payload = serializer.loads(browser.get_cookie("session").value)

    def began(hours_ago: float) -> FlaskClient:
        replayed = app.test_client()
        replayed.set_cookie(
            "session", serializer.dumps({**payload, "since": time.time() - hours_ago * 3600})
        )
        return replayed

    assert is_signed_in(began(11.9)), "busy within its lifetime"
    assert not is_signed_in(began(12.01))
