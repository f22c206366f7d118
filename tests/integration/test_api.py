"""The JSON API, through the app, on both databases: every answer checked against the
OpenAPI document the API publishes."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from sqlalchemy import select

from engine.core import workdays
from engine.core.db import Database
from engine.core.models import Case
from tests.support.api import API, Api, api_application, check, db_of, new_case
from tests.support.people import DEMO_PASSWORD, add_people, user
from tests.support.procedure import (
    TODAY,
    case_of,
    chaired_meeting,
    live,
    met_case,
    prepare,
)
from tests.support.web import make_app, sign_in

COUNCIL = "council@example.org"
ACKNOWLEDGED = {"acknowledged_on": TODAY, "method": "email"}


@pytest.fixture
def api_db(app_db: Database) -> Database:
    return prepare(app_db)


@pytest.fixture
def app(api_db: Database, tmp_path: Path) -> Flask:
    return make_app(api_db, tmp_path)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def openapi(client: FlaskClient) -> dict[str, Any]:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.get_json()


@pytest.fixture
def api(client: FlaskClient, openapi: dict[str, Any]) -> Api:
    return Api(client, openapi)


def acknowledge_task(api: Api, reference: str) -> int:
    tasks = api.call("get", "/tasks?scope=organisation", who=COUNCIL)["tasks"]
    (task,) = [t for t in tasks if t["case_reference"] == reference]
    assert task["name"] == "acknowledge"
    return task["id"]


# Tokens


def test_a_token_is_issued_for_a_right_password_and_refused_otherwise(api: Api) -> None:
    issued = api.call(
        "post", "/auth/token", json={"email": "police@example.org", "password": DEMO_PASSWORD}
    )
    assert issued["token_type"] == "Bearer" and issued["expires_in"] == 8 * 3600
    headers = {"Authorization": f"Bearer {issued['token']}"}
    assert api.call("get", "/tasks", headers=headers) == {"scope": "mine", "tasks": []}

    refused = api.call(
        "post",
        "/auth/token",
        json={"email": "police@example.org", "password": "not the password"},
        status=401,
    )
    assert refused == {"error": "The email address or password is not right"}
    missing = api.call("post", "/auth/token", json={"email": "police@example.org"}, status=422)
    assert set(missing["fields"]) == {"password"}
    api.call("post", "/auth/token", data="{not json", status=400)


def test_calls_without_a_valid_token_are_refused(
    api: Api, client: FlaskClient, fixed_clock
) -> None:
    response = client.get(f"{API}/tasks")
    assert response.status_code == 401 and "Bearer" in response.headers["WWW-Authenticate"]
    check(api.document, "/tasks", "get", response)
    api.call("get", "/tasks", headers={"Authorization": "Bearer nonsense"}, status=401)
    api.call("get", "/tasks", headers={"Authorization": "Basic abc"}, status=401)
    token = api.token(COUNCIL)
    fixed_clock.advance(timedelta(hours=8, seconds=1))
    api.call("get", "/tasks", headers={"Authorization": f"Bearer {token}"}, status=401)


def test_the_api_never_reads_the_session_cookie(api: Api, client: FlaskClient) -> None:
    assert sign_in(client, COUNCIL).status_code == 302
    assert client.get("/").status_code == 200, "signed in to the pages"
    api.call("get", "/tasks", status=401)


# Public intake and figures


def test_anyone_may_apply(api: Api) -> None:
    submitted = api.call("post", "/applications", json=api_application(), status=201)
    with db_of(api).read() as session:
        case = session.scalar(select(Case).where(Case.reference == submitted["reference"]))
        assert submitted["status"] == case.status
        assert (case.channel, case.applicant["contact_preference"]) == ("online", "letter")
        assert case.applicant["name"] == "Sam Taylor"


def test_a_refused_application_lists_every_field_to_correct(api: Api) -> None:
    payload = api_application(district="atlantis")
    payload["applicant"]["contact_preference"] = "pigeon"
    refused = api.call("post", "/applications", json=payload, status=422)
    assert set(refused["fields"]) == {"district", "applicant.contact_preference"}
    refused = api.call("post", "/applications", json=api_application(incidents=[]), status=422)
    assert "incidents" in refused["fields"]
    refused = api.call(
        "post", "/applications", json=api_application(received_on="2026-02-20"), status=422
    )
    assert "council caseworker" in refused["fields"]["received_on"]
    api.call("post", "/applications", json=["not", "an", "object"], status=400)
    with db_of(api).read() as session:
        assert session.scalars(select(Case)).all() == []


def test_a_council_caseworker_enters_a_paper_application(api: Api) -> None:
    submitted = api.call(
        "post",
        "/applications",
        json=api_application(received_on="2026-02-20"),
        who=COUNCIL,
        status=201,
    )
    with db_of(api).read() as session:
        case = session.scalar(select(Case).where(Case.reference == submitted["reference"]))
    assert (case.channel, case.received_on.isoformat()) == ("paper", "2026-02-20")
    api.call(
        "post",
        "/applications",
        json=api_application(),
        headers={"Authorization": "Bearer expired-or-made-up"},
        status=401,
    )


def test_anyone_may_appeal_a_decision(api: Api) -> None:
    db = db_of(api)
    reference = case_of(db, met_case(db)).reference
    appeal = {
        "case_reference": reference,
        "letter_date": TODAY,
        "grounds": ["threshold_decision"],
        "details": "The police reports were not counted",
    }
    refused = api.call("post", "/appeals", json={**appeal, "grounds": ["unhappy"]}, status=422)
    assert "grounds[0]" in refused["fields"]
    refused = api.call(
        "post", "/appeals", json={**appeal, "case_reference": "CT-2026-99999"}, status=422
    )
    assert "case_reference" in refused["fields"]
    assert api.call("post", "/appeals", json=appeal, status=201) == {
        "reference": reference,
        "status": "appeal_lodged",
    }


def test_the_published_figures(api: Api) -> None:
    new_case(api)
    figures = api.call("get", "/statistics?year=2025")
    assert (figures["year"], figures["label"]) == (2025, "2025/26")
    assert [d["key"] for d in figures["districts"]][:2] == ["amber-valley", "bolsover"]
    assert len(figures["districts"]) == 9
    dales = next(d for d in figures["districts"] if d["key"] == "derbyshire-dales")
    assert dales["applications"] == 1 and figures["totals"]["applications"] == 1
    assert api.call("get", "/statistics")["year"] == 2025, "the current financial year"
    for year in ("abc", "2013", "2030"):
        refused = api.call("get", f"/statistics?year={year}", status=422)
        assert "year" in refused["fields"]


# Tasks


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
    assert detail["schema"]["required"] == ["acknowledged_on", "method"]
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
    assert set(refused["fields"]) == {"acknowledged_on", "method"}
    assert "Choose one of" in refused["fields"]["method"]
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


# Cases


def test_a_participant_sees_the_case_and_anyone_else_sees_nothing(api: Api) -> None:
    reference, _ = new_case(api)
    one = "/cases/{reference}"
    managed = api.call("get", f"/cases/{reference}", template=one, who=COUNCIL)
    assert managed["applicant"]["name"] == "Sam Taylor"
    assert managed["applicant"]["contact_preference"] == "post", "as it was sent"
    assert [i["occurred_on"] for i in managed["incidents"]] == [
        "2026-01-05",
        "2026-01-19",
        "2026-02-02",
    ]
    assert managed["tasks"][0]["name"] == "acknowledge"
    assert managed["audit"][-1]["action"] == "case.viewed"

    police = api.call("get", f"/cases/{reference}", template=one, who="police@example.org")
    assert police["applicant"] == managed["applicant"], "their case too"
    assert "audit" not in police

    # Futures Housing serves Amber Valley and Erewash, not the Dales.
    hidden = api.call(
        "get", f"/cases/{reference}", template=one, who="futures@example.org", status=404
    )
    missing = api.call(
        "get", "/cases/CT-2026-99999", template=one, who="futures@example.org", status=404
    )
    assert hidden["error"].replace(reference, "?") == missing["error"].replace("CT-2026-99999", "?")
    api.call("get", f"/cases/{reference}", template=one, status=401)

    documents = "/cases/{reference}/documents"
    listed = api.call(
        "get", f"/cases/{reference}/documents", template=documents, who="health@example.org"
    )
    assert listed["reference"] == reference
    assert listed["documents"] == managed["documents"]
    api.call(
        "get",
        f"/cases/{reference}/documents",
        template=documents,
        who="futures@example.org",
        status=404,
    )


def test_the_meeting_pack_route_keeps_to_the_document(api: Api) -> None:
    reference, _ = new_case(api)
    pack = "/cases/{reference}/documents/meeting-pack"
    path = f"/cases/{reference}/documents/meeting-pack"
    api.call("get", path, template=pack, status=401)
    api.call("get", path, template=pack, who="futures@example.org", status=404)
    response = api.client.get(
        f"{API}{path}", headers={"Authorization": f"Bearer {api.token(COUNCIL)}"}
    )
    assert response.status_code == 200
    assert response.mimetype in api.document["paths"][pack]["get"]["responses"]["200"]["content"]
    listed = api.call(
        "get",
        f"/cases/{reference}/documents",
        template="/cases/{reference}/documents",
        who="police@example.org",
    )
    assert "meeting_pack" in [document["kind"] for document in listed["documents"]]


# The contract


def _flask_to_openapi(rule: str) -> str:
    path = rule.removeprefix(API)
    for converter in ("<int:", "<"):
        path = path.replace(converter, "{")
    return path.replace(">", "}")


def test_the_document_lists_exactly_the_routes_the_app_has(app: Flask, openapi: dict) -> None:
    served: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(f"{API}/"):
            methods = {m.lower() for m in rule.methods or ()} - {"head", "options"}
            served.setdefault(_flask_to_openapi(rule.rule), set()).update(methods)
    documented = {path: set(item) for path, item in openapi["paths"].items()}
    assert served == documented
    assert openapi["servers"] == [{"url": API}]
    Draft202012Validator.check_schema({"$defs": openapi["components"]["schemas"]})


def test_errors_are_json_everywhere_under_the_api(
    api: Api, app: Flask, api_db: Database, tmp_path: Path
) -> None:
    client = api.client
    for response, status in (
        (client.get(f"{API}/no-such-thing"), 404),
        (client.delete(f"{API}/statistics"), 405),
        (client.get(f"{API}/tasks/not-a-number"), 404),
    ):
        assert response.status_code == status
        assert response.is_json and response.get_json()["error"]
    wrong_method = client.delete(f"{API}/statistics").get_json()
    assert wrong_method == {"error": "This address does not accept that method"}, "API words"
    too_big = client.post(
        f"{API}/applications", data=b" " * (4 * 1024 * 1024 + 1), content_type="application/json"
    )
    assert too_big.status_code == 413
    check(api.document, "/applications", "post", too_big)

    # A diagram names a form the service cannot find: the process cannot go on, and says so.
    reference, _ = new_case(api)
    task_id = acknowledge_task(api, reference)
    broken = make_app(api_db, tmp_path / "broken", CASEREVIEW_WORKFLOWS_DIR=str(tmp_path))
    broken_api = Api(broken.test_client(), api.document)
    failed = broken_api.call(
        "get", f"/tasks/{task_id}", template="/tasks/{task_id}", who=COUNCIL, status=500
    )
    assert "acknowledgement" in failed["error"]

    def crash() -> None:
        raise RuntimeError("a bug")

    crashing = make_app(api_db, tmp_path / "crashing")
    crashing.add_url_rule(f"{API}/crash", "crash", crash)
    response = crashing.test_client().get(f"{API}/crash")
    assert response.status_code == 500 and response.is_json
    assert "a bug" not in response.get_data(as_text=True)


def test_a_new_app_knows_the_bank_holidays_before_its_first_request(
    db: Database, tmp_path: Path
) -> None:
    """Working them out takes tens of milliseconds: a worker does it as it starts, not in the
    first request that counts working days."""
    workdays._bank_holidays.cache_clear()
    make_app(db, tmp_path)
    known = workdays._bank_holidays.cache_info().currsize
    assert known == 2, "this year's and next year's"
    assert workdays.is_working_day(date(2026, 12, 25)) is False
    assert workdays._bank_holidays.cache_info().misses == 2, "answered from what it knew"


def test_a_council_manager_gives_a_review_another_chair(api: Api) -> None:
    db = db_of(api)
    add_people(
        db, [("dales.chair@example.org", "derbyshire-dales-district-council", ["review_chair"])]
    )
    case_id, _task_id = chaired_meeting(db, "chair@example.org")
    reference = case_of(db, case_id).reference

    def change(who: str, body: dict[str, Any], status: int = 200) -> Any:
        return api.call(
            "post",
            f"/cases/{reference}/chair",
            template="/cases/{reference}/chair",
            who=who,
            json=body,
            status=status,
        )

    wrong = change("manager@example.org", {"chair_email": "police@example.org"}, 422)
    assert "review chair" in wrong["fields"]["chair_email"]
    change("manager@example.org", {}, 422)
    change(COUNCIL, {"chair_email": "dales.chair@example.org"}, 403)
    changed = change("manager@example.org", {"chair_email": "dales.chair@example.org"})
    chair = user(db, "dales.chair@example.org")
    assert changed == {"reference": reference, "chair": {"id": chair.id, "name": chair.name}}
    assert live(db, case_id)["record_meeting"].assignee_id == chair.id
