"""The applicant is told as their case moves on, the way they chose: the meeting arranged,
each action reported, and, once the action plan is finished, a letter saying the case is
closing, why, and what to do if the behaviour goes on. By email, the subject line says
nothing personal; by post, each is a short letter kept with the others."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from engine.chasing.mailer import send_due
from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.models import AuditEvent, Case, Document, Notification
from tests.support.letters import headings, letter, texts
from tests.support.mail import SmtpServer
from tests.support.people import COUNCIL
from tests.support.procedure import (
    ACKNOWLEDGED,
    application,
    case_of,
    do,
    hold_meeting,
    met_case,
    submit,
    through_to_decision,
)

SUBJECT = "Your case review: an update"
PLAN = [
    {
        "organisation": "derbyshire-constabulary",
        "action": "Patrol the street on weekend nights",
        "due_date": "2026-04-17",
    },
    {
        "organisation": "dales-housing",
        "action": "Serve a warning notice",
        "due_date": "2026-04-03",
    },
]
# What the agencies write about their actions may name other people: never sent on.
POLICE_NOTES = "Patrols added; spoke to Jordan Quigley at number 6"
HOUSING_NOTES = "Jordan Quigley moved out before the notice was served"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


def _to_applicant(db: Database, case_id: int) -> list[Notification]:
    with db.read() as session:
        return list(
            session.scalars(
                select(Notification)
                .where(Notification.case_id == case_id, Notification.kind == "letter")
                .order_by(Notification.id)
            )
        )


def _updates(db: Database, case_id: int) -> list[Notification]:
    return [n for n in _to_applicant(db, case_id) if n.key.startswith("update:")]


def _through_the_plan(db: Database, case_id: int, fixed_clock: FixedClock) -> None:
    hold_meeting(db, case_id, PLAN, fixed_clock)
    do(
        db,
        case_id,
        "outcome_letter",
        COUNCIL,
        {"method": "email", "updates": "An email as each is done"},
    )
    do(
        db,
        case_id,
        "police_actions [child]",
        "police@example.org",
        {"action_status": "done", "notes": POLICE_NOTES},
    )
    do(
        db,
        case_id,
        "housing_actions [child]",
        "housing@example.org",
        {"action_status": "closed", "notes": HOUSING_NOTES},
    )


def test_an_emailing_applicant_is_told_of_the_meeting_and_each_action_then_of_the_closing(
    review_db: Database, fixed_clock: FixedClock
) -> None:
    db = review_db
    case_id = met_case(db)
    reference = case_of(db, case_id).reference
    assert _updates(db, case_id) == [], "the decision went as its letter, not as an update too"
    _through_the_plan(db, case_id, fixed_clock)

    meeting, done, closed = _updates(db, case_id)
    for update in (meeting, done, closed):
        assert update.subject == SUBJECT, "nothing personal, not even the reference"
        assert (update.email, update.state, update.user_id) == ("sam@example.com", "pending", None)
        assert "http://127.0.0.1:5000/your-case" in update.body
        assert "Sam Taylor" not in update.body and "Bank Road" not in update.body
        assert "Jordan Quigley" not in update.body and "Patrols added" not in update.body
        assert "contact Council on 01629 761100 or council@example.org" in update.body
    assert f"The case review meeting about your application {reference} will be held on " in (
        meeting.body
    )
    assert "20 March 2026" in meeting.body
    assert (
        "Derbyshire Constabulary has told us it has done this action from your case review: "
        "Patrol the street on weekend nights." in done.body
    )
    assert "1 action of the 2 agreed is still to be finished." in done.body
    assert (
        "Dales Housing has closed this action from your case review without doing it: Serve a "
        "warning notice. Your contact can tell you why." in closed.body
    )
    assert "Every action agreed at the review is now finished" in closed.body
    with db.read() as session:
        told = session.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.case_id == case_id, AuditEvent.action == "applicant.updated"
            )
        ).all()
    assert [(d["update"], d["delivery"]) for d in told] == [
        ("meeting_arranged", "email"),
        ("action_reported", "email"),
        ("action_reported", "email"),
    ]

    assert case_of(db, case_id).status == "closed"
    closing = letter(db, case_id, "case_closed_letter")
    lines = texts(closing)
    assert headings(closing)[0] == "We are closing your ASB Case Review"
    assert f"We are closing your ASB Case Review {reference}." in lines
    assert (
        "The case review meeting on 20 March 2026 agreed 2 actions for the agencies to take. "
        "Each one is now finished:" in lines
    )
    assert (
        "Patrol the street on weekend nights | Derbyshire Constabulary | Done on 20 March 2026"
        in lines
    )
    assert (
        "Serve a warning notice | Dales Housing | Closed without being done on 20 March 2026"
        in lines
    )
    text = " ".join(lines)
    assert "If the behaviour goes on" in headings(closing)
    assert "the police on 101" in text and "call 999" in text
    assert "apply for a new case review at http://127.0.0.1:5000/apply" in text
    assert "does not change your right to appeal" in text, "the outcome's window is still open"
    assert "If you have any questions, contact Council on 01629 761100" in text
    assert "Jordan Quigley" not in text and "Patrols added" not in text
    assert (closing.delivery, closing.dispatched_by_id) == ("email", None)
    emailed = _to_applicant(db, case_id)[-1]
    assert emailed.id == closing.notification_id
    assert emailed.subject == f"We are closing your ASB Case Review ({reference})"


def test_an_applicant_who_has_letters_gets_each_update_as_a_short_letter(
    review_db: Database, fixed_clock: FixedClock
) -> None:
    db = review_db
    case_id = submit(
        db,
        application(
            contact_preference="letter",
            applicant={
                "name": "Pat Jones",
                "address": "4 Station Road, Matlock",
                "postcode": "DE4 3AB",
            },
        ),
    )
    through_to_decision(db, case_id)
    do(
        db,
        case_id,
        "threshold_decision",
        COUNCIL,
        {"threshold_met": True, "decision_basis": "count"},
    )
    do(db, case_id, "decision_letter", COUNCIL, {"method": "post"})
    _through_the_plan(db, case_id, fixed_clock)

    assert _to_applicant(db, case_id) == [], "nothing is emailed to an applicant who has letters"
    with db.read() as session:
        rows = session.scalars(
            select(Document)
            .where(Document.case_id == case_id, Document.kind == "update_letter")
            .order_by(Document.version)
        ).all()
    assert [(row.version, row.delivery, row.detail["title"]) for row in rows] == [
        (1, "post", "Your case review meeting has been arranged"),
        (2, "post", "An action from your case review is done"),
        (3, "post", "An action from your case review has been closed"),
    ]
    lines = texts(rows[0])
    assert "Dear Pat Jones," in lines
    assert any("will be held on 20 March 2026" in line for line in lines)
    assert any(line.startswith("Your access code: ") for line in lines), "to follow it online"
    closing = letter(db, case_id, "case_closed_letter")
    assert closing.delivery == "post"
    assert "Jordan Quigley" not in " ".join(texts(rows[2]) + texts(closing))


def test_a_review_with_no_recommendations_closes_with_a_letter_saying_so(
    review_db: Database, fixed_clock: FixedClock
) -> None:
    db = review_db
    case_id = met_case(db)
    hold_meeting(db, case_id, [], fixed_clock)
    do(
        db,
        case_id,
        "outcome_letter",
        COUNCIL,
        {"method": "email", "updates": "None"},
    )
    assert case_of(db, case_id).status == "closed"
    lines = texts(letter(db, case_id, "case_closed_letter"))
    assert (
        "The case review meeting on 20 March 2026 made no recommendations, so there is nothing "
        "more for the agencies to do." in lines
    )


def test_the_update_and_the_contact_s_notice_arrive_by_mail(
    review_db: Database, fixed_clock: FixedClock, smtp: SmtpServer
) -> None:
    db = review_db
    case_id = submit(db, application())
    do(db, case_id, "acknowledge", "council2@example.org", ACKNOWLEDGED)
    with db.transaction() as session:
        case = session.get(Case, case_id)
        reference = case.reference
    assert send_due(db, smtp.url).sent >= 2
    (notice,) = smtp.mailbox.besides_new_work("council2@example.org")
    assert notice["Subject"] == f"You are the contact for case {reference}"
    assert "single point of contact" in notice.get_content()

    met = met_case(db)
    hold_meeting(db, met, [], fixed_clock)
    send_due(db, smtp.url)
    received = smtp.mailbox.to("sam@example.com")
    updates = [m for m in received if m["Subject"] == SUBJECT]
    assert len(updates) == 1, [m["Subject"] for m in received]
    body = updates[0].get_content()
    assert "20 March 2026" in body and "/your-case" in body
    for message in received:
        subject = message["Subject"]
        assert "Sam" not in subject and "Taylor" not in subject and "Bank Road" not in subject
