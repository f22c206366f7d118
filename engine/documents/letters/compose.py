"""The composer of each kind of letter (``LETTER_KINDS``), and ``compose_letter``, which puts
a letter together from the case as stored. Which task sends which letter is the procedure's
registry's to say (``engine.procedure.registry``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from engine.core.area import service_url
from engine.core.models import Appeal, Case, User
from engine.documents.letters.appeal import (
    appeal_acknowledgement_letter,
    appeal_decision_letter,
    appeal_refusal_letter,
)
from engine.documents.letters.applicant_part import draft_plan_letter, meeting_part_letter
from engine.documents.letters.application import (
    acknowledgement_letter,
    closure_letter,
    complaint_referral_letter,
    threshold_decision_letter,
)
from engine.documents.letters.blocks import Composed, Contact, Letter, split_address
from engine.documents.letters.review import case_closed_letter, outcome_letter
from engine.documents.letters.shared import (
    case_contact,
    contact_line,
    council_contact,
    opcc_contact_of,
    opcc_organisation,
)
from engine.documents.letters.updates import update_letter
from engine.documents.letters.versions import Wording, current_wording, default_wording
from engine.documents.letters.wording import WordingRefused, write
from engine.documents.word import clean, long_date

log = logging.getLogger(__name__)

# A composer gives the values of one kind of letter's placeholders, and the facts kept with it.
Composer = Callable[[Session, Case, Mapping[str, Any], date, Contact, Appeal | None], Composed]

_COMPOSERS: dict[str, Composer] = {
    "acknowledgement_letter": acknowledgement_letter,
    "threshold_decision_letter": threshold_decision_letter,
    "closure_letter": closure_letter,
    "complaint_referral_letter": complaint_referral_letter,
    "meeting_part_letter": meeting_part_letter,
    "draft_plan_letter": draft_plan_letter,
    "outcome_letter": outcome_letter,
    "update_letter": update_letter,
    "case_closed_letter": case_closed_letter,
    "appeal_acknowledgement_letter": appeal_acknowledgement_letter,
    "appeal_refusal_letter": appeal_refusal_letter,
    "appeal_decision_letter": appeal_decision_letter,
}
LETTER_KINDS: tuple[str, ...] = tuple(_COMPOSERS)


def compose_letter(
    session: Session,
    case: Case,
    kind: str,
    answers: Mapping[str, Any],
    *,
    letter_date: date,
    signer: User | None,
    appeal: Appeal | None = None,
    wording: Wording | None = None,
) -> Letter:
    """What the letter of ``kind`` says to the applicant of ``case``, in ``wording`` (by
    default the newest deployed, else the shipped one)."""
    # The letterhead is the council's (or the OPCC's); the contact the letter names is the
    # applicant's own officer.
    council = case_contact(session, case)
    applicant = case.applicant or {}
    opcc_letter = kind.startswith("appeal_")
    # An appeal letter comes from the OPCC, on its own template where it has one.
    opcc = opcc_organisation(session) if opcc_letter else None
    sender = opcc_contact_of(opcc) if opcc_letter else council_contact(case)
    composer = _COMPOSERS[kind]
    values, facts = composer(session, case, answers, letter_date, council, appeal)
    context = {
        "reference": case.reference,
        "received_on": long_date(case.received_on),
        "letter_date": long_date(letter_date),
        "council": council.name,
        "district": case.district.name,
        "contact": contact_line(sender if opcc_letter else council),
        "service_url": service_url(session),
        **({"opcc": sender.name} if opcc_letter else {}),
        **values,
    }
    chosen = wording or current_wording(session, kind)
    try:
        written = write(chosen.body, context)
    except WordingRefused as refused:
        if wording is not None or chosen.version is None:
            raise
        # A deployed wording that cannot write this case's letter must not stop the letter:
        # it goes in the shipped wording, and says so in its record.
        log.warning("letter %s: %s cannot write it (%s)", kind, chosen.label, refused)
        chosen = default_wording(kind)
        written = write(chosen.body, context)
    signed = signer.name if signer is not None else (council.person or council.name)
    keys: tuple[str, ...] = (case.district.key,)
    if opcc_letter:
        keys = (opcc.key if opcc is not None else "", case.district.key)
    return Letter(
        kind=kind,
        title=written.title,
        reference=case.reference,
        letter_date=letter_date,
        sender=sender,
        council=council,
        recipient=clean(applicant.get("name", "")),
        recipient_address=tuple(split_address(str(applicant.get("address", "")))),
        blocks=written.blocks,
        signer=f"{signed}, for {sender.name}",
        template_keys=keys,
        facts=facts,
        wording_version=chosen.version,
        wording_id=chosen.template_id,
    )
