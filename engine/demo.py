"""Demonstration users, one for each role, so a newcomer can sign in and look around."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts import add_user
from engine.models import User

DEMO_PASSWORD = "casereview-demo"


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    organisation: str
    roles: tuple[str, ...]


DEMO_USERS = (
    DemoUser(
        "caseworker@dales.example.org",
        "Carys Walker",
        "derbyshire-dales-district-council",
        ("caseworker",),
    ),
    DemoUser(
        "manager@dales.example.org",
        "Mohammed Khan",
        "derbyshire-dales-district-council",
        ("manager", "caseworker"),
    ),
    DemoUser(
        "caseworker@erewash.example.org", "Erin Shaw", "erewash-borough-council", ("caseworker",)
    ),
    DemoUser(
        "police@derbyshire.example.org",
        "PC Priya Patel",
        "derbyshire-constabulary",
        ("agency_officer",),
    ),
    DemoUser(
        "police.manager@derbyshire.example.org",
        "Insp. Paul Green",
        "derbyshire-constabulary",
        ("manager", "agency_officer"),
    ),
    DemoUser(
        "housing@dales-housing.example.org", "Hannah Brooks", "dales-housing", ("agency_officer",)
    ),
    DemoUser(
        "health@icb.example.org", "Dr Helen Jones", "derby-derbyshire-icb", ("agency_officer",)
    ),
    DemoUser(
        "chair@highpeak.example.org",
        "Claire Morgan",
        "high-peak-borough-council",
        ("review_chair",),
    ),
    DemoUser("opcc@opcc.example.org", "Owen Price", "opcc-derbyshire", ("agency_officer",)),
    DemoUser("opcc.manager@opcc.example.org", "Olivia Reid", "opcc-derbyshire", ("manager",)),
    DemoUser(
        "process.owner@derbyshire.example.org",
        "Pat Owens",
        "derbyshire-dales-district-council",
        ("process_owner",),
    ),
    DemoUser(
        "admin@derbyshire.example.org",
        "Alex Adams",
        "derbyshire-dales-district-council",
        ("administrator",),
    ),
)


def load_demo_users(session: Session, password: str = DEMO_PASSWORD) -> list[DemoUser]:
    """Create the demo users that do not exist yet; returns every demo user."""
    existing = set(session.scalars(select(User.email)))
    for demo in DEMO_USERS:
        if demo.email not in existing:
            add_user(
                session,
                email=demo.email,
                name=demo.name,
                organisation_key=demo.organisation,
                roles=demo.roles,
                password=password,
            )
    return list(DEMO_USERS)
