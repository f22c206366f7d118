"""The subject access export itself: every case of the person, the messages sent to their
address and their user accounts, written to the audit trail, and the zip that is handed over.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from engine.chasing.notifications import ONE_TIME_BODY_REMOVED, ONE_TIME_KINDS
from engine.core import audit, clock
from engine.core.models import AuditEvent, Case, Notification, User
from engine.people.access import record_disclosure
from engine.records.subject_access.cases import case_export, org_names
from engine.records.subject_access.redaction import REDACTED, is_them

READ_BEFORE_RELEASE = (
    "Other people's details known to the service have been replaced with "
    f"'{REDACTED}'. Free text (accounts, incident descriptions, answers, findings) was written "
    "by applicants and officers and may name other people: read it and redact what is not "
    "about the person before releasing this export."
)


@dataclass
class SubjectAccess:
    """The export: ``data`` for subject-access.json and the letters as (filename, content)."""

    data: dict[str, Any]
    letters: list[tuple[str, bytes]] = field(default_factory=list)

    @property
    def case_references(self) -> list[str]:
        return [case["reference"] for case in self.data["cases"]]

    def as_zip(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "subject-access.json",
                json.dumps(self.data, indent=2, ensure_ascii=False, default=_json_value),
            )
            for filename, content in self.letters:
                archive.writestr(f"letters/{filename}", content)
        return buffer.getvalue()


def _json_value(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"cannot export {type(value).__name__}")


def _messages(session: Session, addresses: set[str], case_ids: list[int]) -> list[dict[str, Any]]:
    if not addresses:
        return []
    rows = session.scalars(
        select(Notification)
        .where(func.lower(Notification.email).in_(addresses))
        .order_by(Notification.created_at, Notification.id)
    ).all()
    return [
        {
            "to": row.email,
            "subject": row.subject,
            # A sign-in link still waiting to go would let its reader into the case.
            "body": ONE_TIME_BODY_REMOVED if row.kind in ONE_TIME_KINDS else row.body,
            "created_at": row.created_at,
            "sent_at": row.sent_at,
            "state": row.state,
        }
        for row in rows
        # A shared address (a family's) also got messages about other people's cases.
        if row.case_id is None or row.case_id in case_ids
    ]


def _their_addresses(cases: list[Case], name: str, email: str | None) -> set[str]:
    """The address asked about, and any the person gave on their own records."""
    found = {email.lower()} if email else set()
    for case in cases:
        for person in (case.applicant, case.victim):
            if person and is_them(person, name, email) and person.get("email"):
                found.add(str(person["email"]).strip().lower())
    return found


def _accounts(session: Session, name: str, email: str | None) -> list[dict[str, Any]]:
    wanted = (
        func.lower(User.email) == email.lower() if email else func.lower(User.name) == name.lower()
    )
    matches = session.scalars(
        select(User)
        .where(wanted)
        .options(selectinload(User.role_rows), selectinload(User.organisation))
    ).all()
    accounts = []
    for user in matches:
        activity = session.execute(
            select(AuditEvent.at, AuditEvent.action, Case.reference)
            .outerjoin(Case, Case.id == AuditEvent.case_id)
            .where(AuditEvent.user_id == user.id)
            .order_by(AuditEvent.seq)
        ).all()
        accounts.append(
            {
                "email": user.email,
                "name": user.name,
                "organisation": user.organisation.name,
                "roles": user.roles,
                "active": user.active,
                "created_at": user.created_at,
                "recorded_actions": [
                    {"at": at, "action": action, "case": reference}
                    for at, action, reference in activity
                ],
            }
        )
    return accounts


def subject_access_export(
    session: Session,
    name: str,
    email: str | None = None,
    *,
    user: User | None = None,
    request_reference: str = "",
    channel: str = "",
) -> SubjectAccess:
    """Everything held about the person named (or with this email address), redacted of other
    people's details. Written to the audit trail; call it inside a write transaction."""
    name, email = " ".join(name.split()), (email or "").strip() or None
    if not name and not email:
        raise ValueError("give the person's name, email address or both")
    orgs = org_names(session)
    candidates = session.scalars(
        select(Case).options(selectinload(Case.district)).order_by(Case.received_on, Case.id)
    )
    cases = [
        case
        for case in candidates
        if is_them(case.applicant, name, email) or is_them(case.victim, name, email)
    ]
    exported, letters = [], []
    for case in cases:
        case_data, case_letters = case_export(session, case, name, email, orgs)
        exported.append(case_data)
        letters.extend(case_letters)
    data: dict[str, Any] = {
        "subject": {"name": name, "email": email},
        "made_at": clock.now(),
        "request_reference": request_reference or None,
        "read_before_release": READ_BEFORE_RELEASE,
        "cases": exported,
        "messages_sent_to_them": _messages(
            session, _their_addresses(cases, name, email), [c.id for c in cases]
        ),
        "user_accounts": _accounts(session, name, email),
    }
    for case in cases:
        record_disclosure(
            session,
            user,
            case.id,
            "subject access export",
            "case",
            case.reference,
            {"request": request_reference, **({"channel": channel} if channel else {})},
        )
    audit.record(
        session,
        "subject_access.exported",
        user=user,
        object_type="subject_access",
        object_id=request_reference,
        detail={
            "request": request_reference,
            "cases": [case.reference for case in cases],
            "accounts": len(data["user_accounts"]),
            "letters": len(letters),
            **({"channel": channel} if channel else {}),
        },
    )
    return SubjectAccess(data, letters)
