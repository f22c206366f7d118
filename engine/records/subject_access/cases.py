"""What an export holds about one case, seen from the person it is about: their own details,
the case's facts, what the application says beside its incidents (where the behaviour
happens, who is believed responsible, witnesses, the outcome wanted, communication needs and
the format of letters), incidents, answers, reviews, appeals, the applicant's part in the
review and their answers after closure, and the letters written to them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.details import details_of
from engine.cases.risk import risk_of
from engine.core.models import (
    Appeal,
    Attachment,
    Case,
    CheckIn,
    Document,
    Incident,
    InformationRequest,
    MeetingPart,
    Organisation,
    Recommendation,
    Review,
    Task,
)
from engine.documents import LETTER_KINDS
from engine.records.subject_access.redaction import REDACTED, Redactor, is_them


def org_names(session: Session) -> dict[Any, str]:
    """Every organisation's name, by its id and by its key (incidents name either)."""
    rows = session.execute(select(Organisation.id, Organisation.key, Organisation.name)).all()
    return {**{oid: name for oid, _key, name in rows}, **{key: name for _oid, key, name in rows}}


def case_export(
    session: Session, case: Case, name: str, email: str | None, orgs: dict[Any, str]
) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """What the export holds about ``case``, and the letters written to the person when they
    are its applicant, as (filename, content)."""
    as_applicant = is_them(case.applicant, name, email)
    as_victim = is_them(case.victim, name, email)
    others = [
        person
        for person, theirs in ((case.applicant, as_applicant), (case.victim, as_victim))
        if person and not theirs
    ]
    redact = Redactor(others)
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

    asked_of_bodies = session.scalars(
        select(InformationRequest)
        .where(InformationRequest.case_id == case.id)
        .order_by(InformationRequest.id)
    ).all()
    part = session.scalar(select(MeetingPart).where(MeetingPart.case_id == case.id))
    check_ins = session.scalars(
        select(CheckIn).where(CheckIn.case_id == case.id).order_by(CheckIn.due_on)
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
        # The applicant's own answer, and why screening found otherwise (None where it agreed).
        "hate_element_in_the_application": case.applicant_hate_element,
        "hate_element_screening_reason": redact(case.hate_element_reason),
        "effect_described": redact(case.impact),
        "application_details": _application_details(case, redact),
        "risk_assessment": _risk_assessment(case, redact),
        "threshold_decision": {
            "met": case.threshold_met,
            "basis": case.decision_basis,
            "decided_on": case.decided_on,
        },
        "incidents": [
            {
                "occurred_on": incident.occurred_on,
                "reported_on": incident.reported_on,
                "reported_to": (
                    redact(incident.reported_to_other)
                    if incident.reported_to_other
                    else orgs.get(incident.reported_to, incident.reported_to)
                ),
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
        "information_from_other_public_bodies": [
            {
                "body": request.public_body.name,
                "legal_basis": request.legal_basis,
                "asked": redact(request.asked),
                "due_on": request.due_on,
                "answered_at": request.answered_at,
                "answer": redact(request.answer),
            }
            for request in asked_of_bodies
        ],
        "reviews": [
            {
                "number": review.number,
                "meeting_date": review.meeting_date,
                "held_on": review.held_on,
                "findings": redact(review.findings),
                **(_applicant_in_review(review, redact) if as_applicant else {}),
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
        "part_in_the_meeting": _meeting_part(part, redact) if as_applicant else None,
        "follow_up_after_closure": [
            {
                "due_on": check_in.due_on,
                "asked_on": check_in.sent_at,
                "by": check_in.channel,
                "answered_at": check_in.answered_at,
                "still_happening": check_in.still_happening,
                "comment": redact(check_in.comment),
            }
            for check_in in check_ins
        ]
        if as_applicant
        else [],
        "files_attached_by_agencies": [
            {"filename": redact(filename), "type": media_type, "size": size, "added_at": added}
            for filename, media_type, size, added in attachments
        ],
    }
    return exported, letters


def _application_details(case: Case, redact: Redactor) -> dict[str, str]:
    """What the application says beside its incidents, in words a reader follows."""
    said = details_of(case.details)
    return {
        "where_the_behaviour_happens": redact(said.place),
        "believed_responsible": redact(said.responsible),
        "witnesses": redact(said.witnesses),
        "what_the_applicant_wants_to_happen": redact(said.outcome),
        "communication_needs_or_adjustments": redact(said.communication_needs),
        "letters_in": said.letters_in,
    }


def _risk_assessment(case: Case, redact: Redactor) -> dict[str, Any] | None:
    """The council's risk and vulnerability assessment: its level, and each answer in words."""
    risk = risk_of(case.risk_level, case.risk)
    if risk is None:
        return {"level": case.risk_level} if case.risk_level else None
    return {
        "level": risk.level,
        "assessed_on": risk.assessed_on,
        "answers": dict(risk.answers),
        "notes_for_the_chair": redact(risk.notes),
    }


def _meeting_part(part: MeetingPart | None, redact: Redactor) -> dict[str, Any] | None:
    """How the applicant chose to take part in the review meeting, in their own words."""
    if part is None:
        return None
    return {
        "choice": part.choice,
        "advocate_name": redact(part.advocate_name),
        "advocate_relationship": redact(part.advocate_relationship),
        "statement": redact(part.statement),
        "communication_needs": redact(part.needs),
        "changed_at": part.updated_at,
    }


def _applicant_in_review(review: Review, redact: Redactor) -> dict[str, Any]:
    """What the review recorded of the applicant's part in it and their views on the plan."""
    return {
        "applicant_invited": review.applicant_invited,
        "reasons_not_invited": redact(review.not_invited_reasons or ""),
        "applicant_took_part": review.applicant_took_part,
        "draft_plan_shared_on": review.draft_shared_on,
        "applicant_views": redact(review.applicant_views or ""),
        "views_considered": redact(review.views_considered or ""),
    }
