"""Passwords people choose: a temporary one changed before anything else, changing one's own,
and a forgotten one reset by a link mailed through a real SMTP server, which works once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.chasing.mailer import send_due
from engine.chasing.notifications import ONE_TIME_BODY_REMOVED
from engine.chasing.password_mail import CHANGED_SUBJECT, RESET_SUBJECT
from engine.core import clock
from engine.core.db import Database
from engine.core.models import AuditEvent, Notification, User
from tests.support.mail import SmtpServer
from tests.support.people import ADMIN, DEMO_PASSWORD, add_administrator
from tests.support.web import (
    csrf_token,
    error_summary,
    field_error,
    form_token,
    make_app,
    sign_in,
    signed_in,
)

POLICE = "police@example.org"
NOBODY = "nobody@example.org"
NEW_PASSWORD = "a kettle on the hob"
SAME_ANSWER = "If there is an account for"


@pytest.fixture
def app(db: Database, tmp_path) -> Flask:
    add_administrator(db)
    return make_app(db, tmp_path)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


def post(client: FlaskClient, path: str, data: dict, *, form_at: str | None = None, **kwargs):
    token = form_token(client, form_at or path)
    return client.post(path, data={"csrf_token": token, **data}, **kwargs)


def api_token(app: Flask, email: str, password: str = DEMO_PASSWORD):
    return app.test_client().post("/api/v1/auth/token", json={"email": email, "password": password})


def tasks_by_token(app: Flask, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return app.test_client().get("/api/v1/tasks", headers=headers).status_code


def ask_for_link(client: FlaskClient, email: str, **kwargs):
    return post(client, "/sign-in/forgotten", {"email": email}, **kwargs)


def reset_links(db: Database) -> list[str]:
    """The links in the reset messages that wait in the outbox, oldest first."""
    with db.read() as session:
        bodies = session.scalars(
            select(Notification.body)
            .where(Notification.kind == "password_reset")
            .order_by(Notification.id)
        ).all()
    found = (re.search(r"/sign-in/reset/\S+", body) for body in bodies)
    return [link.group(0) for link in found if link]


def actions(db: Database, action: str) -> list[AuditEvent]:
    with db.read() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )


def text(response) -> str:
    return response.get_data(as_text=True)


def main(response) -> str:
    """The page's own content (the rest carries a fresh nonce each time)."""
    return text(response).split("<main", 1)[1].split("</main>", 1)[0]


def test_a_forgotten_password_is_reset_by_a_mailed_link_that_works_once(
    app: Flask, db: Database, smtp: SmtpServer
) -> None:
    elsewhere = signed_in(app, POLICE)
    token = api_token(app, POLICE).get_json()["token"]
    visitor = app.test_client()
    assert 'href="/sign-in/forgotten"' in text(visitor.get("/sign-in"))

    known = ask_for_link(visitor, POLICE)
    unknown = ask_for_link(visitor, NOBODY)
    assert known.status_code == unknown.status_code == 200
    assert SAME_ANSWER in text(known)
    assert main(known).replace(POLICE, "X") == main(unknown).replace(NOBODY, "X"), (
        "the answer does not tell whether the address has an account"
    )

    send_due(db, smtp.url)
    (mail,) = smtp.mailbox.to(POLICE)
    assert not smtp.mailbox.to(NOBODY)
    assert mail["Subject"] == RESET_SUBJECT
    link = re.search(r"http\S+(/sign-in/reset/\S+)", mail.get_content()).group(1)
    with db.read() as session:
        kept = session.scalar(select(Notification).where(Notification.kind == "password_reset"))
    assert kept.body == ONE_TIME_BODY_REMOVED, "the link is not kept once sent"

    reader = app.test_client()
    assert "Choose a new password" in text(reader.get(link))
    assert reader.get(link).status_code == 200, "opening the link uses nothing"
    short = post(reader, link, {"new_password": "short", "confirm_password": "short"})
    assert short.status_code == 400
    assert "govuk-error-summary" in text(short)
    assert 'href="#new_password"' in text(short) and "at least 10 characters" in text(short)
    differ = post(
        reader, link, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "!"}
    )
    assert differ.status_code == 400 and "are not the same" in text(differ)

    done = post(reader, link, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert done.status_code == 200 and "Your password has been changed" in text(done)
    assert elsewhere.get("/").status_code == 302, "every session has ended"
    assert tasks_by_token(app, token) == 401, "the API token is revoked"
    assert sign_in(app.test_client(), POLICE).status_code == 400, "the old password is gone"
    assert sign_in(app.test_client(), POLICE, NEW_PASSWORD).status_code == 302

    again = reader.get(link)
    assert "already been used" in text(again) and 'href="/sign-in/forgotten"' in text(again)
    reused = post(
        reader,
        link,
        {"new_password": "another password", "confirm_password": "another password"},
        form_at="/sign-in/forgotten",
    )
    assert reused.status_code == 410 and "already been used" in text(reused)
    assert sign_in(app.test_client(), POLICE, NEW_PASSWORD).status_code == 302

    (changed,) = actions(db, "user.password_changed")
    assert changed.detail == {"how": "reset link"}
    assert len(actions(db, "user.password_reset_link_sent")) == 1
    send_due(db, smtp.url)
    assert [m["Subject"] for m in smtp.mailbox.to(POLICE)] == [RESET_SUBJECT, CHANGED_SUBJECT]


def test_a_link_used_late_superseded_or_made_up_explains_itself_and_offers_a_new_one(
    app: Flask, db: Database, fixed_clock: clock.FixedClock
) -> None:
    visitor = app.test_client()
    ask_for_link(visitor, POLICE)
    fixed_clock.advance(timedelta(minutes=5))
    ask_for_link(visitor, POLICE)
    older, newer = reset_links(db)

    superseded = visitor.get(older)
    assert "A newer link has been sent" in text(superseded)
    fixed_clock.advance(timedelta(minutes=61))
    late = visitor.get(newer)
    assert "This link has expired" in text(late)
    made_up = visitor.get("/sign-in/reset/" + "x" * 43)
    assert "This link is not right" in text(made_up)
    for page in (superseded, late, made_up):
        assert "govuk-error-summary" in text(page)
        assert 'href="/sign-in/forgotten"' in text(page), "each offers a new link"
    tried = post(
        visitor,
        newer,
        {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        form_at="/sign-in/forgotten",
    )
    assert tried.status_code == 410
    assert sign_in(app.test_client(), POLICE).status_code == 302, "the password is unchanged"


def test_asking_for_links_is_limited_per_email_and_per_address_saying_nothing_of_accounts(
    app: Flask, db: Database
) -> None:
    visitor = app.test_client()
    answers = [ask_for_link(visitor, POLICE).status_code for _ in range(5)]
    assert answers == [200] * 5
    assert len(reset_links(db)) == 3, "three links an hour to one address, then no more"
    assert ask_for_link(visitor, "").status_code == 400

    elsewhere = {"REMOTE_ADDR": "203.0.113.9"}
    statuses = [
        ask_for_link(visitor, f"n{i}@example.org", environ_base=elsewhere).status_code
        for i in range(21)
    ]
    assert statuses == [200] * 20 + [429]
    refused = ask_for_link(visitor, POLICE, environ_base=elsewhere)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert f'value="{POLICE}"' in text(refused), "the answer is kept"


def test_a_temporary_password_is_changed_before_anything_else(app: Flask, db: Database) -> None:
    admin = signed_in(app, ADMIN)
    shown = post(
        admin,
        "/users/new",
        {
            "name": "Priya Shah",
            "email": "priya@example.org",
            "organisation": "dales-housing",
            "roles": ["agency_officer"],
        },
        form_at="/users/new",
    )
    temporary = re.search(r'<code id="password">([^<]+)</code>', text(shown)).group(1)

    priya = app.test_client()
    signing_in = sign_in(priya, "priya@example.org", temporary)
    assert signing_in.headers["Location"] == "/account/password"
    for elsewhere in ("/", "/cases", "/notifications"):
        assert priya.get(elsewhere).headers["Location"] == "/account/password", elsewhere
    page = text(priya.get("/account/password"))
    assert "You signed in with a temporary password" in page
    assert priya.get("/sign-out").status_code == 200, "they can still sign out"
    refused = api_token(app, "priya@example.org", temporary)
    assert refused.status_code == 403
    assert "temporary one: sign in to the service's pages" in str(refused.get_json())

    same = post(
        priya,
        "/account/password",
        {
            "current_password": temporary,
            "new_password": temporary,
            "confirm_password": temporary,
        },
    )
    assert same.status_code == 400 and "must not be the same" in text(same)
    changed = post(
        priya,
        "/account/password",
        {
            "current_password": temporary,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 200
    assert priya.get("/").status_code == 200, "signed in still, and free to go on"
    assert api_token(app, "priya@example.org", NEW_PASSWORD).status_code == 200

    with db.read() as session:
        priya_id = session.scalar(select(User.id).where(User.email == "priya@example.org"))
    post(admin, f"/users/{priya_id}/password", {}, form_at="/sign-out")
    assert priya.get("/").status_code == 302, "the reset ended her session"
    with db.read() as session:
        assert session.get_one(User, priya_id).must_change_password


def test_a_signed_in_user_changes_their_password_and_their_other_sessions_end(
    app: Flask, db: Database, smtp: SmtpServer
) -> None:
    here = signed_in(app, POLICE)
    other = signed_in(app, POLICE)
    token = api_token(app, POLICE).get_json()["token"]
    assert 'href="/account/password"' in text(here.get("/"))

    wrong = post(
        here,
        "/account/password",
        {"current_password": "not it", "new_password": "", "confirm_password": ""},
    )
    assert wrong.status_code == 400
    summary = text(wrong).split("govuk-error-summary", 1)[1]
    for field in ("current_password", "new_password", "confirm_password"):
        assert f'href="#{field}"' in summary, field
    assert "Your current password is not right" in summary

    changed = post(
        here,
        "/account/password",
        {
            "current_password": DEMO_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 200 and "Your password has been changed" in text(changed)
    assert here.get("/").status_code == 200, "this browser stays signed in"
    assert other.get("/").status_code == 302, "every other session has ended"
    assert tasks_by_token(app, token) == 401, "the API token is revoked"
    assert sign_in(app.test_client(), POLICE, NEW_PASSWORD).status_code == 302

    (event,) = actions(db, "user.password_changed")
    assert event.detail == {"how": "signed in"} and event.user_id is not None
    send_due(db, smtp.url)
    (mail,) = smtp.mailbox.to(POLICE)
    assert mail["Subject"] == CHANGED_SUBJECT
    assert "tell your administrator" in mail.get_content()


def test_the_change_form_keeps_its_csrf_protection(app: Flask) -> None:
    client = signed_in(app, POLICE)
    page = text(client.get("/account/password"))
    assert csrf_token(page)
    refused = client.post(
        "/account/password",
        data={
            "current_password": DEMO_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert refused.status_code == 400
    assert sign_in(app.test_client(), POLICE).status_code == 302, "unchanged"


def test_each_password_form_tells_every_problem_at_once(app: Flask, db: Database) -> None:
    visitor = app.test_client()
    malformed = ask_for_link(visitor, "police.example.org")
    page = unescape(text(malformed))
    assert malformed.status_code == 400
    assert error_summary(page) == [
        ("Enter an email address in the correct format, like name@example.com", "#email")
    ]
    assert 'value="police.example.org"' in page
    assert reset_links(db) == [], "nothing is sent for an address that is no address"

    ask_for_link(visitor, POLICE)
    (link,) = reset_links(db)
    blank = post(visitor, link, {"new_password": "", "confirm_password": ""})
    assert error_summary(unescape(text(blank))) == [
        ("Enter a new password", "#new_password"),
        ("Enter the new password again", "#confirm_password"),
    ]

    here = signed_in(app, POLICE)
    nothing = post(
        here,
        "/account/password",
        {"current_password": "", "new_password": "short", "confirm_password": ""},
    )
    page = unescape(text(nothing))
    assert error_summary(page) == [
        ("Enter your current password", "#current_password"),
        ("The new password must be at least 10 characters", "#new_password"),
        ("Enter the new password again", "#confirm_password"),
    ]
    assert field_error(page, "confirm_password") == "Enter the new password again"
