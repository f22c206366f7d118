"""The sections of a case as ``case_view.case_summary`` shows it, one query each: who takes
part, the status history, incidents, tasks, reviews, appeals, documents, attached files,
processes and the audit trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from engine.cases.assessment import assess_case
from engine.cases.counting import report_counting
from engine.cases.links import lead_of, linked_group
from engine.cases.threshold import SOMEONE_ELSE
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
    LetterTemplate,
    Organisation,
    ProcessDefinition,
    ProcessInstance,
    Recommendation,
    Review,
    Task,
    TaskCandidate,
    User,
)
from engine.documents import EMAILED_PDF, LETTER_KINDS
from engine.review.independence import standings
from engine.work.diagrams import process_steps
from engine.work.inbox import task_name

# Tasks the process dropped (a branch not taken) are not part of the case's story.
SHOWN_TASK_STATES = ("open", "claimed", "completed")


def _organisation(key: str | None, name: str | None) -> dict[str, str | None] | None:
    return {"key": key, "name": name} if key is not None else None


def _person(user_id: int | None, name: str | None) -> dict[str, Any] | None:
    return {"id": user_id, "name": name} if user_id is not None else None


def participants(session: Session, case: Case) -> list[dict[str, Any]]:
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


def status_history(session: Session, case: Case) -> list[dict[str, Any]]:
    rows = session.execute(
        select(CaseStatusChange.status, CaseStatusChange.at)
        .where(CaseStatusChange.case_id == case.id)
        .order_by(CaseStatusChange.at, CaseStatusChange.id)
    )
    return [{"status": status, "at": at} for status, at in rows]


def incidents(session: Session, case: Case) -> list[dict[str, Any]]:
    """The chronology: every report, in the order the behaviour happened, with the incident
    it is counted as and whether (and why) it counts towards the threshold."""
    reports = session.scalars(
        select(Incident)
        .where(Incident.case_id == case.id)
        .order_by(Incident.occurred_on, Incident.reported_on, Incident.id)
    ).all()
    keys = {i.reported_to for i in reports} | {i.source for i in reports}
    names = dict(
        session.execute(
            select(Organisation.key, Organisation.name).where(Organisation.key.in_(keys))
        ).all()
    )
    counting = report_counting(session, case)
    return [
        {
            "id": report.id,
            "occurred_on": report.occurred_on,
            "reported_on": report.reported_on,
            "reported_to": report.reported_to,
            # An applicant may name a kind of body ("police"), or someone else in their words.
            "reported_to_name": (
                report.reported_to_other or "Someone else"
                if report.reported_to == SOMEONE_ELSE
                else names.get(report.reported_to, report.reported_to)
            ),
            "reference": report.reference,
            "description": report.description,
            "source": report.source,
            "source_name": (
                "The application"
                if report.source == "application"
                else names.get(report.source, report.source)
            ),
            "incident": counting[report.id].incident,
            "counts": counting[report.id].counts,
            "counting": counting[report.id].words,
            "mark": report.mark,
            "mark_reason": report.mark_reason,
        }
        for report in reports
    ]


def linked_applications(session: Session, case: Case) -> dict[str, Any] | None:
    """The applications linked with this one about the same behaviour, and the community
    threshold's count across them; None for an application linked to no other."""
    group = linked_group(session, case)
    if len(group) < 2:
        return None
    community = assess_case(session, case).community
    counted = {item.reference: item for item in community.applications} if community else {}
    return {
        "applications": [
            {
                "reference": member.reference,
                "received_on": member.received_on,
                "this": member.id == case.id,
                "first": member.id == lead_of(case),
                "counts": counted[member.reference].counts if member.reference in counted else None,
                "counting": counted[member.reference].reason if member.reference in counted else "",
            }
            for member in group
        ],
        "individuals": community.individuals if community else None,
        "needed": community.needed if community else None,
        "months": community.months if community else None,
        "met": community.met if community else None,
    }


def tasks(session: Session, case: Case) -> list[dict[str, Any]]:
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


def reviews(session: Session, case: Case) -> list[dict[str, Any]]:
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
    standing = standings(session, [review for review, _name in reviews])
    return [
        {
            "number": review.number,
            "chair": _person(review.chair_user_id, chair_name),
            # Whether the chair is independent of the case, why a manager appointed one who is
            # not, and the chair's declaration of interests.
            "chair_standing": standing[review.id].as_dict() if review.id in standing else None,
            "meeting_date": review.meeting_date,
            "beyond_timescale_reason": review.beyond_timescale_reason,
            "held_on": review.held_on,
            "attendees": list(review.attendees or []),
            "findings": review.findings,
            "outcome_letter_sent_on": review.outcome_letter_sent_on,
            "closed_on": review.closed_on,
            "recommendations": recommendations.get(review.id, []),
        }
        for review, chair_name in reviews
    ]


def appeals(session: Session, case: Case) -> list[dict[str, Any]]:
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


def documents(session: Session, case: Case) -> list[dict[str, Any]]:
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
            Document.detail,
            LetterTemplate.version.label("wording"),
        )
        .outerjoin(LetterTemplate, LetterTemplate.id == Document.letter_template_id)
        # A letter's emailed PDF is the letter again, which is offered as PDF already.
        .where(Document.case_id == case.id, Document.kind != EMAILED_PDF)
        .order_by(Document.created_at, Document.id)
    )
    return [
        {
            "id": row.id,
            "kind": row.kind,
            "version": row.version,
            "filename": row.filename,
            "sha256": row.sha256,
            "created_at": row.created_at,
            "delivery": row.delivery,
            "dispatched_at": row.dispatched_at,
            # A letter's: the format the applicant asked for when it was sent.
            "letter_format": (row.detail or {}).get("letter_format"),
            # A letter's wording: the deployed version that wrote it (0: the shipped one).
            "wording_version": (row.wording or 0) if row.kind in LETTER_KINDS else None,
        }
        for row in rows
    ]


def attachments(session: Session, case: Case) -> list[dict[str, Any]]:
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
        # The files the applicant sent with an appeal are on the OPCC's tasks alone.
        .where(Attachment.case_id == case.id, Attachment.appeal_id.is_(None))
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


def processes(session: Session, case: Case) -> list[dict[str, Any]]:
    rows = session.execute(
        select(
            ProcessInstance.id,
            ProcessDefinition.key,
            ProcessDefinition.name,
            ProcessDefinition.version,
            ProcessInstance.state,
            ProcessInstance.started_at,
            ProcessInstance.completed_at,
            ProcessDefinition.id,
            ProcessDefinition.content_hash,
        )
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(ProcessInstance.case_id == case.id)
        .order_by(ProcessInstance.started_at, ProcessInstance.id)
    ).all()
    return [
        {
            "id": instance_id,
            "key": key,
            "name": name,
            "version": version,
            "state": state,
            "started_at": started_at,
            "completed_at": completed_at,
            "steps": process_steps(session, instance_id, definition_id, content_hash),
        }
        for (
            instance_id,
            key,
            name,
            version,
            state,
            started_at,
            completed_at,
            definition_id,
            content_hash,
        ) in rows
    ]


def audit_trail(session: Session, case: Case) -> list[dict[str, Any]]:
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
    return _with_sentences(session, written + recording_now(session, case))


def _with_sentences(session: Session, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    titles = audit.task_titles(session, ((e["object_type"], e["object_id"]) for e in events))
    for e in events:
        e["sentence"] = audit.describe(
            e["action"],
            actor=e["user"]["name"] if e["user"] else None,
            detail=e["detail"],
            task_title=titles.get(e["object_id"]) if e["object_type"] == "task" else None,
        )
    return events


def recording_now(session: Session, case: Case) -> list[dict[str, Any]]:
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
            "user": _person(e.user_id, users.get(e.user_id)) if e.user_id else None,
            "organisation": organisations.get(e.organisation_id) if e.organisation_id else None,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "detail": dict(e.detail or {}),
        }
        for e in events
    ]
