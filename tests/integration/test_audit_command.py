"""`casereview audit`: `verify` names the first event changed, removed or rewritten (and with
a hash kept elsewhere, a trail rewritten from some point on); `export` writes a date range and
records that it did."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from engine.core import audit
from engine.core.db import Database
from engine.people.access import consult_case
from tests.support.audit import a_case, events, tamper, user


def invoke(database_url: str, *args: str):
    from cli import main

    env = {"CASEREVIEW_DATABASE_URL": database_url, "CASEREVIEW_CLOCK_START": "2026-03-02T09:00"}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_verify_names_the_first_event_changed_in_the_database(db: Database) -> None:
    reference = a_case(db)
    council = user(db, "council@example.org")
    for _ in range(3):
        with db.transaction() as session:
            consult_case(session, council, reference)
    good = invoke(db.url, "audit", "verify")
    assert good.exit_code == 0, good.output
    assert "The audit trail is intact" in good.output
    target = [row for row in events(db) if row.action == "case.viewed"][1]
    # Someone hides who looked at the case, and the service cannot tell from the row itself.
    tamper(
        db,
        "UPDATE audit_events SET user_id = NULL, organisation_id = NULL WHERE id = :id",
        id=target.id,
    )
    broken = invoke(db.url, "audit", "verify")
    assert broken.exit_code == 1
    assert f"audit event {target.id} (position {target.seq})" in broken.output
    assert "its content was changed after it was written" in broken.output


def test_verify_finds_an_event_removed_from_the_middle(db: Database) -> None:
    reference = a_case(db)
    council = user(db, "council@example.org")
    for _ in range(3):
        with db.transaction() as session:
            consult_case(session, council, reference)
    rows = events(db)
    tamper(db, "DELETE FROM audit_events WHERE id = :id", id=rows[2].id)
    broken = invoke(db.url, "audit", "verify")
    assert broken.exit_code == 1
    assert f"audit event {rows[3].id} (position {rows[3].seq})" in broken.output
    assert f"position {rows[2].seq} are missing" in broken.output


def test_export_for_a_date_range_is_itself_recorded(db: Database, tmp_path) -> None:
    from engine.core import clock

    council = user(db, "council@example.org")
    reference = a_case(db)
    with db.transaction() as session:
        consult_case(session, council, reference, reason='=HYPERLINK("x")')
    clock.get_clock().set(clock.parse_moment("2026-03-05T10:00"))
    with db.transaction() as session:
        consult_case(session, council, reference, purpose="later look")

    result = invoke(db.url, "audit", "export", "--from", "2026-03-01", "--to", "2026-03-02")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert {row["action"] for row in rows} >= {"case.opened", "case.viewed"}
    assert "later look" not in result.output
    (viewed,) = [row for row in rows if row["action"] == "case.viewed"]
    assert viewed["user_email"] == "council@example.org"
    assert viewed["organisation"] == "derbyshire-dales-district-council"
    assert viewed["case_reference"] == reference
    # A reason typed into the service cannot become a spreadsheet formula.
    assert viewed["justification"] == '\'=HYPERLINK("x")'

    target = tmp_path / "trail.json"
    result = invoke(
        db.url,
        "audit",
        "export",
        "--from",
        "2026-03-05",
        "--to",
        "2026-03-05",
        "--format",
        "json",
        "--output",
        str(target),
    )
    assert result.exit_code == 0, result.output
    exported = json.loads(target.read_text())
    assert [row["detail"].get("purpose") for row in exported if row["action"] == "case.viewed"] == [
        "later look"
    ]
    exports = [row for row in events(db) if row.action == "audit.exported"]
    assert [row.detail["from"] for row in exports] == ["2026-03-01", "2026-03-05"]
    assert exports[0].detail["events"] == len(rows)
    assert exports[0].detail["channel"].startswith("command line")


def test_export_refuses_a_range_that_ends_before_it_starts(db: Database) -> None:
    result = invoke(db.url, "audit", "export", "--from", "2026-03-05", "--to", "2026-03-01")
    assert result.exit_code == 2
    assert "the last day is before the first" in result.output


def test_a_hash_kept_elsewhere_catches_a_trail_rewritten_from_some_point(db: Database) -> None:
    reference = a_case(db)
    council = user(db, "council@example.org")
    with db.transaction() as session:
        consult_case(session, council, reference)
    checked = invoke(db.url, "audit", "verify")
    anchor = checked.output.split("--expect ")[1].strip()
    position = int(anchor.split(":")[0])
    # Someone with the database rewrites the last event and every hash from there on.
    rows = events(db)
    target = rows[-1]
    target.detail = {"purpose": "nothing to see"}
    forged = audit.event_hash(target, target.seq, target.prev_hash)
    tamper(
        db,
        "UPDATE audit_events SET detail = :detail, hash = :hash WHERE id = :id",
        detail=json.dumps(target.detail),
        hash=forged,
        id=target.id,
    )
    assert invoke(db.url, "audit", "verify").exit_code == 0, "the chain alone cannot tell"
    caught = invoke(db.url, "audit", "verify", "--expect", anchor)
    assert caught.exit_code == 1
    assert f"position {position}): its hash is not the one recorded" in caught.output
    # Events cut off the end are caught the same way.
    tamper(db, "DELETE FROM audit_events WHERE id = :id", id=target.id)
    cut = invoke(db.url, "audit", "verify", "--expect", anchor)
    assert cut.exit_code == 1
    assert f"the event at position {position} is missing" in cut.output
    refused = invoke(db.url, "audit", "verify", "--expect", "12:abc")
    assert refused.exit_code == 2
