"""What the service keeps as it works: the audit trail, notifications and their outbox, the
scheduler's lease, attachments and generated documents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    DDL,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.core.models.area import Organisation
from engine.core.models.base import Base


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
    # Indexed: a step that gives a new task to someone tells them itself, and word of new
    # work, written after it, looks for that rather than telling them twice.
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), index=True)
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
    """A supporting file, kept with its sha256, need-to-know: one an agency attached to a
    task (its organisation and uploader named), one the applicant sent with an appeal
    (``appeal_id``, with no organisation or uploader: the applicant has no account), or one a
    public body sent with its answer to a request for information (``information_request_id``;
    its user and organisation named, or neither when it answered through its link)."""

    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint(
            "appeal_id IS NOT NULL OR information_request_id IS NOT NULL "
            "OR (organisation_id IS NOT NULL AND uploaded_by_id IS NOT NULL)",
            name="uploader",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    appeal_id: Mapped[int | None] = mapped_column(
        ForeignKey("appeals.id", ondelete="CASCADE"), index=True
    )
    information_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("information_requests.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    organisation: Mapped[Organisation | None] = relationship()


class Document(Base):
    """A generated Word document (meeting pack, letter, statistics report), kept as made; and
    the PDF an emailed letter carried (kind ``letter_pdf``), kept beside its letter."""

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
    # A letter: the deployed version of its wording that wrote it (none: the shipped wording).
    letter_template_id: Mapped[int | None] = mapped_column(ForeignKey("letter_templates.id"))


class LetterTemplate(Base):
    """One deployed version of a letter's wording. Versions are never changed once deployed:
    going back to an earlier one deploys its wording again as the newest."""

    __tablename__ = "letter_templates"
    __table_args__ = (UniqueConstraint("kind", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    version: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    # The version whose wording this one deployed again, when it went back to it.
    restored_from: Mapped[int | None]
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    deployed_at: Mapped[datetime]


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
