"""Reviews of a case, the applicant's part in them, the actions they recommend, and appeals
against a decision."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.core.models.area import Organisation
from engine.core.models.base import Base


class Review(Base):
    """One case review of a case; a second one follows an upheld appeal."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("case_id", "number"),
        Index("ix_reviews_held_on", "held_on"),
        # The oversight figures: each first review's dates and the applicant's part in it.
        Index(
            "ix_reviews_case_number_dates",
            "case_id",
            "number",
            "held_on",
            "outcome_letter_sent_on",
            "applicant_took_part",
        ),
        # The reviews held in a year, how the applicant took part, their case (a council's
        # district) and their id (their recommendations), read from the index alone.
        Index("ix_reviews_held", "held_on", "applicant_took_part", "case_id", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    chair_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    meeting_date: Mapped[date | None] = mapped_column(Date)
    # Why the meeting was arranged later than the area's timescale allows, when it was.
    beyond_timescale_reason: Mapped[str | None] = mapped_column(Text)
    held_on: Mapped[date | None] = mapped_column(Date)
    # The meeting was held on another day than the one arranged, as its record says; the
    # only way it may have been held before that day.
    rescheduled: Mapped[bool | None]
    attendees: Mapped[list[str] | None] = mapped_column(JSON)
    findings: Mapped[str] = mapped_column(Text, default="")
    outcome_letter_sent_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]
    # The chair's decision on inviting the applicant to the meeting, and why not.
    applicant_invited: Mapped[bool | None]
    not_invited_reasons: Mapped[str | None] = mapped_column(Text)
    # Whether and how the applicant took part, as the meeting record says (MEETING_PARTS).
    applicant_took_part: Mapped[str | None] = mapped_column(String(30))
    # The draft action plan shared with the applicant, and their views on it: given on their
    # own pages ("online") or passed on by the council ("council").
    draft_shared_on: Mapped[date | None] = mapped_column(Date)
    views_due_on: Mapped[date | None] = mapped_column(Date)
    applicant_views: Mapped[str | None] = mapped_column(Text)
    views_received_at: Mapped[datetime | None]
    views_received_by: Mapped[str | None] = mapped_column(String(20))
    # How the chair considered them in the final plan.
    views_considered: Mapped[str | None] = mapped_column(Text)
    # The body the chair comes from as appointed (their organisation, or the outside body the
    # area's list of chairs names), and the organisations taking part in the case they come
    # from: [] for a chair independent of the case, None for one appointed before it was asked.
    chair_body: Mapped[str | None] = mapped_column(String(300))
    chair_taking_part: Mapped[list[str] | None] = mapped_column(JSON)
    # A chair from an organisation taking part needs a manager's reason, kept with who gave it.
    chair_reason: Mapped[str | None] = mapped_column(Text)
    chair_reason_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    chair_reason_at: Mapped[datetime | None]
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="Recommendation.id"
    )


# How an applicant may take part in the first part of the review meeting.
PART_CHOICES = ("in_person", "remotely", "advocate", "written_statement", "not_taking_part")
# How they did, as the meeting record says: as chosen, or not at all.
MEETING_PARTS = (*PART_CHOICES[:-1], "did_not_take_part", "not_invited")


class MeetingPart(Base):
    """How the applicant wants to take part in their case's review meeting, asked once the
    threshold is met; they may change it until the meeting is recorded."""

    __tablename__ = "meeting_parts"
    __table_args__ = (
        CheckConstraint(
            "choice IN ('in_person','remotely','advocate','written_statement','not_taking_part')",
            name="choice",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    choice: Mapped[str] = mapped_column(String(30))
    advocate_name: Mapped[str] = mapped_column(String(200), default="")
    advocate_relationship: Mapped[str] = mapped_column(String(200), default="")
    statement: Mapped[str] = mapped_column(Text, default="")
    # Communication needs or reasonable adjustments, in the applicant's words.
    needs: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ChairDeclaration(Base):
    """A review's chair declaring whether they have a conflict of interest with the case's
    agencies. The chair may declare again; the latest declaration of the review's current
    chair is the one that stands. One made once the meeting was recorded is kept as made
    after the meeting, and leaves the meeting as it was."""

    __tablename__ = "chair_declarations"
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    chair_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    conflict: Mapped[bool]
    details: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime]
    after_meeting: Mapped[bool] = mapped_column(default=False)


class Recommendation(Base):
    """An action a review recommends, owned by one organisation, tracked until done."""

    __tablename__ = "recommendations"
    __table_args__ = (
        CheckConstraint("status IN ('open','done','closed')", name="status"),
        # The oversight figures: whether each was done, and by its due date.
        Index("ix_recommendations_review_dates", "review_id", "due_date", "completed_on", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    action: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    notes: Mapped[str] = mapped_column(Text, default="")
    completed_on: Mapped[date | None] = mapped_column(Date)
    review: Mapped[Review] = relationship(back_populates="recommendations")
    organisation: Mapped[Organisation] = relationship()


class Appeal(Base):
    """An appeal to the OPCC against a threshold decision or a review."""

    __tablename__ = "appeals"
    __table_args__ = (
        CheckConstraint("outcome IS NULL OR outcome IN ('upheld','not_upheld')", name="outcome"),
        Index("ix_appeals_received_on", "received_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    letter_date: Mapped[date] = mapped_column(Date)
    grounds: Mapped[list[str]] = mapped_column(JSON, default=list)
    details: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(20), default="online")
    eligible: Mapped[bool | None]
    eligibility_reasons: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_reasons: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]
