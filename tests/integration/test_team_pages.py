"""The team's page: a manager sees every task of their organisation by who holds it, with
counts and what is overdue, and gives a task to a colleague or back to the queue from it;
what cannot be done is said at the task's choice, and nothing changes."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.models import AuditEvent, Notification, Task, User
from tests.support.people import COUNCIL, MANAGER, add_people, user
from tests.support.procedure import ACKNOWLEDGED, application, do, live, submit
from tests.support.web import csrf_token, make_app, signed_in

COUNCIL2 = "council2@example.org"


@pytest.fixture
def app(app_db: Database, tmp_path) -> Flask:
    add_people(
        app_db,
        [
            ("owner@example.org", "derbyshire-dales-district-council", ["process_owner"]),
            ("gone@example.org", "derbyshire-dales-district-council", ["caseworker"]),
        ],
    )
    with app_db.transaction() as session:
        session.scalar(select(User).where(User.email == "gone@example.org")).active = False
    return make_app(app_db, tmp_path)


@pytest.fixture
def work(app_db: Database) -> dict[str, int]:
    """A case just in (its acknowledgement for anyone to claim) and one acknowledged by
    Council, whose screening is theirs: the tasks by name."""
    new = submit(app_db, application())
    held = submit(app_db, application())
    do(app_db, held, "acknowledge", COUNCIL, ACKNOWLEDGED)
    return {
        "acknowledge": live(app_db, new)["acknowledge"].id,
        "screen": live(app_db, held)["screen"].id,
    }


def _post(client: FlaskClient, path: str, data: dict):  # noqa: ANN202
    token = csrf_token(client.get("/sign-out").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _table(page: str, id_: str) -> str:
    return _text(re.search(rf'<table[^>]*id="{id_}".*?</table>', page, re.S).group(0))


def _task(db: Database, task_id: int) -> Task:
    with db.read() as session:
        return session.get_one(Task, task_id)


def test_the_manager_sees_each_person_s_work_with_counts(
    app: Flask, work: dict[str, int], app_db: Database, fixed_clock: FixedClock
) -> None:
    fixed_clock.advance(timedelta(days=8))  # Tuesday 10 March: the acknowledgement was due 9th
    manager = signed_in(app, MANAGER)
    page = manager.get("/").get_data(as_text=True)
    assert 'href="/team"' in page, "the managers' navigation and inbox lead to it"
    response = manager.get("/team")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    summary = _text(re.search(r'id="summary".*?</table>', page, re.S).group(0))
    assert "Not yet claimed 1 1" in summary, "one unclaimed, and it is overdue"
    assert "Council 1 1" in summary and "Council2 0 0" in summary and "Manager 0 0" in summary
    assert "All 2 2" in summary
    waiting = _table(page, "not-claimed")
    assert "Acknowledge the application" in waiting and "Overdue by 1 working day" in waiting
    council = _table(page, f"person-{user(app_db, COUNCIL).id}")
    assert "Council 1 task" in council and "Screen the application" in council
    assert "Given to them because they completed the previous step of this case" in council
    # The colleagues a task can go to: not its holder, nor anyone who cannot take it.
    choice = re.search(rf'<select[^>]*id="give-{work["screen"]}".*?</select>', page, re.S).group(0)
    offered = re.findall(r"<option[^>]*>([^<]+)</option>", choice)
    assert offered == ["Choose someone", "Council2", "Manager", "Return it to the queue"]
    assert "Gone" not in page and "Owner" not in page

    caseworker = signed_in(app, COUNCIL)
    assert caseworker.get("/team").status_code == 403
    assert 'href="/team"' not in caseworker.get("/").get_data(as_text=True)


def test_a_task_given_to_a_colleague_and_back_to_the_queue(
    app: Flask, work: dict[str, int], app_db: Database
) -> None:
    manager = signed_in(app, MANAGER)
    council2 = user(app_db, COUNCIL2)
    screen = work["screen"]
    given = _post(manager, f"/team/tasks/{screen}", {"to": str(council2.id)})
    assert given.status_code == 302 and given.headers["Location"] == "/team"
    banner = _text(manager.get("/team").get_data(as_text=True))
    assert "is now with Council2, who has been told" in banner
    task = _task(app_db, screen)
    assert (task.state, task.assignee_id, task.assigned_because) == (
        "claimed",
        council2.id,
        "manager",
    )
    with app_db.read() as session:
        (told,) = session.scalars(
            select(Notification).where(
                Notification.task_id == screen, Notification.kind == "assignment"
            )
        ).all()
    assert (told.user_id, told.subject) == (
        council2.id,
        "A task was given to you: Screen the application",
    )
    theirs = signed_in(app, COUNCIL2)
    mine = _table(theirs.get("/").get_data(as_text=True), "my-tasks")
    assert "Screen the application Given to you by a manager" in mine
    with app_db.read() as session:
        reference = session.get_one(Task, screen).case.reference
    trail = _text(theirs.get(f"/cases/{reference}").get_data(as_text=True))
    assert "Manager gave Screen the application to Council2, taking it from Council" in trail

    back = _post(manager, f"/team/tasks/{screen}", {"to": "queue"})
    assert back.status_code == 302
    assert "is back in your organisation's queue" in _text(manager.get("/team").get_data(True))
    task = _task(app_db, screen)
    assert (task.state, task.assignee_id, task.assigned_because) == ("open", None, None)


@pytest.mark.parametrize(
    "who, why",
    [
        ("", "Select who should do the task, or return it to the queue"),
        ("police@example.org", "Select an active colleague in your organisation"),
        ("owner@example.org", "Select an active colleague in your organisation"),
        ("gone@example.org", "Select an active colleague in your organisation"),
        ("999999", "Select an active colleague in your organisation"),
        ("someone", "Select an active colleague in your organisation"),
    ],
)
def test_someone_who_cannot_take_it_is_refused_at_the_choice(
    app: Flask, work: dict[str, int], app_db: Database, who: str, why: str
) -> None:
    screen = work["screen"]
    if "@" in who:
        with app_db.read() as session:
            who = str(session.scalar(select(User.id).where(User.email == who)))
    manager = signed_in(app, MANAGER)
    with app_db.read() as session:
        events = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    refused = _post(manager, f"/team/tasks/{screen}", {"to": who})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert f'<a href="#give-{screen}">{why}' in unescape(page)
    assert f'id="give-{screen}-error"' in page
    assert _task(app_db, screen).assignee_id == user(app_db, COUNCIL).id, "nothing changed"
    with app_db.read() as session:
        assert session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) == (
            events
        )


def test_a_finished_task_another_organisation_s_or_a_made_up_one(
    app: Flask, work: dict[str, int], app_db: Database
) -> None:
    manager = signed_in(app, MANAGER)
    council2 = str(user(app_db, COUNCIL2).id)
    case_id = _task(app_db, work["screen"]).case_id
    do(app_db, case_id, "screen", COUNCIL, {"route": "review", "hate_element": False})
    done = _post(manager, f"/team/tasks/{work['screen']}", {"to": council2})
    assert done.status_code == 409
    assert "'Screen the application' is no longer waiting to be done" in unescape(
        done.get_data(as_text=True)
    )
    assert _task(app_db, work["screen"]).assignee_id == user(app_db, COUNCIL).id
    police_return = live(app_db, case_id)["police_return"].id
    assert _post(manager, f"/team/tasks/{police_return}", {"to": council2}).status_code == 403
    assert _post(manager, "/team/tasks/999999", {"to": council2}).status_code == 404
    # A caseworker's hand-made request: only managers give tasks to others.
    caseworker = signed_in(app, COUNCIL2)
    assert (
        _post(caseworker, f"/team/tasks/{work['acknowledge']}", {"to": council2}).status_code == 403
    )
    assert _task(app_db, work["acknowledge"]).state == "open"
