"""Moving running cases to a newer version of their diagram: done where nothing they reached
changed, refused with reasons (changing nothing) where it did."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.core.db import Database
from engine.core.models import AuditEvent, ProcessInstance
from tests.support.api import Api, new_case
from tests.support.editing import (
    KEY,
    OWNER,
    RENAMED_ACKNOWLEDGE,
    RENAMED_SCREEN,
    changed,
    definition_of,
    deploy_version,
    instance_of,
)
from tests.support.people import COUNCIL
from tests.support.procedure import ACKNOWLEDGED, NO_RETURN, STANDARD_RISK, do, live

MOVE = "/process-definitions/{key}/versions/{version}/move"


def test_running_cases_move_when_nothing_they_reached_changed(api: Api, api_db: Database) -> None:
    _, waiting = new_case(api)  # at "acknowledge"
    _, further = new_case(api)
    do(api_db, further, "acknowledge", COUNCIL, ACKNOWLEDGED)  # now at "screen"
    deploy_version(api, changed(RENAMED_SCREEN))

    report = api.call(
        "post", f"/process-definitions/{KEY}/versions/1/move", template=MOVE, who=OWNER
    )
    waiting_instance, further_instance = instance_of(api_db, waiting), instance_of(api_db, further)
    assert report["moved"] == [waiting_instance]
    assert report["refused"] == [
        {
            "instance_id": further_instance,
            "reasons": [
                "'Screen the application' (screen), which it has reached, was changed (its name)"
            ],
        }
    ]
    assert (definition_of(api_db, waiting), definition_of(api_db, further)) == (2, 1)
    assert live(api_db, further)["screen"].title == "Screen the application"
    with api_db.read() as session:
        moved = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "process.moved")
        ).all()
        assert [(e.case_id, e.detail["from_version"], e.detail["to_version"]) for e in moved] == [
            (waiting, 1, 2)
        ]
        assert moved[0].object_id == str(waiting_instance)

    # The moved case goes on in the new version: its next task has the new name.
    do(api_db, waiting, "acknowledge", COUNCIL, ACKNOWLEDGED)
    assert live(api_db, waiting)["screen"].title == "Screen the application for a review"


def test_a_case_waiting_for_several_returns_at_once_moves_and_carries_on(
    api: Api, api_db: Database
) -> None:
    _, case_id = new_case(api)
    do(api_db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    do(api_db, case_id, "screen", COUNCIL, {"route": "review", "hate_element": False})
    waiting = {name: task.id for name, task in live(api_db, case_id).items()}
    assert "housing_return [child]" in waiting
    deploy_version(
        api,
        changed(
            (
                b'name="Decide whether the threshold is met"',
                b'name="Decide on the threshold"',
            )
        ),
    )
    report = api.call(
        "post", f"/process-definitions/{KEY}/versions/1/move", template=MOVE, who=OWNER
    )
    assert report["moved"] == [instance_of(api_db, case_id)] and report["refused"] == []
    assert {name: task.id for name, task in live(api_db, case_id).items()} == waiting
    with api_db.read() as session:
        assert (
            session.scalar(select(func.count()).where(AuditEvent.action == "task.cancelled")) == 0
        )

    do(api_db, case_id, "police_return", "police@example.org", NO_RETURN)
    do(api_db, case_id, "housing_return [child]", "housing@example.org", NO_RETURN)
    do(api_db, case_id, "health_return", "health@example.org", NO_RETURN)
    do(api_db, case_id, "council_return", COUNCIL, NO_RETURN)
    do(api_db, case_id, "risk_assessment", COUNCIL, STANDARD_RISK)
    assert live(api_db, case_id)["threshold_decision"].title == "Decide on the threshold"


def test_moving_is_refused_with_reasons_and_changes_nothing(api: Api, api_db: Database) -> None:
    _, case_id = new_case(api)
    api.call(
        "post",
        f"/process-definitions/{KEY}/versions/1/move",
        template=MOVE,
        who=OWNER,
        status=409,
    )  # version 1 is the newest
    deploy_version(api, changed(RENAMED_ACKNOWLEDGE))
    instance = instance_of(api_db, case_id)
    with api_db.read() as session:
        before = session.get(ProcessInstance, instance).workflow_json
    report = api.call(
        "post",
        f"/process-definitions/{KEY}/versions/1/move",
        template=MOVE,
        who=OWNER,
        json={"instance_ids": [instance, 999999]},
    )
    assert report["moved"] == []
    assert {r["instance_id"]: r["reasons"] for r in report["refused"]} == {
        instance: [
            "'Acknowledge the application' (acknowledge), which it has reached, was changed "
            "(its name)"
        ],
        999999: ["it is not a running case on version 1"],
    }
    with api_db.read() as session:
        assert session.get(ProcessInstance, instance).workflow_json == before
        assert session.scalar(select(func.count()).where(AuditEvent.action == "process.moved")) == 0
    api.call(
        "post",
        f"/process-definitions/{KEY}/versions/1/move",
        template=MOVE,
        who=OWNER,
        json={"instance_ids": "all"},
        status=422,
    )
    api.call(
        "post",
        f"/process-definitions/{KEY}/versions/5/move",
        template=MOVE,
        who=OWNER,
        status=404,
    )
