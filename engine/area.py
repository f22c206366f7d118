"""The area file: districts, organisations and timescales of one county, loaded as data."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine import audit, clock
from engine.models import (
    ORGANISATION_KINDS,
    Area,
    District,
    Organisation,
    OrganisationDistrict,
)

MANDATORY_THRESHOLD = 3


class AreaFileError(ValueError):
    """The area file cannot be used; the message says where and what to fix."""


@dataclass(frozen=True)
class DistrictSpec:
    key: str
    name: str
    lead_council: str
    spoc: dict[str, str]


@dataclass(frozen=True)
class OrganisationSpec:
    key: str
    name: str
    kind: str
    districts: tuple[str, ...]
    address: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class AreaSpec:
    key: str
    name: str
    settings: dict[str, Any]
    districts: tuple[DistrictSpec, ...]
    organisations: tuple[OrganisationSpec, ...] = field(default=())

    @property
    def timescales(self) -> dict[str, int]:
        return self.settings["timescales"]


def read_area_file(path: Path) -> AreaSpec:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AreaFileError(f"area file {path} does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise AreaFileError(f"area file {path} is not valid TOML: {error}") from None
    return parse_area(raw, str(path))


def _require(mapping: dict[str, Any], key: str, where: str) -> Any:
    if key not in mapping or mapping[key] in ("", None):
        raise AreaFileError(f"{where}: '{key}' is missing")
    return mapping[key]


def parse_area(raw: dict[str, Any], source: str = "area file") -> AreaSpec:
    key = _require(raw, "key", source)
    name = _require(raw, "name", source)
    districts = tuple(
        DistrictSpec(
            key=_require(item, "key", f"{source}: district {index + 1}"),
            name=_require(item, "name", f"{source}: district {index + 1}"),
            lead_council=_require(item, "lead_council", f"{source}: district {item.get('key')}"),
            spoc=dict(item.get("spoc", {})),
        )
        for index, item in enumerate(raw.get("districts", []))
    )
    if not districts:
        raise AreaFileError(f"{source}: no districts are listed")
    district_keys = [d.key for d in districts]
    if len(set(district_keys)) != len(district_keys):
        raise AreaFileError(f"{source}: a district key is listed twice")

    organisations = []
    for index, item in enumerate(raw.get("organisations", [])):
        where = f"{source}: organisation {item.get('key', index + 1)}"
        kind = _require(item, "kind", where)
        if kind not in ORGANISATION_KINDS:
            raise AreaFileError(
                f"{where}: kind '{kind}' is not one of {', '.join(ORGANISATION_KINDS)}"
            )
        served = item.get("districts", [])
        served = tuple(district_keys) if served == "all" else tuple(served)
        unknown = sorted(set(served) - set(district_keys))
        if unknown:
            raise AreaFileError(f"{where}: unknown district(s) {', '.join(unknown)}")
        organisations.append(
            OrganisationSpec(
                key=_require(item, "key", where),
                name=_require(item, "name", where),
                kind=kind,
                districts=served,
                address=item.get("address", ""),
                email=item.get("email", ""),
                phone=item.get("phone", ""),
            )
        )
    by_key = {o.key: o for o in organisations}
    if len(by_key) != len(organisations):
        raise AreaFileError(f"{source}: an organisation key is listed twice")
    for district in districts:
        lead = by_key.get(district.lead_council)
        if lead is None or lead.kind != "council":
            raise AreaFileError(
                f"{source}: district {district.key}: lead council '{district.lead_council}' "
                "is not a council organisation in this file"
            )
        if district.key not in lead.districts:
            raise AreaFileError(
                f"{source}: district {district.key}: its lead council does not serve it"
            )

    settings = _parse_settings(raw, source)
    return AreaSpec(key, name, settings, districts, tuple(organisations))


def _parse_settings(raw: dict[str, Any], source: str) -> dict[str, Any]:
    settings = dict(raw.get("settings", {}))
    settings.setdefault("threshold_count", MANDATORY_THRESHOLD)
    settings.setdefault("reminder_days", 2)
    settings.setdefault("retention_years", 6)
    count = settings["threshold_count"]
    if not isinstance(count, int) or not 1 <= count <= MANDATORY_THRESHOLD:
        raise AreaFileError(
            f"{source}: threshold_count must be a whole number from 1 to {MANDATORY_THRESHOLD} "
            "(an area may set a lower count, never a higher one)"
        )
    timescales = dict(raw.get("timescales", {}))
    for name, days in timescales.items():
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise AreaFileError(f"{source}: timescale '{name}' must be a whole number of days")
    settings["timescales"] = timescales
    return settings


def load_area(session: Session, spec: AreaSpec) -> Area:
    """Write the area into the database, updating what is there; safe to run again."""
    area = session.scalar(select(Area).where(Area.key == spec.key))
    if area is None:
        area = Area(key=spec.key, name=spec.name, loaded_at=clock.now())
        session.add(area)
    area.name, area.settings, area.loaded_at = spec.name, spec.settings, clock.now()

    organisations = {o.key: o for o in session.scalars(select(Organisation))}
    for item in spec.organisations:
        organisation = organisations.get(item.key)
        if organisation is None:
            organisation = Organisation(key=item.key)
            session.add(organisation)
            organisations[item.key] = organisation
        organisation.name, organisation.kind = item.name, item.kind
        organisation.address, organisation.email, organisation.phone = (
            item.address,
            item.email,
            item.phone,
        )
    districts = {d.key: d for d in session.scalars(select(District))}
    for position, item in enumerate(spec.districts, start=1):
        district = districts.get(item.key)
        if district is None:
            district = District(key=item.key)
            session.add(district)
            districts[item.key] = district
        district.name, district.position = item.name, position
        district.lead_council = organisations[item.lead_council]
        district.spoc_name = item.spoc.get("name", "")
        district.spoc_email = item.spoc.get("email", "")
        district.spoc_phone = item.spoc.get("phone", "")
    session.flush()
    session.execute(delete(OrganisationDistrict))
    session.add_all(
        OrganisationDistrict(
            organisation_id=organisations[item.key].id, district_id=districts[key].id
        )
        for item in spec.organisations
        for key in item.districts
    )
    session.flush()
    audit.record(
        session,
        "area.loaded",
        object_type="area",
        object_id=spec.key,
        detail={"districts": len(spec.districts), "organisations": len(spec.organisations)},
    )
    return area


def current_settings(session: Session) -> dict[str, Any]:
    """The loaded area's settings; an empty area falls back to the statutory defaults."""
    area = session.scalar(select(Area).order_by(Area.id))
    if area is None:
        return {"threshold_count": MANDATORY_THRESHOLD, "reminder_days": 2, "timescales": {}}
    return area.settings
