"""The pages of screening: the case shows the applicant's own answer beside screening's."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask

from engine.core.db import Database
from tests.support.people import COUNCIL
from tests.support.procedure import ACKNOWLEDGED, application, case_of, do, live, submit
from tests.support.web import make_app, signed_in

REASON = "the incidents describe racist abuse at the door"


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
