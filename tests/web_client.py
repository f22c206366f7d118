"""Signing in and posting forms through the pages with the in-process client, as the web
tests do."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import DEMO_PASSWORD


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


def signed_in(app: Flask, email: str, password: str = DEMO_PASSWORD) -> FlaskClient:
    """A client signed in through the sign-in page."""
    client = app.test_client()
    assert sign_in(client, email, password).status_code == 302, f"{email} could not sign in"
    return client
