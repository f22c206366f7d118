"""Information from other public bodies (Schedule 4): the area file's bodies and those an
administrator adds, the council's request with its legal basis and deadline, the single-use
link that only the body's answer spends, the body's users in the service, and the answer in
the meeting pack."""

from __future__ import annotations

import copy
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from engine.core.area import AreaFileError, parse_area
from engine.core.clock import FixedClock
from engine.core.counters import kept_digest
from engine.core.db import Database
from engine.core.errors import InvalidData, NotAllowed, NotFound
from engine.core.models import AuditEvent, Case, InformationRequest, Notification, PublicBody
from engine.documents.content import gather_pack
from engine.procedure.sweeps import run_due
from engine.records.retention import erase_case
from engine.records.subject_access import subject_access_export
from engine.review.information_requests import (
    DEFAULT_LEGAL_BASIS,
    LINK_NOT_RIGHT,
    answer_as_body,
    answer_by_link,
    request_for_link,
    requests_for_my_body,
    requests_of_case,
    send_information_request,
)
from engine.review.public_bodies import add_public_body
from tests.support.documents import open_docx, pack_for, reference_of
from tests.support.files import RAW
from tests.support.follow_up import closed_case
from tests.support.people import ADMIN, COUNCIL, POLICE, add_administrator, add_people, user
from tests.support.procedure import case_of, screened

CHILDREN = "derbyshire-childrens-services"
CHILDREN_EMAIL = "childrens.services@derbyshire.example.gov.uk"
YOS = "derbyshire-youth-offending-service"
YOS_OFFICER = "yos.officer@example.org"
NO_EMAIL = "derbyshire-education-welfare"
ASKED = "Any contact with the household at 3 Bank Road since January, and any concerns held."


def _ask(db: Database, case_id: int, body: str = CHILDREN, **changes: str) -> InformationRequest:
    form = {"body": body, "asked": ASKED, "legal_basis": DEFAULT_LEGAL_BASIS, "days": "10"}
    form.update(changes)
    with db.transaction() as session:
        return send_information_request(
            session, user(db, COUNCIL), case_of(db, case_id).reference, form
        )


def _link(db: Database, case_id: int) -> str:
    with db.read() as session:
        (body,) = session.scalars(
            select(Notification.body).where(
                Notification.case_id == case_id, Notification.kind == "information_link"
            )
        ).all()
    (token,) = re.findall(r"/information-request/(\S+)", body)
    return token


def _stored(db: Database, case_id: int) -> list[InformationRequest]:
    with db.read() as session:
        return list(
            session.scalars(
                select(InformationRequest).where(InformationRequest.case_id == case_id)
            ).all()
        )


def _actions(db: Database, case_id: int) -> list[tuple[str, dict]]:
    with db.read() as session:
        rows = session.execute(
            select(AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.case_id == case_id, AuditEvent.action.like("information_request.%"))
            .order_by(AuditEvent.seq)
        ).all()
    return [(action, dict(detail)) for action, detail in rows]


# The area file


def test_the_area_file_s_bodies_are_loaded_with_their_contacts(db: Database) -> None:
    with db.read() as session:
        bodies = {b.key: b for b in session.scalars(select(PublicBody))}
        assert bodies[CHILDREN].email == CHILDREN_EMAIL
        assert bodies[CHILDREN].source == "area"
        assert bodies[YOS].organisation is not None
        assert bodies[YOS].organisation.key == YOS
        assert bodies[NO_EMAIL].email == "" and bodies[NO_EMAIL].phone


def _with_body(**body: object) -> dict:
    raw = copy.deepcopy(RAW)
    raw["public_bodies"] = [{"key": "school", "name": "Matlock School", **body}]
    return raw


@pytest.mark.parametrize(
    "body, words",
    [
        ({"email": "not an address"}, "contact email 'not an address' is not an email address"),
        ({"email": "head@school"}, "contact email 'head@school' is not an email address"),
        ({"organisation": "atlantis"}, "organisation 'atlantis' is not an organisation"),
        ({"fax": "01629 000000"}, "unknown setting(s) fax"),
        ({"name": ""}, "public body school: 'name' is missing"),
        ({"phone": 1629}, "'phone' must be text"),
    ],
)
def test_bad_public_bodies_are_refused_at_load_with_the_reason(body, words) -> None:
    with pytest.raises(AreaFileError) as refused:
        parse_area(_with_body(**body))
    assert words in str(refused.value)


def test_a_public_body_key_listed_twice_is_refused() -> None:
    raw = _with_body(email="office@school.example.org")
    raw["public_bodies"] *= 2
    with pytest.raises(AreaFileError, match="a public body key is listed twice"):
        parse_area(raw)


# An administrator adds a body


def test_an_administrator_adds_a_body_and_no_one_else_may(db: Database) -> None:
    add_administrator(db)
    form = {"name": " Matlock  Primary School ", "email": "office@matlock.example.sch.uk"}
    with db.transaction() as session:
        added = add_public_body(session, user(db, ADMIN), form)
        assert (added.name, added.key, added.source) == (
            "Matlock Primary School",
            "matlock-primary-school",
            "administrator",
        )
    with db.transaction() as session, pytest.raises(InvalidData) as refused:
        add_public_body(session, user(db, ADMIN), {"name": "matlock primary school", "email": "x"})
    assert set(refused.value.fields) == {"name", "email"}
    with db.transaction() as session, pytest.raises(NotAllowed):
        add_public_body(session, user(db, COUNCIL), {"name": "Another school"})


# The council asks


def test_a_request_by_email_keeps_only_its_link_s_hash_and_records_its_legal_basis(
    app_db: Database, fixed_clock: FixedClock
) -> None:
    case_id = screened(app_db)
    _ask(app_db, case_id)
    (request,) = _stored(app_db, case_id)
    token = _link(app_db, case_id)
    assert request.code_hash == kept_digest(token) and token not in str(vars(request))
    assert request.legal_basis == DEFAULT_LEGAL_BASIS
    assert request.sent_to == CHILDREN_EMAIL
    # Ten working days from Monday 2 March 2026, then ten more before the link stops working.
    assert request.due_on == date(2026, 3, 16)
    assert request.expires_at == datetime(2026, 3, 31, 0, tzinfo=UTC) - timedelta(hours=1)
    with app_db.read() as session:
        (mail,) = session.scalars(
            select(Notification).where(Notification.kind == "information_link")
        ).all()
        assert mail.email == CHILDREN_EMAIL
        assert "Bank Road" not in mail.body and "Bank Road" not in mail.subject
    assert _actions(app_db, case_id) == [
        (
            "information_request.sent",
            {
                "body": "Derbyshire County Council Children's Services",
                "legal_basis": DEFAULT_LEGAL_BASIS,
                "due_on": "2026-03-16",
                "to": "email",
            },
        )
    ]


def test_a_body_with_no_contact_cannot_be_sent_a_request_and_is_told_why(
    app_db: Database,
) -> None:
    case_id = screened(app_db)
    with pytest.raises(InvalidData) as refused:
        _ask(app_db, case_id, body=NO_EMAIL)
    assert refused.value.fields["body"].startswith(
        "Derbyshire Education Welfare Service (schools) has no contact email address and no "
        "users in the service"
    )
    assert "01629 536906" in refused.value.fields["body"]
    assert _stored(app_db, case_id) == [] and _actions(app_db, case_id) == []


def test_every_problem_with_a_request_is_told_at_once(app_db: Database) -> None:
    case_id = screened(app_db)
    with pytest.raises(InvalidData) as refused:
        _ask(app_db, case_id, body="", asked=" ", legal_basis="", days="0")
    assert set(refused.value.fields) == {"body", "asked", "legal_basis", "days"}
    for days in ("²", "1" * 5000, "-3", "61"):
        with pytest.raises(InvalidData) as refused:
            _ask(app_db, case_id, days=days)
        assert set(refused.value.fields) == {"days"}


def test_only_the_council_managing_the_case_asks(app_db: Database) -> None:
    case_id = screened(app_db)
    reference = case_of(app_db, case_id).reference
    form = {"body": CHILDREN, "asked": ASKED, "legal_basis": "Sch 4", "days": "5"}
    with app_db.transaction() as session, pytest.raises(NotAllowed):
        send_information_request(session, user(app_db, POLICE), reference, form)
    with app_db.transaction() as session, pytest.raises(NotFound):
        send_information_request(session, user(app_db, "erewash@example.org"), reference, form)


# The body answers through its link


def test_the_link_takes_one_answer_and_refuses_an_empty_one_recording_nothing(
    app_db: Database,
) -> None:
    case_id = screened(app_db)
    _ask(app_db, case_id)
    token = _link(app_db, case_id)
    shown = request_for_link(app_db, token)
    assert (shown.asked, shown.due_on) == (ASKED, date(2026, 3, 16))
    assert shown.council == "Derbyshire Dales District Council"

    with pytest.raises(InvalidData) as empty:
        answer_by_link(app_db, token, {"answer": "  \r\n "})
    assert empty.value.fields == {
        "answer": "Enter the information you hold, or say that you hold none"
    }
    assert _stored(app_db, case_id)[0].answered_at is None

    answer_by_link(app_db, token, {"answer": "Two visits in February; no concerns."})
    with pytest.raises(InvalidData) as used:
        answer_by_link(app_db, token, {"answer": "Something else"})
    assert used.value.fields == {"link": LINK_NOT_RIGHT}
    with pytest.raises(InvalidData):
        request_for_link(app_db, token)
    (request,) = _stored(app_db, case_id)
    assert request.answer == "Two visits in February; no concerns."
    assert [action for action, _ in _actions(app_db, case_id)] == [
        "information_request.sent",
        "information_request.answered",
    ]


def test_a_link_stops_working_after_its_deadline_and_margin(
    app_db: Database, fixed_clock: FixedClock
) -> None:
    case_id = screened(app_db)
    _ask(app_db, case_id)
    token = _link(app_db, case_id)
    fixed_clock.set(datetime(2026, 3, 30, 22, 59, tzinfo=UTC))  # 23:59 on 30 March, BST
    assert request_for_link(app_db, token).asked == ASKED, "late, but within its margin"
    fixed_clock.set(datetime(2026, 3, 30, 23, 0, tzinfo=UTC))
    with pytest.raises(InvalidData) as expired:
        answer_by_link(app_db, token, {"answer": "Too late"})
    assert expired.value.fields == {"link": LINK_NOT_RIGHT}
    assert _stored(app_db, case_id)[0].answered_at is None
    assert len(_actions(app_db, case_id)) == 1


def test_a_made_up_link_is_refused_like_a_used_one(app_db: Database) -> None:
    with pytest.raises(InvalidData) as refused:
        answer_by_link(app_db, "not-a-real-link", {"answer": "Hello"})
    assert refused.value.fields == {"link": LINK_NOT_RIGHT}


# A body whose staff use the service


def test_a_body_with_users_gets_the_request_in_the_service_and_answers_there(
    app_db: Database,
) -> None:
    add_people(app_db, [(YOS_OFFICER, YOS, ["agency_officer"])])
    case_id = screened(app_db)
    request_id = _ask(app_db, case_id, body=YOS).id
    (request,) = _stored(app_db, case_id)
    assert request.code_hash is None and request.sent_to == ""
    with app_db.read() as session:
        told = session.scalars(
            select(Notification).where(Notification.kind == "information_request")
        ).all()
        assert [n.email for n in told] == [YOS_OFFICER]
        assert f"/information-requests/{request_id}" in told[0].body
        (mine,) = requests_for_my_body(session, user(app_db, YOS_OFFICER))
        assert mine.asked == ASKED
        assert requests_for_my_body(session, user(app_db, POLICE)) == []

    with app_db.transaction() as session, pytest.raises(NotFound):
        answer_as_body(session, user(app_db, POLICE), request_id, {"answer": "Not ours"})
    with app_db.transaction() as session:
        answer_as_body(session, user(app_db, YOS_OFFICER), request_id, {"answer": "Known to us"})
    with app_db.read() as session:
        (shown,) = requests_of_case(session, case_of(app_db, case_id))
    assert (shown["answer"], shown["answered_by"]) == ("Known to us", "Yos.Officer")


# On the case page and in the meeting pack


def test_a_late_request_shows_as_overdue(app_db: Database, fixed_clock: FixedClock) -> None:
    case_id = screened(app_db)
    _ask(app_db, case_id, days="2")
    fixed_clock.set(datetime(2026, 3, 5, 9, tzinfo=UTC))
    with app_db.read() as session:
        (shown,) = requests_of_case(session, case_of(app_db, case_id))
    assert shown["overdue"] and shown["due_on"] == date(2026, 3, 4)


def test_the_answer_is_in_the_meeting_pack_like_a_return(app_db: Database) -> None:
    case_id = screened(app_db)
    _ask(app_db, case_id)
    reference = reference_of(app_db, case_id)
    with app_db.read() as session:
        (awaited,) = gather_pack(session, session.get(Case, case_id)).other_bodies
    assert not awaited.answered and awaited.due_on == date(2026, 3, 16)

    answer_by_link(app_db, _link(app_db, case_id), {"answer": "Two visits in February."})
    pack = open_docx(pack_for(app_db, reference).content)
    texts = [p.text for p in pack.paragraphs]
    start = texts.index("Information from other public bodies")
    assert texts[start + 1] == "Derbyshire County Council Children's Services"
    assert f"Asked under: {DEFAULT_LEGAL_BASIS}" in texts
    assert ASKED in texts and "Two visits in February." in texts
    assert texts.index("Agency returns") < start < texts.index("Actions already taken")


def test_erasing_a_case_at_the_end_of_its_retention_erases_what_was_asked_and_answered(
    all_db: Database, fixed_clock: FixedClock
) -> None:
    case_id = closed_case(all_db, fixed_clock)
    _ask(all_db, case_id)
    answer_by_link(all_db, _link(all_db, case_id), {"answer": "Two visits to 3 Bank Road."})
    fixed_clock.set(datetime(2033, 3, 21, 9, tzinfo=UTC))
    with all_db.transaction() as session:
        erase_case(session, case_of(all_db, case_id).reference)
    (request,) = _stored(all_db, case_id)
    assert (request.asked, request.answer) == ("", "")
    assert request.answered_at is not None, "that it was answered is a fact of the case"


def test_a_subject_access_export_carries_what_bodies_were_asked_and_answered(
    app_db: Database,
) -> None:
    case_id = screened(app_db)
    _ask(app_db, case_id)
    answer_by_link(app_db, _link(app_db, case_id), {"answer": "Sam Taylor is known to us."})
    with app_db.transaction() as session:
        export = subject_access_export(session, "Sam Taylor", "sam@example.com")
    ((asked,),) = [case["information_from_other_public_bodies"] for case in export.data["cases"]]
    assert asked["body"] == "Derbyshire County Council Children's Services"
    assert (asked["asked"], asked["answer"]) == (ASKED, "Sam Taylor is known to us.")
    assert asked["legal_basis"] == DEFAULT_LEGAL_BASIS


def test_a_late_request_is_chased_once_to_the_officer_who_sent_it(
    app_db: Database, fixed_clock: FixedClock
) -> None:
    case_id = screened(app_db)
    _ask(app_db, case_id, days="2")  # due Wednesday 4 March
    fixed_clock.set(datetime(2026, 3, 4, 17, tzinfo=UTC))
    assert run_due(app_db)["information_requests_chased"] == 0, "not late on its last day"
    fixed_clock.set(datetime(2026, 3, 5, 9, tzinfo=UTC))
    assert run_due(app_db)["information_requests_chased"] == 1
    assert run_due(app_db)["information_requests_chased"] == 0, "told once"
    with app_db.read() as session:
        (late,) = session.scalars(
            select(Notification).where(Notification.kind == "information_request_late")
        ).all()
    assert late.email == COUNCIL and late.subject == "A request for information is overdue"
    assert "Derbyshire County Council Children's Services has not answered" in late.body
    assert "01629 533190" in late.body
