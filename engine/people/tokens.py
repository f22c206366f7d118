"""Bearer tokens for the JSON API: random, shown once, stored only as their sha256.

One is got here with a password, for 8 hours, and reaches everything its user may; a
personal access token (``engine.people.personal_tokens``) is made on the account's pages,
with a scope. Either is found here for each request that sends one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.counters import kept_digest
from engine.core.models import ApiToken, User
from engine.people.accounts import USER_LOADS
from engine.people.personal_tokens import FULL, TokenScope, use_to_note

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


@dataclass(frozen=True)
class HeldToken:
    """A staff token that works, as the request that sent it needs it: whose it is, what it
    may call, and when its use was last written down."""

    user: User
    token_id: int
    scope: TokenScope
    last_used_at: datetime | None

    @property
    def personal(self) -> bool:
        """Whether it is a personal access token, for the API alone."""
        return self.scope.kind != FULL

    def use_to_note(self, now: datetime) -> bool:
        return use_to_note(self.last_used_at, now)


# Built once: every API request with a token asks this before anything else, in one statement.
_HELD_TOKEN = (
    select(User, ApiToken)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(
        ApiToken.token_hash == bindparam("token_hash"),
        ApiToken.expires_at > bindparam("now"),
        ApiToken.revoked_at.is_(None),
        User.active.is_(True),
    )
    .options(*USER_LOADS)
)


def held_token(session: Session, token: str) -> HeldToken | None:
    """The token of an active user, or None when it is unknown, expired or revoked."""
    if not token or len(token) > 200:
        return None
    found = (
        session.execute(_HELD_TOKEN, {"token_hash": kept_digest(token), "now": clock.now()})
        .unique()
        .one_or_none()
    )
    if found is None:
        return None
    user, row = found
    return HeldToken(user, row.id, TokenScope.of(row), row.last_used_at)
