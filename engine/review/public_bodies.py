"""Other public bodies the council may ask for information for a case review: those the area
file names, and those an administrator adds in the service."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.area import public_body_email_problem
from engine.core.errors import InvalidData, NotAllowed
from engine.core.models import PublicBody, User

LONGEST_NAME = 200
LONGEST_PHONE = 50
NAME_NEEDED = "Enter the body's name"
NAME_TAKEN = "There is already a public body with this name"


def public_bodies(session: Session) -> list[PublicBody]:
    """Every body the council may ask, by name."""
    return list(session.scalars(select(PublicBody).order_by(PublicBody.name, PublicBody.id)))


def may_manage_bodies(user: User) -> bool:
    return user.active and user.has_role("administrator")


def add_public_body(session: Session, user: User, form: Mapping[str, Any]) -> PublicBody:
    """An administrator adds a body. ``NotAllowed`` for anyone else; ``InvalidData`` (by
    field) for a name missing or taken, or a contact address or telephone number that cannot
    be used, every problem at once."""
    if not may_manage_bodies(user):
        raise NotAllowed("only an administrator adds public bodies")
    name = " ".join(str(form.get("name") or "").split())
    email = str(form.get("email") or "").strip()
    phone = str(form.get("phone") or "").strip()
    problems = {}
    if not name:
        problems["name"] = NAME_NEEDED
    elif len(name) > LONGEST_NAME:
        problems["name"] = f"The name must be {LONGEST_NAME} characters or fewer"
    elif session.scalar(select(PublicBody.id).where(func.lower(PublicBody.name) == name.lower())):
        problems["name"] = NAME_TAKEN
    email_problem = public_body_email_problem(email)
    if email_problem or len(email) > LONGEST_NAME:
        problems["email"] = "Enter an email address in the correct format, like name@example.org"
    if len(phone) > LONGEST_PHONE:
        problems["phone"] = f"The telephone number must be {LONGEST_PHONE} characters or fewer"
    if problems:
        raise InvalidData("The public body needs correcting", problems)
    body = PublicBody(
        key=_free_key(session, name),
        name=name,
        email=email,
        phone=phone,
        source="administrator",
        created_at=clock.now(),
    )
    session.add(body)
    session.flush()
    audit.record(
        session,
        "public_body.added",
        user=user,
        object_type="public_body",
        object_id=body.key,
        detail={"name": name},
    )
    return body


def _free_key(session: Session, name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:90] or "body"
    taken = set(session.scalars(select(PublicBody.key).where(PublicBody.key.like(f"{base}%"))))
    key, number = base, 1
    while key in taken:
        number += 1
        key = f"{base}-{number}"
    return key
