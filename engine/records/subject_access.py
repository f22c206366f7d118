"""A subject access export: everything the service holds about one named person, with other
people's details taken out.

A person is found by name (and optionally email address) as an applicant, as the victim an
application was made for, or as a user of the service. For each of their cases the export
holds their own details, the case's facts, the incidents, the answers recorded on its tasks,
reviews, appeals, the letters written to them (as the Word files sent) and the messages sent
to their address; the other party's name and contact details are replaced wherever they
appear. Free text written by applicants and officers can name people the service does not
know as people (a neighbour, say), so the export says that it must be read before release.
Every export is written to the audit trail, as a disclosure on each case it draws from.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from engine.core import audit, clock
from engine.core.models import (
    Appeal,
    Attachment,
    AuditEvent,
    Case,
    Document,
    Incident,
    Notification,
    Organisation,
    Recommendation,
    Review,
    Task,
    User,
)
from engine.documents import LETTER_KINDS
from engine.people.access import record_disclosure

REDACTED = "[redacted: another person]"
PERSON_FIELDS = ("name", "address", "email", "phone")
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


def _normal(text: Any) -> str:
    return " ".join(str(text or "").split()).casefold()


def _is_them(person: dict[str, Any] | None, name: str, email: str | None) -> bool:
    """Their address, or their name where the record holds no other address (two people
    may share a name; a record with someone else's address is not theirs)."""
    if not person:
        return False
    recorded = _normal(person.get("email"))
    if email and recorded == _normal(email):
        return True
    same_name = bool(name) and _normal(person.get("name")) == _normal(name)
    return same_name and not (email and recorded)


class _Redactor:
    """Replaces the details of the people on a case who are not the subject."""

    def __init__(self, others: list[dict[str, Any]]) -> None:
        values = {
            " ".join(str(person.get(key) or "").split())
            for person in others
            for key in PERSON_FIELDS
        }
        # Longest first, so a full address goes before the street name inside it.
        words = sorted((v for v in values if len(v) >= 3), key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(re.escape(v).replace(r"\ ", r"\s+") for v in words), re.I)
            if words
            else None
        )

    def __call__(self, value: Any) -> Any:
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self._pattern.sub(REDACTED, value)
        if isinstance(value, list):
            return [self(item) for item in value]
        if isinstance(value, dict):
            return {key: self(item) for key, item in value.items()}
        return value


def _org_names(session: Session) -> dict[Any, str]:
    rows = session.execute(select(Organisation.id, Organisation.key, Organisation.name)).all()
    return {**{oid: name for oid, _key, name in rows}, **{key: name for _oid, key, name in rows}}


def _case_export(
    session: Session, case: Case, name: str, email: str | None, orgs: dict[Any, str]
) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    as_applicant = _is_them(case.applicant, name, email)
    as_victim = _is_them(case.victim, name, email)
    others = [
        person
        for person, theirs in ((case.applicant, as_applicant), (case.victim, as_victim))
        if person and not theirs
    ]
    redact = _Redactor(others)
    roles = [role for role, yes in (("applicant", as_applicant), ("victim", as_victim)) if yes]

    def person(details: dict[str, Any] | None, theirs: bool) -> Any:
        if not details:
            return None
        return dict(details) if theirs else REDACTED

    incidents = session.scalars(
        select(Incident).where(Incident.case_id == case.id).order_by(Incident.occurred_on)
    ).all()
    tasks = session.scalars(
        select(Task)
        .where(Task.case_id == case.id, Task.state == "completed")
        .order_by(Task.completed_at, Task.id)
    ).all()
    reviews = session.scalars(
        select(Review).where(Review.case_id == case.id).order_by(Review.number)
    ).all()
    recommendations = session.scalars(
        select(Recommendation)
        .join(Review, Review.id == Recommendation.review_id)
        .where(Review.case_id == case.id)
        .order_by(Recommendation.id)
    ).all()
    appeals = session.scalars(
        select(Appeal).where(Appeal.case_id == case.id).order_by(Appeal.received_on)
    ).all()
    documents = session.execute(
        select(Document.id, Document.kind, Document.version, Document.filename, Document.created_at)
        .where(Document.case_id == case.id)
        .order_by(Document.created_at, Document.id)
    ).all()
    attachments = session.execute(
        select(Attachment.filename, Attachment.media_type, Attachment.size, Attachment.created_at)
        .where(Attachment.case_id == case.id)
        .order_by(Attachment.id)
    ).all()

    letters: list[tuple[str, bytes]] = []
    if as_applicant:  # letters are written to the applicant
        for row in documents:
            if row.kind in LETTER_KINDS:
                content = session.scalar(select(Document.content).where(Document.id == row.id))
                if content:
                    letters.append((row.filename, content))

    exported = {
        "reference": case.reference,
        "district": case.district.name,
        "status": case.status,
        "received_on": case.received_on,
        "closed_on": case.closed_on,
        "personal_data_erased_on": case.erased_on,
        "you_are": roles,
        "applicant": person(case.applicant, as_applicant),
        "victim": person(case.victim, as_victim),
        "on_behalf": case.on_behalf,
        "victim_consent": case.victim_consent,
        "hate_element": case.hate_element,
        "effect_described": redact(case.impact),
        "threshold_decision": {
            "met": case.threshold_met,
            "basis": case.decision_basis,
            "decided_on": case.decided_on,
        },
        "incidents": [
            {
                "occurred_on": incident.occurred_on,
                "reported_on": incident.reported_on,
                "reported_to": orgs.get(incident.reported_to, incident.reported_to),
                "recorded_by": (
                    "the application"
                    if incident.source == "application"
                    else orgs.get(incident.source, incident.source)
                ),
                "reference": redact(incident.reference),
                "description": redact(incident.description),
            }
            for incident in incidents
        ],
        "recorded_on_tasks": [
            {
                "task": task.title,
                "completed_at": task.completed_at,
                "answers": redact(task.data or {}),
            }
            for task in tasks
        ],
        "reviews": [
            {
                "number": review.number,
                "meeting_date": review.meeting_date,
                "held_on": review.held_on,
                "findings": redact(review.findings),
                "recommendations": [
                    {
                        "organisation": orgs.get(rec.organisation_id, ""),
                        "action": redact(rec.action),
                        "due_date": rec.due_date,
                        "status": rec.status,
                        "completed_on": rec.completed_on,
                    }
                    for rec in recommendations
                    if rec.review_id == review.id
                ],
            }
            for review in reviews
        ],
        "appeals": [
            {
                "received_on": appeal.received_on,
                "letter_date": appeal.letter_date,
                "grounds": list(appeal.grounds or []),
                "details": redact(appeal.details),
                "eligible": appeal.eligible,
                "eligibility_reasons": redact(appeal.eligibility_reasons),
                "outcome": appeal.outcome,
                "outcome_reasons": redact(appeal.outcome_reasons),
                "decided_on": appeal.decided_on,
            }
            for appeal in appeals
        ],
        "documents": [
            {
                "kind": row.kind,
                "version": row.version,
                "made_at": row.created_at,
                "included_as": f"letters/{row.filename}"
                if any(name == row.filename for name, _ in letters)
                else None,
            }
            for row in documents
        ],
        "files_attached_by_agencies": [
            {"filename": redact(filename), "type": media_type, "size": size, "added_at": added}
            for filename, media_type, size, added in attachments
        ],
    }
    return exported, letters


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
            "body": row.body,
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
            if _is_them(person, name, email) and person.get("email"):
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
    orgs = _org_names(session)
    candidates = session.scalars(
        select(Case).options(selectinload(Case.district)).order_by(Case.received_on, Case.id)
    )
    cases = [
        case
        for case in candidates
        if _is_them(case.applicant, name, email) or _is_them(case.victim, name, email)
    ]
    exported, letters = [], []
    for case in cases:
        case_data, case_letters = _case_export(session, case, name, email, orgs)
        exported.append(case_data)
        letters.extend(case_letters)
    data = {
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
