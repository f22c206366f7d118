"""Dates that make sense for the review meeting: arranged on a working day, not in the past,
within the area's timescale unless a reason is given; recorded as held neither in the future
nor before the day arranged unless it was rescheduled. Each refusal is named at its field
with the answers kept."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.core import clock
from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.errors import InvalidData
from engine.core.models import AuditEvent, Review, Task
from tests.support.applicant import following
from tests.support.documents import open_docx, reference_of
from tests.support.people import COUNCIL
from tests.support.procedure import (
    MEETING_HELD,
    RECORD,
    chaired_meeting,
    do,
    live,
    met_case,
    reviewed_case,
)
from tests.support.web import csrf_token, error_summary, field_error, make_app, signed_in

CHAIR = "chair@example.org"
# The threshold was met on Monday 2 March 2026, the tests' day; the area's timescale has the
# meeting held within 20 working days, by 30 March.
WHY_LATE = "The police analyst who holds the incident log is away until April"


@pytest.fixture
def app(all_db: Database, tmp_path: Path) -> Flask:
    return make_app(all_db, tmp_path)


def text(response) -> str:  # noqa: ANN001 - a test response
    return unescape(response.get_data(as_text=True))


def arrange(client: FlaskClient, task_id: int, day: str, reason: str = ""):  # noqa: ANN201
    year, month, date_of_month = day.split("-")
    page = text(client.get(f"/tasks/{task_id}"))
    return client.post(
        f"/tasks/{task_id}",
        data={
            "csrf_token": csrf_token(page),
            "chair_email": CHAIR,
            "meeting_date-day": str(int(date_of_month)),
            "meeting_date-month": str(int(month)),
            "meeting_date-year": year,
            "beyond_timescale_reason": reason,
            "venue": "Matlock town hall",
            "action": "complete",
        },
    )


def reviews(db: Database, case_id: int) -> list[Review]:
    with db.read() as session:
        return list(session.scalars(select(Review).where(Review.case_id == case_id)))


def events(db: Database, case_id: int, kind: str) -> list[dict]:
    with db.read() as session:
        return [
            event.detail
            for event in session.scalars(
                select(AuditEvent).where(AuditEvent.case_id == case_id, AuditEvent.action == kind)
            )
        ]


@pytest.mark.parametrize(
    ("day", "field", "said"),
    [
        ("2026-03-21", "meeting_date", "Saturday 21 March 2026 is not a working day"),
        ("2026-04-03", "meeting_date", "Friday 3 April 2026 is not a working day"),  # Good Friday
        (
            "2026-02-27",
            "meeting_date",
            "The date of the review meeting must be today or in the future",
        ),
        ("2026-03-31", "beyond_timescale_reason", "held by 30 March 2026"),
    ],
)
def test_a_meeting_date_that_makes_no_sense_is_refused_at_its_field(
    app: Flask, all_db: Database, day: str, field: str, said: str
) -> None:
    case_id = met_case(all_db)
    task_id = live(all_db, case_id)["schedule_meeting"].id
    response = arrange(signed_in(app, COUNCIL), task_id, day)
    page = text(response)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert f'href="#{field}' in page and said in page
    kept = (">Matlock town hall</textarea>", f'value="{CHAIR}"', f'value="{day[-2:]}"')
    assert all(answer in page for answer in kept), "the answers are kept"
    assert reviews(all_db, case_id) == [], "no meeting is arranged"
    with all_db.read() as session:
        # Still waiting, with the caseworker who made the decision before it.
        assert session.get_one(Task, task_id).state == "claimed"


def test_a_task_form_tells_every_problem_at_once(app: Flask, all_db: Database) -> None:
    """The form's own checks, dates included, all on the first go: no chair and a date
    already gone are told together, each at its field."""
    case_id = met_case(all_db)
    task_id = live(all_db, case_id)["schedule_meeting"].id
    client = signed_in(app, COUNCIL)
    page = text(client.get(f"/tasks/{task_id}"))
    response = client.post(
        f"/tasks/{task_id}",
        data={
            "csrf_token": csrf_token(page),
            "meeting_date-day": "27",
            "meeting_date-month": "2",
            "meeting_date-year": "2026",
            "notes": "n" * 5001,
            "action": "complete",
        },
    )
    page = text(response)
    assert response.status_code == 400
    assert error_summary(page) == [
        # The chairs are offered as choices, one to select.
        ("Select the review chair", "#chair_email"),
        ("The date of the review meeting must be today or in the future", "#meeting_date-day"),
        ("Notes must be 5,000 characters or fewer", "#notes"),
    ]
    assert field_error(page, "meeting_date") == (
        "The date of the review meeting must be today or in the future"
    )
    assert 'value="27"' in page and "For example, 27 3 2026" in page
    assert reviews(all_db, case_id) == []


def test_a_meeting_beyond_the_timescale_is_arranged_with_its_reason_kept_and_audited(
    app: Flask, all_db: Database
) -> None:
    case_id = met_case(all_db)
    task_id = live(all_db, case_id)["schedule_meeting"].id
    council = signed_in(app, COUNCIL)
    response = arrange(council, task_id, "2026-03-31", WHY_LATE)
    assert response.status_code == 302
    [review] = reviews(all_db, case_id)
    assert review.meeting_date.isoformat() == "2026-03-31"
    assert review.beyond_timescale_reason == WHY_LATE
    assert events(all_db, case_id, "review.beyond_timescale") == [
        {"meeting_date": "2026-03-31", "due_by": "2026-03-30", "reason": WHY_LATE}
    ]
    # Reported where the case is read: its page, its meeting pack and the API.
    reference = reference_of(all_db, case_id)
    page = text(council.get(f"/cases/{reference}"))
    assert f"Later than the area's timescale because: {WHY_LATE}" in " ".join(
        unescape(part) for part in re.sub(r"<[^>]+>", " ", page).split()
    )
    pack = open_docx(council.get(f"/cases/{reference}/documents/meeting-pack").data)
    assert f"Later than the area's timescale because: {WHY_LATE}" in [
        p.text for p in pack.paragraphs
    ]


def test_a_meeting_within_the_timescale_needs_no_reason(app: Flask, all_db: Database) -> None:
    case_id = met_case(all_db)
    task_id = live(all_db, case_id)["schedule_meeting"].id
    assert arrange(signed_in(app, COUNCIL), task_id, "2026-03-30").status_code == 302
    [review] = reviews(all_db, case_id)
    assert review.beyond_timescale_reason is None
    assert events(all_db, case_id, "review.beyond_timescale") == []


def record(db: Database, case_id: int, held_on: str, **more: object) -> None:
    do(db, case_id, "record_meeting", CHAIR, {**RECORD, "held_on": held_on, **more})


def test_a_meeting_cannot_be_recorded_as_held_in_the_future(
    all_db: Database, fixed_clock: FixedClock
) -> None:
    case_id, _ = chaired_meeting(all_db, CHAIR)  # arranged for 20 March
    fixed_clock.advance(MEETING_HELD)
    with pytest.raises(InvalidData) as refused:
        record(all_db, case_id, "2026-03-23", rescheduled=True)
    assert refused.value.fields == {
        "held_on": "The date the meeting was held must be today or in the past"
    }
    assert reviews(all_db, case_id)[0].held_on is None


def test_a_meeting_held_before_its_date_must_say_it_was_rescheduled(
    all_db: Database, fixed_clock: FixedClock
) -> None:
    case_id, _ = chaired_meeting(all_db, CHAIR)  # arranged for 20 March
    fixed_clock.advance(MEETING_HELD)
    with pytest.raises(InvalidData) as refused:
        record(all_db, case_id, "2026-03-18")
    assert "the same as or after 20 March 2026" in refused.value.fields["held_on"]
    assert "rescheduled" in refused.value.fields["held_on"]
    assert reviews(all_db, case_id)[0].held_on is None
    assert events(all_db, case_id, "review.rescheduled") == []

    record(all_db, case_id, "2026-03-18", rescheduled=True)
    [review] = reviews(all_db, case_id)
    assert review.held_on.isoformat() == "2026-03-18" and review.rescheduled is True
    assert events(all_db, case_id, "review.rescheduled") == [
        {"arranged_for": "2026-03-20", "held_on": "2026-03-18"}
    ]


def test_a_meeting_held_on_its_date_is_recorded_without_more(
    all_db: Database, fixed_clock: FixedClock
) -> None:
    case_id, _ = chaired_meeting(all_db, CHAIR)
    fixed_clock.advance(MEETING_HELD)
    record(all_db, case_id, "2026-03-20")
    [review] = reviews(all_db, case_id)
    assert review.held_on.isoformat() == "2026-03-20" and review.rescheduled is False
    assert events(all_db, case_id, "review.rescheduled") == []


def test_the_outcome_letter_is_dated_the_day_it_is_sent_and_can_be_appealed_at_once(
    app: Flask, all_db: Database, fixed_clock: FixedClock
) -> None:
    case_id, reference = reviewed_case(all_db, fixed_clock)  # the letter goes on 20 March
    [review] = reviews(all_db, case_id)
    assert review.outcome_letter_sent_on == clock.today()
    client = following(app, all_db, case_id)
    assert f'href="/your-case/{reference}/appeal"' in text(client.get(f"/your-case/{reference}"))
    page = text(client.get(f"/your-case/{reference}/appeal"))
    assert "You can appeal until <strong>21 April 2026</strong>" in page
    token = csrf_token(page)
    sent = client.post(
        f"/your-case/{reference}/appeal",
        data={"csrf_token": token, "grounds": ["information_not_considered"], "details": "x"},
    )
    assert sent.status_code == 302, "not refused for a letter dated in the future"
