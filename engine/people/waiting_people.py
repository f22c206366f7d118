"""People who signed in through their organisation's provider and wait for roles: a manager
of their organisation (or an administrator) gives them roles, or turns them away."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.core import audit
from engine.core.errors import NotFound
from engine.core.models import ROLES, User, UserRole
from engine.people.accounts import AccountError, keep_duties_apart
from engine.people.provider_sign_in import provider_settings


def may_admit(actor: User) -> bool:
    """Whether ``actor`` may see and answer anyone waiting: managers (for their own
    organisation) and administrators (for every organisation)."""
    return actor.has_role("manager") or actor.has_role("administrator")


# A manager gives the roles of their organisation's own case work; chairing reviews and
# changing the area's procedure are for an administrator to give.
MANAGERS_GIVE = ("caseworker", "agency_officer", "manager")


def roles_to_give(actor: User) -> tuple[str, ...]:
    """What ``actor`` may give: an administrator any role; a manager ``MANAGERS_GIVE``."""
    if actor.has_role("administrator"):
        return ROLES
    return MANAGERS_GIVE


def waiting_users(session: Session, actor: User) -> list[User]:
    """Everyone waiting for roles whom ``actor`` may answer, oldest first."""
    query = (
        select(User)
        .where(User.active.is_(True), User.identity_subject.is_not(None), ~User.role_rows.any())
        .options(selectinload(User.organisation), selectinload(User.role_rows))
        .order_by(User.created_at, User.id)
    )
    if not actor.has_role("administrator"):
        query = query.where(User.organisation_id == actor.organisation_id)
    return list(session.scalars(query))


def _waiting(session: Session, actor: User, user_id: int) -> User:
    for user in waiting_users(session, actor):
        if user.id == user_id:
            return user
    raise NotFound("No one with that number is waiting for roles")


def give_roles(session: Session, actor: User, user_id: int, roles: Iterable[str]) -> User:
    """Give the waiting person ``roles``; ``AccountError`` naming the field when they cannot
    be given. Recorded in the audit trail."""
    person = _waiting(session, actor, user_id)
    chosen = sorted(set(roles))
    allowed = roles_to_give(actor)
    if not chosen or any(role not in allowed for role in chosen):
        raise AccountError("Select at least one role", "roles")
    keep_duties_apart(chosen)
    settings = provider_settings(session, person.organisation.key)
    if settings is not None and settings.roles_follow_groups:
        raise AccountError(
            f"{person.organisation.name}'s roles follow the groups its sign-in service puts "
            "people in: ask its IT team to add this person to a group",
            "roles",
        )
    person.role_rows = [UserRole(role=role) for role in chosen]
    session.flush()
    audit.record(
        session,
        "user.changed",
        user=actor,
        object_type="user",
        object_id=person.id,
        detail={
            "before": {"roles": [], "active": True},
            "after": {"roles": chosen, "active": True},
        },
    )
    return person


def turn_away(session: Session, actor: User, user_id: int) -> User:
    """Stop the waiting person's access: signing in through their provider again will not
    bring it back; only an administrator can."""
    person = _waiting(session, actor, user_id)
    person.active = False
    audit.record(
        session,
        "user.changed",
        user=actor,
        object_type="user",
        object_id=person.id,
        detail={"before": {"roles": [], "active": True}, "after": {"roles": [], "active": False}},
    )
    return person
