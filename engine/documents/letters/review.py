"""The review's letters, from the council: the outcome of the case review meeting, with its
recommendations and the route of appeal; and the closing of the case once its action plan is
finished, with what to do if the behaviour goes on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.area import service_url
from engine.core.models import (
    Appeal,
    Case,
    CaseParticipant,
    Organisation,
    Recommendation,
    Review,
)
from engine.documents.content import user_names
from engine.documents.letters.blocks import Block, Composed, Contact, h, p, quoted, table
from engine.documents.letters.shared import appeal_deadline, appeal_route, contact_section, plural
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
        blocks += [
            h("What the review found"),
            quoted(
                answers,
                "findings",
                "the findings recorded at the meeting",
                review.findings or "",
                "No findings were recorded.",
            ),
        ]
        recommendations = list(review.recommendations)
        facts["review_number"] = review.number
    blocks.append(h("What will be done"))
    if recommendations:
        blocks.append(
            p(
                "The review made these recommendations. Each organisation must consider the "
                "recommendations it is responsible for; we follow every action until it is done."
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
        quoted(
            answers,
            "updates",
            "how the applicant will be kept updated",
            str(answers.get("updates", "")),
            "We will write to you if anything changes.",
        ),
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


def case_closed_letter(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    """That the case review is closing, why (each action agreed, and what became of it), and
    what to do if the behaviour goes on."""
    review = current_review(session, case)
    names = dict(session.execute(select(Organisation.id, Organisation.name)).all())
    actions = list(review.recommendations) if review is not None else []
    held = (
        f"The case review meeting on {long_date(review.held_on)}"
        if review is not None and review.held_on is not None
        else "The case review"
    )
    blocks: list[Block] = [
        p(f"We are closing your ASB Case Review {case.reference}."),
        h("Why we are closing it"),
    ]
    done = [action for action in actions if action.status == "done"]
    if actions:
        blocks += [
            p(
                f"{held} agreed {plural(len(actions), 'action')} for the agencies to take. "
                "Each one is now finished:"
            ),
            table(
                ["What was agreed", "Who", "What happened"],
                [
                    (action.action, names.get(action.organisation_id, ""), _outcome(action))
                    for action in actions
                ],
            ),
        ]
        if len(done) < len(actions):
            blocks.append(
                p(
                    "Where an action was closed without being done, the agency told us why: "
                    "your contact can explain."
                )
            )
    else:
        blocks.append(
            p(f"{held} made no recommendations, so there is nothing more for the agencies to do.")
        )
    if review is not None and review.outcome_letter_sent_on is not None:
        deadline = appeal_deadline(session, review.outcome_letter_sent_on)
        if clock.today() <= deadline:
            blocks.append(
                p(
                    "Closing your case review does not change your right to appeal against its "
                    f"outcome, until {long_date(deadline)}: our letter of "
                    f"{long_date(review.outcome_letter_sent_on)} says how."
                )
            )
    blocks += [
        h("If the behaviour goes on"),
        p(
            "Please report each incident when it happens, to the organisation that can act on "
            "it: the police on 101 or online, the council, or your landlord. Each report is "
            "recorded, and counts if you apply again."
        ),
        p("If you are in immediate danger, or a crime is happening now, call 999."),
        p(
            "If the behaviour goes on, you can apply for a new case review at "
            f"{service_url(session)}/apply, or by contacting us. We will look at what has "
            "happened since this review."
        ),
        *contact_section(council),
    ]
    facts: dict[str, Any] = {"actions_done": len(done), "actions_closed": len(actions) - len(done)}
    if review is not None:
        facts["review_number"] = review.number
    return "We are closing your ASB Case Review", blocks, facts


def _outcome(action: Recommendation) -> str:
    when = f" on {long_date(action.completed_on)}" if action.completed_on else ""
    if action.status == "done":
        return f"Done{when}"
    return f"Closed without being done{when}"
