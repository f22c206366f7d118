"""A case as one caller may see it: for the case page and the JSON API alike.

Opening a case reads personal data, so ``case_summary`` goes through ``access.consult_case``:
need-to-know is checked (a case outside it is ``NotFound``, like one that does not exist) and
the consultation is written to the audit trail. Call it inside a write transaction.

Every participant sees the applicant's and victim's details: it is their case, and each
agency needs them to find its own records. The audit trail is shown only to the participants
``access.may_see_audit`` allows (the council that manages the review and the OPCC).

The answer is plain dicts and lists of str, int, bool, None, ``date`` and ``datetime``; each
section is one query, so the cost of a case does not grow with the number of its tasks.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from engine.core import audit
from engine.core.models import (
    Appeal,
    Attachment,
    AuditEvent,
    Case,
    CaseParticipant,
    CaseStatusChange,
    Document,
    Incident,
    Organisation,
    ProcessDefinition,
    ProcessInstance,
    Recommendation,
    Review,
    Task,
    TaskCandidate,
    User,
)
from engine.people.access import consult_case, may_see_audit, visible_case
from engine.work.inbox import task_name

# Tasks the process dropped (a branch not taken) are not part of the case's story.
SHOWN_TASK_STATES = ("open", "claimed", "completed")


def _organisation(key: str | None, name: str | None) -> dict[str, str] | None:
    return {"key": key, "name": name} if key is not None else None


def _person(user_id: int | None, name: str | None) -> dict[str, Any] | None:
    return {"id": user_id, "name": name} if user_id is not None else None


def case_summary(
    session: Session,
    user: User,
    reference: str,
    *,
    purpose: str = "case view",
    reason: str | None = None,
) -> dict[str, Any]:
    """The case with this reference as ``user`` may see it; ``NotFound`` outside need-to-know.

    Keys: reference, status, district {key, name}, received_on, channel, closed_on, erased_on
    (when its personal data was erased at the end of its retention period, or None), applicant,
    on_behalf, victim, victim_consent, hate_element, impact, decision {threshold_met, basis,
    decided_on}, participants, status_history, incidents, tasks, reviews, appeals, documents,
    attachments, processes, and ``audit`` only when the caller may read the audit trail.
    ``reason`` is an administrator's recorded justification for reading a case.
    """
    case = consult_case(session, user, reference, purpose=purpose, reason=reason)
    summary: dict[str, Any] = {
        "reference": case.reference,
        "status": case.status,
        "district": {"key": case.district.key, "name": case.district.name},
        "received_on": case.received_on,
        "channel": case.channel,
        "closed_on": case.closed_on,
        "erased_on": case.erased_on,
        "applicant": dict(case.applicant or {}),
        "on_behalf": case.on_behalf,
        "victim": dict(case.victim) if case.victim else None,
        "victim_consent": case.victim_consent,
        "hate_element": case.hate_element,
        "impact": case.impact,
        "decision": {
            "threshold_met": case.threshold_met,
            "basis": case.decision_basis,
            "decided_on": case.decided_on,
        },
        "participants": _participants(session, case),
        "status_history": _status_history(session, case),
        "incidents": _incidents(session, case),
        "tasks": _tasks(session, case),
        "reviews": _reviews(session, case),
        "appeals": _appeals(session, case),
        "documents": _documents(session, case),
        "attachments": _attachments(session, case),
        "processes": _processes(session, case),
    }
    if may_see_audit(session, user, case.id):
        summary["audit"] = _audit(session, case)
    return summary


def justify_reading(session: Session, user: User, reference: str, reason: str) -> None:
    """Record an administrator's reason for reading a case, before they read it."""
    case = visible_case(session, user, reference, reason=reason)
    audit.record(
        session,
        "case.reading_justified",
        user=user,
        case_id=case.id,
        object_type="case",
        object_id=case.reference,
        justification=reason.strip(),
    )


def case_documents(session: Session, user: User, reference: str) -> list[dict[str, Any]]:
    """The documents made for a case (meeting packs, letters), oldest first, without content.

    A list of what exists discloses no personal data, so it is not recorded as a
    consultation; downloading a document is (see ``access.record_disclosure``).
    """
    case = visible_case(session, user, reference)
    return _documents(session, case)


def _participants(session: Session, case: Case) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Organisation.key, Organisation.name, CaseParticipant.role, User.id, User.name)
        .join(Organisation, Organisation.id == CaseParticipant.organisation_id)
        .outerjoin(User, User.id == CaseParticipant.user_id)
        .where(CaseParticipant.case_id == case.id)
        .order_by(CaseParticipant.role, Organisation.name)
    )
    return [
        {"organisation": _organisation(key, name), "role": role, "user": _person(uid, uname)}
        for key, name, role, uid, uname in rows
    ]


def _status_history(session: Session, case: Case) -> list[dict[str, Any]]:
    rows = session.execute(
        select(CaseStatusChange.status, CaseStatusChange.at)
        .where(CaseStatusChange.case_id == case.id)
        .order_by(CaseStatusChange.at, CaseStatusChange.id)
    )
    return [{"status": status, "at": at} for status, at in rows]


def _incidents(session: Session, case: Case) -> list[dict[str, Any]]:
    """The chronology: every incident reported, in the order the behaviour happened."""
    incidents = session.scalars(
        select(Incident)
        .where(Incident.case_id == case.id)
        .order_by(Incident.occurred_on, Incident.reported_on, Incident.id)
    ).all()
    keys = {i.reported_to for i in incidents} | {i.source for i in incidents}
    names = dict(
        session.execute(
            select(Organisation.key, Organisation.name).where(Organisation.key.in_(keys))
        ).all()
    )
    return [
        {
            "occurred_on": incident.occurred_on,
            "reported_on": incident.reported_on,
            "reported_to": incident.reported_to,
            # An applicant may name a kind of body ("police") rather than an organisation.
            "reported_to_name": names.get(incident.reported_to, incident.reported_to),
            "reference": incident.reference,
            "description": incident.description,
            "source": incident.source,
            "source_name": (
                "The application"
                if incident.source == "application"
                else names.get(incident.source, incident.source)
            ),
        }
        for incident in incidents
    ]


def _tasks(session: Session, case: Case) -> list[dict[str, Any]]:
    assignee = aliased(User)
    completer = aliased(User)
    rows = session.execute(
        select(
            Task.id,
            Task.title,
            Task.spec_name,
            Task.role,
            Task.state,
            Task.due_on,
            Task.created_at,
            Task.completed_at,
            Task.escalation_level,
            assignee.id,
            assignee.name,
            completer.id,
            completer.name,
        )
        .outerjoin(assignee, assignee.id == Task.assignee_id)
        .outerjoin(completer, completer.id == Task.completed_by_id)
        .where(Task.case_id == case.id, Task.state.in_(SHOWN_TASK_STATES))
        .order_by(Task.created_at, Task.id)
    ).all()
    organisations: dict[int, list[dict[str, str]]] = {}
    for task_id, key, name in session.execute(
        select(TaskCandidate.task_id, Organisation.key, Organisation.name)
        .join(Organisation, Organisation.id == TaskCandidate.organisation_id)
        .join(Task, Task.id == TaskCandidate.task_id)
        .where(Task.case_id == case.id)
        .order_by(Organisation.name)
    ):
        organisations.setdefault(task_id, []).append({"key": key, "name": name})
    return [
        {
            "id": task_id,
            "title": title,
            "name": task_name(spec_name),
            "role": role,
            "state": state,
            "organisations": organisations.get(task_id, []),
            "assignee": _person(assignee_id, assignee_name),
            "due_on": due_on,
            "created_at": created_at,
            "completed_at": completed_at,
            "completed_by": _person(completer_id, completer_name),
            "escalation_level": escalation_level or 0,
        }
        for (
            task_id,
            title,
            spec_name,
            role,
            state,
            due_on,
            created_at,
            completed_at,
            escalation_level,
            assignee_id,
            assignee_name,
            completer_id,
            completer_name,
        ) in rows
    ]


def _reviews(session: Session, case: Case) -> list[dict[str, Any]]:
    reviews = session.execute(
        select(Review, User.name)
        .outerjoin(User, User.id == Review.chair_user_id)
        .where(Review.case_id == case.id)
        .order_by(Review.number)
    ).all()
    recommendations: dict[int, list[dict[str, Any]]] = {}
    for row, key, name in session.execute(
        select(Recommendation, Organisation.key, Organisation.name)
        .join(Organisation, Organisation.id == Recommendation.organisation_id)
        .join(Review, Review.id == Recommendation.review_id)
        .where(Review.case_id == case.id)
        .order_by(Recommendation.id)
    ):
        recommendations.setdefault(row.review_id, []).append(
            {
                "id": row.id,
                "organisation": _organisation(key, name),
                "action": row.action,
                "due_date": row.due_date,
                "status": row.status,
                "notes": row.notes,
                "completed_on": row.completed_on,
            }
        )
    return [
        {
            "number": review.number,
            "chair": _person(review.chair_user_id, chair_name),
            "meeting_date": review.meeting_date,
            "held_on": review.held_on,
            "attendees": list(review.attendees or []),
            "findings": review.findings,
            "outcome_letter_sent_on": review.outcome_letter_sent_on,
            "closed_on": review.closed_on,
            "recommendations": recommendations.get(review.id, []),
        }
        for review, chair_name in reviews
    ]


def _appeals(session: Session, case: Case) -> list[dict[str, Any]]:
    appeals = session.scalars(
        select(Appeal).where(Appeal.case_id == case.id).order_by(Appeal.received_on, Appeal.id)
    ).all()
    return [
        {
            "id": appeal.id,
            "received_on": appeal.received_on,
            "letter_date": appeal.letter_date,
            "grounds": list(appeal.grounds or []),
            "details": appeal.details,
            "channel": appeal.channel,
            "eligible": appeal.eligible,
            "eligibility_reasons": appeal.eligibility_reasons,
            "outcome": appeal.outcome,
            "outcome_reasons": appeal.outcome_reasons,
            "decided_on": appeal.decided_on,
        }
        for appeal in appeals
    ]


def _documents(session: Session, case: Case) -> list[dict[str, Any]]:
    # Only the columns listed: a document's content stays in the database until downloaded.
    rows = session.execute(
        select(
            Document.id,
            Document.kind,
            Document.version,
            Document.filename,
            Document.sha256,
            Document.created_at,
            Document.delivery,
            Document.dispatched_at,
        )
        .where(Document.case_id == case.id)
        .order_by(Document.created_at, Document.id)
    )
    return [
        {
            "id": doc_id,
            "kind": kind,
            "version": version,
            "filename": filename,
            "sha256": sha256,
            "created_at": created_at,
            "delivery": delivery,
            "dispatched_at": dispatched_at,
        }
        for doc_id, kind, version, filename, sha256, created_at, delivery, dispatched_at in rows
    ]


def _attachments(session: Session, case: Case) -> list[dict[str, Any]]:
    rows = session.execute(
        select(
            Attachment.id,
            Attachment.task_id,
            Attachment.filename,
            Attachment.media_type,
            Attachment.size,
            Attachment.sha256,
            Attachment.created_at,
            Organisation.key,
            Organisation.name,
        )
        .join(Organisation, Organisation.id == Attachment.organisation_id)
        .where(Attachment.case_id == case.id)
        .order_by(Attachment.created_at, Attachment.id)
    )
    return [
        {
            "id": att_id,
            "task_id": task_id,
            "filename": filename,
            "media_type": media_type,
            "size": size,
            "sha256": sha256,
            "organisation": _organisation(key, name),
            "uploaded_at": uploaded_at,
        }
        for att_id, task_id, filename, media_type, size, sha256, uploaded_at, key, name in rows
    ]


def _processes(session: Session, case: Case) -> list[dict[str, Any]]:
    rows = session.execute(
        select(
            ProcessInstance.id,
            ProcessDefinition.key,
            ProcessDefinition.name,
            ProcessDefinition.version,
            ProcessInstance.state,
            ProcessInstance.started_at,
            ProcessInstance.completed_at,
        )
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(ProcessInstance.case_id == case.id)
        .order_by(ProcessInstance.started_at, ProcessInstance.id)
    )
    return [
        {
            "id": instance_id,
            "key": key,
            "name": name,
            "version": version,
            "state": state,
            "started_at": started_at,
            "completed_at": completed_at,
        }
        for instance_id, key, name, version, state, started_at, completed_at in rows
    ]


def _audit(session: Session, case: Case) -> list[dict[str, Any]]:
    rows = session.execute(
        select(
            AuditEvent.at,
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.object_id,
            AuditEvent.detail,
            User.id,
            User.name,
            Organisation.key,
            Organisation.name,
        )
        .outerjoin(User, User.id == AuditEvent.user_id)
        .outerjoin(Organisation, Organisation.id == AuditEvent.organisation_id)
        .where(AuditEvent.case_id == case.id)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    written = [
        {
            "at": at,
            "action": action,
            "user": _person(uid, uname),
            "organisation": _organisation(okey, oname),
            "object_type": object_type,
            "object_id": object_id,
            "detail": dict(detail or {}),
        }
        for at, action, object_type, object_id, detail, uid, uname, okey, oname in rows
    ]
    return written + _recording_now(session, case)


def _recording_now(session: Session, case: Case) -> list[dict[str, Any]]:
    """This look at the case (and anything else this transaction records about it), which
    the audit trail writes when the transaction commits."""
    events = audit.pending(session, case.id)
    users = {
        user.id: user.name
        for user in session.scalars(
            select(User).where(User.id.in_({e.user_id for e in events if e.user_id}))
        )
    }
    organisations = {
        organisation.id: _organisation(organisation.key, organisation.name)
        for organisation in session.scalars(
            select(Organisation).where(
                Organisation.id.in_({e.organisation_id for e in events if e.organisation_id})
            )
        )
    }
    return [
        {
            "at": e.at,
            "action": e.action,
            "user": _person(e.user_id, users.get(e.user_id)),
            "organisation": organisations.get(e.organisation_id),
            "object_type": e.object_type,
            "object_id": e.object_id,
            "detail": dict(e.detail or {}),
        }
        for e in events
    ]
