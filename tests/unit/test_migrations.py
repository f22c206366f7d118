"""Migrations build the whole schema from an empty database, on both databases, and bring
the rows already there along."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from engine.cases.opening import open_case
from engine.chasing.notifications import notify, withdraw_unsent
from engine.chasing.scheduler import create_job_table
from engine.core import clock
from engine.core.area import load_area, read_area_file
from engine.core.config import DEFAULT_AREA_FILE
from engine.core.counters import kept_digest
from engine.core.db import Database, connect
from engine.core.migrate import alembic_config, current_revision, upgrade_to_head
from engine.core.models import (
    SEARCH_INDEXES,
    SEARCH_TABLES,
    UNMANAGED_TABLES,
    Attachment,
    Base,
    Case,
    ChairDeclaration,
    Notification,
    ProcessInstance,
    Review,
    StepDuration,
    Task,
    TaskCandidate,
    User,
    matching_words,
)
from engine.people.accounts import add_user
from engine.people.personal_tokens import (
    FULL,
    READ_ONLY,
    TokenAnswers,
    TokenScope,
    make_token,
)
from engine.people.tokens import held_token
from engine.procedure import deploy
from engine.runtime import cancel_instance
from tests.support.databases import only_on
from tests.support.files import FORMS, ROOT
from tests.support.people import COUNCIL, user
from tests.support.procedure import ACKNOWLEDGED, application, do, submit
from tests.support.runtime import deploy_diagram, one_task_diagram, start


def test_upgrade_from_empty_matches_the_models(blank_url: str) -> None:
    database = connect(blank_url)
    try:
        assert current_revision(database) is None
        upgrade_to_head(database)
        create_job_table(database)  # as a scheduler does; the comparison must leave it alone
        head = ScriptDirectory.from_config(alembic_config(database)).get_current_head()
        assert current_revision(database) == head
        with database.reader.connect() as connection:
            options = {
                "compare_type": True,
                "include_object": lambda obj, name, type_, *_: (
                    not (
                        (type_ == "table" and name in UNMANAGED_TABLES | SEARCH_TABLES)
                        or (type_ == "index" and name in SEARCH_INDEXES)
                    )
                ),
            }
            differences = compare_metadata(
                MigrationContext.configure(connection, opts=options), Base.metadata
            )
            tables = set(inspect(connection).get_table_names())
        assert differences == []
        assert set(Base.metadata.tables) <= tables
        upgrade_to_head(database)  # a second upgrade is a no-op, as `casereview init` relies on
        assert current_revision(database) == head
    finally:
        database.dispose()


def test_existing_tasks_of_a_chair_learn_whose_they_are(blank_url: str) -> None:
    """Migration 0010 gives the candidate rows already there the person through whom an
    organisation plays the lane, from the case's participants: the chair's task gets the
    chair; a task its organisation plays as a whole gets no one, even the chair's own
    council's, and so does a task that went to the council because no one plays its lane."""
    db = connect(blank_url)
    try:
        upgrade_to_head(db)
        _chair_and_council_tasks_survive_0010_again(db)
    finally:
        db.dispose()


def _chair_and_council_tasks_survive_0010_again(db: Database) -> None:
    with db.transaction() as session:
        load_area(session, read_area_file(DEFAULT_AREA_FILE))
        add_user(
            session,
            email="chair@example.org",
            name="Chair",
            organisation_key="derbyshire-dales-district-council",
            roles=["review_chair"],
            password="long enough password",
        )
    deploy_diagram(db, one_task_diagram("chaired", "chair"))
    deploy_diagram(db, one_task_diagram("councils", "council"))
    deploy_diagram(db, one_task_diagram("appeals", "opcc"))  # no OPCC on the case: the council's
    chair = user(db, "chair@example.org")
    for key in ("chaired", "councils", "appeals"):
        start(db, key, chair=chair)  # a case each, the chair from the council taking part

    def whose() -> dict[str, tuple[int, int | None]]:
        with db.read() as session:
            return {
                spec: (organisation_id, user_id)
                for spec, organisation_id, user_id in session.execute(
                    select(Task.role, TaskCandidate.organisation_id, TaskCandidate.user_id).join(
                        TaskCandidate, TaskCandidate.task_id == Task.id
                    )
                )
            }

    made = whose()
    council = chair.organisation_id  # the chair comes from the council managing the review
    assert made == {
        "chair": (council, chair.id),
        "council": (council, None),
        "opcc": (council, None),
    }
    with db.writer.connect() as connection:
        config = alembic_config(db)
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")
        connection.commit()
    assert "user_id" not in {
        column["name"] for column in inspect(db.writer).get_columns("task_candidates")
    }
    db.dispose()
    upgrade_to_head(db)
    assert whose() == made


def test_instances_and_their_tasks_survive_0011_both_ways(blank_url: str) -> None:
    """Migration 0011 rebuilds the process instances table on SQLite, which other tables'
    rows point at; it lets an instance be cancelled, and going back makes a cancelled
    instance failed, the nearest state that version knows."""
    db = connect(blank_url)
    try:
        upgrade_to_head(db)
        with db.transaction() as session:
            load_area(session, read_area_file(DEFAULT_AREA_FILE))
        deploy_diagram(db, one_task_diagram("councils", "council"))
        task_ids = [start(db, "councils") for _ in range(2)]
        instance_ids = [_instance_of(db, task_id) for task_id in task_ids]
        with db.transaction() as session:
            assert cancel_instance(session, instance_ids[0], "superseded") == [task_ids[0]]
        _migrate(db, "0010")
        db.dispose()
        assert _states(db) == {instance_ids[0]: "failed", instance_ids[1]: "running"}
        upgrade_to_head(db)
        with db.transaction() as session:
            assert cancel_instance(session, instance_ids[1], "superseded") == [task_ids[1]]
        assert _states(db) == {instance_ids[0]: "failed", instance_ids[1]: "cancelled"}
        with db.read() as session:
            states = session.scalars(select(Task.state).where(Task.id.in_(task_ids))).all()
        assert states == ["cancelled", "cancelled"]
    finally:
        db.dispose()


def test_a_withdrawn_notification_goes_back_as_not_sent_before_0012(blank_url: str) -> None:
    """Going back to before notifications could be withdrawn makes a withdrawn one not sent,
    the nearest state that version knows, so the mail sender leaves it alone there too."""
    db = connect(blank_url)
    try:
        upgrade_to_head(db)
        with db.transaction() as session:
            load_area(session, read_area_file(DEFAULT_AREA_FILE))
            person = add_user(
                session,
                email="told@example.org",
                name="Told",
                organisation_key="derbyshire-dales-district-council",
                roles=["caseworker"],
                password="a long enough password",
            )
            for key in ("first", "second"):
                notify(session, key=key, kind="test", subject=key, body=key, user=person)
            assert withdraw_unsent(session, person.id, "gone", key_prefix="first") != []
        _migrate(db, "0011")
        db.dispose()
        assert _notification_states(db) == {"first": "not_sent", "second": "pending"}
        upgrade_to_head(db)
        with db.transaction() as session:
            withdraw_unsent(session, person.id, "gone", key_prefix="second")
        assert _notification_states(db) == {"first": "not_sent", "second": "withdrawn"}
    finally:
        db.dispose()


def test_files_already_kept_are_renamed_as_what_they_hold(blank_url: str) -> None:
    """Migration 0019 gives the files kept before names were checked the ending of what they
    hold, so other agencies no longer download a PDF as invoice.hta."""
    db = connect(blank_url)
    named = {
        ("invoice.hta", "application/pdf"): "invoice.pdf",
        ("page.html", "message/rfc822"): "page.eml",
        ("update.msi", "application/msword"): "update.doc",
        ("scan", "application/pdf"): "scan.pdf",
        ("photo.JPEG", "image/jpeg"): "photo.JPEG",
        ("photo.jpg", "image/png"): "photo.png",
        ("Minutes 12.03.2026", "application/pdf"): "Minutes 12.03.2026.pdf",
    }
    try:
        upgrade_to_head(db)
        with db.transaction() as session:
            load_area(session, read_area_file(DEFAULT_AREA_FILE))
            person = add_user(
                session,
                email="police@example.org",
                name="Officer",
                organisation_key="derbyshire-dales-district-council",
                roles=["caseworker"],
                password="a long enough password",
            )
            case = open_case(session, "derbyshire-dales")
            session.flush()
            for filename, media_type in named:
                session.add(
                    Attachment(
                        case_id=case.id,
                        organisation_id=person.organisation_id,
                        uploaded_by_id=person.id,
                        filename=filename,
                        media_type=media_type,
                        size=1,
                        sha256="0" * 64,
                        content=b"x",
                        created_at=case.created_at,
                    )
                )
        _migrate(db, "0019-1")
        db.dispose()
        upgrade_to_head(db)
        with db.read() as session:
            kept = session.scalars(select(Attachment.filename).order_by(Attachment.id)).all()
        assert kept == list(named.values())
    finally:
        db.dispose()


def _notification_states(db: Database) -> dict[str, str]:
    with db.read() as session:
        return dict(session.execute(select(Notification.key, Notification.state)).all())


def _instance_of(db: Database, task_id: int) -> int:
    with db.read() as session:
        return session.scalar(select(Task.instance_id).where(Task.id == task_id))


def _states(db: Database) -> dict[int, str]:
    with db.read() as session:
        return dict(session.execute(select(ProcessInstance.id, ProcessInstance.state)).all())


def _migrate(db: Database, revision: str) -> None:
    with db.writer.connect() as connection:
        config = alembic_config(db)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
        connection.commit()


@only_on("sqlite", "blank_url")  # PostgreSQL checks foreign keys as each row is written
def test_a_sqlite_upgrade_that_leaves_broken_rows_is_undone(blank_url: str) -> None:
    """SQLite upgrades run with foreign keys off, so every row is checked before the commit:
    a row pointing at nothing (here one there before, from a database older than the checks)
    stops the upgrade, the database stays at its revision, and its connections check foreign
    keys again."""
    db = connect(blank_url)
    try:
        upgrade_to_head(db)
        _migrate(db, "0010")
        with db.writer.connect() as connection:
            raw = connection.connection.dbapi_connection
            raw.execute("PRAGMA foreign_keys=OFF")
            raw.execute(
                "INSERT INTO task_candidates (task_id, organisation_id, state) "
                "VALUES (404, 404, 'open')"
            )
            raw.execute("PRAGMA foreign_keys=ON")
        with pytest.raises(RuntimeError, match="pointing at nothing"):
            upgrade_to_head(db)
        assert current_revision(db) == "0010"
        with db.writer.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.dispose()


def test_cases_there_before_0024_are_found_by_their_words(blank_url: str) -> None:
    """Migration 0024 works out the words of the cases already there and indexes them in the
    database's own text search, which keeps later cases in step too."""
    db = connect(blank_url)
    try:
        upgrade_to_head(db)
        with db.transaction() as session:
            load_area(session, read_area_file(DEFAULT_AREA_FILE))
            before = open_case(session, "derbyshire-dales")
            before.applicant = {"name": "Priya O'Brien", "postcode": "DE4 3AG"}
            session.flush()
            before_id = before.id
        _migrate(db, "0023")
        db.dispose()
        upgrade_to_head(db)
        with db.transaction() as session:
            after = open_case(session, "erewash")
            after.applicant = {"name": "Grace O'Brien", "address": "9 Derby Road, Ilkeston"}
            session.flush()
            after_id = after.id

        def found(*words: str) -> list[int]:
            with db.read() as session:
                dialect = session.get_bind().dialect.name
                matching = select(Case.id).where(matching_words(dialect, list(words)))
                return sorted(session.scalars(matching))

        assert found("obrien") == [before_id, after_id]
        assert found("priya", "de43") == [before_id]
        assert found("derby") == [after_id]
        with db.transaction() as session:
            session.get(Case, after_id).applicant = {"name": "Grace Hall"}
        assert found("obrien") == [before_id], "kept in step as the applicant changes"
    finally:
        db.dispose()


def test_cases_there_before_0027_keep_the_applicant_s_hate_answer_where_it_is_known(
    blank_url: str,
) -> None:
    """Migration 0027 keeps the applicant's own answer about a hate element beside
    screening's: a case not yet screened still has it as its hate element, so it is copied;
    a case already screened may have had it overwritten, so it is left unknown."""
    db = connect(blank_url)
    try:
        upgrade_to_head(db)
        with db.transaction() as session:
            load_area(session, read_area_file(DEFAULT_AREA_FILE))
            add_user(
                session,
                email=COUNCIL,
                name="Council",
                organisation_key="derbyshire-dales-district-council",
                roles=["caseworker"],
                password="a long enough password",
            )
            path = ROOT / "workflows" / "community_trigger_application.bpmn"
            deploy(session, path.read_bytes(), filename=path.name, forms_dir=FORMS)
        screened = submit(db, application(hate_element=False))
        do(db, screened, "acknowledge", COUNCIL, ACKNOWLEDGED)
        do(
            db,
            screened,
            "screen",
            COUNCIL,
            {
                "route": "review",
                "hate_element": True,
                "hate_signposted": True,
                "hate_element_reason": "Racist abuse described in the incidents",
            },
        )
        waiting = submit(db, application(hate_element=True))
        _migrate(db, "0026")
        db.dispose()
        upgrade_to_head(db)
        with db.read() as session:
            kept = dict(
                session.execute(
                    select(Case.id, Case.applicant_hate_element).where(
                        Case.id.in_([screened, waiting])
                    )
                ).all()
            )
            hate = session.scalar(select(Case.hate_element).where(Case.id == screened))
        assert kept == {screened: None, waiting: True}
        assert hate is True, "screening's answer stays"
    finally:
        db.dispose()


def test_tokens_there_before_0033_reach_everything_and_personal_ones_go_back_with_it(
    blank_url: str,
) -> None:
    """Migration 0033 gives the tokens already there, every one got with a password, the full
    scope they always had, so they go on working; going back deletes the personal access
    tokens, which that version would let reach everything their owner may."""
    db = connect(blank_url)
    try:
        upgrade_to_head(db)
        with db.transaction() as session:
            person = _area_and_its_caseworker(session)
        _migrate(db, "0032")
        db.dispose()
        with db.writer.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO api_tokens (token_hash, user_id, created_at, expires_at) "
                    "VALUES (:hash, :user, :now, :until)"
                ),
                {
                    "hash": kept_digest("older"),
                    "user": person.id,
                    "now": datetime(2026, 3, 2, 9),
                    "until": datetime(2026, 3, 2, 17),
                },
            )
        upgrade_to_head(db)
        with clock.using_clock(clock.FixedClock(datetime(2026, 3, 2, 10, tzinfo=UTC))):
            with db.read() as session:
                held = held_token(session, "older")
            assert held is not None and held.scope == TokenScope(FULL)
            assert held.scope.allows("POST", "/api/v1/tasks/{task_id}/complete")
            with db.transaction() as session:
                answers = TokenAnswers("Case system", "2026-05-31", READ_ONLY)
                made = make_token(session, session.get_one(User, person.id), answers, ())
            with db.read() as session:
                assert held_token(session, made.token) is not None
        _migrate(db, "0032")
        db.dispose()
        with db.reader.connect() as connection:
            kept = connection.execute(text("SELECT token_hash FROM api_tokens")).scalars().all()
        assert kept == [kept_digest("older")]
    finally:
        db.dispose()


def test_people_with_no_password_are_given_one_no_one_can_type_going_back_before_0034(
    blank_url: str,
) -> None:
    """Revision 0034 lets a user have no password (they sign in through their organisation's
    provider) and remembers who the provider says they are; going back, such a user keeps an
    account whose password no one can type, and everyone else's password stays."""
    db = connect(blank_url)
    try:
        upgrade_to_head(db)
        with db.transaction() as session:
            with_password = _area_and_its_caseworker(session)
            kept_hash = with_password.password_hash
            session.add(
                User(
                    email="officer@police.example",
                    name="Officer",
                    organisation=with_password.organisation,
                    password_hash=None,
                    identity_issuer="https://login.example.net/tenant/v2.0",
                    identity_subject="subject-1",
                    created_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
                )
            )
        _migrate(db, "0033")
        db.dispose()
        with db.reader.connect() as connection:
            hashes = dict(connection.execute(text("SELECT email, password_hash FROM users")).all())
        assert hashes == {COUNCIL: kept_hash, "officer@police.example": "!"}
        upgrade_to_head(db)
        with db.read() as session:
            officer = session.scalar(select(User).where(User.email == "officer@police.example"))
            assert officer is not None and officer.identity_subject is None
    finally:
        db.dispose()


def _area_and_its_caseworker(session: Session) -> User:
    """The area loaded, and a caseworker of the Derbyshire Dales council with a password."""
    load_area(session, read_area_file(DEFAULT_AREA_FILE))
    return add_user(
        session,
        email=COUNCIL,
        name="Council",
        organisation_key="derbyshire-dales-district-council",
        roles=["caseworker"],
        password="a long enough password",
    )


def test_the_step_timings_indexes_come_with_0036_and_go_back_with_it(blank_url: str) -> None:
    """Revision 0036 adds the partial indexes the heat map of how the procedure runs read
    from, 0042 takes away the completed tasks' one (their counts are kept as they complete);
    going back restores each and drops nothing else."""
    db = connect(blank_url)
    try:
        upgrade_to_head(db)
        live, completed = "ix_tasks_live_steps", "ix_tasks_completed_timings"
        at_head = {i["name"] for i in inspect(db.writer).get_indexes("tasks")}
        assert live in at_head and completed not in at_head
        _migrate(db, "0040")
        db.dispose()
        assert {live, completed} <= {i["name"] for i in inspect(db.writer).get_indexes("tasks")}
        _migrate(db, "0035")
        db.dispose()
        left = {i["name"] for i in inspect(db.writer).get_indexes("tasks")}
        assert not {live, completed} & left and "ix_tasks_live_next_chase" in left
        upgrade_to_head(db)
    finally:
        db.dispose()


def _step_durations(db: Database) -> list[tuple]:
    columns = StepDuration.__table__.c
    with db.read() as session:
        return [tuple(row) for row in session.execute(select(*columns).order_by(*columns))]


def test_0042_counts_the_steps_completed_before_it_as_their_completions_did(
    blank_url: str,
) -> None:
    """The steps' durations counted as tasks complete, and those 0042 counts from the tasks
    completed before it, are the same rows."""
    db = connect(blank_url)
    try:
        upgrade_to_head(db)
        with db.transaction() as session:
            load_area(session, read_area_file(DEFAULT_AREA_FILE))
            add_user(
                session,
                email=COUNCIL,
                name="Council",
                organisation_key="derbyshire-dales-district-council",
                roles=["caseworker"],
                password="a long enough password",
            )
            path = ROOT / "workflows" / "community_trigger_application.bpmn"
            deploy(session, path.read_bytes(), filename=path.name, forms_dir=FORMS)
        with clock.using_clock(clock.FixedClock(datetime(2026, 6, 1, 9, 0))) as moment:
            cases = [submit(db, application()) for _ in range(3)]
            # Just after midnight on Friday in England, still Thursday in UTC.
            moment.advance(timedelta(days=3, hours=15, minutes=30))
            do(db, cases[0], "acknowledge", COUNCIL, ACKNOWLEDGED)
            do(db, cases[1], "acknowledge", COUNCIL, ACKNOWLEDGED)
            moment.advance(timedelta(days=30))
            do(db, cases[0], "screen", COUNCIL, {"route": "review", "hate_element": False})
        counted = _step_durations(db)
        assert sum(row[5] for row in counted if not row[1]) == 3
        _migrate(db, "0040")
        db.dispose()
        assert "step_durations" not in inspect(db.writer).get_table_names()
        upgrade_to_head(db)
        db.dispose()
        assert _step_durations(db) == counted
    finally:
        db.dispose()


def test_0037_adds_the_public_bodies_and_their_requests_and_takes_them_away_again(
    blank_url: str,
) -> None:
    """From an empty database, revision 0037 makes the tables of other public bodies and the
    council's requests to them; the area loads its bodies into them; going back removes both
    and leaves the rest as it was."""
    db = connect(blank_url)
    try:
        _migrate_up(db, "0037")
        with db.transaction() as session:
            _area_and_its_caseworker(session)
        with db.reader.connect() as connection:
            keys = set(connection.execute(text("SELECT key FROM public_bodies")).scalars())
            assert "derbyshire-childrens-services" in keys
            columns = {c["name"] for c in inspect(connection).get_columns("information_requests")}
        assert {"code_hash", "expires_at", "legal_basis", "due_on", "answer"} <= columns
        _migrate(db, "0036")
        db.dispose()
        with db.reader.connect() as connection:
            tables = set(inspect(connection).get_table_names())
        assert not {"public_bodies", "information_requests"} & tables
        assert "users" in tables
        upgrade_to_head(db)
    finally:
        db.dispose()


def test_letters_kept_before_0038_were_written_in_the_shipped_wording_and_keep_it_going_back(
    blank_url: str,
) -> None:
    """Revision 0038 keeps each deployed version of a letter's wording and which one wrote
    each letter: the documents already kept name none (the shipped wording); going back drops
    the versions and leaves the documents as they were."""
    db = connect(blank_url)
    try:
        _migrate_up(db, "0037")
        with db.writer.connect() as connection:
            connection.execute(
                text(
                    "INSERT INTO documents (kind, version, filename, sha256, content, "
                    "created_at, detail) VALUES ('acknowledgement_letter', 1, 'a.docx', "
                    "'00', :content, :made, '{}')"
                ),
                {"content": b"letter", "made": datetime(2026, 3, 2, 9)},
            )
            connection.commit()
        upgrade_to_head(db)
        db.dispose()
        with db.reader.connect() as connection:
            kept = connection.execute(
                text("SELECT filename, letter_template_id FROM documents")
            ).all()
            assert [tuple(row) for row in kept] == [("a.docx", None)]
            assert connection.execute(text("SELECT count(*) FROM letter_templates")).scalar() == 0
        _migrate(db, "0037")
        db.dispose()
        with db.reader.connect() as connection:
            assert "letter_templates" not in inspect(connection).get_table_names()
            columns = {c["name"] for c in inspect(connection).get_columns("documents")}
            assert "letter_template_id" not in columns
            assert connection.execute(text("SELECT filename FROM documents")).scalars().all() == [
                "a.docx"
            ]
    finally:
        db.dispose()


def _migrate_up(db: Database, revision: str) -> None:
    with db.writer.connect() as connection:
        config = alembic_config(db)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()


def test_reviews_there_before_0039_keep_their_rows_and_their_chair_s_standing_goes_with_it(
    blank_url: str,
) -> None:
    """Revision 0039 gives each review its chair's standing and keeps the chair's
    declarations; a review there before it keeps everything it had, its chair's standing
    unknown (not assessed), and going back drops the declarations and the standing alone."""
    db = connect(blank_url)
    try:
        upgrade_to_head(db)
        with db.transaction() as session:
            chair = _area_and_its_caseworker(session)
            case = open_case(session, "derbyshire-dales")
            session.flush()
            case_id = case.id
        _migrate(db, "0038")
        db.dispose()
        with db.writer.connect() as connection:
            connection.execute(
                text(
                    "INSERT INTO reviews (case_id, number, chair_user_id, findings, created_at) "
                    "VALUES (:case_id, 1, :chair, 'Agencies did not share', :now)"
                ),
                {"case_id": case_id, "chair": chair.id, "now": datetime(2026, 3, 2, 9)},
            )
            connection.commit()
        upgrade_to_head(db)
        with db.transaction() as session:
            review = session.scalars(select(Review)).one()
            assert review.findings == "Agencies did not share"
            assert review.chair_taking_part is None and review.chair_reason is None
            review.chair_body, review.chair_taking_part = (
                "Derbyshire Dales District Council",
                ["Derbyshire Dales District Council"],
            )
            review.chair_reason, review.chair_reason_by_id = "None free in time", chair.id
            session.add(
                ChairDeclaration(
                    review_id=review.id,
                    chair_user_id=chair.id,
                    conflict=True,
                    details="Manages the ASB team",
                    declared_at=datetime(2026, 3, 3, 9, tzinfo=UTC),
                    after_meeting=False,
                )
            )
        _migrate(db, "0038")
        db.dispose()
        with db.reader.connect() as connection:
            assert "chair_declarations" not in inspect(connection).get_table_names()
            columns = {column["name"] for column in inspect(connection).get_columns("reviews")}
            findings = connection.execute(text("SELECT findings FROM reviews")).scalar_one()
        assert "chair_reason" not in columns and findings == "Agencies did not share"
        upgrade_to_head(db)
        with db.read() as session:
            assert session.scalars(select(ChairDeclaration)).all() == []
    finally:
        db.dispose()


OVERSIGHT_INDEXES = {
    "cases": {"ix_cases_oversight", "ix_cases_district_decided", "ix_cases_decided"},
    "reviews": {"ix_reviews_case_number_dates", "ix_reviews_held"},
    "recommendations": {"ix_recommendations_review_dates"},
}


def _indexes(db: Database) -> dict[str, set[str]]:
    # Read from each database's own catalogue, as the migration left it.
    catalogue = (
        "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index'"
        if db.writer.dialect.name == "sqlite"
        else "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = current_schema()"
    )
    with db.writer.connect() as connection:
        found = connection.execute(text(catalogue)).all()
    return {
        table: {name for on, name in found if on == table} & names
        for table, names in OVERSIGHT_INDEXES.items()
    }


def test_0040_adds_the_oversight_indexes_and_takes_them_away_going_back(blank_url: str) -> None:
    """The oversight figures read these indexes rather than every row; going back before
    0040 takes them away and leaves the rows, and coming back makes them again."""
    db = connect(blank_url)
    try:
        upgrade_to_head(db)
        with db.transaction() as session:
            _area_and_its_caseworker(session)
            open_case(session, "derbyshire-dales", datetime(2026, 3, 2, tzinfo=UTC).date())
        assert _indexes(db) == OVERSIGHT_INDEXES
        _migrate(db, "0040")
        assert _indexes(db)["cases"] == {"ix_cases_oversight", "ix_cases_district_decided"}
        assert _indexes(db)["reviews"] == {"ix_reviews_case_number_dates"}
        _migrate(db, "0039")
        db.dispose()
        assert _indexes(db) == {table: set() for table in OVERSIGHT_INDEXES}
        upgrade_to_head(db)
        db.dispose()
        assert _indexes(db) == OVERSIGHT_INDEXES
        with db.read() as session:
            assert session.scalar(select(Case.reference)) is not None
    finally:
        db.dispose()


def test_cases_acknowledged_before_0041_learn_the_day_from_their_acknowledgement(
    blank_url: str,
) -> None:
    """Revision 0041 gives each case the day its acknowledgement task was first completed (in
    UTC, as the oversight figures counted it from the task), and none to a case not yet
    acknowledged; going back before it takes the day away and leaves the tasks."""
    db = connect(blank_url)
    try:
        upgrade_to_head(db)
        with db.transaction() as session:
            load_area(session, read_area_file(DEFAULT_AREA_FILE))
            add_user(
                session,
                email=COUNCIL,
                name="Council",
                organisation_key="derbyshire-dales-district-council",
                roles=["caseworker"],
                password="a long enough password",
            )
            path = ROOT / "workflows" / "community_trigger_application.bpmn"
            deploy(session, path.read_bytes(), filename=path.name, forms_dir=FORMS)
        with clock.using_clock(clock.FixedClock(datetime(2026, 6, 1, 23, 30, tzinfo=UTC))):
            # Already the next day in London: the day kept is UTC's, as the task's is.
            acknowledged = submit(db, application())
            do(db, acknowledged, "acknowledge", COUNCIL, ACKNOWLEDGED)
        waiting = submit(db, application())

        def days() -> dict[int, object]:
            with db.read() as session:
                return dict(session.execute(select(Case.id, Case.acknowledged_on)).all())

        written = days()
        assert written == {acknowledged: datetime(2026, 6, 1).date(), waiting: None}
        _migrate(db, "0040")
        assert "acknowledged_on" not in {
            column["name"] for column in inspect(db.writer).get_columns("cases")
        }
        db.dispose()
        upgrade_to_head(db)
        assert days() == written
    finally:
        db.dispose()


def test_0043_lets_a_body_s_answer_carry_files_and_takes_them_away_going_back(
    blank_url: str,
) -> None:
    """Revision 0043 lets an attachment name the request for information it came with, and
    lets one sent through a body's link name no uploader; going back removes the column and
    restores the rule, and coming back makes them again."""
    db = connect(blank_url)
    try:
        upgrade_to_head(db)
        with db.reader.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("attachments")}
            checks = inspect(connection).get_check_constraints("attachments")
        assert "information_request_id" in columns
        assert any("information_request_id" in str(c["sqltext"]) for c in checks)
        _migrate(db, "0042")
        db.dispose()
        with db.reader.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("attachments")}
            checks = inspect(connection).get_check_constraints("attachments")
        assert "information_request_id" not in columns
        assert not any("information_request_id" in str(c["sqltext"]) for c in checks)
        upgrade_to_head(db)
    finally:
        db.dispose()
