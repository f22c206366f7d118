"""The test OpenID Connect provider's login page in Chromium, as the sign-in tests use it
through ``sign_in_at_provider``: it asks for the password at every authorization, sends the
browser back to the client with a code, and says so when the password is wrong."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from tests.support.browser import needs_chromium
from tests.support.oidc import Account, Client, Provider, Providers, sign_in_at_provider

pytestmark = needs_chromium

ANN = Account("ann@example.org", "ann's password", "Ann Officer", ["asb-caseworkers"])


class Callback(BaseHTTPRequestHandler):
    """The client's callback, which only says the browser arrived."""

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"back at the service")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def service() -> Iterator[Client]:
    """A client whose callback listens on loopback (the browser's driver cannot answer for a
    redirect's target)."""
    http = ThreadingHTTPServer(("127.0.0.1", 0), Callback)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    callback = f"http://127.0.0.1:{http.server_port}/sign-in/provider/callback"
    yield Client("casereview", "the-service-client-secret", [callback])
    http.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def provider(oidc_providers: Providers, service: Client) -> Provider:
    return oidc_providers.start([service], [ANN])


def authorization_url(provider: Provider, service: Client, state: str) -> str:
    """Where the service sends the browser to sign in, with PKCE, state and nonce."""
    metadata = requests.get(provider.discovery_url, timeout=10).json()
    client = OAuth2Session(
        service.client_id,
        service.client_secret,
        scope="openid email profile",
        redirect_uri=service.redirect_uris[0],
        code_challenge_method="S256",
    )
    url, _ = client.create_authorization_url(
        metadata["authorization_endpoint"],
        state=state,
        nonce=generate_token(),
        code_verifier=generate_token(48),
    )
    return url


def test_signing_in_at_the_provider_returns_to_the_client_with_a_code_each_time(
    provider: Provider, service: Client, page
) -> None:
    for state in ("first", "second"):
        page.goto(authorization_url(provider, service, state))
        sign_in_at_provider(page, ANN.email, ANN.password)

        back = urlsplit(page.url)
        assert f"{back.scheme}://{back.netloc}{back.path}" == service.redirect_uris[0]
        assert parse_qs(back.query)["state"] == [state]
        assert parse_qs(back.query)["code"]
        assert page.inner_text("body") == "back at the service"


def test_a_wrong_password_is_refused_with_the_pages_error(
    provider: Provider, service: Client, page
) -> None:
    page.goto(authorization_url(provider, service, "only"))

    with pytest.raises(AssertionError, match="The email address or password is wrong"):
        sign_in_at_provider(page, ANN.email, "not ann's password")
