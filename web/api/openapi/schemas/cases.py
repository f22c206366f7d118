"""A case as the caller may see it, a review's chair, and the documents made for a case."""

from __future__ import annotations

from typing import Any

from engine.cases.details import LETTER_FORMATS, TEXT_FIELDS
from engine.cases.threshold import MARKS
from engine.core.models import (
    APPLYING_AS,
    CASE_STATUSES,
    DECISION_BASES,
    PARTICIPANT_ROLES,
    RISK_LEVELS,
)
from engine.review.appeal_rules import GROUNDS
from web.api.openapi.parts import (
    BOOLEAN,
    DATE,
    DATE_TIME,
    INTEGER,
    KEY_NAME,
    PERSON_REF,
    STRING,
    TEXT,
    exact_object,
    nullable,
    ref,
)


def schemas() -> dict[str, Any]:
    return {
        "ChairChange": exact_object(
            {
                "chair_email": {
                    "type": "string",
                    "description": "A review chair's address, or that of a chair on the "
                    "area's list with no account yet, whose account the change makes (and "
                    "emails them an invitation)",
                },
                "chair_reason": {
                    "type": "string",
                    "description": "Needed when the chair comes from an organisation taking "
                    "part in the case: the manager's reason for appointing them",
                },
            },
            optional=("chair_reason",),
        ),
        "ChairDeclaration": exact_object(
            {
                "conflict": {"enum": ["yes", "no"]},
                "conflict_details": {
                    "type": "string",
                    "description": "What the conflict of interest is; needed with yes",
                },
            },
            optional=("conflict_details",),
        ),
        "ChairDeclared": exact_object(
            {"reference": STRING, "declaration": _declaration()},
        ),
        "ChairChanged": exact_object(
            {"reference": STRING, "chair": exact_object({"id": INTEGER, "name": STRING})}
        ),
        "Document": exact_object(
            {
                "id": INTEGER,
                "kind": STRING,
                "version": INTEGER,
                "filename": STRING,
                "sha256": STRING,
                "created_at": DATE_TIME,
                "delivery": nullable({"enum": ["email", "post"]}),
                "dispatched_at": nullable(DATE_TIME),
                "letter_format": {
                    **nullable({"enum": list(LETTER_FORMATS)}),
                    "description": "A letter's: the format the applicant asked for when it was "
                    "sent (large_print: it was made in large print); null for other documents",
                },
                # A letter: the deployed version of its wording that wrote it, 0 for the
                # shipped wording; null for a document that is not a letter.
                "wording_version": nullable(INTEGER),
            }
        ),
        "DocumentList": exact_object(
            {"reference": STRING, "documents": {"type": "array", "items": ref("Document")}}
        ),
        "Case": _case(),
        "CaseList": exact_object(
            {
                "cases": {"type": "array", "items": _listed_case()},
                "page": INTEGER,
                "page_size": INTEGER,
                "total": {
                    "type": "integer",
                    "description": "The cases found, counted up to 1,000 (see total_is_exact)",
                },
                "total_is_exact": {
                    "type": "boolean",
                    "description": "False when more than total were found",
                },
                "has_next": BOOLEAN,
            }
        ),
    }


def _listed_case() -> dict[str, Any]:
    return exact_object(
        {
            "reference": STRING,
            "status": {"enum": list(CASE_STATUSES)},
            "district": KEY_NAME,
            "received_on": DATE,
            "closed_on": nullable(DATE),
            "erased": {
                "type": "boolean",
                "description": "Its personal data was erased at the end of its retention period",
            },
            "applicant": exact_object(
                {
                    "name": STRING,
                    "address": STRING,
                    "postcode": {"type": "string", "description": "As written, or ''"},
                }
            ),
            "victim_name": {
                "type": "string",
                "description": "The person the applicant applied for, or ''",
            },
        }
    )


def _case() -> dict[str, Any]:
    organisation = KEY_NAME
    contact = {"type": "object", "additionalProperties": True}
    return exact_object(
        {
            "reference": STRING,
            "status": {"enum": list(CASE_STATUSES)},
            "district": KEY_NAME,
            "received_on": DATE,
            "channel": STRING,
            "closed_on": nullable(DATE),
            "erased_on": nullable(DATE),
            "applicant": contact,
            "applying_as": {
                "enum": list(APPLYING_AS),
                "description": "A person, or a business or community group through the "
                "applicant, its named contact (applicant.organisation)",
            },
            "on_behalf": BOOLEAN,
            "victim": nullable(contact),
            "victim_consent": BOOLEAN,
            "hate_element": {"type": "boolean", "description": "As screening found"},
            "applicant_hate_element": {
                "description": "The applicant's own answer on the application; null for a "
                "case screened before the service kept it",
                **nullable(BOOLEAN),
            },
            "hate_element_reason": {
                "description": "Why screening differs from the applicant's answer; null "
                "where it does not",
                **nullable(TEXT),
            },
            "impact": TEXT,
            "details": {
                "description": "What the application says beside its incidents, '' where it "
                "said nothing (a case made before the application asked, or erased): where the "
                "behaviour happens, who is believed responsible, witnesses, the outcome the "
                "applicant wants, their communication needs and the format of their letters",
                **exact_object(
                    {
                        **dict.fromkeys(TEXT_FIELDS, TEXT),
                        "letter_format": {"enum": list(LETTER_FORMATS)},
                        "letter_language": {
                            "type": "string",
                            "description": "With letters in another language; '' otherwise",
                        },
                    }
                ),
            },
            "risk": nullable(
                {
                    "description": "The council's risk and vulnerability assessment after "
                    "screening, or null before it is done: its level, who assessed it and when, "
                    "the answers (the form risk_assessment's; {} once the case is erased) and "
                    "the rules that made it high whatever the score",
                    **exact_object(
                        {
                            "level": {"enum": list(RISK_LEVELS)},
                            "assessed_on": nullable(DATE),
                            "assessed_by": STRING,
                            "answers": {"type": "object"},
                            "high_because": {"type": "array", "items": STRING},
                        }
                    ),
                }
            ),
            "decision": exact_object(
                {
                    "threshold_met": nullable(BOOLEAN),
                    "basis": nullable({"enum": list(DECISION_BASES)}),
                    "decided_on": nullable(DATE),
                    "senior_officer": {
                        "description": "The manager a vulnerable victim decision names, and "
                        "when they confirmed it (null while it waits for them); null for other "
                        "decisions",
                        **nullable(
                            exact_object(
                                {"id": INTEGER, "name": STRING, "confirmed_at": nullable(DATE_TIME)}
                            )
                        ),
                    },
                }
            ),
            "contact": {
                "description": "The applicant's single point of contact, an officer of the "
                "managing council; null before one is named",
                **nullable(exact_object({"id": INTEGER, "name": STRING, "email": STRING})),
            },
            "participants": {
                "type": "array",
                "items": exact_object(
                    {
                        "organisation": organisation,
                        "role": {"enum": list(PARTICIPANT_ROLES)},
                        "user": PERSON_REF,
                    }
                ),
            },
            "status_history": {
                "type": "array",
                "items": exact_object({"status": {"enum": list(CASE_STATUSES)}, "at": DATE_TIME}),
            },
            "incidents": {
                "type": "array",
                "description": "The chronology, in the order the behaviour happened",
                "items": exact_object(
                    {
                        "occurred_on": DATE,
                        "reported_on": DATE,
                        "reported_to": STRING,
                        "reported_to_name": STRING,
                        "reference": STRING,
                        "description": TEXT,
                        "source": {
                            "type": "string",
                            "description": "application, or the key of the organisation "
                            "whose information return gave it",
                        },
                        "source_name": STRING,
                        "id": INTEGER,
                        "incident": {
                            "type": "integer",
                            "description": "The incident it is counted as, numbered from 1 in "
                            "the order the behaviour happened: reports of one incident share it",
                        },
                        "counts": {
                            "type": "boolean",
                            "description": "Whether it is the report that makes its incident a "
                            "qualifying complaint",
                        },
                        "counting": {
                            "type": "string",
                            "description": "What it counts for, and why, in words",
                        },
                        "mark": nullable(
                            {
                                "enum": list(MARKS),
                                "description": "What the council's staff said it counts for",
                            }
                        ),
                        "mark_reason": TEXT,
                    }
                ),
            },
            "tasks": {
                "type": "array",
                "items": exact_object(
                    {
                        "id": INTEGER,
                        "title": STRING,
                        "name": STRING,
                        "role": STRING,
                        "state": {"enum": ["open", "claimed", "completed"]},
                        "organisations": {"type": "array", "items": organisation},
                        "assignee": PERSON_REF,
                        "due_on": nullable(DATE),
                        "created_at": DATE_TIME,
                        "completed_at": nullable(DATE_TIME),
                        "completed_by": PERSON_REF,
                        "escalation_level": INTEGER,
                    }
                ),
            },
            "reviews": {
                "type": "array",
                "items": exact_object(
                    {
                        "number": INTEGER,
                        "chair": PERSON_REF,
                        "chair_standing": nullable(_chair_standing()),
                        "meeting_date": nullable(DATE),
                        "beyond_timescale_reason": {
                            "type": ["string", "null"],
                            "description": "Why the meeting is later than the area's "
                            "timescale allows; null when it is not",
                        },
                        "held_on": nullable(DATE),
                        "attendees": {"type": "array", "items": STRING},
                        "findings": TEXT,
                        "outcome_letter_sent_on": nullable(DATE),
                        "closed_on": nullable(DATE),
                        "recommendations": {
                            "type": "array",
                            "items": exact_object(
                                {
                                    "id": INTEGER,
                                    "organisation": organisation,
                                    "action": TEXT,
                                    "due_date": DATE,
                                    "status": {"enum": ["open", "done", "closed"]},
                                    "notes": TEXT,
                                    "completed_on": nullable(DATE),
                                }
                            ),
                        },
                    }
                ),
            },
            "appeals": {
                "type": "array",
                "items": exact_object(
                    {
                        "id": INTEGER,
                        "received_on": DATE,
                        "letter_date": DATE,
                        "grounds": {"type": "array", "items": {"enum": list(GROUNDS)}},
                        "details": TEXT,
                        "channel": STRING,
                        "eligible": nullable(BOOLEAN),
                        "eligibility_reasons": TEXT,
                        "outcome": nullable({"enum": ["upheld", "not_upheld"]}),
                        "outcome_reasons": TEXT,
                        "decided_on": nullable(DATE),
                    }
                ),
            },
            "documents": {"type": "array", "items": ref("Document")},
            "attachments": {
                "type": "array",
                "items": exact_object(
                    {
                        "id": INTEGER,
                        "task_id": nullable(INTEGER),
                        "filename": STRING,
                        "media_type": STRING,
                        "size": INTEGER,
                        "sha256": STRING,
                        "organisation": organisation,
                        "uploaded_at": DATE_TIME,
                    }
                ),
            },
            "processes": {
                "type": "array",
                "items": exact_object(
                    {
                        "id": INTEGER,
                        "key": STRING,
                        "name": STRING,
                        "version": INTEGER,
                        "state": {"enum": ["running", "completed", "failed", "cancelled"]},
                        "started_at": DATE_TIME,
                        "completed_at": nullable(DATE_TIME),
                        "steps": {
                            "type": "array",
                            "description": "The diagram's tasks in the order a case meets them, "
                            "each with its lane and where this case is with it",
                            "items": exact_object(
                                {
                                    "element_id": STRING,
                                    "name": STRING,
                                    "lane": STRING,
                                    "state": {
                                        "enum": ["waiting", "done", "cancelled", "not_reached"]
                                    },
                                }
                            ),
                        },
                    }
                ),
            },
            "linked": nullable(
                exact_object(
                    {
                        "applications": {
                            "type": "array",
                            "description": "The applications the council linked as being "
                            "about the same behaviour, this one among them, as received",
                            "items": exact_object(
                                {
                                    "reference": STRING,
                                    "received_on": DATE,
                                    "this": BOOLEAN,
                                    "first": {
                                        "type": "boolean",
                                        "description": "The one the others are linked to",
                                    },
                                    "counts": nullable(BOOLEAN),
                                    "counting": STRING,
                                }
                            ),
                        },
                        "individuals": nullable(INTEGER),
                        "needed": nullable(INTEGER),
                        "months": nullable(INTEGER),
                        "met": nullable(BOOLEAN),
                    }
                )
            ),
            "check_ins": {
                "type": "array",
                "description": "After the case closed at the end of its review: each time the "
                "applicant is asked whether the anti-social behaviour is still happening",
                "items": exact_object(
                    {
                        "id": INTEGER,
                        "months": {"type": "integer", "description": "Months after closure"},
                        "due_on": DATE,
                        "sent_at": nullable(DATE_TIME),
                        "delivery": nullable({"enum": ["email", "post"]}),
                        "answered_at": nullable(DATE_TIME),
                        "still_happening": nullable(BOOLEAN),
                        "comment": STRING,
                        "answered_by": {
                            "type": "string",
                            "description": "'the applicant', the name of the member of staff "
                            "who recorded the answer, or '' before an answer",
                        },
                        "awaiting_answer": BOOLEAN,
                    }
                ),
            },
            "audit": {
                "type": "array",
                "description": "Only for the council managing the case and the OPCC",
                "items": exact_object(
                    {
                        "at": DATE_TIME,
                        "action": STRING,
                        "sentence": {
                            "type": "string",
                            "description": "The event in plain English, as the case page shows it",
                        },
                        "user": PERSON_REF,
                        "organisation": nullable(organisation),
                        "object_type": STRING,
                        "object_id": STRING,
                        "detail": {"type": "object"},
                    }
                ),
            },
        },
        optional=("audit",),
    )


def _declaration() -> dict[str, Any]:
    return exact_object(
        {
            "conflict": BOOLEAN,
            "details": TEXT,
            "declared_by": STRING,
            "declared_at": DATE_TIME,
            "after_meeting": {
                "type": "boolean",
                "description": "Declared once the meeting was recorded: the meeting stands",
            },
        }
    )


def _chair_standing() -> dict[str, Any]:
    """Whether a review's chair is independent of the case, and what they declared."""
    return exact_object(
        {
            "body": nullable(STRING),
            "independent": {
                "type": ["boolean", "null"],
                "description": "Whether the chair comes from no organisation taking part in "
                "the case; null for a chair appointed before the service asked",
            },
            "taking_part": {"type": "array", "items": STRING},
            "reason": {
                "type": ["string", "null"],
                "description": "A manager's reason for appointing a chair who is not independent",
            },
            "reason_by": nullable(STRING),
            "reason_at": nullable(DATE_TIME),
            "declaration": nullable(_declaration()),
        }
    )
