"""The applicant's own case, as they see it: its stage and next step, the named contact, the
letters sent to them and the actions agreed; their appeal from it; and a new link on request.
Nothing of another case, and nothing of the agencies' returns."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine.applicant.appeals import appeal_from_applicant
from engine.applicant.links import ask_for_link
from engine.applicant.your_case import applicant_letter, your_case
from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.errors import InvalidData, NotFound
from engine.core.models import AuditEvent, Case, Document, Notification, Task
from engine.people.applicant_codes import ApplicantAccess
from tests.support.procedure import (
    ACKNOWLEDGED,
    SETTINGS,
    application,
    case_of,
    do,
    reviewed_case,
    submit,
)


def reaching(*case_ids: int) -> ApplicantAccess:
    return ApplicantAccess(frozenset(case_ids))


def test_a_new_application_shows_its_stage_next_step_and_contact(app_db: Database) -> None:
    case_id = submit(app_db, application())
    reference = case_of(app_db, case_id).reference
    with app_db.transaction() as session:
        seen = your_case(session, reaching(case_id), reference.lower())
    assert seen.stage == "We have your application"
    assert seen.next_by == date(2026, 3, 9), "acknowledged within 5 working days"
    assert (seen.contact.organisation, seen.contact.email) == (
        "Derbyshire Dales District Council",
        "community.trigger@derbyshiredales.example.gov.uk",
    )
    assert seen.letters == [] and seen.actions == []
    assert not seen.appeal.open and seen.appeal.reason.startswith("There is no decision")
    with app_db.read() as session:
        looks = session.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.action == "case.viewed", AuditEvent.case_id == case_id
            )
        ).all()
    assert {"by": "applicant", "purpose": "your case"} in looks


def test_another_case_answers_as_one_that_does_not_exist(app_db: Database) -> None:
    mine = submit(app_db, application())
    theirs = case_of(app_db, submit(app_db, application())).reference
    with app_db.transaction() as session, pytest.raises(NotFound) as other:
        your_case(session, reaching(mine), theirs)
    with app_db.transaction() as session, pytest.raises(NotFound) as made_up:
        your_case(session, reaching(mine), "CT-2099-00001")
    assert str(other.value) == str(made_up.value)


def test_the_letters_sent_can_be_read_again_and_only_those(app_db: Database) -> None:
    case_id = submit(app_db, application())
    do(app_db, case_id, "acknowledge", "council@example.org", ACKNOWLEDGED)
    other = submit(app_db, application())
    do(app_db, other, "acknowledge", "council@example.org", ACKNOWLEDGED)
    reference = case_of(app_db, case_id).reference
    with app_db.transaction() as session:
        (letter,) = your_case(session, reaching(case_id), reference).letters
        theirs = session.scalars(
            select(Document.id).where(
                Document.case_id == other, Document.kind == "acknowledgement_letter"
            )
        ).one()
    assert letter.letter_date == date(2026, 3, 2)
    with app_db.transaction() as session:
        download = applicant_letter(session, reaching(case_id), reference, letter.id)
    assert download.content.startswith(b"PK") and download.filename.endswith(".docx")
    with app_db.transaction() as session, pytest.raises(NotFound):
        applicant_letter(session, reaching(case_id), reference, theirs)
    with app_db.read() as session:
        disclosed = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "disclosure", AuditEvent.case_id == case_id)
        )
    assert disclosed == 2, "sent to the applicant, then read again by them"


def test_after_the_outcome_the_applicant_appeals_from_their_page(
    all_db: Database, fixed_clock: FixedClock
) -> None:
    db = all_db
    case_id, reference = reviewed_case(db, fixed_clock)
    with db.transaction() as session:
        seen = your_case(session, reaching(case_id), reference)
    assert seen.appeal.open and seen.appeal.letter_date == date(2026, 3, 20)
    assert seen.appeal.closes_on == date(2026, 4, 21), "20 working days, Easter excluded"
    assert set(seen.appeal.grounds) == {
        "threshold_decision",
        "process_not_considered",
        "information_not_considered",
        "action_plan_not_delivered",
    }
    with pytest.raises(InvalidData) as refused, db.transaction() as session:
        appeal_from_applicant(session, reaching(case_id), reference, {"grounds": []}, SETTINGS)
    assert set(refused.value.fields) == {"grounds"}

    answers = {"grounds": ["information_not_considered"], "details": "Our diary was not read"}
    with db.transaction() as session:
        appeal = appeal_from_applicant(session, reaching(case_id), reference, answers, SETTINGS)
        assert appeal.channel == "online" and appeal.details == "Our diary was not read"
    with db.read() as session:
        assert session.get_one(Case, case_id).status == "appeal_lodged"
        waiting = session.scalars(
            select(Task.spec_name).where(Task.case_id == case_id, Task.state == "open")
        ).all()
    assert "acknowledge_appeal" in waiting, "the OPCC has the appeal to acknowledge"
    with pytest.raises(InvalidData) as again, db.transaction() as session:
        appeal_from_applicant(session, reaching(case_id), reference, answers, SETTINGS)
    assert again.value.fields[""].startswith("Your appeal is with the Office of the Police")


def test_an_appeal_after_its_window_is_refused_with_the_reason(
    all_db: Database, fixed_clock: FixedClock
) -> None:
    case_id, reference = reviewed_case(all_db, fixed_clock)
    fixed_clock.advance(timedelta(days=60))
    answers = {"grounds": ["information_not_considered"]}
    with pytest.raises(InvalidData) as refused, all_db.transaction() as session:
        appeal_from_applicant(session, reaching(case_id), reference, answers, SETTINGS)
    assert refused.value.fields[""] == (
        "The time to appeal against the letter of 20 March 2026 ended on 21 April 2026."
    )


def test_a_new_link_goes_only_to_the_address_the_applicant_gave(app_db: Database) -> None:
    case_id = submit(app_db, application())
    reference = case_of(app_db, case_id).reference

    def links() -> int:
        with app_db.read() as session:
            return session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.kind == "applicant_link")
            )

    sent_at_application = links()
    for typed_reference, email in [
        (reference, "someone.else@example.com"),
        ("CT-2099-00001", "sam@example.com"),
    ]:
        with app_db.transaction() as session:
            ask_for_link(session, typed_reference, email)
    assert links() == sent_at_application
    with app_db.transaction() as session:
        ask_for_link(session, reference.lower(), " Sam@Example.com ")
    assert links() == sent_at_application + 1


def test_asking_again_and_again_sends_only_a_few_links_an_hour(
    app_db: Database, fixed_clock: FixedClock
) -> None:
    case_id = submit(app_db, application())  # one link, at application
    reference = case_of(app_db, case_id).reference
    for _ in range(5):
        with app_db.transaction() as session:
            ask_for_link(session, reference, "sam@example.com")
    assert sent_links(app_db) == 3, "the one sent at application counts"
    fixed_clock.advance(timedelta(hours=1, minutes=1))
    with app_db.transaction() as session:
        ask_for_link(session, reference, "sam@example.com")
    assert sent_links(app_db) == 4


def sent_links(db: Database) -> int:
    with db.read() as session:
        return session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.kind == "applicant_link")
        )
