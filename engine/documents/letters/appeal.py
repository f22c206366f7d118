"""The facts of the appeal's letters, from the Office of the Police and Crime Commissioner:
the acknowledgement, the refusal of an appeal that cannot be heard, and the decision. Their
wording is in their templates (``workflows/letters``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from engine.core.models import Appeal, Case
from engine.core.workdays import add_working_days
from engine.documents.letters.blocks import Composed, Contact, quoted
from engine.documents.letters.shared import next_routes, timescale
from engine.documents.letters.wording import WholeBlock
from engine.documents.word import long_date
from engine.review.appeal_rules import GROUNDS, ground_sentence


def _appeal_facts(session: Session, case: Case, appeal: Appeal | None) -> dict[str, Any]:
    """What every appeal letter says of the appeal; with none recorded, the letter says so.
    The OPCC's name, ``opcc``, is the sender's, which ``compose_letter`` gives every one."""
    if appeal is None:
        return {
            "appeal_recorded": False,
            "appeal_received_on": "",
            "appealed_letter_date": "",
        }
    return {
        "appeal_recorded": True,
        "appeal_received_on": long_date(appeal.received_on),
        "appealed_letter_date": long_date(appeal.letter_date),
    }


def appeal_acknowledgement_letter(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    """The acknowledgement of an appeal, with the date its decision is due."""
    context = _appeal_facts(session, case, appeal)
    due = add_working_days(letter_date, timescale(session, "appeal_decision"))
    grounds = appeal.grounds if appeal is not None and appeal.grounds else []
    context["grounds_given"] = [ground_sentence(ground) for ground in grounds]
    context["decision_due"] = long_date(due)
    return context, ({"decision_due": due.isoformat()} if appeal is not None else {})


def appeal_refusal_letter(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    """Why an appeal cannot be heard."""
    context = _appeal_facts(session, case, appeal)
    context["reasons"] = WholeBlock(
        quoted(
            answers,
            "reasons",
            "the OPCC's reasons recorded with the check",
            (appeal.eligibility_reasons if appeal is not None else "") or "",
            "No reasons were recorded.",
        )
    )
    context["appeal_window"] = timescale(session, "appeal_window")
    context["appeal_grounds"] = [ground_sentence(ground) for ground in GROUNDS]
    context["next_routes"] = next_routes(session, case)
    return context, ({"eligible": False} if appeal is not None else {})


def appeal_decision_letter(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    """Whether the appeal was upheld, and why."""
    context = _appeal_facts(session, case, appeal)
    context["outcome"] = (appeal.outcome if appeal is not None else "") or ""
    context["reasons"] = WholeBlock(
        quoted(
            answers,
            "reasons",
            "the OPCC's reasons recorded with the decision",
            (appeal.outcome_reasons if appeal is not None else "") or "",
            "No reasons were recorded.",
        )
    )
    context["next_routes"] = next_routes(session, case)
    return context, ({"appeal_outcome": appeal.outcome} if appeal is not None else {})
