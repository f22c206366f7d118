"""Signing in, for the pages and the API alike: password check, rate limit and lockout.

Failed attempts are counted in the database (``SignInThrottle``), so the limit holds across
every web worker and host. Two counters apply to each attempt: one for the account named by
the email address as typed, whether or not such an account exists, so the answers never tell
anyone which addresses have accounts; and one for the client's network address, ten times as
generous, against one machine trying many accounts. While either is locked every attempt is
refused unread, the right password included, and the lockout is written to the audit trail.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, and_, case, delete, literal, null, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.config import Settings
from engine.core.db import Database, UTCDateTime
from engine.core.errors import TooManyAttempts
from engine.core.models import SignInThrottle, User
from engine.people.accounts import authenticate, hash_password, needs_rehash

# The table as the Table it is (a declarative class's ``__table__`` is typed as any FROM clause).
_THROTTLES = SignInThrottle.metadata.tables[SignInThrottle.__tablename__]

ADDRESS_ALLOWANCE = 10  # an address may fail this many times as often as one account


@dataclass(frozen=True)
class SignInPolicy:
    attempts: int = 5
    lockout: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: Settings) -> SignInPolicy:
        return cls(settings.sign_in_attempts, timedelta(minutes=settings.sign_in_lockout_minutes))


def account_key(email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()
    return f"account:{digest}"


def address_key(address: str) -> str:
    return f"address:{address[:64]}"


def sign_in(
    db: Database,
    email: str,
    password: str,
    *,
    address: str,
    policy: SignInPolicy,
    via: str,
) -> User | None:
    """The active user with this email and password, or None when either is wrong.

    ``TooManyAttempts`` while the account or the address is locked, and on the failure that
    locks it. A success clears the account's count and, when the password was hashed with
    older parameters, stores a new hash. ``via`` ("web" or "api") is recorded with the event.
    """
    keys = {"account": account_key(email), "address": address_key(address or "unknown")}
    now = clock.now()
    with db.read() as session:
        refuse_if_locked(session, keys.values(), now)
        # Hashing is slow on purpose; it is done outside any write lock.
        user = authenticate(session, email, password)
    if user is None:
        count_failure(db, keys, email, address, policy)
        return None
    with db.transaction() as session:
        # A lockout that began while the password was being checked still holds.
        refuse_if_locked(session, keys.values(), clock.now())
        session.execute(delete(SignInThrottle).where(SignInThrottle.key == keys["account"]))
        stored = session.get_one(User, user.id)
        if needs_rehash(stored.password_hash):
            stored.password_hash = hash_password(password)
            audit.record(
                session, "user.password_rehashed", user=user, object_type="user", object_id=user.id
            )
        audit.record(
            session,
            "user.signed_in",
            user=user,
            object_type="user",
            object_id=user.id,
            detail={"via": via},
        )
    return user


def refuse_if_locked(session: Session, keys: Any, now: datetime) -> None:
    """``TooManyAttempts`` while any of ``keys`` is locked."""
    until = session.scalar(
        select(SignInThrottle.locked_until)
        .where(SignInThrottle.key.in_(list(keys)), SignInThrottle.locked_until > now)
        .order_by(SignInThrottle.locked_until.desc())
        .limit(1)
    )
    if until is not None:
        raise TooManyAttempts(_seconds_until(until, now))


def count_failure(
    db: Database, keys: dict[str, str], email: str, address: str, policy: SignInPolicy
) -> None:
    """Count a failed attempt against each of ``keys`` (by scope: "address" is allowed ten
    times as many), locking those that reach their limit; ``TooManyAttempts`` when one does.
    ``email`` names the account for the audit trail when the scope is "account"."""
    locked_until: datetime | None = None
    with db.transaction() as session:
        now = clock.now()
        _forget_old_failures(session, now, policy.lockout)
        for scope, key in keys.items():
            failures = _add_failure(session, key, now, policy.lockout)
            limit = policy.attempts * (ADDRESS_ALLOWANCE if scope == "address" else 1)
            if failures < limit:
                continue
            until = now + policy.lockout
            lock = (
                update(SignInThrottle)
                .where(
                    SignInThrottle.key == key,
                    or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until <= now),
                )
                .values(locked_until=until)
            )
            # Only the attempt that locks the key records it, however many race here. (An
            # UPDATE's result is a CursorResult, which Session.execute is not typed to return.)
            locked = cast(CursorResult[Any], session.execute(lock)).rowcount
            if locked:
                _audit_lockout(session, scope, email, address, failures, until)
            locked_until = max(locked_until or until, until)
    if locked_until is not None:
        raise TooManyAttempts(_seconds_until(locked_until, clock.now()))


def _forget_old_failures(session: Session, now: datetime, window: timedelta) -> None:
    """Counts that can no longer lock anything are dropped, so typed addresses and network
    addresses are kept no longer than the limit needs them."""
    session.execute(
        delete(SignInThrottle).where(
            SignInThrottle.first_failure_at <= now - window,
            or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until <= now),
        )
    )


def _add_failure(session: Session, key: str, now: datetime, window: timedelta) -> int:
    """Count one failure for ``key`` atomically (an upsert), starting afresh when the last
    count is older than ``window`` or its lockout has ended; the count after this one."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = _THROTTLES
    moment = literal(now, UTCDateTime())
    stale = or_(
        table.c.first_failure_at <= literal(now - window, UTCDateTime()),
        and_(table.c.locked_until.is_not(None), table.c.locked_until <= moment),
    )
    statement = (
        insert(table)
        .values(key=key, failures=1, first_failure_at=now, locked_until=None)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "failures": case((stale, 1), else_=table.c.failures + 1),
                "first_failure_at": case((stale, moment), else_=table.c.first_failure_at),
                "locked_until": case((stale, null()), else_=table.c.locked_until),
            },
        )
        .returning(table.c.failures)
    )
    return session.execute(statement).scalar_one()


def _audit_lockout(
    session: Session, scope: str, email: str, address: str, failures: int, until: datetime
) -> None:
    user_id = None
    if scope == "account":
        user_id = session.scalar(select(User.id).where(User.email == email.strip().lower()))
    audit.record(
        session,
        "sign_in.locked",
        object_type="user" if user_id else "sign_in",
        object_id=user_id or "",
        detail={
            "scope": scope,
            "failures": failures,
            "locked_until": until.isoformat(),
            "address": address,
        },
    )


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))
