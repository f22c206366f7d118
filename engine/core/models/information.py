"""Information from other public bodies: the persons exercising public functions (the Youth
Offending Service, social care, schools) that the relevant bodies may ask for information for
a case review (Schedule 4 of the Anti-social Behaviour, Crime and Policing Act 2014), and each
request made of one."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.core.models.area import Organisation
from engine.core.models.base import Base

PUBLIC_BODY_SOURCES = ("area", "administrator")


class PublicBody(Base):
    """A body the council may ask for information: named in the area file or added by an
    administrator. One that is also an organisation of the service (``organisation_id``)
    answers through its own users; any other through a single-use link emailed to its
    contact address."""

    __tablename__ = "public_bodies"
    __table_args__ = (CheckConstraint("source IN ('area','administrator')", name="source"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    source: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    organisation: Mapped[Organisation | None] = relationship()


class InformationRequest(Base):
    """The council asking one public body for information on a case, with the legal basis
    recorded, a deadline and, for a body answering by email, a single-use link of which only
    the sha256 is kept (it expires some working days after the deadline and is spent by the
    answer)."""

    __tablename__ = "information_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    public_body_id: Mapped[int] = mapped_column(ForeignKey("public_bodies.id"), index=True)
    asked: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime]
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Where it went: the contact address by email, or "" for the body's users in the service.
    sent_to: Mapped[str] = mapped_column(String(200), default="")
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    # When the officer who sent it was told it is overdue (once).
    chased_at: Mapped[datetime | None]
    answer: Mapped[str] = mapped_column(Text, default="")
    # "link" for an answer through the emailed link, else the user of the body who answered.
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    public_body: Mapped[PublicBody] = relationship()
