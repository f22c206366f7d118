"""What a document says, read from the case as stored: plain values, no Word formatting.

Gathering is kept apart from writing so that a pack whose content has not changed since its
last version can be handed out again instead of being stored twice, and so that the writing
code never touches the database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.assessment import assess_case
from engine.cases.details import ApplicationDetails, details_of
from engine.cases.risk import RiskRecord, risk_of
from engine.cases.threshold import CommunityAssessment, told
from engine.core.models import (
    Appeal,
    Attachment,
    Case,
    CaseParticipant,
    InformationRequest,
    Organisation,
    PublicBody,
    Task,
    User,
)
from engine.review.applicant_part import ApplicantPart, applicant_part
from engine.review.independence import ChairStanding, standings
from engine.review.reviews import current_review

ROLE_NAMES = {
    "council": "Council",
    "police": "Police",
    "housing": "Housing provider",
    "health": "Health",
    "chair": "Review chair",
    "opcc": "OPCC",
}
DECISION_BASES = {
    "count": "the number of qualifying complaints reached the area's threshold",
    "discretion": "a discretionary decision below the threshold count",
    "vulnerability": "a senior officer's decision for a vulnerable victim",
    "declined": "the application was declined",
}
DECLINE_GROUNDS = {
    "malicious": "the application is malicious",
    "vexatious": "the application is vexatious",
    "prejudicial": "the application is prejudicial",
    "discriminatory": "the application is discriminatory",
    "unreasonable": "the application is unreasonable",
    "investigation_in_time": "an investigation is still within the timescale it promised",
}


@dataclass(frozen=True)
class ChronologyRow:
    number: int
    occurred_on: date
    reported_on: date
    reported_to: str
    reference: str
    summary: str
    qualifying: bool
    reason: str
    marks: tuple[str, ...]  # what staff said about its reports, and why


@dataclass(frozen=True)
class AgencyReturn:
    organisation: str
    role: str
    returned: bool
    returned_on: date | None
    returned_by: str
    due_on: date | None
    incidents: int
    actions_taken: str
    view: str
    appendices: tuple[int, ...]


@dataclass(frozen=True)
class BodyAnswer:
    """Another public body's answer to the council's request for information (Schedule 4),
    or its absence while it is awaited."""

    body: str
    asked: str
    legal_basis: str
    due_on: date
    answered: bool
    answered_on: date | None
    answer: str
    # The pack's appendices holding the files sent with the answer.
    appendices: tuple[int, ...] = ()


@dataclass(frozen=True)
class Appendix:
    number: int
    attachment_id: int
    filename: str
    organisation: str
    media_type: str
    size: int
    uploaded_on: date
    sha256: str


@dataclass(frozen=True)
class Decision:
    recorded: bool
    met: bool | None
    basis: str
    decided_on: date | None
    decided_by: str
    reasons: str
    persistence: str
    harm: str
    adequacy: str
    decline_ground: str
    # A vulnerable victim decision's senior officer, and when they confirmed it (None while it
    # waits for them, and for a decision recorded before the service asked them to).
    senior_officer: str
    senior_officer_confirmed_at: datetime | None


@dataclass(frozen=True)
class RecommendationLine:
    organisation: str
    action: str
    due_date: date
    status: str


@dataclass(frozen=True)
class PackContent:
    reference: str
    district: str
    district_key: str
    council: str
    received_on: date
    review_number: int | None
    meeting_date: date | None
    # Why the meeting is later than the area's timescale allows, when it is.
    beyond_timescale_reason: str
    venue: str
    chair: str
    applicant_name: str
    on_behalf: bool
    victim_name: str
    victim_consent: bool
    channel: str
    hate_element: bool
    # The applicant's own answer, and why screening differs from it ("" where it does not).
    applicant_hate_element: bool | None
    hate_element_reason: str
    impact: str
    participants: tuple[tuple[str, str], ...]
    chronology: tuple[ChronologyRow, ...]
    qualifying_count: int
    threshold_count: int
    returns: tuple[AgencyReturn, ...]
    decision: Decision
    recommendations: tuple[RecommendationLine, ...]
    appendices: tuple[Appendix, ...]
    fresh_review_reasons: str = ""
    # How the applicant wants to take part in the meeting, and the chair's decision.
    applicant_part: ApplicantPart = ApplicantPart()
    # A business or community group applying through the applicant, its named contact.
    applying_for: str = ""
    # The applications linked to this one about the same behaviour, and the community
    # threshold's count across them (None without a link or a community threshold).
    community: CommunityAssessment | None = None
    # Where the behaviour happens, who is believed responsible, witnesses, what the applicant
    # wants to happen, their communication needs and the format of their letters.
    details: ApplicationDetails = ApplicationDetails()
    # The council's risk and vulnerability assessment, or None before it is done.
    risk: RiskRecord | None = None
    # What the council asked other public bodies for, and their answers.
    other_bodies: tuple[BodyAnswer, ...] = ()
    # Whether the chair is independent of the case, a manager's reason for one who is not,
    # and the chair's declaration of interests; None before a chair is appointed.
    chair_standing: ChairStanding | None = None

    def fingerprint(self, template: bytes) -> str:
        """Changes when anything the pack shows, or its template, changes."""
        digest = hashlib.sha256(json.dumps(asdict(self), default=str, sort_keys=True).encode())
        digest.update(hashlib.sha256(template).digest())
        return digest.hexdigest()


def organisation_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Organisation.key, Organisation.name)).all())


def user_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(wanted))).all())


def latest_task_data(session: Session, case: Case, form: str) -> tuple[dict[str, Any], Task | None]:
    """The answers of the last completed task of this form on the case."""
    task = session.scalar(
        select(Task)
        .where(Task.case_id == case.id, Task.form == form, Task.state == "completed")
        .order_by(Task.completed_at.desc(), Task.id.desc())
        .limit(1)
    )
    return (dict(task.data or {}) if task else {}), task


def decision(session: Session, case: Case) -> Decision:
    answers, task = latest_task_data(session, case, "threshold_decision")
    decided_by = ""
    if task is not None and task.completed_by_id is not None:
        decided_by = user_names(session, {task.completed_by_id}).get(task.completed_by_id, "")
    officer = user_names(session, {case.senior_officer_id}).get(case.senior_officer_id or 0, "")
    if not officer and case.decision_basis == "vulnerability":
        # Named in free text on a decision recorded before officers were checked.
        officer = str(answers.get("senior_officer", ""))
    return Decision(
        recorded=case.decision_basis is not None,
        met=case.threshold_met,
        basis=case.decision_basis or "",
        decided_on=case.decided_on,
        decided_by=decided_by,
        reasons=str(answers.get("reasons", "")),
        persistence=str(answers.get("persistence", "")),
        harm=str(answers.get("harm", "")),
        adequacy=str(answers.get("adequacy", "")),
        decline_ground=str(answers.get("decline_ground", "")),
        senior_officer=officer,
        senior_officer_confirmed_at=case.senior_officer_confirmed_at,
    )


def gather_pack(session: Session, case: Case) -> PackContent:
    """Everything the meeting pack shows, from the case as stored."""
    names = organisation_names(session)
    by_id = dict(session.execute(select(Organisation.id, Organisation.name)).all())
    review = current_review(session, case)
    schedule, _ = latest_task_data(session, case, "schedule_meeting")

    participants = session.execute(
        select(Organisation.name, CaseParticipant.role, CaseParticipant.user_id)
        .join(CaseParticipant, CaseParticipant.organisation_id == Organisation.id)
        .where(CaseParticipant.case_id == case.id)
        .order_by(CaseParticipant.role, Organisation.name)
    ).all()

    attachments = session.execute(
        select(
            Attachment.id,
            Attachment.task_id,
            Attachment.filename,
            Attachment.organisation_id,
            Attachment.media_type,
            Attachment.size,
            Attachment.created_at,
            Attachment.sha256,
            Attachment.information_request_id,
        )
        # The files the applicant sent with an appeal are for the OPCC hearing it alone.
        .where(Attachment.case_id == case.id, Attachment.appeal_id.is_(None))
        .order_by(Attachment.created_at, Attachment.id)
    ).all()
    # A body answering through its link has no organisation here: its files are from it.
    asked = dict(
        session.execute(
            select(InformationRequest.id, PublicBody.name)
            .join(PublicBody, PublicBody.id == InformationRequest.public_body_id)
            .where(InformationRequest.case_id == case.id)
        ).all()
    )
    appendices = tuple(
        Appendix(
            number=number,
            attachment_id=row.id,
            filename=row.filename,
            organisation=asked.get(row.information_request_id or 0)
            or by_id.get(row.organisation_id, ""),
            media_type=row.media_type,
            size=row.size,
            uploaded_on=row.created_at.date(),
            sha256=row.sha256,
        )
        for number, row in enumerate(attachments, start=1)
    )
    appendix_of_task: dict[int, list[int]] = {}
    appendix_of_answer: dict[int, list[int]] = {}
    for appendix, row in zip(appendices, attachments, strict=True):
        if row.task_id is not None:
            appendix_of_task.setdefault(row.task_id, []).append(appendix.number)
        if row.information_request_id is not None:
            appendix_of_answer.setdefault(row.information_request_id, []).append(appendix.number)

    return_tasks = session.scalars(
        select(Task)
        .where(
            Task.case_id == case.id,
            Task.form == "information_return",
            Task.state.in_(["open", "claimed", "completed"]),
        )
        .order_by(Task.id)
    ).all()
    people = user_names(session, {task.completed_by_id for task in return_tasks})
    returns = []
    for task in return_tasks:
        organisation = ", ".join(by_id.get(i, "") for i in task.organisation_ids)
        data = task.data or {}
        done = task.state == "completed"
        completed_by = task.completed_by_id
        returned_by = people.get(completed_by, "") if done and completed_by is not None else ""
        returns.append(
            AgencyReturn(
                organisation=organisation or task.title,
                role=ROLE_NAMES.get(task.role, task.role),
                returned=done,
                returned_on=task.completed_at.date() if done and task.completed_at else None,
                returned_by=returned_by,
                due_on=task.due_on,
                incidents=len(data.get("incidents", []) or []),
                actions_taken=str(data.get("actions_taken", "")),
                view=str(data.get("view", "")),
                appendices=tuple(appendix_of_task.get(task.id, [])),
            )
        )
    returns.sort(key=lambda r: (not r.returned, r.returned_on or date.max, r.organisation))

    assessment = assess_case(session, case)
    chronology = []
    for number, incident in enumerate(assessment.incidents, start=1):
        reports = incident.reports
        bodies = _unique(told(r, names) for r in reports)
        references = _unique(r.reference.strip() for r in reports)
        summaries = _unique(r.description.strip() for r in reports)
        chronology.append(
            ChronologyRow(
                number=number,
                occurred_on=incident.occurred_on,
                reported_on=reports[0].reported_on,
                reported_to="; ".join(bodies),
                reference="; ".join(references),
                summary="\n".join(summaries),
                qualifying=incident.qualifying,
                reason=incident.reason,
                marks=incident.marks,
            )
        )

    chair = ""
    if review is not None and review.chair_user_id is not None:
        chair_row = session.execute(
            select(User.name, Organisation.name)
            .join(Organisation, Organisation.id == User.organisation_id)
            .where(User.id == review.chair_user_id)
        ).first()
        if chair_row is not None:
            chair = f"{chair_row[0]}, {chair_row[1]}"

    recommendations = tuple(
        RecommendationLine(
            organisation=by_id.get(item.organisation_id, ""),
            action=item.action,
            due_date=item.due_date,
            status=item.status,
        )
        for item in (review.recommendations if review is not None else [])
    )

    fresh = ""
    if review is not None and review.number > 1:
        appeal = session.scalar(
            select(Appeal)
            .where(Appeal.case_id == case.id, Appeal.outcome == "upheld")
            .order_by(Appeal.decided_on.desc(), Appeal.id.desc())
            .limit(1)
        )
        if appeal is not None:
            fresh = appeal.outcome_reasons or "The appeal was upheld."

    applicant = case.applicant or {}
    victim = case.victim or {}
    council = case.district.lead_council
    return PackContent(
        reference=case.reference,
        district=case.district.name,
        district_key=case.district.key,
        council=council.name if council is not None else "",
        received_on=case.received_on,
        review_number=review.number if review is not None else None,
        meeting_date=review.meeting_date if review is not None else None,
        beyond_timescale_reason=(review.beyond_timescale_reason or "") if review else "",
        venue=str(schedule.get("venue", "")) if review is not None else "",
        chair=chair,
        applicant_name=str(applicant.get("name", "")),
        on_behalf=case.on_behalf,
        victim_name=str(victim.get("name", "")),
        victim_consent=case.victim_consent,
        channel=case.channel,
        hate_element=case.hate_element,
        applicant_hate_element=case.applicant_hate_element,
        hate_element_reason=case.hate_element_reason or "",
        impact=case.impact,
        participants=tuple(
            (name, ROLE_NAMES.get(role, role)) for name, role, _user in participants
        ),
        chronology=tuple(chronology),
        qualifying_count=assessment.qualifying_count,
        threshold_count=assessment.threshold_count,
        returns=tuple(returns),
        decision=decision(session, case),
        recommendations=recommendations,
        appendices=appendices,
        fresh_review_reasons=fresh,
        applicant_part=applicant_part(session, case, review),
        applying_for=_applying_for(case),
        community=assessment.community,
        details=details_of(case.details),
        risk=risk_of(case.risk_level, case.risk),
        other_bodies=answers_of_other_bodies(session, case, appendix_of_answer),
        chair_standing=standings(session, [review]).get(review.id) if review else None,
    )


def answers_of_other_bodies(
    session: Session, case: Case, appendices: Mapping[int, list[int]] | None = None
) -> tuple[BodyAnswer, ...]:
    """The case's requests to other public bodies, answered first (soonest answered first),
    then those awaited, by deadline; each answer with the numbers of the ``appendices``
    holding its files (by request id)."""
    rows = session.scalars(
        select(InformationRequest)
        .where(InformationRequest.case_id == case.id)
        .order_by(InformationRequest.id)
    ).all()
    answers = [
        BodyAnswer(
            body=row.public_body.name,
            asked=row.asked,
            legal_basis=row.legal_basis,
            due_on=row.due_on,
            answered=row.answered_at is not None,
            answered_on=row.answered_at.date() if row.answered_at is not None else None,
            answer=row.answer,
            appendices=tuple((appendices or {}).get(row.id, [])),
        )
        for row in rows
    ]
    answers.sort(key=lambda a: (not a.answered, a.answered_on or a.due_on, a.body))
    return tuple(answers)


def _applying_for(case: Case) -> str:
    if case.applying_as == "person":
        return ""
    kind = "A business" if case.applying_as == "business" else "A community group"
    name = str((case.applicant or {}).get("organisation", ""))
    return f"{kind}: {name}" if name else kind


def _unique(values: Any) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return list(seen)
