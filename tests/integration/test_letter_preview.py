"""A letter read before it goes: the task that sends it shows it as it will be sent, marks the
paragraphs quoting what staff recorded, lets the sender word those for the applicant, and
sends what was shown."""

from __future__ import annotations

from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from engine.core.config import load_settings
from engine.core.db import Database
from engine.core.models import AuditEvent
from tests.support.letters import (
    RECORDED_PERSISTENCE,
    REWORDED_PERSISTENCE,
    decision_letter_waiting,
    letter,
    outbox,
    texts,
)
from tests.support.people import COUNCIL
from tests.support.procedure import application, live, submit, through_to_decision
from tests.support.web import csrf_token, signed_in
from web import create_app

RECORDED, REWORDED = RECORDED_PERSISTENCE, REWORDED_PERSISTENCE


@pytest.fixture
def app(app_db: Database, tmp_path) -> Flask:
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": app_db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    return create_app(settings, app_db)


@pytest.fixture
def letter_task(app_db: Database) -> tuple[int, int]:
    return decision_letter_waiting(app_db)


def opened(app: Flask, task_id: int) -> tuple[FlaskClient, str]:
    """The council officer's page of a task that is theirs (they did the case's step before
    it), and their client."""
    client = signed_in(app, COUNCIL)
    return client, client.get(f"/tasks/{task_id}").get_data(as_text=True)


def test_the_letter_is_shown_before_it_goes_with_quoted_paragraphs_marked_and_worded_there(
    app: Flask, app_db: Database, letter_task: tuple[int, int]
) -> None:
    case_id, task_id = letter_task
    client, page = opened(app, task_id)
    shown = unescape(page)
    assert "The letter as it will be sent" in shown
    assert "Your application meets the threshold for an ASB Case Review" in shown
    assert "Quoted</strong> from the threshold decision's reasons" in shown
    assert 'name="wording.persistence"' in page and RECORDED in shown
    assert "Complete task and send the letter" in shown

    # Worded for the applicant and saved: the preview, its document and the letter sent agree.
    answers = {"csrf_token": csrf_token(page), "method": "email", "wording.persistence": REWORDED}
    client.post(f"/tasks/{task_id}", data={**answers, "action": "draft"})
    again = unescape(client.get(f"/tasks/{task_id}").get_data(as_text=True))
    assert REWORDED in again and RECORDED not in again
    previewed = client.get(f"/tasks/{task_id}/letter.docx")
    assert previewed.status_code == 200
    assert previewed.headers["Cache-Control"] == "no-store"
    assert previewed.headers["Content-Disposition"].endswith("-preview.docx")
    with app_db.read() as session:
        assert (
            session.scalar(select(func.count()).where(AuditEvent.action == "letter.previewed")) == 1
        ), "the look at the letter is in the case's trail"

    client.post(f"/tasks/{task_id}", data={**answers, "action": "complete"})
    sent = letter(app_db, case_id, "threshold_decision_letter")
    assert REWORDED in texts(sent) and RECORDED not in texts(sent)
    assert REWORDED in outbox(app_db, sent).body


def test_a_letter_is_offered_only_to_whoever_is_to_send_it(
    app: Flask, app_db: Database, letter_task: tuple[int, int]
) -> None:
    _, task_id = letter_task
    police = signed_in(app, "police@example.org")
    assert police.get(f"/tasks/{task_id}/letter.docx").status_code == 403
    assert "The letter as it will be sent" not in police.get(f"/tasks/{task_id}").get_data(
        as_text=True
    )
    council = signed_in(app, COUNCIL)
    assert council.get("/tasks/999999/letter.docx").status_code == 404
    acknowledge = live(app_db, submit(app_db, application()))["acknowledge"].id
    assert council.get(f"/tasks/{acknowledge}/letter.docx").status_code == 200, "its own letter"


def test_the_forms_say_which_answers_the_applicant_reads_word_for_word(
    app: Flask, app_db: Database
) -> None:
    case_id = submit(app_db, application())
    through_to_decision(app_db, case_id)
    _, page = opened(app, live(app_db, case_id)["threshold_decision"].id)
    assert unescape(page).count("The applicant reads this in a letter, word for word") == 4
