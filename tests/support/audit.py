"""The audit trail as it is stored: a case to look at, a user as the trail names them, every
event in the order of the chain, and tampering as someone with the database in hand could."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, text
from sqlalchemy.orm import selectinload

from engine.cases.opening import open_case
from engine.core.db import Database
from engine.core.models import AuditEvent, User


def user(db: Database, email: str) -> User:
    """The user with ``email``, active or not, their role rows loaded."""
    with db.read() as session:
        return session.scalars(
            select(User).where(User.email == email).options(selectinload(User.role_rows))
        ).one()


def a_case(db: Database) -> str:
    """A case opened in Derbyshire Dales: its reference."""
    with db.transaction() as session:
        return open_case(session, "derbyshire-dales", date(2026, 2, 20)).reference


def events(db: Database) -> list[AuditEvent]:
    """The whole trail, in the order of the chain."""
    with db.read() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def tamper(db: Database, statement: str, **params: object) -> None:
    """What someone with direct access to the database could do: switch the guard off, edit."""
    with db.writer.begin() as connection:
        if db.is_sqlite:
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_update")
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_delete")
        else:
            connection.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER USER")
        connection.execute(text(statement), params)
