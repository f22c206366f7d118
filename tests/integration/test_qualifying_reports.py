"""Which reports count towards the threshold: a report to someone other than a relevant body is
kept and never counts, and the council's staff mark a report a duplicate, a separate incident
or not about the behaviour, with a reason; the count, the lock on the decision, the case page,
the audit trail and the meeting pack follow the marks."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from engine.core.db import Database
from engine.core.errors import InvalidData
from engine.core.models import AuditEvent, Incident
from tests.support.applicant import reference_of
from tests.support.documents import open_docx, pack_for
from tests.support.people import COUNCIL
from tests.support.procedure import (
    NO_RETURN,
    STANDARD_RISK,
    THREE,
    application,
    do,
    incident,
    live,
    submit,
)
from tests.support.web import error_summary, form_token, make_app, signed_in

NOT_MET = {
    "threshold_met": False,
    "decision_basis": "discretion",
    "reasons": "The reports do not show persistent behaviour",
    "persistence": "p",
    "harm": "h",
    "adequacy": "a",
}


@pytest.fixture
def app(all_db: Database, tmp_path: Path) -> Flask:
    return make_app(all_db, tmp_path)


def _words(response) -> str:  # noqa: ANN001 - a test response
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def told_someone_else(occurred: str, who: str) -> dict:
    return {**incident(occurred, occurred, "other"), "reported_to_other": who}


def _to_decision(db: Database, case_id: int) -> None:
    do(db, case_id, "acknowledge", COUNCIL, {"method": "email"})
    do(db, case_id, "screen", COUNCIL, {"route": "review", "hate_element": False})
    do(db, case_id, "police_return", "police@example.org", NO_RETURN)
    do(db, case_id, "housing_return [child]", "housing@example.org", NO_RETURN)
    do(db, case_id, "health_return", "health@example.org", NO_RETURN)
    do(db, case_id, "council_return", COUNCIL, NO_RETURN)
    do(db, case_id, "risk_assessment", COUNCIL, STANDARD_RISK)


def _reports(db: Database, case_id: int) -> list[Incident]:
    with db.read() as session:
        return list(
            session.scalars(
                select(Incident).where(Incident.case_id == case_id).order_by(Incident.id)
            )
        )


def test_reports_to_an_mp_a_gp_and_a_charity_are_kept_and_never_meet_the_threshold(
    all_db: Database,
) -> None:
    db = all_db
    case_id = submit(
        db,
        application(
            [
                told_someone_else("2026-01-05", "My MP"),
                told_someone_else("2026-01-19", "A GP"),
                told_someone_else("2026-02-02", "RSPCA"),
            ]
        ),
    )
    assert [r.reported_to_other for r in _reports(db, case_id)] == ["My MP", "A GP", "RSPCA"]
    _to_decision(db, case_id)
    decision = live(db, case_id)["threshold_decision"]
    assert decision.draft is None  # not met by count: the council decides
    do(db, case_id, "threshold_decision", COUNCIL, NOT_MET)

    pack = open_docx(pack_for(db, reference_of(db, case_id)).content)
    table = next(t for t in pack.tables if t.rows[0].cells[0].text == "No.")
    verdicts = [row.cells[6].text for row in table.rows[1:]]
    assert verdicts == [
        "No: reported to My MP, which is not a relevant body",
        "No: reported to A GP, which is not a relevant body",
        "No: reported to RSPCA, which is not a relevant body",
    ]


def test_a_report_to_someone_else_needs_who(all_db: Database) -> None:
    with pytest.raises(InvalidData) as refused:
        submit(all_db, application([incident("2026-01-05", "2026-01-05", "other")]))
    assert refused.value.fields == {
        "incidents[0].reported_to_other": "Enter who you reported it to"
    }


def test_marking_a_report_unrelated_lets_the_council_decide_not_met(
    app: Flask, all_db: Database
) -> None:
    db = all_db
    case_id = submit(db, application())
    _to_decision(db, case_id)
    with pytest.raises(InvalidData) as refused:  # three qualifying complaints: met by count
        do(db, case_id, "threshold_decision", COUNCIL, NOT_MET)
    assert "3 qualifying complaints" in refused.value.fields["threshold_met"]

    reference = reference_of(db, case_id)
    housing = next(r for r in _reports(db, case_id) if r.reported_to == "dales-housing")
    caseworker = signed_in(app, COUNCIL)
    case_page = caseworker.get(f"/cases/{reference}")
    assert "Counts towards the threshold" in _words(case_page)
    page = f"/cases/{reference}/reports/{housing.id}"
    assert "What does this report count for?" in _words(caseworker.get(page))
    marked = caseworker.post(
        page,
        data={
            "mark": "unrelated",
            "why": "The housing report is about a neighbour's dog, not this behaviour",
            "csrf_token": form_token(caseworker, page),
        },
    )
    assert marked.status_code == 302
    shown = _words(caseworker.get(f"/cases/{reference}"))
    assert (
        "No: marked as not about this behaviour (The housing report is about a neighbour's "
        "dog, not this behaviour)" in shown
    )
    assert "marked a report as not about the behaviour under review" in shown  # audit trail

    do(db, case_id, "threshold_decision", COUNCIL, NOT_MET)  # two count now
    with db.read() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "incident.marked"))
        assert event.detail["from"] == "counts" and event.detail["to"] == "unrelated"
        assert event.user_id is not None

    pack = open_docx(pack_for(db, reference).content)
    texts = [p.text for p in pack.paragraphs]
    assert any("2 qualify as complaints" in text for text in texts)
    assert any(
        "was marked as not about this behaviour: The housing report is about a neighbour's dog"
        in text
        for text in texts
    )

    # What counted when the decision was recorded stays as it was.
    late = caseworker.post(
        page,
        data={"mark": "counts", "csrf_token": form_token(caseworker, f"/cases/{reference}")},
        follow_redirects=True,
    )
    assert "the threshold decision was recorded on 2 march 2026" in _words(late).lower()
    assert _reports(db, case_id)[2].mark == "unrelated"


def test_a_duplicate_counts_once_and_every_problem_is_told_at_once(
    app: Flask, all_db: Database
) -> None:
    db = all_db
    # Behaviour on one day told to the police and to the council: two incidents by the rules.
    same_day = [
        incident("2026-01-05", "2026-01-06", "police", "DC-101"),
        incident("2026-01-05", "2026-01-06", "derbyshire-dales-district-council"),
        THREE[2],
    ]
    case_id = submit(db, application(same_day))
    reference = reference_of(db, case_id)
    police, council, _ = _reports(db, case_id)
    caseworker = signed_in(app, COUNCIL)
    page = f"/cases/{reference}/reports/{council.id}"

    wrong = caseworker.post(
        page, data={"mark": "duplicate", "why": "", "csrf_token": form_token(caseworker, page)}
    )
    assert wrong.status_code == 400
    assert error_summary(wrong.get_data(as_text=True)) == [
        ("Select the report this one repeats", "#duplicate_of"),
        ("Enter why you are marking this report", "#why"),
    ]
    assert _reports(db, case_id)[1].mark is None

    caseworker.post(
        page,
        data={
            "mark": "duplicate",
            "duplicate_of": str(police.id),
            "why": "The applicant rang the police and the council about the same party",
            "csrf_token": form_token(caseworker, page),
        },
    )
    shown = _words(caseworker.get(f"/cases/{reference}"))
    assert "Counted once, as incident 1, with the report of 6 January 2026" in shown
    assert "Marked a duplicate: The applicant rang the police and the council" in shown

    # The police's report cannot then be marked a duplicate of the council's: a circle.
    back = f"/cases/{reference}/reports/{police.id}"
    circle = caseworker.post(
        back,
        data={
            "mark": "duplicate",
            "duplicate_of": str(council.id),
            "why": "x",
            "csrf_token": form_token(caseworker, back),
        },
    )
    assert circle.status_code == 400
    assert error_summary(circle.get_data(as_text=True)) == [
        ("Select the report this one repeats", "#duplicate_of")
    ]

    _to_decision(db, case_id)
    assert live(db, case_id)["threshold_decision"].draft is None  # two incidents: not met


def test_only_the_council_managing_the_case_marks_its_reports(app: Flask, all_db: Database) -> None:
    db = all_db
    case_id = submit(db, application())
    do(db, case_id, "acknowledge", COUNCIL, {"method": "email"})
    do(db, case_id, "screen", COUNCIL, {"route": "review", "hate_element": False})
    reference = reference_of(db, case_id)
    first = _reports(db, case_id)[0]
    police = signed_in(app, "police@example.org")
    assert "Counts towards the threshold" in _words(police.get(f"/cases/{reference}"))
    assert f"/cases/{reference}/reports/" not in police.get(f"/cases/{reference}").get_data(
        as_text=True
    )
    page = f"/cases/{reference}/reports/{first.id}"
    assert police.get(page).status_code == 403
    token = form_token(police, "/account/password")
    refused = police.post(page, data={"mark": "unrelated", "why": "x", "csrf_token": token})
    assert refused.status_code == 403
    assert _reports(db, case_id)[0].mark is None
