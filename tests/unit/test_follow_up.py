"""The follow-up after a case closes: the applicant is asked "Is the anti-social behaviour
still happening?" at the months the area sets, by a one-time link by email (answered without
signing in) or, for an applicant who has letters, by their contact; a "yes" gives the contact
a task to consider further action, and the published figures count the answers."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from engine.applicant.check_ins import LINK_NOT_RIGHT, answer_check_in
from engine.cases.statistics import figures_for_year
from engine.core.area import AreaFileError, parse_area
from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.errors import Conflict, InvalidData, NotAllowed, NotFound
from engine.core.models import Area, AuditEvent, Notification
from engine.people.sign_in import SignInPolicy
from engine.procedure.check_ins import CHOOSE
from engine.procedure.sweeps import run_due
from engine.work.check_ins import record_given_answer
from tests.support.follow_up import (
    check_in_links,
    check_ins,
    closed_case,
    further_action,
)
from tests.support.people import COUNCIL, user
from tests.support.procedure import case_of

POLICY = SignInPolicy()
HERE = "192.0.2.7"


def _at(fixed_clock: FixedClock, day: date) -> None:
    fixed_clock.set(datetime.combine(day, datetime.min.time()).replace(hour=9))


def _answer(db: Database, token: str, answer: str, comment: str = ""):  # noqa: ANN202
    return answer_check_in(
        db, token, {"still_happening": answer, "comment": comment}, address=HERE, policy=POLICY
    )


def _notices(db: Database, case_id: int, kind: str) -> list[Notification]:
    with db.read() as session:
        return list(
            session.scalars(
                select(Notification)
                .where(Notification.case_id == case_id, Notification.kind == kind)
                .order_by(Notification.id)
            )
        )


def test_check_ins_are_sent_at_1_3_and_6_months_after_closure(
    appeal_db: Database, fixed_clock: FixedClock
) -> None:
    db = appeal_db
    case_id = closed_case(db, fixed_clock)
    assert [(c.months, c.due_on) for c in check_ins(db, case_id)] == [
        (1, date(2026, 4, 20)),
        (3, date(2026, 6, 20)),
        (6, date(2026, 9, 20)),
    ]
    assert run_due(db)["check_ins_sent"] == 0, "nothing is due on the day the case closes"
    _at(fixed_clock, date(2026, 4, 19))
    assert run_due(db)["check_ins_sent"] == 0
    _at(fixed_clock, date(2026, 4, 20))
    assert run_due(db)["check_ins_sent"] == 1
    assert run_due(db)["check_ins_sent"] == 0, "a sweep run again sends nothing twice"
    (sent,) = _notices(db, case_id, "check_in")
    assert sent.email == "sam@example.com"
    assert sent.subject == "Your ASB case review: is it still happening?"
    assert "Is the anti-social behaviour still happening?" in sent.body
    assert "Sam" not in sent.subject and case_of(db, case_id).reference not in sent.subject
    _at(fixed_clock, date(2026, 6, 22))
    assert run_due(db)["check_ins_sent"] == 1
    _at(fixed_clock, date(2026, 9, 20))
    assert run_due(db)["check_ins_sent"] == 1
    assert [c.channel for c in check_ins(db, case_id)] == ["email"] * 3
    assert len(check_in_links(db, case_id)) == 3
    with db.read() as session:
        told = session.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.case_id == case_id, AuditEvent.action == "check_in.sent"
            )
        ).all()
    assert [(d["months"], d["delivery"]) for d in told] == [
        (1, "email"),
        (3, "email"),
        (6, "email"),
    ]


def test_the_link_answers_once_and_a_yes_gives_the_contact_a_task(
    appeal_db: Database, fixed_clock: FixedClock
) -> None:
    db = appeal_db
    case_id = closed_case(db, fixed_clock)
    _at(fixed_clock, date(2026, 4, 20))
    run_due(db)
    (token,) = check_in_links(db, case_id)

    with pytest.raises(InvalidData) as unanswered:
        _answer(db, token, "")
    assert unanswered.value.fields == {"still_happening": CHOOSE}
    assert further_action(db, case_id) == [], "an answer to correct uses nothing up"

    answered = _answer(db, token, "yes", "They are back every weekend")
    assert answered.still_happening and answered.contact_name == "Council"
    (row,) = [c for c in check_ins(db, case_id) if c.answered_at]
    assert row.still_happening is True and row.comment == "They are back every weekend"
    assert row.answered_by == "applicant"

    (task,) = further_action(db, case_id)
    assert task.title == "Consider further action"
    assert task.state == "claimed" and task.assignee_id == user(db, COUNCIL).id
    (told,) = [
        n for n in _notices(db, case_id, "assignment") if n.key.startswith("further_action:")
    ]
    assert told.user_id == user(db, COUNCIL).id and f"/tasks/{task.id}" in told.body
    assert case_of(db, case_id).status == "closed", "the case stays closed"

    for used_or_wrong in (token, token[:-1] + ("A" if token[-1] != "A" else "B"), ""):
        with pytest.raises(InvalidData) as refused:
            _answer(db, used_or_wrong, "no")
        assert refused.value.fields == {"link": LINK_NOT_RIGHT}
    assert len(further_action(db, case_id)) == 1
    with db.read() as session:
        answered_events = session.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.case_id == case_id, AuditEvent.action == "check_in.answered"
            )
        ).all()
    assert [(d["still_happening"], d["by"]) for d in answered_events] == [(True, "applicant")]


def test_an_expired_link_is_refused_like_a_wrong_one(
    appeal_db: Database, fixed_clock: FixedClock
) -> None:
    db = appeal_db
    case_id = closed_case(db, fixed_clock)
    _at(fixed_clock, date(2026, 4, 20))
    run_due(db)
    (token,) = check_in_links(db, case_id)
    _at(fixed_clock, date(2026, 5, 21))
    with pytest.raises(InvalidData) as refused:
        _answer(db, token, "no")
    assert refused.value.fields == {"link": LINK_NOT_RIGHT}
    assert all(c.answered_at is None for c in check_ins(db, case_id))


def test_a_no_is_kept_and_makes_no_task(appeal_db: Database, fixed_clock: FixedClock) -> None:
    db = appeal_db
    case_id = closed_case(db, fixed_clock)
    _at(fixed_clock, date(2026, 4, 20))
    run_due(db)
    (token,) = check_in_links(db, case_id)
    assert _answer(db, token, "no").still_happening is False
    assert further_action(db, case_id) == []
    assert [c.still_happening for c in check_ins(db, case_id)] == [False, None, None]


def test_a_post_only_applicant_s_check_in_reaches_their_contact(
    appeal_db: Database, fixed_clock: FixedClock
) -> None:
    db = appeal_db
    case_id = closed_case(db, fixed_clock, by_post=True)
    reference = case_of(db, case_id).reference
    _at(fixed_clock, date(2026, 4, 20))
    assert run_due(db)["check_ins_sent"] == 1
    assert _notices(db, case_id, "check_in") == [], "no link for an applicant with no email"
    (ask,) = _notices(db, case_id, "check_in_to_ask")
    assert ask.user_id == user(db, COUNCIL).id
    assert f"/cases/{reference}#check-ins" in ask.body
    first = check_ins(db, case_id)[0]
    assert first.channel == "post" and first.code_hash is None

    with db.transaction() as session, pytest.raises(NotAllowed):
        record_given_answer(
            session, user(db, "police@example.org"), reference, first.id, {"still_happening": "no"}
        )
    with db.transaction() as session, pytest.raises(NotFound):
        record_given_answer(
            session, user(db, "erewash@example.org"), reference, first.id, {"still_happening": "no"}
        )
    with db.transaction() as session, pytest.raises(Conflict):
        record_given_answer(
            session,
            user(db, COUNCIL),
            reference,
            check_ins(db, case_id)[1].id,
            {"still_happening": "no"},
        )
    with db.transaction() as session:
        record_given_answer(
            session,
            user(db, "council2@example.org"),
            reference,
            first.id,
            {"still_happening": "yes", "comment": "Said so on the telephone"},
        )
    answered = check_ins(db, case_id)[0]
    assert answered.still_happening is True
    assert answered.answered_by == f"user:{user(db, 'council2@example.org').id}"
    (task,) = further_action(db, case_id)
    assert task.assignee_id == user(db, COUNCIL).id, "the contact's task, whoever recorded it"
    with db.transaction() as session, pytest.raises(Conflict):
        record_given_answer(
            session, user(db, COUNCIL), reference, first.id, {"still_happening": "no"}
        )


def test_the_area_sets_the_months(appeal_db: Database, fixed_clock: FixedClock) -> None:
    db = appeal_db
    with db.transaction() as session:
        area = session.scalar(select(Area))
        area.settings = {**area.settings, "follow_up_months": [2]}
    case_id = closed_case(db, fixed_clock)
    assert [(c.months, c.due_on) for c in check_ins(db, case_id)] == [(2, date(2026, 5, 20))]


@pytest.mark.parametrize("months", [[0], [1, 1], ["3"], [True], 3, [37]])
def test_the_area_file_refuses_months_that_cannot_be(months: object) -> None:
    raw = {
        "key": "x",
        "name": "X",
        "settings": {"follow_up_months": months},
        "districts": [{"key": "d", "name": "D", "lead_council": "c"}],
        "organisations": [{"key": "c", "name": "C", "kind": "council", "districts": ["d"]}],
    }
    with pytest.raises(AreaFileError, match="follow_up_months"):
        parse_area(raw)
    raw["settings"] = {}
    assert parse_area(raw).settings["follow_up_months"] == [1, 3, 6]
    raw["settings"] = {"follow_up_months": [6, 1]}
    assert parse_area(raw).settings["follow_up_months"] == [1, 6]


def test_the_figures_count_followed_up_cases_and_those_where_it_stopped(
    appeal_db: Database, fixed_clock: FixedClock
) -> None:
    db = appeal_db
    stopped = closed_case(db, fixed_clock)
    _at(fixed_clock, date(2026, 3, 2))
    goes_on = closed_case(db, fixed_clock)
    _at(fixed_clock, date(2026, 3, 2))
    stopped_then_back = closed_case(db, fixed_clock)
    _at(fixed_clock, date(2026, 3, 2))
    never_answered = closed_case(db, fixed_clock)

    _at(fixed_clock, date(2026, 4, 20))
    assert run_due(db)["check_ins_sent"] == 4
    links = {
        case_id: check_in_links(db, case_id) for case_id in (stopped, goes_on, stopped_then_back)
    }
    _answer(db, links[stopped][0], "no")
    _answer(db, links[goes_on][0], "yes")
    _answer(db, links[stopped_then_back][0], "no")
    _at(fixed_clock, date(2026, 6, 20))
    run_due(db)
    _answer(db, check_in_links(db, stopped_then_back)[1], "yes")
    assert never_answered

    with db.read() as session:
        figures = figures_for_year(session, 2026)
        before = figures_for_year(session, 2025)
    assert figures.total("cases_followed_up") == 3
    assert figures.total("behaviour_stopped") == 1, "the last answer of the year counts"
    (dales,) = [d for d in figures.districts if d.district_key == "derbyshire-dales"]
    assert (dales.cases_followed_up, dales.behaviour_stopped) == (3, 1)
    assert before.total("cases_followed_up") == 0, "answers count in the year they were given"


def test_without_the_follow_up_diagram_a_yes_still_reaches_the_contact(
    review_db: Database, fixed_clock: FixedClock
) -> None:
    db = review_db
    case_id = closed_case(db, fixed_clock)
    _at(fixed_clock, date(2026, 4, 20))
    run_due(db)
    _answer(db, check_in_links(db, case_id)[0], "yes")
    assert further_action(db, case_id) == []
    (told,) = _notices(db, case_id, "check_in_answered")
    assert told.user_id == user(db, COUNCIL).id
    assert "still happening" in told.body


def test_erasing_the_case_erases_the_comments_and_keeps_the_answers(
    appeal_db: Database, fixed_clock: FixedClock
) -> None:
    from engine.records.retention import erase_case

    db = appeal_db
    case_id = closed_case(db, fixed_clock)
    _at(fixed_clock, date(2026, 4, 20))
    run_due(db)
    _answer(db, check_in_links(db, case_id)[0], "no", "It stopped when they moved out")
    _at(fixed_clock, date(2032, 4, 1))
    with db.transaction() as session:
        erase_case(session, case_of(db, case_id).reference)
    first = check_ins(db, case_id)[0]
    assert (first.still_happening, first.comment) == (False, "")
    assert run_due(db)["check_ins_sent"] == 0, "an erased case is asked nothing more"
    with db.read() as session:
        assert figures_for_year(session, 2026).total("behaviour_stopped") == 1
