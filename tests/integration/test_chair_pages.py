"""The pages of a review's chair: the chair's task says it is the chair's alone, and the case
page offers the managing council's managers a new chair."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from engine.core.clock import FixedClock
from engine.core.config import load_settings
from engine.core.db import Database
from engine.core.models import Attachment, AuditEvent, Case, Notification, Review, User
from engine.records.attachments import attach_file
from engine.work import task_view
from tests.support.files import FORMS
from tests.support.people import COUNCIL, MANAGER, add_people, user
from tests.support.procedure import (
    DALES_CHAIR_REASON,
    DALES_COUNCIL,
    MEETING_HELD,
    NEW_CHAIR,
    OLD_CHAIR,
    RECORD,
    chaired_meeting,
    live,
    met_case,
    prepare,
    with_new_chair,
)
from tests.support.web import form_token, signed_in
from web import create_app

OUTSIDE = "jo.harding@nottinghamshire-csp.example.gov.uk"


def test_the_chair_s_task_page_says_it_is_the_chair_s_alone(all_db: Database, tmp_path) -> None:
    db = all_db
    add_people(db, [("dales.chair@example.org", DALES_COUNCIL, ["review_chair"])])
    _case_id, task_id = chaired_meeting(db, "dales.chair@example.org", DALES_CHAIR_REASON)
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    app = create_app(settings, db)

    def page(email: str) -> str:
        answer = signed_in(app, email).get(f"/tasks/{task_id}")
        assert answer.status_code == 200
        return " ".join(answer.get_data(as_text=True).split())

    chair_page = page("dales.chair@example.org")
    assert "Release it" not in chair_page, "a chair has no one to release their task to"
    for colleague in (COUNCIL, "manager@example.org"):
        seen = page(colleague)
        assert "This task is for Dales.Chair alone" in seen
        assert "Reassign to" not in seen and "A manager can reassign it" not in seen

    notes = attach_file(db, task_id, user(db, "dales.chair@example.org"), "n.pdf", b"%PDF-1.4 n")
    council = signed_in(app, COUNCIL)
    refused = council.post(
        f"/tasks/{task_id}/attachments/{notes}/remove",
        data={"csrf_token": form_token(council, "/sign-out")},
    )
    assert refused.status_code == 403
    assert "only whoever does this task can take files off it" in refused.get_data(as_text=True)
    with db.read() as session:
        assert session.get(Attachment, notes) is not None


def _words(page: str) -> str:
    """The page's words, without its markup."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


@pytest.fixture
def chair_db(app_db: Database) -> Database:
    return prepare(app_db)


def test_the_case_page_offers_managers_a_new_chair(
    chair_db: Database, tmp_path, fixed_clock: FixedClock
) -> None:
    db = chair_db
    case_id, task_id, reference = with_new_chair(db)
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    app = create_app(settings, db)
    page = f"/cases/{reference}"
    caseworker = signed_in(app, "council@example.org")
    assert "Change the chair" not in caseworker.get(page).get_data(as_text=True)
    refused = caseworker.post(
        f"{page}/chair",
        data={"chair_email": NEW_CHAIR, "csrf_token": form_token(caseworker, "/sign-out")},
    )
    assert refused.status_code == 403

    manager = signed_in(app, MANAGER)
    offered = manager.get(page).get_data(as_text=True)
    assert "Change the chair of review 1" in offered
    assert f'name="chair_email" type="radio" value="{NEW_CHAIR}"' in offered
    assert f'value="{OLD_CHAIR}"' not in offered, "the chair now is not offered"
    wrong = manager.post(
        f"{page}/chair",
        data={"chair_email": "council@example.org", "csrf_token": form_token(manager, page)},
    )
    text = wrong.get_data(as_text=True)
    assert wrong.status_code == 400
    assert "<title>Error: Case" in text
    assert 'href="#chair_email"' in text and "who is a review chair" in text
    assert 'id="chair_email"' in text, "the summary's link leads to the first chair offered"

    done = manager.post(
        f"{page}/chair",
        data={
            "chair_email": NEW_CHAIR,
            "chair_reason": DALES_CHAIR_REASON,
            "csrf_token": form_token(manager, page),
        },
        follow_redirects=True,
    )
    text = " ".join(done.get_data(as_text=True).split())
    assert "Dales.Chair now chairs the review" in text
    assert "Review 1, chaired by Dales.Chair" in text
    assert live(db, case_id)["record_meeting"].assignee_id == user(db, NEW_CHAIR).id
    assert signed_in(app, NEW_CHAIR).get(f"/tasks/{task_id}").status_code == 200

    fixed_clock.advance(MEETING_HELD)
    task_view.complete_task(db, task_id, user(db, NEW_CHAIR), RECORD, forms_dir=FORMS)
    late = manager.post(
        f"{page}/chair",
        data={"chair_email": OLD_CHAIR, "csrf_token": form_token(manager, "/sign-out")},
        follow_redirects=True,
    )
    text = " ".join(late.get_data(as_text=True).split())
    assert "can be changed only before its meeting is recorded" in text
    assert "Change the chair" not in text


def test_a_chair_from_the_case_s_council_needs_the_manager_s_reason_on_the_case_page(
    chair_db: Database, tmp_path
) -> None:
    db = chair_db
    _case_id, _task_id, reference = with_new_chair(db)
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    app = create_app(settings, db)
    page = f"/cases/{reference}"
    manager = signed_in(app, MANAGER)
    refused = manager.post(
        f"{page}/chair",
        data={"chair_email": NEW_CHAIR, "csrf_token": form_token(manager, page)},
    )
    text = " ".join(refused.get_data(as_text=True).split())
    assert refused.status_code == 400
    assert "<title>Error: Case" in text and 'href="#chair_reason"' in text
    assert "Dales.Chair comes from Derbyshire Dales District Council" in text
    assert f'value="{NEW_CHAIR}" checked' in text, "the chair chosen is kept"
    assert "Review 1, chaired by Chair" in text, "the chair stays as they were"

    done = manager.post(
        f"{page}/chair",
        data={
            "chair_email": NEW_CHAIR,
            "chair_reason": DALES_CHAIR_REASON,
            "csrf_token": form_token(manager, page),
        },
        follow_redirects=True,
    )
    text = " ".join(done.get_data(as_text=True).split())
    assert "Independent of the case No: Derbyshire Dales District Council takes part" in _words(
        text
    )
    assert DALES_CHAIR_REASON in text
    assert "The chair has not declared yet" in text


def test_the_case_page_gives_the_review_to_a_listed_chair_with_no_account(
    chair_db: Database, tmp_path
) -> None:
    """The case page offers the area's listed chairs, each said to be independent or not; one
    with no account is given one, invited by email, and chairs at once. A refusal keeps the
    chair chosen and the reason typed."""
    db = chair_db
    case_id, task_id, reference = with_new_chair(db)
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    app = create_app(settings, db)
    page = f"/cases/{reference}"
    manager = signed_in(app, MANAGER)
    offered = _words(manager.get(page).get_data(as_text=True))
    assert (
        f"Jo Harding ({OUTSIDE}), Nottinghamshire Community Safety Partnership, shared with "
        "Nottinghamshire Community Safety Partnership, Staffordshire Community Safety "
        "Partnership" in offered
    )
    assert (
        "Independent of this case; no account yet: appointing them creates it and emails them"
        in offered
    )
    assert "Not independent: Derbyshire Dales District Council takes part in this case" in offered
    refused = manager.post(
        f"{page}/chair",
        data={
            "chair_email": NEW_CHAIR,
            "chair_reason": " " * 3,
            "csrf_token": form_token(manager, page),
        },
    )
    assert refused.status_code == 400
    assert f'value="{NEW_CHAIR}" checked' in refused.get_data(as_text=True)

    done = manager.post(
        f"{page}/chair",
        data={"chair_email": OUTSIDE, "csrf_token": form_token(manager, page)},
        follow_redirects=True,
    )
    text = " ".join(done.get_data(as_text=True).split())
    assert "Jo Harding now chairs the review" in text
    assert (
        "Manager made a review chair's account for Jo Harding, on the area's list of chairs"
        in html.unescape(text)
    )
    with db.read() as session:
        chair = session.scalars(select(User).where(User.email == OUTSIDE)).one()
        kinds = set(
            session.scalars(select(Notification.kind).where(Notification.user_id == chair.id))
        )
        created = session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "user.created_for_chair_list",
                AuditEvent.object_id == str(chair.id),
            )
        )
        assert created is not None and created.user_id == user(db, MANAGER).id
    assert {"chair_invitation", "appointment"} <= kinds
    assert live(db, case_id)["record_meeting"].assignee_id == chair.id
    assert task_id == live(db, case_id)["record_meeting"].id


def test_the_chair_declares_on_the_case_page_and_a_late_declaration_says_so(
    chair_db: Database, tmp_path, fixed_clock: FixedClock
) -> None:
    db = chair_db
    case_id, task_id = chaired_meeting(db, OLD_CHAIR)
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    app = create_app(settings, db)
    with db.read() as session:
        reference = session.get_one(Case, case_id).reference
    page = f"/cases/{reference}"
    assert "Do you have a conflict of interest" not in signed_in(app, MANAGER).get(page).get_data(
        as_text=True
    )
    chair = signed_in(app, OLD_CHAIR)
    assert "Do you have a conflict of interest" in chair.get(page).get_data(as_text=True)
    details = "I chaired the police review of this street"
    refused = chair.post(
        f"{page}/chair-declaration",
        data={"conflict": "yes", "conflict_details": " ", "csrf_token": form_token(chair, page)},
    )
    text = " ".join(refused.get_data(as_text=True).split())
    assert refused.status_code == 400
    assert 'href="#conflict_details"' in text and "Say what the conflict of interest is" in text
    assert 'value="yes" checked' in text, "the answer is kept"

    fixed_clock.advance(MEETING_HELD)
    task_view.complete_task(db, task_id, user(db, OLD_CHAIR), RECORD, forms_dir=FORMS)
    done = chair.post(
        f"{page}/chair-declaration",
        data={
            "conflict": "yes",
            "conflict_details": details,
            "csrf_token": form_token(chair, page),
        },
        follow_redirects=True,
    )
    text = " ".join(done.get_data(as_text=True).split())
    assert "Your declaration is recorded, as made after the meeting" in text
    assert f'Yes: <span class="casereview-own-words">{details}</span>' in text
    assert "Declared after the meeting" in text and "held 20 March 2026" in text
    assert "Independent of the case Yes: from no organisation taking part" in _words(text)


def test_the_appointment_form_marks_independent_chairs_and_keeps_answers_it_refuses(
    chair_db: Database, tmp_path
) -> None:
    db = chair_db
    add_people(db, [(NEW_CHAIR, DALES_COUNCIL, ["review_chair"])])
    case_id = met_case(db)
    task_id = live(db, case_id)["schedule_meeting"].id
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    app = create_app(settings, db)

    def send(client, answers: dict[str, str]):  # noqa: ANN001, ANN202 - a test client
        form = {
            "chair_email": NEW_CHAIR,
            "meeting_date-day": "20",
            "meeting_date-month": "3",
            "meeting_date-year": "2026",
            "venue": "Matlock town hall",
            "action": "complete",
            "csrf_token": form_token(client, f"/tasks/{task_id}"),
        }
        return client.post(f"/tasks/{task_id}", data={**form, **answers})

    caseworker = signed_in(app, COUNCIL)
    offered = _words(caseworker.get(f"/tasks/{task_id}").get_data(as_text=True))
    assert "Chair (chair@example.org), High Peak Borough Council: independent of this case" in (
        offered
    )
    assert (
        "Dales.Chair (dales.chair@example.org), Derbyshire Dales District Council: not "
        "independent: Derbyshire Dales District Council takes part in this case" in offered
    )
    refused = send(caseworker, {"chair_reason": "Nobody else is free"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert 'href="#chair_email"' in page and "a manager must appoint them" in page
    assert f'value="{NEW_CHAIR}" checked' in page, "the chair chosen is kept"
    assert ">Matlock town hall</textarea>" in page and ">Nobody else is free</textarea>" in page

    manager = signed_in(app, MANAGER)
    caseworker.post(
        f"/tasks/{task_id}",
        data={"action": "release", "csrf_token": form_token(caseworker, f"/tasks/{task_id}")},
    )
    manager.post(
        f"/tasks/{task_id}",
        data={"action": "claim", "csrf_token": form_token(manager, f"/tasks/{task_id}")},
    )
    no_reason = send(manager, {})
    page = no_reason.get_data(as_text=True)
    assert no_reason.status_code == 400
    assert 'href="#chair_reason"' in page and "say why they should chair the review" in page
    assert f'value="{NEW_CHAIR}" checked' in page
    done = send(manager, {"chair_reason": "Nobody else is free"})
    assert done.status_code == 302
    with db.read() as session:
        review = session.scalars(select(Review).where(Review.case_id == case_id)).one()
        assert review.chair_reason == "Nobody else is free"
