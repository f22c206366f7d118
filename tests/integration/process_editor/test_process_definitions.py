"""Process owners check, deploy, download and compare process versions through the API, on
both databases, and setting up again keeps what they deployed; every API answer is held to the
OpenAPI document."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select

from engine.core.db import Database, connect
from engine.core.models import ProcessDefinition
from tests.support.api import API, Api, new_case
from tests.support.editing import (
    FASTER_ACKNOWLEDGE,
    KEY,
    LANE_SET,
    OWNER,
    RENAMED_ACKNOWLEDGE,
    RENAMED_SCREEN,
    SHIPPED,
    XML,
    changed,
    definition_of,
    deploy_version,
    versions,
)
from tests.support.people import COUNCIL
from tests.support.procedure import live

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
    assert compared["added"] == [
        {"element_id": "extra_step", "name": "An extra step", "what": [], "values": []}
    ]
    assert compared["removed"] == []
    changes = {c["element_id"]: c["values"] for c in compared["changed"]}
    assert changes == {
        "acknowledge": [
            {
                "what": "its due property",
                "before": "acknowledge_application after received_on",
                "after": "3 working days",
            }
        ],
        "screen": [
            {
                "what": "its name",
                "before": "Screen the application",
                "after": "Screen the application for a review",
            }
        ],
    }

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


# Set-up after a process owner's change


def test_set_up_again_keeps_what_a_process_owner_deployed(blank_url: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cli import main
    from tests.support.files import service_workflows

    workflows = service_workflows(tmp_path / "workflows")
    env = {
        "CASEREVIEW_DATABASE_URL": blank_url,
        "CASEREVIEW_INSTANCE_DIR": str(tmp_path / "instance"),
        "CASEREVIEW_WORKFLOWS_DIR": str(workflows),
        "CASEREVIEW_CLOCK_START": "",
    }
    runner = CliRunner()
    assert runner.invoke(main, ["init"], env=env).exit_code == 0
    edited = tmp_path / "edited.bpmn"
    edited.write_bytes(
        (workflows / "review_test.bpmn").read_bytes().replace(b"Acknowledge the", b"Acknowledge")
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
