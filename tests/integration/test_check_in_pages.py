"""The check-in after closure on the web: the applicant answers from the email's link without
signing in (opening the link uses nothing; the answer does, once), a used or wrong link says
so and nothing more, the council records a posted applicant's answer from the case page, and
the published figures show the follow-up."""

from __future__ import annotations

import re
from datetime import date, datetime
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.procedure.sweeps import run_due
from tests.support.follow_up import check_in_links, check_ins, closed_case, further_action
from tests.support.people import COUNCIL
from tests.support.procedure import case_of
from tests.support.web import csrf_token, error_summary, field_error, make_app, sign_in

LINK_REFUSED = "This link has not worked. It may have been used already or be out of date"


@pytest.fixture
def app(all_db: Database, tmp_path: Path) -> Flask:
    return make_app(all_db, tmp_path)


def _text(response) -> str:  # noqa: ANN001 - a test response
    return unescape(response.get_data(as_text=True))


def _due(db: Database, fixed_clock: FixedClock, *, by_post: bool = False) -> int:
    """A closed case whose first check-in has just been sent."""
    case_id = closed_case(db, fixed_clock, by_post=by_post)
    fixed_clock.set(datetime(2026, 4, 20, 9))
    assert run_due(db)["check_ins_sent"] == 1
    return case_id


def _post(client: FlaskClient, path: str, data: dict[str, str]):  # noqa: ANN202
    token = csrf_token(client.get(path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def test_the_applicant_answers_from_the_link_once_without_signing_in(
    app: Flask, all_db: Database, fixed_clock: FixedClock
) -> None:
    case_id = _due(all_db, fixed_clock)
    reference = case_of(all_db, case_id).reference
    (token,) = check_in_links(all_db, case_id)
    path = f"/your-case/check-in/{token}"
    browser = app.test_client()

    page = _text(browser.get(path))
    assert "Is the anti-social behaviour still happening?" in page
    assert reference not in page and "Sam" not in page, "the question shows nothing of the case"
    browser.get(path)
    assert all(c.answered_at is None for c in check_ins(all_db, case_id)), "opening uses nothing"

    unanswered = _post(browser, path, {"comment": "Loud music again last Friday"})
    assert unanswered.status_code == 400
    page = _text(unanswered)
    assert "There is a problem" in page and 'href="#still_happening"' in page
    assert "Select yes if the anti-social behaviour is still happening" in page
    assert "Loud music again last Friday" in page, "what they typed is kept"

    answered = _post(
        browser, path, {"still_happening": "yes", "comment": "Loud music again last Friday"}
    )
    assert answered.status_code == 200
    page = _text(answered)
    assert "Thank you for your answer" in page
    assert "Your contact, Council, will look at what more can be done" in page
    assert "applicant_cases" not in str(browser.get_cookie("session")), "no sign-in follows"
    assert browser.get(f"/your-case/{reference}").status_code == 302
    (task,) = further_action(all_db, case_id)
    assert task.title == "Consider further action"

    again = _post(browser, path, {"still_happening": "no"})
    assert again.status_code == 400
    assert LINK_REFUSED in _text(again)
    assert [c.still_happening for c in check_ins(all_db, case_id)][0] is True


def test_every_answer_to_correct_is_told_at_once(
    app: Flask, all_db: Database, fixed_clock: FixedClock
) -> None:
    case_id = _due(all_db, fixed_clock)
    (token,) = check_in_links(all_db, case_id)
    path = f"/your-case/check-in/{token}"
    long = "c" * 5001
    refused = _post(app.test_client(), path, {"comment": long})
    page = _text(refused)
    assert refused.status_code == 400
    assert error_summary(page) == [
        ("Select yes if the anti-social behaviour is still happening", "#still_happening"),
        ("What you want to tell us must be 5,000 characters or fewer", "#comment"),
    ]
    assert (
        field_error(page, "comment") == "What you want to tell us must be 5,000 characters or fewer"
    )
    assert f">{long}</textarea>" in page
    assert all(c.answered_at is None for c in check_ins(all_db, case_id)), "the link still works"


def test_a_wrong_link_says_so_and_nothing_more(app: Flask, all_db: Database) -> None:
    browser = app.test_client()
    refused = _post(browser, "/your-case/check-in/not-a-real-link", {"still_happening": "yes"})
    assert refused.status_code == 400
    page = _text(refused)
    assert LINK_REFUSED in page and "Your link has not worked" in page
    assert "CT-" not in page


def test_the_council_records_a_posted_applicant_s_answer_on_the_case_page(
    app: Flask, all_db: Database, fixed_clock: FixedClock
) -> None:
    case_id = _due(all_db, fixed_clock, by_post=True)
    reference = case_of(all_db, case_id).reference
    (check_in, *_later) = check_ins(all_db, case_id)
    action = f"/cases/{reference}/check-ins/{check_in.id}"

    police = app.test_client()
    sign_in(police, "police@example.org")
    page = _text(police.get(f"/cases/{reference}"))
    assert "Follow-up after closure" in page and f'action="{action}"' not in page
    token = csrf_token(_text(police.get("/sign-out")))
    refused = police.post(action, data={"still_happening": "no", "csrf_token": token})
    assert refused.status_code == 403

    council = app.test_client()
    sign_in(council, COUNCIL)
    page = _text(council.get(f"/cases/{reference}"))
    assert "Not answered yet" in page and f'action="{action}"' in page
    token = csrf_token(page)
    missing = council.post(action, data={"comment": "Rang on Monday", "csrf_token": token})
    assert missing.status_code == 400
    page = _text(missing)
    assert f'href="#check-in-{check_in.id}-still_happening"' in page and "Rang on Monday" in page

    done = council.post(
        action,
        data={"still_happening": "yes", "comment": "Rang on Monday", "csrf_token": token},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("#check-ins")
    page = _text(council.get(f"/cases/{reference}"))
    assert "their contact has a task to consider further action" in page
    assert re.search(r"Still happening, answered \d\d April 2026 \d\d:\d\d by Council", page)
    assert "Rang on Monday" in page and "Council answered a check-in" in page, "in the trail"
    (task,) = further_action(all_db, case_id)
    task_page = _text(council.get(f"/tasks/{task.id}"))
    assert "Consider further action" in task_page and "still happening" in task_page

    twice = council.post(action, data={"still_happening": "no", "csrf_token": token})
    assert twice.status_code == 302
    assert "answered already" in _text(council.get(f"/cases/{reference}"))


def test_the_published_figures_show_the_follow_up(
    app: Flask, all_db: Database, fixed_clock: FixedClock
) -> None:
    case_id = _due(all_db, fixed_clock)
    (token,) = check_in_links(all_db, case_id)
    browser = app.test_client()
    _post(browser, f"/your-case/check-in/{token}", {"still_happening": "no"})
    assert date(2026, 4, 20) == fixed_clock.now().date()
    page = _text(browser.get("/statistics?year=2026"))
    for label, expected in (
        ("Number of closed cases whose applicant answered a follow-up", "1"),
        ("Number of those where the applicant said the behaviour had stopped", "1"),
    ):
        row = re.search(re.escape(label) + r"</th>(.*?)</tr>", page, re.S).group(1)
        assert re.findall(r">(\d+)</td>", row)[-1] == expected, label
    figures = app.test_client().get("/api/v1/statistics?year=2026").get_json()
    assert figures["totals"]["cases_followed_up"] == 1
    assert figures["totals"]["behaviour_stopped"] == 1
