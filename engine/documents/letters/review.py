"""The facts of the review's letters, from the council: the outcome of the case review
meeting, with its recommendations and the route of appeal; and the closing of the case once
its action plan is finished, with what to do if the behaviour goes on. Their wording is in
their templates (``workflows/letters``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.models import (
    Appeal,
    Case,
    CaseParticipant,
    Organisation,
    Recommendation,
)
from engine.documents.content import user_names
from engine.documents.letters.blocks import Composed, Contact, quoted, table
from engine.documents.letters.shared import appeal_deadline, appeal_route, plural
from engine.documents.letters.wording import WholeBlock
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
    facts: dict[str, Any] = {}
    held = review is not None and review.held_on is not None
    context: dict[str, Any] = {
        "held": held,
        "held_on": "",
        "chair": "",
        "bodies": [],
        "findings": WholeBlock(),
    }
    recommendations = []
    if review is not None and review.held_on is not None:
        context["held_on"] = long_date(review.held_on)
        context["chair"] = user_names(session, {review.chair_user_id}).get(
            review.chair_user_id or 0, ""
        )
        context["bodies"] = list(
            session.scalars(
                select(Organisation.name)
                .join(CaseParticipant, CaseParticipant.organisation_id == Organisation.id)
                .where(
                    CaseParticipant.case_id == case.id,
                    CaseParticipant.role.in_(["council", "police", "housing", "health"]),
                )
                .order_by(Organisation.name)
            )
        )
        context["findings"] = WholeBlock(
            quoted(
                answers,
                "findings",
                "the findings recorded at the meeting",
                review.findings or "",
                "No findings were recorded.",
            )
        )
        recommendations = list(review.recommendations)
        facts["review_number"] = review.number
    context["recommendations"] = (
        WholeBlock(
            table(
                ["What will be done", "Who will do it", "By when"],
                [
                    (r.action, names.get(r.organisation_id, ""), long_date(r.due_date))
                    for r in recommendations
                ],
            )
        )
        if recommendations
        else WholeBlock()
    )
    facts["recommendations"] = len(recommendations)
    # How the applicant's views on the draft plan were considered, when it was sent them.
    asked = review is not None and review.draft_shared_on is not None
    context["views_asked"] = asked
    context["views_given"] = bool(asked and review and review.applicant_views)
    context["views_due"] = long_date(review.views_due_on) if review and review.views_due_on else ""
    context["views_considered"] = (
        review.views_considered if review and review.views_considered else ""
    ) or "The chair recorded nothing more about them."
    context["updates"] = WholeBlock(
        quoted(
            answers,
            "updates",
            "how the applicant will be kept updated",
            str(answers.get("updates", "")),
            "We will write to you if anything changes.",
        )
    )
    route, deadline = appeal_route(session, letter_date, tuple(GROUNDS))
    context.update(route)
    facts["appeal_deadline"] = deadline.isoformat()
    facts["appeal_grounds"] = list(GROUNDS)
    return context, facts


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
    done = [action for action in actions if action.status == "done"]
    context: dict[str, Any] = {
        "held_on": (
            long_date(review.held_on) if review is not None and review.held_on is not None else ""
        ),
        "actions_agreed": plural(len(actions), "action"),
        "actions": WholeBlock(
            table(
                ["What was agreed", "Who", "What happened"],
                [
                    (action.action, names.get(action.organisation_id, ""), _outcome(action))
                    for action in actions
                ],
            )
        )
        if actions
        else WholeBlock(),
        "all_done": len(done) == len(actions),
        "appeal_until": "",
        "outcome_sent_on": "",
    }
    if review is not None and review.outcome_letter_sent_on is not None:
        deadline = appeal_deadline(session, review.outcome_letter_sent_on)
        context["outcome_sent_on"] = long_date(review.outcome_letter_sent_on)
        if clock.today() <= deadline:
            context["appeal_until"] = long_date(deadline)
    facts: dict[str, Any] = {"actions_done": len(done), "actions_closed": len(actions) - len(done)}
    if review is not None:
        facts["review_number"] = review.number
    return context, facts


def _outcome(action: Recommendation) -> str:
    when = f" on {long_date(action.completed_on)}" if action.completed_on else ""
    if action.status == "done":
        return f"Done{when}"
    return f"Closed without being done{when}"
