"""A provider that answers with something the service cannot use gets the one page saying so
and one line in the log, never a server error; and starting sign-ins again and again leaves
the browser's session as small as one."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from engine.core.db import Database
from tests.support.oidc import Account, Client, Providers
from tests.support.providers import POLICE_ORGANISATION, SECRET_ENV, give_provider
from tests.support.web import make_app

START = f"/sign-in/organisation/{POLICE_ORGANISATION}"


@pytest.fixture
def broken_discovery() -> Iterator[tuple[str, list[Any]]]:
    """A server on loopback whose discovery document is whatever the test puts first in the
    list it is given: its address and that list."""
    answers: list[Any] = [{}]

    @Request.application
    def app(request: Request) -> Response:
        return Response(json.dumps(answers[0]), mimetype="application/json")

    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}", answers
    http.shutdown()
    thread.join(timeout=10)


@pytest.mark.parametrize(
    ("document", "logged"),
    [
        ("not an object", "cannot be read"),
        ({"issuer": "ISSUER"}, "has no authorization_endpoint, token_endpoint, jwks_uri"),
        ({"issuer": "ISSUER", "authorization_endpoint": "x", "token_endpoint": "y"}, "jwks_uri"),
    ],
)
def test_a_discovery_document_the_service_cannot_use_gets_one_page_and_one_line(
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    broken_discovery: tuple[str, list[Any]],
    document: Any,
    logged: str,
) -> None:
    issuer, answers = broken_discovery
    answers[0] = (
        {k: issuer if v == "ISSUER" else v for k, v in document.items()}
        if isinstance(document, dict)
        else document
    )
    monkeypatch.setenv(SECRET_ENV, "a secret")
    give_provider(db, issuer, methods=("provider", "password"))
    caplog.set_level(logging.WARNING)
    answer = make_app(db, tmp_path).test_client().get(START)
    assert answer.status_code == 503
    page = answer.get_data(as_text=True)
    assert "is not answering just now, or is not set up to work with this service" in page
    assert "Sign in with your email address and password" in page
    lines = [line.getMessage() for line in caplog.records if line.name.startswith("web.")]
    assert len(lines) == 1 and logged in lines[0]
    assert all(line.exc_info is None for line in caplog.records)


def test_sign_ins_started_and_left_do_not_fill_the_session(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, oidc_providers: Providers
) -> None:
    monkeypatch.setenv(SECRET_ENV, "a secret")
    client_of_provider = Client(
        "casereview", "a secret", ["http://localhost/sign-in/organisation/callback"]
    )
    provider = oidc_providers.start([client_of_provider], [Account("a@b.example", "pw")])
    give_provider(db, provider.issuer)
    browser = make_app(db, tmp_path).test_client()
    for _ in range(25):
        assert browser.get(START).status_code == 302
    with browser.session_transaction() as kept:
        states = [key for key in kept if key.startswith("_state_")]
    assert len(states) == 1
