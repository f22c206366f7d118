"""Applications for a case review, from the public form or entered by a council caseworker."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.opening import open_case
from engine.cases.status import set_status
from engine.core import clock
from engine.core.config import Settings
from engine.core.errors import InvalidData
from engine.core.forms import load_form, validate_data
from engine.core.models import Case, District, Incident, Organisation, User
from engine.intake.applicant_links import send_sign_in_link
from engine.procedure import start_process

APPLICATION_PROCESS = "community_trigger_application"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_application(
    session: Session, payload: Any, settings: Settings, user: User | None = None
) -> dict[str, str]:
    """Every problem with an application, by field; empty when it can be accepted."""
    problems = validate_data(load_form(settings.forms_dir, "application"), payload)
    if problems:
        return problems
    if not session.scalar(select(District.id).where(District.key == payload["district"])):
        problems["district"] = f"'{payload['district']}' is not a district of this area"
    applicant = payload["applicant"]
    if not any(applicant.get(key, "").strip() for key in ("address", "email", "phone")):
        problems["applicant.address"] = (
            "Give an address, email address or phone number: "
            "anonymous applications cannot be accepted"
        )
    for who in ("applicant", "victim"):
        email = (payload.get(who) or {}).get("email", "")
        if email and not _EMAIL.match(email):
            problems[f"{who}.email"] = "Enter an email address like name@example.com"
    if payload["on_behalf"]:
        if not payload.get("victim"):
            problems["victim.name"] = "Give the name of the person you are applying for"
        if "victim_consent" not in payload:
            problems["victim_consent"] = "Say whether the victim agrees to you applying for them"
    today = clock.today()
    received_on = today
    if "received_on" in payload:
        if user is None or not (
            user.has_role("caseworker") and user.organisation.kind == "council"
        ):
            problems["received_on"] = (
                "Only a council caseworker may enter the date a paper application arrived"
            )
        else:
            received_on = date.fromisoformat(payload["received_on"])
            if received_on > today:
                problems["received_on"] = "The date received cannot be in the future"
    known_bodies = _known_bodies(session)
    for index, incident in enumerate(payload["incidents"]):
        occurred = date.fromisoformat(incident["occurred_on"])
        reported = date.fromisoformat(incident["reported_on"])
        where = f"incidents[{index}]"
        if occurred > received_on:
            problems[f"{where}.occurred_on"] = "The date of the behaviour cannot be in the future"
        if reported > received_on:
            problems[f"{where}.reported_on"] = "The date you reported it cannot be in the future"
        elif reported < occurred:
            problems[f"{where}.reported_on"] = (
                "The date you reported it must be on or after the behaviour"
            )
        if incident["reported_to"] not in known_bodies:
            problems[f"{where}.reported_to"] = (
                "Say who you reported it to: the council, police, a housing provider or health"
            )
    return problems


def _known_bodies(session: Session) -> set[str]:
    rows = session.execute(select(Organisation.key, Organisation.kind)).all()
    return {key for key, _ in rows} | {kind for _, kind in rows}


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
    case.applicant = {
        **payload["applicant"],
        "contact_preference": payload.get("contact_preference", "letter"),
    }
    case.on_behalf = bool(payload["on_behalf"])
    case.victim = payload.get("victim") if case.on_behalf else None
    case.victim_consent = bool(payload.get("victim_consent", not case.on_behalf))
    case.hate_element = bool(payload.get("hate_element", False))
    case.impact = payload.get("impact", "")
    now = clock.now()
    case.incidents.extend(
        Incident(
            source="application",
            occurred_on=date.fromisoformat(item["occurred_on"]),
            reported_on=date.fromisoformat(item["reported_on"]),
            reported_to=item["reported_to"],
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
