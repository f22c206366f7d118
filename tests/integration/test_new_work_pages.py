"""The page where each signed-in person chooses how they hear of new tasks by email, and the
notifications page that tells them of new work."""

from __future__ import annotations

from datetime import time
from html import unescape

import pytest
from flask import Flask

from engine.core.db import Database
from tests.support.people import user
from tests.support.runtime import deploy_diagram, one_task_diagram, start
from tests.support.web import csrf_token, signed_in

PAGE = "/account/notifications"


@pytest.fixture
def app(db: Database, tmp_path) -> Flask:  # type: ignore[no-untyped-def]
    from engine.core.config import load_settings
    from web import create_app

    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    return create_app(settings, db)


def test_a_person_chooses_a_daily_summary_and_is_told_what_they_chose(
    app: Flask, db: Database
) -> None:
    police = signed_in(app, "police@example.org")
    notifications = unescape(police.get("/notifications").get_data(as_text=True))
    assert "We email you about each new task as it arrives." in notifications
    page = police.get(PAGE).get_data(as_text=True)
    assert 'value="at_once" checked' in page, "at once, until they choose otherwise"
    assert 'value="08:00"' in page, "a time is suggested"

    response = police.post(
        PAGE,
        data={"csrf_token": csrf_token(page), "new_work_email": "daily", "digest_time": "7:30"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/notifications"
    notifications = unescape(police.get("/notifications").get_data(as_text=True))
    assert "Your choice is saved. We email you a summary of new tasks once a day at 07:30." in (
        notifications
    )
    chosen = user(db, "police@example.org")
    assert (chosen.new_work_email, chosen.digest_time) == ("daily", time(7, 30))
    page = police.get(PAGE).get_data(as_text=True)
    assert 'value="daily" checked' in page and 'value="07:30"' in page


@pytest.mark.parametrize(
    ("answers", "field", "error"),
    [
        ({"new_work_email": "daily", "digest_time": "25:00"}, "digest_time", "real time of day"),
        ({"new_work_email": "daily", "digest_time": "noon"}, "digest_time", "real time of day"),
        ({"new_work_email": "daily", "digest_time": ""}, "digest_time", "Enter the time of day"),
        ({"new_work_email": "hourly", "digest_time": "09:15"}, "new_work_email", "Select how"),
        ({"digest_time": "09:15"}, "new_work_email", "Select how"),
    ],
)
def test_a_choice_that_cannot_be_kept_is_refused_on_the_form_with_the_answers_kept(
    app: Flask, db: Database, answers: dict[str, str], field: str, error: str
) -> None:
    police = signed_in(app, "police@example.org")
    page = police.get(PAGE).get_data(as_text=True)
    response = police.post(PAGE, data={"csrf_token": csrf_token(page), **answers})
    assert response.status_code == 400
    refused = response.get_data(as_text=True)
    assert "<title>Error: How you hear of new tasks" in refused
    assert "govuk-error-summary" in refused and f'href="#{field}"' in refused
    assert error in refused
    assert f'value="{answers["digest_time"]}"' in refused, "what they typed is kept"
    if answers.get("new_work_email") == "daily":
        assert 'value="daily" checked' in refused
    assert user(db, "police@example.org").new_work_email == "at_once", "nothing is kept"


def test_someone_who_does_not_work_on_cases_may_choose_too(app: Flask, db: Database) -> None:
    from tests.support.people import add_people

    add_people(db, [("owner@example.org", "derbyshire-dales-district-council", ["process_owner"])])
    owner = signed_in(app, "owner@example.org")
    page = owner.get(PAGE).get_data(as_text=True)
    assert "Your roles do not work on cases, so no tasks come to you." in page
    response = owner.post(PAGE, data={"csrf_token": csrf_token(page), "new_work_email": "never"})
    assert response.status_code == 302
    assert user(db, "owner@example.org").new_work_email == "never"


def test_new_work_is_in_the_notifications_with_a_link_to_the_task(app: Flask, db: Database) -> None:
    deploy_diagram(db, one_task_diagram("returned", "police"))
    task_id = start(db, "returned")
    page = unescape(
        signed_in(app, "police@example.org").get("/notifications").get_data(as_text=True)
    )
    assert "You have 1 unread notification." in page
    assert "New task in your organisation's queue" in page
    assert f'href="/tasks/{task_id}"' in page
    council = signed_in(app, "council@example.org").get("/notifications").get_data(as_text=True)
    assert "You have no notifications." in council
