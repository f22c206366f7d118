"""Reviews of a case, the actions they recommend, and appeals against a decision."""

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
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    chair_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    meeting_date: Mapped[date | None] = mapped_column(Date)
    held_on: Mapped[date | None] = mapped_column(Date)
    attendees: Mapped[list[str] | None] = mapped_column(JSON)
    findings: Mapped[str] = mapped_column(Text, default="")
    outcome_letter_sent_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="Recommendation.id"
    )


class Recommendation(Base):
    """An action a review recommends, owned by one organisation, tracked until done."""

    __tablename__ = "recommendations"
    __table_args__ = (CheckConstraint("status IN ('open','done','closed')", name="status"),)
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
