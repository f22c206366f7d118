"""The appeal's letters, from the Office of the Police and Crime Commissioner: the
acknowledgement, the refusal of an appeal that cannot be heard, and the decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from engine.core.models import Appeal, Case
from engine.core.workdays import add_working_days
from engine.documents.letters.blocks import Block, Composed, Contact, bullets, h, p, quoted
from engine.documents.letters.shared import (
    contact_section,
    next_routes,
    opcc_contact,
    timescale,
)
from engine.documents.word import long_date
from engine.review.appeal_rules import GROUNDS, ground_sentence


def _grounds_given(appeal: Appeal) -> Block:
    if not appeal.grounds:
        return p("Your appeal did not name a ground of appeal.")
    return bullets([ground_sentence(ground) for ground in appeal.grounds])


def _no_appeal() -> Composed:
    return "Your appeal", [p("No appeal is recorded on your case.")], {}


def appeal_acknowledgement_letter(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    """The acknowledgement of an appeal, with the date its decision is due."""
    if appeal is None:
        return _no_appeal()
    opcc = opcc_contact(session)
    acknowledged = letter_date
    due = add_working_days(acknowledged, timescale(session, "appeal_decision"))
    blocks = [
        p(
            f"{opcc.name} received your appeal on {long_date(appeal.received_on)} about the "
            f"letter dated {long_date(appeal.letter_date)} on your ASB Case Review "
            f"{case.reference}."
        ),
        p("You appealed on these grounds:"),
        _grounds_given(appeal),
        h("What happens next"),
        p(
            "We will check that your appeal was made in time and on an allowed ground. If it "
            f"can be heard, we will ask {council.name} for the case file and look at how your "
            f"case was handled. We will write to you with our decision by {long_date(due)}."
        ),
        *contact_section(opcc, about=" about your appeal"),
    ]
    return "We have received your appeal", blocks, {"decision_due": due.isoformat()}


def appeal_refusal_letter(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    """Why an appeal cannot be heard."""
    if appeal is None:
        return _no_appeal()
    opcc = opcc_contact(session)
    blocks = [
        p(
            f"We have checked your appeal, received on {long_date(appeal.received_on)}, about "
            f"the letter dated {long_date(appeal.letter_date)} on your ASB Case Review "
            f"{case.reference}. It cannot be heard."
        ),
        h("Our reasons"),
        quoted(
            answers,
            "reasons",
            "the OPCC's reasons recorded with the check",
            appeal.eligibility_reasons or "",
            "No reasons were recorded.",
        ),
        p(
            f"An appeal must reach us within {timescale(session, 'appeal_window')} working days "
            "of the letter it is about, on at least one of these grounds:"
        ),
        bullets([ground_sentence(ground) for ground in GROUNDS]),
        p(f"We have told {council.name} of this decision."),
        *next_routes(session, case),
        *contact_section(opcc),
    ]
    return "Your appeal cannot be heard", blocks, {"eligible": False}


def appeal_decision_letter(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    """Whether the appeal was upheld, and why."""
    if appeal is None:
        return _no_appeal()
    opcc = opcc_contact(session)
    opening = p(
        f"We have decided your appeal, received on {long_date(appeal.received_on)}, about the "
        f"letter dated {long_date(appeal.letter_date)} on your ASB Case Review {case.reference}."
    )
    if appeal.outcome == "upheld":
        title = "Your appeal has been upheld"
        result = p(
            "We looked at how your case was handled and have upheld your appeal. We have "
            f"referred your case back to {council.name}, which will carry out a fresh case "
            "review and write to you."
        )
    elif appeal.outcome == "not_upheld":
        title = "Your appeal has not been upheld"
        result = p(
            "We looked at how your case was handled and found that the review was properly "
            "carried out, so we have not upheld your appeal."
        )
    else:
        title = "Your appeal"
        result = p("No decision on your appeal has been recorded yet.")
    blocks = [
        opening,
        result,
        h("Our reasons"),
        quoted(
            answers,
            "reasons",
            "the OPCC's reasons recorded with the decision",
            appeal.outcome_reasons or "",
            "No reasons were recorded.",
        ),
        p(f"We have also told {council.name} of our decision."),
        *next_routes(session, case),
        *contact_section(opcc),
    ]
    return title, blocks, {"appeal_outcome": appeal.outcome}
