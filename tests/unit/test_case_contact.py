"""The applicant's single point of contact: whoever acknowledges the application, named on
the letters and on the applicant's page and told by email; a manager of the managing council
may name another of its officers, recorded in the audit trail, and no one else may."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.applicant.your_case import your_case
from engine.core.db import Database
from engine.core.errors import InvalidData, NotAllowed, NotFound
from engine.core.models import AuditEvent, Notification, User
from engine.people.applicant_codes import ApplicantAccess
from engine.work.case_contact import change_contact, contact_choices
from tests.support.letters import DISTRICT_SPOC, letter, texts
from tests.support.people import COUNCIL, MANAGER, add_people, user
from tests.support.procedure import ACKNOWLEDGED, application, case_of, do, submit

PHONE = "01629 761100"  # the Dales council's contact telephone, from the area file


def _told(db: Database, email: str) -> list[Notification]:
    with db.read() as session:
        return list(
            session.scalars(
                select(Notification)
                .where(Notification.email == email, Notification.key.startswith("contact:"))
                .order_by(Notification.id)
            )
        )


def _change(db: Database, by: str, reference: str, officer: str | int) -> User:
    with db.transaction() as session:
        officer_id = (
            officer
            if isinstance(officer, int)
            else session.scalar(select(User.id).where(User.email == officer))
        )
        manager = session.scalar(select(User).where(User.email == by))
        return change_contact(session, manager, reference, officer_id)


def _seen_contact(db: Database, case_id: int, reference: str) -> tuple[str, str, str, str]:
    with db.transaction() as session:
        contact = your_case(session, ApplicantAccess(frozenset({case_id})), reference).contact
    return contact.name, contact.organisation, contact.phone, contact.email


def test_whoever_acknowledges_becomes_the_contact_named_on_letters_and_is_told(
    app_db: Database,
) -> None:
    db = app_db
    case_id = submit(db, application())
    reference = case_of(db, case_id).reference
    assert case_of(db, case_id).contact_user_id is None
    assert _seen_contact(db, case_id, reference)[0] == "Community Safety Officer"

    do(db, case_id, "acknowledge", "council2@example.org", ACKNOWLEDGED)

    assert case_of(db, case_id).contact_user_id == user(db, "council2@example.org").id
    lines = texts(letter(db, case_id, "acknowledgement_letter"))
    assert f"If you have any questions, contact Council2 on {PHONE} or council2@example.org." in (
        lines
    )
    assert f"Council2; phone {PHONE}; email council2@example.org" in lines, "the contact block"
    assert "Email: community.trigger@derbyshiredales.example.gov.uk" in lines, "the letterhead"
    assert not any(DISTRICT_SPOC in line for line in lines)
    assert _seen_contact(db, case_id, reference) == (
        "Council2",
        "Derbyshire Dales District Council",
        PHONE,
        "council2@example.org",
    )
    (told,) = _told(db, "council2@example.org")
    assert (told.kind, told.state, told.user_id) == (
        "appointment",
        "pending",
        user(db, "council2@example.org").id,
    )
    assert told.subject == f"You are the contact for case {reference}"
    assert "single point of contact" in told.body
    with db.read() as session:
        named = session.scalars(
            select(AuditEvent).where(
                AuditEvent.case_id == case_id, AuditEvent.action == "case.contact_named"
            )
        ).all()
    assert [(e.user_id, e.detail["to_user_id"]) for e in named] == [
        (user(db, "council2@example.org").id, user(db, "council2@example.org").id)
    ]


def test_a_manager_names_another_officer_of_the_managing_council(app_db: Database) -> None:
    db = app_db
    add_people(
        db,
        [
            ("left@example.org", "derbyshire-dales-district-council", ["caseworker"]),
            ("owner@example.org", "derbyshire-dales-district-council", ["process_owner"]),
            ("police.manager@example.org", "derbyshire-constabulary", ["manager"]),
        ],
    )
    with db.transaction() as session:
        session.scalar(select(User).where(User.email == "left@example.org")).active = False
    case_id = submit(db, application())
    reference = case_of(db, case_id).reference
    do(db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    do(db, case_id, "screen", COUNCIL, {"route": "review", "hate_element": False})

    with db.transaction() as session:
        choices = contact_choices(session, user(db, MANAGER), reference)
        assert contact_choices(session, user(db, COUNCIL), reference) == []
        assert contact_choices(session, user(db, "police.manager@example.org"), reference) == []
    assert [officer.email for officer in choices] == [
        "council@example.org",
        "council2@example.org",
        "manager@example.org",
    ], "active officers of the council whose work is on cases"

    with pytest.raises(NotAllowed):
        _change(db, COUNCIL, reference, "council2@example.org")
    with pytest.raises(NotAllowed):
        _change(db, "police.manager@example.org", reference, "council2@example.org")
    with pytest.raises(NotFound):
        _change(db, "erewash@example.org", reference, "council2@example.org")
    for not_theirs in (
        "police@example.org",  # another agency
        "erewash@example.org",  # another council
        "left@example.org",  # no longer active
        "owner@example.org",  # a process owner works on no case
        COUNCIL,  # the contact already
    ):
        with pytest.raises(InvalidData) as refused:
            _change(db, MANAGER, reference, not_theirs)
        assert "contact" in refused.value.fields, not_theirs
    with pytest.raises(InvalidData):
        _change(db, MANAGER, reference, 999_999)
    assert case_of(db, case_id).contact_user_id == user(db, COUNCIL).id, "nothing changed"

    named = _change(db, MANAGER, reference, "council2@example.org")
    assert named.email == "council2@example.org"
    assert _seen_contact(db, case_id, reference)[3] == "council2@example.org"
    assert len(_told(db, "council2@example.org")) == 1
    with db.read() as session:
        (changed,) = session.scalars(
            select(AuditEvent).where(
                AuditEvent.case_id == case_id,
                AuditEvent.action == "case.contact_named",
                AuditEvent.user_id == user(db, MANAGER).id,
            )
        ).all()
    assert changed.detail == {
        "from_user_id": user(db, COUNCIL).id,
        "to_user_id": user(db, "council2@example.org").id,
    }
    # Named again after someone else, an officer is told again.
    _change(db, MANAGER, reference, COUNCIL)
    _change(db, MANAGER, reference, "council2@example.org")
    assert len(_told(db, "council2@example.org")) == 2
    assert len(_told(db, COUNCIL)) == 2


def test_a_contact_named_before_the_acknowledgement_stays(app_db: Database) -> None:
    db = app_db
    case_id = submit(db, application())
    reference = case_of(db, case_id).reference
    _change(db, MANAGER, reference, "council2@example.org")
    do(db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    assert case_of(db, case_id).contact_user_id == user(db, "council2@example.org").id
    lines = texts(letter(db, case_id, "acknowledgement_letter"))
    assert any("contact Council2 on" in line for line in lines)
    assert _told(db, COUNCIL) == []


def test_a_contact_whose_account_is_closed_gives_way_to_the_district_s(app_db: Database) -> None:
    db = app_db
    case_id = submit(db, application())
    reference = case_of(db, case_id).reference
    do(db, case_id, "acknowledge", "council2@example.org", ACKNOWLEDGED)
    with db.transaction() as session:
        session.scalar(select(User).where(User.email == "council2@example.org")).active = False
    assert _seen_contact(db, case_id, reference) == (
        "Community Safety Officer",
        "Derbyshire Dales District Council",
        PHONE,
        "community.trigger@derbyshiredales.example.gov.uk",
    )
