"""Process owners check, deploy, download, compare and move process versions through the API
and the pages, on both databases; every API answer is held to the OpenAPI document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from engine.core.config import PROJECT_ROOT
from engine.core.db import Database, connect
from engine.core.models import AuditEvent, ProcessDefinition, ProcessInstance
from tests.support.api import API, Api, new_case
from tests.support.people import COUNCIL
from tests.support.procedure import NO_RETURN, TODAY, do, live, prepare
from tests.support.web import form_token, make_app, sign_in

OWNER = "owner@example.org"
KEY = "community_trigger_application"
SHIPPED = (PROJECT_ROOT / "workflows" / f"{KEY}.bpmn").read_bytes()
XML = {"content_type": "application/xml"}
ACKNOWLEDGED = {"acknowledged_on": TODAY, "method": "email"}


@pytest.fixture
def api_db(app_db: Database) -> Database:
    return prepare(app_db)


@pytest.fixture
def client(api_db: Database, tmp_path: Path) -> FlaskClient:
    return make_app(api_db, tmp_path).test_client()


@pytest.fixture
def api(client: FlaskClient) -> Api:
    return Api(client, client.get(f"{API}/openapi.json").get_json())


def changed(*replacements: tuple[bytes, bytes], content: bytes = SHIPPED) -> bytes:
    for old, new in replacements:
        assert old in content, old
        content = content.replace(old, new, 1)
    return content


LANE_SET = b'<bpmn:laneSet id="LaneSet_community_trigger_application">'
RENAMED_SCREEN = (b'name="Screen the application"', b'name="Screen the application for a review"')
RENAMED_ACKNOWLEDGE = (b'name="Acknowledge the application"', b'name="Acknowledge receipt"')
FASTER_ACKNOWLEDGE = (
    b'<spiffworkflow:property name="due" value="acknowledge_application"/>',
    b'<spiffworkflow:property name="due" value="3 working days"/>',
)


def versions(db: Database) -> list[tuple[int, str]]:
    with db.read() as session:
        return session.execute(
            select(ProcessDefinition.version, ProcessDefinition.content_hash)
            .where(ProcessDefinition.key == KEY)
            .order_by(ProcessDefinition.version)
        ).all()


def deploy_version(api: Api, content: bytes, status: int = 201) -> dict[str, Any]:
    return api.call("post", "/process-definitions", who=OWNER, data=content, status=status, **XML)


def definition_of(db: Database, case_id: int) -> int:
    with db.read() as session:
        return session.scalar(
            select(ProcessDefinition.version)
            .join(ProcessInstance, ProcessInstance.definition_id == ProcessDefinition.id)
            .where(ProcessInstance.case_id == case_id, ProcessDefinition.key == KEY)
        )


def instance_of(db: Database, case_id: int) -> int:
    with db.read() as session:
        return session.scalar(
            select(ProcessInstance.id)
            .join(ProcessDefinition, ProcessInstance.definition_id == ProcessDefinition.id)
            .where(ProcessInstance.case_id == case_id, ProcessDefinition.key == KEY)
        )


# Checks


def test_validate_lists_every_error_by_element_and_warnings_that_do_not_block(
    api: Api, api_db: Database
) -> None:
    broken = changed(
        (b'<bpmn:lane id="Lane_police" name="police">', b'<bpmn:lane id="Lane_police" name="cid">'),
        (LANE_SET, LANE_SET + b'<bpmn:lane id="Lane_volunteers" name="volunteers"/>'),
        (
            b'<spiffworkflow:property name="form" value="acknowledgement"/>',
            b'<spiffworkflow:property name="form" value="no_such_form"/>',
        ),
        (FASTER_ACKNOWLEDGE[0], b'<spiffworkflow:property name="due" value="when it suits"/>'),
        (
            b'<bpmn:userTask id="screen" name="Screen the application">',
            b'<bpmn:task id="orphan"/><bpmn:userTask id="screen" name="Screen the application">',
        ),
    )
    before = versions(api_db)
    checked = api.call("post", "/process-definitions/validate", who=OWNER, data=broken, **XML)
    assert checked["valid"] is False and checked["key"] is None
    by_element = {(e["element_id"], e["message"]) for e in checked["errors"]}
    assert any(e == "police_return" and "in lane 'cid'" in m for e, m in by_element)
    assert any(e == "Lane_volunteers" and "'volunteers' is not a" in m for e, m in by_element)
    assert any(e == "acknowledge" and "no_such_form" in m for e, m in by_element)
    assert any(e == "acknowledge" and "when it suits" in m for e, m in by_element)
    warnings = {(w["element_id"], w["message"]) for w in checked["warnings"]}
    assert ("orphan", "has no label; give it a name people will recognise") in warnings
    assert ("orphan", "cannot be reached from the start of the process") in warnings
    assert versions(api_db) == before, "checking deploys nothing"

    fine = api.call("post", "/process-definitions/validate", who=OWNER, data=SHIPPED, **XML)
    assert fine == {"valid": True, "key": KEY, "errors": [], "warnings": []}


def test_unsafe_expressions_are_refused_with_the_element(api: Api) -> None:
    unsafe = changed(
        (
            b"<bpmn:conditionExpression>route == 'complaint'",
            b"<bpmn:conditionExpression>route.__class__ == 'complaint'",
        )
    )
    checked = api.call("post", "/process-definitions/validate", who=OWNER, data=unsafe, **XML)
    assert checked["valid"] is False
    (error,) = checked["errors"]
    assert error["element_id"] == "screening_route" and "is refused" in error["message"]


def test_a_timer_that_is_not_iso_8601_is_refused(api: Api) -> None:
    broken = changed(
        (
            b"<bpmn:timeDate>add_working_days(received_on, consent_wait_days)",
            b"<bpmn:timeDate>'in five days'",
        )
    )
    checked = api.call("post", "/process-definitions/validate", who=OWNER, data=broken, **XML)
    assert checked["valid"] is False
    assert any("is not ISO 8601" in error["message"] for error in checked["errors"])


# Deploying and listing


def test_a_new_version_is_used_by_new_cases_while_running_ones_keep_theirs(
    api: Api, api_db: Database
) -> None:
    old_reference, old_case = new_case(api)
    deployed = deploy_version(api, changed(RENAMED_ACKNOWLEDGE, FASTER_ACKNOWLEDGE))
    assert deployed == {"key": KEY, "version": 2, "created": True, "warnings": []}
    new_reference, new_case_id = new_case(api)
    assert definition_of(api_db, old_case) == 1 and definition_of(api_db, new_case_id) == 2
    assert live(api_db, old_case)["acknowledge"].title == "Acknowledge the application"
    assert live(api_db, new_case_id)["acknowledge"].title == "Acknowledge receipt"
    assert live(api_db, new_case_id)["acknowledge"].due_on.isoformat() == "2026-03-05"

    again = deploy_version(api, changed(RENAMED_ACKNOWLEDGE, FASTER_ACKNOWLEDGE), status=200)
    assert (again["version"], again["created"]) == (2, False)

    listed = api.call("get", "/process-definitions", who=OWNER)["processes"]
    application = next(p for p in listed if p["key"] == KEY)
    assert [(v["version"], v["running"]) for v in application["versions"]] == [(2, 1), (1, 1)]
    assert application["versions"][0]["deployed_by"] == "Owner"
    assert application["versions"][1]["deployed_by"] is None, "deployed at set-up"
    assert old_reference not in str(listed) and new_reference not in str(listed)


def test_a_refused_diagram_changes_nothing_and_says_why(api: Api, api_db: Database) -> None:
    before = versions(api_db)
    refused = deploy_version(
        api,
        changed((LANE_SET, LANE_SET + b'<bpmn:lane id="Lane_empty"/>')),
        status=422,
    )
    assert refused["error"].startswith("The diagram was not deployed")
    assert refused["errors"] == [
        {
            "element_id": "Lane_empty",
            "message": "the lane '(no name)' is not a participant role; name lanes council, "
            "police, housing, health, chair, opcc",
        }
    ]
    assert versions(api_db) == before


def test_uploads_as_a_form_file_and_downloads_any_version(
    api: Api, client: FlaskClient, api_db: Database
) -> None:
    import io

    uploaded = api.call(
        "post",
        "/process-definitions",
        who=OWNER,
        data={"file": (io.BytesIO(changed(RENAMED_SCREEN)), "application.bpmn")},
        content_type="multipart/form-data",
        status=201,
    )
    assert uploaded["version"] == 2
    headers = {"Authorization": f"Bearer {api.token(OWNER)}"}
    first = client.get(f"{API}/process-definitions/{KEY}/versions/1", headers=headers)
    assert first.status_code == 200 and first.mimetype == "application/xml"
    assert first.data == SHIPPED
    assert f'filename="{KEY}-v1.bpmn"' in first.headers["Content-Disposition"]
    second = client.get(f"{API}/process-definitions/{KEY}/versions/2", headers=headers)
    assert b"Screen the application for a review" in second.data
    api.call(
        "get",
        f"/process-definitions/{KEY}/versions/9",
        template="/process-definitions/{key}/versions/{version}",
        who=OWNER,
        status=404,
    )


def test_only_process_owners_may_see_or_change_the_diagrams(
    api: Api, client: FlaskClient, api_db: Database
) -> None:
    for method, path, template, kwargs in [
        ("get", "/process-definitions", None, {}),
        ("post", "/process-definitions", None, {"data": SHIPPED, **XML}),
        ("post", "/process-definitions/validate", None, {"data": SHIPPED, **XML}),
        ("get", f"/process-definitions/{KEY}/compare?from=1&to=1", "compare", {}),
        ("post", f"/process-definitions/{KEY}/versions/1/move", "move", {}),
    ]:
        template = {
            "compare": "/process-definitions/{key}/compare",
            "move": "/process-definitions/{key}/versions/{version}/move",
        }.get(template or "", path)
        refused = api.call(method, path, template=template, who=COUNCIL, status=403, **kwargs)
        assert "process owners" in refused["error"]
        api.call(method, path, template=template, status=401, **kwargs)
    assert len(versions(api_db)) == 1


# Compare


def test_compare_lists_added_removed_and_changed_elements(api: Api) -> None:
    added_task = (
        b'<bpmn:userTask id="screen" name="Screen the application">',
        b'<bpmn:task id="extra_step" name="An extra step"/>'
        b'<bpmn:userTask id="screen" name="Screen the application">',
    )
    deploy_version(api, changed(added_task, RENAMED_SCREEN, FASTER_ACKNOWLEDGE))
    compared = api.call(
        "get",
        f"/process-definitions/{KEY}/compare?from=1&to=2",
        template="/process-definitions/{key}/compare",
        who=OWNER,
    )
    assert compared["added"] == [{"element_id": "extra_step", "name": "An extra step", "what": []}]
    assert compared["removed"] == []
    changes = {c["element_id"]: c["what"] for c in compared["changed"]}
    assert changes == {"acknowledge": ["its due property"], "screen": ["its name"]}

    backwards = api.call(
        "get",
        f"/process-definitions/{KEY}/compare?from=2&to=1",
        template="/process-definitions/{key}/compare",
        who=OWNER,
    )
    assert [r["element_id"] for r in backwards["removed"]] == ["extra_step"]
    half = api.call(
        "get",
        f"/process-definitions/{KEY}/compare?from=1",
        template="/process-definitions/{key}/compare",
        who=OWNER,
        status=422,
    )
    assert half["fields"] == {"to": "Give a version number, as in ?from=1&to=2"}
    api.call(
        "get",
        f"/process-definitions/{KEY}/compare?from=1&to=7",
        template="/process-definitions/{key}/compare",
        who=OWNER,
        status=404,
    )


# Moving running cases


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
    do(api_db, case_id, "council_return", "council2@example.org", NO_RETURN)
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


# The pages


def test_process_owner_pages_list_upload_compare_and_move(
    client: FlaskClient, api_db: Database
) -> None:
    import io

    assert sign_in(client, OWNER).status_code == 302
    listed = client.get("/procedure")
    assert listed.status_code == 200
    assert b"Community Trigger application" in listed.data and b"Newest" in listed.data

    token = form_token(client, "/procedure")
    refused = client.post(
        "/procedure/upload",
        data={
            "csrf_token": token,
            "action": "deploy",
            "file": (io.BytesIO(b"not a diagram"), "notes.bpmn"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert b"the file is not well-formed XML" in refused.data
    assert b'<h1 class="govuk-heading-l">notes.bpmn cannot be deployed</h1>' in refused.data
    checked = client.post(
        "/procedure/upload",
        data={"csrf_token": token, "action": "check", "file": (io.BytesIO(SHIPPED), "a.bpmn")},
        content_type="multipart/form-data",
    )
    assert checked.status_code == 200 and b"passes the checks" in checked.data
    assert len(versions(api_db)) == 1
    deployed = client.post(
        "/procedure/upload",
        data={
            "csrf_token": token,
            "action": "deploy",
            "file": (io.BytesIO(changed(RENAMED_SCREEN)), "a.bpmn"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert b"Deployed version 2" in deployed.data
    compared = client.get(f"/procedure/{KEY}/compare?from=1&to=2")
    assert compared.status_code == 200 and b"Screen the application for a review" in compared.data
    assert client.get(f"/procedure/{KEY}/versions/2.bpmn").data == changed(RENAMED_SCREEN)
    editor = client.get(f"/procedure/{KEY}/edit")
    assert editor.status_code == 200 and b"data-deploy-url" in editor.data
    moved = client.post(f"/procedure/{KEY}/versions/1/move", data={"csrf_token": token})
    assert moved.status_code == 200 and b"0 running cases were moved" in moved.data

    check_json = client.post(
        "/procedure/check", data=b"<x/>", headers={"X-CSRFToken": token}, **XML
    )
    assert check_json.status_code == 200 and check_json.get_json()["valid"] is False
    saved = client.post(
        "/procedure/deploy",
        data=changed(RENAMED_ACKNOWLEDGE),
        headers={"X-CSRFToken": token},
        **XML,
    )
    assert saved.status_code == 201 and saved.get_json()["version"] == 3
    assert client.post("/procedure/deploy", data=SHIPPED, **XML).status_code == 400, "CSRF"


def test_people_who_are_not_process_owners_cannot_open_the_pages(
    client: FlaskClient, api_db: Database
) -> None:
    sign_in(client, COUNCIL)
    assert client.get("/procedure").status_code == 403
    assert client.get(f"/procedure/{KEY}/edit").status_code == 403
    assert client.get(f"/procedure/{KEY}/versions/1.bpmn").status_code == 403
    assert b"Process definitions" not in client.get("/").data


# Set-up after a process owner's change


def test_set_up_again_keeps_what_a_process_owner_deployed(blank_url: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cli import main
    from tests.support.files import FIXTURES

    env = {
        "CASEREVIEW_DATABASE_URL": blank_url,
        "CASEREVIEW_INSTANCE_DIR": str(tmp_path / "instance"),
        "CASEREVIEW_WORKFLOWS_DIR": str(FIXTURES),
        "CASEREVIEW_CLOCK_START": "",
    }
    runner = CliRunner()
    assert runner.invoke(main, ["init"], env=env).exit_code == 0
    edited = tmp_path / "edited.bpmn"
    edited.write_bytes(
        (FIXTURES / "review_test.bpmn").read_bytes().replace(b"Acknowledge the", b"Acknowledge")
    )
    assert runner.invoke(main, ["deploy", str(edited)], env=env).exit_code == 0
    again = runner.invoke(main, ["init"], env=env)
    assert again.exit_code == 0, again.output
    assert (
        "review_test.bpmn: test_review version 1 (deployed before; version 2 stays the newest)"
        in again.output
    )
    database = connect(blank_url)
    with database.read() as session:
        assert session.scalars(select(ProcessDefinition.version)).all() == [1, 2]
    database.dispose()
