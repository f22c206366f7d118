"""The audit trail exported for an administrator: the events of a range of days, and CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.audit.recording import record
from engine.core.audit.sentences import describe, task_titles
from engine.core.models import AuditEvent, Case, Organisation, User
from engine.core.spreadsheets import inert

EXPORT_COLUMNS = (
    "id",
    "seq",
    "at",
    "user_email",
    "user_name",
    "organisation",
    "action",
    "what_happened",
    "case_reference",
    "object_type",
    "object_id",
    "justification",
    "detail",
    "hash",
)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=clock.LOCAL_ZONE).astimezone(UTC)


def export_events(
    session: Session,
    first: date,
    last: date,
    *,
    user: User | None = None,
    channel: str = "",
) -> list[dict[str, Any]]:
    """Every event from the start of ``first`` to the end of ``last`` (UK days, both
    included), in chain order. The export itself is recorded: it discloses who looked at
    what."""
    if last < first:
        raise ValueError("the end of the range is before its start")
    rows = session.execute(
        select(
            AuditEvent,
            User.email,
            User.name,
            Organisation.key,
            Case.reference,
        )
        .outerjoin(User, User.id == AuditEvent.user_id)
        .outerjoin(Organisation, Organisation.id == AuditEvent.organisation_id)
        .outerjoin(Case, Case.id == AuditEvent.case_id)
        .where(
            AuditEvent.at >= _day_start(first),
            AuditEvent.at < _day_start(last + timedelta(days=1)),
        )
        .order_by(AuditEvent.seq)
    ).all()
    titles = task_titles(session, ((row.object_type, row.object_id) for row, *_ in rows))
    exported = [
        {
            "id": row.id,
            "seq": row.seq,
            "at": row.at.isoformat(),
            "user_email": email,
            "user_name": name,
            "organisation": organisation,
            "action": row.action,
            "what_happened": describe(
                row.action,
                actor=name,
                detail=row.detail,
                task_title=titles.get(row.object_id) if row.object_type == "task" else None,
            ),
            "case_reference": reference,
            "object_type": row.object_type,
            "object_id": row.object_id,
            "justification": (row.detail or {}).get("justification"),
            "detail": dict(row.detail or {}),
            "hash": row.hash,
        }
        for row, email, name, organisation, reference in rows
    ]
    record(
        session,
        "audit.exported",
        user=user,
        object_type="audit_trail",
        object_id=f"{first.isoformat()}..{last.isoformat()}",
        detail={
            "from": first.isoformat(),
            "to": last.isoformat(),
            "events": len(exported),
            **({"channel": channel} if channel else {}),
        },
    )
    return exported


def render_csv(events: list[dict[str, Any]]) -> str:
    """The export as CSV, header row first; ``detail`` is its JSON."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for item in events:
        cells = {**item, "detail": json.dumps(item["detail"], sort_keys=True, ensure_ascii=False)}
        writer.writerow({key: inert(value) for key, value in cells.items()})
    return buffer.getvalue()
