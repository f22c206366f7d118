"""People choosing their own password: changing it when signed in (which a temporary one
requires at once), and a link by email to choose a new one when it is forgotten.

A reset link is random, kept only as its sha256, and works once, for ``RESET_LIFETIME``; asking
for another supersedes every earlier one. Whether an address has an account is never told:
``issue_reset_link`` answers None for one without, and the pages say the same either way.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from enum import Enum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.counters import kept_digest
from engine.core.models import PasswordReset, User
from engine.people.accounts import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    end_sessions,
    hash_password,
    verify_password,
)
from engine.people.personal_tokens import end_every_token
from engine.people.provider_sign_in import allows_password

RESET_LIFETIME = timedelta(hours=1)
# A first password is chosen by someone who may not read the email that day.
INVITATION_LIFETIME = timedelta(days=7)


class LinkState(Enum):
    """What a reset link can still do, and so what its page says."""

    USABLE = "usable"
    USED = "used"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"
    UNKNOWN = "unknown"


class LinkRefused(ValueError):
    """A reset link that cannot set a password: ``state`` says why."""

    def __init__(self, state: LinkState) -> None:
        super().__init__(state.value)
        self.state = state


def check_new_password(new: str, confirm: str, *, current_hash: str = "") -> dict[str, str]:
    """What is wrong with a new password typed twice, by field (``new_password``,
    ``confirm_password``); nothing when it may be used."""
    problems: dict[str, str] = {}
    if not new:
        problems["new_password"] = "Enter a new password"
    elif len(new) < MIN_PASSWORD_LENGTH:
        problems["new_password"] = (
            f"The new password must be at least {MIN_PASSWORD_LENGTH} characters"
        )
    elif current_hash and verify_password(current_hash, new):
        problems["new_password"] = "The new password must not be the same as your current one"
    if not confirm:
        problems["confirm_password"] = "Enter the new password again"
    elif new and confirm != new:
        problems["confirm_password"] = "The passwords you typed are not the same"
    return problems


def _set_password(session: Session, user: User, new: str, how: str) -> None:
    """Store ``new``, end every session and revoke every API token of ``user``, and record
    the change and ``how`` it was made."""
    user.password_hash = hash_password(new)
    user.must_change_password = False
    end_sessions(user)
    end_every_token(session, user, user, "password changed")
    # A link asked for before would set the password over the one just chosen.
    session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.user_id == user.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.superseded_at.is_(None),
        )
        .values(superseded_at=clock.now())
    )
    audit.record(
        session,
        "user.password_changed",
        user=user,
        object_type="user",
        object_id=user.id,
        detail={"how": how},
    )


def change_password(session: Session, user_id: int, current: str, new: str, confirm: str) -> User:
    """A signed-in user chooses a new password. ``AccountError`` (with the field) when the
    current one is wrong or the new one may not be used; each answer is checked, so the page
    can name every problem at once (the first field's in the exception, all in ``problems``).
    Every session of theirs ends (the caller starts a new one for this browser) and their API
    tokens stop working."""
    user = session.get_one(User, user_id)
    problems: dict[str, str] = {}
    if not current:
        problems["current_password"] = "Enter your current password"
    elif not verify_password(user.password_hash, current):
        problems["current_password"] = "Your current password is not right"
    problems.update(check_new_password(new, confirm, current_hash=user.password_hash or ""))
    if problems:
        raise PasswordProblems(problems)
    _set_password(session, user, new, "signed in")
    return user


class PasswordProblems(AccountError):
    """Answers on a password form that cannot be used, by field."""

    def __init__(self, problems: dict[str, str]) -> None:
        field, message = next(iter(problems.items()))
        super().__init__(message, field)
        self.problems = problems


def issue_reset_link(session: Session, email: str) -> tuple[User, str] | None:
    """A new reset link for the active account with ``email``, superseding any earlier one;
    None (and nothing stored) when there is no such account, or it signs in through its
    organisation's own account (a password would open nothing)."""
    user = session.scalar(
        select(User).where(User.email == email.strip().lower(), User.active.is_(True))
    )
    if user is None or not allows_password(user.organisation) or user.identity_subject:
        return None
    token = _new_link(session, user, RESET_LIFETIME)
    audit.record(
        session, "user.password_reset_link_sent", user=user, object_type="user", object_id=user.id
    )
    return user, token


def issue_invitation_link(session: Session, user: User, actor: User) -> str:
    """A link for a new account with no password yet to choose its first, valid for
    ``INVITATION_LIFETIME``; recorded as ``actor``'s invitation. The account's organisation
    must allow the service's passwords."""
    token = _new_link(session, user, INVITATION_LIFETIME)
    audit.record(session, "user.invited", user=actor, object_type="user", object_id=user.id)
    return token


def _new_link(session: Session, user: User, lifetime: timedelta) -> str:
    """A new link for ``user``, superseding any earlier one still usable."""
    now = clock.now()
    session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.user_id == user.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.superseded_at.is_(None),
        )
        .values(superseded_at=now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(
            token_hash=kept_digest(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token


def _find_link(session: Session, token: str, *, lock: bool = False) -> PasswordReset | None:
    if not token or len(token) > 200:
        return None
    query = select(PasswordReset).where(PasswordReset.token_hash == kept_digest(token))
    return session.scalar(query.with_for_update() if lock else query)


def _state(link: PasswordReset | None, session: Session) -> LinkState:
    if link is None:
        return LinkState.UNKNOWN
    if link.used_at is not None:
        return LinkState.USED
    if link.superseded_at is not None:
        return LinkState.SUPERSEDED
    holder = session.get(User, link.user_id)
    if holder is None or not holder.active:
        return LinkState.UNKNOWN
    if link.expires_at <= clock.now():
        return LinkState.EXPIRED
    return LinkState.USABLE


def reset_link_state(session: Session, token: str) -> LinkState:
    """What the link can do, read without using it (opening the email's link uses nothing)."""
    return _state(_find_link(session, token), session)


def use_reset_link(session: Session, token: str, new: str, confirm: str) -> User:
    """Set the password of the link's account and use the link up. ``LinkRefused`` when the
    link cannot be used; ``PasswordProblems`` (the link kept) when the new password cannot.
    Every session of the account ends and its API tokens stop working."""
    link = _find_link(session, token, lock=True)
    state = _state(link, session)
    if link is None or state is not LinkState.USABLE:
        raise LinkRefused(state)
    user = session.get_one(User, link.user_id)
    problems = check_new_password(new, confirm)
    if problems:
        raise PasswordProblems(problems)
    link.used_at = clock.now()
    _set_password(session, user, new, "reset link")
    return user
