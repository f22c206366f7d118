"""Who may be appointed to chair a review: a review chair's account, or a chair on the area's
list who has no account yet.

A listed chair is someone the area has already agreed may chair its reviews, so appointing one
who has never signed in does not wait for an administrator: the appointment creates their
review chair's account, under the organisation the list names (or, for a chair from an outside
body such as a neighbouring partnership, an organisation of that body's name, which takes part
in no case), and emails them an invitation to choose a password, or to sign in with their
organisation's own account where it has one. The account and the invitation are recorded in
the audit trail as the appointer's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from engine.chasing.notifications import notify
from engine.core import audit
from engine.core.area import service_url
from engine.core.counters import kept_digest
from engine.core.models import Organisation, User
from engine.people.accounts import add_user
from engine.people.passwords import INVITATION_LIFETIME, issue_invitation_link
from engine.people.provider_sign_in import allows_password

# The keys of organisations made for outside bodies' chairs start so, apart from the area's.
OUTSIDE_KEY = "outside-"
INVITATION_SUBJECT = "You have been appointed to chair an ASB case review"


def review_chair(session: Session, email: str) -> User | None:
    """The active user with this email address who is a review chair, or None."""
    found = (
        session.execute(
            select(User)
            .where(User.email == email.strip().lower(), User.active.is_(True))
            .options(joinedload(User.role_rows))
        )
        .unique()
        .scalar_one_or_none()
    )
    return found if found is not None and found.has_role("review_chair") else None


def create_listed_chair(
    session: Session, entry: Mapping[str, Any], appointer: User, case_id: int
) -> User:
    """The review chair's account of a chair on the area's list with none (``entry``, from
    ``independence.listed_newcomer``), invited by email; recorded as ``appointer``'s, in the
    trail of the case they are appointed to."""
    organisation = _organisation(session, entry, appointer)
    chair = add_user(
        session,
        email=str(entry["email"]),
        name=str(entry["name"]),
        organisation_key=organisation.key,
        roles=["review_chair"],
        password=None,
        actor=appointer,
    )
    audit.record(
        session,
        "user.created_for_chair_list",
        user=appointer,
        case_id=case_id,
        object_type="user",
        object_id=chair.id,
        detail={"name": chair.name, "email": chair.email, "organisation": organisation.key},
    )
    _invite(session, chair, organisation, appointer)
    return chair


def _organisation(session: Session, entry: Mapping[str, Any], appointer: User) -> Organisation:
    """The area organisation the list names, or the outside body's own (made once)."""
    key = str(entry["organisation_key"]) or _outside_key(str(entry["organisation_name"]))
    found = session.scalar(select(Organisation).where(Organisation.key == key))
    if found is not None:
        return found
    outside = Organisation(key=key, name=str(entry["organisation_name"]), kind="other")
    session.add(outside)
    session.flush()
    audit.record(
        session,
        "organisation.created_for_chair_list",
        user=appointer,
        object_type="organisation",
        object_id=outside.id,
        detail={"key": key, "name": outside.name},
    )
    return outside


def _outside_key(name: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return f"{OUTSIDE_KEY}{words}"[:100]


def _invite(session: Session, chair: User, organisation: Organisation, appointer: User) -> None:
    site = service_url(session)
    if allows_password(organisation):
        token = issue_invitation_link(session, chair, appointer)
        days = INVITATION_LIFETIME.days
        how = [
            f"To start, choose your password with this link within {days} days. It works once:",
            f"{site}/sign-in/reset/{token}",
            "",
            f"If it has stopped working, ask for a new one at {site}/sign-in/forgotten.",
        ]
        key = f"chair_invitation:{kept_digest(token)[:32]}"
    else:
        audit.record(
            session, "user.invited", user=appointer, object_type="user", object_id=chair.id
        )
        how = [f"Sign in at {site}/sign-in with your {organisation.name} account."]
        key = f"chair_invitation:user:{chair.id}"
    notify(
        session,
        key=key,
        kind="chair_invitation",
        subject=INVITATION_SUBJECT,
        body="\n".join(
            [
                f"Hello {chair.name},",
                "",
                f"{appointer.name} has appointed you to chair an ASB case review, as one of "
                "the area's listed review chairs. The service has made you a review chair's "
                f"account under this address ({chair.email}).",
                "",
                *how,
                "",
                "You will then see the case and your tasks. If you did not expect this, tell "
                f"{appointer.name} or the service's administrator.",
            ]
        ),
        user=chair,
    )
