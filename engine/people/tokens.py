"""Bearer tokens for the JSON API: random, shown once, stored only as their sha256."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.counters import kept_digest
from engine.core.models import ApiToken, User
from engine.people.accounts import USER_LOADS

TOKEN_LIFETIME = timedelta(hours=8)


def issue_token(session: Session, user: User) -> str:
    token = secrets.token_urlsafe(32)
    now = clock.now()
    session.add(
        ApiToken(
            token_hash=kept_digest(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + TOKEN_LIFETIME,
        )
    )
    audit.record(session, "token.issued", user=user, object_type="user", object_id=user.id)
    return token


# Built once: every API request asks this before anything else, in one statement.
_USER_BY_TOKEN = (
    select(User)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(
        ApiToken.token_hash == bindparam("token_hash"),
        ApiToken.expires_at > bindparam("now"),
        User.active.is_(True),
    )
    .options(*USER_LOADS)
)


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a token belongs to, or None when it is unknown or expired."""
    if not token or len(token) > 200:
        return None
    return (
        session.execute(_USER_BY_TOKEN, {"token_hash": kept_digest(token), "now": clock.now()})
        .unique()
        .scalar_one_or_none()
    )
