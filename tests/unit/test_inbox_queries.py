"""The engine queries the task pages and the JSON API share: inboxes, a case, a task."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select, update

from engine.core.clock import FixedClock
from engine.core.config import load_settings
from engine.core.db import Database
from engine.core.errors import Conflict, InvalidData, NotAllowed, NotFound
from engine.core.models import Attachment, AuditEvent, Document, Task, TaskCandidate, User
from engine.intake.appeals import submit_appeal
from engine.records.attachments import attach_file, remove_attachment
from engine.work import task_view
from engine.work.case_view import case_documents, case_summary
from engine.work.inbox import (
    _MOST_IDS_LISTED,
    inbox_filters,
    list_tasks,
    my_tasks,
    organisation_tasks,
    rows_for_tasks,
)
from tests.support.files import FORMS
from tests.support.people import add_people, user
from tests.support.procedure import (
    DALES_COUNCIL,
    NO_RETURN,
    SETTINGS,
    TODAY,
    application,
    case_of,
    chaired_meeting,
    do,
    hold_meeting,
    live,
    meeting_scheduled,
    met_case,
    prepare,
    submit,
)
from tests.support.web import form_token, signed_in
from tests.support.work import rows
from web import create_app

COUNCIL = "council@example.org"
ACKNOWLEDGED = {"acknowledged_on": TODAY, "method": "email"}


@pytest.fixture
def all_db(app_db: Database) -> Database:
    return prepare(app_db)


def screened(db: Database, district: str = "derbyshire-dales") -> int:
    """A case whose information requests have gone out to every relevant body."""
    case_id = submit(db, application(district=district))
    council = COUNCIL if district == "derbyshire-dales" else "erewash@example.org"
    do(db, case_id, "acknowledge", council, ACKNOWLEDGED)
    do(db, case_id, "screen", council, {"route": "review", "hate_element": False})
    return case_id


# Inboxes


def test_a_new_application_waits_in_the_council_inbox_until_claimed(all_db: Database) -> None:
    db = all_db
    case_id = submit(db, application())
    reference = case_of(db, case_id).reference
    (row,) = rows(db, COUNCIL, "organisation")
    assert (row.title, row.spec_name, row.form) == (
        "Acknowledge the application",
        "acknowledge",
        "acknowledgement",
    )
    assert (row.case_reference, row.district_key, row.district_name) == (
        reference,
        "derbyshire-dales",
        "Derbyshire Dales",
    )
    assert row.organisation_keys == (DALES_COUNCIL,)
    assert row.organisation_names == ("Derbyshire Dales District Council",)
    assert (row.state, row.assignee_id, row.assignee_name) == ("open", None, None)
    assert row.due_on == date(2026, 3, 9)
    assert (row.working_days_left, row.is_overdue, row.overdue_by) == (5, False, 0)
    assert (row.escalation_level, row.process_key) == (0, "community_trigger_application")
    assert rows(db, COUNCIL, "mine") == []
    assert rows(db, "police@example.org", "organisation") == []

    task_view.claim_task(db, row.task_id, user(db, COUNCIL))
    assert rows(db, COUNCIL, "organisation") == []
    (mine,) = rows(db, COUNCIL, "mine")
    assert (mine.task_id, mine.state, mine.assignee_name) == (row.task_id, "claimed", "Council")
    assert rows(db, "council2@example.org", "mine") == [], "claimed by a colleague, not by me"
    with db.read() as session:
        council = user(db, COUNCIL)
        assert [r.task_id for r in my_tasks(session, council)] == [row.task_id]
        assert organisation_tasks(session, council) == []


def test_soonest_due_first_undated_last_then_in_order_made(all_db: Database, fixed_clock) -> None:
    db = all_db
    first = submit(db, application())
    fixed_clock.advance(timedelta(days=1))
    second = submit(db, application())
    third = submit(db, application())
    ids = {case_id: live(db, case_id)["acknowledge"].id for case_id in (first, second, third)}
    with db.transaction() as session:
        # A task whose diagram sets no due date sorts after every dated one.
        session.execute(update(Task).where(Task.id == ids[first]).values(due_on=None))
        session.execute(
            update(TaskCandidate).where(TaskCandidate.task_id == ids[first]).values(due_on=None)
        )
    listed = [row.task_id for row in rows(db, COUNCIL, "organisation")]
    assert listed == [ids[second], ids[third], ids[first]]
    assert [row.task_id for row in rows(db, COUNCIL, "organisation", limit=2)] == listed[:2]
    assert rows(db, COUNCIL, "organisation")[-1].working_days_left is None


def test_pages_of_an_inbox_list_each_task_once_in_order(all_db: Database, fixed_clock) -> None:
    db = all_db
    for _ in range(7):
        submit(db, application())
        fixed_clock.advance(timedelta(hours=1))
    whole = [row.task_id for row in rows(db, COUNCIL, "organisation")]
    pages = [
        [row.task_id for row in rows(db, COUNCIL, "organisation", limit=3, offset=start)]
        for start in (0, 3, 6, 9)
    ]
    assert len(whole) == 7
    assert pages == [whole[0:3], whole[3:6], whole[6:7], []]


def test_a_long_page_lists_what_short_pages_list(all_db: Database, fixed_clock) -> None:
    """A page of more than a few tasks is read by its own statement on PostgreSQL (the ids
    as one array): it must list the same rows, organisations and order as short pages."""
    db = all_db
    for _ in range(_MOST_IDS_LISTED + 2):
        submit(db, application())
        fixed_clock.advance(timedelta(hours=1))
    whole = rows(db, COUNCIL, "organisation")
    in_threes = [
        row
        for start in range(0, len(whole), 3)
        for row in rows(db, COUNCIL, "organisation", limit=3, offset=start)
    ]
    assert len(whole) == _MOST_IDS_LISTED + 2
    assert whole == in_threes
    assert {row.organisation_keys for row in whole} == {("derbyshire-dales-district-council",)}


def test_a_completion_s_few_tasks_read_as_a_page_of_them_does(
    all_db: Database, fixed_clock
) -> None:
    """On PostgreSQL a few tasks (those a completion made ready) are read by a statement that
    looks their district, assignee and process up, a page of many by one that joins them:
    the two must give the same rows."""
    db = all_db
    for _ in range(_MOST_IDS_LISTED + 2):
        submit(db, application())
        fixed_clock.advance(timedelta(hours=1))
    ids = [row.task_id for row in rows(db, COUNCIL, "organisation")]
    task_view.claim_task(db, ids[1], user(db, COUNCIL))
    with db.read() as session:
        as_a_page = rows_for_tasks(session, ids)
        few_at_a_time = [
            row
            for start in range(0, len(ids), 3)
            for row in rows_for_tasks(session, ids[start : start + 3])
        ]
    assert len(as_a_page) == _MOST_IDS_LISTED + 2
    assert as_a_page == few_at_a_time
    assert [(row.task_id, row.assignee_name) for row in as_a_page if row.assignee_name] == [
        (ids[1], user(db, COUNCIL).name)
    ]
    assert {(row.district_key, row.district_name, row.process_key) for row in as_a_page} == {
        ("derbyshire-dales", "Derbyshire Dales", "community_trigger_application")
    }


def test_filters_by_district_process_and_task(all_db: Database) -> None:
    db = all_db
    dales = screened(db)
    erewash = screened(db, "erewash")
    police = "police@example.org"
    both = rows(db, police, "organisation")
    assert {row.case_reference for row in both} == {
        case_of(db, dales).reference,
        case_of(db, erewash).reference,
    }
    (only,) = rows(db, police, "organisation", district="erewash")
    assert only.case_reference == case_of(db, erewash).reference
    assert rows(db, police, "organisation", district="atlantis") == []
    assert len(rows(db, police, "organisation", process="community_trigger_application")) == 2
    assert rows(db, police, "organisation", process="asb_case_review") == []

    # A multi-instance task is known by its diagram's name, without the " [child]" suffix.
    (housing,) = rows(db, "housing@example.org", "organisation", task="housing_return")
    assert housing.spec_name == "housing_return"
    assert housing.organisation_keys == ("dales-housing",)
    assert rows(db, "housing@example.org", "organisation", task="housing") == []
    assert len(rows(db, COUNCIL, "organisation", task="council_return")) == 1
    with pytest.raises(InvalidData) as refused:
        rows(db, COUNCIL, "everything")
    assert "mine, organisation, overdue" in refused.value.fields["scope"]


def test_overdue_is_for_managers_and_lists_claimed_and_unclaimed(
    all_db: Database, fixed_clock
) -> None:
    db = all_db
    case_id = screened(db)
    returns = live(db, case_id)
    task_view.claim_task(db, returns["council_return"].id, user(db, "council2@example.org"))
    with pytest.raises(NotAllowed):
        rows(db, COUNCIL, "overdue")
    assert rows(db, "manager@example.org", "overdue") == [], "due on 16 March, today is 2 March"

    fixed_clock.advance(timedelta(days=16))  # Wednesday 18 March: two working days late
    late = rows(db, "manager@example.org", "overdue")
    assert [(row.spec_name, row.state) for row in late] == [("council_return", "claimed")]
    assert (late[0].is_overdue, late[0].overdue_by, late[0].working_days_left) == (True, 2, -2)
    assert late[0].assignee_name == "Council2"
    police_late = rows(db, "police.manager@example.org", "overdue")
    assert [(row.spec_name, row.state) for row in police_late] == [("police_return", "open")]


def test_the_list_is_two_queries_however_long(all_db: Database) -> None:
    db = all_db
    for _ in range(6):
        screened(db)
    police = user(db, "police@example.org")
    statements: list[str] = []

    def count(_conn, _cursor, statement: str, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(db.reader, "before_cursor_execute", count)
    try:
        with db.read() as session:
            listed = list_tasks(session, police, "organisation")
    finally:
        event.remove(db.reader, "before_cursor_execute", count)
    assert len(listed) == 6
    # The page's ids (dated and undated ranges together), then their rows with their
    # candidate organisations: no query per row.
    assert len(statements) == 2, statements


def test_people_who_do_not_work_on_cases_have_empty_inboxes(all_db: Database) -> None:
    db = all_db
    submit(db, application())
    assert rows(db, "owner@example.org", "organisation") == []
    with db.read() as session:
        assert inbox_filters(session, user(db, "owner@example.org")) == {
            "districts": [],
            "processes": [],
            "tasks": [],
        }


def test_filters_offer_the_districts_served_and_the_tasks_an_organisation_can_be_given(
    all_db: Database, fixed_clock
) -> None:
    db = all_db

    def choices(email: str) -> dict:
        with db.read() as session:
            return inbox_filters(session, user(db, email))

    housing = choices("housing@example.org")
    assert housing["districts"] == [{"key": "derbyshire-dales", "name": "Derbyshire Dales"}]
    housing_tasks = {task["name"] for task in housing["tasks"]}
    assert {"housing_return", "housing_actions"} <= housing_tasks
    assert "police_return" not in housing_tasks and "acknowledge" not in housing_tasks
    assert [p["key"] for p in housing["processes"]] == [
        "asb_case_review",
        "community_trigger_application",
    ], "by name: ASB case review, Community Trigger application"

    police = choices("police@example.org")
    assert [d["key"] for d in police["districts"]][:3] == [
        "amber-valley",
        "bolsover",
        "chesterfield",
    ], "in the published order"
    assert len(police["districts"]) == 9
    assert {"name": "police_return", "title": "Police information return"} in police["tasks"]

    council_tasks = {task["name"] for task in choices(COUNCIL)["tasks"]}
    assert {"acknowledge", "police_return", "case_file"} <= council_tasks, (
        "the council takes any role no one else plays on a case"
    )
    assert "opcc_appeal" in [p["key"] for p in choices("opcc@example.org")["processes"]]

    # A chair from High Peak chairs a Dales review: once the meeting is theirs to record, the
    # Dales becomes a choice for them; before, there is nothing of theirs there to narrow to.
    assert [d["key"] for d in choices("chair@example.org")["districts"]] == ["high-peak"]
    case_id = meeting_scheduled(db, "chair@example.org")
    assert [d["key"] for d in choices("chair@example.org")["districts"]] == ["high-peak"]
    do(db, case_id, "chase_returns", COUNCIL, {"all_returns_in": True})
    do(db, case_id, "meeting_pack", COUNCIL, {"pack_ready_on": "2026-03-17"})
    assert [d["key"] for d in choices("chair@example.org")["districts"]] == [
        "derbyshire-dales",
        "high-peak",
    ]


def test_a_chair_s_task_is_the_chair_s_alone_not_their_organisation_s(
    all_db: Database, fixed_clock
) -> None:
    """A High Peak chair chairs a Dales review: the chair's colleagues take no part in the
    case, so the chair's task is in none of their inboxes, late or released."""
    db = all_db
    add_people(
        db,
        [
            ("hp.manager@example.org", "high-peak-borough-council", ["manager", "caseworker"]),
            ("hp.caseworker@example.org", "high-peak-borough-council", ["caseworker"]),
        ],
    )
    _case_id, task_id = chaired_meeting(db, "chair@example.org")
    chair = user(db, "chair@example.org")
    with db.read() as session:
        (candidate,) = session.scalars(
            select(TaskCandidate).where(TaskCandidate.task_id == task_id)
        ).all()
    assert (candidate.organisation_id, candidate.user_id) == (chair.organisation_id, chair.id)
    assert [row.task_id for row in rows(db, "chair@example.org")] == [task_id]

    fixed_clock.advance(timedelta(days=30))  # the record was due on 23 March
    assert rows(db, "hp.manager@example.org", "overdue") == []
    task_view.release_task(db, task_id, chair)
    assert [row.task_id for row in rows(db, "chair@example.org", "organisation")] == [task_id]
    for colleague in ("hp.caseworker@example.org", "hp.manager@example.org"):
        assert rows(db, colleague, "organisation") == []
        with pytest.raises(NotFound):
            task_view.claim_task(db, task_id, user(db, colleague))
        with db.read() as session:
            offered = inbox_filters(session, user(db, colleague))["districts"]
        assert [d["key"] for d in offered] == ["high-peak"], "nothing of theirs in the Dales"
    assert rows(db, "hp.manager@example.org", "overdue") == []
    assert task_view.claim_task(db, task_id, chair).assignee_id == chair.id


def test_a_chair_from_the_managing_council_alone_may_do_the_chair_s_task(
    all_db: Database,
) -> None:
    """A Dales officer chairs a Dales review: the council's caseworkers and managers see the
    case, but the chair's task is the chair's to claim, complete or hand back."""
    db = all_db
    add_people(db, [("dales.chair@example.org", DALES_COUNCIL, ["review_chair"])])
    case_id, task_id = chaired_meeting(db, "dales.chair@example.org")
    chair, manager = user(db, "dales.chair@example.org"), user(db, "manager@example.org")
    task_view.release_task(db, task_id, chair)
    assert rows(db, COUNCIL, "organisation") == []
    with db.read() as session:
        seen = task_view.task_row(session, user(db, COUNCIL), task_id)
    assert seen.task_id == task_id, "the council sees the task on its case"
    with pytest.raises(NotAllowed):
        task_view.claim_task(db, task_id, user(db, COUNCIL))
    with pytest.raises(NotAllowed):
        task_view.reassign_task(db, task_id, manager, user(db, COUNCIL).id)
    with pytest.raises(NotAllowed):
        task_view.complete_task(
            db, task_id, user(db, COUNCIL), {"held_on": "2026-03-20"}, forms_dir=FORMS
        )
    assert [row.task_id for row in rows(db, "dales.chair@example.org", "organisation")] == [task_id]
    with pytest.raises(NotAllowed):
        task_view.save_draft(db, task_id, user(db, COUNCIL), {"findings": "not theirs"})
    with pytest.raises(NotAllowed):
        attach_file(db, task_id, user(db, COUNCIL), "notes.pdf", b"%PDF-1.4 not theirs")
    task_view.claim_task(db, task_id, chair)
    assert live(db, case_id)["record_meeting"].assignee_id == chair.id
    notes = attach_file(db, task_id, chair, "notes.pdf", b"%PDF-1.4 the chair's notes")
    with pytest.raises(NotAllowed):
        remove_attachment(db, notes, user(db, COUNCIL))
    remove_attachment(db, notes, chair)


def test_the_chair_s_task_page_says_it_is_the_chair_s_alone(all_db: Database, tmp_path) -> None:
    db = all_db
    add_people(db, [("dales.chair@example.org", DALES_COUNCIL, ["review_chair"])])
    _case_id, task_id = chaired_meeting(db, "dales.chair@example.org")
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    app = create_app(settings, db)

    def page(email: str) -> str:
        answer = signed_in(app, email).get(f"/tasks/{task_id}")
        assert answer.status_code == 200
        return " ".join(answer.get_data(as_text=True).split())

    chair_page = page("dales.chair@example.org")
    assert "Release it" not in chair_page, "a chair has no one to release their task to"
    for colleague in (COUNCIL, "manager@example.org"):
        seen = page(colleague)
        assert "This task is for Dales.Chair alone" in seen
        assert "Reassign to" not in seen and "A manager can reassign it" not in seen

    notes = attach_file(db, task_id, user(db, "dales.chair@example.org"), "n.pdf", b"%PDF-1.4 n")
    council = signed_in(app, COUNCIL)
    refused = council.post(
        f"/tasks/{task_id}/attachments/{notes}/remove",
        data={"csrf_token": form_token(council, "/sign-out")},
    )
    assert refused.status_code == 403
    assert "only whoever does this task can take files off it" in refused.get_data(as_text=True)
    with db.read() as session:
        assert session.get(Attachment, notes) is not None


# A case


def viewed(db: Database) -> list[tuple[int | None, int | None]]:
    with db.read() as session:
        return [
            (event.case_id, event.user_id)
            for event in session.scalars(
                select(AuditEvent).where(AuditEvent.action == "case.viewed").order_by(AuditEvent.id)
            )
        ]


def test_a_participant_sees_the_case_and_the_look_is_audited(all_db: Database) -> None:
    db = all_db
    case_id = screened(db)
    reference = case_of(db, case_id).reference
    held = {"occurred_on": "2025-12-24", "reported_on": "2025-12-24", "reference": "P-1"}
    do(db, case_id, "police_return", "police@example.org", {**NO_RETURN, "incidents": [held]})
    with db.transaction() as session:
        seen = case_summary(session, user(db, "police@example.org"), reference)
    assert (seen["reference"], seen["status"], seen["district"]["key"]) == (
        reference,
        "awaiting_information",
        "derbyshire-dales",
    )
    assert seen["applicant"]["name"] == "Sam Taylor", "every participant sees who applied"
    assert seen["applicant"]["contact_preference"] == "email"
    assert seen["decision"] == {"threshold_met": None, "basis": None, "decided_on": None}
    chronology = [(i["occurred_on"], i["source"]) for i in seen["incidents"]]
    assert chronology == sorted(chronology, key=lambda item: item[0])
    assert chronology[0] == (date(2025, 12, 24), "derbyshire-constabulary")
    assert seen["incidents"][0]["source_name"] == "Derbyshire Constabulary"
    assert {p["role"] for p in seen["participants"]} == {"council", "police", "housing", "health"}
    tasks = {t["name"]: t for t in seen["tasks"]}
    assert tasks["acknowledge"]["state"] == "completed"
    assert tasks["acknowledge"]["completed_by"]["name"] == "Council"
    assert tasks["police_return"]["completed_by"]["name"] == "Police"
    assert tasks["housing_return"]["organisations"] == [
        {"key": "dales-housing", "name": "Dales Housing"}
    ]
    assert [p["key"] for p in seen["processes"]] == ["community_trigger_application"]
    assert "audit" not in seen, "the police do not read the council's audit trail"
    assert viewed(db) == [(case_id, user(db, "police@example.org").id)]

    with db.transaction() as session:
        managed = case_summary(session, user(db, COUNCIL), reference)
    actions = [event["action"] for event in managed["audit"]]
    assert "case.opened" in actions and "information.requested" in actions
    assert actions[-1] == "case.viewed"


def test_outside_need_to_know_a_case_does_not_exist(all_db: Database) -> None:
    db = all_db
    reference = case_of(db, submit(db, application())).reference
    for email in ("futures@example.org", "erewash@example.org", "owner@example.org"):
        with pytest.raises(NotFound) as hidden, db.transaction() as session:
            case_summary(session, user(db, email), reference)
        with pytest.raises(NotFound) as missing, db.transaction() as session:
            case_summary(session, user(db, email), "CT-2026-99999")
        assert str(hidden.value).replace(reference, "") == str(missing.value).replace(
            "CT-2026-99999", ""
        ), "the same answer as for a case that does not exist"
        with pytest.raises(NotFound), db.read() as session:
            case_documents(session, user(db, email), reference)
    assert viewed(db) == []


def test_reviews_recommendations_appeals_and_documents_are_on_the_case(
    all_db: Database, fixed_clock: FixedClock
) -> None:
    db = all_db
    case_id = met_case(db)
    plan = [
        {"organisation": "dales-housing", "action": "Warn the tenant", "due_date": "2026-04-03"}
    ]
    hold_meeting(db, case_id, plan, fixed_clock)
    letter = {"sent_on": "2026-03-20", "method": "post", "updates": "Monthly"}
    do(db, case_id, "outcome_letter", COUNCIL, letter)
    reference = case_of(db, case_id).reference
    appeal = {
        "case_reference": reference,
        "letter_date": "2026-03-20",
        "grounds": ["threshold_decision"],
    }
    with db.transaction() as session:
        submit_appeal(session, appeal, SETTINGS)
        # Whatever letters the steps wrote, one more version of the outcome letter, posted.
        version = session.scalar(
            select(func.max(Document.version)).where(
                Document.case_id == case_id, Document.kind == "outcome_letter"
            )
        )
        session.add(
            Document(
                case_id=case_id,
                kind="outcome_letter",
                version=(version or 0) + 1,
                filename="outcome.docx",
                sha256="0" * 64,
                content=b"PK",
                created_at=fixed_clock.now(),
                delivery="post",
            )
        )
    with db.transaction() as session:
        seen = case_summary(session, user(db, "opcc@example.org"), reference)
    (review,) = seen["reviews"]
    assert (review["number"], review["held_on"], review["chair"]["name"]) == (
        1,
        date(2026, 3, 20),
        "Chair",
    )
    (recommendation,) = review["recommendations"]
    assert recommendation["organisation"]["key"] == "dales-housing"
    assert recommendation["action"] == "Warn the tenant"
    (lodged,) = seen["appeals"]
    assert lodged["grounds"] == ["threshold_decision"] and lodged["outcome"] is None
    assert seen["status"] == "appeal_lodged"
    assert "audit" in seen, "the OPCC reads the audit trail of cases appealed to it"
    document = seen["documents"][-1]
    assert (document["kind"], document["filename"], document["delivery"]) == (
        "outcome_letter",
        "outcome.docx",
        "post",
    )
    assert set(document) == {
        "id",
        "kind",
        "version",
        "filename",
        "sha256",
        "created_at",
        "delivery",
        "dispatched_at",
    }, "never the content"
    with db.read() as session:
        listed = case_documents(session, user(db, "housing@example.org"), reference)
    assert listed == seen["documents"]


# A task


def test_task_detail_has_the_form_the_draft_and_what_the_caller_may_do(all_db: Database) -> None:
    db = all_db
    case_id = submit(db, application())
    task_id = live(db, case_id)["acknowledge"].id
    with db.transaction() as session:
        detail = task_view.task_detail(session, user(db, COUNCIL), task_id, FORMS)
    assert detail["schema"]["title"] == "Acknowledge the application"
    assert detail["draft"] is None and detail["data"] is None
    assert detail["actions"] == {
        "claim": True,
        "release": False,
        "reassign": False,
        "save_draft": True,
        "complete": True,
    }
    assert viewed(db) == [(case_id, user(db, COUNCIL).id)], "a task's answers are personal data"
    with db.transaction() as session:
        police = task_view.task_detail(session, user(db, "police@example.org"), task_id, FORMS)
    assert not any(police["actions"].values()), "a participant may look, not act"
    for outsider in ("erewash@example.org", "owner@example.org"):
        with pytest.raises(NotFound), db.transaction() as session:
            task_view.task_detail(session, user(db, outsider), task_id, FORMS)
    with pytest.raises(NotFound), db.transaction() as session:
        task_view.task_detail(session, user(db, COUNCIL), 999_999, FORMS)


def test_drafts_belong_to_the_holder_or_while_unclaimed_the_organisation(
    all_db: Database,
) -> None:
    db = all_db
    case_id = submit(db, application())
    task_id = live(db, case_id)["acknowledge"].id
    saved = task_view.save_draft(db, task_id, user(db, COUNCIL), {"notes": "Phoned them"})
    assert saved.draft == {"notes": "Phoned them"}
    with db.transaction() as session:
        detail = task_view.task_detail(session, user(db, COUNCIL), task_id, FORMS)
    assert detail["draft"] == {"notes": "Phoned them"}
    with pytest.raises(NotAllowed):
        task_view.save_draft(db, task_id, user(db, "police@example.org"), {"notes": "x"})
    with pytest.raises(NotFound):
        task_view.save_draft(db, task_id, user(db, "erewash@example.org"), {"notes": "x"})
    with pytest.raises(InvalidData) as refused:
        task_view.save_draft(db, task_id, user(db, COUNCIL), ["not", "answers"])  # type: ignore[arg-type]
    assert "data" in refused.value.fields

    colleague = "council2@example.org"
    task_view.claim_task(db, task_id, user(db, colleague))
    with pytest.raises(Conflict):
        task_view.save_draft(db, task_id, user(db, COUNCIL), {"notes": "mine now?"})
    task_view.save_draft(db, task_id, user(db, colleague), {"method": "email"})
    do(db, case_id, "acknowledge", colleague, ACKNOWLEDGED)
    with pytest.raises(Conflict):
        task_view.save_draft(db, task_id, user(db, colleague), {"notes": "late"})
    with db.read() as session:
        assert session.get(Task, task_id).draft is None, "completing clears the draft"
        saves = session.scalars(
            select(AuditEvent.detail)
            .where(AuditEvent.action == "task.draft_saved")
            .order_by(AuditEvent.id)
        ).all()
    assert saves == [{"fields": ["notes"]}, {"fields": ["method"]}], "names only, not answers"


def test_a_manager_reassigns_within_their_organisation(all_db: Database) -> None:
    db = all_db
    case_id = submit(db, application())
    task_id = live(db, case_id)["acknowledge"].id
    colleague = user(db, "council2@example.org")
    with pytest.raises(NotAllowed):
        task_view.reassign_task(db, task_id, user(db, COUNCIL), colleague.id)
    with pytest.raises(NotAllowed):
        task_view.reassign_task(db, task_id, user(db, "police.manager@example.org"), colleague.id)
    manager = user(db, "manager@example.org")
    for unsuitable in ("police@example.org", "owner@example.org"):
        with pytest.raises(InvalidData) as refused:
            task_view.reassign_task(db, task_id, manager, user(db, unsuitable).id)
        assert "user_id" in refused.value.fields
    with db.transaction() as session:
        session.execute(update(User).where(User.id == colleague.id).values(active=False))
    with pytest.raises(InvalidData):
        task_view.reassign_task(db, task_id, manager, colleague.id)
    with db.transaction() as session:
        session.execute(update(User).where(User.id == colleague.id).values(active=True))

    task = task_view.reassign_task(db, task_id, manager, colleague.id)
    assert (task.state, task.assignee_id) == ("claimed", colleague.id)
    task = task_view.reassign_task(db, task_id, manager, user(db, COUNCIL).id)
    assert task.assignee_id == user(db, COUNCIL).id, "a claimed task can be handed on too"
    with db.read() as session:
        moves = session.scalars(
            select(AuditEvent.user_id).where(AuditEvent.action == "task.reassigned")
        ).all()
    assert moves == [manager.id, manager.id]
    do(db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    with pytest.raises(Conflict):
        task_view.reassign_task(db, task_id, manager, colleague.id)


def test_claim_release_and_complete_check_need_to_know_first(all_db: Database) -> None:
    db = all_db
    case_id = submit(db, application())
    task_id = live(db, case_id)["acknowledge"].id
    council = user(db, COUNCIL)
    with pytest.raises(NotFound):
        task_view.claim_task(db, task_id, user(db, "owner@example.org"))
    with pytest.raises(NotAllowed):
        task_view.claim_task(db, task_id, user(db, "police@example.org"))
    task_view.claim_task(db, task_id, council)
    with pytest.raises(Conflict):
        task_view.claim_task(db, task_id, user(db, "council2@example.org"))
    with pytest.raises(NotAllowed):
        task_view.release_task(db, task_id, user(db, "council2@example.org"))
    assert task_view.release_task(db, task_id, user(db, "manager@example.org")).state == "open"

    with pytest.raises(InvalidData) as refused:
        task_view.complete_task(db, task_id, council, {"method": "pigeon"}, forms_dir=FORMS)
    assert set(refused.value.fields) == {"acknowledged_on", "method"}
    done = task_view.complete_task(db, task_id, council, ACKNOWLEDGED, forms_dir=FORMS)
    assert (done.task.task_id, done.task.state) == (task_id, "completed")
    assert done.process_finished is False
    assert [row.spec_name for row in done.ready] == ["screen"]
    assert done.as_dict()["ready"][0]["case_reference"] == case_of(db, case_id).reference
    with pytest.raises(Conflict):
        task_view.complete_task(db, task_id, council, ACKNOWLEDGED, forms_dir=FORMS)
