"""Cases: the application, its incidents, the history of its status and the organisations
taking part in it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.core.models.area import District, Organisation
from engine.core.models.base import Base

PARTICIPANT_ROLES = ("council", "police", "housing", "health", "chair", "opcc")
CASE_STATUSES = (
    "received",
    "screening",
    "awaiting_information",
    "threshold_decision",
    "review_being_arranged",
    "review_held",
    "action_plan",
    "closed",
    "appeal_lodged",
    "appeal_decided",
)
DECISION_BASES = ("count", "discretion", "vulnerability", "declined")
APPLYING_AS = ("person", "business", "community_group")
RISK_LEVELS = ("standard", "medium", "high")


class Case(Base):
    """One application for a case review, and what was decided about it."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(
            "applying_as IN ('person','business','community_group')", name="applying_as"
        ),
        CheckConstraint("risk_level IN ('standard','medium','high')", name="risk_level"),
        Index("ix_cases_district_received", "district_id", "received_on"),
        # The cases list, newest first, and narrowed by status.
        Index("ix_cases_received", "received_on", "id"),
        Index("ix_cases_status_received", "status", "received_on"),
        # The oversight figures (engine.review.oversight): the dates of each step from receipt,
        # the acknowledgement's in the order they are grouped (with the id, which PostgreSQL
        # joins the first reviews by), and the threshold decisions by day and by district and
        # day, read from the indexes alone.
        Index(
            "ix_cases_oversight",
            "received_on",
            "acknowledged_on",
            "risk_level",
            "decided_on",
            "district_id",
            "threshold_met",
            "decision_basis",
            "id",
        ),
        Index("ix_cases_decided", "decided_on", "threshold_met", "decision_basis", "district_id"),
        Index(
            "ix_cases_district_decided",
            "district_id",
            "decided_on",
            "threshold_met",
            "decision_basis",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    status: Mapped[str] = mapped_column(String(40), default="received")
    received_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(20), default="online")
    # Personal data of the applicant (and the victim when someone applies on their behalf).
    applicant: Mapped[dict[str, Any]] = mapped_column(default=dict)
    victim: Mapped[dict[str, Any] | None]
    # What the application says beside its incidents (where the behaviour happens, who is
    # believed responsible, witnesses, the outcome wanted, communication needs, the format of
    # letters): personal data too, read through ``engine.cases.details``.
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The words the case is found by (its reference, the names, addresses and postcodes above
    # and where the behaviour happens), kept in step as they change and indexed by each
    # database's text search (``engine.core.models.case_search``).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Who applies: a person (for themselves, or for someone else with ``on_behalf``), or a
    # business or community group through a named contact (the applicant, whose
    # ``organisation`` names it).
    applying_as: Mapped[str] = mapped_column(String(20), default="person", server_default="person")
    # Applications about the same behaviour, linked by the council to one (the first, which
    # has none) so that an area's community threshold counts the individuals across them.
    linked_to_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    on_behalf: Mapped[bool] = mapped_column(default=False)
    victim_consent: Mapped[bool] = mapped_column(default=False)
    # Whether there is a hate element, as screening found (the application's answer until the
    # case is screened).
    hate_element: Mapped[bool] = mapped_column(default=False)
    # The applicant's own answer, as given on the application, kept beside the screened one;
    # None for a case screened before the service kept it.
    applicant_hate_element: Mapped[bool | None]
    # Why screening found otherwise than the applicant; None where it agreed.
    hate_element_reason: Mapped[str | None] = mapped_column(Text)
    impact: Mapped[str] = mapped_column(Text, default="")
    # The council's risk and vulnerability assessment after screening (``engine.cases.risk``):
    # its level, and the answers with who assessed it and when (personal data: erased with
    # the rest). None until it is done.
    risk_level: Mapped[str | None] = mapped_column(String(20))
    risk: Mapped[dict[str, Any] | None]
    # The threshold decision, as recorded (never a running counter).
    threshold_met: Mapped[bool | None]
    decision_basis: Mapped[str | None] = mapped_column(String(20))
    decided_on: Mapped[date | None] = mapped_column(Date)
    # The day (in UTC) the application's acknowledgement was first completed, written with
    # the completion (``engine.procedure.application_steps``), for the oversight figures.
    acknowledged_on: Mapped[date | None] = mapped_column(Date)
    # A vulnerable victim decision: the manager of the managing council named as the senior
    # officer who decided, and when they confirmed it (the threshold is recorded only then).
    senior_officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    senior_officer_confirmed_at: Mapped[datetime | None]
    closed_on: Mapped[date | None] = mapped_column(Date)
    # When the retention period ran out and the personal data was erased (the facts stay).
    erased_on: Mapped[date | None] = mapped_column(Date)
    # The applicant's single point of contact: a named officer of the council managing the
    # review (whoever acknowledged the application, unless a manager named another).
    contact_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    district: Mapped[District] = relationship()
    participants: Mapped[list[CaseParticipant]] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )
    incidents: Mapped[list[Incident]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Incident.occurred_on"
    )


class Incident(Base):
    """One report of behaviour, from the application or from an agency's information return."""

    __tablename__ = "incidents"
    __table_args__ = (CheckConstraint("mark IN ('duplicate','separate','unrelated')", name="mark"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(100), default="application")
    occurred_on: Mapped[date] = mapped_column(Date)
    reported_on: Mapped[date] = mapped_column(Date)
    reported_to: Mapped[str] = mapped_column(String(100), default="")
    reference: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # Who it was told to, in the applicant's words, when it was none of the bodies offered
    # (``reported_to`` is then "other"): kept and shown, never counted.
    reported_to_other: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime]
    # What the council's staff said about it for the threshold count (``threshold.MARKS``),
    # why, who and when; a duplicate names the report it repeats.
    mark: Mapped[str | None] = mapped_column(String(20))
    mark_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL")
    )
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[datetime | None]
    case: Mapped[Case] = relationship(back_populates="incidents")


class CaseStatusChange(Base):
    """The history of a case's status: every move, when and by whom."""

    __tablename__ = "case_status_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CaseParticipant(Base):
    """An organisation playing a role (a BPMN lane) on one case."""

    __tablename__ = "case_participants"
    __table_args__ = (
        UniqueConstraint("case_id", "organisation_id", "role"),
        CheckConstraint(
            "role IN ('council','police','housing','health','chair','opcc')", name="role"
        ),
        Index("ix_case_participants_organisation_case", "organisation_id", "case_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    role: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    case: Mapped[Case] = relationship(back_populates="participants")
    organisation: Mapped[Organisation] = relationship()
