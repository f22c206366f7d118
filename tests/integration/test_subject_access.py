"""A subject access export: everything held about one person, other people's details redacted,
and the export recorded in the audit trail."""

from __future__ import annotations

import json
import stat
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from engine.core.db import Database
from engine.core.models import AuditEvent, Case, CheckIn, MeetingPart, Review
from engine.records.subject_access import REDACTED
from tests.support.procedure import application, do, submit


def invoke(db: Database, *args: str):
    from cli import main

    env = {"CASEREVIEW_DATABASE_URL": db.url, "CASEREVIEW_CLOCK_START": "2026-03-02T09:00"}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def reference_of(db: Database, case_id: int) -> str:
    with db.read() as session:
        return session.get(Case, case_id).reference


def people(db: Database) -> dict[str, str]:
    """Sam applies for themself (and is written to by email); Alex applies for Sam; Jo, who
    shares nothing with Sam, and another Sam Taylor with another address apply too."""
    own = submit(db, application())  # Sam Taylor, sam@example.com
    do(db, own, "acknowledge", "council@example.org", {"method": "email"})
    for_sam = submit(
        db,
        application(
            applicant={
                "name": "Alex Morgan",
                "address": "3 Dale View, Matlock",
                "email": "alex@example.com",
            },
            on_behalf=True,
            victim={"name": "Sam Taylor", "address": "1 Bank Road, Matlock"},
            victim_consent=True,
            impact="Alex Morgan here: my neighbour Sam is frightened to go out.",
        ),
    )
    other = submit(
        db,
        application(applicant={"name": "Jo Bloggs", "address": "9 Mill Lane, Wirksworth"}),
    )
    namesake = submit(
        db,
        application(
            applicant={"name": "Sam Taylor", "email": "sam.taylor@elsewhere.example"},
        ),
    )
    return {
        "own": reference_of(db, own),
        "for_sam": reference_of(db, for_sam),
        "other": reference_of(db, other),
        "namesake": reference_of(db, namesake),
    }


def test_everything_held_about_a_person_with_others_redacted(
    app_db: Database, tmp_path: Path
) -> None:
    db = app_db
    refs = people(db)
    target = tmp_path / "sar.zip"
    result = invoke(
        db,
        "subject-access",
        "--name",
        "sam  taylor",
        "--email",
        "Sam@Example.com",
        "--request",
        "SAR-2026-04",
        "--output",
        str(target),
    )
    assert result.exit_code == 0, result.output
    assert "2 case(s), 1 letter(s)" in result.output
    assert "Read it before release" in result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600

    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        raw = archive.read("subject-access.json").decode()
    exported = json.loads(raw)
    cases = {case["reference"]: case for case in exported["cases"]}
    assert set(cases) == {refs["own"], refs["for_sam"]}, "not Jo's, not the other Sam Taylor's"
    assert exported["request_reference"] == "SAR-2026-04"
    assert "read_before_release" in exported

    own = cases[refs["own"]]
    assert own["you_are"] == ["applicant"]
    assert own["applicant"]["email"] == "sam@example.com"
    assert [i["description"] for i in own["incidents"]][0].startswith("Shouting")
    assert [t["task"] for t in own["recorded_on_tasks"]]
    assert any(name.startswith("letters/") and name.endswith(".docx") for name in names)
    assert any(m["body"] for m in exported["messages_sent_to_them"])

    theirs = cases[refs["for_sam"]]
    assert theirs["you_are"] == ["victim"]
    assert theirs["victim"]["name"] == "Sam Taylor"
    assert theirs["applicant"] == REDACTED
    assert (
        theirs["effect_described"] == f"{REDACTED} here: my neighbour Sam is frightened to go out."
    )
    for detail in ("Alex Morgan", "alex@example.com", "3 Dale View", "Jo Bloggs", "elsewhere"):
        assert detail not in raw

    with db.read() as session:
        (summary,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "subject_access.exported")
        ).all()
        assert summary.detail["request"] == "SAR-2026-04"
        assert sorted(summary.detail["cases"]) == sorted([refs["own"], refs["for_sam"]])
        assert "Sam" not in json.dumps(summary.detail), (
            "the trail names the request, not the person"
        )
        disclosures = session.execute(
            select(Case.reference)
            .join(AuditEvent, AuditEvent.case_id == Case.id)
            .where(
                AuditEvent.action == "disclosure",
                AuditEvent.detail["what"].as_string() == "subject access export",
            )
        ).scalars()
        assert sorted(disclosures) == sorted([refs["own"], refs["for_sam"]])


def test_a_name_alone_finds_every_record_of_that_name(app_db: Database, tmp_path: Path) -> None:
    db = app_db
    refs = people(db)
    target = tmp_path / "by-name.zip"
    result = invoke(db, "subject-access", "--name", "Sam Taylor", "--output", str(target))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(target) as archive:
        exported = json.loads(archive.read("subject-access.json"))
    assert {case["reference"] for case in exported["cases"]} == {
        refs["own"],
        refs["for_sam"],
        refs["namesake"],
    }
    # Their messages are found by the addresses on their own records (the namesake's too:
    # a name alone cannot tell them apart).
    messages = exported["messages_sent_to_them"]
    assert {m["to"] for m in messages} == {"sam@example.com", "sam.taylor@elsewhere.example"}
    # A sign-in link is never exported: it would let its reader into the case.
    links = [m for m in messages if m["subject"] == "Your ASB case review: follow it online"]
    assert links and all("/your-case/sign-in/" not in m["body"] for m in links)


def test_a_user_of_the_service_gets_their_account_and_what_they_did(
    app_db: Database, tmp_path: Path
) -> None:
    db = app_db
    people(db)
    target = tmp_path / "officer.zip"
    result = invoke(db, "subject-access", "--email", "council@example.org", "--output", str(target))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(target) as archive:
        exported = json.loads(archive.read("subject-access.json"))
    assert exported["cases"] == []
    (account,) = exported["user_accounts"]
    assert account["email"] == "council@example.org"
    assert "task.completed" in {item["action"] for item in account["recorded_actions"]}


def test_the_command_needs_a_name_or_an_email(db: Database) -> None:
    result = invoke(db, "subject-access")
    assert result.exit_code == 2
    assert "give --name, --email or both" in result.output


def test_the_applicant_s_part_in_the_review_and_answers_after_closure_are_in_their_export(
    app_db: Database, tmp_path: Path
) -> None:
    """What the applicant said of their part in the meeting, their views on the plan and their
    answers after closure are theirs: in their export; not in the victim's, who did not say
    them."""
    db = app_db
    refs = people(db)
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with db.transaction() as session:
        for key in ("own", "for_sam"):
            case = session.scalars(select(Case).where(Case.reference == refs[key])).one()
            session.add(
                MeetingPart(
                    case_id=case.id,
                    choice="written_statement",
                    statement=f"Written for {key}: the music goes on all night",
                    needs="Large print",
                    created_at=now,
                    updated_at=now,
                )
            )
            session.add(
                Review(
                    case_id=case.id,
                    number=1,
                    created_at=now,
                    applicant_invited=False,
                    not_invited_reasons="The meeting discusses a third party's health",
                    applicant_views=f"Views for {key}: please add a noise monitor",
                    views_considered="A noise monitor was added to the plan",
                )
            )
            session.add(
                CheckIn(
                    case_id=case.id,
                    months=1,
                    due_on=date(2026, 4, 2),
                    sent_at=now,
                    channel="email",
                    answered_at=now,
                    still_happening=True,
                    comment=f"Answer for {key}: it started again last week",
                )
            )
    target = tmp_path / "sar.zip"
    result = invoke(
        db, "subject-access", "--name", "Sam Taylor", "--email", "sam@example.com",
        "--output", str(target),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(target) as archive:
        raw = archive.read("subject-access.json").decode()
    cases = {case["reference"]: case for case in json.loads(raw)["cases"]}

    own = cases[refs["own"]]
    assert own["part_in_the_meeting"]["statement"] == "Written for own: the music goes on all night"
    assert own["part_in_the_meeting"]["communication_needs"] == "Large print"
    (review,) = own["reviews"]
    assert review["applicant_invited"] is False
    assert review["reasons_not_invited"] == "The meeting discusses a third party's health"
    assert review["applicant_views"] == "Views for own: please add a noise monitor"
    (check_in,) = own["follow_up_after_closure"]
    assert check_in["still_happening"] is True
    assert check_in["comment"] == "Answer for own: it started again last week"

    victims = cases[refs["for_sam"]]
    assert victims["part_in_the_meeting"] is None
    assert victims["follow_up_after_closure"] == []
    assert "applicant_views" not in victims["reviews"][0]
    for said_by_alex in ("Written for for_sam", "Views for for_sam", "Answer for for_sam"):
        assert said_by_alex not in raw
