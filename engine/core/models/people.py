"""The people who use the service: their accounts and roles, their API tokens, the links to
choose a new password, and the count of failed sign-ins that throttles guessing."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.core.models.area import Organisation
from engine.core.models.base import Base

# How someone hears by email of new work for them or their organisation: an email for each
# new task, one summary a day, or no email (their notifications in the service only).
NEW_WORK_EMAILS = ("at_once", "daily", "never")

ROLES = (
    "caseworker",
    "agency_officer",
    "manager",
    "review_chair",
    "process_owner",
    "administrator",
)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("identity_issuer", "identity_subject"),
        CheckConstraint("new_work_email IN ('at_once','daily','never')", name="new_work_email"),
        CheckConstraint(
            "new_work_email <> 'daily' OR digest_time IS NOT NULL", name="daily_digest_time"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # None for someone who signs in only through their organisation's provider.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Who their organisation's OpenID Connect provider says they are (its issuer and their
    # subject there), once they have signed in through it.
    identity_issuer: Mapped[str | None] = mapped_column(String(500))
    identity_subject: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # Every signed-in session carries the number it began with; raising it ends them all.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set with a password an administrator handed over: the user chooses their own before
    # anything else.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # One of NEW_WORK_EMAILS; with "daily", the time of day (UK time) the summary is sent.
    new_work_email: Mapped[str] = mapped_column(
        String(20), default="at_once", server_default="at_once"
    )
    digest_time: Mapped[time | None] = mapped_column(Time)
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


class ApiToken(Base):
    """A bearer token for the JSON API; only its sha256 is stored.

    One got with a password (``POST /api/v1/auth/token``) has no name and the ``full`` scope:
    everything its user may do. A personal access token, made on the account's pages for an
    integration, has a name and a narrower scope: ``read_only`` (GET requests alone) or
    ``routes`` (those listed in ``routes``, as ``GET /api/v1/cases/{reference}``). It is
    revoked, not deleted, so its owner and administrators still see it listed.
    """

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("scope IN ('full','read_only','routes')", name="scope"),
        CheckConstraint(
            "(scope = 'full' AND name IS NULL) OR (scope <> 'full' AND name IS NOT NULL)",
            name="named",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    name: Mapped[str | None] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(20), default="full", server_default="full")
    routes: Mapped[list[str] | None] = mapped_column(JSON)
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class PasswordReset(Base):
    """A link to choose a new password, emailed to someone who has forgotten theirs: only its
    sha256 is stored; it works once, until it expires or a newer one is asked for."""

    __tablename__ = "password_resets"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    superseded_at: Mapped[datetime | None]


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
