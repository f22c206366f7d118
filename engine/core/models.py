"""The stored shape of the service. Every change here comes with an Alembic migration."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from engine.core.db import UTCDateTime

ROLES = (
    "caseworker",
    "agency_officer",
    "manager",
    "review_chair",
    "process_owner",
    "administrator",
)
ORGANISATION_KINDS = ("council", "police", "housing", "health", "opcc", "other")
PARTICIPANT_ROLES = ("council", "police", "housing", "health", "chair", "opcc")
TASK_STATES = ("open", "claimed", "completed", "cancelled")
LIVE_TASK_STATES = ("open", "claimed")
# The same, as SQL: the condition of the partial indexes on live tasks.
LIVE_TASKS_SQL = f"state IN ({', '.join(repr(state) for state in LIVE_TASK_STATES)})"
# Row ids are 32-bit integers (PostgreSQL's integer); a larger number names nothing.
MAX_ROW_ID = 2**31 - 1


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


class Area(Base):
    """The county this deployment serves, with its settings (timescales, threshold count)."""

    __tablename__ = "areas"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    loaded_at: Mapped[datetime]


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('council','police','housing','health','opcc','other')", name="kind"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    districts: Mapped[list[District]] = relationship(
        secondary="organisation_districts",
        back_populates="organisations",
        order_by="District.position",
    )


class District(Base):
    __tablename__ = "districts"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)
    lead_council_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    spoc_name: Mapped[str] = mapped_column(String(200), default="")
    spoc_email: Mapped[str] = mapped_column(String(200), default="")
    spoc_phone: Mapped[str] = mapped_column(String(50), default="")
    lead_council: Mapped[Organisation | None] = relationship(foreign_keys=[lead_council_id])
    organisations: Mapped[list[Organisation]] = relationship(
        secondary="organisation_districts", back_populates="districts"
    )


class OrganisationDistrict(Base):
    __tablename__ = "organisation_districts"
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    district_id: Mapped[int] = mapped_column(
        ForeignKey("districts.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    organisation: Mapped[Organisation] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", order_by="UserRole.role"
    )

    @property
    def roles(self) -> list[str]:
        return [row.role for row in self.role_rows]

    def has_role(self, role: str) -> bool:
        return role in self.roles


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (
        CheckConstraint(
            "role IN ('caseworker','agency_officer','manager','review_chair',"
            "'process_owner','administrator')",
            name="role",
        ),
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(30), primary_key=True)


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


class Case(Base):
    """One application for a case review, and what was decided about it."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_district_received", "district_id", "received_on"),)
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
    on_behalf: Mapped[bool] = mapped_column(default=False)
    victim_consent: Mapped[bool] = mapped_column(default=False)
    hate_element: Mapped[bool] = mapped_column(default=False)
    impact: Mapped[str] = mapped_column(Text, default="")
    # The threshold decision, as recorded (never a running counter).
    threshold_met: Mapped[bool | None]
    decision_basis: Mapped[str | None] = mapped_column(String(20))
    decided_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    # When the retention period ran out and the personal data was erased (the facts stay).
    erased_on: Mapped[date | None] = mapped_column(Date)
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
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(100), default="application")
    occurred_on: Mapped[date] = mapped_column(Date)
    reported_on: Mapped[date] = mapped_column(Date)
    reported_to: Mapped[str] = mapped_column(String(100), default="")
    reference: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
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


class ProcessDefinition(Base):
    """One deployed version of a BPMN diagram. Versions are never changed once deployed."""

    __tablename__ = "process_definitions"
    __table_args__ = (UniqueConstraint("key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(200), default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    spec_json: Mapped[str] = mapped_column(Text)
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deployed_at: Mapped[datetime]


class ProcessInstance(Base):
    __tablename__ = "process_instances"
    __table_args__ = (
        CheckConstraint("state IN ('running','completed','failed','cancelled')", name="state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="running")
    workflow_json: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(default=1)
    next_timer_at: Mapped[datetime | None] = mapped_column(index=True)
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    definition: Mapped[ProcessDefinition] = relationship()
    case: Mapped[Case] = relationship()


class Task(Base):
    """A human task that became ready in a workflow: what inboxes list, without the workflow."""

    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("instance_id", "spiff_task_id"),
        CheckConstraint("state IN ('open','claimed','completed','cancelled')", name="state"),
        Index("ix_tasks_assignee_state_due", "assignee_id", "state", "due_on"),
        Index("ix_tasks_instance_state", "instance_id", "state"),
        Index("ix_tasks_state_due", "state", "due_on"),
        # The daily sweep's: PostgreSQL walks the live tasks in the order they fall due to be
        # chased and stops at a batch (finished tasks keep their last date, so they are left
        # out); SQLite, which plans without statistics, reads the due range of each live state
        # and sorts it.
        Index("ix_tasks_state_next_chase", "state", "next_chase_on"),
        Index(
            "ix_tasks_live_next_chase",
            "next_chase_on",
            "id",
            postgresql_where=text(LIVE_TASKS_SQL),
            sqlite_where=text(LIVE_TASKS_SQL),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    spec_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    form: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20), default="open")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    data: Mapped[dict[str, Any] | None]
    draft: Mapped[dict[str, Any] | None]
    # Chasing late work: the BPMN's overrides of the area's reminder and escalation settings,
    # the next day a reminder or escalation falls due (what the sweep's index range reads),
    # and what has been done so far.
    chase: Mapped[dict[str, Any] | None]
    next_chase_on: Mapped[date | None] = mapped_column(Date)
    reminded_at: Mapped[datetime | None]
    escalation_level: Mapped[int] = mapped_column(default=0, server_default="0")
    escalated_at: Mapped[datetime | None]
    # How many times the task passed to someone else undone (a review's new chair): each
    # holder is reminded of it once, however often it comes back to them.
    handovers: Mapped[int] = mapped_column(default=0, server_default="0")
    instance: Mapped[ProcessInstance] = relationship()
    case: Mapped[Case] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])
    candidates: Mapped[list[TaskCandidate]] = relationship(cascade="all, delete-orphan")

    @property
    def organisation_ids(self) -> list[int]:
        return [candidate.organisation_id for candidate in self.candidates]

    def is_for(self, user: User) -> bool:
        """Whether the user may do the task: their organisation's, unless one person alone
        plays its lane for the organisation (a review chair), who must then be the user."""
        return any(candidate.is_for(user) for candidate in self.candidates)


class TaskCandidate(Base):
    """An organisation whose users may claim and complete a task (its lane's role on the case)."""

    __tablename__ = "task_candidates"
    __table_args__ = (
        Index("ix_task_candidates_organisation_state_due", "organisation_id", "state", "due_on"),
        Index(
            "ix_task_candidates_organisation_state_district_due",
            "organisation_id",
            "state",
            "district_id",
            "due_on",
        ),
    )
    task_id: Mapped[int] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    # Copied from the task so an organisation's inbox is one index range scan.
    state: Mapped[str] = mapped_column(String(20), default="open")
    due_on: Mapped[date | None] = mapped_column(Date)
    # The case's district, so an inbox narrowed to one district is one index range too.
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    # Set when the organisation plays the task's lane through one person alone (a review
    # chair): the organisation's other people take no part in the case, so they neither see
    # the task in their inboxes nor hear when it is late.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def is_for(self, user: User) -> bool:
        return self.organisation_id == user.organisation_id and self.user_id in (None, user.id)


class AuditEvent(Base):
    """Append-only record of every look at personal data and every change: who, for which
    organisation, when and what. Rows are hash-chained (``engine.core.audit``) and the database
    refuses to update or delete them (``AUDIT_APPEND_ONLY_DDL``)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_case_at", "case_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # The place in the chain, the hash of the event before and this event's own hash.
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    action: Mapped[str] = mapped_column(String(60))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


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


NOTIFICATION_STATES = ("pending", "sent", "failed", "not_sent", "withdrawn")


class Notification(Base):
    """A message to a person: shown in the service, and the outbox row that mails it.

    Written in the same transaction as the event it tells of. ``key`` makes each reminder,
    escalation or letter unique, so a sweep run twice cannot send it twice.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(
            "state IN ('pending','sent','failed','not_sent','withdrawn')", name="state"
        ),
        Index("ix_notifications_state_next_attempt", "state", "next_attempt_at"),
        Index("ix_notifications_user_created", "user_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    email: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))
    # Delivery by email; "not_sent" when there is no address to send to, "withdrawn" when
    # what it tells stopped being the recipient's business before it went (``last_error``
    # says why).
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]


class Lease(Base):
    """A named lease held by one process until it expires: who leads the scheduler."""

    __tablename__ = "leases"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime]


class Attachment(Base):
    """A supporting file an agency attached to a task: kept with its sha256, need-to-know."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    organisation: Mapped[Organisation] = relationship()


class Document(Base):
    """A generated Word document (meeting pack, letter, statistics report), kept as made."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("case_id", "kind", "version"),
        CheckConstraint("delivery IS NULL OR delivery IN ('email','post')", name="delivery"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(default=1)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Letters: how they went to the applicant, when and by whom.
    delivery: Mapped[str | None] = mapped_column(String(10))
    dispatched_at: Mapped[datetime | None]
    dispatched_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id"))


class ApiToken(Base):
    """A bearer token for the JSON API; only its sha256 is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]


class SignInThrottle(Base):
    """Failed sign-ins counted per account and per network address.

    Kept in the database, not in a process's memory, so the limit holds however many web
    workers and hosts share the work. ``key`` names what is counted: ``account:`` and the
    sha256 of the email address as typed (so an address with no account is counted the same
    way as a real one, and no typed address is stored), or ``address:`` and the client's IP.
    """

    __tablename__ = "sign_in_throttles"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime] = mapped_column(index=True)
    locked_until: Mapped[datetime | None]


# Tables a library creates and owns in the application database, outside these models and the
# migrations: APScheduler's job store. Migrations leave them alone.
APSCHEDULER_JOBS_TABLE = "apscheduler_jobs"
UNMANAGED_TABLES = frozenset({APSCHEDULER_JOBS_TABLE})

# The mail sender looks up the letter kept for each message it sends.
Index("ix_documents_notification_id", Document.notification_id)

# The audit trail is append-only in the database itself, not only in the service's code: an
# UPDATE or DELETE on it fails. Migration 0008 creates the same triggers.
AUDIT_APPEND_ONLY_DDL = {
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION USING MESSAGE = 'the audit trail is append-only: ' || TG_OP "
        "|| ' refused'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    ],
    "sqlite": [
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN "
        "SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE refused'); END",
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN "
        "SELECT RAISE(ABORT, 'the audit trail is append-only: DELETE refused'); END",
    ],
}
for _dialect, _statements in AUDIT_APPEND_ONLY_DDL.items():
    for _statement in _statements:
        event.listen(
            AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect)
        )
