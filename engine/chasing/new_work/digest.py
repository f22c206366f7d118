"""The daily summary of new work, for those who chose one: once their time of day (UK time)
has come, one email listing the tasks they were told of since their last summary that are
still waiting to be done. Someone with nothing new gets none.

Each summary's key names the person and the day, so a sweep run again, or by two processes at
once, sends it once; it is written in the same transaction as the read of what it lists. The
sweeps run it (``engine.procedure.sweeps``) before the mail goes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine.chasing.new_work.told import CHOOSING, NEW_WORK, due_words
from engine.chasing.notifications import Message, notify_all
from engine.core import clock
from engine.core.area import service_url
from engine.core.db import Database
from engine.core.models import Case, Notification, Task, User
from engine.people.new_work_email import DAILY

DIGEST = "new_work_digest"
SUBJECT = "Your daily summary of new tasks"
# A first summary lists the day before it: what came earlier was in the service already.
FIRST_COVERS = timedelta(days=1)
# A summary after a long gap lists this many tasks, and says how many more there are.
MOST_LISTED = 50


@dataclass(frozen=True)
class _NewTask:
    told_at: datetime
    task_id: int
    title: str
    due_on: date | None
    reference: str


def digest_key(user_id: int, day: date) -> str:
    return f"{DIGEST}:user:{user_id}:{day.isoformat()}"


def send_due_digests(db: Database) -> int:
    """Write the summary of everyone whose time has come today and who has not had today's;
    the number written."""
    now = clock.now()
    local = now.astimezone(clock.LOCAL_ZONE)
    today = local.date()
    with db.transaction() as session:
        due = _due_today(session, today, local.time().replace(tzinfo=None))
        if not due:
            return 0
        since = _last_summaries(session, list(due))
        new = _new_work(session, {user: since.get(user, now - FIRST_COVERS) for user in due})
        site = service_url(session)
        messages = [
            Message(
                key=digest_key(user_id, today),
                kind=DIGEST,
                subject=SUBJECT,
                body=_body(tasks, site),
                email=email,
                user_id=user_id,
                organisation_id=organisation_id,
            )
            for user_id, (email, organisation_id) in due.items()
            if (tasks := new.get(user_id))
        ]
        notify_all(session, messages)
    return len(messages)


def _due_today(session: Session, today: date, time_of_day: time) -> dict[int, tuple[str, int]]:
    """Who chose a summary at a time of day now past, and has not had today's: their email
    and organisation, by id."""
    rows = session.execute(
        select(User.id, User.email, User.organisation_id).where(
            User.active.is_(True),
            User.new_work_email == DAILY,
            User.digest_time <= time_of_day,
        )
    ).all()
    keys = [digest_key(user_id, today) for user_id, _email, _org in rows]
    had = set(session.scalars(select(Notification.key).where(Notification.key.in_(keys))))
    return {
        user_id: (email, org)
        for user_id, email, org in rows
        if digest_key(user_id, today) not in had
    }


def _last_summaries(session: Session, user_ids: list[int]) -> dict[int, datetime]:
    rows = session.execute(
        select(Notification.user_id, func.max(Notification.created_at))
        .where(Notification.user_id.in_(user_ids), Notification.kind == DIGEST)
        .group_by(Notification.user_id)
    )
    return {user_id: last for user_id, last in rows if user_id is not None}


def _new_work(session: Session, since: dict[int, datetime]) -> dict[int, list[_NewTask]]:
    """Each person's tasks told since their last summary and not emailed (they chose a
    summary, or no email, when told), still waiting for someone to claim them or given to
    them."""
    rows = session.execute(
        select(
            Notification.user_id,
            Notification.created_at,
            Task.id,
            Task.title,
            Task.due_on,
            Case.reference,
        )
        .join(Task, Task.id == Notification.task_id)
        .join(Case, Case.id == Task.case_id)
        .where(
            Notification.user_id.in_(list(since)),
            Notification.created_at > min(since.values()),
            Notification.kind == NEW_WORK,
            Notification.state == "not_sent",
            or_(
                Task.state == "open",
                # Given to them as it was made; not one they have since claimed themselves.
                and_(
                    Task.state == "claimed",
                    Task.assignee_id == Notification.user_id,
                    Task.claimed_at <= Notification.created_at,
                ),
            ),
        )
        .order_by(Task.due_on.is_(None), Task.due_on, Task.id)
    )
    found: dict[int, list[_NewTask]] = defaultdict(list)
    for user_id, told_at, task_id, title, due_on, reference in rows:
        if user_id is not None and told_at > since[user_id]:
            found[user_id].append(_NewTask(told_at, task_id, title, due_on, reference))
    return found


def _body(tasks: list[_NewTask], site: str) -> str:
    count = len(tasks)
    lines = [
        f"{count} new task{'' if count == 1 else 's'} for you or your organisation since your "
        "last summary, still waiting to be done, soonest due first:",
        "",
    ]
    for task in tasks[:MOST_LISTED]:
        lines += [
            f"- '{task.title}' for case {task.reference}, {due_words(task.due_on)}",
            f"  {site}/tasks/{task.task_id}",
        ]
    if count > MOST_LISTED:
        lines.append(f"- and {count - MOST_LISTED} more: sign in to see them in your tasks")
    lines += [
        "",
        f"You can change when this summary comes, or how you hear of new tasks: {site}{CHOOSING}",
    ]
    return "\n".join(lines) + "\n"
