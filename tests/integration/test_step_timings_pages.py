"""How the procedure runs: process owners and managers see each step's figures in a table and
on the diagram, for a process, a version and the days chosen; a period or version the service
does not hold shows no figures, and a date that is not one is said, with what was typed kept."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from flask import Flask

from engine.core.db import Database
from tests.support.people import COUNCIL, MANAGER, add_people
from tests.support.procedure import ACKNOWLEDGED, application, do, submit
from tests.support.web import error_summary, make_app, signed_in

OWNER = "owner@example.org"
PAGE = "/step-timings"


@pytest.fixture
def app(app_db: Database, tmp_path) -> Flask:  # noqa: ANN001
    add_people(app_db, [(OWNER, "derbyshire-dales-district-council", ["process_owner"])])
    # Two cases: one acknowledged the day it came (on time), so its screening waits; one
    # waiting to be acknowledged.
    done = submit(app_db, application())
    do(app_db, done, "acknowledge", COUNCIL, ACKNOWLEDGED)
    submit(app_db, application())
    return make_app(app_db, tmp_path)


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _row(page: str, element_id: str) -> str:
    return _text(re.search(rf'<tr[^>]*id="step-{element_id}".*?</tr>', page, re.S).group(0))


def test_each_step_s_figures_in_the_table_and_marked_for_the_diagram(app: Flask) -> None:
    manager = signed_in(app, MANAGER)
    response = manager.get(PAGE)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Every version, tasks done from 3 March 2025 to 2 March 2026" in page
    # Step, due, done, median, 90th percentile, on time, band, waiting, overdue.
    assert _row(page, "acknowledge") == (
        "Acknowledge the application (council) acknowledge_application (5 working days) "
        "after received_on 1 0 0 100% (1 of 1) On time 1 0"
    )
    assert _row(page, "screen").endswith("0 No figure – No figure – No figure – No figures 1 0")
    marks = json.loads(unescape(re.search(r'data-marks="([^"]*)"', page).group(1)))
    acknowledge = next(mark for mark in marks if mark["id"] == "acknowledge")
    assert acknowledge == {
        "id": "acknowledge",
        "band": "on-time",
        "label": "On time",
        "on_time": 100,
        "median": 0,
        "waiting": 1,
        "overdue": 0,
    }
    assert 'data-heat-map-xml="&lt;?xml' in page
    assert "step_timings.js" in page and "<script>" not in page


def test_a_period_or_version_the_service_does_not_hold_shows_no_figures(app: Flask) -> None:
    owner = signed_in(app, OWNER)
    old = owner.get(f"{PAGE}?process=community_trigger_application&from=1990-01-01&to=1990-12-31")
    assert old.status_code == 200
    assert _row(old.get_data(as_text=True), "acknowledge").startswith(
        "Acknowledge the application (council) acknowledge_application (5 working days) "
        "after received_on 0 "
    )
    missing = owner.get(f"{PAGE}?version=99")
    assert missing.status_code == 200
    assert "The service holds no version 99 of this process" in missing.get_data(as_text=True)
    assert owner.get(f"{PAGE}?process=no_such_process").status_code == 404


def test_a_date_that_is_not_one_is_said_with_what_was_typed_kept(app: Flask) -> None:
    owner = signed_in(app, OWNER)
    response = owner.get(f"{PAGE}?from-day=31&from-month=2&from-year=2026&to=2026-03-02")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    [(text, href)] = error_summary(page)
    assert text.startswith("The first day") and href == "#from-day"
    assert 'value="31"' in page and 'id="step-timings"' not in page


def test_only_process_owners_and_managers_see_it_and_their_pages_lead_to_it(app: Flask) -> None:
    assert signed_in(app, COUNCIL).get(PAGE).status_code == 403
    owner = signed_in(app, OWNER)
    assert 'href="/step-timings"' in owner.get("/procedure").get_data(as_text=True)
    process = owner.get("/procedure/community_trigger_application").get_data(as_text=True)
    assert 'href="/step-timings?process=community_trigger_application"' in process
    assert 'href="/step-timings"' in signed_in(app, MANAGER).get("/team").get_data(as_text=True)
