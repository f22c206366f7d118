"""The pages people read their notifications on, and the outbox administrators watch."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.models import Notification
from engine.procedure.sweeps import run_due
from tests.support.mail import message, state_of
from tests.support.people import DEMO_PASSWORD
from tests.support.runtime import at, deploy_diagram, one_task_diagram, start
from tests.support.web import csrf_token, signed_in


@pytest.fixture
def app(db: Database, tmp_path) -> Flask:  # type: ignore[no-untyped-def]
    from engine.core.config import load_settings
    from web import create_app

    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    return create_app(settings, db)


def test_people_see_their_own_notifications_and_mark_them_read(
    app: Flask, db: Database, fixed_clock: FixedClock
) -> None:
    deploy_diagram(db, one_task_diagram("chased", "police"))
    start(db, "chased")
    fixed_clock.set(at(date(2026, 3, 5)))
    run_due(db)
    message(db, "for-housing", "housing@example.org", subject="Not for the police")

    police = signed_in(app, "police@example.org")
    page = police.get("/notifications").get_data(as_text=True)
    # Told of the task when it arrived, then reminded of it.
    assert "You have 2 unread notifications." in page
    assert "New task in your organisation&#39;s queue" in page
    assert "Reminder: &#39;Do the work&#39; for case CT-2026-" in page
    assert "Not for the police" not in page
    with db.read() as session:
        mine = session.scalar(
            select(Notification).where(
                Notification.email == "police@example.org", Notification.kind == "reminder"
            )
        )
        theirs = session.scalar(select(Notification).where(Notification.key == "for-housing"))
    refused = police.post(f"/notifications/{theirs.id}/read", data={"csrf_token": csrf_token(page)})
    assert refused.status_code == 404, "someone else's notification is not found"
    assert state_of(db, theirs.id).read_at is None
    response = police.post(f"/notifications/{mine.id}/read", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert state_of(db, mine.id).read_at == fixed_clock.now()
    page = police.get("/notifications").get_data(as_text=True)
    assert "You have 1 unread notification." in page
    police.post("/notifications/read-all", data={"csrf_token": csrf_token(page)})
    page = police.get("/notifications").get_data(as_text=True)
    assert "You have read all your notifications." in page

    housing = signed_in(app, "housing@example.org")
    page = housing.get("/notifications").get_data(as_text=True)
    housing.post("/notifications/read-all", data={"csrf_token": csrf_token(page)})
    assert state_of(db, theirs.id).read_at is not None


def test_the_outbox_is_for_administrators_and_shows_what_waits(app: Flask, db: Database) -> None:
    from engine.people.accounts import add_user

    with db.transaction() as session:
        add_user(
            session,
            email="admin@example.org",
            name="Admin",
            organisation_key="derbyshire-dales-district-council",
            roles=["administrator"],
            password=DEMO_PASSWORD,
        )
    waiting = message(db, "waiting", "someone@example.gov.uk", subject="A letter waits")
    with db.transaction() as session:
        failed = session.get(Notification, waiting)
        failed.state, failed.last_error = "failed", "the mail server refused the recipient: 550"
        failed.next_attempt_at = None
    message(db, "pending", "other@example.gov.uk", subject="Another message")

    assert signed_in(app, "police@example.org").get("/outbox").status_code == 403
    admin = signed_in(app, "admin@example.org")
    page = admin.get("/outbox").get_data(as_text=True)
    assert "No mail server is configured" in page
    assert "No scheduler is running" in page
    assert "A letter waits" in page and "Another message" in page
    assert "the mail server refused the recipient: 550" in page
    page = admin.get("/outbox?state=failed").get_data(as_text=True)
    assert "A letter waits" in page and "Another message" not in page
    response = admin.post(f"/outbox/{waiting}/retry", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    again = state_of(db, waiting)
    assert (again.state, again.attempts) == ("pending", 0)
