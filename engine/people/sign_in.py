"""Signing in, for the pages and the API alike: password check, rate limit and lockout.

Failed attempts are counted in the database (``SignInThrottle``), so the limits hold across
every web worker and host. Three counters apply to each attempt, each keyed by the email
address as typed (hashed), whether or not such an account exists, so the answers never tell
anyone which addresses have accounts:

- the account and the client's network address together: five failures lock that pair, so
  someone guessing from elsewhere never locks the real user out;
- the network address, ten times as generous, against one machine trying many accounts;
- the account from everywhere, which never locks but slows each further check a little and,
  when it first reaches the limit, tells the account holder by email (through ``warn``).

While a pair or an address is locked every attempt from it is refused unread, the right
password included, and the lockout is written to the audit trail.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.config import Settings
from engine.core.counters import count_one, kept_digest
from engine.core.db import Database
from engine.core.errors import NotAllowed, TooManyAttempts
from engine.core.models import SignInThrottle, User
from engine.people.accounts import authenticate, end_sessions, hash_password, needs_rehash
from engine.people.provider_sign_in import allows_password


class PasswordNotAllowed(NotAllowed):
    """The password was right, but the person's organisation signs its staff in through its
    own provider only."""

    def __init__(self, organisation_name: str) -> None:
        super().__init__(
            f"{organisation_name} signs its staff in with their own organisation's account, "
            "not a password for this service. Choose \"Sign in with your organisation's "
            'account".'
        )


ADDRESS_ALLOWANCE = 10  # an address may fail this many times as often as one account
# Each failure on an account beyond the limit, from anywhere, slows its next check this much,
# up to SLOWEST: enough to make guessing from many machines slow, too little to lock anyone out.
SLOWING_STEP = 0.2
SLOWEST = 2.0

# Told of an account being guessed at: the open session, the account, its failures so far.
GuessingWarning = Callable[[Session, User, int], None]


@dataclass(frozen=True)
class SignInPolicy:
    attempts: int = 5
    lockout: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: Settings) -> SignInPolicy:
        return cls(settings.sign_in_attempts, timedelta(minutes=settings.sign_in_lockout_minutes))


def account_key(email: str) -> str:
    digest = kept_digest(email.strip().lower())
    return f"account:{digest}"


def address_key(address: str) -> str:
    return f"address:{address[:64]}"


def pair_key(email: str, address: str) -> str:
    together = f"{email.strip().lower()}\n{address[:64]}"
    return f"pair:{kept_digest(together)}"


def slowing_seconds(account_failures: int, policy: SignInPolicy) -> float:
    """How long to wait before checking a password for an account that has failed this often
    (from anywhere) in the current window."""
    return min(max(account_failures - policy.attempts, 0) * SLOWING_STEP, SLOWEST)


def sign_in(
    db: Database,
    email: str,
    password: str,
    *,
    address: str,
    policy: SignInPolicy,
    via: str,
    warn: GuessingWarning | None = None,
) -> User | None:
    """The active user with this email and password, or None when either is wrong.

    ``TooManyAttempts`` while this account from this address, or the address, is locked, and
    on the failure that locks it. A success clears the count for this account from this
    address and, when the password was hashed with older parameters, stores a new hash.
    ``via`` ("web" or "api") is recorded with the event; ``warn`` is called, in the failing
    attempt's transaction, when the account's failures from everywhere reach the limit.
    """
    address = address or "unknown"
    keys = {
        "pair": pair_key(email, address),
        "address": address_key(address),
        "account": account_key(email),
    }
    locking = [keys["pair"], keys["address"]]
    with db.read() as session:
        refuse_if_locked(session, locking, clock.now())
        account_failures = session.scalar(
            select(SignInThrottle.failures).where(
                SignInThrottle.key == keys["account"],
                SignInThrottle.first_failure_at > clock.now() - policy.lockout,
            )
        )
    pause = slowing_seconds(account_failures or 0, policy)
    if pause:
        time.sleep(pause)
    with db.read() as session:
        # Hashing is slow on purpose; it is done outside any write lock.
        user = authenticate(session, email, password)
    if user is None:
        count_failure(db, keys, email, address, policy, warn=warn)
        return None
    if not allows_password(user.organisation) or user.identity_subject is not None:
        # Once someone has signed in through their organisation's account, that is their
        # only way in: its multi-factor checks and groups cannot be gone around.
        raise PasswordNotAllowed(user.organisation.name)
    with db.transaction() as session:
        # A lockout that began while the password was being checked still holds.
        refuse_if_locked(session, locking, clock.now())
        session.execute(delete(SignInThrottle).where(SignInThrottle.key == keys["pair"]))
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


def sign_out(db: Database, user: User) -> None:
    """End every signed-in session of ``user``, on this browser and all others."""
    with db.transaction() as session:
        stored = session.get(User, user.id)
        if stored is not None:
            end_sessions(stored)
            audit.record(
                session, "user.signed_out", user=stored, object_type="user", object_id=stored.id
            )


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
    db: Database,
    keys: dict[str, str],
    email: str,
    address: str,
    policy: SignInPolicy,
    *,
    warn: GuessingWarning | None = None,
) -> None:
    """Count a failed attempt against each of ``keys``, locking those that reach their limit
    (by scope: "address" is allowed ten times as many, "account" never locks);
    ``TooManyAttempts`` when one does. ``email`` names the account for the audit trail and
    for ``warn``, called once an "account" count reaches the limit."""
    locked_until: datetime | None = None
    with db.transaction() as session:
        now = clock.now()
        _forget_old_failures(session, now, policy.lockout)
        for scope, key in keys.items():
            failures = count_one(session, key, now, policy.lockout)[0]
            if scope == "account":
                if failures == policy.attempts and warn is not None:
                    _warn_account_holder(session, email, failures, warn)
                continue
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


def _warn_account_holder(
    session: Session, email: str, failures: int, warn: GuessingWarning
) -> None:
    holder = session.scalar(
        select(User).where(User.email == email.strip().lower(), User.active.is_(True))
    )
    if holder is not None:
        warn(session, holder, failures)


# The keys of the counts of failed sign-ins (staff and applicants); the table holds others.
SIGN_IN_KEYS = ("pair:", "address:", "account:", "applicant")


def _forget_old_failures(session: Session, now: datetime, window: timedelta) -> None:
    """Counts that can no longer lock anything are dropped, so typed addresses and network
    addresses are kept no longer than the limit needs them."""
    session.execute(
        delete(SignInThrottle).where(
            or_(*(SignInThrottle.key.startswith(prefix) for prefix in SIGN_IN_KEYS)),
            SignInThrottle.first_failure_at <= now - window,
            or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until <= now),
        )
    )


def _audit_lockout(
    session: Session, scope: str, email: str, address: str, failures: int, until: datetime
) -> None:
    user_id = None
    if scope == "pair":
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
