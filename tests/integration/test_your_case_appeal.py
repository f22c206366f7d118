"""The applicant's appeal, made from their own pages against the latest letter that gave them
an appeal route: the grounds that letter offers, what they want the OPCC to look at, and a
refusal that keeps what they typed and says why."""

from __future__ import annotations

import io
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.models import Appeal, Case
from tests.support.applicant import following, reference_of
from tests.support.people import OPCC
from tests.support.procedure import application, live, reviewed_case, submit
from tests.support.web import (
    application_form,
    csrf_token,
    error_summary,
    field_error,
    form_token,
    make_app,
    signed_in,
)

WHAT = "The housing provider's noise diary was not read at the meeting"


@pytest.fixture
def app(all_db: Database, tmp_path: Path) -> Flask:
    return make_app(all_db, tmp_path)


def text(response) -> str:  # noqa: ANN001 - a test response
    return unescape(response.get_data(as_text=True))


def appeals(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Appeal)) or 0


def send(
    client: FlaskClient, reference: str, grounds: list[str], details: str = WHAT
) -> TestResponse:
    token = form_token(client, f"/your-case/{reference}")
    return client.post(
        f"/your-case/{reference}/appeal",
        data={"csrf_token": token, "grounds": grounds, "details": details},
    )


def test_an_appeal_from_the_case_page_reaches_the_opcc(
    app: Flask, all_db: Database, fixed_clock: FixedClock
) -> None:
    case_id, reference = reviewed_case(all_db, fixed_clock)
    client = following(app, all_db, case_id)
    page = text(client.get(f"/your-case/{reference}/appeal"))
    for label in (
        "The threshold decision was wrong",
        "The review did not consider a relevant process, policy or protocol",
        "The review did not consider relevant information",
        "The action plan was not delivered",
        "What you want the Office of the Police and Crime Commissioner to look at",
    ):
        assert label in page, label
    assert "You can appeal until <strong>21 April 2026</strong>" in page

    answer = send(client, reference, ["information_not_considered"])
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/your-case/{reference}/appeal/sent"
    sent = text(client.get(answer.headers["Location"]))
    assert "Appeal sent" in sent and f'<strong id="reference">{reference}</strong>' in sent
    assert f'href="/your-case/{reference}">Go back to your case' in sent
    with all_db.read() as session:
        appeal = session.scalars(select(Appeal).where(Appeal.case_id == case_id)).one()
        assert appeal.grounds == ["information_not_considered"]
        assert appeal.details == WHAT
        assert appeal.letter_date.isoformat() == "2026-03-20"
        assert appeal.channel == "online"
        assert session.get_one(Case, case_id).status == "appeal_lodged"
    task = live(all_db, case_id)["acknowledge_appeal"]
    opcc = signed_in(app, OPCC)
    assert reference in text(opcc.get("/")), "in the OPCC's tasks"
    assert opcc.get(f"/tasks/{task.id}").status_code == 200

    now = text(client.get(f"/your-case/{reference}"))
    assert "Your appeal is with the Office of the Police and Crime Commissioner" in now
    assert f'href="/your-case/{reference}/appeal"' not in now
    again = send(client, reference, ["threshold_decision"])
    assert again.status_code == 400 and appeals(all_db) == 1, "one appeal at a time"


def test_an_appeal_needs_a_ground_and_keeps_what_was_typed(
    app: Flask, all_db: Database, fixed_clock: FixedClock
) -> None:
    case_id, reference = reviewed_case(all_db, fixed_clock)
    client = following(app, all_db, case_id)
    answer = send(client, reference, [])
    page = text(answer)
    assert answer.status_code == 400
    assert "<title>Error: " in page
    assert '<a href="#grounds">Select why you are appealing</a>' in page
    assert 'id="grounds-error"' in page
    assert f">{WHAT}</textarea>" in page
    answer = send(client, reference, ["information_not_considered", "unhappy_with_outcome"])
    page = text(answer)
    assert answer.status_code == 400
    assert '<a href="#grounds">Select why you are appealing from the reasons listed</a>' in page
    assert 'value="information_not_considered" checked' in page
    assert appeals(all_db) == 0


def test_every_problem_with_an_appeal_is_told_at_once(
    app: Flask, all_db: Database, fixed_clock: FixedClock
) -> None:
    """No reason chosen, too much written and a file that cannot be taken: all three on the
    first go, each linking to its field, with what was written kept."""
    case_id, reference = reviewed_case(all_db, fixed_clock)
    client = following(app, all_db, case_id)
    long = "x" * 20_001
    answer = client.post(
        f"/your-case/{reference}/appeal",
        data={
            "csrf_token": form_token(client, f"/your-case/{reference}/appeal"),
            "details": long,
            "files": [(io.BytesIO(b"<html><body>hi</body></html>"), "page.html")],
        },
        content_type="multipart/form-data",
    )
    page = text(answer)
    assert answer.status_code == 400
    listed = error_summary(page)
    assert [href for _, href in listed] == ["#grounds", "#details", "#files"], "page order"
    assert listed[0][0] == "Select why you are appealing"
    assert listed[1][0] == "Why you are appealing must be 20,000 characters or fewer"
    assert "page.html" in listed[2][0]
    assert field_error(page, "grounds") == "Select why you are appealing"
    assert field_error(page, "details") == listed[1][0]
    assert field_error(page, "files") == listed[2][0]
    assert f">{long}</textarea>" in page
    assert appeals(all_db) == 0


def test_an_appeal_after_the_window_is_refused_with_the_reason(
    app: Flask, all_db: Database, fixed_clock: FixedClock
) -> None:
    case_id, reference = reviewed_case(all_db, fixed_clock)
    client = following(app, all_db, case_id)
    token = csrf_token(client.get(f"/your-case/{reference}/appeal").get_data(as_text=True))
    fixed_clock.advance(timedelta(days=60))  # the form was left open too long
    answer = client.post(
        f"/your-case/{reference}/appeal",
        data={"csrf_token": token, "grounds": ["threshold_decision"], "details": WHAT},
    )
    page = text(answer)
    reason = "The time to appeal against the letter of 20 March 2026 ended on 21 April 2026."
    assert answer.status_code == 400
    assert f'<a href="#appeal-closed">{reason}</a>' in page
    assert f'id="appeal-closed">{reason}</p>' in page
    assert f">{WHAT}</textarea>" in page, "what they wrote is kept"
    assert appeals(all_db) == 0
    assert reason in text(client.get(f"/your-case/{reference}"))


def test_there_is_nothing_to_appeal_before_a_decision(app: Flask, all_db: Database) -> None:
    case_id = submit(all_db, application())
    reference = reference_of(all_db, case_id)
    client = following(app, all_db, case_id)
    page = text(client.get(f"/your-case/{reference}/appeal"))
    assert "There is no decision to appeal against yet." in page
    assert 'name="grounds"' not in page
    answer = send(client, reference, ["threshold_decision"])
    assert answer.status_code == 400
    assert "There is no decision to appeal against yet." in text(answer)
    assert appeals(all_db) == 0


def test_the_confirmation_is_only_for_the_appeal_just_sent(
    app: Flask, all_db: Database, fixed_clock: FixedClock
) -> None:
    case_id, reference = reviewed_case(all_db, fixed_clock)
    client = following(app, all_db, case_id)
    assert client.get(f"/your-case/{reference}/appeal/sent").status_code == 404
    nobody = app.test_client().get(f"/your-case/{reference}/appeal/sent")
    assert nobody.headers["Location"] == "/your-case"


def test_an_appeal_counts_against_what_one_address_may_send_an_hour(
    all_db: Database, tmp_path: Path, fixed_clock: FixedClock
) -> None:
    app = make_app(all_db, tmp_path, CASEREVIEW_PUBLIC_SUBMISSIONS_PER_HOUR="1")
    case_id, reference = reviewed_case(all_db, fixed_clock)
    client = following(app, all_db, case_id)
    assert client.post("/apply", data=application_form(client)).status_code == 302
    refused = send(client, reference, ["information_not_considered"])
    page = text(refused)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "3600"
    assert "Nothing has been sent. Your answers are below" in page
    assert f">{WHAT}</textarea>" in page
    assert appeals(all_db) == 0
    fixed_clock.advance(timedelta(hours=1))
    assert send(client, reference, ["information_not_considered"]).status_code == 302
    assert appeals(all_db) == 1
