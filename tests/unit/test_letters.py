"""Letters to the applicant: written when the letter task is completed, kept, and sent."""

from __future__ import annotations

import io
from datetime import timedelta

import docx
import pytest
from sqlalchemy import select

from engine.core.config import PROJECT_ROOT
from engine.core.db import Database
from engine.core.errors import InvalidData
from engine.core.models import AuditEvent, Document, Notification
from engine.documents import delivery_for
from engine.intake.appeals import submit_appeal
from engine.runtime import deploy
from tests.support.files import FORMS
from tests.support.people import COUNCIL, user
from tests.support.procedure import (
    SETTINGS,
    THREE,
    TODAY,
    application,
    do,
    hold_meeting,
    met_case,
    submit,
    through_to_decision,
)

OPCC = "opcc@example.org"
DALES = "Derbyshire Dales District Council"
SPOC = (
    "Community Safety Officer on 01629 761100 or community.trigger@derbyshiredales.example.gov.uk"
)


@pytest.fixture
def letters_db(app_db: Database) -> Database:
    with app_db.transaction() as session:
        for name in ("asb_case_review.bpmn", "opcc_appeal.bpmn"):
            path = PROJECT_ROOT / "workflows" / name
            deploy(session, path.read_bytes(), filename=name, forms_dir=FORMS)
    return app_db


def letter(db: Database, case_id: int, kind: str) -> Document:
    """The newest letter of this kind on the case."""
    with db.read() as session:
        found = session.scalar(
            select(Document)
            .where(Document.case_id == case_id, Document.kind == kind)
            .order_by(Document.version.desc())
            .limit(1)
        )
    assert found is not None, f"no {kind} on case {case_id}"
    return found


def texts(document: Document) -> list[str]:
    word = docx.Document(io.BytesIO(document.content))
    lines = [p.text for p in word.paragraphs]
    for table in word.tables:
        lines += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
    return lines


def headings(document: Document) -> list[str]:
    word = docx.Document(io.BytesIO(document.content))
    return [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]


def outbox(db: Database, document: Document) -> Notification | None:
    with db.read() as session:
        return session.get(Notification, document.notification_id)


def acknowledged(db: Database, **changes) -> int:
    case_id = submit(db, application(**changes))
    do(db, case_id, "acknowledge", COUNCIL, {"acknowledged_on": TODAY, "method": "email"})
    return case_id


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
    do(db, case_id, "decision_letter", COUNCIL, {"sent_on": TODAY, "method": "post"})
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
        "You can appeal to Office of the Police and Crime Commissioner for Derbyshire. Your "
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
    do(db, case_id, "decision_letter", COUNCIL, {"sent_on": TODAY, "method": "email"})
    sent = letter(db, case_id, "threshold_decision_letter")
    lines = texts(sent)
    assert headings(sent)[0] == "We cannot accept your application for an ASB Case Review"
    assert "On 2 March 2026 we decided not to accept it, because the application is vexatious." in (
        lines
    )
    assert "The fourth application about the same dispute this year" in lines
    assert "If you want to appeal" in headings(sent)


PLAN = [
    {
        "organisation": "derbyshire-constabulary",
        "action": "Patrol the street on weekend nights",
        "due_date": "2026-04-17",
    },
    {"organisation": "dales-housing", "action": "Serve a warning notice", "due_date": "2026-04-03"},
]


def test_outcome_letter_lists_each_recommendation_and_the_appeal_route(
    letters_db: Database, fixed_clock
) -> None:
    db = letters_db
    case_id = met_case(db)
    hold_meeting(db, case_id, PLAN, fixed_clock)
    do(
        db,
        case_id,
        "outcome_letter",
        COUNCIL,
        {"sent_on": "2026-03-23", "method": "email", "updates": "A monthly email from the SPOC"},
    )
    sent = letter(db, case_id, "outcome_letter")
    lines = texts(sent)
    assert headings(sent) == [
        "The outcome of your ASB Case Review",
        "What the review found",
        "What will be done",
        "How we will keep you updated",
        "If you want to appeal",
        "Contact",
        "Your council contact",
    ]
    assert "23 March 2026" in lines
    assert any("held on 20 March 2026, chaired by Chair." in line for line in lines)
    assert "Agencies did not share information" in lines
    assert "What will be done | Who will do it | By when" in lines
    assert "Patrol the street on weekend nights | Derbyshire Constabulary | 17 April 2026" in lines
    assert "Serve a warning notice | Dales Housing | 3 April 2026" in lines
    assert "A monthly email from the SPOC" in lines
    # 20 working days from 23 March 2026, over Good Friday and Easter Monday
    assert any("must reach them by 22 April 2026" in line for line in lines)
    for ground in (
        "The threshold decision was wrong",
        "The review did not consider a relevant process, policy or protocol",
        "The review did not consider relevant information",
        "The action plan was not delivered",
    ):
        assert ground in lines
    assert sent.detail["appeal_deadline"] == "2026-04-22"
    assert sent.detail["recommendations"] == 2
    body = outbox(db, sent).body
    assert "22 April 2026" in body
    assert (
        "- What will be done: Serve a warning notice; Who will do it: Dales Housing; "
        "By when: 3 April 2026"
    ) in body


def test_an_outcome_without_recommendations_says_so(letters_db: Database, fixed_clock) -> None:
    db = letters_db
    case_id = met_case(db)
    hold_meeting(db, case_id, [], fixed_clock)
    do(
        db,
        case_id,
        "outcome_letter",
        COUNCIL,
        {"sent_on": "2026-03-23", "method": "post", "updates": "No further updates"},
    )
    lines = texts(letter(db, case_id, "outcome_letter"))
    assert "The review made no recommendations." in lines
    assert any("must reach them by 22 April 2026" in line for line in lines)


def test_closing_for_want_of_consent_gives_the_reasons(app_db: Database, fixed_clock) -> None:
    from engine.procedure.steps import fire_due_timers

    db = app_db
    case_id = submit(
        db, application(on_behalf=True, victim={"name": "Jo Taylor"}, victim_consent=False)
    )
    do(db, case_id, "acknowledge", COUNCIL, {"acknowledged_on": TODAY, "method": "letter"})
    do(db, case_id, "screen", COUNCIL, {"route": "consent_hold", "hate_element": False})
    fixed_clock.advance(timedelta(days=30))
    assert fire_due_timers(db) == 1
    do(
        db,
        case_id,
        "consent_closure_letter",
        COUNCIL,
        {"letter_sent_on": "2026-04-01", "reasons": "We did not hear from Jo Taylor"},
    )
    sent = letter(db, case_id, "closure_letter")
    lines = texts(sent)
    assert headings(sent)[0] == "We have closed your application for an ASB Case Review"
    assert "1 April 2026" in lines
    assert "We did not hear from Jo Taylor" in lines


def _screened_as_complaint(db: Database, about: str) -> int:
    case_id = acknowledged(db)
    do(
        db,
        case_id,
        "screen",
        COUNCIL,
        {"route": "complaint", "hate_element": False, "complaint_organisation": about},
    )
    return case_id


def test_a_complaint_about_a_service_is_told_where_to_take_it(app_db: Database) -> None:
    db = app_db
    case_id = _screened_as_complaint(db, "derbyshire-constabulary")
    with pytest.raises(InvalidData) as refused:
        do(
            db,
            case_id,
            "complaint_letter",
            COUNCIL,
            {"letter_sent_on": "2026-03-04", "complaints_route": "council_complaints_then_lgsco"},
        )
    assert refused.value.fields["complaints_route"] == (
        "The complaint is about Derbyshire Constabulary: choose the police complaints route"
    )
    do(
        db,
        case_id,
        "complaint_letter",
        COUNCIL,
        {"letter_sent_on": "2026-03-04", "complaints_route": "police_complaints_then_iopc"},
    )
    sent = letter(db, case_id, "complaint_referral_letter")
    lines = texts(sent)
    assert headings(sent)[0] == "Your application is a complaint about an officer or a service"
    assert "4 March 2026" in lines
    assert "Make your complaint through the complaints procedure of Derbyshire Constabulary." in (
        lines
    )
    assert (
        "This means we will not carry out an ASB Case Review on this application, and we have "
        "closed it." in lines
    )
    assert any("Independent Office for Police Conduct (IOPC)" in line for line in lines)
    assert any(SPOC in line for line in lines)
    emailed = outbox(db, sent)
    assert emailed is not None and "Derbyshire Constabulary" in emailed.body
    assert sent.detail["complaint_about"] == "Derbyshire Constabulary"


def test_a_complaint_letter_names_the_organisation_however_the_screening_wrote_it(
    app_db: Database,
) -> None:
    db = app_db
    for written, route, named in [
        ("dales housing", "housing_complaints_then_housing_ombudsman", "Dales Housing"),
        ("the bin crew", "council_complaints_then_lgsco", "the bin crew"),
    ]:
        case_id = _screened_as_complaint(db, written)
        do(
            db,
            case_id,
            "complaint_letter",
            COUNCIL,
            {"letter_sent_on": "2026-03-04", "complaints_route": route},
        )
        lines = texts(letter(db, case_id, "complaint_referral_letter"))
        assert f"Make your complaint through the complaints procedure of {named}." in lines


def _reviewed(db: Database, fixed_clock) -> int:
    case_id = met_case(db)
    hold_meeting(db, case_id, [], fixed_clock)
    do(
        db,
        case_id,
        "outcome_letter",
        COUNCIL,
        {"sent_on": "2026-03-20", "method": "post", "updates": "None"},
    )
    return case_id


def _lodge(db: Database, case_id: int, grounds: list[str]) -> None:
    payload = {
        "case_reference": f"CT-2026-{case_id:05d}",
        "letter_date": "2026-03-20",
        "grounds": grounds,
        "details": "The housing provider's records were not looked at",
    }
    with db.transaction() as session:
        submit_appeal(session, payload, SETTINGS)


def test_appeal_letters_come_from_the_opcc(letters_db: Database, fixed_clock) -> None:
    db = letters_db
    case_id = _reviewed(db, fixed_clock)
    fixed_clock.advance(timedelta(days=5))  # 25 March
    _lodge(db, case_id, ["information_not_considered"])
    do(
        db,
        case_id,
        "acknowledge_appeal",
        OPCC,
        {"acknowledged_on": "2026-03-25", "method": "email"},
    )
    sent = letter(db, case_id, "appeal_acknowledgement_letter")
    lines = texts(sent)
    assert lines[:2] == [
        "Office of the Police and Crime Commissioner for Derbyshire",
        "Butterley Hall",
    ]
    assert headings(sent)[0] == "We have received your appeal"
    assert "The review did not consider relevant information" in lines
    assert any("with our decision by 24 April 2026" in line for line in lines)
    assert any(line.startswith(f"{DALES}, Town Hall") for line in lines), "the council contact"
    assert sent.dispatched_by_id == user(db, OPCC).id

    do(db, case_id, "check_eligibility", OPCC, {"eligible": True, "reasons": "In time"})
    do(db, case_id, "case_file", COUNCIL, {"sent_on": "2026-03-26"})
    do(
        db,
        case_id,
        "panel_decision",
        OPCC,
        {"appeal_outcome": "upheld", "reasons": "Housing records were not considered"},
    )
    do(
        db,
        case_id,
        "decision_letters",
        OPCC,
        {"applicant_told_on": "2026-03-27", "council_told_on": "2026-03-27"},
    )
    decided = letter(db, case_id, "appeal_decision_letter")
    lines = texts(decided)
    assert headings(decided)[0] == "Your appeal has been upheld"
    assert any(f"referred your case back to {DALES}" in line for line in lines)
    assert "Housing records were not considered" in lines
    assert "27 March 2026" in lines
    assert outbox(db, decided).email == "sam@example.com"


def test_an_appeal_out_of_time_gets_a_reasoned_refusal(letters_db: Database, fixed_clock) -> None:
    db = letters_db
    case_id = _reviewed(db, fixed_clock)
    fixed_clock.advance(timedelta(days=40))
    _lodge(db, case_id, ["information_not_considered"])
    do(
        db,
        case_id,
        "acknowledge_appeal",
        OPCC,
        {"acknowledged_on": "2026-04-29", "method": "email"},
    )
    with db.read() as session:
        from engine.core.models import Task

        draft = session.scalar(select(Task.draft).where(Task.spec_name == "check_eligibility"))
    do(db, case_id, "check_eligibility", OPCC, {"eligible": False, "reasons": draft["reasons"]})
    do(db, case_id, "refusal_letter", OPCC, {"sent_on": "2026-04-30", "method": "post"})
    sent = letter(db, case_id, "appeal_refusal_letter")
    lines = texts(sent)
    assert headings(sent)[0] == "Your appeal cannot be heard"
    assert any("after the deadline of 21 April 2026" in line for line in lines)
    assert "30 April 2026" in lines


def test_each_letter_of_a_kind_is_a_new_version(letters_db: Database, fixed_clock) -> None:
    db = letters_db
    case_id = _reviewed(db, fixed_clock)
    fixed_clock.advance(timedelta(days=5))
    _lodge(db, case_id, ["information_not_considered"])
    do(
        db,
        case_id,
        "acknowledge_appeal",
        OPCC,
        {"acknowledged_on": "2026-03-25", "method": "email"},
    )
    do(db, case_id, "check_eligibility", OPCC, {"eligible": True, "reasons": "In time"})
    do(db, case_id, "case_file", COUNCIL, {"sent_on": "2026-03-26"})
    do(db, case_id, "panel_decision", OPCC, {"appeal_outcome": "upheld", "reasons": "Redo"})
    do(
        db,
        case_id,
        "decision_letters",
        OPCC,
        {"applicant_told_on": "2026-03-27", "council_told_on": "2026-03-27"},
    )
    # the fresh review ends with a second outcome letter
    fixed_clock.advance(timedelta(days=1))
    do(
        db,
        case_id,
        "schedule_meeting",
        COUNCIL,
        {"chair_email": "chair@example.org", "meeting_date": "2026-04-20"},
    )
    do(db, case_id, "chase_returns", COUNCIL, {"all_returns_in": True})
    do(db, case_id, "meeting_pack", COUNCIL, {"pack_ready_on": "2026-04-16"})
    fixed_clock.advance(timedelta(days=25))
    do(
        db,
        case_id,
        "record_meeting",
        "chair@example.org",
        {
            "held_on": "2026-04-20",
            "attendees": ["Chair"],
            "findings": "Housing records now considered",
            "recommendations": [],
        },
    )
    do(
        db,
        case_id,
        "outcome_letter",
        COUNCIL,
        {"sent_on": "2026-04-21", "method": "email", "updates": "None"},
    )
    second = letter(db, case_id, "outcome_letter")
    assert second.version == 2
    assert second.filename.endswith("-outcome-letter-v2.docx")
    assert "Housing records now considered" in texts(second)
