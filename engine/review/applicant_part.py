"""The applicant's part in their case review, as the statutory guidance (2025) expects it: how
they want to take part in the meeting, the chair's decision on inviting them, whether they
took part, and their views on the draft action plan with how the chair considered them.

Read here for the chair's task, the meeting pack and the letters alike, so they all say the
same thing in the same words.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.models import Case, MeetingPart, Review

# Each choice as the applicant is offered it, and as the chair and the letters read it.
CHOICES = {
    "in_person": "Come to the first part of the meeting in person",
    "remotely": "Join the first part of the meeting remotely, by video or telephone",
    "advocate": "Send an advocate or supporter to speak for them",
    "written_statement": "Send a written statement",
    "not_taking_part": "Not take part",
}
# Whether and how they took part, as the meeting record says.
TOOK_PART = {
    "in_person": "Yes, in person",
    "remotely": "Yes, remotely",
    "advocate": "Through an advocate or supporter",
    "written_statement": "Through a written statement",
    "did_not_take_part": "No, they did not take part",
    "not_invited": "No, they were not invited",
}
# How views given otherwise than on the applicant's own pages reached the council.
GIVEN_BY = {
    "online": "on their own pages",
    "letter": "by letter",
    "telephone": "by telephone",
    "in_person": "in person",
    "email": "by email",
}


@dataclass(frozen=True)
class ApplicantPart:
    """What the applicant chose and said, and what was decided about it. ``choice`` is ''
    when they have not said how they want to take part."""

    choice: str = ""
    advocate_name: str = ""
    advocate_relationship: str = ""
    statement: str = ""
    needs: str = ""
    chosen_at: datetime | None = None
    invited: bool | None = None
    not_invited_reasons: str = ""
    took_part: str = ""
    draft_shared_on: date | None = None
    views_due_on: date | None = None
    views: str = ""
    views_received_at: datetime | None = None
    views_given_by: str = ""
    views_considered: str = ""

    @property
    def choice_text(self) -> str:
        return CHOICES.get(self.choice, "The applicant has not said yet")

    @property
    def took_part_text(self) -> str:
        return TOOK_PART.get(self.took_part, "")

    @property
    def views_given_text(self) -> str:
        return GIVEN_BY.get(self.views_given_by, self.views_given_by)


def meeting_part(session: Session, case: Case) -> MeetingPart | None:
    return session.scalar(select(MeetingPart).where(MeetingPart.case_id == case.id))


def applicant_part(session: Session, case: Case, review: Review | None) -> ApplicantPart:
    """The applicant's part in ``review`` (the case's current one), with their choice."""
    chosen = meeting_part(session, case)
    said = ApplicantPart()
    if chosen is not None:
        said = ApplicantPart(
            choice=chosen.choice,
            advocate_name=chosen.advocate_name,
            advocate_relationship=chosen.advocate_relationship,
            statement=chosen.statement,
            needs=chosen.needs,
            chosen_at=chosen.updated_at,
        )
    if review is None:
        return said
    return replace(
        said,
        invited=review.applicant_invited,
        not_invited_reasons=review.not_invited_reasons or "",
        took_part=review.applicant_took_part or "",
        draft_shared_on=review.draft_shared_on,
        views_due_on=review.views_due_on,
        views=review.applicant_views or "",
        views_received_at=review.views_received_at,
        views_given_by=review.views_received_by or "",
        views_considered=review.views_considered or "",
    )
