"""Signing in: the rate limit and lockout every web worker shares, for the pages and the API;
sessions that expire; cookie flags; CSRF on every form; the secret key; password rehashing."""

from __future__ import annotations

import os
import re
import stat
import time
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from engine.chasing.mailer import send_due
from engine.core import clock
from engine.core.config import load_settings
from engine.core.db import Database
from engine.core.models import AuditEvent, Notification, SignInThrottle, User
from engine.people import accounts
from engine.people.sign_in import SLOWEST, SignInPolicy, slowing_seconds
from tests.support.files import ROOT
from tests.support.mail import SmtpServer
from tests.support.people import DEMO_PASSWORD
from tests.support.web import csrf_token, error_summary, field_error, form_token, page_sign_in
from web import SecretKeyError, create_app

POLICE = "police@example.org"
NOBODY = "nobody@example.org"
TOO_MANY = "There have been too many attempts to sign in. Wait 15 minutes and try again."


def make_app(db: Database, instance: Path, **environment: str) -> Flask:
    settings = load_settings(
        {
            "CASEREVIEW_DATABASE_URL": db.url,
            "CASEREVIEW_INSTANCE_DIR": str(instance),
            "CASEREVIEW_SIGN_IN_ATTEMPTS": "3",
            **environment,
        }
    )
    return create_app(settings, db)


@pytest.fixture
def app(db: Database, tmp_path: Path) -> Flask:
    return make_app(db, tmp_path)


def api_sign_in(client: FlaskClient, email: str, password: str, **kwargs):
    return client.post("/api/v1/auth/token", json={"email": email, "password": password}, **kwargs)


def throttle_keys(db: Database, prefix: str) -> list[str]:
    with db.read() as session:
        keys = session.scalars(select(SignInThrottle.key)).all()
    return [key for key in keys if key.startswith(prefix)]


def lockouts(db: Database) -> list[AuditEvent]:
    with db.read() as session:
        return session.scalars(
            select(AuditEvent).where(AuditEvent.action == "sign_in.locked").order_by(AuditEvent.id)
        ).all()


def test_an_account_is_locked_from_the_address_guessing_at_it_then_opens_again(
    app: Flask, db: Database, fixed_clock: clock.FixedClock
) -> None:
    client = app.test_client()
    statuses = [page_sign_in(client, POLICE, "wrong password").status_code for _ in range(3)]
    assert statuses == [400, 400, 429], "the failure that reaches the limit is told so"

    refused = page_sign_in(client, POLICE, DEMO_PASSWORD)
    assert refused.status_code == 429, "while locked, even the right password is refused"
    assert refused.headers["Retry-After"] == str(15 * 60)
    assert TOO_MANY in refused.get_data(as_text=True)
    assert client.get("/").status_code == 302, "not signed in"

    (locked,) = lockouts(db)
    assert locked.detail["scope"] == "pair" and locked.detail["failures"] == 3
    assert locked.detail["address"] == "127.0.0.1"
    with db.read() as session:
        police_id = session.scalar(select(User.id).where(User.email == POLICE))
    assert (locked.object_type, locked.object_id) == ("user", str(police_id))

    fixed_clock.advance(timedelta(minutes=14))
    assert page_sign_in(client, POLICE, DEMO_PASSWORD).headers["Retry-After"] == "60"
    fixed_clock.advance(timedelta(minutes=1))
    assert page_sign_in(client, POLICE, DEMO_PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    assert not throttle_keys(db, "pair:"), "the count from this address is cleared"


def test_guessing_from_elsewhere_never_locks_the_real_user_out_and_they_are_told(
    app: Flask, db: Database
) -> None:
    server = SmtpServer().start()
    try:
        for attacker in ("203.0.113.9", "203.0.113.10"):
            statuses = [
                page_sign_in(
                    app.test_client(), POLICE, "guess", environ_base={"REMOTE_ADDR": attacker}
                ).status_code
                for _ in range(3)
            ]
            assert statuses == [400, 400, 429], "each guessing address is locked out"
        real_user = app.test_client()
        signed_in = page_sign_in(
            real_user, POLICE, DEMO_PASSWORD, environ_base={"REMOTE_ADDR": "198.51.100.7"}
        )
        assert signed_in.status_code == 302 and real_user.get("/").status_code == 200
        assert [event.detail["address"] for event in lockouts(db)] == [
            "203.0.113.9",
            "203.0.113.10",
        ]

        send_due(db, server.url)
        (warning,) = server.mailbox.to(POLICE)
        assert warning["Subject"] == "Someone is trying to sign in to your account"
        body = warning.get_content()
        assert "3 times" in body and "has not been locked" in body
        assert "203.0.113" not in body, "no one's network address is mailed"
    finally:
        server.stop()


def test_a_made_up_account_being_guessed_at_warns_no_one(app: Flask, db: Database) -> None:
    for _ in range(4):
        page_sign_in(app.test_client(), NOBODY, "guess")
    with db.read() as session:
        kinds = session.scalars(select(Notification.kind)).all()
    assert "sign_in_guessed" not in kinds


def test_checks_slow_with_each_failure_beyond_the_limit_and_stop_slowing_at_a_cap() -> None:
    policy = SignInPolicy(attempts=5)
    delays = [slowing_seconds(failures, policy) for failures in (0, 5, 6, 10, 15, 1000)]
    assert delays[:2] == [0, 0], "no delay within the limit"
    assert 0 < delays[2] < delays[3] < delays[4] == delays[5] == SLOWEST


def test_answers_do_not_reveal_whether_an_account_exists(app: Flask, db: Database) -> None:
    def answers(email: str) -> list[tuple[int, str, str | None]]:
        client = app.test_client()
        seen = []
        for _ in range(4):
            response = page_sign_in(client, email, "wrong password")
            message = re.search(r'<a href="#email">([^<]+)</a>', response.get_data(as_text=True))
            seen.append(
                (response.status_code, message.group(1), response.headers.get("Retry-After"))
            )
        api = api_sign_in(client, email, "wrong password")
        seen.append((api.status_code, api.get_json()["error"], api.headers.get("Retry-After")))
        return seen

    assert answers(POLICE) == answers(NOBODY)
    assert [event.detail["scope"] for event in lockouts(db)] == ["pair", "pair"]


def test_the_limit_is_shared_by_every_web_worker_and_the_api(db: Database, tmp_path: Path) -> None:
    """Two apps on one database stand for two workers (or hosts) behind a load balancer."""
    first = make_app(db, tmp_path).test_client()
    second = make_app(db, tmp_path).test_client()
    assert page_sign_in(first, POLICE, "wrong password").status_code == 400
    assert api_sign_in(second, POLICE, "wrong password").status_code == 401
    locked = page_sign_in(second, POLICE, "wrong password")
    assert locked.status_code == 429

    refused = api_sign_in(first, POLICE, DEMO_PASSWORD)
    assert refused.status_code == 429
    assert refused.get_json() == {"error": TOO_MANY}
    assert int(refused.headers["Retry-After"]) == 15 * 60
    assert len(lockouts(db)) == 1


def test_one_address_trying_many_accounts_is_locked_out(app: Flask, db: Database) -> None:
    """An address may fail ten times as often as one account, across any accounts."""
    attacker = app.test_client()
    colleague = app.test_client()
    address = {"REMOTE_ADDR": "203.0.113.9"}
    statuses = [
        page_sign_in(attacker, f"guess{n}@example.org", "wrong", environ_base=address).status_code
        for n in range(30)
    ]
    assert statuses == [400] * 29 + [429]
    assert page_sign_in(attacker, POLICE, DEMO_PASSWORD, environ_base=address).status_code == 429
    other = {"REMOTE_ADDR": "198.51.100.7"}
    assert page_sign_in(colleague, POLICE, DEMO_PASSWORD, environ_base=other).status_code == 302
    assert [event.detail["scope"] for event in lockouts(db)] == ["address"]
    assert lockouts(db)[0].detail["address"] == "203.0.113.9"


def test_a_forwarded_address_is_believed_only_behind_a_configured_proxy(
    db: Database, tmp_path: Path
) -> None:
    def counted_addresses(app: Flask, email: str) -> set[str]:
        page_sign_in(
            app.test_client(),
            email,
            "wrong",
            headers={"X-Forwarded-For": "10.0.0.1"},
            environ_base={"REMOTE_ADDR": "192.0.2.1"},
        )
        with db.read() as session:
            keys = set(session.scalars(select(SignInThrottle.key)))
        return {key for key in keys if key.startswith("address:")}

    # Without a proxy configured, a made-up X-Forwarded-For cannot dodge the address limit.
    assert counted_addresses(make_app(db, tmp_path), "one@example.org") == {"address:192.0.2.1"}
    proxied = make_app(db, tmp_path, CASEREVIEW_TRUSTED_PROXIES="1")
    assert "address:10.0.0.1" in counted_addresses(proxied, "two@example.org")


def test_counts_that_can_no_longer_lock_anything_are_forgotten(
    app: Flask, db: Database, fixed_clock: clock.FixedClock
) -> None:
    client = app.test_client()
    page_sign_in(client, POLICE, "wrong password")
    fixed_clock.advance(timedelta(minutes=16))
    page_sign_in(client, NOBODY, "wrong password")
    with db.read() as session:
        keys = set(session.scalars(select(SignInThrottle.key)))
    (pair,) = throttle_keys(db, "pair:")
    assert keys == {f"account:{_sha(NOBODY)}", "address:127.0.0.1", pair}


def test_a_missing_answer_is_named_beside_it(app: Flask) -> None:
    client = app.test_client()
    no_password = page_sign_in(client, "Police@Example.org ", "")
    page = no_password.get_data(as_text=True)
    assert no_password.status_code == 400
    assert '<a href="#password">Enter your password</a>' in page
    assert 'id="password-error"' in page and 'aria-describedby="password-error"' in page
    assert 'id="email-error"' not in page
    assert 'value="Police@Example.org"' in page, "the address typed is kept"
    neither = page_sign_in(client, "", "").get_data(as_text=True)
    assert error_summary(neither) == [
        ("Enter your email address", "#email"),
        ("Enter your password", "#password"),
    ], "both at once"
    assert field_error(neither, "email") == "Enter your email address"
    assert "<title>Error: Sign in" in neither
    wrong = page_sign_in(client, "police@example.org", "not the password").get_data(as_text=True)
    assert '<a href="#email">The email address or password is not right</a>' in wrong
    assert 'id="email-error"' in wrong


def test_a_success_clears_the_accounts_count(app: Flask) -> None:
    client = app.test_client()
    for _ in range(2):
        assert page_sign_in(client, POLICE, "wrong password").status_code == 400
    assert page_sign_in(client, POLICE, DEMO_PASSWORD).status_code == 302
    for _ in range(2):
        assert page_sign_in(app.test_client(), POLICE, "wrong password").status_code == 400


def test_a_password_hashed_with_older_parameters_is_rehashed_at_sign_in(
    app: Flask, db: Database
) -> None:
    with db.read() as session:
        before = session.scalar(select(User.password_hash).where(User.email == POLICE))
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    previous, accounts._hasher = accounts._hasher, stronger
    try:
        assert api_sign_in(app.test_client(), POLICE, DEMO_PASSWORD).status_code == 200
    finally:
        accounts._hasher = previous
    with db.read() as session:
        after = session.scalar(select(User.password_hash).where(User.email == POLICE))
        rehashed = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "user.password_rehashed")
        )
    assert after != before and "t=2" in after and "m=2048" in after
    assert stronger.verify(after, DEMO_PASSWORD)
    assert rehashed == 1
    assert page_sign_in(app.test_client(), POLICE, DEMO_PASSWORD).status_code == 302


# Sessions and cookies


def _session_cookie(response) -> str:
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return cookie


def test_the_session_cookie_is_httponly_samesite_and_secure_over_https(
    db: Database, tmp_path: Path
) -> None:
    plain = _session_cookie(
        page_sign_in(make_app(db, tmp_path).test_client(), POLICE, DEMO_PASSWORD)
    )
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain

    https = make_app(db, tmp_path).test_client()
    page = https.get("/sign-in", base_url="https://localhost").get_data(as_text=True)
    token = csrf_token(page)
    signed_in = https.post(
        "/sign-in",
        data={"email": POLICE, "password": DEMO_PASSWORD, "csrf_token": token},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/sign-in"},
    )
    assert signed_in.status_code == 302
    https_cookie = _session_cookie(signed_in)
    assert "Secure" in https_cookie and "HttpOnly" in https_cookie

    configured = make_app(db, tmp_path, CASEREVIEW_SECURE_COOKIES="1").test_client()
    assert "Secure" in _session_cookie(page_sign_in(configured, POLICE, DEMO_PASSWORD))


def test_a_session_expires_after_the_configured_idle_time(app: Flask) -> None:
    client = app.test_client()
    assert page_sign_in(client, POLICE, DEMO_PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    signed_in = client.get_cookie("session").value
    payload = app.session_interface.get_signing_serializer(app).loads(signed_in)

    class SignedEarlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 31 * 60

    serializer = app.session_interface.get_signing_serializer(app)
    serializer.signer = SignedEarlier
    stale = serializer.dumps(payload)
    client.set_cookie("session", stale)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_signing_out_ends_the_session(app: Flask) -> None:
    client = app.test_client()
    page_sign_in(client, POLICE, DEMO_PASSWORD)
    client.post("/sign-out", data={"csrf_token": form_token(client, "/sign-out")})
    assert client.get("/").status_code == 302


def test_every_form_route_refuses_a_post_without_its_csrf_token(app: Flask) -> None:
    client = app.test_client()
    page_sign_in(client, POLICE, DEMO_PASSWORD)
    checked = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
        response = client.post(path, data={"action": "draft"})
        assert response.status_code == 400, f"{rule.rule} answered {response.status_code}"
        assert "The form had expired or was sent from another site" in response.get_data(
            as_text=True
        )
        checked.append(rule.rule)
    assert {"/sign-in", "/apply", "/appeal", "/tasks/<int:task_id>"} <= set(checked)


# The secret key


def test_the_generated_secret_key_is_readable_only_by_its_owner(
    db: Database, tmp_path: Path
) -> None:
    first = make_app(db, tmp_path)
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 32
    assert make_app(db, tmp_path).config["SECRET_KEY"] == first.config["SECRET_KEY"]
    from_environment = make_app(db, tmp_path, CASEREVIEW_SECRET_KEY="k" * 40)
    assert from_environment.config["SECRET_KEY"] == "k" * 40


def test_a_secret_key_file_others_can_read_is_refused(db: Database, tmp_path: Path) -> None:
    key_file = tmp_path / "secret_key"
    key_file.write_text("a" * 64)
    os.chmod(key_file, 0o644)
    with pytest.raises(SecretKeyError, match="chmod 600"):
        make_app(db, tmp_path)


def test_the_repository_holds_no_secret_key() -> None:
    root = ROOT
    ignored = (root / ".gitignore").read_text()
    assert "instance/" in ignored or "secret_key" in ignored


def _sha(email: str) -> str:
    import hashlib

    return hashlib.sha256(email.encode()).hexdigest()


@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example",
        "/%0a/evil.example",
        "/%0d/evil.example",
        "/\\evil.example",
        "/%5Cevil.example",
        "//evil.example",
        "https://evil.example/",
        "/%09%09//evil.example/path",
    ],
)
def test_after_signing_in_the_service_sends_you_only_to_its_own_pages(
    app: Flask, target: str
) -> None:
    """A browser drops tabs and new lines from an address and reads a backslash as a
    slash, so each of these would leave the service for another site."""
    client = app.test_client()
    token = form_token(client, "/sign-in")
    answer = client.post(
        f"/sign-in?next={target}",
        data={"email": "council@example.org", "password": DEMO_PASSWORD, "csrf_token": token},
    )
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location == "/", location


def test_after_signing_in_a_page_of_the_service_is_returned_to(app: Flask) -> None:
    client = app.test_client()
    token = form_token(client, "/sign-in")
    answer = client.post(
        "/sign-in?next=/cases/CT-2026-00001%3Fx%3D1",
        data={"email": "council@example.org", "password": DEMO_PASSWORD, "csrf_token": token},
    )
    assert answer.headers["Location"] == "/cases/CT-2026-00001?x=1"
