"""The applicant's way in: a link by email when they apply, a code on every posted letter;
each works once, in date, and wrong attempts are limited without telling what exists."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from docx import Document as WordDocument
from sqlalchemy import select

from engine.chasing.notifications import ONE_TIME_KINDS
from engine.core import clock
from engine.core.db import Database
from engine.core.errors import InvalidData, TooManyAttempts
from engine.core.models import ApplicantCode, AuditEvent, Case, Document, Notification
from engine.people.applicant_codes import (
    NOT_RIGHT,
    issue_email_link,
    issue_letter_code,
    postcode_of,
    redeem_email_link,
    redeem_letter_code,
)
from engine.people.sign_in import SignInPolicy
from tests.support.people import DEMO_PASSWORD
from tests.support.procedure import ACKNOWLEDGED, application, do, submit

POLICY = SignInPolicy(attempts=3)
HERE = "192.0.2.10"
BY_POST = {
    "name": "Pat Jones",
    "address": "4 Station Road, Matlock",
    "postcode": "de4 3ab",
}


def link_in(db: Database, case_id: int) -> str:
    with db.read() as session:
        body = session.scalar(
            select(Notification.body).where(
                Notification.case_id == case_id, Notification.kind == "applicant_link"
            )
        )
    (token,) = re.findall(r"/your-case/sign-in/(\S+)", body or "")
    return token


def test_an_applicant_who_gave_an_email_is_sent_a_link_that_opens_their_case_once(
    app_db: Database,
) -> None:
    db = app_db
    case_id = submit(db, application())
    with db.read() as session:
        message = session.scalars(
            select(Notification).where(
                Notification.case_id == case_id, Notification.kind == "applicant_link"
            )
        ).one()
    assert message.email == "sam@example.com"
    assert "Sam" not in message.subject and "CT-" not in message.subject, "no personal data"
    assert message.kind in ONE_TIME_KINDS
    token = link_in(db, case_id)

    used = redeem_email_link(db, token, address=HERE, policy=POLICY)
    assert used.case_id == case_id and used.used_at is not None
    with pytest.raises(InvalidData, match="has not worked"):
        redeem_email_link(db, token, address=HERE, policy=POLICY)
    with db.read() as session:
        stored = session.scalars(select(ApplicantCode.code_hash)).all()
        signed_in = session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "applicant.signed_in")
        ).all()
    assert token not in stored, "only the code's hash is kept"
    assert [event["via"] for event in signed_in] == ["email"]


def test_a_link_out_of_date_is_refused_like_a_wrong_one(
    app_db: Database, fixed_clock: clock.FixedClock
) -> None:
    case_id = submit(app_db, application())
    token = link_in(app_db, case_id)
    fixed_clock.advance(timedelta(hours=25))
    with pytest.raises(InvalidData) as late:
        redeem_email_link(app_db, token, address=HERE, policy=POLICY)
    with pytest.raises(InvalidData) as wrong:
        redeem_email_link(app_db, token[:-2] + "xx", address=HERE, policy=POLICY)
    assert late.value.fields == wrong.value.fields == {"code": NOT_RIGHT}


def test_an_applicant_by_post_gets_a_code_on_each_letter_to_use_with_their_postcode(
    app_db: Database,
) -> None:
    db = app_db
    case_id = submit(db, application(applicant=BY_POST, contact_preference="letter"))
    with db.read() as session:
        assert not session.scalars(
            select(Notification).where(Notification.kind == "applicant_link")
        ).all(), "no email to send a link to"
    do(db, case_id, "acknowledge", "council@example.org", ACKNOWLEDGED)
    with db.read() as session:
        letter = session.scalars(select(Document).where(Document.case_id == case_id)).one()
        reference = session.get_one(Case, case_id).reference
    text = "\n".join(p.text for p in WordDocument(io.BytesIO(letter.content)).paragraphs)
    (code,) = re.findall(r"Your access code: ([A-Z0-9-]+)", text)
    assert "http://127.0.0.1:5000/your-case" in text

    with pytest.raises(InvalidData):
        redeem_letter_code(db, reference, code, "DE4 9ZZ", address=HERE, policy=POLICY)
    used = redeem_letter_code(
        db,
        reference.lower(),
        code.lower().replace("-", " "),
        "DE4 3AB",
        address=HERE,
        policy=POLICY,
    )
    assert used.case_id == case_id
    with pytest.raises(InvalidData):
        redeem_letter_code(db, reference, code, "DE4 3AB", address=HERE, policy=POLICY)


def test_wrong_codes_are_limited_per_reference_whether_or_not_it_exists(
    app_db: Database,
) -> None:
    db = app_db
    case_id = submit(db, application(applicant=BY_POST, contact_preference="letter"))
    with db.transaction() as session:
        case = session.get_one(Case, case_id)
        code, reference = issue_letter_code(session, case, issued_for="test"), case.reference
    for typed in (reference, "CT-2099-99999"):
        for attempt in range(POLICY.attempts):
            refused = TooManyAttempts if attempt == POLICY.attempts - 1 else InvalidData
            with pytest.raises(refused):
                redeem_letter_code(
                    db,
                    typed,
                    "WRONGCODE123",
                    "DE4 3AB",
                    address=f"198.51.100.{attempt}",
                    policy=POLICY,
                )
    with pytest.raises(TooManyAttempts):
        redeem_letter_code(db, reference, code, "DE4 3AB", address=HERE, policy=POLICY)


def test_a_link_cannot_open_a_case_whose_personal_data_was_erased(app_db: Database) -> None:
    case_id = submit(app_db, application())
    with app_db.transaction() as session:
        case = session.get_one(Case, case_id)
        token = issue_email_link(session, case, issued_for="test")
        case.erased_on = clock.today()
    with pytest.raises(InvalidData):
        redeem_email_link(app_db, token, address=HERE, policy=POLICY)


@pytest.mark.parametrize(
    ("applicant", "postcode"),
    [
        ({"postcode": "de4 3ab"}, "DE43AB"),
        ({"address": "1 Bank Road, Matlock DE4 3AB"}, "DE43AB"),
        ({"address": "Flat 2, 10 High St, Ilkeston, DE7 5AB, UK"}, "DE75AB"),
        ({"address": "1 Bank Road, Matlock"}, ""),
    ],
)
def test_the_postcode_is_the_one_given_or_the_last_in_the_address(
    applicant: dict[str, str], postcode: str
) -> None:
    assert postcode_of(applicant) == postcode


def test_wrong_codes_do_not_lock_staff_out_of_signing_in_from_the_same_address(
    app_db: Database,
) -> None:
    from engine.people.sign_in import sign_in

    for attempt in range(POLICY.attempts * 10):
        with pytest.raises((InvalidData, TooManyAttempts)):
            redeem_email_link(app_db, f"made-up-{attempt}", address=HERE, policy=POLICY)
    with pytest.raises(TooManyAttempts):
        redeem_email_link(app_db, "made-up", address=HERE, policy=POLICY)
    user = sign_in(
        app_db, "council@example.org", DEMO_PASSWORD, address=HERE, policy=POLICY, via="web"
    )
    assert user is not None and user.email == "council@example.org"
