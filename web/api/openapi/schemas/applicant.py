"""The applicant's token and their case as they may see it."""

from __future__ import annotations

from typing import Any

from engine.core.models import CASE_STATUSES
from engine.review.appeal_rules import GROUNDS
from web.api.openapi.parts import (
    BOOLEAN,
    DATE,
    INTEGER,
    STRING,
    exact_object,
    nullable,
)


def schemas() -> dict[str, Any]:
    return {
        "ApplicantTokenRequest": {
            "oneOf": [
                exact_object(
                    {
                        "link": {
                            **STRING,
                            "description": "The sign-in link from the email, or its token",
                        }
                    }
                ),
                exact_object(
                    {
                        "reference": STRING,
                        "code": {**STRING, "description": "The access code on a letter"},
                        "postcode": STRING,
                    }
                ),
            ]
        },
        "ApplicantToken": exact_object(
            {
                "token": STRING,
                "token_type": {"const": "Bearer"},
                "expires_in": INTEGER,
                "reference": {**STRING, "description": "The case the token reaches"},
            }
        ),
        "ApplicantAppeal": exact_object(
            {
                "case_reference": STRING,
                "grounds": {
                    "type": "array",
                    "items": {"enum": list(GROUNDS)},
                    "uniqueItems": True,
                    "description": "From those the latest letter with an appeal route names",
                },
                "details": {
                    "type": "string",
                    "maxLength": 20000,
                    "description": "What the applicant wants the OPCC to look at",
                },
            },
            optional=("details",),
        ),
        "ApplicantCase": exact_object(
            {
                "reference": STRING,
                "district": STRING,
                "received_on": DATE,
                "status": {"enum": list(CASE_STATUSES)},
                "stage": {**STRING, "description": "Where the review stands, in plain English"},
                "next_step": STRING,
                "next_by": nullable(DATE),
                "closed_on": nullable(DATE),
                "contact": exact_object(
                    {"name": STRING, "organisation": STRING, "phone": STRING, "email": STRING}
                ),
                "letters": {
                    "type": "array",
                    "items": exact_object({"id": INTEGER, "title": STRING, "letter_date": DATE}),
                },
                "actions": {
                    "type": "array",
                    "items": exact_object(
                        {
                            "organisation": STRING,
                            "action": STRING,
                            "due_date": DATE,
                            "done": BOOLEAN,
                        }
                    ),
                },
                "appeal": exact_object(
                    {
                        "open": BOOLEAN,
                        "letter_title": STRING,
                        "letter_date": nullable(DATE),
                        "closes_on": nullable(DATE),
                        "grounds": {"type": "array", "items": {"enum": list(GROUNDS)}},
                        "reason": {**STRING, "description": "Why they may not appeal now"},
                    }
                ),
                "part_offered": BOOLEAN,
                "part_chosen": STRING,
                "views_open_until": nullable(DATE),
                "appeal_files": {
                    "type": "array",
                    "items": STRING,
                    "description": "The files sent with their latest appeal, as kept",
                },
                "told": {
                    "description": "What their application said of where the behaviour happens, "
                    "what they would like to happen, their communication needs and the format "
                    "of their letters; '' where it said nothing",
                    **exact_object(
                        {
                            "place": STRING,
                            "outcome": STRING,
                            "communication_needs": STRING,
                            "letters_in": {**STRING, "description": "As 'Large print'"},
                        }
                    ),
                },
            }
        ),
    }
