"""Personal access tokens: API tokens a person makes on their account's pages for an
integration, which then needs no password to sign in with (and staff who sign in through
their organisation's provider may have none).

Each has a name, the last day it works (at most a year ahead) and a scope: read only (GET
requests alone) or the API routes chosen for it, each named by its method and address as
the OpenAPI document writes it (``GET /api/v1/cases/{reference}``). Like every API token it is
random, shown once and kept only as its sha256. Its owner or an administrator revokes it; a
revoked one is kept, so it stays listed with who revoked it. Making and revoking one are in
the audit trail. A token got with a password (``engine.people.tokens``) has the ``full``
scope and no name, and is not listed here.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.orm import Session, aliased

from engine.core import audit, clock
from engine.core.counters import kept_digest
from engine.core.errors import InvalidData, NotFound
from engine.core.form_wording import date_problem
from engine.core.forms import iso_date
from engine.core.models import ApiToken, Organisation, User

FULL, READ_ONLY, ROUTES = "full", "read_only", "routes"
# The scopes a person chooses from, as the pages name them.
SCOPES = {READ_ONLY: "Read only", ROUTES: "Only the routes chosen"}
LONGEST_NAME = 100
DEFAULT_DAYS = 90
# How often a token's last use is written down: often enough to tell whether it is still
# used, rarely enough that an integration's every call does not write to the database.
USE_NOTED_EVERY = timedelta(minutes=1)
NO_SUCH_TOKEN = "there is no such token"


@dataclass(frozen=True)
class TokenScope:
    """What a token may call: everything its user may (``full``), GET requests alone
    (``read_only``), or the ``routes`` listed, each as ``POST /api/v1/tasks/{task_id}/claim``."""

    kind: str
    routes: frozenset[str] = frozenset()

    @classmethod
    def of(cls, token: ApiToken) -> TokenScope:
        return cls(token.scope, frozenset(token.routes or ()))

    def allows(self, method: str, route: str) -> bool:
        """Whether a ``method`` request to ``route`` is within the scope; a HEAD request is
        the GET request without its body."""
        method = "GET" if method == "HEAD" else method
        if self.kind == FULL:
            return True
        if self.kind == READ_ONLY:
            return method == "GET"
        return f"{method} {route}" in self.routes


@dataclass(frozen=True)
class TokenAnswers:
    """The new token's form as it was filled in, to check, or to show again when refused.
    ``expires_on`` is the date as ``year-month-day`` text, as the date boxes give it."""

    name: str = ""
    expires_on: str = ""
    scope: str = ""
    routes: tuple[str, ...] = ()


@dataclass(frozen=True)
class MadeToken:
    """A token just made: ``token`` is shown this once and never again."""

    id: int
    name: str
    token: str
    expires_on: date


@dataclass(frozen=True)
class TokenRow:
    """A personal access token as its owner's and the administrators' lists show it."""

    id: int
    name: str
    scope: TokenScope
    created_at: datetime
    expires_on: date
    last_used_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str
    owner: str
    owner_email: str
    owner_organisation: str
    state: str  # "active", "expired", "revoked" or "access stopped" (its owner's)

    @property
    def works(self) -> bool:
        return self.state == "active"


def default_expiry(today: date) -> date:
    """The last day offered for a new token: 90 days on."""
    return today + timedelta(days=DEFAULT_DAYS)


def latest_expiry(today: date) -> date:
    """The furthest a token's last day may be: this day next year (28 February for 29)."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


def make_token(
    session: Session, owner: User, answers: TokenAnswers, offered: Collection[str]
) -> MadeToken:
    """A new personal access token of ``owner``, from the form's ``answers``; its scope may
    name only ``offered`` routes. Refused with every problem at once (``InvalidData``)."""
    name = answers.name.strip()
    last_day = _checked(answers, name, offered)
    token = secrets.token_urlsafe(32)
    routes = sorted(set(answers.routes)) if answers.scope == ROUTES else None
    row = ApiToken(
        token_hash=kept_digest(token),
        user_id=owner.id,
        created_at=clock.now(),
        expires_at=clock.as_utc(datetime.combine(last_day + timedelta(days=1), time())),
        name=name,
        scope=answers.scope,
        routes=routes,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "api_token.made",
        user=owner,
        object_type="api_token",
        object_id=row.id,
        detail={
            "name": name,
            "scope": answers.scope,
            "routes": routes or [],
            "expires_on": last_day.isoformat(),
        },
    )
    return MadeToken(row.id, name, token, last_day)


def _checked(answers: TokenAnswers, name: str, offered: Collection[str]) -> date:
    """The token's last day, once every answer is right."""
    problems: dict[str, str] = {}
    if not name:
        problems["name"] = "Enter a name for the token"
    elif len(name) > LONGEST_NAME:
        problems["name"] = f"The name must be {LONGEST_NAME} characters or fewer"
    last_day = _last_day(answers.expires_on, problems)
    if answers.scope not in SCOPES:
        problems["scope"] = "Select what the token may do"
    elif answers.scope == ROUTES:
        if not answers.routes:
            problems["routes"] = "Select at least one route the token may call"
        elif not set(answers.routes) <= set(offered):
            problems["routes"] = "Select only routes from the list"
    if problems or last_day is None:
        raise InvalidData("The token needs correcting", problems)
    return last_day


def _last_day(text: str, problems: dict[str, str]) -> date | None:
    today = clock.today()
    if not text:
        problems["expires_on"] = "Enter the date the token expires"
        return None
    day = iso_date(text)
    if day is None:
        problems["expires_on"] = f"The expiry date {date_problem(text)[0]}"
    elif day < today:
        problems["expires_on"] = "The expiry date must be today or in the future"
    elif day > latest_expiry(today):
        latest = latest_expiry(today)
        problems["expires_on"] = (
            f"The expiry date must be no later than {latest.day} {latest:%B %Y}, a year from today"
        )
    else:
        return day
    return None


def tokens_of(session: Session, user: User) -> list[TokenRow]:
    """The personal access tokens of ``user``, newest first."""
    return _rows(session, ApiToken.user_id == user.id)


def every_token(session: Session) -> list[TokenRow]:
    """Every user's personal access tokens, newest first, for administrators."""
    return _rows(session)


def _rows(session: Session, *where: ColumnElement[bool]) -> list[TokenRow]:
    revoker = aliased(User)
    found = session.execute(
        select(ApiToken, User.name, User.email, User.active, Organisation.name, revoker.name)
        .join(User, User.id == ApiToken.user_id)
        .join(Organisation, Organisation.id == User.organisation_id)
        .outerjoin(revoker, revoker.id == ApiToken.revoked_by_id)
        .where(ApiToken.scope != FULL, *where)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    now = clock.now()
    return [
        TokenRow(
            id=token.id,
            name=token.name or "",
            scope=TokenScope.of(token),
            created_at=token.created_at,
            expires_on=last_day_of(token),
            last_used_at=token.last_used_at,
            revoked_at=token.revoked_at,
            revoked_by=revoked_by or "",
            owner=owner,
            owner_email=email,
            owner_organisation=organisation,
            state=(
                "revoked"
                if token.revoked_at is not None
                else "expired"
                if token.expires_at <= now
                else "access stopped"
                if not active
                else "active"
            ),
        )
        for token, owner, email, active, organisation, revoked_by in found
    ]


def last_day_of(token: ApiToken) -> date:
    """The last day a token works, where the work happens: it ends as the next one begins."""
    return (token.expires_at.astimezone(clock.LOCAL_ZONE) - timedelta(microseconds=1)).date()


def revoke_token(session: Session, actor: User, token_id: int) -> TokenRow:
    """Revoke a personal access token: its owner's or, for an administrator, anyone's; to
    anyone else it does not exist. One already revoked stays as it was."""
    token = session.get(ApiToken, token_id, with_for_update=True)
    if (
        token is None
        or token.scope == FULL
        or (token.user_id != actor.id and not actor.has_role("administrator"))
    ):
        raise NotFound(NO_SUCH_TOKEN)
    if token.revoked_at is None:
        _revoke(session, token, actor, {})
        session.flush()
    (row,) = _rows(session, ApiToken.id == token.id)
    return row


def end_every_token(session: Session, user: User, actor: User | None, why: str) -> None:
    """Every API token of ``user`` stops working (their password changed, say, or their
    access stopped, ``why``): one got with a password is deleted, as it names nothing worth
    keeping; a personal access token is revoked by ``actor`` (None: by the service itself)
    and stays listed."""
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.scope == FULL))
    live = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for token in live:
        _revoke(session, token, actor, {"why": why})


def _revoke(session: Session, token: ApiToken, actor: User | None, detail: dict[str, Any]) -> None:
    token.revoked_at = clock.now()
    token.revoked_by_id = actor.id if actor is not None else None
    audit.record(
        session,
        "api_token.revoked",
        user=actor,
        object_type="api_token",
        object_id=token.id,
        detail={"name": token.name, "owner": token.user_id, **detail},
    )


def note_use(session: Session, token_id: int, now: datetime) -> None:
    """Write down that a token was used ``now``, unless that was done in the last minute
    (by another request at the same time, say)."""
    session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - USE_NOTED_EVERY),
        )
        .values(last_used_at=now)
    )


def use_to_note(last_used_at: datetime | None, now: datetime) -> bool:
    """Whether a use ``now`` is to be written down, the last being at ``last_used_at``."""
    return last_used_at is None or now - last_used_at >= USE_NOTED_EVERY
