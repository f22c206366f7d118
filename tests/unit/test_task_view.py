"""A task as the engine shows it to the task pages and the JSON API: its form and draft, and
what the caller may do with it (claim, release, reassign, complete), need-to-know first."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from engine.core.db import Database
from engine.core.errors import Conflict, InvalidData, NotAllowed, NotFound
from engine.core.models import AuditEvent, Task, User
from engine.work import task_view
from tests.support.files import FORMS
from tests.support.people import COUNCIL, user
from tests.support.procedure import ACKNOWLEDGED, application, case_of, do, live, submit
from tests.support.work import viewed


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
    assert set(refused.value.fields) == {"method"}
    done = task_view.complete_task(db, task_id, council, ACKNOWLEDGED, forms_dir=FORMS)
    assert (done.task.task_id, done.task.state) == (task_id, "completed")
    assert done.process_finished is False
    assert [row.spec_name for row in done.ready] == ["screen"]
    assert done.as_dict()["ready"][0]["case_reference"] == case_of(db, case_id).reference
    with pytest.raises(Conflict):
        task_view.complete_task(db, task_id, council, ACKNOWLEDGED, forms_dir=FORMS)
