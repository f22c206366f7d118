"""People: roles, organisations and password hashing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.core.db import Database
from engine.core.models import AuditEvent, User
from engine.people.accounts import AccountError, add_user, authenticate
from tests.support.people import DEMO_PASSWORD


def test_passwords_are_hashed_with_argon2_and_checked(db: Database) -> None:
    with db.read() as session:
        stored = session.scalar(select(User).where(User.email == "police@example.org"))
        assert stored.password_hash.startswith("$argon2id$")
        assert DEMO_PASSWORD not in stored.password_hash
        assert authenticate(session, "POLICE@example.org ", DEMO_PASSWORD).id == stored.id
        assert authenticate(session, "police@example.org", "wrong password") is None
        assert authenticate(session, "nobody@example.org", DEMO_PASSWORD) is None


def test_user_has_one_organisation_and_roles(db: Database) -> None:
    with db.transaction() as session:
        user = add_user(
            session,
            email="newchair@example.org",
            name="Chair",
            organisation_key="high-peak-borough-council",
            roles=["review_chair", "manager"],
            password="long enough password",
        )
        assert user.roles == ["manager", "review_chair"]
        assert user.organisation.key == "high-peak-borough-council"
    with db.read() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "user.created")
        ).all()[-1]
        assert event.detail["email"] == "newchair@example.org"


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"email": "not-an-email"}, "not an email address"),
        ({"roles": ["wizard"]}, "unknown: wizard"),
        ({"roles": []}, "one or more"),
        ({"password": "short"}, "at least 10"),
        ({"organisation_key": "acme"}, "no organisation 'acme'"),
        ({"email": "police@example.org"}, "already exists"),
        ({"email": "a@" + "." * 20_000 + "@"}, "254 characters or fewer"),
        ({"name": "N" * 201}, "200 characters or fewer"),
    ],
)
def test_bad_users_are_refused(db: Database, changes, words) -> None:
    values = dict(
        email="new@example.org",
        name="New",
        organisation_key="dales-housing",
        roles=["agency_officer"],
        password="long enough password",
    )
    values.update(changes)
    with pytest.raises(AccountError, match=None) as refused, db.transaction() as session:
        add_user(session, **values)
    assert words in str(refused.value)
    with db.read() as session:
        assert session.scalar(select(User).where(User.email == "new@example.org")) is None


def test_an_account_is_either_an_administrator_or_works_on_cases(db: Database) -> None:
    with pytest.raises(AccountError, match="separate account") as refused, db.transaction() as s:
        add_user(
            s,
            email="both@example.org",
            name="Both",
            organisation_key="derbyshire-dales-district-council",
            roles=["administrator", "review_chair"],
            password="long enough password",
        )
    assert refused.value.field == "roles"
