"""The applicant's way in: one-time codes that open their own case, with no password; and
the check-ins after a case closes, asking whether the behaviour goes on."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.core.models.base import Base


class ApplicantCode(Base):
    """A code that lets the applicant into their case once: a link sent by email, or a code
    printed on a posted letter (used with the postcode). Only its sha256 is kept; it expires,
    and it stops working once used."""

    __tablename__ = "applicant_codes"
    __table_args__ = (CheckConstraint("channel IN ('email','letter')", name="channel"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # Who asked for it: "application", "letter", "applicant" (a new link asked for) or a
    # member of staff's user id, as "user:<id>".
    issued_for: Mapped[str] = mapped_column(String(40), default="")


class CheckIn(Base):
    """One follow-up after a case closed: "Is the anti-social behaviour still happening?",
    due some months after the closure (the area's ``follow_up_months``).

    By email the applicant answers from a one-time link, of which only the sha256 is kept
    (it expires and works once); by post the case's contact asks them and records the answer.
    """

    __tablename__ = "check_ins"
    __table_args__ = (
        UniqueConstraint("case_id", "due_on", "months"),
        CheckConstraint("channel IN ('email','post')", name="channel"),
        # The sweep reads only the check-ins not yet sent, by the day they fall due.
        Index("ix_check_ins_unsent_due", "sent_at", "due_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    # Months after the case closed, as the area set it when the case closed.
    months: Mapped[int]
    due_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(10))
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    still_happening: Mapped[bool | None]
    comment: Mapped[str] = mapped_column(Text, default="")
    # "applicant" (from the email's link) or the member of staff who recorded it, "user:<id>".
    answered_by: Mapped[str] = mapped_column(String(40), default="")


class ApplicantToken(Base):
    """A bearer token for the JSON API that an applicant got for a one-time code: it reaches
    their one case and nothing else, and is no member of staff's. Only its sha256 is kept; it
    expires within the hour."""

    __tablename__ = "applicant_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
