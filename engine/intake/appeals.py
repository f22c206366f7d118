"""Appeals to the OPCC: from the applicant's own pages (``engine.applicant.appeals``), or
lodged for the applicant by the council managing their review, with the reason recorded. No
one else lodges an appeal: it changes the case and lets the OPCC read it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.status import set_status
from engine.core import audit, clock
from engine.core.config import Settings
from engine.core.errors import InvalidData, NotFound
from engine.core.form_wording import wording
from engine.core.forms import iso_date, load_form, validate_data
from engine.core.models import (
    Appeal,
    Case,
    CaseParticipant,
    Organisation,
    OrganisationDistrict,
    User,
)
from engine.people.access import is_participant, participant_roles
from engine.procedure import start_process
from engine.runtime import running_instances

APPEAL_PROCESS = "opcc_appeal"
# Staff lodging an appeal for the applicant say why, in a sentence or more.
SHORTEST_REASON = 10
LONGEST_REASON = 500
NO_SUCH_CASE = "There is no case with this reference: check the reference on your letter"


def lodge_for_applicant(
    session: Session, payload: Mapping[str, Any], settings: Settings, *, user: User
) -> Appeal:
    """An appeal lodged on the applicant's behalf by an officer of the council taking part in
    the case (one that came on paper, say, with the date it arrived as ``received_on``).
    ``on_behalf_reason`` says why (it is kept in the case's audit trail). Anyone else, and a
    reference that does not exist, is ``NotFound`` alike."""
    answers = dict(payload)
    reason = answers.pop("on_behalf_reason", None)
    reference = answers.get("case_reference")
    case = (
        session.scalar(select(Case).where(Case.reference == reference.strip().upper()))
        if isinstance(reference, str)
        else None
    )
    if case is None or not _may_lodge_for(session, user, case):
        raise NotFound("there is no such case")
    text = reason.strip() if isinstance(reason, str) else ""
    if not SHORTEST_REASON <= len(text) <= LONGEST_REASON:
        # Told with every other problem of the appeal, not before them.
        problems, _ = check_appeal(session, answers, settings, user=user)
        problems["on_behalf_reason"] = (
            f"Enter why you are lodging it for the applicant, in {SHORTEST_REASON} to "
            f"{LONGEST_REASON} characters"
        )
        raise InvalidData("The appeal needs correcting", problems)
    appeal = submit_appeal(session, answers, settings, user=user)
    audit.record(
        session,
        "appeal.lodged_for_applicant",
        user=user,
        case_id=appeal.case_id,
        object_type="appeal",
        object_id=appeal.id,
        justification=text,
    )
    return appeal


def _may_lodge_for(session: Session, user: User, case: Case) -> bool:
    return is_participant(session, user, case.id) and "council" in participant_roles(
        session, user, case.id
    )


def submit_appeal(
    session: Session, payload: Any, settings: Settings, *, user: User | None = None
) -> Appeal:
    """Lodge an appeal and start its process; refused appeals store nothing."""
    problems, case = check_appeal(session, payload, settings, user=user)
    if problems or case is None:
        raise InvalidData("The appeal needs correcting", problems)
    received_on = date.fromisoformat(payload.get("received_on") or clock.today().isoformat())
    appeal = Appeal(
        case_id=case.id,
        received_on=received_on,
        letter_date=date.fromisoformat(payload["letter_date"]),
        grounds=list(payload["grounds"]),
        details=payload.get("details", ""),
        channel="online" if user is None else "staff",
        created_at=clock.now(),
    )
    session.add(appeal)
    _add_opcc(session, case)
    session.flush()
    set_status(session, case, "appeal_lodged", user=user)
    start_process(
        session,
        case,
        APPEAL_PROCESS,
        user=user,
        extra={
            "appeal_id": appeal.id,
            "letter_date": appeal.letter_date,
            "grounds": appeal.grounds,
            "appeal_received_on": appeal.received_on,
        },
    )
    return appeal


def check_appeal(
    session: Session, payload: Any, settings: Settings, *, user: User | None = None
) -> tuple[dict[str, str], Case | None]:
    """Every problem with an appeal, by field, and the case it is on (locked, so that an
    appeal sent twice at once is checked after the first is stored), if there is one.

    The form's checks and the service's are made together; a check that needs an answer
    left out or not understood is skipped, as that answer has its own problem to tell."""
    schema = load_form(settings.forms_dir, "appeal")
    problems = validate_data(schema, payload)
    if not isinstance(payload, Mapping):
        return problems, None
    reference = payload.get("case_reference")
    case = None
    if isinstance(reference, str) and reference.strip():
        case = session.scalar(
            select(Case)
            # References are written in capitals; one typed in small letters is the same.
            .where(Case.reference == reference.strip().upper())
            .with_for_update()
        )
        if case is None:
            problems.setdefault("case_reference", NO_SUCH_CASE)
    if case is not None:
        for field, message in _check(session, schema, payload, case):
            problems.setdefault(field, message)
    if "received_on" in payload and user is None:
        problems["received_on"] = "Only staff lodging an appeal may enter the date it arrived"
    return problems, case


def _check(
    session: Session, schema: dict[str, Any], payload: Mapping[str, Any], case: Case
) -> Iterator[tuple[str, str]]:
    if case.decided_on is None:
        yield "case_reference", "There is no decision letter on this case to appeal against yet"
    elif _appeal_running(session, case):
        yield (
            "case_reference",
            "An appeal on this case is already with the OPCC: it is decided, and you are told, "
            "before another can be made",
        )
    letter_date = iso_date(payload.get("letter_date"))
    if letter_date is not None and letter_date < case.received_on:
        said = wording(schema, ["letter_date"])
        yield (
            "letter_date",
            f"{said.subject} must be the same as or after {case.received_on:%-d %B %Y}, the "
            "date of the application",
        )


def _appeal_running(session: Session, case: Case) -> bool:
    return bool(running_instances(session, case.id, APPEAL_PROCESS))


def _add_opcc(session: Session, case: Case) -> None:
    opcc = session.scalars(
        select(Organisation.id)
        .join(OrganisationDistrict, OrganisationDistrict.organisation_id == Organisation.id)
        .where(Organisation.kind == "opcc", OrganisationDistrict.district_id == case.district_id)
    ).all()
    present = {(p.organisation_id, p.role) for p in case.participants}
    for organisation_id in opcc:
        if (organisation_id, "opcc") not in present:
            case.participants.append(CaseParticipant(organisation_id=organisation_id, role="opcc"))
