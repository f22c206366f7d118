"""The audit trail: chained, append-only, and a record of every look at a case with the reason
where one is needed; `casereview audit` checks and exports it (tests/integration)."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError, OperationalError

from engine.core import audit
from engine.core.db import Database, connect
from engine.core.migrate import alembic_config, upgrade_to_head
from engine.core.models import AuditEvent, User
from engine.people.access import consult_case
from tests.support.audit import a_case, events, tamper, user
from tests.support.databases import only_on


def test_each_event_carries_the_hash_of_the_one_before(db: Database) -> None:
    reference = a_case(db)
    council = user(db, "council@example.org")
    with db.transaction() as session:
        consult_case(session, council, reference)
        consult_case(session, council, reference, purpose="meeting preparation")
    rows = events(db)
    assert [row.seq for row in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == audit.GENESIS_HASH
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.hash
    views = [row for row in rows if row.action == "case.viewed"]
    assert [row.detail["purpose"] for row in views] == ["case page", "meeting preparation"]
    assert views[0].user_id == council.id
    assert views[0].organisation_id == council.organisation_id
    with db.read() as session:
        report = audit.verify(session)
    assert report.intact and report.events == len(rows) and report.head_hash == rows[-1].hash


def test_a_reason_given_to_read_a_case_is_kept_with_the_event(db: Database) -> None:
    reference = a_case(db)
    council = user(db, "council@example.org")
    with db.transaction() as session:
        consult_case(session, council, reference, reason="Subject access request SAR-12")
    (viewed,) = [row for row in events(db) if row.action == "case.viewed"]
    assert viewed.detail["justification"] == "Subject access request SAR-12"


def test_a_transaction_that_rolls_back_leaves_no_event(db: Database) -> None:
    reference = a_case(db)
    before = len(events(db))
    council = user(db, "council@example.org")
    with pytest.raises(RuntimeError), db.transaction() as session:
        consult_case(session, council, reference)
        raise RuntimeError("the page failed after reading the case")
    assert len(events(db)) == before
    with db.transaction() as session:
        consult_case(session, council, reference)
    with db.read() as session:
        assert audit.verify(session).intact


def test_the_database_refuses_to_change_or_delete_an_event(db: Database) -> None:
    a_case(db)
    first = events(db)[0]
    with pytest.raises(DBAPIError, match="append-only"), db.transaction() as session:
        session.execute(update(AuditEvent).where(AuditEvent.id == first.id).values(action="x"))
    with pytest.raises(DBAPIError, match="append-only"), db.transaction() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.id == first.id))
    assert events(db)[0].action == first.action


def test_a_rehashed_event_breaks_the_link_to_the_next(db: Database) -> None:
    """Rewriting a row and its own hash is not enough: the next row holds the old hash."""
    reference = a_case(db)
    council = user(db, "council@example.org")
    for _ in range(2):
        with db.transaction() as session:
            consult_case(session, council, reference)
    rows = events(db)
    target = rows[-2]
    assert target.user_id == council.id
    forged = AuditEvent(
        at=target.at,
        user_id=None,
        organisation_id=None,
        action=target.action,
        case_id=target.case_id,
        object_type=target.object_type,
        object_id=target.object_id,
        detail=target.detail,
    )
    new_hash = audit.event_hash(forged, target.seq, target.prev_hash)
    tamper(
        db,
        "UPDATE audit_events SET user_id = NULL, organisation_id = NULL, hash = :hash "
        "WHERE id = :id",
        hash=new_hash,
        id=target.id,
    )
    with db.read() as session:
        report = audit.verify(session)
    assert report.broken is not None
    assert report.broken.event_id == rows[-1].id
    assert report.broken.reason == "it does not follow the event before it"


def test_many_writers_at_once_extend_one_unbroken_chain(db: Database) -> None:
    reference = a_case(db)
    council = user(db, "council@example.org")
    police = user(db, "police@example.org")
    before = len(events(db))
    failures: list[BaseException] = []

    def work(who: User) -> None:
        try:
            for _ in range(10):
                with db.transaction() as session:
                    consult_case(session, who, reference)
                    audit.record(session, "test.note", user=who, detail={"n": 1})
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=work, args=(who,)) for who in (council, police) * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    rows = events(db)
    assert len(rows) == before + 6 * 10 * 2
    with db.read() as session:
        assert audit.verify(session).intact


def test_the_migration_chains_the_events_written_before_it(blank_url: str) -> None:
    from alembic import command

    database = connect(blank_url)
    try:
        with database.writer.connect() as connection:
            config = alembic_config(database)
            config.attributes["connection"] = connection
            command.upgrade(config, "0006")
        with database.writer.begin() as connection:
            for number, moment in enumerate(["2025-01-02 09:00:00", "2025-01-02 09:00:00.500000"]):
                connection.execute(
                    text(
                        "INSERT INTO audit_events (at, action, object_type, object_id, detail) "
                        "VALUES (:at, :action, 'case', :object_id, :detail)"
                    ),
                    {
                        "at": moment,
                        "action": "case.viewed",
                        "object_id": f"CT-2025-{number:05d}",
                        "detail": json.dumps({"purpose": "caf\u00e9", "n": number}),
                    },
                )
        upgrade_to_head(database)
        with database.read() as session:
            report = audit.verify(session)
            assert report.intact and report.events == 2
        with database.transaction() as session:
            audit.record(session, "test.after_upgrade")
        with database.read() as session:
            assert audit.verify(session).events == 3
        with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
            session.execute(delete(AuditEvent))
    finally:
        database.dispose()


def test_events_are_written_only_through_record(db: Database) -> None:
    from engine.core import clock

    with pytest.raises(RuntimeError, match="engine.core.audit.record"), db.transaction() as session:
        session.add(AuditEvent(at=clock.now(), action="sneaked.in"))
    with db.read() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "sneaked.in")
            )
            == 0
        )


@only_on("postgresql")  # SQLite runs one writer at a time by design
def test_an_open_transaction_does_not_hold_up_others_writing_events(db: Database) -> None:
    """The chain is extended at commit, so a long transaction that has recorded an event
    does not stop another from committing its own meanwhile (PostgreSQL: SQLite runs one
    writer at a time by design)."""
    reference = a_case(db)
    council = user(db, "council@example.org")
    with db.transaction() as session:
        consult_case(session, council, reference)
        with db.transaction() as meanwhile:
            audit.record(meanwhile, "test.meanwhile")
    actions = [row.action for row in events(db)]
    assert actions[-2:] == ["test.meanwhile", "case.viewed"]
    with db.read() as session:
        assert audit.verify(session).intact


# The chain's lock is PostgreSQL's; SQLite writers hold the database's.
@only_on("postgresql")
def test_an_error_while_waiting_for_the_chain_is_the_databases_usual_error(db: Database) -> None:
    """The chain's lock and head go to PostgreSQL through the driver itself; an error there
    (here the lock wait running out of time, as an operator's lock_timeout would) is what
    SQLAlchemy raises anywhere else, which the service answers with a 503 rather than a 500,
    and the transaction leaves nothing behind."""
    before = len(events(db))
    holder = connect(db.url)
    try:
        with holder.writer.connect() as lock_holder:
            lock_holder.execute(
                text("SELECT pg_advisory_lock(:key)"), {"key": audit.CHAIN_LOCK_KEY}
            )
            with pytest.raises(OperationalError, match="lock timeout"), db.transaction() as session:
                session.execute(text("SET LOCAL lock_timeout = '200ms'"))
                audit.record(session, "test.timed_out")
            lock_holder.execute(text("SELECT pg_advisory_unlock_all()"))
    finally:
        holder.dispose()
    assert len(events(db)) == before
    with db.transaction() as session:
        audit.record(session, "test.afterwards")
    assert [row.action for row in events(db)][-1] == "test.afterwards"
    with db.read() as session:
        assert audit.verify(session).intact
