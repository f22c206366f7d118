"""Changing a review's chair before the meeting is recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.chasing import notifications
from engine.chasing.escalation import chase_due
from engine.chasing.mailer import send_due
from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.errors import Conflict, InvalidData, NotAllowed, NotFound
from engine.core.models import Attachment, AuditEvent, Notification, TaskCandidate, User
from engine.records.attachments import attach_file, remove_attachment
from engine.review.reviews import change_chair, may_change_chair
from engine.runtime import release_task
from engine.work import task_view
from engine.work.case_view import case_summary
from tests.support.files import FORMS
from tests.support.mail import NEW_WORK_SUBJECTS, SmtpServer
from tests.support.people import MANAGER, add_people, user
from tests.support.procedure import (
    DALES_CHAIR_REASON,
    MEETING_HELD,
    NEW_CHAIR,
    OLD_CHAIR,
    RECORD,
    case_of,
    live,
    meeting_scheduled,
    meeting_to_record,
    prepare,
    with_new_chair,
)
from tests.support.work import rows

THIRD_CHAIR = "third.chair@example.org"


@pytest.fixture
def chair_db(app_db: Database) -> Database:
    return prepare(app_db)


def changed(db: Database, email: str, reference: str, chair_email: str) -> User:
    """The chair changed by ``email``, who gives a reason in case the new chair comes from an
    organisation taking part (as the Dales chair does in a Dales case)."""
    with db.transaction() as session:
        return change_chair(session, user(db, email), reference, chair_email, DALES_CHAIR_REASON)


def test_a_chair_who_lost_their_access_is_replaced_and_the_meeting_record_follows(
    chair_db: Database, fixed_clock: FixedClock
) -> None:
    db = chair_db
    case_id, task_id, reference = with_new_chair(db)
    old = user(db, OLD_CHAIR)
    with db.transaction() as session:
        session.execute(update(User).where(User.id == old.id).values(active=False))
    with db.read() as session:
        assert may_change_chair(session, user(db, MANAGER), reference)

    chair = changed(db, MANAGER, reference, f"  {NEW_CHAIR.upper()} ")

    assert chair.email == NEW_CHAIR
    task = live(db, case_id)["record_meeting"]
    assert (task.id, task.assignee_id, task.state) == (task_id, chair.id, "claimed")
    with db.transaction() as session:
        (candidate,) = session.scalars(
            select(TaskCandidate).where(TaskCandidate.task_id == task_id)
        ).all()
        assert (candidate.organisation_id, candidate.user_id) == (chair.organisation_id, chair.id)
        summary = case_summary(session, user(db, MANAGER), reference)
        (event,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "review.chair_changed")
        ).all()
    chairs = [p for p in summary["participants"] if p["role"] == "chair"]
    assert [p["user"]["name"] for p in chairs] == [chair.name]
    assert summary["reviews"][-1]["chair"]["name"] == chair.name
    assert (event.user_id, event.case_id) == (user(db, MANAGER).id, case_id)
    assert event.detail == {
        "from_user_id": old.id,
        "to_user_id": chair.id,
        "tasks": [task_id],
        # The old chair's word of the task, which had not gone yet: it is no longer theirs.
        "withdrawn_notifications": [word_of_the_task(db, OLD_CHAIR, task_id)],
    }
    assert [row.task_id for row in rows(db, NEW_CHAIR)] == [task_id]
    with db.read() as session:
        told = session.scalars(
            select(Notification).where(
                Notification.user_id == chair.id, Notification.kind != "new_work"
            )
        ).all()
    # Beside the council's new tasks, which they hear of as one of its officers.
    assert [(n.kind, n.email, n.subject) for n in told] == [
        ("appointment", NEW_CHAIR, f"You now chair review 1 of case {reference}")
    ]
    assert "The meeting is on 20 March 2026" in told[0].body

    fixed_clock.advance(MEETING_HELD)
    task_view.complete_task(db, task_id, chair, RECORD, forms_dir=FORMS)
    assert "record_meeting" not in live(db, case_id)
    with db.read() as session:
        assert not may_change_chair(session, user(db, MANAGER), reference), "the meeting is held"


def test_the_old_chair_loses_the_case_with_the_task(chair_db: Database) -> None:
    db = chair_db
    _case_id, task_id, reference = with_new_chair(db)
    changed(db, MANAGER, reference, NEW_CHAIR)
    old = user(db, OLD_CHAIR)
    assert rows(db, OLD_CHAIR) == []
    with pytest.raises(NotFound):
        task_view.complete_task(db, task_id, old, RECORD, forms_dir=FORMS)
    with db.transaction() as session, pytest.raises(NotFound):
        case_summary(session, old, reference)


def test_a_chair_changed_before_the_meeting_record_is_due_gets_it_when_it_is(
    chair_db: Database,
) -> None:
    """Changed while the returns are still chased: the meeting record, made later, is the
    new chair's from the start."""
    db = chair_db
    add_people(db, [(NEW_CHAIR, "derbyshire-dales-district-council", ["review_chair"])])
    case_id = meeting_scheduled(db, OLD_CHAIR)
    assert "record_meeting" not in live(db, case_id)
    chair = changed(db, MANAGER, case_of(db, case_id).reference, NEW_CHAIR)
    meeting_to_record(db, case_id)
    meeting = live(db, case_id)["record_meeting"]
    assert (meeting.assignee_id, meeting.organisation_ids) == (chair.id, [chair.organisation_id])
    assert rows(db, OLD_CHAIR) == []


def test_a_new_chair_is_reminded_though_the_old_one_was(
    chair_db: Database, fixed_clock: FixedClock
) -> None:
    db = chair_db
    case_id, task_id, reference = with_new_chair(db)
    due_on = live(db, case_id)["record_meeting"].due_on
    fixed_clock.advance(due_on - fixed_clock.now().date())
    chase_due(db)
    assert reminded(db) == [OLD_CHAIR]
    changed(db, MANAGER, reference, NEW_CHAIR)
    chase_due(db)
    assert reminded(db) == [OLD_CHAIR, NEW_CHAIR]
    chase_due(db)
    assert reminded(db) == [OLD_CHAIR, NEW_CHAIR], "once each"


@pytest.mark.parametrize("held", [True, False], ids=["held", "handed back"])
def test_a_chair_given_the_review_back_is_told_and_reminded_again(
    chair_db: Database, fixed_clock: FixedClock, held: bool
) -> None:
    """Whether the chair holds the meeting record or handed it back (it stays theirs alone),
    each chair it passes to is reminded of it, even one who was before."""
    db = chair_db
    case_id, task_id, reference = with_new_chair(db)
    if not held:
        release_task(db, task_id, user(db, OLD_CHAIR))
    due_on = live(db, case_id)["record_meeting"].due_on
    fixed_clock.advance(due_on - fixed_clock.now().date())
    chase_due(db)
    for chair in (NEW_CHAIR, OLD_CHAIR, NEW_CHAIR):
        changed(db, MANAGER, reference, chair)
        chase_due(db)
    chase_due(db)

    assert reminded(db) == [OLD_CHAIR, NEW_CHAIR, OLD_CHAIR, NEW_CHAIR]
    with db.read() as session:
        appointed = session.scalars(
            select(Notification.email)
            .where(Notification.kind == "appointment", Notification.key.startswith("chair:"))
            .order_by(Notification.id)
        ).all()
    assert appointed == [NEW_CHAIR, OLD_CHAIR, NEW_CHAIR]


def test_mail_about_the_review_waiting_for_the_old_chair_is_withdrawn(
    chair_db: Database, fixed_clock: FixedClock
) -> None:
    """The old chair no longer takes part in the case: the reminder and the appointment not
    yet mailed to them (waiting, or failed and so able to be sent again) are withdrawn, and
    leave their notifications; their successors' go."""
    db = chair_db
    case_id, _task_id, reference = with_new_chair(db)
    add_people(db, [(THIRD_CHAIR, "high-peak-borough-council", ["review_chair"])])
    due_on = live(db, case_id)["record_meeting"].due_on
    fixed_clock.advance(due_on - fixed_clock.now().date())
    chase_due(db)
    changed(db, MANAGER, reference, NEW_CHAIR)
    chase_due(db)
    waiting = outbox(db)
    assert [(n.email, n.kind, n.state) for n in waiting] == [
        (OLD_CHAIR, "reminder", "withdrawn"),
        (NEW_CHAIR, "appointment", "pending"),
        (NEW_CHAIR, "reminder", "pending"),
    ]

    with db.transaction() as session:  # as when the mail server refused it ten times
        session.execute(
            update(Notification)
            .where(Notification.id == waiting[2].id)
            .values(state="failed", next_attempt_at=None, last_error="550 no such mailbox")
        )
    second_chair = user(db, NEW_CHAIR)
    # A Dales officer, they hear too of the council's new tasks, which stay theirs to claim.
    with db.read() as session:
        council_work = notifications.unread_count(session, second_chair) - 2
        assert about_the_review(session, second_chair) == ["reminder", "appointment"]

    changed(db, MANAGER, reference, THIRD_CHAIR)
    chase_due(db)
    with db.read() as session:
        assert about_the_review(session, second_chair) == []
        assert notifications.unread_count(session, second_chair) == council_work
    smtp = SmtpServer().start()
    try:
        send_due(db, smtp.url)
    finally:
        smtp.stop()

    chairs_mail = [m for m in smtp.mailbox.messages if m["Subject"] not in NEW_WORK_SUBJECTS]
    assert sorted(m["To"] for m in chairs_mail if "chair" in m["To"]) == [
        THIRD_CHAIR,
        THIRD_CHAIR,
    ]
    states = [(n.email, n.kind, n.state) for n in outbox(db)]
    assert states == [
        (OLD_CHAIR, "reminder", "withdrawn"),
        (NEW_CHAIR, "appointment", "withdrawn"),
        (NEW_CHAIR, "reminder", "withdrawn"),
        (THIRD_CHAIR, "appointment", "sent"),
        (THIRD_CHAIR, "reminder", "sent"),
    ]
    assert outbox(db)[1].last_error == "Withdrawn before it went: Third.Chair chairs the review now"
    with db.read() as session:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "review.chair_changed")
            .order_by(AuditEvent.id)
        ).all()
    assert [event.detail["withdrawn_notifications"] for event in events] == [
        sorted([waiting[0].id, word_of_the_task(db, OLD_CHAIR, waiting[0].task_id)]),
        [waiting[1].id, waiting[2].id],
    ]


def word_of_the_task(db: Database, email: str, task_id: int) -> int:
    """The id of the message telling the person of the task when it was made."""
    with db.read() as session:
        return session.scalars(
            select(Notification.id).where(
                Notification.kind == "new_work",
                Notification.task_id == task_id,
                Notification.email == email,
            )
        ).one()


def about_the_review(session: Session, chair: User) -> list[str]:
    """The kinds of the chair's notifications in the service about chairing the review."""
    return [
        n.kind
        for n in notifications.for_user(session, chair)
        if n.kind in ("reminder", "appointment")
    ]


def outbox(db: Database) -> list[Notification]:
    """The messages to the review's chairs."""
    with db.read() as session:
        return list(
            session.scalars(
                select(Notification)
                .where(
                    Notification.kind.in_(["reminder", "appointment"]),
                    # The applicant's contact is appointed too: not a chair.
                    ~Notification.key.startswith("contact:"),
                )
                .order_by(Notification.id)
            )
        )


def reminded(db: Database) -> list[str]:
    with db.read() as session:
        return list(
            session.scalars(
                select(Notification.email)
                .where(Notification.kind == "reminder")
                .order_by(Notification.id)
            )
        )


def test_a_new_chair_may_take_off_the_files_the_old_chair_added(chair_db: Database) -> None:
    db = chair_db
    _case_id, task_id, reference = with_new_chair(db)
    old = user(db, OLD_CHAIR)
    notes = attach_file(db, task_id, old, "notes.pdf", b"%PDF-1.4 the old chair's notes")
    again = attach_file(db, task_id, old, "more.pdf", b"%PDF-1.4 more of them")
    changed(db, MANAGER, reference, NEW_CHAIR)
    with pytest.raises(NotFound):
        remove_attachment(db, notes, old)
    with pytest.raises(NotFound):
        remove_attachment(db, notes, user(db, "council@example.org"))
    remove_attachment(db, notes, user(db, NEW_CHAIR))
    with db.read() as session:
        assert session.scalars(select(Attachment.id)).all() == [again]


def test_only_the_managing_council_s_managers_change_the_chair(chair_db: Database) -> None:
    db = chair_db
    case_id, _task_id, reference = with_new_chair(db)
    for email in ("council@example.org", "police.manager@example.org", "police@example.org"):
        with db.read() as session:
            assert not may_change_chair(session, user(db, email), reference)
        with pytest.raises(NotAllowed):
            changed(db, email, reference, NEW_CHAIR)
    with pytest.raises(NotFound):
        changed(db, "erewash@example.org", reference, NEW_CHAIR)
    assert live(db, case_id)["record_meeting"].assignee_id == user(db, OLD_CHAIR).id


@pytest.mark.parametrize(
    ("chair_email", "words"),
    [
        ("council@example.org", "who is a review chair"),
        ("nobody@example.org", "who is a review chair"),
        ("", "Select the chair"),
        (OLD_CHAIR, "already chairs this review"),
    ],
)
def test_the_new_chair_must_be_another_review_chair(
    chair_db: Database, chair_email: str, words: str
) -> None:
    db = chair_db
    case_id, _task_id, reference = with_new_chair(db)
    with pytest.raises(InvalidData) as refused:
        changed(db, MANAGER, reference, chair_email)
    assert words in refused.value.fields["chair_email"]
    assert live(db, case_id)["record_meeting"].assignee_id == user(db, OLD_CHAIR).id


def test_once_the_meeting_is_recorded_its_chair_stays(
    chair_db: Database, fixed_clock: FixedClock
) -> None:
    db = chair_db
    _case_id, task_id, reference = with_new_chair(db)
    fixed_clock.advance(MEETING_HELD)
    task_view.complete_task(db, task_id, user(db, OLD_CHAIR), RECORD, forms_dir=FORMS)
    with pytest.raises(Conflict):
        changed(db, MANAGER, reference, NEW_CHAIR)
