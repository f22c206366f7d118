"""The risk and vulnerability assessment's level in the API's tasks and cases."""

from __future__ import annotations

from tests.support.api import Api, db_of, new_case
from tests.support.people import COUNCIL
from tests.support.procedure import ACKNOWLEDGED, STANDARD_RISK, do

HIGH_RISK = {**STANDARD_RISK, "fear": "severe", "vulnerability_factors": ["carer"]}


def test_the_api_gives_the_level_with_tasks_and_cases(api: Api) -> None:
    reference, case_id = new_case(api)
    db = db_of(api)
    do(db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    do(db, case_id, "screen", COUNCIL, {"route": "review", "hate_element": False})
    before = api.call("get", f"/cases/{reference}", template="/cases/{reference}", who=COUNCIL)
    assert before["risk"] is None
    do(db, case_id, "risk_assessment", COUNCIL, HIGH_RISK)
    tasks = api.call("get", "/tasks?scope=mine", who=COUNCIL)["tasks"]
    assert {task["risk_level"] for task in tasks if task["case_reference"] == reference} == {"high"}
    case = api.call("get", f"/cases/{reference}", template="/cases/{reference}", who=COUNCIL)
    assert case["risk"]["level"] == "high"
    assert case["risk"]["assessed_by"] == "Council"
    assert case["risk"]["answers"]["fear"] == "severe"
    assert case["risk"]["high_because"] == ["severe fear and a vulnerability factor"]
