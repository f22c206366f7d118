"""The people of the tests: the password every test user has, and finding or adding users."""

from __future__ import annotations

from sqlalchemy import select

from engine.core.db import Database
from engine.core.models import User
from engine.people.accounts import add_user, get_user

DEMO_PASSWORD = "correct horse battery"
COUNCIL = "council@example.org"
MANAGER = "manager@example.org"
OPCC = "opcc@example.org"
POLICE = "police@example.org"
ADMIN = "admin@example.org"


def user(db: Database, email: str) -> User:
    """The user with ``email``, with their roles loaded, as the engine's calls take one."""
    with db.read() as session:
        found = session.scalar(select(User).where(User.email == email))
        return get_user(session, found.id)


def add_people(db: Database, people: list[tuple[str, str, list[str]]]) -> None:
    """Add users, each as (email, organisation key, roles), named after their address."""
    with db.transaction() as session:
        for email, organisation, roles in people:
            add_user(
                session,
                email=email,
                name=email.split("@")[0].title(),
                organisation_key=organisation,
                roles=roles,
                password=DEMO_PASSWORD,
            )


def add_administrator(db: Database) -> None:
    """Add the administrator, Ada Admin, of the Derbyshire Dales council."""
    with db.transaction() as session:
        add_user(
            session,
            email=ADMIN,
            name="Ada Admin",
            organisation_key="derbyshire-dales-district-council",
            roles=["administrator"],
            password=DEMO_PASSWORD,
        )
