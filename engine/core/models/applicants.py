"""The applicant's way in: one-time codes that open their own case, with no password."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
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
