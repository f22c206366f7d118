"""The area file: districts, organisations and timescales of one county, loaded as data."""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.area_chairs import ChairListError, parse_chairs
from engine.core.area_sign_in import SignInSettingError, check_domains_apart, parse_sign_in
from engine.core.brand import BrandError, parse_brand, parse_statements
from engine.core.db import per_transaction
from engine.core.models import (
    ORGANISATION_KINDS,
    PARTICIPANT_ROLES,
    Area,
    District,
    Organisation,
    OrganisationDistrict,
    PublicBody,
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
    # None: the service's passwords alone; else as ``engine.core.area_sign_in`` parses it.
    sign_in: dict[str, Any] | None = None


@dataclass(frozen=True)
class PublicBodySpec:
    """A body exercising public functions that the council may ask for information (Schedule
    4): its contact address, or the organisation of the service whose users answer for it."""

    key: str
    name: str
    email: str = ""
    phone: str = ""
    organisation: str = ""


@dataclass(frozen=True)
class AreaSpec:
    key: str
    name: str
    settings: dict[str, Any]
    districts: tuple[DistrictSpec, ...]
    organisations: tuple[OrganisationSpec, ...] = field(default=())
    public_bodies: tuple[PublicBodySpec, ...] = field(default=())

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
        try:
            sign_in = parse_sign_in(item)
        except SignInSettingError as error:
            raise AreaFileError(f"{where}: {error}") from None
        organisations.append(
            OrganisationSpec(
                key=_require(item, "key", where),
                name=_require(item, "name", where),
                kind=kind,
                districts=served,
                address=item.get("address", ""),
                email=item.get("email", ""),
                phone=item.get("phone", ""),
                sign_in=sign_in,
            )
        )
    by_key = {o.key: o for o in organisations}
    if len(by_key) != len(organisations):
        raise AreaFileError(f"{source}: an organisation key is listed twice")
    try:
        check_domains_apart({o.key: o.sign_in for o in organisations})
    except SignInSettingError as error:
        raise AreaFileError(f"{source}: {error}") from None
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
    settings[MORE_RELEVANT_BODIES] = _more_relevant_bodies(settings, by_key, source)
    _check_community_threshold(settings, source)
    try:
        settings[CHAIRS] = parse_chairs(raw.get(CHAIRS), {o.key: o.name for o in organisations})
    except ChairListError as error:
        raise AreaFileError(f"{source}: {error}") from None
    try:
        settings["brand"] = parse_brand(raw.get("brand"), name)
        settings["statements"] = parse_statements(raw.get("statements"))
    except BrandError as error:
        raise AreaFileError(f"{source}: {error}") from None
    bodies = _public_bodies(raw.get("public_bodies", []), by_key, source)
    return AreaSpec(key, name, settings, districts, tuple(organisations), bodies)


PUBLIC_BODY_FIELDS = ("key", "name", "email", "phone", "organisation")


def _public_bodies(
    raw: Any, organisations: dict[str, OrganisationSpec], source: str
) -> tuple[PublicBodySpec, ...]:
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise AreaFileError(f"{source}: public_bodies must be a list of [[public_bodies]] tables")
    bodies = []
    for index, item in enumerate(raw):
        where = f"{source}: public body {item.get('key', index + 1)}"
        unknown = sorted(set(item) - set(PUBLIC_BODY_FIELDS))
        if unknown:
            raise AreaFileError(
                f"{where}: unknown setting(s) {', '.join(unknown)}; a public body has "
                f"{', '.join(PUBLIC_BODY_FIELDS)}"
            )
        for name in PUBLIC_BODY_FIELDS:
            if not isinstance(item.get(name, ""), str):
                raise AreaFileError(f"{where}: '{name}' must be text")
        body = PublicBodySpec(
            key=_require(item, "key", where).strip(),
            name=_require(item, "name", where).strip(),
            email=item.get("email", "").strip(),
            phone=item.get("phone", "").strip(),
            organisation=item.get("organisation", "").strip(),
        )
        problem = public_body_email_problem(body.email)
        if problem:
            raise AreaFileError(f"{where}: {problem}")
        if body.organisation and body.organisation not in organisations:
            raise AreaFileError(
                f"{where}: organisation '{body.organisation}' is not an organisation in this file"
            )
        bodies.append(body)
    keys = [body.key for body in bodies]
    if len(set(keys)) != len(keys):
        raise AreaFileError(f"{source}: a public body key is listed twice")
    return tuple(bodies)


def public_body_email_problem(email: str) -> str | None:
    """Why a public body's contact address cannot be used, or None (none is no problem: the
    council cannot send it a request until it has one)."""
    if not email:
        return None
    local, _, domain = email.partition("@")
    if not local or "." not in domain or any(c.isspace() for c in email) or "@" in domain:
        return f"contact email '{email}' is not an email address"
    return None


def _parse_settings(raw: dict[str, Any], source: str) -> dict[str, Any]:
    settings = dict(raw.get("settings", {}))
    settings.setdefault("threshold_count", MANDATORY_THRESHOLD)
    settings.setdefault("reminder_days", 2)
    settings.setdefault("retention_years", 6)
    settings.setdefault("service_url", DEFAULT_SERVICE_URL)
    url = settings["service_url"]
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise AreaFileError(
            f"{source}: service_url must be the service's public address, such as "
            "https://casereview.example.gov.uk"
        )
    settings["service_url"] = url.rstrip("/")
    years = settings["retention_years"]
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        raise AreaFileError(
            f"{source}: retention_years must be a whole number of years after a case closes, "
            "at least 1"
        )
    count = settings["threshold_count"]
    if not isinstance(count, int) or not 1 <= count <= MANDATORY_THRESHOLD:
        raise AreaFileError(
            f"{source}: threshold_count must be a whole number from 1 to {MANDATORY_THRESHOLD} "
            "(an area may set a lower count, never a higher one)"
        )
    timescales = {**DEFAULT_TIMESCALES, **raw.get("timescales", {})}
    for name, days in timescales.items():
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise AreaFileError(f"{source}: timescale '{name}' must be a whole number of days")
    _check_returns_fit(timescales, source)
    settings["timescales"] = timescales
    _check_high_risk_timescales(settings, timescales, source)
    settings["follow_up_months"] = _follow_up_months(
        settings.get("follow_up_months", DEFAULT_FOLLOW_UP_MONTHS), source
    )
    settings["escalation"] = _parse_escalation(raw.get("escalation", {}), settings, source)
    stays = settings.setdefault(WORK_STAYS, True)
    if not isinstance(stays, bool):
        raise AreaFileError(f"{source}: {WORK_STAYS} must be true or false")
    settings[LARGE_PRINT_SIZE] = _large_print_size(
        settings.get(LARGE_PRINT_SIZE, DEFAULT_LARGE_PRINT_SIZE), source
    )
    return settings


def _large_print_size(value: Any, source: str) -> float:
    smallest, largest = LARGE_PRINT_SIZES
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not smallest <= value <= largest
        or value * 2 != int(value * 2)
    ):
        raise AreaFileError(
            f"{source}: {LARGE_PRINT_SIZE} must be a size in points from {smallest:g} to "
            f"{largest:g}, in whole or half points, such as 16: smaller text is not large print "
            "(RNIB advises 16 to 18 points), and larger leaves too few words to a line of an "
            "A4 page"
        )
    return float(value)


def _more_relevant_bodies(
    settings: dict[str, Any], organisations: dict[str, OrganisationSpec], source: str
) -> list[str]:
    keys = settings.get(MORE_RELEVANT_BODIES, [])
    if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
        raise AreaFileError(f"{source}: {MORE_RELEVANT_BODIES} must be a list of organisation keys")
    unknown = [key for key in keys if key not in organisations]
    if unknown:
        raise AreaFileError(
            f"{source}: {MORE_RELEVANT_BODIES}: '{unknown[0]}' is not an organisation in this file"
        )
    return keys


def _check_community_threshold(settings: dict[str, Any], source: str) -> None:
    community = settings.get(COMMUNITY_THRESHOLD)
    if community is None:
        return
    individuals = community.get("individuals") if isinstance(community, dict) else None
    months = community.get("months") if isinstance(community, dict) else None
    if (
        not isinstance(community, dict)
        or set(community) != {"individuals", "months"}
        or isinstance(individuals, bool)
        or not isinstance(individuals, int)
        or individuals < 2
        or isinstance(months, bool)
        or not isinstance(months, int)
        or not 1 <= months <= 12
    ):
        raise AreaFileError(
            f"{source}: {COMMUNITY_THRESHOLD} must be {{ individuals = N, months = M }}: at least "
            "2 separate individuals, within 1 to 12 months"
        )


# A second threshold over applications the council links as being about the same behaviour:
# so many separate individuals reporting within so many months. Absent, there is none.
COMMUNITY_THRESHOLD = "community_threshold"
# Organisations whose reports count towards the threshold besides the council, the police and
# the social housing providers, which always do.
MORE_RELEVANT_BODIES = "other_relevant_bodies"


def _check_returns_fit(timescales: dict[str, int], source: str) -> None:
    """The agencies' information returns must fall due before the threshold decision they
    inform. Both clocks run from receipt: the agencies are asked once the application is
    screened, due ``acknowledge_application`` working days after receipt, and their returns
    fall due by the working day before the decision, due ``threshold_decision`` working days
    after receipt. A decision due sooner than two working days after the screening leaves an
    agency asked on time no working day to reply."""
    screened = timescales.get("acknowledge_application")
    decided = timescales.get("threshold_decision")
    if screened is None or decided is None or decided >= screened + 2:
        return
    raise AreaFileError(
        f"{source}: threshold_decision ({decided} working days from receipt) must be at least "
        f"{screened + 2}, two more than acknowledge_application ({screened}): the agencies are "
        "asked for their information returns (agency_information_return) once the application "
        "is acknowledged and screened, and the returns fall due by the working day before the "
        "threshold decision, so an agency needs a working day between the two"
    )


def _check_high_risk_timescales(
    settings: dict[str, Any], timescales: dict[str, int], source: str
) -> None:
    """A case assessed at high risk may have shorter timescales: each names one of the area's,
    is a whole number of working days no longer than it, and the returns still fit."""
    shorter = settings.setdefault(HIGH_RISK_TIMESCALES, {})
    if not isinstance(shorter, dict):
        raise AreaFileError(
            f"{source}: {HIGH_RISK_TIMESCALES} must map timescale names to working days, such "
            "as { threshold_decision = 7, review_meeting = 15 }"
        )
    for name, days in shorter.items():
        if name not in timescales:
            raise AreaFileError(
                f"{source}: {HIGH_RISK_TIMESCALES}: '{name}' is not one of the area's timescales"
            )
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= timescales[name]:
            raise AreaFileError(
                f"{source}: {HIGH_RISK_TIMESCALES}: '{name}' must be a whole number of working "
                f"days from 0 to {timescales[name]} (a high risk shortens a timescale, never "
                "lengthens it)"
            )
    _check_returns_fit({**timescales, **shorter}, f"{source}: {HIGH_RISK_TIMESCALES}")


# The people the area keeps ready to chair its reviews (``engine.core.area_chairs``).
CHAIRS = "chairs"
# Shorter timescales for the tasks of a case assessed at high risk (engine.chasing.due).
HIGH_RISK_TIMESCALES = "high_risk_timescales"
# Whether the next task of a case in a lane goes to whoever completed the previous one there
# (while they may still do it), rather than back to the organisation's queue.
WORK_STAYS = "work_stays_with_its_person"
# The size in points of a large-print letter's text (its headings scaled as much), and the
# sizes an area may set.
LARGE_PRINT_SIZE = "large_print_size"
DEFAULT_LARGE_PRINT_SIZE = 16
LARGE_PRINT_SIZES = (14, 36)
# The applicant's part in the review, when the area file does not set it: the chair decides
# it 5 working days before the meeting, and the applicant has 5 working days to give their
# views on the draft action plan.
DEFAULT_TIMESCALES = {"meeting_invitation": 5, "views_wait": 5, "action_plan_appeal_window": 20}
# When a closed case's applicant is asked whether the behaviour goes on: months after the
# closure. The 2024 report found most victims still targeted after a review; asking is how a
# partnership learns whether its reviews work.
DEFAULT_FOLLOW_UP_MONTHS = (1, 3, 6)
MOST_FOLLOW_UP_MONTHS = 36
# Where applicants are sent to follow their case, when the area file does not say.
DEFAULT_SERVICE_URL = "http://127.0.0.1:5000"
# Who can be told about late work; a recipient may also be an email address.
ESCALATION_RECIPIENTS = (
    "assignee",
    "organisation_managers",
    "lead_council_managers",
    "district_spoc",
    "opcc_managers",
)
MAX_ESCALATION_LEVELS = 5
# Level 1 the working day after the due date, to the managers of the organisation the task is
# for; level 2 five working days later, to the district's lead council (its single point of
# contact and its managers), or to the OPCC's managers for appeal tasks.
DEFAULT_ESCALATION: dict[str, Any] = {
    "levels": [
        {"after": 1, "to": ["organisation_managers"], "roles": {}},
        {
            "after": 5,
            "to": ["district_spoc", "lead_council_managers"],
            "roles": {"opcc": ["opcc_managers"]},
        },
    ]
}


def _follow_up_months(value: Any, source: str) -> list[int]:
    problem = (
        f"{source}: follow_up_months must list whole numbers of months after a case closes, "
        f"from 1 to {MOST_FOLLOW_UP_MONTHS}, each once, such as [1, 3, 6] (or [] for none)"
    )
    if not isinstance(value, list | tuple):
        raise AreaFileError(problem)
    for months in value:
        if isinstance(months, bool) or not isinstance(months, int):
            raise AreaFileError(problem)
        if not 1 <= months <= MOST_FOLLOW_UP_MONTHS:
            raise AreaFileError(problem)
    if len(set(value)) != len(value):
        raise AreaFileError(problem)
    return sorted(value)


def follow_up_months(session: Session) -> list[int]:
    """Months after a case closes when its applicant is asked whether the behaviour goes on."""
    return list(current_settings(session).get("follow_up_months", DEFAULT_FOLLOW_UP_MONTHS))


def work_stays_with_its_person(session: Session) -> bool:
    """Whether the next task of a case in a lane goes to whoever did the previous one there."""
    return bool(current_settings(session).get(WORK_STAYS, True))


def large_print_size(session: Session) -> float:
    """The size in points of the text of a letter in large print."""
    return float(current_settings(session).get(LARGE_PRINT_SIZE, DEFAULT_LARGE_PRINT_SIZE))


def recipient_problem(recipient: Any) -> str | None:
    """Why a recipient named in the area file or a diagram cannot be used, or None."""
    if not isinstance(recipient, str) or not recipient.strip():
        return "a recipient must be a name or an email address"
    if "@" in recipient:
        local, _, domain = recipient.strip().partition("@")
        if not local or "." not in domain or " " in recipient.strip():
            return f"'{recipient}' is not an email address"
        return None
    if recipient not in ESCALATION_RECIPIENTS:
        return f"'{recipient}' is not one of {', '.join(ESCALATION_RECIPIENTS)} or an address"
    return None


def _whole_days(value: Any, what: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise AreaFileError(f"{what} must be a whole number of working days, at least {least}")
    return value


def _recipients(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise AreaFileError(f"{where}: 'to' must list at least one recipient")
    for recipient in value:
        problem = recipient_problem(recipient)
        if problem:
            raise AreaFileError(f"{where}: {problem}")
    return [recipient.strip() for recipient in value]


def _parse_escalation(raw: Any, settings: dict[str, Any], source: str) -> dict[str, Any]:
    """The [escalation] section: the reminder and each level of chasing an overdue task."""
    _whole_days(settings["reminder_days"], f"{source}: reminder_days", 0)
    if not isinstance(raw, dict):
        raise AreaFileError(f"{source}: [escalation] must be a table")
    if "levels" not in raw:
        return copy.deepcopy(DEFAULT_ESCALATION)
    levels = raw["levels"]
    if not isinstance(levels, list) or len(levels) > MAX_ESCALATION_LEVELS:
        raise AreaFileError(
            f"{source}: escalation levels must be a list of at most {MAX_ESCALATION_LEVELS}"
        )
    parsed = []
    for number, level in enumerate(levels, start=1):
        where = f"{source}: escalation level {number}"
        if not isinstance(level, dict):
            raise AreaFileError(f"{where} must be a table with 'after' and 'to'")
        unknown = sorted(set(level) - {"after", "to", "roles"})
        if unknown:
            raise AreaFileError(f"{where}: unknown setting(s) {', '.join(unknown)}")
        after = _whole_days(level.get("after"), f"{where}: 'after'", 1)
        roles = level.get("roles", {})
        if not isinstance(roles, dict):
            raise AreaFileError(f"{where}: 'roles' must map a lane role to its recipients")
        for role in roles:
            if role not in PARTICIPANT_ROLES:
                raise AreaFileError(
                    f"{where}: '{role}' is not a lane role; use {', '.join(PARTICIPANT_ROLES)}"
                )
        parsed.append(
            {
                "after": after,
                "to": _recipients(level.get("to"), where),
                "roles": {role: _recipients(to, where) for role, to in roles.items()},
            }
        )
    return {"levels": parsed}


def load_area(session: Session, spec: AreaSpec) -> Area:
    """Write the area into the database, updating what is there; safe to run again."""
    area = session.scalar(select(Area).where(Area.key == spec.key))
    if area is None:
        area = Area(key=spec.key, name=spec.name, loaded_at=clock.now())
        session.add(area)
    area.name, area.settings, area.loaded_at = spec.name, spec.settings, clock.now()
    session.info.pop(_SETTINGS, None)

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
        organisation.sign_in = item.sign_in
    districts = {d.key: d for d in session.scalars(select(District))}
    for position, district_spec in enumerate(spec.districts, start=1):
        district = districts.get(district_spec.key)
        if district is None:
            district = District(key=district_spec.key)
            session.add(district)
            districts[district_spec.key] = district
        district.name, district.position = district_spec.name, position
        district.lead_council = organisations[district_spec.lead_council]
        district.spoc_name = district_spec.spoc.get("name", "")
        district.spoc_email = district_spec.spoc.get("email", "")
        district.spoc_phone = district_spec.spoc.get("phone", "")
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
    _load_public_bodies(session, spec, organisations)
    audit.record(
        session,
        "area.loaded",
        object_type="area",
        object_id=spec.key,
        detail={"districts": len(spec.districts), "organisations": len(spec.organisations)},
    )
    return area


def _load_public_bodies(
    session: Session, spec: AreaSpec, organisations: dict[str, Organisation]
) -> None:
    # A body no longer in the file stays: its requests name it. One an administrator added
    # under the same key becomes the file's.
    bodies = {b.key: b for b in session.scalars(select(PublicBody))}
    for item in spec.public_bodies:
        body = bodies.get(item.key)
        if body is None:
            body = PublicBody(key=item.key, created_at=clock.now())
            session.add(body)
        body.name, body.email, body.phone, body.source = item.name, item.email, item.phone, "area"
        organisation = organisations.get(item.organisation) if item.organisation else None
        body.organisation_id = organisation.id if organisation is not None else None
    session.flush()


# A completion asks for the settings several times (due dates, chasing); one read per
# transaction is enough, as only ``load_area`` changes them.
_SETTINGS = per_transaction("casereview.area.settings")


def current_settings(session: Session) -> dict[str, Any]:
    """The loaded area's settings; an empty area falls back to the statutory defaults."""
    settings = session.info.get(_SETTINGS)
    if settings is None:
        settings = session.info[_SETTINGS] = _read_settings(session)
    return settings


def service_url(session: Session) -> str:
    """The service's public address, where applicants follow their case (no trailing /)."""
    return str(current_settings(session).get("service_url", DEFAULT_SERVICE_URL))


def _read_settings(session: Session) -> dict[str, Any]:
    area = session.scalar(select(Area).order_by(Area.id))
    if area is None:
        return {
            "threshold_count": MANDATORY_THRESHOLD,
            "reminder_days": 2,
            "timescales": dict(DEFAULT_TIMESCALES),
            "escalation": copy.deepcopy(DEFAULT_ESCALATION),
        }
    # An area loaded before a timescale had a default still has it.
    timescales = {**DEFAULT_TIMESCALES, **area.settings.get("timescales", {})}
    return {**area.settings, "timescales": timescales}


def listed_chairs(session: Session) -> list[dict[str, Any]]:
    """The review chairs the area keeps ready (``engine.core.area_chairs.parse_chairs``)."""
    return list(current_settings(session).get(CHAIRS, []))
