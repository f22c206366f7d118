"""A review's chair: independent of the case, or from an organisation taking part in it and
appointed by a manager who says why; and the chair's declaration of interests, which may be
made or changed at any time, after the meeting too, without undoing the meeting."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from engine.core.area import CHAIRS, current_settings
from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.errors import InvalidData, NotAllowed
from engine.core.models import (
    Area,
    AuditEvent,
    ChairDeclaration,
    Notification,
    Organisation,
    Review,
    User,
)
from engine.people.accounts import authenticate
from engine.people.passwords import use_reset_link
from engine.records.retention import erase_case
from engine.review.declarations import declare, may_declare
from engine.review.independence import chair_choices, standings
from engine.runtime import reassign_task
from engine.work.case_view import case_summary
from tests.support.databases import only_on, until_a_session_waits_for_a_lock
from tests.support.people import COUNCIL, MANAGER, add_people, user
from tests.support.procedure import (
    DALES_COUNCIL,
    MEETING_HELD,
    RECORD,
    case_of,
    do,
    live,
    meeting_scheduled,
    meeting_to_record,
    met_case,
    reviewed_case,
)

DALES_CHAIR = "dales.chair@example.org"
OUTSIDE = "jo.harding@nottinghamshire-csp.example.gov.uk"
REASON = "No independent chair is free before the meeting is due"


@pytest.fixture
def chairs_db(review_db: Database) -> Database:
    add_people(review_db, [(DALES_CHAIR, "derbyshire-dales-district-council", ["review_chair"])])
    return review_db


def _meeting(chair: str, reason: str = "") -> dict:
    answers = {"chair_email": chair, "meeting_date": "2026-03-20"}
    return {**answers, "chair_reason": reason} if reason else answers


def _refused(db: Database, case_id: int, email: str, data: dict) -> dict[str, str]:
    with pytest.raises(InvalidData) as refused:
        do(db, case_id, "schedule_meeting", email, data)
    return refused.value.fields


def _review(db: Database, case_id: int) -> Review | None:
    with db.read() as session:
        return session.scalar(select(Review).where(Review.case_id == case_id))


def test_an_independent_chair_is_appointed_as_before_and_said_to_be_so(
    chairs_db: Database,
) -> None:
    db = chairs_db
    case_id = meeting_scheduled(db, "chair@example.org")  # High Peak's, on a Dales case
    review = _review(db, case_id)
    assert review is not None
    assert review.chair_body == "High Peak Borough Council"
    assert review.chair_taking_part == [] and review.chair_reason is None
    with db.read() as session:
        standing = standings(session, [review])[review.id]
    assert standing.independent is True and standing.declaration is None


def test_a_caseworker_is_told_a_manager_must_appoint_a_chair_from_the_case_s_council(
    chairs_db: Database,
) -> None:
    db = chairs_db
    case_id = met_case(db)
    problems = _refused(db, case_id, COUNCIL, _meeting(DALES_CHAIR, REASON))
    assert problems["chair_email"] == (
        "Dales.Chair comes from Derbyshire Dales District Council, which takes part in this "
        "case: a manager must appoint them, giving the reason, or choose a chair independent "
        "of the case"
    )
    assert _review(db, case_id) is None
    assert "schedule_meeting" in live(db, case_id), "the task waits, its draft untouched"


def test_a_manager_appoints_a_chair_from_the_case_s_council_only_with_a_reason(
    chairs_db: Database,
) -> None:
    db = chairs_db
    case_id = met_case(db)
    manager = user(db, MANAGER)
    reassign_task(db, live(db, case_id)["schedule_meeting"].id, manager, manager.id)
    problems = _refused(db, case_id, MANAGER, _meeting(DALES_CHAIR))
    assert problems == {
        "chair_reason": "Dales.Chair comes from Derbyshire Dales District Council, which takes "
        "part in this case: say why they should chair the review"
    }
    assert _review(db, case_id) is None

    do(db, case_id, "schedule_meeting", MANAGER, _meeting(DALES_CHAIR, f"  {REASON} "))
    review = _review(db, case_id)
    assert review is not None
    assert review.chair_taking_part == ["Derbyshire Dales District Council"]
    assert review.chair_reason == REASON and review.chair_reason_by_id == manager.id
    with db.transaction() as session:  # the case view is audited
        audited = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "review.chair_not_independent")
        ).one()
        assert audited.user_id == manager.id and audited.detail["reason"] == REASON
        summary = case_summary(session, user(db, COUNCIL), case_of(db, case_id).reference)
    standing = summary["reviews"][0]["chair_standing"]
    assert standing["independent"] is False and standing["reason"] == REASON
    assert standing["reason_by"] == "Manager"


def test_a_chair_the_area_lists_under_an_organisation_taking_part_is_not_independent(
    chairs_db: Database,
) -> None:
    """The area's list says where a chair comes from, whatever organisation their account is
    kept under: listed under the police, High Peak's chair is not independent of a Dales
    case, where the police take part."""
    db = chairs_db
    with db.transaction() as session:
        settings = dict(current_settings(session))
        listed = {
            "name": "Chair",
            "email": "chair@example.org",
            "organisation": "derbyshire-constabulary",
            "organisation_key": "derbyshire-constabulary",
            "organisation_name": "Derbyshire Constabulary",
            "shared_with": [],
        }
        session.execute(update(Area).values(settings={**settings, CHAIRS: [listed]}))
    case_id = met_case(db)
    problems = _refused(db, case_id, COUNCIL, _meeting("chair@example.org"))
    assert "comes from Derbyshire Constabulary, which takes part" in problems["chair_email"]


def test_the_form_offers_the_area_s_chairs_and_the_chairs_marking_who_is_independent(
    chairs_db: Database,
) -> None:
    db = chairs_db
    case_id = met_case(db)
    with db.read() as session:
        offered = dict(chair_choices(session, case_of(db, case_id)))
    assert offered["chair@example.org"] == (
        "Chair (chair@example.org), High Peak Borough Council: independent of this case"
    )
    assert offered[DALES_CHAIR].endswith(
        "not independent: Derbyshire Dales District Council takes part in this case (a manager "
        "appoints them, giving the reason)"
    )
    # From the area file: a chair shared with neighbouring partnerships, with no account yet.
    assert offered[OUTSIDE] == (
        f"Jo Harding ({OUTSIDE}), Nottinghamshire Community Safety Partnership, shared with "
        "Nottinghamshire Community Safety Partnership and Staffordshire Community Safety "
        "Partnership: independent of this case; no account yet: appointing them creates it "
        "and emails them"
    )
    assert list(offered)[0] == "chair@example.org", "independent chairs with accounts first"


def test_appointing_a_listed_chair_with_no_account_creates_it_and_invites_them(
    chairs_db: Database,
) -> None:
    """Jo Harding, shared with neighbouring partnerships, has never signed in: appointing her
    makes her review chair's account under her partnership, which takes part in no case, and
    emails her a link to choose her password; she then signs in and chairs."""
    db = chairs_db
    case_id = met_case(db)
    do(db, case_id, "schedule_meeting", COUNCIL, _meeting(OUTSIDE))
    review = _review(db, case_id)
    assert review is not None
    assert review.chair_body == "Nottinghamshire Community Safety Partnership"
    assert review.chair_taking_part == []
    with db.read() as session:
        chair = session.scalars(select(User).where(User.email == OUTSIDE)).one()
        assert chair.name == "Jo Harding" and chair.roles == ["review_chair"]
        assert chair.password_hash is None and review.chair_user_id == chair.id
        organisation = session.get_one(Organisation, chair.organisation_id)
        assert (organisation.name, organisation.kind) == (
            "Nottinghamshire Community Safety Partnership",
            "other",
        )
        invitation = session.scalars(
            select(Notification).where(Notification.kind == "chair_invitation")
        ).one()
        actions = {
            row.action: row.user_id
            for row in session.scalars(
                select(AuditEvent).where(
                    AuditEvent.object_id.in_([str(chair.id), str(organisation.id)])
                )
            )
        }
    council = user(db, COUNCIL).id
    assert actions["user.created"] == council and actions["user.invited"] == council
    assert actions["user.created_for_chair_list"] == council
    assert actions["organisation.created_for_chair_list"] == council
    assert invitation.user_id == chair.id and invitation.email == OUTSIDE
    token = re.search(r"/sign-in/reset/(\S+)", invitation.body)
    assert token is not None and "within 7 days" in invitation.body
    with db.transaction() as session:
        use_reset_link(session, token.group(1), "a long new password", "a long new password")
    with db.read() as session:
        assert authenticate(session, OUTSIDE, "a long new password") is not None
    assert live(db, case_id)["meeting_invitation"].candidates[0].user_id == chair.id


@only_on("postgresql")  # SQLite runs one writer at a time by design
def test_the_same_listed_chair_appointed_to_two_cases_at_once_gets_one_account(
    chairs_db: Database,
) -> None:
    """Two meetings scheduled at the same moment with Jo Harding, who has no account yet: the
    second waits for the first to make her account, then appoints her by it, rather than
    failing on a second account of the same address. She is invited once."""
    db = chairs_db
    cases = {"first": met_case(db), "second": met_case(db)}
    made, commit = threading.Event(), threading.Event()

    def hold_the_first(_session: Any) -> None:
        if threading.current_thread().name == "first":
            made.set()
            commit.wait(10)

    db.before_commit(hold_the_first)
    outcome: dict[str, Any] = {}

    def schedule(name: str) -> None:
        try:
            do(db, cases[name], "schedule_meeting", COUNCIL, _meeting(OUTSIDE))
            outcome[name] = "scheduled"
        except Exception as error:  # noqa: BLE001 - what it was is the test's question
            outcome[name] = error

    threads = {name: threading.Thread(target=schedule, args=(name,), name=name) for name in cases}
    threads["first"].start()
    assert made.wait(30)
    threads["second"].start()
    until_a_session_waits_for_a_lock(db, "the second appointment never waited for the first")
    commit.set()
    for thread in threads.values():
        thread.join(30)
    assert outcome == {"first": "scheduled", "second": "scheduled"}
    with db.read() as session:
        chair = session.scalars(select(User).where(User.email == OUTSIDE)).one()
        invitations = session.scalars(
            select(Notification).where(Notification.kind == "chair_invitation")
        ).all()
    assert [_review(db, case_id).chair_user_id for case_id in cases.values()] == [chair.id] * 2
    assert [invitation.user_id for invitation in invitations] == [chair.id]


def test_a_listed_chair_is_appointed_under_the_rules_of_independence_before_any_account(
    chairs_db: Database,
) -> None:
    """A listed chair from an organisation taking part needs a manager with a reason, account
    or not: a caseworker's choice is refused and no account is made; a stopped account is
    not brought back by the list."""
    db = chairs_db
    listed = {
        "name": "Dana Fell",
        "email": "dana.fell@example.org",
        "organisation": DALES_COUNCIL,
        "organisation_key": DALES_COUNCIL,
        "organisation_name": "Derbyshire Dales District Council",
        "shared_with": [],
    }
    stopped = {**listed, "name": "Sam Stopped", "email": "council@example.org"}
    with db.transaction() as session:
        settings = dict(current_settings(session))
        session.execute(update(Area).values(settings={**settings, CHAIRS: [listed, stopped]}))
    case_id = met_case(db)
    with db.read() as session:
        offered = dict(chair_choices(session, case_of(db, case_id)))
    assert "council@example.org" not in offered, "an account that cannot chair is not offered"
    assert offered["dana.fell@example.org"].endswith(
        "not independent: Derbyshire Dales District Council takes part in this case (a manager "
        "appoints them, giving the reason); no account yet: appointing them creates it and "
        "emails them"
    )
    problems = _refused(db, case_id, COUNCIL, _meeting("dana.fell@example.org"))
    assert "a manager must appoint them" in problems["chair_email"]
    problems = _refused(db, case_id, COUNCIL, _meeting("council@example.org"))
    assert "their account is not an active review chair's" in problems["chair_email"]
    with db.read() as session:
        assert session.scalar(select(User).where(User.email == "dana.fell@example.org")) is None
    manager = user(db, MANAGER)
    reassign_task(db, live(db, case_id)["schedule_meeting"].id, manager, manager.id)
    do(db, case_id, "schedule_meeting", MANAGER, _meeting("dana.fell@example.org", REASON))
    review = _review(db, case_id)
    assert review is not None and review.chair_reason == REASON
    assert review.chair_taking_part == ["Derbyshire Dales District Council"]
    with db.read() as session:
        made = session.scalars(select(User).where(User.email == "dana.fell@example.org")).one()
        assert made.organisation.key == DALES_COUNCIL


def test_the_chair_declares_and_may_declare_again(chairs_db: Database) -> None:
    db = chairs_db
    case_id = meeting_scheduled(db, "chair@example.org")
    reference = case_of(db, case_id).reference
    chair = user(db, "chair@example.org")
    with db.transaction() as session:
        assert may_declare(session, chair, reference)
        assert not may_declare(session, user(db, MANAGER), reference)
        with pytest.raises(NotAllowed):
            declare(session, user(db, MANAGER), reference, {"conflict": "no"})
    for answers, field in (
        ({}, "conflict"),
        ({"conflict": "maybe"}, "conflict"),
        ({"conflict": "yes", "conflict_details": "  "}, "conflict_details"),
        ({"conflict": "yes", "conflict_details": "x" * 5001}, "conflict_details"),
    ):
        with db.transaction() as session, pytest.raises(InvalidData) as refused:
            declare(session, chair, reference, answers)
        assert set(refused.value.fields) == {field}
    with db.transaction() as session:
        declare(session, chair, reference, {"conflict": "no"})
    with db.transaction() as session:
        declare(
            session,
            chair,
            reference,
            {"conflict": "yes", "conflict_details": "My sister is a Dales Housing officer"},
        )
    review = _review(db, case_id)
    assert review is not None
    with db.read() as session:
        standing = standings(session, [review])[review.id].declaration
        assert session.scalar(
            select(ChairDeclaration.id).where(ChairDeclaration.conflict.is_(False))
        )
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action == "review.chair_declared")
        ).all()
    assert standing is not None and standing.conflict and not standing.after_meeting
    assert standing.details == "My sister is a Dales Housing officer"
    assert standing.declared_by == "Chair"
    assert len(actions) == 2


def test_a_conflict_declared_after_the_meeting_is_kept_as_such_and_the_meeting_stands(
    chairs_db: Database, fixed_clock: FixedClock
) -> None:
    db = chairs_db
    case_id = meeting_scheduled(db, "chair@example.org")
    task_id = meeting_to_record(db, case_id)
    fixed_clock.advance(MEETING_HELD)
    do(db, case_id, "record_meeting", "chair@example.org", RECORD)
    reference = case_of(db, case_id).reference
    chair = user(db, "chair@example.org")
    with db.transaction() as session:
        declare(
            session,
            chair,
            reference,
            {"conflict": "yes", "conflict_details": "I managed the police team in 2024"},
        )
    review = _review(db, case_id)
    assert review is not None
    assert str(review.held_on) == "2026-03-20" and review.findings == RECORD["findings"]
    assert "record_meeting" not in live(db, case_id)
    with db.transaction() as session:
        declared = standings(session, [review])[review.id].declaration
        summary = case_summary(session, user(db, COUNCIL), reference)
    assert declared is not None and declared.after_meeting and declared.conflict
    assert summary["reviews"][0]["chair_standing"]["declaration"]["after_meeting"] is True
    assert summary["reviews"][0]["held_on"] is not None
    assert task_id  # the meeting's record was the chair's task, done before the declaration


def test_a_new_chair_s_standing_is_their_own(chairs_db: Database) -> None:
    """What an earlier chair declared is not the new chair's declaration."""
    from engine.review.reviews import change_chair

    db = chairs_db
    case_id = meeting_scheduled(db, "chair@example.org")
    reference = case_of(db, case_id).reference
    with db.transaction() as session:
        declare(session, user(db, "chair@example.org"), reference, {"conflict": "no"})
    with db.transaction() as session, pytest.raises(InvalidData) as refused:
        change_chair(session, user(db, MANAGER), reference, DALES_CHAIR)
    assert set(refused.value.fields) == {"chair_reason"}
    with db.transaction() as session:
        change_chair(session, user(db, MANAGER), reference, DALES_CHAIR, REASON)
    review = _review(db, case_id)
    assert review is not None
    with db.read() as session:
        standing = standings(session, [review])[review.id]
    assert standing.chair == "Dales.Chair" and standing.declaration is None
    assert standing.taking_part == ("Derbyshire Dales District Council",)
    assert standing.reason == REASON


def test_erasure_takes_the_free_text_about_the_chair_and_keeps_the_facts(
    chairs_db: Database, fixed_clock: FixedClock
) -> None:
    db = chairs_db
    case_id, reference = reviewed_case(db, fixed_clock)
    with db.transaction() as session:
        declare(
            session,
            user(db, "chair@example.org"),
            reference,
            {"conflict": "yes", "conflict_details": "I know the applicant's neighbour"},
        )
        session.execute(update(Review).values(chair_reason="The only chair free that week"))
    fixed_clock.advance(timedelta(days=7 * 366))
    with db.transaction() as session:
        erase_case(session, reference)
    review = _review(db, case_id)
    assert review is not None and review.chair_reason is None
    with db.read() as session:
        declared = session.scalars(select(ChairDeclaration)).one()
    assert declared.details == "" and declared.conflict and declared.after_meeting
