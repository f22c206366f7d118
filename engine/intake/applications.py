"""Applications for a case review, from the public form or entered by a council caseworker."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.details import ANOTHER_LANGUAGE, details_from_application
from engine.cases.opening import open_case
from engine.cases.status import set_status
from engine.cases.threshold import SOMEONE_ELSE
from engine.core import clock
from engine.core.area import MORE_RELEVANT_BODIES, current_settings
from engine.core.config import Settings
from engine.core.errors import InvalidData
from engine.core.form_wording import Wording, wording
from engine.core.forms import iso_date, load_form, validate_data
from engine.core.models import Case, District, Incident, Organisation, User
from engine.intake.applicant_links import send_sign_in_link
from engine.procedure import start_process

APPLICATION_PROCESS = "community_trigger_application"
ONLY_CASEWORKERS = "Only a council caseworker may enter the date a paper application arrived"
# Who applies through a named contact rather than for themselves.
GROUPS = ("business", "community_group")
CONTACT_NEEDED = (
    "Enter an address, email address or phone number, so that we can contact you: an "
    "application without one cannot be accepted"
)


def check_application(
    session: Session, payload: Any, settings: Settings, user: User | None = None
) -> dict[str, str]:
    """Every problem with an application, by field; empty when it can be accepted.

    The form's own checks and the service's are made together, so every problem is told at
    once; a check that needs an answer left out or not understood (a date that is no date)
    is skipped, as that answer has its own problem to tell."""
    schema = load_form(settings.forms_dir, "application")
    problems = validate_data(schema, payload)
    if not isinstance(payload, Mapping):
        return problems
    for field, message in _service_problems(session, schema, payload, user):
        problems.setdefault(field, message)
    if "received_on" in payload and not _may_enter_received_on(user):
        # Whatever the date, it is not theirs to give.
        problems["received_on"] = ONLY_CASEWORKERS
    return problems


def _service_problems(
    session: Session, schema: dict[str, Any], payload: Mapping[str, Any], user: User | None
) -> Iterator[tuple[str, str]]:
    """What the service checks beyond the form: a district it serves, a way to contact the
    applicant, the victim's name and consent, answers that are more than spaces, dates that
    have happened in order, and a body that was told."""
    district = payload.get("district")
    known = isinstance(district, str) and district.strip()
    if known and not session.scalar(select(District.id).where(District.key == district)):
        yield "district", "Select where you live from the list"
    needed = ["place", "outcome"]
    if payload.get("letter_format") == ANOTHER_LANGUAGE:
        needed.append("letter_language")
    for field in needed:
        given = payload.get(field)
        if isinstance(given, str) and not given.strip():
            yield field, wording(schema, [field]).required()
    applicant = payload.get("applicant")
    applicant = applicant if isinstance(applicant, Mapping) else {}
    if not any(_text(applicant.get(key)) for key in ("address", "email", "phone")):
        yield "applicant.address", CONTACT_NEEDED
    if payload.get("applying_as") in GROUPS and not _text(applicant.get("organisation")):
        yield "applicant.organisation", "Enter the name of the business or group"
    if payload.get("on_behalf") is True:
        victim = payload.get("victim")
        if not isinstance(victim, Mapping) or not victim:
            yield "victim.name", wording(schema, ["victim", "name"]).required()
        if "victim_consent" not in payload:
            yield "victim_consent", wording(schema, ["victim_consent"]).required()
    received_on = _received_on(payload, user)
    latest = received_on or clock.today()
    incidents = payload.get("incidents")
    known_bodies = _known_bodies(session) if isinstance(incidents, list) else set()
    for index, incident in enumerate(incidents if isinstance(incidents, list) else []):
        if not isinstance(incident, Mapping):
            continue
        where = f"incidents[{index}]"
        occurred = iso_date(incident.get("occurred_on"))
        reported = iso_date(incident.get("reported_on"))
        occurred_words = wording(schema, ["incidents", index, "occurred_on"])
        reported_words = wording(schema, ["incidents", index, "reported_on"])
        if occurred is not None and occurred > latest:
            yield f"{where}.occurred_on", _after(occurred_words, received_on)
        if reported is not None and reported > latest:
            yield f"{where}.reported_on", _after(reported_words, received_on)
        elif reported is not None and occurred is not None and reported < occurred:
            yield (
                f"{where}.reported_on",
                f"{reported_words.subject} must be the same as or after "
                f"{occurred_words.name or 'the date of the behaviour'}",
            )
        body = incident.get("reported_to")
        if isinstance(body, str) and body.strip() and body not in known_bodies:
            yield f"{where}.reported_to", "Select who you reported it to from the list"
        if body == SOMEONE_ELSE and not _text(incident.get("reported_to_other")):
            yield f"{where}.reported_to_other", "Enter who you reported it to"


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _may_enter_received_on(user: User | None) -> bool:
    return user is not None and user.has_role("caseworker") and user.organisation.kind == "council"


def _received_on(payload: Mapping[str, Any], user: User | None) -> date | None:
    """The date a paper application arrived, when a council caseworker gave one that has
    come (the form refuses a later one): nothing in the application happened after it."""
    received_on = iso_date(payload.get("received_on")) if _may_enter_received_on(user) else None
    return received_on if received_on is not None and received_on <= clock.today() else None


def _after(said: Wording, received_on: date | None) -> str:
    """A date later than it can be: in the future, or after a paper application arrived."""
    if received_on is None:
        return said.message("x-latest")
    return (
        f"{said.subject} must be the same as or before {received_on:%-d %B %Y}, the date the "
        "application was received"
    )


def who_reports_can_go_to(session: Session) -> list[tuple[str, str]]:
    """The choices of who a report was made to: the relevant bodies, the area's housing
    providers and other relevant bodies by name, and someone else."""
    more = current_settings(session).get(MORE_RELEVANT_BODIES, [])
    named = session.execute(
        select(Organisation.key, Organisation.name)
        .where((Organisation.kind == "housing") | Organisation.key.in_(more))
        .order_by(Organisation.kind != "housing", Organisation.name)
    ).all()
    return [
        ("council", "The council"),
        ("police", "The police"),
        *((key, str(name)) for key, name in named),
        (SOMEONE_ELSE, "Someone else, for example your MP, your doctor or a charity"),
    ]


def _known_bodies(session: Session) -> set[str]:
    rows = session.execute(select(Organisation.key, Organisation.kind)).all()
    return {key for key, _ in rows} | {kind for _, kind in rows} | {SOMEONE_ELSE}


def submit_application(
    session: Session,
    payload: Mapping[str, Any],
    settings: Settings,
    *,
    user: User | None = None,
) -> Case:
    """Accept an application: the case, its incidents and participants, and its process.

    Refused applications raise InvalidData listing every field to fix, and store nothing.
    """
    problems = check_application(session, payload, settings, user)
    if problems:
        raise InvalidData("The application needs correcting", problems)
    received_on = date.fromisoformat(payload["received_on"]) if "received_on" in payload else None
    case = open_case(session, payload["district"], received_on, user=user)
    case.channel = "online" if user is None else "paper"
    case.applying_as = payload.get("applying_as", "person")
    case.applicant = {
        **payload["applicant"],
        "contact_preference": payload.get("contact_preference", "letter"),
    }
    if case.applying_as not in GROUPS:
        case.applicant.pop("organisation", None)
    case.on_behalf = bool(payload["on_behalf"])
    case.victim = payload.get("victim") if case.on_behalf else None
    case.victim_consent = bool(payload.get("victim_consent", not case.on_behalf))
    case.hate_element = case.applicant_hate_element = bool(payload.get("hate_element", False))
    case.impact = payload.get("impact", "")
    case.details = details_from_application(payload)
    now = clock.now()
    case.incidents.extend(
        Incident(
            source="application",
            occurred_on=date.fromisoformat(item["occurred_on"]),
            reported_on=date.fromisoformat(item["reported_on"]),
            reported_to=item["reported_to"],
            reported_to_other=(
                _text(item.get("reported_to_other")) if item["reported_to"] == SOMEONE_ELSE else ""
            ),
            reference=item.get("reference", ""),
            description=item.get("description", ""),
            created_at=now,
        )
        for item in payload["incidents"]
    )
    session.flush()
    set_status(session, case, "received", user=user)
    start_process(session, case, APPLICATION_PROCESS, user=user)
    send_sign_in_link(session, case, issued_for="application")
    return case
