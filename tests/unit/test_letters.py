"""Letters to the applicant: written when the letter task is completed, kept, and sent."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.core.db import Database
from engine.core.models import AuditEvent, Notification
from engine.documents import delivery_for
from engine.documents.letters.shared import addressed
from tests.support.letters import DALES, SPOC, acknowledged, headings, letter, outbox, texts
from tests.support.people import COUNCIL, user
from tests.support.procedure import (
    THREE,
    application,
    do,
    met_case,
    submit,
    through_to_decision,
)


def test_the_acknowledgement_is_written_kept_and_emailed(app_db: Database, fixed_clock) -> None:
    db = app_db
    case_id = acknowledged(db)
    sent = letter(db, case_id, "acknowledgement_letter")
    reference = f"CT-2026-{case_id:05d}"
    assert sent.filename == f"{reference}-acknowledgement-letter-v1.docx"
    assert (sent.version, sent.delivery) == (1, "email")
    assert sent.dispatched_by_id == user(db, COUNCIL).id
    assert sent.dispatched_at == fixed_clock.now()
    lines = texts(sent)
    # the district council's letterhead, from the area file
    assert lines[:8] == [
        DALES,
        "Town Hall",
        "Bank Road",
        "Matlock",
        "Derbyshire",
        "DE4 3NN",
        "Phone: 01629 761100",
        "Email: community.trigger@derbyshiredales.example.gov.uk",
    ]
    assert lines[8:13] == [
        "2 March 2026",
        f"Our reference: {reference}",
        "Sam Taylor",
        "1 Bank Road",
        "Matlock",
    ]
    assert "We have received your application for an ASB Case Review" in headings(sent)
    assert "Dear Sam Taylor," in lines
    assert any("write to you with our decision by 16 March 2026" in line for line in lines)
    assert f"If you have any questions, contact {SPOC}." in lines
    assert "Town Hall, Bank Road, Matlock, Derbyshire, DE4 3NN" in " ".join(lines)

    message = outbox(db, sent)
    assert (message.kind, message.email, message.state) == ("letter", "sam@example.com", "pending")
    assert message.case_id == case_id
    assert message.subject == (
        f"We have received your application for an ASB Case Review ({reference})"
    )
    assert message.body.startswith("Dear Sam Taylor,")
    assert "16 March 2026" in message.body
    with db.read() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.case_id == case_id,
                AuditEvent.object_type == "document",
                AuditEvent.object_id == str(sent.id),
            )
        ).all()
    assert actions == ["document.generated", "letter.dispatched", "disclosure"]


def test_a_letter_goes_by_post_when_the_applicant_asked_for_letters(app_db: Database) -> None:
    db = app_db
    case_id = acknowledged(db, contact_preference="letter")
    sent = letter(db, case_id, "acknowledgement_letter")
    assert (sent.delivery, sent.notification_id) == ("post", None)
    assert sent.dispatched_at is not None and sent.dispatched_by_id is not None
    with db.read() as session:
        assert (
            session.scalars(select(Notification).where(Notification.kind == "letter")).all() == []
        )


@pytest.mark.parametrize(
    "applicant, expected",
    [
        ({"email": "sam@example.com", "contact_preference": "email"}, ("email", "sam@example.com")),
        ({"email": " sam@example.com "}, ("email", "sam@example.com")),
        ({"email": "sam@example.com", "contact_preference": "post"}, ("post", "")),
        ({"email": "sam@example.com", "contact_preference": "letter"}, ("post", "")),
        ({"email": "sam@example.com", "contact_preference": "phone"}, ("email", "sam@example.com")),
        ({"contact_preference": "email", "address": "1 Bank Road"}, ("post", "")),
        ({"email": "sam@example.com\nBcc: all@example.com"}, ("post", "")),
        ({}, ("post", "")),
    ],
)
def test_how_a_letter_is_sent(applicant, expected) -> None:
    assert delivery_for(applicant) == expected


def test_threshold_met_letter(app_db: Database) -> None:
    db = app_db
    case_id = met_case(db)
    sent = letter(db, case_id, "threshold_decision_letter")
    lines = texts(sent)
    assert headings(sent)[0] == "Your application meets the threshold for an ASB Case Review"
    assert "We counted 3 qualifying complaints; the threshold is 3." in lines
    assert "If you want to appeal" not in headings(sent), "nothing to appeal against"
    assert "What happens next" in headings(sent)


def test_threshold_not_met_letter_gives_reasons_and_the_appeal_deadline(app_db: Database) -> None:
    db = app_db
    case_id = submit(db, application([THREE[0]]))
    through_to_decision(db, case_id)
    do(
        db,
        case_id,
        "threshold_decision",
        COUNCIL,
        {
            "threshold_met": False,
            "decision_basis": "discretion",
            "reasons": "One recent report, dealt with the same day",
            "persistence": "A single evening",
            "harm": "Low",
            "adequacy": "The police attended within the hour",
        },
    )
    do(db, case_id, "decision_letter", COUNCIL, {"method": "post"})
    sent = letter(db, case_id, "threshold_decision_letter")
    lines = texts(sent)
    assert headings(sent)[0] == (
        "Your application does not meet the threshold for an ASB Case Review"
    )
    assert "We counted 1 qualifying complaint; the threshold is 3." in lines
    assert "One recent report, dealt with the same day" in lines
    assert "The police attended within the hour" in lines
    assert "How persistent the behaviour is" in headings(sent)
    assert (
        "You can appeal to the Office of the Police and Crime Commissioner for Derbyshire. Your "
        "appeal must reach them by 30 March 2026, which is 20 working days from the date of "
        "this letter. Quote your reference."
    ) in lines
    assert "The threshold decision was wrong" in lines
    assert "The action plan was not delivered" not in lines
    assert "Being unhappy with the outcome alone is not a ground for appeal." in lines
    assert any("Butterley Hall" in line for line in lines)
    assert sent.detail["appeal_deadline"] == "2026-03-30"
    assert sent.detail["method_recorded"] == "post"


def test_a_declined_application_is_told_why(app_db: Database) -> None:
    db = app_db
    case_id = submit(db, application([THREE[0]]))
    through_to_decision(db, case_id)
    do(
        db,
        case_id,
        "threshold_decision",
        COUNCIL,
        {
            "threshold_met": False,
            "decision_basis": "declined",
            "decline_ground": "vexatious",
            "reasons": "The fourth application about the same dispute this year",
        },
    )
    do(db, case_id, "decision_letter", COUNCIL, {"method": "email"})
    sent = letter(db, case_id, "threshold_decision_letter")
    lines = texts(sent)
    assert headings(sent)[0] == "We cannot accept your application for an ASB Case Review"
    assert "On 2 March 2026 we decided not to accept it, because the application is vexatious." in (
        lines
    )
    assert "The fourth application about the same dispute this year" in lines
    assert "If you want to appeal" in headings(sent)


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Community Safety Officer", "the Community Safety Officer"),
        (
            "Office of the Police and Crime Commissioner",
            "the Office of the Police and Crime Commissioner",
        ),
        ("ASB Team", "the ASB Team"),
        ("The Housing Team", "The Housing Team"),
        ("Carys Walker", "Carys Walker"),
        ("Derbyshire Dales District Council", "Derbyshire Dales District Council"),
    ],
)
def test_a_role_or_an_office_is_named_with_the_and_a_person_or_a_council_without(
    name: str, said: str
) -> None:
    assert addressed(name) == said
