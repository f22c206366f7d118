"""Headers every answer carries: a Content Security Policy with no inline script, no framing,
no sniffing, a referrer kept at home, and HSTS only over HTTPS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from engine.core.config import PROJECT_ROOT
from engine.core.db import Database
from tests.support.web import make_app

TEMPLATES = PROJECT_ROOT / "templates"


@pytest.fixture
def app(db: Database, tmp_path: Path) -> Flask:
    return make_app(db, tmp_path)


def policy(response) -> dict[str, str]:
    directives = response.headers["Content-Security-Policy"].split(";")
    return {d.strip().split(" ", 1)[0]: d.strip().partition(" ")[2] for d in directives}


@pytest.mark.parametrize(
    "path",
    ["/sign-in", "/apply", "/statistics", "/no-such-page", "/api/v1/openapi.json", "/api/v1/tasks"],
)
def test_every_answer_carries_the_security_headers(app: Flask, path: str) -> None:
    response = app.test_client().get(path)
    csp = policy(response)
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
    assert csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers, "plain HTTP: no HSTS"


def test_the_one_inline_script_carries_this_requests_nonce(app: Flask) -> None:
    client = app.test_client()
    first, second = client.get("/apply"), client.get("/apply")
    nonces = []
    for response in (first, second):
        page = response.get_data(as_text=True)
        inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
        assert len(inline) == 1, "only the GOV.UK template's js-enabled script is inline"
        nonce = re.search(r'nonce="([^"]+)"', inline[0]).group(1)
        assert f"'nonce-{nonce}'" in policy(response)["script-src"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1], "a fresh nonce for every request"


def test_hsts_only_when_the_request_came_over_https(db: Database, tmp_path: Path) -> None:
    direct = make_app(db, tmp_path).test_client()
    assert (
        "Strict-Transport-Security" in direct.get("/sign-in", base_url="https://localhost").headers
    )
    # A client cannot claim HTTPS with a header unless a proxy in front is configured.
    claimed = direct.get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in claimed.headers

    proxied = make_app(db, tmp_path, CASEREVIEW_TRUSTED_PROXIES="1").test_client()
    forwarded = proxied.get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    assert forwarded.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_template_has_inline_script_style_or_event_handlers() -> None:
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"\sstyle=", r"\son[a-z]+="):
            offenders += [f"{template.name}: {hit}" for hit in re.findall(pattern, text)]
    assert offenders == []
