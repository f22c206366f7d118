"""The pages of screening and of a vulnerable victim decision: the case shows the applicant's
own answer beside screening's, the decision offers the managing council's managers as its
senior officer, and the officer sees the decision they are asked to confirm."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask

from engine.core.db import Database
from tests.support.people import COUNCIL, MANAGER
from tests.support.procedure import (
    ACKNOWLEDGED,
    THREE,
    application,
    case_of,
    do,
    live,
    submit,
    through_to_decision,
)
from tests.support.web import make_app, signed_in

REASON = "the incidents describe racist abuse at the door"
VULNERABLE = {
    "threshold_met": True,
    "decision_basis": "vulnerability",
    "reasons": "The victim is 87 and lives alone",
    "senior_officer": MANAGER,
}


@pytest.fixture
def app(app_db: Database, tmp_path) -> Flask:
    return make_app(app_db, tmp_path)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _case_page(app: Flask, db: Database, case_id: int) -> str:
    reference = case_of(db, case_id).reference
    return _text(signed_in(app, COUNCIL).get(f"/cases/{reference}").get_data(as_text=True))


def test_the_case_shows_the_applicant_s_answer_beside_screening_s(
    app: Flask, app_db: Database
) -> None:
    case_id = submit(app_db, application(hate_element=False))
    do(app_db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    screen = live(app_db, case_id)["screen"]
    page = _text(signed_in(app, COUNCIL).get(f"/tasks/{screen.id}").get_data(as_text=True))
    assert "Hate element No" in page, "the screener sees the applicant's answer"
    do(
        app_db,
        case_id,
        "screen",
        COUNCIL,
        {
            "route": "review",
            "hate_element": True,
            "hate_signposted": True,
            "hate_element_reason": REASON,
        },
    )
    assert f"The applicant said: no. Screening: yes, because {REASON}" in _case_page(
        app, app_db, case_id
    )


def test_the_decision_offers_the_managers_and_the_officer_sees_what_to_confirm(
    app: Flask, app_db: Database
) -> None:
    case_id = submit(app_db, application(THREE[:2]))
    through_to_decision(app_db, case_id)
    decide = live(app_db, case_id)["threshold_decision"]
    page = signed_in(app, COUNCIL).get(f"/tasks/{decide.id}").get_data(as_text=True)
    offered = re.findall(r'name="senior_officer"[^>]*value="([^"]*)"', page)
    assert offered == [MANAGER], "the managing council's one manager, not its caseworkers"

    do(app_db, case_id, "threshold_decision", COUNCIL, VULNERABLE)
    assert (
        "A vulnerable victim decision is waiting for Manager, the senior officer it names, to "
        "confirm it"
    ) in _case_page(app, app_db, case_id)
    confirm = live(app_db, case_id)["confirm_decision"]
    page = _text(signed_in(app, MANAGER).get(f"/tasks/{confirm.id}").get_data(as_text=True))
    assert "Given to you as the senior officer named in the decision" in page
    assert "The decision to confirm" in page
    assert "Reasons The victim is 87 and lives alone" in page
    assert "Recorded by Council, 2 March 2026, 9:00am" in page

    do(app_db, case_id, "confirm_decision", MANAGER, {"decision_confirmed": True})
    assert (
        "Met, Vulnerability, 02 March 2026 Senior officer: Manager, who confirmed it on "
        "2 March 2026, 9:00am"
    ) in _case_page(app, app_db, case_id)
