"""Notifications: written in the same transaction as the event they tell of.

Each one is shown to its user in the service and, when it has an address, waits in the outbox
for the mail sender. Its ``key`` names the event (``reminder:task:42``), so whatever writes it
twice, a sweep run again or two processes racing, leaves exactly one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Insert, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.db import per_transaction
from engine.core.errors import Conflict, NotFound
from engine.core.models import NOTIFICATION_STATES, Notification, User

# Messages holding a one-time link (into a case, or to choose a password): the outbox never
# shows their text, and the mail sender removes it once sent.
ONE_TIME_KINDS = frozenset(
    {"applicant_link", "chair_invitation", "check_in", "information_link", "password_reset"}
)
ONE_TIME_BODY_REMOVED = "A one-time link: removed once sent."
# The table as the Table it is (a declarative class's ``__table__`` is typed as any FROM clause).
_NOTIFICATIONS = Notification.metadata.tables[Notification.__tablename__]


@dataclass(frozen=True)
class Message:
    """One notification to write: to a user (``user_id``) or only to an address."""

    key: str
    kind: str
    subject: str
    body: str
    email: str = ""
    user_id: int | None = None
    organisation_id: int | None = None
    case_id: int | None = None
    task_id: int | None = None


def _values(message: Message) -> dict[str, Any]:
    now = clock.now()
    return {
        "key": message.key,
        "kind": message.kind,
        "created_at": now,
        "user_id": message.user_id,
        "organisation_id": message.organisation_id,
        "email": message.email,
        "subject": message.subject[:300],
        "body": message.body,
        "case_id": message.case_id,
        "task_id": message.task_id,
        "state": "pending" if message.email else "not_sent",
        "attempts": 0,
        "next_attempt_at": now if message.email else None,
        "last_error": "",
    }


# The tasks this transaction has written messages to people about: only these can have had a
# message before word of new work (``engine.chasing.new_work``) about a task made in the same
# transaction, which so asks the database about these alone. Kept until the outermost
# transaction ends; a savepoint rolled back leaves its notes, which can only make that question
# be asked for nothing.
_TOLD_OF_TASKS = per_transaction("casereview.notifications.told_of_tasks")


def _note_tasks_told_of(session: Session, messages: Sequence[Message]) -> None:
    told = {m.task_id for m in messages if m.task_id is not None and m.user_id is not None}
    if told:
        session.info.setdefault(_TOLD_OF_TASKS, set()).update(told)


def tasks_told_of(session: Session) -> frozenset[int]:
    """The tasks of which this transaction may have written a message to someone (``notify``
    and ``notify_all`` write every message); a task made in this transaction and not among
    them has no message to anyone yet."""
    return frozenset(session.info.get(_TOLD_OF_TASKS, ()))


def _insert_if_new(session: Session, into: Any = _NOTIFICATIONS) -> Insert:
    """An INSERT that writes nothing for a key that already exists."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert(into).on_conflict_do_nothing(index_elements=["key"])


def notify(
    session: Session,
    *,
    key: str,
    kind: str,
    subject: str,
    body: str,
    user: User | None = None,
    email: str = "",
    organisation_id: int | None = None,
    case_id: int | None = None,
    task_id: int | None = None,
) -> Notification | None:
    """Write the notification once; None when one with this key already exists."""
    message = Message(
        key=key,
        kind=kind,
        subject=subject,
        body=body,
        email=email or (user.email if user else ""),
        user_id=user.id if user else None,
        organisation_id=organisation_id
        if organisation_id is not None
        else (user.organisation_id if user else None),
        case_id=case_id,
        task_id=task_id,
    )
    _note_tasks_told_of(session, [message])
    # Into the mapped class, so that the row the INSERT returns is the session's Notification
    # (no row comes back when the key was there already), naming every column as ``notify_all``
    # does rather than leaving out those that are None.
    statement = _insert_if_new(session, Notification).returning(Notification)
    written = session.scalars(
        statement, [_values(message)], execution_options={"render_nulls": True}
    )
    return written.one_or_none()


def notify_all(session: Session, messages: Sequence[Message]) -> None:
    """Write many notifications, each once by its key, in one statement the driver runs for
    every row. For sweeps, where a statement per message would cost more than the work.

    Nothing is read back: asking for the new rows' ids made SQLAlchemy write one INSERT with
    every row's values in it, which the driver parsed afresh each time; that was a third of a
    sweep's time on PostgreSQL.
    """
    unique = {message.key: message for message in messages}
    if unique:
        _note_tasks_told_of(session, list(unique.values()))
        session.execute(_insert_if_new(session), [_values(m) for m in unique.values()])


# --- what people see in the service ----------------------------------------------------------


def for_user(session: Session, user: User, *, limit: int = 100) -> list[Notification]:
    """The user's own notifications, newest first."""
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id, Notification.state != "withdrawn")
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(session: Session, user: User) -> int:
    return session.scalars(
        select(func.count())
        .select_from(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.read_at.is_(None),
            Notification.state != "withdrawn",
        )
    ).one()


def mark_read(session: Session, user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read; someone else's is not found."""
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound("there is no such notification")
    if notification.read_at is None:
        notification.read_at = clock.now()
    return notification


def withdraw_unsent(
    session: Session,
    user_id: int,
    reason: str,
    *,
    task_ids: Sequence[int] = (),
    key_prefix: str | None = None,
) -> list[int]:
    """Messages to a person that have not gone (waiting, or failed and so able to be sent
    again), about these tasks or with a key that starts so, are withdrawn: what they tell
    stopped being the person's business. They leave the person's notifications too. Returns
    the withdrawn messages' ids."""
    about: list[ColumnElement[bool]] = []
    if task_ids:
        about.append(Notification.task_id.in_(task_ids))
    if key_prefix:
        about.append(Notification.key.startswith(key_prefix, autoescape=True))
    if not about:
        return []
    withdrawn = session.scalars(
        update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.state.in_(["pending", "failed"]),
            or_(*about),
        )
        .values(state="withdrawn", next_attempt_at=None, last_error=reason)
        .returning(Notification.id)
    )
    return sorted(withdrawn)


def mark_all_read(session: Session, user: User) -> int:
    statement = (
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )
    # An UPDATE's result is a CursorResult, which Session.execute is not typed to return.
    return cast(CursorResult[Any], session.execute(statement)).rowcount or 0


def outbox(session: Session, *, state: str | None = None, limit: int = 200) -> list[Notification]:
    """Messages for administrators to see, newest first: what waits, failed or went."""
    query = select(Notification)
    if state is not None:
        if state not in NOTIFICATION_STATES:
            raise NotFound(f"there is no state '{state}'")
        query = query.where(Notification.state == state)
    return list(
        session.scalars(
            query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
        )
    )


def outbox_counts(session: Session) -> dict[str, int]:
    counts = dict.fromkeys(NOTIFICATION_STATES, 0)
    counts.update(
        session.execute(select(Notification.state, func.count()).group_by(Notification.state)).all()
    )
    return counts


def retry(session: Session, notification_id: int, user: User) -> Notification:
    """An administrator sends a failed message again: it waits for the next sweep."""
    notification = session.get(Notification, notification_id, with_for_update=True)
    if notification is None:
        raise NotFound("there is no such notification")
    if notification.state != "failed":
        raise Conflict("only a message that failed can be sent again")
    notification.state = "pending"
    notification.attempts = 0
    notification.next_attempt_at = clock.now()
    audit.record(
        session,
        "notification.retried",
        user=user,
        case_id=notification.case_id,
        object_type="notification",
        object_id=notification.id,
        # The audit trail outlives a case's personal data: an applicant is named by role.
        detail={
            "to": "the applicant" if notification.kind == "letter" else notification.email,
            "last_error": notification.last_error,
        },
    )
    return notification
