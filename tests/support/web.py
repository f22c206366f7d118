"""The web app in process: made for a test's database, signed in to through the sign-in page,
and its forms posted with their CSRF tokens, as the web tests do."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine.core.config import load_settings
from engine.core.db import Database
from tests.support.people import DEMO_PASSWORD
from web import create_app


def make_app(db: Database, instance: Path, **environment: str) -> Flask:
    """The app on ``db``, keeping its files (the secret key) in ``instance``."""
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": db.url, "CASEREVIEW_INSTANCE_DIR": str(instance), **environment}
    )
    return create_app(settings, db)


def csrf_token(page: str) -> str:
    """The CSRF token of the (first) form on a page."""
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def form_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form on the page at ``path``."""
    return csrf_token(client.get(path).get_data(as_text=True))


def sign_in(client: FlaskClient, email: str, password: str = DEMO_PASSWORD) -> TestResponse:
    """Post the sign-in form; the answer says whether it worked."""
    token = form_token(client, "/sign-in")
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


def page_sign_in(client: FlaskClient, email: str, password: str, **kwargs):
    """Post the sign-in form with anything else the client is to send (headers, a base URL)."""
    token = form_token(client, "/sign-in")
    return client.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": token}, **kwargs
    )


def signed_in(app: Flask, email: str, password: str = DEMO_PASSWORD) -> FlaskClient:
    """A client signed in through the sign-in page."""
    client = app.test_client()
    assert sign_in(client, email, password).status_code == 302, f"{email} could not sign in"
    return client


def report(index: int, day: str, month: str, to: str = "police") -> dict[str, str]:
    """The fields of the application form's incident ``index``, reported the day it happened."""
    prefix = f"incidents-{index}"
    return {
        f"{prefix}-occurred_on-day": day,
        f"{prefix}-occurred_on-month": month,
        f"{prefix}-occurred_on-year": "2026",
        f"{prefix}-reported_on-day": day,
        f"{prefix}-reported_on-month": month,
        f"{prefix}-reported_on-year": "2026",
        f"{prefix}-reported_to": to,
        f"{prefix}-reference": f"REF-{index}",
        f"{prefix}-description": "Loud music until 3am",
    }


def application_form(client: FlaskClient, **overrides: str) -> dict[str, str]:
    """The public application form filled in well, ready to post to /apply."""
    fields = {
        "csrf_token": csrf_token(client.get("/apply").get_data(as_text=True)),
        "district": "derbyshire-dales",
        "applicant-name": "Alex Morgan",
        "applicant-address": "4 Dale Road\nMatlock",
        "applicant-email": "alex@example.com",
        "on_behalf": "no",
        "contact_preference": "email",
        "incidents-present": "1",
        **report(0, "5", "1"),
        **report(1, "19", "1", "dales-housing"),
        "hate_element": "no",
        "impact": "I cannot sleep",
        "place": "The park behind Station Road",
        "outcome": "The music at night to stop",
        "action": "submit",
    }
    fields.update(overrides)
    return fields


def error_summary(page: str) -> list[tuple[str, str]]:
    """The GOV.UK error summary of a page, as (message, link) pairs in its order; [] without
    one."""
    summary = re.search(r'class="govuk-error-summary".*?</ul>', page, re.S)
    if summary is None:
        return []
    return [
        (unescape(" ".join(text.split())), unescape(href))
        for href, text in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', summary.group(0), re.S)
    ]


def field_error(page: str, field_id: str) -> str:
    """The error message shown beside the field with this id (GOV.UK's ``ID-error``)."""
    found = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>(.*?)</p>', page, re.S)
    if found is None:
        return ""
    text = re.sub(r"<[^>]+>", "", found.group(1)).replace("Error:", "", 1)
    return unescape(" ".join(text.split()))


def page_words(response: TestResponse) -> str:
    """A page's text as a reader sees it: no markup, one space between words."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())
