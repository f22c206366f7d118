"""The applicant's part in the review (the 2025 statutory guidance): how they want to take part
in the meeting, seen by the chair in their task and in the pack; the chair's decision not to
invite them, with reasons, in a letter before the meeting; whether they took part; and their
views on the draft action plan, which end the review's wait for them or, given by no one in
time, let the review go on."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engine.applicant.your_part import choose_part, give_views, your_part
from engine.core.db import Database
from engine.core.errors import InvalidData, NotFound
from engine.core.models import AuditEvent, MeetingPart, Review, Task
from engine.people.applicant_codes import ApplicantAccess
from engine.procedure import fire_due_timers
from engine.records.retention import erase_case
from engine.work import task_view
from tests.support.documents import open_docx, pack_for, reference_of
from tests.support.files import FORMS
from tests.support.letters import letter, texts
from tests.support.people import COUNCIL, user
from tests.support.procedure import INVITED, application, do, live, met_case, submit

CHAIR = "chair@example.org"
ADVOCATE = {
    "choice": "advocate",
    "advocate_name": "Pat Jones",
    "advocate_relationship": "My sister",
    "needs": "A hearing loop, please",
}
PLAN = [
    {
        "organisation": "derbyshire-constabulary",
        "action": "Patrol the street on weekend nights",
        "due_date": "2026-04-17",
    }
]


def reaching(case_id: int) -> ApplicantAccess:
    return ApplicantAccess(frozenset({case_id}))


def choose(db: Database, case_id: int, answers: dict) -> None:
    with db.transaction() as session:
        choose_part(session, reaching(case_id), reference_of(db, case_id), answers)


def scheduled(db: Database, case_id: int | None = None) -> int:
    case_id = case_id or met_case(db)
    do(
        db,
        case_id,
        "schedule_meeting",
        COUNCIL,
        {"chair_email": CHAIR, "meeting_date": "2026-03-20", "venue": "Matlock"},
    )
    return case_id


def recorded_with_a_plan(db: Database, fixed_clock, case_id: int | None = None) -> int:
    """A meeting held on 20 March 2026 that drafted a plan, now with the applicant."""
    case_id = scheduled(db, case_id)
    do(db, case_id, "meeting_pack", COUNCIL, {"pack_ready_on": "2026-03-17"})
    do(db, case_id, "meeting_invitation", CHAIR, INVITED)
    fixed_clock.advance(timedelta(days=18))
    do(
        db,
        case_id,
        "record_meeting",
        CHAIR,
        {
            "held_on": "2026-03-20",
            "attendees": ["Chair", "Police"],
            "findings": "Agencies did not share information",
            "applicant_took_part": "remotely",
            "recommendations": PLAN,
        },
    )
    return case_id


def review_of(db: Database, case_id: int) -> Review:
    with db.read() as session:
        return session.scalar(select(Review).where(Review.case_id == case_id))


def chair_s_page(db: Database, task_id: int) -> task_view.TaskPage:
    with db.transaction() as session:
        return task_view.task_page(session, user(db, CHAIR), task_id, FORMS)


def test_the_chair_sees_the_applicant_s_choice_in_their_task_and_the_pack(
    review_db: Database,
) -> None:
    db = review_db
    case_id = met_case(db)
    choose(db, case_id, ADVOCATE)
    do(
        db,
        case_id,
        "schedule_meeting",
        COUNCIL,
        {"chair_email": CHAIR, "meeting_date": "2026-03-20", "venue": "Matlock"},
    )
    task = live(db, case_id)["meeting_invitation"]
    assert task.due_on == date(2026, 3, 13), "5 working days before the meeting"
    part = chair_s_page(db, task.id).applicant_part
    assert part is not None
    assert (part.choice, part.advocate_name, part.advocate_relationship, part.needs) == (
        "advocate",
        "Pat Jones",
        "My sister",
        "A hearing loop, please",
    )
    pack = open_docx(pack_for(db, reference_of(db, case_id), CHAIR).content)
    lines = [paragraph.text for paragraph in pack.paragraphs]
    assert "The applicant's part in the meeting" in lines
    assert "How they want to take part: Send an advocate or supporter to speak for them" in lines
    assert "Advocate or supporter: Pat Jones (My sister)" in lines
    assert "Communication needs or adjustments: A hearing loop, please" in lines
    with db.read() as session:
        chosen = session.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.action == "applicant.meeting_part", AuditEvent.case_id == case_id
            )
        ).all()
    assert chosen == [{"by": "applicant", "choice": "advocate", "needs": True}]


def test_the_applicant_s_choice_is_checked_and_only_for_their_own_case(
    review_db: Database,
) -> None:
    db = review_db
    case_id = met_case(db)
    with pytest.raises(InvalidData) as refused:
        choose(db, case_id, {"choice": "advocate"})
    assert set(refused.value.fields) == {"advocate_name", "advocate_relationship"}
    with pytest.raises(InvalidData) as refused:
        choose(db, case_id, {"choice": "written_statement", "statement": "  "})
    assert set(refused.value.fields) == {"statement"}
    other = submit(db, application())
    with db.transaction() as session, pytest.raises(NotFound):
        choose_part(session, reaching(other), reference_of(db, case_id), ADVOCATE)
    new = submit(db, application())
    with pytest.raises(InvalidData) as refused:
        choose(db, new, ADVOCATE)
    assert "threshold" in refused.value.fields[""], "asked once the threshold is met"


def test_not_inviting_the_applicant_needs_reasons_and_tells_them_before_the_meeting(
    review_db: Database,
) -> None:
    db = review_db
    case_id = scheduled(db)
    choose(db, case_id, {"choice": "in_person"})
    not_invited = {"invite": False, "method": "email"}
    with pytest.raises(InvalidData) as refused:
        do(db, case_id, "meeting_invitation", CHAIR, not_invited)
    assert "reasons" in refused.value.fields
    reasons = "The meeting will discuss a police investigation that cannot be shared"
    do(db, case_id, "meeting_invitation", CHAIR, {**not_invited, "reasons": reasons})
    review = review_of(db, case_id)
    assert (review.applicant_invited, review.not_invited_reasons) == (False, reasons)
    lines = texts(letter(db, case_id, "meeting_part_letter"))
    assert "Your part in the case review meeting" in lines
    assert reasons in lines
    assert any("is on 20 March 2026" in line for line in lines), "before the meeting"


def test_the_meeting_record_keeps_whether_and_how_the_applicant_took_part(
    review_db: Database, fixed_clock
) -> None:
    db = review_db
    case_id = recorded_with_a_plan(db, fixed_clock)
    assert review_of(db, case_id).applicant_took_part == "remotely"


def test_the_applicant_s_views_end_the_wait_and_reach_the_chair_and_the_outcome(
    review_db: Database, fixed_clock
) -> None:
    db = review_db
    case_id = recorded_with_a_plan(db, fixed_clock)
    reference = reference_of(db, case_id)
    draft = texts(letter(db, case_id, "draft_plan_letter"))
    assert any("by 27 March 2026" in line for line in draft), "5 working days from 20 March"
    assert "Patrol the street on weekend nights | Derbyshire Constabulary | 17 April 2026" in draft
    assert list(live(db, case_id)) == ["applicant_views"]
    with db.transaction() as session:
        seen = your_part(session, reaching(case_id), reference)
    assert seen.views_open and seen.draft[0][1] == "Patrol the street on weekend nights"

    fixed_clock.advance(timedelta(days=2))
    with db.transaction() as session:
        give_views(session, reaching(case_id), reference, "Friday nights matter most")
    waiting = live(db, case_id)
    assert list(waiting) == ["finalise_plan"], "the views end the wait at once"
    part = chair_s_page(db, waiting["finalise_plan"].id).applicant_part
    assert part is not None
    assert (part.views, part.views_given_by) == ("Friday nights matter most", "online")
    with db.read() as session:
        wait = session.scalar(
            select(Task).where(Task.case_id == case_id, Task.form == "applicant_views")
        )
        assert wait.state == "cancelled"
    with pytest.raises(InvalidData), db.transaction() as session:
        give_views(session, reaching(case_id), reference, "And again")

    do(db, case_id, "finalise_plan", CHAIR, {"views_considered": "Friday patrols added"})
    do(
        db,
        case_id,
        "outcome_letter",
        COUNCIL,
        {"method": "email", "updates": "Monthly"},
    )
    outcome = texts(letter(db, case_id, "outcome_letter"))
    assert "Your views on the draft action plan" in outcome
    assert "Friday patrols added" in outcome
    assert review_of(db, case_id).views_considered == "Friday patrols added"


def test_no_views_in_time_lets_the_review_go_on(review_db: Database, fixed_clock) -> None:
    db = review_db
    case_id = recorded_with_a_plan(db, fixed_clock)
    fixed_clock.advance(timedelta(days=6))  # Thursday 26 March: the last day for views
    assert fire_due_timers(db) == 0
    fixed_clock.advance(timedelta(days=1))
    assert fire_due_timers(db) == 1
    assert list(live(db, case_id)) == ["finalise_plan"]
    with pytest.raises(InvalidData) as refused, db.transaction() as session:
        give_views(session, reaching(case_id), reference_of(db, case_id), "Too late")
    assert "has ended" in refused.value.fields[""]
    assert review_of(db, case_id).applicant_views is None
    do(db, case_id, "finalise_plan", CHAIR, {"views_considered": "No views were received"})
    assert "outcome_letter" in live(db, case_id)


def test_views_given_to_the_council_by_letter_end_the_wait_too(
    review_db: Database, fixed_clock
) -> None:
    db = review_db
    case_id = recorded_with_a_plan(db, fixed_clock)
    do(db, case_id, "applicant_views", COUNCIL, {"views": "By post: fine", "given_by": "letter"})
    assert list(live(db, case_id)) == ["finalise_plan"]
    review = review_of(db, case_id)
    assert (review.applicant_views, review.views_received_by) == ("By post: fine", "letter")


def test_erasing_a_closed_case_erases_the_applicant_s_part_and_views(
    review_db: Database, fixed_clock
) -> None:
    db = review_db
    case_id = met_case(db)
    choose(db, case_id, {"choice": "written_statement", "statement": "It keeps me awake"})
    case_id = recorded_with_a_plan(db, fixed_clock, case_id)
    reference = reference_of(db, case_id)
    with db.transaction() as session:
        give_views(session, reaching(case_id), reference, "Friday nights matter most")
    do(db, case_id, "finalise_plan", CHAIR, {"views_considered": "Friday patrols added"})
    outcome = {"method": "email", "updates": "Monthly"}
    do(db, case_id, "outcome_letter", COUNCIL, outcome)
    done = {"action_status": "done", "notes": "Done"}
    do(db, case_id, "police_actions [child]", "police@example.org", done)
    fixed_clock.advance(timedelta(days=6 * 366 + 2))
    with db.transaction() as session:
        erase_case(session, reference)
    review = review_of(db, case_id)
    assert (review.applicant_views, review.views_considered) == (None, None)
    with db.read() as session:
        assert session.scalar(select(MeetingPart).where(MeetingPart.case_id == case_id)) is None
