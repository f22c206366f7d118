"""The threshold decision's page shows the service's count of qualifying complaints, and each
incident with whether it qualifies and why."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask

from engine.core.config import load_settings
from engine.core.db import Database
from tests.support.people import COUNCIL
from tests.support.procedure import application, incident, live, submit, through_to_decision
from tests.support.web import signed_in
from web import create_app


@pytest.fixture
def app(app_db: Database, tmp_path) -> Flask:
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": app_db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    return create_app(settings, app_db)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_decision_page_shows_the_count_and_why_each_incident_counts(
    app: Flask, app_db: Database
) -> None:
    two = [
        incident("2026-01-05", "2026-01-06", "police", "DC-101"),
        incident("2026-01-19", "2026-01-20", "derbyshire-dales-district-council"),
    ]
    case_id = submit(app_db, application(incidents=two))
    # The police add one reported too late, and repeat one the applicant gave.
    late = {"occurred_on": "2026-01-01", "reported_on": "2026-02-20", "reference": "DC-200"}
    again = {"occurred_on": "2026-01-05", "reported_on": "2026-01-07", "reference": "dc 101"}
    through_to_decision(app_db, case_id, police_incidents=[late, again])
    task = live(app_db, case_id)["threshold_decision"]
    page = signed_in(app, COUNCIL).get(f"/tasks/{task.id}").get_data(as_text=True)
    count = _text(page[page.index('id="threshold-count"') :].split("</p>")[0])
    assert "counts 2 qualifying complaints; the threshold is 3, so it is not met" in count
    rows = page[page.index('id="threshold-incidents"') :].split("</table>")[0]
    rows = [_text(row) for row in rows.split('<tr class="govuk-table__row">')[2:]]
    assert len(rows) == 3, "the repeated report is one incident"
    assert rows[0].startswith(
        " 1 January 2026 1 No Reported on 20 February 2026, after the month beginning with the "
        "behaviour ended on 31 January 2026"
    )
    assert rows[1].startswith(" 5 January 2026 2 Yes Reported to ")
    assert rows[2].startswith(" 19 January 2026 1 Yes Reported to ")
    assert "within one month and within six months of the application" in rows[2]


def test_other_tasks_do_not_show_the_count(app: Flask, app_db: Database) -> None:
    case_id = submit(app_db, application())
    task = live(app_db, case_id)["acknowledge"]
    page = signed_in(app, COUNCIL).get(f"/tasks/{task.id}").get_data(as_text=True)
    # (Its letter, shown before it goes, explains what a qualifying complaint is.)
    assert 'id="threshold-count"' not in page and 'id="threshold-incidents"' not in page
    assert "The service's count of qualifying complaints" not in page
