"""A review chair's task is the chair's alone: not their organisation's, nor that of the
council managing the review, in any inbox, claim, draft or file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.core.db import Database
from engine.core.errors import NotAllowed, NotFound
from engine.core.models import TaskCandidate
from engine.records.attachments import attach_file, remove_attachment
from engine.work import task_view
from engine.work.inbox import inbox_filters
from tests.support.files import FORMS
from tests.support.people import COUNCIL, add_people, user
from tests.support.procedure import DALES_CHAIR_REASON, DALES_COUNCIL, chaired_meeting, live
from tests.support.work import rows


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
    case_id, task_id = chaired_meeting(db, "dales.chair@example.org", DALES_CHAIR_REASON)
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
