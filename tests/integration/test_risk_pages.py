"""The risk and vulnerability assessment as people see it: a half-done assessment kept as a
draft, the level on the case page and a tag on inbox rows for medium and high risk."""

from __future__ import annotations

from html import unescape

import pytest
from flask import Flask

from engine.core.config import load_settings
from engine.core.db import Database
from engine.core.models import Task
from tests.support.documents import reference_of
from tests.support.people import COUNCIL
from tests.support.procedure import ACKNOWLEDGED, STANDARD_RISK, application, do, live, submit
from tests.support.web import csrf_token, signed_in
from web import create_app

HIGH_RISK = {**STANDARD_RISK, "fear": "severe", "vulnerability_factors": ["carer"]}


@pytest.fixture
def app(app_db: Database, tmp_path) -> Flask:
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": app_db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    return create_app(settings, app_db)


def screened(db: Database) -> int:
    case_id = submit(db, application())
    do(db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    do(db, case_id, "screen", COUNCIL, {"route": "review", "hate_element": False})
    return case_id


def test_a_half_done_assessment_is_kept_as_a_draft(app: Flask, app_db: Database) -> None:
    case_id = screened(app_db)
    task_id = live(app_db, case_id)["risk_assessment"].id
    client = signed_in(app, COUNCIL)
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Assess risk and vulnerability" in page and "None of these" in page
    half_done = {
        "impact_on_health": "some",
        "vulnerability_factors": ["isolated", "carer"],
        "hate_motivated": "no",
        "action": "draft",
    }
    response = client.post(f"/tasks/{task_id}", data={"csrf_token": csrf_token(page), **half_done})
    assert response.status_code == 302
    with app_db.read() as session:
        task = session.get(Task, task_id)
        assert (task.state, task.draft) == (
            "claimed",
            {
                "impact_on_health": "some",
                "vulnerability_factors": ["isolated", "carer"],
                "hate_motivated": False,
            },
        )
    page = unescape(client.get(f"/tasks/{task_id}").get_data(as_text=True))
    assert 'value="isolated" checked' in page and 'value="carer" checked' in page
    # Completed half done, every question left is told at once, and the answers stay.
    response = client.post(
        f"/tasks/{task_id}",
        data={"csrf_token": csrf_token(page), **half_done, "action": "complete"},
    )
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    for message in (
        "Select the impact on the victim's sleep",
        "Select how afraid the victim is",
        "Select yes if the victim is targeted personally and repeatedly",
    ):
        assert message in page
    assert live(app_db, case_id)["risk_assessment"].draft["vulnerability_factors"] == [
        "isolated",
        "carer",
    ]


def test_the_level_shows_on_the_case_page_and_the_inbox(app: Flask, app_db: Database) -> None:
    standard, high = screened(app_db), screened(app_db)
    client = signed_in(app, COUNCIL)
    page = client.get(f"/cases/{reference_of(app_db, high)}").get_data(as_text=True)
    assert "Not assessed yet" in page
    do(app_db, standard, "risk_assessment", COUNCIL, STANDARD_RISK)
    do(app_db, high, "risk_assessment", COUNCIL, HIGH_RISK)
    # Each case's return is still in the inbox: a tag on the high risk case's row alone.
    inbox = client.get("/").get_data(as_text=True)
    assert inbox.count("High risk") == 1 and "Medium risk" not in inbox
    page = client.get(f"/cases/{reference_of(app_db, high)}").get_data(as_text=True)
    assert "High risk</strong><br>Assessed 02 March 2026 by Council" in page
    page = client.get(f"/cases/{reference_of(app_db, standard)}").get_data(as_text=True)
    assert "Standard risk</strong>" in page
