"""Who plays each part in another district: the organisations and officers a copied case uses
instead of the prototype's, demo users made for every district where they are missing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from development.demo import DEMO_PASSWORD, DemoUnavailable
from development.demo_load.prototypes import (
    PROTOTYPE_COUNCIL,
    PROTOTYPE_DISTRICT,
    PROTOTYPE_HOUSING,
)
from engine.core.models import District, Organisation, OrganisationDistrict, User
from engine.people.accounts import add_user


@dataclass(frozen=True)
class DistrictCast:
    """The organisations and officers a copied case uses instead of the prototype's."""

    district_id: int
    district_key: str
    council_key: str
    housing_key: str
    organisations: dict[int, int]
    users: dict[int, int]
    officers: dict[int, int]  # organisation id -> the officer who claims its tasks


def _ensure_user(
    session: Session, email: str, name: str, organisation: str, roles: tuple[str, ...]
) -> int:
    user_id = session.scalar(select(User.id).where(User.email == email))
    if user_id is None:
        user_id = add_user(
            session,
            email=email,
            name=name,
            organisation_key=organisation,
            roles=roles,
            password=DEMO_PASSWORD,
        ).id
    return user_id


def district_casts(session: Session) -> list[DistrictCast]:
    """For every district: its council and a housing provider, with an officer and manager
    each (demo users, made when missing), mapped from the prototype district's."""
    org_ids = dict(session.execute(select(Organisation.key, Organisation.id)).all())
    names = dict(session.execute(select(Organisation.key, Organisation.name)).all())
    email_ids = dict(session.execute(select(User.email, User.id)).all())
    proto_council, proto_housing = org_ids[PROTOTYPE_COUNCIL], org_ids[PROTOTYPE_HOUSING]
    proto_users = {
        "caseworker": email_ids["caseworker@dales.example.org"],
        "manager": email_ids["manager@dales.example.org"],
        "housing": email_ids["housing@dales-housing.example.org"],
    }
    casts = []
    districts = session.execute(
        select(District.id, District.key, District.name, District.lead_council_id).order_by(
            District.position
        )
    ).all()
    for district_id, key, name, council_id in districts:
        housing_key = session.scalar(
            select(Organisation.key)
            .join(OrganisationDistrict, OrganisationDistrict.organisation_id == Organisation.id)
            .where(OrganisationDistrict.district_id == district_id, Organisation.kind == "housing")
            .order_by(Organisation.key)
            .limit(1)
        )
        if key == PROTOTYPE_DISTRICT:
            housing_key = PROTOTYPE_HOUSING
        if council_id is None or housing_key is None:
            raise DemoUnavailable(
                "demo-load needs a lead council and a housing provider in every district; "
                f"{name} lacks one"
            )
        council_key = next(k for k, v in org_ids.items() if v == council_id)
        domain = "dales" if key == PROTOTYPE_DISTRICT else key
        caseworker = email_ids.get(f"caseworker@{domain}.example.org") or _ensure_user(
            session,
            f"caseworker@{domain}.example.org",
            f"Caseworker, {name}",
            council_key,
            ("caseworker",),
        )
        manager = email_ids.get(f"manager@{domain}.example.org") or _ensure_user(
            session,
            f"manager@{domain}.example.org",
            f"Manager, {name}",
            council_key,
            ("manager", "caseworker"),
        )
        housing_officer = email_ids.get(f"housing@{housing_key}.example.org") or _ensure_user(
            session,
            f"housing@{housing_key}.example.org",
            f"Officer, {names[housing_key]}",
            housing_key,
            ("agency_officer",),
        )
        email_ids[f"housing@{housing_key}.example.org"] = housing_officer
        police = email_ids["police@derbyshire.example.org"]
        health = email_ids["health@icb.example.org"]
        casts.append(
            DistrictCast(
                district_id=district_id,
                district_key=key,
                council_key=council_key,
                housing_key=housing_key,
                organisations={proto_council: council_id, proto_housing: org_ids[housing_key]},
                users={
                    proto_users["caseworker"]: caseworker,
                    proto_users["manager"]: manager,
                    proto_users["housing"]: housing_officer,
                },
                officers={
                    council_id: caseworker,
                    org_ids[housing_key]: housing_officer,
                    org_ids["derbyshire-constabulary"]: police,
                    org_ids["derby-derbyshire-icb"]: health,
                    org_ids["opcc-derbyshire"]: email_ids["opcc@opcc.example.org"],
                },
            )
        )
    return casts
