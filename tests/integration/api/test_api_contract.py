"""How any call to the JSON API is made and answered: tokens, never the session cookie; the
document lists exactly the app's routes; errors are JSON everywhere under the API."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator

from engine.core import workdays
from engine.core.db import Database
from tests.support.api import API, Api, acknowledge_task, check, new_case
from tests.support.people import COUNCIL, DEMO_PASSWORD
from tests.support.web import make_app, sign_in


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
