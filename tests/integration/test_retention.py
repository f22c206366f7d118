"""Retention: personal data erased once a case has been closed for the area's retention period,
the facts behind the published figures kept, and both the dry run and the erasure recorded."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.cases.statistics import as_json, figures_for_year
from engine.core import audit, clock
from engine.core.db import Database
from engine.core.errors import NotFound
from engine.core.models import (
    Appeal,
    Area,
    Attachment,
    AuditEvent,
    Case,
    Document,
    Incident,
    Notification,
    ProcessInstance,
    Recommendation,
    Review,
    Task,
)
from engine.documents import case_document
from engine.records.attachments import attach_file
from engine.records.retention import due_for_erasure
from engine.work.case_view import case_summary
from tests.support.people import user
from tests.support.procedure import THREE, application, do, live, submit, through_to_decision

DECLINE_REASONS = "The fourth application about the same neighbour dispute this year"


def invoke(db: Database, moment: str, *args: str):
    from cli import main

    env = {"CASEREVIEW_DATABASE_URL": db.url, "CASEREVIEW_CLOCK_START": moment}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def published(db: Database, years: range) -> list[dict]:
    """The figures of ``years`` as published once they have all ended, so that the figures
    read before and after an erasure differ only in what the erasure did."""
    with db.read() as session:
        return [
            as_json(figures_for_year(session, year, today=date(year + 2, 4, 1))) for year in years
        ]


def declined_case(db: Database) -> int:
    """A real application, with a file attached, taken through to a declined decision and its
    letter by email: closed on 2 March 2026 with its process finished."""
    said = {
        "responsible": "Two brothers from Hill Street",
        "witnesses": "Mrs Khan at number 14",
        "communication_needs": "A Polish interpreter at meetings",
        "letter_format": "another_language",
        "letter_language": "Polish",
    }
    case_id = submit(db, application(THREE[:1], **said))
    acknowledge = live(db, case_id)["acknowledge"]
    attach_file(
        db, acknowledge.id, user(db, "council@example.org"), "note.pdf", b"%PDF-1.4 Sam Taylor"
    )
    through_to_decision(db, case_id)
    decision = {
        "threshold_met": False,
        "decision_basis": "declined",
        "decline_ground": "vexatious",
        "reasons": DECLINE_REASONS,
    }
    do(db, case_id, "threshold_decision", "council@example.org", decision)
    do(db, case_id, "decision_letter", "council@example.org", {"method": "email"})
    return case_id


def case_page(db: Database, tmp_path, reference: str):  # type: ignore[no-untyped-def]
    """The case page as the council's caseworker sees it."""

    from engine.core.config import load_settings
    from tests.support.web import signed_in
    from web import create_app

    app = create_app(
        load_settings(
            {"CASEREVIEW_DATABASE_URL": db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
        ),
        db,
    )
    return signed_in(app, "council@example.org").get(f"/cases/{reference}")


def actions(db: Database) -> list[AuditEvent]:
    with db.read() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def test_a_closed_case_is_erased_after_six_years_and_the_figures_stay(
    app_db: Database, tmp_path
) -> None:
    db = app_db
    case_id = declined_case(db)
    with db.read() as session:
        case = session.get(Case, case_id)
        reference = case.reference
        assert (case.status, case.closed_on) == ("closed", date(2026, 3, 2))
        instance = session.scalars(
            select(ProcessInstance).where(ProcessInstance.case_id == case_id)
        ).one()
        assert instance.state == "completed"
        assert DECLINE_REASONS in instance.workflow_json
        (letter_id,) = session.scalars(
            select(Document.id).where(
                Document.case_id == case_id, Document.kind == "threshold_decision_letter"
            )
        ).all()
        assert "Sam Taylor" in session.scalar(
            select(Notification.body).where(
                Notification.case_id == case_id, Notification.kind == "letter"
            )
        )
    with db.transaction() as session:
        # A report told to someone else, in the applicant's words, and a caseworker's mark.
        told = session.scalars(select(Incident).where(Incident.case_id == case_id)).first()
        told.reported_to, told.reported_to_other = "other", "Councillor Jo Bloggs"
        told.mark, told.mark_reason = "unrelated", "About Sam Taylor's car, not the noise"
    before = published(db, range(2024, 2027))

    # The day before six years are up: nothing is due, and the look is still recorded.
    early = invoke(db, "2032-03-01T09:00", "retention", "--dry-run")
    assert early.exit_code == 0, early.output
    assert "Retention period: 6 years after a case closes. 0 case(s) would be erased." in (
        early.output
    )
    dry = invoke(db, "2032-03-02T09:00", "retention", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "1 case(s) would be erased:" in dry.output
    assert reference in dry.output and "closed 2026-03-02, due 2032-03-02" in dry.output
    with db.read() as session:
        kept = session.get(Case, case_id)
        assert kept.applicant["name"] == "Sam Taylor", "a dry run changes nothing"
        assert kept.details["place"] == "The park behind Bank Road, Matlock"
        assert "park" in kept.search_text.split(), "found by where the behaviour happens"

    done = invoke(db, "2032-03-02T09:00", "retention", "--apply")
    assert done.exit_code == 0, done.output
    assert "1 case(s) erased:" in done.output

    with db.read() as session:
        case = session.get(Case, case_id)
        assert case.applicant == {} and case.victim is None and case.impact == ""
        # Where it happens, who is believed responsible, the witnesses, what the applicant
        # wanted and what they needed go too, and no search finds the case by them.
        assert case.details == {}
        assert "park" not in case.search_text.split()
        assert case.erased_on == date(2032, 3, 2)
        # The facts stay.
        assert (case.threshold_met, case.decision_basis, case.decided_on) == (
            False,
            "declined",
            date(2026, 3, 2),
        )
        incidents = session.scalars(select(Incident).where(Incident.case_id == case_id)).all()
        assert incidents and all(i.description == "" and i.reference == "" for i in incidents)
        assert all(i.reported_to_other == "" and i.mark_reason == "" for i in incidents)
        assert all(i.occurred_on for i in incidents)
        tasks = session.scalars(select(Task).where(Task.case_id == case_id)).all()
        assert tasks and all(t.data is None and t.draft is None for t in tasks)
        assert {t.state for t in tasks} >= {"completed"}
        instance = session.get(ProcessInstance, instance.id)
        assert DECLINE_REASONS not in instance.workflow_json
        assert "Sam Taylor" not in instance.workflow_json
        assert instance.state == "completed"
        assert (
            session.scalar(
                select(func.count()).select_from(Attachment).where(Attachment.case_id == case_id)
            )
            == 0
        )
        letter = session.get(Document, letter_id)
        assert letter.content == b"" and letter.kind == "threshold_decision_letter"
        assert {
            n.body
            for n in session.scalars(select(Notification).where(Notification.case_id == case_id))
        } == {""}
    assert published(db, range(2024, 2027)) == before

    # The case is still there for those who worked on it, without the personal data.
    council = user(db, "council@example.org")
    with db.transaction() as session:
        summary = case_summary(session, council, reference)
        assert summary["applicant"] == {} and summary["decision"]["basis"] == "declined"
        assert summary["details"]["place"] == summary["details"]["outcome"] == ""
        assert summary["erased_on"] == date(2032, 3, 2)
        with pytest.raises(NotFound, match="erased on 02 March 2032"):
            case_document(session, council, reference, letter_id)

    page = case_page(db, tmp_path, reference)
    assert page.status_code == 200
    assert "Sam Taylor" not in page.get_data(as_text=True)
    for erased in ("Bank Road", "Hill Street", "Mrs Khan", "Polish", "shouting at night"):
        assert erased not in page.get_data(as_text=True), erased
    assert (
        "The personal data of this case was erased on 02 March 2032, at the end of its "
        "retention period." in " ".join(page.get_data(as_text=True).split())
    ), "the page says why the applicant's details are blank"
    assert "Not given" not in page.get_data(as_text=True), "erased, not missing"

    trail = actions(db)
    reviewed = [e for e in trail if e.action == "retention.reviewed"]
    assert [e.detail["due"] for e in reviewed] == [[], [reference]]
    (erased,) = [e for e in trail if e.action == "case.erased"]
    assert erased.case_id == case_id
    assert erased.detail["attachments"] == 1 and erased.detail["retention_years"] == 6
    assert erased.detail["channel"].startswith("command line")
    (applied,) = [e for e in trail if e.action == "retention.applied"]
    assert applied.detail["erased"] == [reference]
    with db.read() as session:
        assert audit.verify(session).intact

    again = invoke(db, "2033-01-01T09:00", "retention", "--apply")
    assert "0 case(s) erased." in again.output, "an erased case is not erased twice"


def _close_all(db: Database, closed_on: date) -> None:
    with db.transaction() as session:
        for case in session.scalars(select(Case)):
            case.status, case.closed_on = "closed", closed_on
            case.applicant = {"name": f"Applicant {case.id}", "address": "1 High Street"}
            case.impact = "We cannot sleep"


def test_erasure_leaves_every_published_figure_as_it_was(facts: Database) -> None:
    db = facts
    _close_all(db, date(2022, 6, 30))
    with db.transaction() as session:
        # One case appealed later than the rest, one under appeal now: neither is due yet.
        late, open_appeal = session.scalars(select(Case).order_by(Case.id).limit(2)).all()
        session.add(
            Appeal(
                case_id=late.id,
                received_on=date(2024, 1, 5),
                letter_date=date(2024, 1, 2),
                grounds=["action_plan_not_delivered"],
                details="The landlord never fitted the door",
                outcome="not_upheld",
                decided_on=date(2024, 2, 1),
                created_at=clock.now(),
            )
        )
        late.status = "appeal_decided"
        open_appeal.status = "appeal_lodged"
        late_reference, open_reference = late.reference, open_appeal.reference
    years = range(2019, 2025)
    before = published(db, years)
    with db.read() as session:
        due = {item.reference for item in due_for_erasure(session, date(2028, 7, 1))}
        every = set(session.scalars(select(Case.reference)))
        undecided = set(
            session.scalars(
                select(Case.reference)
                .join(Appeal, Appeal.case_id == Case.id)
                .where(Appeal.decided_on.is_(None))
            )
        )
    assert undecided, "the facts include an appeal waiting for its decision"
    assert due == every - {late_reference, open_reference} - undecided

    result = invoke(db, "2028-07-01T09:00", "retention", "--apply")
    assert result.exit_code == 0, result.output
    assert published(db, years) == before
    with db.read() as session:
        erased = session.scalars(select(Case).where(Case.erased_on.is_not(None))).all()
        assert {case.reference for case in erased} == due
        assert all(case.applicant == {} and case.impact == "" for case in erased)
        assert session.scalars(select(Recommendation.action)).all()
        assert set(session.scalars(select(Recommendation.action))) == {""}
        assert session.scalar(select(func.count()).select_from(Review)) > 0
        kept = session.scalar(select(Case).where(Case.reference == late_reference))
        assert kept.applicant["name"].startswith("Applicant")
    # The later appeal's own clock runs out six years after its decision.
    with db.read() as session:
        assert late_reference in {
            item.reference for item in due_for_erasure(session, date(2030, 2, 1))
        }


def test_the_area_file_sets_the_retention_period(db: Database) -> None:
    from engine.cases.opening import open_case

    with db.transaction() as session:
        case = open_case(session, "erewash", date(2022, 1, 10))
        case.status, case.closed_on = "closed", date(2022, 5, 1)
        area = session.scalars(select(Area)).one()
        area.settings = {**area.settings, "retention_years": 3}
    with db.read() as session:
        assert [item.due_on for item in due_for_erasure(session, date(2025, 5, 1))] == [
            date(2025, 5, 1)
        ]
        assert due_for_erasure(session, date(2025, 4, 30)) == []


def test_the_command_needs_exactly_one_mode(db: Database) -> None:
    result = invoke(db, "2030-01-01T09:00", "retention")
    assert result.exit_code == 2
    assert "give exactly one of --dry-run or --apply" in result.output


@pytest.mark.parametrize("years", [0, -1, 2.5, True, "6"])
def test_the_area_file_must_give_whole_years(years: object) -> None:
    import tomllib

    from engine.core.area import AreaFileError, parse_area
    from engine.core.config import DEFAULT_AREA_FILE

    raw = tomllib.loads(DEFAULT_AREA_FILE.read_text())
    raw["settings"]["retention_years"] = years
    with pytest.raises(AreaFileError, match="retention_years must be a whole number of years"):
        parse_area(raw, "derbyshire.toml")
