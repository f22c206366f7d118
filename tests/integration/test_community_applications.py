"""A business or community group applies through a named contact, and the council links
applications about the same behaviour so that the area's community threshold (Derbyshire's:
five separate individuals within six months) counts the individuals across them."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from engine.core.db import Database
from engine.core.errors import InvalidData
from engine.core.models import AuditEvent, Case
from tests.support.applicant import reference_of
from tests.support.documents import open_docx, pack_for
from tests.support.people import COUNCIL
from tests.support.procedure import (
    NO_RETURN,
    STANDARD_RISK,
    application,
    do,
    incident,
    live,
    submit,
)
from tests.support.web import application_form, error_summary, form_token, make_app, signed_in

NOT_MET = {
    "threshold_met": False,
    "decision_basis": "discretion",
    "reasons": "One report each",
    "persistence": "p",
    "harm": "h",
    "adequacy": "a",
}


@pytest.fixture
def app(all_db: Database, tmp_path: Path) -> Flask:
    return make_app(all_db, tmp_path)


def _words(response) -> str:  # noqa: ANN001 - a test response
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def neighbour(db: Database, n: int, district: str = "derbyshire-dales") -> int:
    """One neighbour's application, with one report to the police: below the count of 3."""
    return submit(
        db,
        application(
            [incident("2026-02-10", "2026-02-11", "police", f"DC-{n}")],
            district=district,
            applicant={
                "name": f"Neighbour {n}",
                "address": f"{n} Bank Road",
                "postcode": "DE4 3NN",
            },
        ),
    )


def _to_decision(db: Database, case_id: int) -> None:
    do(db, case_id, "acknowledge", COUNCIL, {"method": "email"})
    do(db, case_id, "screen", COUNCIL, {"route": "review", "hate_element": False})
    do(db, case_id, "police_return", "police@example.org", NO_RETURN)
    do(db, case_id, "housing_return [child]", "housing@example.org", NO_RETURN)
    do(db, case_id, "health_return", "health@example.org", NO_RETURN)
    do(db, case_id, "council_return", COUNCIL, NO_RETURN)
    do(db, case_id, "risk_assessment", COUNCIL, STANDARD_RISK)


def _link(client, reference: str, other: str):  # noqa: ANN001, ANN202 - a test client
    page = f"/cases/{reference}"
    return client.post(
        f"{page}/link", data={"other": other, "csrf_token": form_token(client, page)}
    )


def test_a_business_applies_through_its_named_contact(app: Flask, all_db: Database) -> None:
    client = app.test_client()
    page = unescape(client.get("/apply").get_data(as_text=True))
    assert "Who are you applying as?" in page and "For a business" in page

    form = application_form(client, applying_as="business")
    refused = client.post("/apply", data=form)
    assert refused.status_code == 400
    assert error_summary(refused.get_data(as_text=True)) == [
        ("Enter the name of the business or group", "#applicant-organisation")
    ]

    form = application_form(
        client, applying_as="business", **{"applicant-organisation": "Dales Bakery"}
    )
    assert client.post("/apply", data=form).status_code == 302
    with all_db.read() as session:
        case = session.scalar(select(Case).where(Case.applying_as == "business"))
        assert case.applicant["organisation"] == "Dales Bakery"
        reference = case.reference
    shown = _words(signed_in(app, COUNCIL).get(f"/cases/{reference}"))
    assert "A business: Dales Bakery, with the applicant as its named contact" in shown


def test_a_person_s_organisation_answer_is_not_kept(all_db: Database) -> None:
    case_id = submit(
        all_db,
        application(
            applicant={"name": "Sam Taylor", "email": "sam@example.com", "organisation": "X"}
        ),
    )
    with all_db.read() as session:
        case = session.get(Case, case_id)
        assert case.applying_as == "person" and "organisation" not in case.applicant


def test_five_linked_neighbours_meet_the_community_threshold(app: Flask, all_db: Database) -> None:
    db = all_db
    ids = [neighbour(db, n) for n in range(1, 6)]
    references = [reference_of(db, case_id) for case_id in ids]
    caseworker = signed_in(app, COUNCIL)
    for reference in references[1:]:
        assert _link(caseworker, reference, references[0].lower()).status_code == 302
    with db.read() as session:
        linked = session.scalars(select(Case.linked_to_id).where(Case.id.in_(ids[1:]))).all()
        assert linked == [ids[0]] * 4
        assert session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.action == "case.linked", AuditEvent.case_id == ids[4]
            )
        )

    shown = _words(caseworker.get(f"/cases/{references[4]}"))
    assert "Linked applications" in shown
    assert "5 did, so it is met by the community threshold" in shown

    _to_decision(db, ids[4])
    assert live(db, ids[4])["threshold_decision"].draft == {
        "threshold_met": True,
        "decision_basis": "count",
    }
    with pytest.raises(InvalidData) as refused:
        do(db, ids[4], "threshold_decision", COUNCIL, NOT_MET)
    assert refused.value.fields["threshold_met"] == (
        "5 separate individuals reported the behaviour within 6 months, at or above the area's "
        "community threshold of 5: the threshold is met and cannot be recorded otherwise"
    )
    do(
        db,
        ids[4],
        "threshold_decision",
        COUNCIL,
        {"threshold_met": True, "decision_basis": "count"},
    )

    pack = open_docx(pack_for(db, references[4]).content)
    texts = [p.text for p in pack.paragraphs]
    assert "Linked applications" in texts
    assert any(
        "5 separate individuals reported it to a relevant body within 6 months" in t for t in texts
    )

    # The group has a decision now: no application joins it, nor leaves the decided one.
    sixth = reference_of(db, neighbour(db, 6))
    late = _link(caseworker, sixth, references[0])
    assert late.status_code == 400
    assert f"{references[4]} had its threshold decision on 2 March 2026" in _words(late)


def test_an_unlinked_neighbour_no_longer_counts(app: Flask, all_db: Database) -> None:
    db = all_db
    ids = [neighbour(db, n) for n in range(1, 6)]
    references = [reference_of(db, case_id) for case_id in ids]
    caseworker = signed_in(app, COUNCIL)
    for reference in references[1:]:
        _link(caseworker, reference, references[0])
    page = f"/cases/{references[0]}"
    caseworker.post(f"{page}/unlink", data={"csrf_token": form_token(caseworker, page)})
    with db.read() as session:
        leads = session.scalars(select(Case.linked_to_id).where(Case.id.in_(ids))).all()
    assert leads == [None, None, ids[1], ids[1], ids[1]]  # the next one leads the rest
    assert "4 did, so it is not met by the community threshold" in _words(
        caseworker.get(f"/cases/{references[2]}")
    )
    _to_decision(db, ids[2])
    do(db, ids[2], "threshold_decision", COUNCIL, NOT_MET)  # one report, four individuals


def test_applications_in_two_districts_are_not_linked(app: Flask, all_db: Database) -> None:
    db = all_db
    dales_id = neighbour(db, 1)
    dales = reference_of(db, dales_id)
    do(db, dales_id, "acknowledge", COUNCIL, {"method": "email"})
    do(db, dales_id, "screen", COUNCIL, {"route": "review", "hate_element": False})
    erewash = reference_of(db, neighbour(db, 2, district="erewash"))
    caseworker = signed_in(app, COUNCIL)
    refused = _link(caseworker, dales, erewash)
    assert refused.status_code == 400
    assert error_summary(refused.get_data(as_text=True)) == [
        (
            f"{erewash} is an application in Erewash, and this one in Derbyshire Dales: only "
            "applications in one district can be linked, as one council manages their reviews",
            "#other",
        )
    ]
    assert _link(caseworker, dales, "").status_code == 400
    assert _link(caseworker, dales, dales).status_code == 400
    police = signed_in(app, "police@example.org")
    token = form_token(police, "/account/password")
    forbidden = police.post(f"/cases/{dales}/link", data={"other": dales, "csrf_token": token})
    assert forbidden.status_code == 403
