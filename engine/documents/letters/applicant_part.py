"""The facts of the letters of the applicant's part in the review, from the council: the
chair's decision on their part in the meeting (with the reasons, when they are not invited),
and the draft action plan sent for their views. Their wording is in their templates
(``workflows/letters``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.models import Appeal, Case, Organisation
from engine.documents.letters.blocks import Composed, Contact, quoted, table
from engine.documents.letters.wording import WholeBlock
from engine.documents.word import long_date
from engine.review.applicant_part import CHOICES, applicant_part
from engine.review.reviews import current_review


def meeting_part_letter(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    """The chair's decision on the applicant's part in the meeting, sent before it."""
    review = current_review(session, case)
    part = applicant_part(session, case, review)
    meeting = review.meeting_date if review is not None else None
    invited = bool(answers.get("invite"))
    taking_part = part.choice and part.choice != "not_taking_part"
    arrangements = str(answers.get("arrangements") or "").strip()
    context: dict[str, Any] = {
        "invited": invited,
        "meeting_date": long_date(meeting) if meeting else "",
        "taking_part_by": CHOICES[part.choice].lower() if taking_part else "",
        "advocate": (part.advocate_name if taking_part and part.choice == "advocate" else "") or "",
        "arrangements": WholeBlock(
            quoted(answers, "arrangements", "the chair's arrangements", arrangements, "")
        )
        if arrangements
        else WholeBlock(),
        "needs": part.needs or "",
        "reasons": WholeBlock(
            quoted(
                answers,
                "reasons",
                "the chair's reasons for not inviting them",
                str(answers.get("reasons") or ""),
                "No reasons were given.",
            )
        ),
    }
    return context, {"invited": invited}


def draft_plan_letter(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    """The meeting's draft recommendations, for the applicant's views by a date."""
    review = current_review(session, case)
    names = dict(session.execute(select(Organisation.id, Organisation.name)).all())
    rows = list(review.recommendations) if review is not None else []
    due = review.views_due_on if review is not None else None
    plan = table(
        ["What will be done", "Who will do it", "By when"],
        [(r.action, names.get(r.organisation_id, ""), long_date(r.due_date)) for r in rows],
    )
    context = {"plan": WholeBlock(plan), "views_due": long_date(due) if due else ""}
    facts = {"views_due_on": due.isoformat() if due else None, "recommendations": len(rows)}
    return context, facts
