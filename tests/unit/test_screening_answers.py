"""The applicant's own answer about a hate element is kept beside screening's: an answer that
differs from it needs a reason, which is kept on the case, written to the audit trail and
shown with both answers on the case and in the meeting pack."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.core.audit import describe
from engine.core.db import Database
from engine.core.errors import InvalidData
from engine.core.models import AuditEvent
from engine.records.retention import erase_case
from engine.work.case_view import case_summary
from tests.support.documents import open_docx, pack_for, reference_of
from tests.support.people import COUNCIL, user
from tests.support.procedure import ACKNOWLEDGED, application, case_of, do, live, submit

SIGNPOSTED = {"route": "review", "hate_element": True, "hate_signposted": True}
REASON = "the incidents describe racist abuse at the door"
CHANGED = "screening.hate_element_changed"


def _acknowledged(db: Database, *, said: bool) -> int:
    case_id = submit(db, application(hate_element=said))
    do(db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    return case_id


def _refused(db: Database, case_id: int, answers: dict) -> dict[str, str]:
    with pytest.raises(InvalidData) as refused:
        do(db, case_id, "screen", COUNCIL, answers)
    return refused.value.fields


def _changes(db: Database, case_id: int) -> list[AuditEvent]:
    with db.read() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.case_id == case_id, AuditEvent.action == CHANGED
                )
            )
        )


def test_the_application_keeps_the_applicant_s_own_answer(app_db: Database) -> None:
    case = case_of(app_db, submit(app_db, application(hate_element=True)))
    assert (case.applicant_hate_element, case.hate_element, case.hate_element_reason) == (
        True,
        True,
        None,
    )


def test_finding_a_hate_element_the_applicant_did_not_say_needs_a_reason(app_db: Database) -> None:
    db = app_db
    case_id = _acknowledged(db, said=False)
    problems = _refused(db, case_id, SIGNPOSTED)
    assert problems == {
        "hate_element_reason": (
            "Enter why screening finds a hate element: the applicant did not say there is one"
        )
    }
    assert _refused(db, case_id, {**SIGNPOSTED, "hate_element_reason": "   "}) == problems
    assert case_of(db, case_id).hate_element is False, "nothing was recorded"
    assert _changes(db, case_id) == []

    do(db, case_id, "screen", COUNCIL, {**SIGNPOSTED, "hate_element_reason": f" {REASON} "})
    case = case_of(db, case_id)
    assert (case.applicant_hate_element, case.hate_element, case.hate_element_reason) == (
        False,
        True,
        REASON,
    ), "the applicant's answer stays as they gave it"
    (event,) = _changes(db, case_id)
    assert event.user_id == user(db, COUNCIL).id
    assert event.detail == {"applicant_said": False, "screening_found": True, "reason": REASON}
    assert describe(event.action, actor="Council", detail=event.detail) == (
        "Council screened the application: a hate element, where the applicant said none, "
        f"because {REASON}"
    )
    assert "police_return" in live(db, case_id), "the application goes on"


def test_finding_none_where_the_applicant_said_there_is_one_needs_a_reason(
    app_db: Database,
) -> None:
    db = app_db
    case_id = _acknowledged(db, said=True)
    answers = {"route": "review", "hate_element": False}
    assert _refused(db, case_id, answers) == {
        "hate_element_reason": (
            "Enter why screening finds no hate element: the applicant said there is one"
        )
    }
    reason = "The applicant told us on the phone it is a dispute about parking"
    do(db, case_id, "screen", COUNCIL, {**answers, "hate_element_reason": reason})
    case = case_of(db, case_id)
    assert (case.applicant_hate_element, case.hate_element, case.hate_element_reason) == (
        True,
        False,
        reason,
    )
    assert [event.detail["screening_found"] for event in _changes(db, case_id)] == [False]


@pytest.mark.parametrize("said", [True, False])
def test_screening_that_agrees_with_the_applicant_keeps_no_reason(app_db: Database, said) -> None:
    db = app_db
    case_id = _acknowledged(db, said=said)
    answers = SIGNPOSTED if said else {"route": "review", "hate_element": False}
    do(db, case_id, "screen", COUNCIL, {**answers, "hate_element_reason": "Agreed on the phone"})
    case = case_of(db, case_id)
    assert (case.hate_element, case.hate_element_reason) == (said, None), "nothing changed"
    assert _changes(db, case_id) == []


def test_both_answers_are_shown_on_the_case_and_in_the_pack(app_db: Database) -> None:
    db = app_db
    case_id = _acknowledged(db, said=False)
    do(db, case_id, "screen", COUNCIL, {**SIGNPOSTED, "hate_element_reason": REASON})
    reference = reference_of(db, case_id)
    with db.transaction() as session:
        seen = case_summary(session, user(db, COUNCIL), reference)
    assert (seen["applicant_hate_element"], seen["hate_element"], seen["hate_element_reason"]) == (
        False,
        True,
        REASON,
    )
    assert any(
        "screened the application: a hate element, where the applicant said none" in e["sentence"]
        for e in seen["audit"]
    ), "the case's audit trail tells it"
    pack = open_docx(pack_for(db, reference).content)
    texts = [paragraph.text for paragraph in pack.paragraphs]
    assert f"The applicant said: no. Screening: yes, because {REASON}" in texts


def test_the_reason_is_erased_with_the_case_s_personal_data(app_db: Database, fixed_clock) -> None:
    db = app_db
    case_id = _acknowledged(db, said=False)
    do(
        db,
        case_id,
        "screen",
        COUNCIL,
        {
            "route": "complaint",
            "hate_element": True,
            "hate_signposted": True,
            "hate_element_reason": "Racist abuse, named neighbour at number 4",
            "complaint_organisation": "derbyshire-constabulary",
        },
    )
    do(
        db,
        case_id,
        "complaint_letter",
        COUNCIL,
        {"complaints_route": "police_complaints_then_iopc"},
    )
    fixed_clock.advance(timedelta(days=7 * 365))
    with db.transaction() as session:
        erase_case(session, reference_of(db, case_id))
    case = case_of(db, case_id)
    assert (case.hate_element, case.applicant_hate_element, case.hate_element_reason) == (
        True,
        False,
        None,
    ), "the facts stay; the words about people go"
