"""What anyone may send or read without an account: applications, appeals and the published
figures."""

from __future__ import annotations

from typing import Any

from engine.cases.details import LETTER_FORMATS
from engine.cases.statistics import FIELDS
from engine.core.models import APPLYING_AS, CASE_STATUSES
from engine.review.appeal_rules import GROUNDS
from web.api.intake import CONTACT_PREFERENCES
from web.api.openapi.parts import BOOLEAN, DATE, INTEGER, STRING, exact_object, ref


def schemas() -> dict[str, Any]:
    person = {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "address": {"type": "string", "maxLength": 500},
        "email": {"type": "string", "maxLength": 254},
        "phone": {"type": "string", "maxLength": 50},
    }
    return {
        "Applicant": exact_object(
            {
                **person,
                "organisation": {
                    "type": "string",
                    "maxLength": 200,
                    "description": "The business or community group the applicant is the named "
                    "contact of, when applying_as says so",
                },
                "contact_preference": {
                    "enum": list(CONTACT_PREFERENCES),
                    "description": "How letters should reach the applicant",
                },
            },
            optional=("address", "email", "phone", "organisation", "contact_preference"),
        ),
        "Person": exact_object(person, optional=("address", "email", "phone")),
        "IncidentReport": exact_object(
            {
                "occurred_on": DATE,
                "reported_on": DATE,
                "reported_to": {
                    "type": "string",
                    "description": "An organisation's key, a kind (council, police, housing, "
                    "health), or other: someone else, named in reported_to_other. Only a "
                    "report to a relevant body counts towards the threshold; the rest are kept",
                },
                "reported_to_other": {
                    "type": "string",
                    "maxLength": 200,
                    "description": "Who it was reported to, when reported_to is other (for "
                    "example the applicant's MP, doctor or a charity)",
                },
                "reference": {"type": "string", "maxLength": 100},
                "description": {"type": "string", "maxLength": 5000},
            },
            optional=("reported_to_other", "reference", "description"),
        ),
        "Application": exact_object(
            {
                "district": {"type": "string", "description": "The district's key"},
                "applying_as": {
                    "enum": list(APPLYING_AS),
                    "description": "A person (the default), or a business or community group "
                    "through its named contact, the applicant",
                },
                "applicant": ref("Applicant"),
                "on_behalf": BOOLEAN,
                "victim": ref("Person"),
                "victim_consent": BOOLEAN,
                "incidents": {
                    "type": "array",
                    "items": ref("IncidentReport"),
                    "minItems": 1,
                    "maxItems": 500,
                },
                "hate_element": BOOLEAN,
                "impact": {"type": "string", "maxLength": 10000},
                **application_details(),
                "received_on": {
                    **DATE,
                    "description": "A paper application's date; council caseworkers only",
                },
            },
            optional=(
                "applying_as",
                "victim",
                "victim_consent",
                "hate_element",
                "impact",
                "responsible",
                "witnesses",
                "communication_needs",
                "letter_format",
                "letter_language",
                "received_on",
            ),
        ),
        "Appeal": exact_object(
            {
                "case_reference": STRING,
                "letter_date": DATE,
                "grounds": {
                    "type": "array",
                    "items": {"enum": list(GROUNDS)},
                    "uniqueItems": True,
                },
                "details": {"type": "string", "maxLength": 20000},
                "received_on": {**DATE, "description": "When it arrived, if not today"},
                "on_behalf_reason": {
                    "type": "string",
                    "minLength": 10,
                    "maxLength": 500,
                    "description": "Why the council lodges it for the applicant",
                },
            },
            optional=("details", "received_on"),
        ),
        "Submitted": exact_object({"reference": STRING, "status": {"enum": list(CASE_STATUSES)}}),
        "Statistics": exact_object(
            {
                "year": INTEGER,
                "label": {"type": "string", "description": "The financial year, as 2021/22"},
                "districts": {
                    "type": "array",
                    "items": exact_object(
                        {"key": STRING, "name": STRING, **dict.fromkeys(FIELDS, INTEGER)}
                    ),
                },
                "totals": exact_object(dict.fromkeys(FIELDS, INTEGER)),
                "provisional": {
                    "type": "boolean",
                    "description": "The year has not ended: the figures so far, which will change",
                },
                "notes": {
                    "type": "array",
                    "description": "What districts' councils say about their figures for the year",
                    "items": exact_object({"key": STRING, "name": STRING, "note": STRING}),
                },
            }
        ),
    }


def application_details() -> dict[str, Any]:
    """What an application says beside its incidents, as it is sent and as a case reads it
    back (``details``)."""
    return {
        "place": {
            "type": "string",
            "minLength": 1,
            "maxLength": 1000,
            "description": "Where the behaviour happens: an address, or the place described",
        },
        "responsible": {
            "type": "string",
            "maxLength": 2000,
            "description": "Who the applicant believes is responsible",
        },
        "witnesses": {
            "type": "string",
            "maxLength": 2000,
            "description": "Who else has seen or heard the behaviour",
        },
        "outcome": {
            "type": "string",
            "minLength": 1,
            "maxLength": 5000,
            "description": "What the applicant would like to happen",
        },
        "communication_needs": {
            "type": "string",
            "maxLength": 2000,
            "description": "The applicant's communication needs or reasonable adjustments",
        },
        "letter_format": {
            "enum": list(LETTER_FORMATS),
            "description": "The format the applicant needs letters in (standard when not given)",
        },
        "letter_language": {
            "type": "string",
            "maxLength": 50,
            "description": "The language of the letters: needed with another_language, and "
            "kept only with it",
        },
    }
