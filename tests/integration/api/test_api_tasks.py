"""Tasks through the JSON API, on both databases: inboxes, a task's form and draft, claiming,
releasing, reassigning and completing; every answer checked against the OpenAPI document the
API publishes."""

from __future__ import annotations

from typing import Any

from tests.support.api import Api, acknowledge_task, db_of, new_case
from tests.support.people import COUNCIL, user
from tests.support.procedure import ACKNOWLEDGED, live


def test_inbox_scopes_and_filters(api: Api) -> None:
    reference, case_id = new_case(api)
    waiting = api.call("get", "/tasks?scope=organisation", who=COUNCIL)
    (task,) = waiting["tasks"]
    assert (task["case_reference"], task["district"]["key"], task["state"]) == (
        reference,
        "derbyshire-dales",
        "open",
    )
    assert task["organisations"] == [
        {"key": "derbyshire-dales-district-council", "name": "Derbyshire Dales District Council"}
    ]
    assert (task["due_on"], task["overdue"], task["escalation_level"]) == ("2026-03-09", False, 0)
    assert api.call("get", "/tasks", who=COUNCIL)["tasks"] == []
    assert api.call("get", "/tasks?scope=organisation", who="police@example.org")["tasks"] == []

    narrowed = (
        "/tasks?scope=organisation&district=derbyshire-dales"
        "&process=community_trigger_application&task=acknowledge"
    )
    assert [t["id"] for t in api.call("get", narrowed, who=COUNCIL)["tasks"]] == [task["id"]]
    assert api.call("get", "/tasks?scope=organisation&district=erewash", who=COUNCIL)["tasks"] == []
    assert api.call("get", "/tasks?scope=organisation&task=screen", who=COUNCIL)["tasks"] == []

    api.call("post", f"/tasks/{task['id']}/claim", template="/tasks/{task_id}/claim", who=COUNCIL)
    (mine,) = api.call("get", "/tasks?scope=mine", who=COUNCIL)["tasks"]
    assert mine["assignee"] == {"id": user(db_of(api), COUNCIL).id, "name": "Council"}

    choices = api.call("get", "/tasks/filters", who=COUNCIL)
    assert choices["districts"] == [{"key": "derbyshire-dales", "name": "Derbyshire Dales"}]
    assert "community_trigger_application" in [p["key"] for p in choices["processes"]]
    assert {"name": "acknowledge", "title": "Acknowledge the application"} in choices["tasks"]
    refused = api.call("get", "/tasks?scope=overdue", who=COUNCIL, status=403)
    assert "manager" in refused["error"]
    assert api.call("get", "/tasks?scope=overdue", who="manager@example.org")["tasks"] == []
    assert "scope" in api.call("get", "/tasks?scope=all", who=COUNCIL, status=422)["fields"]
    assert "limit" in api.call("get", "/tasks?limit=0", who=COUNCIL, status=422)["fields"]


def test_a_task_with_its_form_and_draft(api: Api) -> None:
    reference, _ = new_case(api)
    task_id = acknowledge_task(api, reference)
    one = "/tasks/{task_id}"
    detail = api.call("get", f"/tasks/{task_id}", template=one, who=COUNCIL)
    assert detail["schema"]["required"] == ["method"]
    assert (detail["draft"], detail["actions"]["claim"]) == (None, True)

    draft = "/tasks/{task_id}/draft"
    saved = api.call(
        "put",
        f"/tasks/{task_id}/draft",
        template=draft,
        who=COUNCIL,
        json={"data": {"notes": "Rang"}},
    )
    assert (saved["id"], saved["draft"]) == (task_id, {"notes": "Rang"})
    again = api.call("get", f"/tasks/{task_id}", template=one, who="council2@example.org")
    assert again["draft"] == {"notes": "Rang"}, "a colleague picks up where it was left"
    api.call(
        "put",
        f"/tasks/{task_id}/draft",
        template=draft,
        who=COUNCIL,
        json={"notes": "x"},
        status=422,
    )
    api.call("put", f"/tasks/{task_id}/draft", template=draft, who=COUNCIL, data="[", status=400)
    api.call(
        "put",
        f"/tasks/{task_id}/draft",
        template=draft,
        who="police@example.org",
        json={"data": {}},
        status=403,
    )
    for outsider in ("futures@example.org", "owner@example.org"):
        api.call("get", f"/tasks/{task_id}", template=one, who=outsider, status=404)
        api.call(
            "put",
            f"/tasks/{task_id}/draft",
            template=draft,
            who=outsider,
            json={"data": {}},
            status=404,
        )
    api.call("get", "/tasks/999999", template=one, who=COUNCIL, status=404)


def test_claim_release_and_reassign(api: Api) -> None:
    reference, _ = new_case(api)
    task_id = acknowledge_task(api, reference)
    db = db_of(api)

    def act(action: str, who: str, status: int = 200, **kwargs: Any) -> Any:
        return api.call(
            "post",
            f"/tasks/{task_id}/{action}",
            template=f"/tasks/{{task_id}}/{action}",
            who=who,
            status=status,
            **kwargs,
        )

    claimed = act("claim", COUNCIL)
    assert (claimed["state"], claimed["assignee"]["name"]) == ("claimed", "Council")
    assert "someone else" in act("claim", "council2@example.org", 409)["error"]
    act("claim", "police@example.org", 403)
    act("claim", "futures@example.org", 404)
    act("release", "council2@example.org", 403)
    assert act("release", "manager@example.org")["state"] == "open"
    act("release", COUNCIL, 409)

    colleague = user(db, "council2@example.org").id
    act("reassign", COUNCIL, 403, json={"user_id": colleague})
    refused = act(
        "reassign", "manager@example.org", 422, json={"user_id": user(db, "police@example.org").id}
    )
    assert "user_id" in refused["fields"]
    assert "user_id" in act("reassign", "manager@example.org", 422, json={})["fields"]
    moved = act("reassign", "manager@example.org", json={"user_id": colleague})
    assert (moved["state"], moved["assignee"]["id"]) == ("claimed", colleague)
    api.call(
        "post", "/tasks/999999/claim", template="/tasks/{task_id}/claim", who=COUNCIL, status=404
    )


def test_completing_a_task(api: Api) -> None:
    reference, case_id = new_case(api)
    task_id = acknowledge_task(api, reference)
    done = "/tasks/{task_id}/complete"

    refused = api.call(
        "post",
        f"/tasks/{task_id}/complete",
        template=done,
        who=COUNCIL,
        json={"data": {"method": "pigeon"}},
        status=422,
    )
    assert set(refused["fields"]) == {"method"}
    assert refused["fields"]["method"] == "Select how it was sent"
    api.call("post", f"/tasks/{task_id}/complete", template=done, who=COUNCIL, json={}, status=422)

    completed = api.call(
        "post",
        f"/tasks/{task_id}/complete",
        template=done,
        who=COUNCIL,
        json={"data": ACKNOWLEDGED},
    )
    assert (completed["task"]["id"], completed["task"]["state"]) == (task_id, "completed")
    assert [t["name"] for t in completed["ready"]] == ["screen"]
    assert completed["ready"][0]["case_reference"] == reference
    assert completed["process_finished"] is False
    assert "screen" in live(db_of(api), case_id)

    again = api.call(
        "post",
        f"/tasks/{task_id}/complete",
        template=done,
        who=COUNCIL,
        json={"data": ACKNOWLEDGED},
        status=409,
    )
    assert "already" in again["error"]
