"""People: users of one organisation holding roles, with passwords hashed by Argon2id."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import String, func, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.types import TypeEngine

from engine.core import audit, clock
from engine.core.models import ROLES, Organisation, User, UserRole
from engine.people.access import CASE_ROLES
from engine.people.personal_tokens import end_every_token


def _column_length(column_type: TypeEngine[Any]) -> int:
    """The length a String column keeps (read from the model, so it is said once)."""
    if not isinstance(column_type, String) or column_type.length is None:
        raise TypeError(f"{column_type!r} is not a string column with a length")
    return column_type.length


_hasher = PasswordHasher()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# As long as the columns that keep them.
LONGEST_NAME = _column_length(User.__table__.c.name.type)
LONGEST_EMAIL = _column_length(User.__table__.c.email.type)
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A user cannot be created or changed as asked; the message says why, and ``field``
    which answer it is about (``email``, ``name``, ``organisation``, ``roles``, ``active`` or
    ``password``), when it is about one."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if password_hash is None:  # signs in only through their organisation's provider
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str | None) -> bool:
    """True when the hash was made with other (older) parameters than the service's now."""
    if password_hash is None:
        return False
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def keep_duties_apart(roles: Iterable[str]) -> None:
    """Separation of duties: an administrator reads a case only with a recorded reason, so
    their account takes no part in cases; someone who does both has two accounts."""
    roles = set(roles)
    if "administrator" in roles and roles & CASE_ROLES:
        raise AccountError(
            "An administrator's account cannot also work on cases: give the case roles to a "
            "separate account",
            "roles",
        )


def add_user(
    session: Session,
    *,
    email: str,
    name: str,
    organisation_key: str,
    roles: Iterable[str],
    password: str | None,
    actor: User | None = None,
    temporary: bool = False,
) -> User:
    """A new user; ``temporary`` when the password is one handed over by an administrator,
    which they must change at their first sign-in; no ``password`` for someone invited to
    choose their own (or who signs in through their organisation's provider)."""
    email = email.strip().lower()
    roles = sorted(set(roles))
    if not name.strip():
        raise AccountError("enter their full name", "name")
    if len(name.strip()) > LONGEST_NAME:
        raise AccountError(f"the name must be {LONGEST_NAME} characters or fewer", "name")
    if not email:
        raise AccountError("enter their work email address", "email")
    # Before the pattern, whose time grows fast with a long enough address.
    if len(email) > LONGEST_EMAIL:
        raise AccountError(
            f"the email address must be {LONGEST_EMAIL} characters or fewer", "email"
        )
    if not _EMAIL.match(email):
        raise AccountError(f"'{email}' is not an email address", "email")
    organisation = session.scalar(select(Organisation).where(Organisation.key == organisation_key))
    if organisation is None:
        unknown_one = f"there is no organisation '{organisation_key}'"
        raise AccountError(
            unknown_one if organisation_key else "choose their organisation", "organisation"
        )
    unknown = [role for role in roles if role not in ROLES]
    if unknown or not roles:
        raise AccountError(
            f"roles must be one or more of {', '.join(ROLES)}"
            + (f"; unknown: {', '.join(unknown)}" if unknown else ""),
            "roles",
        )
    keep_duties_apart(roles)
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"the password must be at least {MIN_PASSWORD_LENGTH} characters", "password"
        )
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise AccountError(f"a user with the email {email} already exists", "email")
    user = User(
        email=email,
        name=name.strip(),
        organisation=organisation,
        password_hash=None if password is None else hash_password(password),
        must_change_password=temporary,
        created_at=clock.now(),
        role_rows=[UserRole(role=role) for role in roles],
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        "user.created",
        user=actor,
        object_type="user",
        object_id=user.id,
        detail={"email": email, "organisation": organisation_key, "roles": roles},
    )
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = session.scalar(
        select(User)
        .where(User.email == email.strip().lower(), User.active.is_(True))
        .options(selectinload(User.role_rows), selectinload(User.organisation))
    )
    if user is None:
        # Hash anyway so a wrong email takes as long as a wrong password.
        verify_password(_DUMMY_HASH, password)
        return None
    return user if verify_password(user.password_hash, password) else None


# What a signed-in user is used with after their session closes, read in the same statement.
USER_LOADS = (joinedload(User.role_rows), joinedload(User.organisation))


def get_user(session: Session, user_id: int) -> User | None:
    return (
        session.execute(
            select(User).where(User.id == user_id, User.active.is_(True)).options(*USER_LOADS)
        )
        .unique()
        .scalar_one_or_none()
    )


_DUMMY_HASH = hash_password("not a real password, only for timing")


ROLE_NAMES = {
    "caseworker": "Caseworker",
    "agency_officer": "Agency officer",
    "manager": "Manager",
    "review_chair": "Review chair",
    "process_owner": "Process owner",
    "administrator": "Administrator",
}


def temporary_password() -> str:
    """A password for an administrator to hand over once, long enough to resist guessing."""
    return secrets.token_urlsafe(12)


def list_users(session: Session) -> list[User]:
    """Everyone, by organisation then name, with their roles: what an administrator manages."""
    return list(
        session.scalars(
            select(User)
            .join(Organisation, Organisation.id == User.organisation_id)
            .options(selectinload(User.role_rows), selectinload(User.organisation))
            .order_by(Organisation.name, User.name)
        )
    )


def organisation_choices(session: Session) -> list[tuple[str, str]]:
    return [
        (row.key, row.name)
        for row in session.execute(
            select(Organisation.key, Organisation.name).order_by(Organisation.name)
        )
    ]


def change_user(
    session: Session, actor: User, user_id: int, *, roles: Iterable[str], active: bool
) -> User:
    """Give a user other roles, or stop or restore their access; recorded in the audit trail.

    An administrator cannot take away their own access, so the service always keeps one.
    """
    user = session.get(User, user_id)
    if user is None:
        raise AccountError("there is no such user")
    chosen = sorted(set(roles))
    unknown = [role for role in chosen if role not in ROLES]
    if unknown or not chosen:
        raise AccountError("Select at least one role", "roles")
    if user.id == actor.id and (not active or "administrator" not in chosen):
        raise AccountError(
            "You cannot remove your own administrator access",
            "roles" if "administrator" not in chosen else "active",
        )
    if user.id == actor.id and chosen != sorted(user.roles):
        raise AccountError("You cannot change your own roles: ask another administrator", "roles")
    keep_duties_apart(chosen)
    before = {"roles": user.roles, "active": user.active}
    if before != {"roles": chosen, "active": active}:
        end_sessions(user)
    user.role_rows = [UserRole(role=role) for role in chosen]
    user.active = active
    session.flush()
    if not active:
        end_every_token(session, user, actor, "access stopped")
    audit.record(
        session,
        "user.changed",
        user=actor,
        object_type="user",
        object_id=user.id,
        detail={"before": before, "after": {"roles": chosen, "active": active}},
    )
    return user


def end_sessions(user: User) -> None:
    """End every signed-in session of ``user``, on every browser, at their next request."""
    user.session_generation = (user.session_generation or 0) + 1


def reset_password(session: Session, actor: User, user_id: int) -> str:
    """A new temporary password for a user who has lost theirs, to be changed at their next
    sign-in; their signed-in sessions end and their API tokens stop working."""
    user = session.get(User, user_id)
    if user is None:
        raise AccountError("there is no such user")
    password = temporary_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    end_sessions(user)
    end_every_token(session, user, actor, "password reset")
    audit.record(session, "user.password_reset", user=actor, object_type="user", object_id=user.id)
    return password
