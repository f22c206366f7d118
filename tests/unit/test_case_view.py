"""A case as the engine shows it to the task pages and the JSON API: to its participants, with
the look audited, and to no one else."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.errors import NotFound
from engine.core.models import Document
from engine.intake.appeals import submit_appeal
from engine.work.case_view import case_documents, case_summary
from tests.support.people import COUNCIL, user
from tests.support.procedure import (
    NO_RETURN,
    SETTINGS,
    application,
    case_of,
    do,
    hold_meeting,
    met_case,
    screened,
    submit,
)
from tests.support.work import viewed


def test_a_participant_sees_the_case_and_the_look_is_audited(all_db: Database) -> None:
    db = all_db
    case_id = screened(db)
    reference = case_of(db, case_id).reference
    held = {"occurred_on": "2025-12-24", "reported_on": "2025-12-24", "reference": "P-1"}
    do(db, case_id, "police_return", "police@example.org", {**NO_RETURN, "incidents": [held]})
    with db.transaction() as session:
        seen = case_summary(session, user(db, "police@example.org"), reference)
    assert (seen["reference"], seen["status"], seen["district"]["key"]) == (
        reference,
        "awaiting_information",
        "derbyshire-dales",
    )
    assert seen["applicant"]["name"] == "Sam Taylor", "every participant sees who applied"
    assert seen["applicant"]["contact_preference"] == "email"
    assert seen["decision"] == {
        "threshold_met": None,
        "basis": None,
        "decided_on": None,
        "senior_officer": None,
    }
    chronology = [(i["occurred_on"], i["source"]) for i in seen["incidents"]]
    assert chronology == sorted(chronology, key=lambda item: item[0])
    assert chronology[0] == (date(2025, 12, 24), "derbyshire-constabulary")
    assert seen["incidents"][0]["source_name"] == "Derbyshire Constabulary"
    assert {p["role"] for p in seen["participants"]} == {"council", "police", "housing", "health"}
    tasks = {t["name"]: t for t in seen["tasks"]}
    assert tasks["acknowledge"]["state"] == "completed"
    assert tasks["acknowledge"]["completed_by"]["name"] == "Council"
    assert tasks["police_return"]["completed_by"]["name"] == "Police"
    assert tasks["housing_return"]["organisations"] == [
        {"key": "dales-housing", "name": "Dales Housing"}
    ]
    assert [p["key"] for p in seen["processes"]] == ["community_trigger_application"]
    assert "audit" not in seen, "the police do not read the council's audit trail"
    assert viewed(db) == [(case_id, user(db, "police@example.org").id)]

    with db.transaction() as session:
        managed = case_summary(session, user(db, COUNCIL), reference)
    actions = [event["action"] for event in managed["audit"]]
    assert "case.opened" in actions and "information.requested" in actions
    assert actions[-1] == "case.viewed"


def test_outside_need_to_know_a_case_does_not_exist(all_db: Database) -> None:
    db = all_db
    reference = case_of(db, submit(db, application())).reference
    for email in ("futures@example.org", "erewash@example.org", "owner@example.org"):
        with pytest.raises(NotFound) as hidden, db.transaction() as session:
            case_summary(session, user(db, email), reference)
        with pytest.raises(NotFound) as missing, db.transaction() as session:
            case_summary(session, user(db, email), "CT-2026-99999")
        assert str(hidden.value).replace(reference, "") == str(missing.value).replace(
            "CT-2026-99999", ""
        ), "the same answer as for a case that does not exist"
        with pytest.raises(NotFound), db.read() as session:
            case_documents(session, user(db, email), reference)
    assert viewed(db) == []


def test_reviews_recommendations_appeals_and_documents_are_on_the_case(
    all_db: Database, fixed_clock: FixedClock
) -> None:
    db = all_db
    case_id = met_case(db)
    plan = [
        {"organisation": "dales-housing", "action": "Warn the tenant", "due_date": "2026-04-03"}
    ]
    hold_meeting(db, case_id, plan, fixed_clock)
    letter = {"method": "post", "updates": "Monthly"}
    do(db, case_id, "outcome_letter", COUNCIL, letter)
    reference = case_of(db, case_id).reference
    appeal = {
        "case_reference": reference,
        "letter_date": "2026-03-20",
        "grounds": ["threshold_decision"],
    }
    with db.transaction() as session:
        submit_appeal(session, appeal, SETTINGS)
        # Whatever letters the steps wrote, one more version of the outcome letter, posted.
        version = session.scalar(
            select(func.max(Document.version)).where(
                Document.case_id == case_id, Document.kind == "outcome_letter"
            )
        )
        session.add(
            Document(
                case_id=case_id,
                kind="outcome_letter",
                version=(version or 0) + 1,
                filename="outcome.docx",
                sha256="0" * 64,
                content=b"PK",
                created_at=fixed_clock.now(),
                delivery="post",
            )
        )
    with db.transaction() as session:
        seen = case_summary(session, user(db, "opcc@example.org"), reference)
    (review,) = seen["reviews"]
    assert (review["number"], review["held_on"], review["chair"]["name"]) == (
        1,
        date(2026, 3, 20),
        "Chair",
    )
    (recommendation,) = review["recommendations"]
    assert recommendation["organisation"]["key"] == "dales-housing"
    assert recommendation["action"] == "Warn the tenant"
    (lodged,) = seen["appeals"]
    assert lodged["grounds"] == ["threshold_decision"] and lodged["outcome"] is None
    assert seen["status"] == "appeal_lodged"
    assert "audit" in seen, "the OPCC reads the audit trail of cases appealed to it"
    document = seen["documents"][-1]
    assert (document["kind"], document["filename"], document["delivery"]) == (
        "outcome_letter",
        "outcome.docx",
        "post",
    )
    assert set(document) == {
        "id",
        "kind",
        "version",
        "filename",
        "sha256",
        "created_at",
        "delivery",
        "dispatched_at",
        "letter_format",
        "wording_version",
    }, "never the content"
    assert document["wording_version"] == 0, "written in the shipped wording"
    with db.read() as session:
        listed = case_documents(session, user(db, "housing@example.org"), reference)
    assert listed == seen["documents"]
