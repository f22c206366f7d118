"""Telling an organisation's managers that a colleague signed in through the organisation's
own account for the first time and waits for roles."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.chasing.notifications import notify
from engine.core.area import service_url
from engine.core.models import User, UserRole

SUBJECT = "Someone is waiting for access to the ASB Case Review service"


def tell_managers_someone_waits(session: Session, person: User) -> int:
    """Notify each active manager of ``person``'s organisation, or the administrators where it
    has none, once per person; how many were told."""
    managers = _active_with_role(session, "manager", person.organisation_id)
    told = 0
    for manager in managers or _active_with_role(session, "administrator", None):
        written = notify(
            session,
            key=f"access-waiting:{person.id}:{manager.id}",
            kind="access_waiting",
            subject=SUBJECT,
            body=(
                f"{person.name} ({person.email}) has signed in with their organisation's "
                "account for the first time. They cannot do anything in the service until "
                "you give them the roles their work needs, or turn them away if they should "
                "not use it:\n\n"
                f"{service_url(session)}/people/waiting"
            ),
            user=manager,
        )
        told += written is not None
    return told


def _active_with_role(session: Session, role: str, organisation_id: int | None) -> list[User]:
    query = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.active.is_(True), UserRole.role == role)
        .order_by(User.id)
    )
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    return list(session.scalars(query))
