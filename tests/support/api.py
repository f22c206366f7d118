"""The JSON API through the app in process, every answer checked against the OpenAPI
document the API publishes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import select
from werkzeug.test import TestResponse

from engine.core.db import Database
from engine.core.models import Case
from tests.support.people import COUNCIL, DEMO_PASSWORD
from tests.support.procedure import application
from tests.support.web import make_app

API = "/api/v1"


class Api:
    """Calls the API and checks each answer against the published document."""

    def __init__(self, client: FlaskClient, document: dict[str, Any]) -> None:
        self.client = client
        self.document = document
        self.tokens: dict[str, str] = {}

    def token(self, email: str) -> str:
        if email not in self.tokens:
            body = self.call(
                "post", "/auth/token", json={"email": email, "password": DEMO_PASSWORD}
            )
            self.tokens[email] = body["token"]
        return self.tokens[email]

    def call(
        self,
        method: str,
        path: str,
        *,
        template: str | None = None,
        who: str | None = None,
        status: int = 200,
        **kwargs: Any,
    ) -> Any:
        headers = kwargs.pop("headers", {})
        if who is not None:
            headers["Authorization"] = f"Bearer {self.token(who)}"
        response = getattr(self.client, method)(f"{API}{path}", headers=headers, **kwargs)
        assert response.status_code == status, response.get_data(as_text=True)
        check(self.document, template or path.split("?")[0], method, response)
        return response.get_json()


def check(document: dict[str, Any], template: str, method: str, response: TestResponse) -> None:
    """The answer's status is documented for the route, and its body matches the schema."""
    operation = document["paths"][template][method]
    documented = operation["responses"]
    assert str(response.status_code) in documented, f"{method} {template}: {response.status}"
    content = documented[str(response.status_code)]["content"]
    assert response.mimetype in content, response.mimetype
    schema = content[response.mimetype]["schema"]
    validator = Draft202012Validator(
        {**schema, "components": document["components"]}, format_checker=FormatChecker()
    )
    validator.validate(response.get_json())


def api_application(**changes: Any) -> dict[str, Any]:
    payload = application()
    payload.pop("contact_preference")
    payload["applicant"] = {**payload["applicant"], "contact_preference": "post"}
    payload.update(changes)
    return payload


def db_of(api: Api) -> Database:
    return api.client.application.extensions["casereview.db"]


def new_case(api: Api) -> tuple[str, int]:
    reference = api.call("post", "/applications", json=api_application(), status=201)["reference"]
    with db_of(api).read() as session:
        return reference, session.scalar(select(Case.id).where(Case.reference == reference))


def acknowledge_task(api: Api, reference: str) -> int:
    """The id of a new case's acknowledgement, as the council's inbox lists it."""
    tasks = api.call("get", "/tasks?scope=organisation", who=COUNCIL)["tasks"]
    (task,) = [t for t in tasks if t["case_reference"] == reference]
    assert task["name"] == "acknowledge"
    return task["id"]


def api_of(db: Database, instance: Path) -> Api:
    """The JSON API of a new app on ``db``, held to the OpenAPI document it serves."""
    client = make_app(db, instance).test_client()
    return Api(client, client.get(f"{API}/openapi.json").get_json())
