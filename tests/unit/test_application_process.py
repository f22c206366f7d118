"""The shipped application diagram, driven through the engine path by path."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine.core.db import Database
from engine.core.errors import InvalidData
from engine.core.models import AuditEvent, Case, CaseStatusChange, Task
from engine.intake.applications import check_application, submit_application
from engine.procedure import fire_due_timers
from tests.support.people import user
from tests.support.procedure import (
    NO_RETURN,
    SETTINGS,
    STANDARD_RISK,
    THREE,
    TODAY,
    application,
    case_of,
    do,
    incident,
    live,
    org_id,
    submit,
    through_to_decision,
)


def dales_figures(db: Database, *fields: str) -> tuple[int, ...]:
    """The published figures for Derbyshire Dales in 2025/26 (the year of 2 March 2026)."""
    from engine.cases.statistics import figures_for_year

    with db.read() as session:
        figures = figures_for_year(session, 2025)
    dales = next(d for d in figures.districts if d.district_key == "derbyshire-dales")
    return tuple(getattr(dales, field) for field in fields)


def test_met_by_count_cannot_be_recorded_otherwise(app_db: Database) -> None:
    db = app_db
    case_id = submit(db, application())
    first = live(db, case_id)["acknowledge"]
    assert first.organisation_ids == [org_id(db, "derbyshire-dales-district-council")]
    assert first.due_on == date(2026, 3, 9)  # 5 working days
    assert case_of(db, case_id).reference == f"CT-2026-{case_id:05d}"

    council = "council@example.org"
    do(db, case_id, "acknowledge", council, {"method": "email"})
    assert case_of(db, case_id).status == "screening"
    do(db, case_id, "screen", council, {"route": "review", "hate_element": False})
    returns = live(db, case_id)
    assert returns["police_return"].organisation_ids == [org_id(db, "derbyshire-constabulary")]
    assert returns["housing_return [child]"].organisation_ids == [org_id(db, "dales-housing")]
    assert returns["health_return"].organisation_ids == [org_id(db, "derby-derbyshire-icb")]
    assert returns["council_return"].organisation_ids == [
        org_id(db, "derbyshire-dales-district-council")
    ]
    # Due the working day before the threshold decision, which they inform.
    assert {task.due_on for task in returns.values()} == {date(2026, 3, 13)}
    with db.read() as session:
        requests = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "information.requested")
        ).all()
    assert len(requests) == 4
    assert all("Schedule 4" in event.detail["legal_basis"] for event in requests)
    assert case_of(db, case_id).status == "awaiting_information"

    # The police hold the same incident under the same reference: it counts once.
    same = {"occurred_on": "2026-01-05", "reported_on": "2026-01-06", "reference": "dc-101"}
    do(db, case_id, "police_return", "police@example.org", {**NO_RETURN, "incidents": [same]})
    do(db, case_id, "housing_return [child]", "housing@example.org", NO_RETURN)
    do(db, case_id, "health_return", "health@example.org", NO_RETURN)
    do(db, case_id, "council_return", council, NO_RETURN)
    do(db, case_id, "risk_assessment", council, STANDARD_RISK)

    decision = live(db, case_id)["threshold_decision"]
    assert decision.draft == {"threshold_met": True, "decision_basis": "count"}
    assert decision.due_on == date(2026, 3, 16)  # 10 working days from receipt
    assert case_of(db, case_id).status == "threshold_decision"
    with pytest.raises(InvalidData) as refused:
        do(
            db,
            case_id,
            "threshold_decision",
            council,
            {
                "threshold_met": False,
                "decision_basis": "discretion",
                "reasons": "r",
                "persistence": "p",
                "harm": "h",
                "adequacy": "a",
            },
        )
    assert "3 qualifying complaints" in refused.value.fields["threshold_met"]
    do(
        db,
        case_id,
        "threshold_decision",
        council,
        {"threshold_met": True, "decision_basis": "count"},
    )
    result = do(db, case_id, "decision_letter", council, {"method": "email"})
    assert result.process_finished
    case = case_of(db, case_id)
    assert (case.threshold_met, case.decision_basis, case.decided_on) == (
        True,
        "count",
        date(2026, 3, 2),
    )
    assert case.status == "review_being_arranged"
    with db.read() as session:
        history = session.scalars(
            select(CaseStatusChange.status)
            .where(CaseStatusChange.case_id == case_id)
            .order_by(CaseStatusChange.id)
        ).all()
    assert history == [
        "received",
        "screening",
        "awaiting_information",
        "threshold_decision",
        "review_being_arranged",
    ]


def test_not_met_below_the_count(app_db: Database) -> None:
    db = app_db
    late = incident("2025-06-01", "2025-06-03")  # reported more than six months before applying
    case_id = submit(db, application([THREE[0], late]))
    through_to_decision(db, case_id)
    assert live(db, case_id)["threshold_decision"].draft is None
    with pytest.raises(InvalidData) as refused:
        do(
            db,
            case_id,
            "threshold_decision",
            "council@example.org",
            {"threshold_met": True, "decision_basis": "count"},
        )
    assert "1 qualifying complaints, fewer than 3" in refused.value.fields["decision_basis"]
    with pytest.raises(InvalidData) as missing:
        do(
            db,
            case_id,
            "threshold_decision",
            "council@example.org",
            {"threshold_met": False, "decision_basis": "discretion"},
        )
    assert {"reasons", "persistence", "harm", "adequacy"} <= set(missing.value.fields)
    do(
        db,
        case_id,
        "threshold_decision",
        "council@example.org",
        {
            "threshold_met": False,
            "decision_basis": "discretion",
            "reasons": "One recent report",
            "persistence": "Not persistent",
            "harm": "Low",
            "adequacy": "Police responded",
        },
    )
    do(db, case_id, "decision_letter", "council@example.org", {"method": "post"})
    case = case_of(db, case_id)
    assert (case.threshold_met, case.decision_basis, case.status) == (False, "discretion", "closed")
    assert case.closed_on == date(2026, 3, 2)
    assert dales_figures(db, "applications", "threshold_not_met", "reviews_held") == (1, 1, 0)


def test_discretionary_met_below_the_count(app_db: Database) -> None:
    db = app_db
    case_id = submit(db, application(THREE[:2]))
    through_to_decision(db, case_id)
    do(
        db,
        case_id,
        "threshold_decision",
        "council@example.org",
        {
            "threshold_met": True,
            "decision_basis": "discretion",
            "reasons": "Escalating",
            "persistence": "Every weekend",
            "harm": "Victim is frightened",
            "adequacy": "No action yet",
        },
    )
    do(db, case_id, "decision_letter", "council@example.org", {"method": "email"})
    case = case_of(db, case_id)
    assert (case.threshold_met, case.decision_basis, case.status) == (
        True,
        "discretion",
        "review_being_arranged",
    )


def test_declined_as_vexatious(app_db: Database) -> None:
    db = app_db
    case_id = submit(db, application(THREE[:1]))
    through_to_decision(db, case_id)
    with pytest.raises(InvalidData) as refused:
        do(
            db,
            case_id,
            "threshold_decision",
            "council@example.org",
            {
                "threshold_met": True,
                "decision_basis": "declined",
                "reasons": "x",
                "decline_ground": "vexatious",
            },
        )
    assert "threshold_met" in refused.value.fields
    do(
        db,
        case_id,
        "threshold_decision",
        "council@example.org",
        {
            "threshold_met": False,
            "decision_basis": "declined",
            "decline_ground": "vexatious",
            "reasons": "The fourth application about the same neighbour dispute this year",
        },
    )
    do(db, case_id, "decision_letter", "council@example.org", {"method": "post"})
    case = case_of(db, case_id)
    assert (case.threshold_met, case.decision_basis, case.status) == (False, "declined", "closed")
    assert dales_figures(db, "applications", "threshold_not_met") == (1, 1), "a decline is not met"


def test_a_complaint_about_a_service_is_routed_to_its_complaints_procedure(
    app_db: Database,
) -> None:
    db = app_db
    case_id = submit(db, application())
    council = "council@example.org"
    do(db, case_id, "acknowledge", council, {"method": "letter"})
    with pytest.raises(InvalidData) as refused:
        do(db, case_id, "screen", council, {"route": "complaint", "hate_element": False})
    assert "complaint_organisation" in refused.value.fields
    do(
        db,
        case_id,
        "screen",
        council,
        {
            "route": "complaint",
            "hate_element": False,
            "complaint_organisation": "derbyshire-constabulary",
        },
    )
    assert list(live(db, case_id)) == ["complaint_letter"]
    result = do(
        db,
        case_id,
        "complaint_letter",
        council,
        {"complaints_route": "police_complaints_then_iopc"},
    )
    assert result.process_finished
    case = case_of(db, case_id)
    assert case.status == "closed" and case.threshold_met is None


def test_hate_element_is_flagged_and_signposted(app_db: Database) -> None:
    db = app_db
    case_id = submit(db, application(hate_element=True))
    council = "council@example.org"
    do(db, case_id, "acknowledge", council, {"method": "letter"})
    with pytest.raises(InvalidData) as refused:
        do(db, case_id, "screen", council, {"route": "review", "hate_element": True})
    assert "hate_signposted" in refused.value.fields
    do(
        db,
        case_id,
        "screen",
        council,
        {"route": "review", "hate_element": True, "hate_signposted": True},
    )
    case = case_of(db, case_id)
    assert (case.hate_element, case.applicant_hate_element, case.hate_element_reason) == (
        True,
        True,
        None,
    ), "screening agreed with the applicant: no reason asked"
    assert "police_return" in live(db, case_id), "the application still proceeds"


def _third_party(db: Database) -> int:
    return submit(
        db, application(on_behalf=True, victim={"name": "Jo Taylor"}, victim_consent=False)
    )


def test_consent_hold_then_consent_given(app_db: Database) -> None:
    db = app_db
    case_id = _third_party(db)
    council = "council@example.org"
    do(db, case_id, "acknowledge", council, {"method": "letter"})
    with pytest.raises(InvalidData) as refused:
        do(db, case_id, "screen", council, {"route": "review", "hate_element": False})
    assert "has not agreed" in refused.value.fields["route"]
    do(db, case_id, "screen", council, {"route": "consent_hold", "hate_element": False})
    assert list(live(db, case_id)) == ["record_consent"]
    do(db, case_id, "record_consent", council, {"victim_consent": True, "recorded_on": TODAY})
    assert "police_return" in live(db, case_id)
    assert case_of(db, case_id).victim_consent is True


def test_consent_hold_closes_after_the_set_time(app_db: Database, fixed_clock) -> None:
    db = app_db
    case_id = _third_party(db)
    council = "council@example.org"
    do(db, case_id, "acknowledge", council, {"method": "letter"})
    do(db, case_id, "screen", council, {"route": "consent_hold", "hate_element": False})
    fixed_clock.advance(timedelta(days=20))
    assert fire_due_timers(db) == 0, "20 calendar days is not yet 20 working days"
    fixed_clock.advance(timedelta(days=10))
    assert fire_due_timers(db) == 1
    assert list(live(db, case_id)) == ["consent_closure_letter"]
    do(
        db,
        case_id,
        "consent_closure_letter",
        council,
        {"reasons": "We did not hear from the victim"},
    )
    assert case_of(db, case_id).status == "closed"


@pytest.mark.parametrize(
    "payload, field, words",
    [
        (application([]), "incidents", "Add at least one time"),
        (
            application([incident("2026-03-05", "2026-03-06")]),
            "incidents[0].occurred_on",
            "today or in the past",
        ),
        (
            application([incident("2026-02-05", "2026-02-01")]),
            "incidents[0].reported_on",
            "must be the same as or after the date of the behaviour",
        ),
        (
            application(on_behalf=True, victim={"name": "Jo"}),
            "victim_consent",
            "Select yes if that person has agreed",
        ),
        (application(district="atlantis"), "district", "Select where you live from the list"),
        (application(applicant={"name": "Anon"}), "applicant.address", "cannot be accepted"),
        (
            application([incident("2026-02-05", "2026-02-06", "the neighbours")]),
            "incidents[0].reported_to",
            "Select who you reported it to",
        ),
        (application(received_on="2026-01-01"), "received_on", "council caseworker"),
    ],
)
def test_bad_applications_are_refused_and_nothing_is_stored(app_db, payload, field, words) -> None:
    with pytest.raises(InvalidData) as refused:
        submit(app_db, payload)
    assert words in refused.value.fields[field], refused.value.fields
    with app_db.read() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
        assert session.scalar(select(func.count()).select_from(Task)) == 0


def test_a_caseworker_may_enter_a_paper_application_with_its_date(app_db: Database) -> None:
    with app_db.transaction() as session:
        caseworker = user(app_db, "council@example.org")
        case = submit_application(
            session, application(received_on="2026-02-20"), SETTINGS, user=caseworker
        )
        assert (case.received_on, case.channel) == (date(2026, 2, 20), "paper")


def test_every_problem_with_an_application_is_told_at_once(app_db) -> None:
    """The form's checks and the service's together: a checked answer that is missing or not
    understood skips only the checks that need it."""
    payload = application(
        [
            incident("2026-01-05", "2030-05-04"),
            incident("2026-13-40", "2026-01-06", "the neighbours"),
            {"reported_on": "2026-01-06", "reported_to": "police"},
        ],
        district="",
        applicant={"name": "Sam Taylor", "email": "sam.example.com"},
        on_behalf=True,
    )
    with pytest.raises(InvalidData) as refused:
        submit(app_db, payload)
    assert refused.value.fields == {
        "district": "Select where you live",
        "applicant.email": "Enter an email address in the correct format, like name@example.com",
        "victim.name": "Enter the full name of the person you are applying for",
        "victim_consent": "Select yes if that person has agreed to you applying for them",
        "incidents[0].reported_on": "The date you reported it must be today or in the past",
        "incidents[1].occurred_on": "The date of the behaviour must be a real date",
        "incidents[1].reported_to": "Select who you reported it to from the list",
        "incidents[2].occurred_on": "Enter the date of the behaviour",
    }
    with app_db.read() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_a_paper_application_s_dates_are_checked_against_the_day_it_arrived(app_db) -> None:
    paper = application([incident("2026-02-25", "2026-02-26")], received_on="2026-02-20")
    with app_db.transaction() as session:
        caseworker = user(app_db, "council@example.org")
        problems = check_application(session, paper, SETTINGS, caseworker)
        later = check_application(
            session, {**paper, "received_on": "2026-03-09"}, SETTINGS, caseworker
        )
    arrived = (
        "must be the same as or before 20 February 2026, the date the application was received"
    )
    assert problems == {
        "incidents[0].occurred_on": f"The date of the behaviour {arrived}",
        "incidents[0].reported_on": f"The date you reported it {arrived}",
    }
    assert later == {
        "received_on": "The date the application was received must be today or in the past"
    }
