"""The published figures as people and programs read them: the year under way marked
provisional, the applications still waiting on their own row, each district's note written by
its council and shown under the table, and the figures as CSV and JSON at stable addresses."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from engine.core.db import Database
from engine.core.models import AuditEvent
from tests.support.documents import open_docx
from tests.support.figures import PUBLISHED_ORDER
from tests.support.people import COUNCIL, POLICE
from tests.support.web import csrf_token, make_app, sign_in

NOTES = "/statistics/2021/notes/derbyshire-dales"
SAID = "Two applications of March were counted in April, when they were entered."


@pytest.fixture
def app(facts: Database, tmp_path: Path) -> Flask:
    return make_app(facts, tmp_path)


def write_note(client, text: str):  # noqa: ANN001, ANN201 - a test client and its answer
    token = csrf_token(client.get(NOTES).get_data(as_text=True))
    return client.post(NOTES, data={"note": text, "csrf_token": token})


def test_the_year_under_way_is_marked_provisional_and_an_ended_one_is_not(app: Flask) -> None:
    client = app.test_client()
    under_way = client.get("/statistics?year=2025").get_data(as_text=True)
    assert 'id="provisional"' in under_way
    assert "The year runs until 31 March 2026" in under_way
    ended = client.get("/statistics?year=2021").get_data(as_text=True)
    assert 'id="provisional"' not in ended
    assert "still waiting for a threshold decision or a review" in ended


def test_the_figures_are_open_data_at_stable_addresses(app: Flask) -> None:
    client = app.test_client()
    answer = client.get("/statistics/2021.csv")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert rows[0] == ["Measure", *PUBLISHED_ORDER, "Total"]
    pending = next(row for row in rows if row[0].startswith("Number of this year's"))
    assert pending[5:7] == ["1", "2"] and pending[-1] == "3"  # Derbyshire Dales, Erewash

    data = client.get("/statistics/2021.json").get_json()
    assert (data["label"], data["provisional"], data["notes"]) == ("2021/22", False, [])
    assert data["totals"]["still_pending"] == 3
    assert client.get("/statistics/2025.json").get_json()["provisional"] is True


def test_a_year_the_service_holds_nothing_for_is_empty_not_an_error(app: Flask) -> None:
    client = app.test_client()
    data = client.get("/statistics/2005.json").get_json()
    assert sum(data["totals"].values()) == 0
    assert len(data["districts"]) == len(PUBLISHED_ORDER)
    assert client.get("/statistics/1850.csv").status_code == 404


def test_a_district_s_council_writes_its_note_shown_under_its_figures(
    app: Flask, facts: Database
) -> None:
    client = app.test_client()
    sign_in(client, COUNCIL)
    figures = client.get("/statistics?year=2021").get_data(as_text=True)
    assert "Write Derbyshire Dales's note on its figures for 2021/22" in figures
    saved = write_note(client, SAID)
    assert saved.status_code == 302 and saved.headers["Location"].endswith("#notes")

    public = app.test_client()
    page = public.get("/statistics?year=2021").get_data(as_text=True)
    assert "Notes from the districts" in page and SAID in page
    assert public.get("/statistics/2021.json").get_json()["notes"] == [
        {"key": "derbyshire-dales", "name": "Derbyshire Dales", "note": SAID}
    ]
    report = open_docx(public.get("/statistics/2021.docx").data)
    assert f"Derbyshire Dales: {SAID}" in [p.text for p in report.paragraphs]
    assert SAID not in public.get("/statistics?year=2022").get_data(as_text=True)
    with facts.read() as session:
        saved_event = session.scalar(
            select(AuditEvent).where(AuditEvent.action == "statistics.note_saved")
        )
        assert saved_event is not None and saved_event.object_id == "derbyshire-dales"

    # Emptied, the note is no longer published.
    write_note(client, "   ")
    assert "Notes from the districts" not in public.get("/statistics?year=2021").get_data(
        as_text=True
    )


def test_a_note_too_long_is_refused_with_what_was_typed_kept(app: Flask) -> None:
    client = app.test_client()
    sign_in(client, COUNCIL)
    refused = write_note(client, "x" * 2001)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "The note must be 2000 characters or fewer" in text
    assert "x" * 2001 in text


def test_only_the_district_s_council_writes_its_notes(app: Flask) -> None:
    client = app.test_client()
    assert client.get(NOTES).status_code == 302, "sign in first"
    sign_in(client, POLICE)
    assert client.get(NOTES).status_code == 403
    assert "Write Derbyshire Dales" not in client.get("/statistics?year=2021").get_data(
        as_text=True
    )
    sign_in(client, "erewash@example.org")
    assert client.get(NOTES).status_code == 403
    assert client.get("/statistics/2021/notes/no-such-district").status_code == 404
    assert client.get("/statistics/2040/notes/erewash").status_code == 404
