"""The letters of the applicant's part in the review, from the council: the chair's decision
on their part in the meeting (with the reasons, when they are not invited), and the draft
action plan sent for their views.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.area import service_url
from engine.core.models import Appeal, Case, Organisation
from engine.documents.letters.blocks import Block, Composed, Contact, h, p, quoted, table
from engine.documents.letters.shared import contact_section
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
    when = f" on {long_date(meeting)}" if meeting else ""
    blocks: list[Block] = []
    if answers.get("invite"):
        blocks.append(
            p(
                f"The case review meeting about your application {case.reference} is{when}. "
                "You are invited to take part in its first part, to tell the agencies how the "
                "anti-social behaviour affects you."
            )
        )
        if part.choice and part.choice != "not_taking_part":
            blocks.append(p(f"You told us you want to: {CHOICES[part.choice].lower()}."))
            if part.choice == "advocate" and part.advocate_name:
                blocks.append(p(f"Your advocate or supporter, {part.advocate_name}, is welcome."))
        else:
            blocks.append(
                p(
                    "If you would like to take part, in person, remotely, through an advocate "
                    "or by a written statement, tell us on your case page or contact us."
                )
            )
        arrangements = str(answers.get("arrangements") or "").strip()
        if arrangements:
            blocks += [
                h("Arrangements"),
                quoted(answers, "arrangements", "the chair's arrangements", arrangements, ""),
            ]
        if part.needs:
            blocks += [
                h("Your communication needs"),
                p(f"We have noted what you told us, and the chair has them: {part.needs}"),
            ]
        facts: dict[str, Any] = {"invited": True}
    else:
        blocks += [
            p(
                f"The case review meeting about your application {case.reference} is{when}. "
                "The chair has decided not to invite you to take part in it, for these reasons:"
            ),
            quoted(
                answers,
                "reasons",
                "the chair's reasons for not inviting them",
                str(answers.get("reasons") or ""),
                "No reasons were given.",
            ),
            p(
                "The meeting still considers the effect of the behaviour on you, in the words "
                "of your application. You can still send a written statement for the meeting "
                "from your case page or to the contact below, and we will put it before the "
                "meeting."
            ),
        ]
        facts = {"invited": False}
    blocks += contact_section(council, " about the meeting")
    return "Your part in the case review meeting", blocks, facts


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
    blocks: list[Block] = [
        p(
            f"The case review meeting about your application {case.reference} has agreed a "
            "draft action plan. Before it is final, we would like to know what you think of it."
        ),
        h("The draft action plan"),
        table(
            ["What will be done", "Who will do it", "By when"],
            [(r.action, names.get(r.organisation_id, ""), long_date(r.due_date)) for r in rows],
        ),
        h("Tell us what you think"),
        p(
            f"Give us your views{f' by {long_date(due)}' if due else ''} on your case page, "
            f"{service_url(session)}/your-case, or contact us. The chair reads them before the "
            "plan is final, and our letter with the outcome says how they were considered."
        ),
        p(
            "If we do not hear from you by then, the review goes on and the plan is made "
            "final without your views."
        ),
    ]
    blocks += contact_section(council, " about the plan")
    facts = {"views_due_on": due.isoformat() if due else None, "recommendations": len(rows)}
    return "Your views on the draft action plan", blocks, facts
