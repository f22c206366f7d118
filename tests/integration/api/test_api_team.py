"""The team's work through the API: a manager's view of their organisation's tasks by who
holds them, the team inbox, and a task given to a colleague, who is told; every answer held
to the OpenAPI document."""

from __future__ import annotations

from sqlalchemy import select

from engine.core.models import Notification
from tests.support.api import Api, acknowledge_task, db_of, new_case
from tests.support.people import COUNCIL, MANAGER, user

COUNCIL2 = "council2@example.org"


def test_a_manager_sees_the_team_s_work_and_gives_a_task_to_a_colleague(api: Api) -> None:
    reference, _ = new_case(api)
    task_id = acknowledge_task(api, reference)
    api.call("post", f"/tasks/{task_id}/claim", template="/tasks/{task_id}/claim", who=COUNCIL)
    db = db_of(api)

    team = api.call("get", "/team", who=MANAGER)
    assert team["organisation"] == "Derbyshire Dales District Council"
    assert (team["count"], team["overdue"], team["listed"]) == (1, 0, 1)
    council = next(p for p in team["people"] if p["person"]["name"] == "Council")
    assert (council["count"], council["overdue"], council["may_hold"]) == (1, 0, True)
    assert [task["id"] for task in council["tasks"]] == [task_id]
    assert council["tasks"][0]["assigned_because"] is None, "claimed by them"
    assert team["unclaimed"] == {
        "person": None,
        "may_hold": True,
        "count": 0,
        "overdue": 0,
        "tasks": [],
    }
    assert {c["name"] for c in team["colleagues"]} == {"Council", "Council2", "Manager"}
    listed = api.call("get", "/tasks?scope=team", template="/tasks", who=MANAGER)
    assert [task["id"] for task in listed["tasks"]] == [task_id]

    colleague = user(db, COUNCIL2).id
    given = api.call(
        "post",
        f"/tasks/{task_id}/reassign",
        template="/tasks/{task_id}/reassign",
        who=MANAGER,
        json={"user_id": colleague},
    )
    assert (given["assignee"]["id"], given["assigned_because"]) == (colleague, "manager")
    mine = api.call("get", "/tasks?scope=mine", template="/tasks", who=COUNCIL2)["tasks"]
    assert [(t["id"], t["assigned_because"]) for t in mine] == [(task_id, "manager")]
    with db.read() as session:
        told = session.scalars(
            select(Notification).where(
                Notification.task_id == task_id, Notification.kind == "assignment"
            )
        ).all()
    assert [(n.user_id, n.subject) for n in told] == [
        (colleague, "A task was given to you: Acknowledge the application")
    ]

    back = api.call(
        "post", f"/tasks/{task_id}/release", template="/tasks/{task_id}/release", who=MANAGER
    )
    assert (back["state"], back["assignee"], back["assigned_because"]) == ("open", None, None)
    assert api.call("get", "/team", who=MANAGER)["unclaimed"]["count"] == 1


def test_the_team_is_a_manager_s(api: Api) -> None:
    new_case(api)
    for who in (COUNCIL, "police@example.org"):
        refused = api.call("get", "/team", who=who, status=403)
        assert refused["error"] == "Only a manager can see the work of their whole organisation"
        api.call("get", "/tasks?scope=team", template="/tasks", who=who, status=403)
    api.call("get", "/team", status=401)
