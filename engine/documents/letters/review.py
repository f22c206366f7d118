"""The review's letter, from the council: the outcome of the case review meeting, with its
recommendations and the route of appeal.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.models import Appeal, Case, CaseParticipant, Organisation, Review
from engine.documents.content import user_names
from engine.documents.letters.blocks import Block, Composed, Contact, h, p, table
from engine.documents.letters.shared import appeal_route, contact_section
from engine.documents.word import long_date
from engine.review.appeal_rules import GROUNDS
from engine.review.reviews import current_review


def outcome_letter(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    """What the case review meeting found, what will be done, and the route of appeal."""
    review = current_review(session, case)
    names = dict(session.execute(select(Organisation.id, Organisation.name)).all())
    blocks: list[Block] = []
    facts: dict[str, Any] = {}
    if review is None or review.held_on is None:
        blocks.append(p("No case review meeting has been recorded on your application yet."))
        recommendations = []
    else:
        chair = user_names(session, {review.chair_user_id}).get(review.chair_user_id or 0, "")
        bodies = session.scalars(
            select(Organisation.name)
            .join(CaseParticipant, CaseParticipant.organisation_id == Organisation.id)
            .where(
                CaseParticipant.case_id == case.id,
                CaseParticipant.role.in_(["council", "police", "housing", "health"]),
            )
            .order_by(Organisation.name)
        ).all()
        blocks.append(
            p(
                f"The case review meeting about your application {case.reference} was held on "
                f"{long_date(review.held_on)}"
                + (f", chaired by {chair}" if chair else "")
                + "."
                + (f" Taking part: {', '.join(bodies)}." if bodies else "")
            )
        )
        blocks += [h("What the review found"), p(review.findings or "No findings were recorded.")]
        recommendations = list(review.recommendations)
        facts["review_number"] = review.number
    blocks.append(h("What will be done"))
    if recommendations:
        blocks.append(
            p(
                "The review made these recommendations. Each organisation must have regard to "
                "the recommendations it owns; we follow every action until it is done."
            )
        )
        blocks.append(
            table(
                ["What will be done", "Who will do it", "By when"],
                [
                    (r.action, names.get(r.organisation_id, ""), long_date(r.due_date))
                    for r in recommendations
                ],
            )
        )
        facts["recommendations"] = len(recommendations)
    else:
        blocks.append(p("The review made no recommendations."))
        facts["recommendations"] = 0
    blocks += _views_considered(review)
    blocks += [
        h("How we will keep you updated"),
        p(str(answers.get("updates", "")) or "We will write to you if anything changes."),
    ]
    route, deadline = appeal_route(session, letter_date, tuple(GROUNDS))
    blocks += route
    facts["appeal_deadline"] = deadline.isoformat()
    facts["appeal_grounds"] = list(GROUNDS)
    blocks += contact_section(council)
    return "The outcome of your ASB Case Review", blocks, facts


def _views_considered(review: Review | None) -> list[Block]:
    """How the applicant's views on the draft plan were considered, when it was sent them."""
    if review is None or review.draft_shared_on is None:
        return []
    if review.applicant_views:
        said = "You gave us your views on the draft action plan, and the chair considered them."
    else:
        due = f" by {long_date(review.views_due_on)}" if review.views_due_on else ""
        said = f"We sent you the draft action plan; we did not receive your views on it{due}."
    return [
        h("Your views on the draft action plan"),
        p(said),
        p(review.views_considered or "The chair recorded nothing more about them."),
    ]
