"""The applicant's part in the review, from their own pages: how they want to take part in the
meeting (kept with what they typed when something needs correcting), and their views on the
draft action plan; the chair sees both on their task. Another case is "Page not found"."""

from __future__ import annotations

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
from engine.core.models import MeetingPart
from tests.support.applicant import following, reference_of
from tests.support.people import COUNCIL
from tests.support.procedure import INVITED, do, live, met_case
from tests.support.web import error_summary, field_error, form_token, make_app, signed_in

CHAIR = "chair@example.org"
ADJUSTMENT = "Step-free access and a quiet room to wait in"


@pytest.fixture
def app(all_db: Database, tmp_path: Path) -> Flask:
    return make_app(all_db, tmp_path)


def text(response: TestResponse) -> str:
    return unescape(response.get_data(as_text=True))


def send(client: FlaskClient, path: str, answers: dict[str, str]) -> TestResponse:
    token = form_token(client, path.rsplit("/", 1)[0])
    return client.post(path, data={"csrf_token": token, **answers})


def parts(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(MeetingPart)) or 0


def schedule(db: Database, case_id: int) -> None:
    do(
        db,
        case_id,
        "schedule_meeting",
        COUNCIL,
        {"chair_email": CHAIR, "meeting_date": "2026-03-20"},
    )


def test_the_applicant_chooses_to_attend_and_the_chair_sees_it_in_their_task(
    app: Flask, all_db: Database
) -> None:
    case_id = met_case(all_db)
    reference = reference_of(all_db, case_id)
    client = following(app, all_db, case_id)
    case_page = text(client.get(f"/your-case/{reference}"))
    assert "Tell us how you want to take part" in case_page
    form = text(client.get(f"/your-case/{reference}/meeting"))
    assert "Send an advocate or supporter to speak for them" in form

    answer = send(
        client, f"/your-case/{reference}/meeting", {"choice": "in_person", "needs": ADJUSTMENT}
    )
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/your-case/{reference}"
    case_page = text(client.get(f"/your-case/{reference}"))
    assert "You told us how you want to take part: Come to the first part" in case_page

    schedule(all_db, case_id)
    chair = signed_in(app, CHAIR)
    task = live(all_db, case_id)["meeting_invitation"]
    page = text(chair.get(f"/tasks/{task.id}"))
    assert "The applicant's part in the meeting" in page
    assert "Come to the first part of the meeting in person" in page
    assert ADJUSTMENT in page


def test_an_answer_to_correct_is_listed_with_what_was_typed_kept(
    app: Flask, all_db: Database
) -> None:
    case_id = met_case(all_db)
    reference = reference_of(all_db, case_id)
    client = following(app, all_db, case_id)
    answer = send(
        client,
        f"/your-case/{reference}/meeting",
        {"choice": "advocate", "advocate_relationship": "My sister", "needs": ADJUSTMENT},
    )
    assert answer.status_code == 400
    page = text(answer)
    assert "govuk-error-summary" in page
    assert 'href="#advocate_name"' in page
    assert "Enter the name of your advocate or supporter" in page
    assert 'value="My sister"' in page
    assert ADJUSTMENT in page
    assert parts(all_db) == 0


def test_every_answer_to_correct_is_told_at_once(app: Flask, all_db: Database) -> None:
    case_id = met_case(all_db)
    reference = reference_of(all_db, case_id)
    client = following(app, all_db, case_id)
    long_needs = "n" * 5001
    answer = send(
        client, f"/your-case/{reference}/meeting", {"choice": "advocate", "needs": long_needs}
    )
    page = text(answer)
    assert answer.status_code == 400
    assert error_summary(page) == [
        ("Enter the name of your advocate or supporter", "#advocate_name"),
        ("Enter who they are to you", "#advocate_relationship"),
        (
            "Communication needs or reasonable adjustments must be 5,000 characters or fewer",
            "#needs",
        ),
    ]
    assert field_error(page, "advocate_relationship") == "Enter who they are to you"
    assert f">{long_needs}</textarea>" in page
    unchosen = text(send(client, f"/your-case/{reference}/meeting", {"needs": long_needs}))
    assert [message for message, _ in error_summary(unchosen)] == [
        "Select how you want to take part",
        "Communication needs or reasonable adjustments must be 5,000 characters or fewer",
    ]
    assert field_error(unchosen, "choice") == "Select how you want to take part"
    assert parts(all_db) == 0


def test_another_case_s_part_is_not_found(app: Flask, all_db: Database) -> None:
    mine = met_case(all_db)
    theirs = reference_of(all_db, met_case(all_db))
    client = following(app, all_db, mine)
    assert client.get(f"/your-case/{theirs}/meeting").status_code == 404
    assert client.get(f"/your-case/{theirs}/draft-plan").status_code == 404
    mine_reference = reference_of(all_db, mine)
    token = form_token(client, f"/your-case/{mine_reference}")
    refused = client.post(
        f"/your-case/{theirs}/meeting", data={"csrf_token": token, "choice": "in_person"}
    )
    assert refused.status_code == 404
    assert parts(all_db) == 0


def test_views_on_the_draft_plan_reach_the_chair(
    app: Flask, all_db: Database, fixed_clock: FixedClock
) -> None:
    case_id = met_case(all_db)
    reference = reference_of(all_db, case_id)
    schedule(all_db, case_id)
    do(all_db, case_id, "meeting_pack", COUNCIL, {"pack_ready_on": "2026-03-17"})
    do(all_db, case_id, "meeting_invitation", CHAIR, INVITED)
    fixed_clock.advance(timedelta(days=18))
    do(
        all_db,
        case_id,
        "record_meeting",
        CHAIR,
        {
            "held_on": "2026-03-20",
            "attendees": ["Chair"],
            "findings": "Agencies did not share information",
            "applicant_took_part": "written_statement",
            "recommendations": [
                {
                    "organisation": "derbyshire-constabulary",
                    "action": "Patrol the street on weekend nights",
                    "due_date": "2026-04-17",
                }
            ],
        },
    )
    client = following(app, all_db, case_id)
    case_page = text(client.get(f"/your-case/{reference}"))
    assert "Tell us what you think of it by <strong>27 March 2026</strong>" in case_page
    plan = text(client.get(f"/your-case/{reference}/draft-plan"))
    assert "Patrol the street on weekend nights" in plan

    empty = send(client, f"/your-case/{reference}/draft-plan", {"views": "  "})
    assert empty.status_code == 400
    assert "Enter your views on the plan" in text(empty)
    given = send(
        client, f"/your-case/{reference}/draft-plan", {"views": "Friday nights matter most"}
    )
    assert given.status_code == 302

    finalise = live(all_db, case_id)["finalise_plan"]
    chair_page = text(signed_in(app, CHAIR).get(f"/tasks/{finalise.id}"))
    assert "The applicant's views on the draft action plan" in chair_page
    assert "Friday nights matter most" in chair_page
    assert "How the applicant's views were considered in the final plan" in chair_page
