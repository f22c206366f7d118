"""The OpenID Connect provider the sign-in tests run against, driven over HTTP as a browser
and Authlib's client would: it publishes its issuer, signs in by password, hands out a code
for PKCE, and its ID tokens carry the claims the service reads; and it misbehaves on purpose
where a test asks it to (another issuer, another audience, a short-lived code)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.jose.errors import InvalidClaimError
from authlib.oidc.core import CodeIDToken

from tests.support.oidc import (
    Account,
    Client,
    Provider,
    Providers,
    follow,
    log_in_over_http,
)

# The service's callback: the provider sends the browser there, and these tests read the
# code from the address without fetching it.
REDIRECT = "http://127.0.0.1:5999/sign-in/provider/callback"
SERVICE = Client("casereview", "the-service-client-secret", [REDIRECT])
ANN = Account("Ann.Officer@example.org", "ann's password", "Ann Officer", ["asb-caseworkers"])
SCOPE = "openid email profile"
WRONG = "The email address or password is wrong."


@dataclass
class Attempt:
    """An authorization under way, as the service would start it: the browser's cookies, the
    login page it arrived at, and the secrets the service keeps for the callback."""

    browser: requests.Session
    page: requests.Response
    verifier: str
    state: str
    nonce: str


def metadata(provider: Provider) -> dict:
    response = requests.get(provider.discovery_url, timeout=10)
    response.raise_for_status()
    return response.json()


def oauth(provider: Provider, client: Client = SERVICE) -> OAuth2Session:
    return OAuth2Session(
        client.client_id,
        client.client_secret,
        scope=SCOPE,
        redirect_uri=client.redirect_uris[0],
        code_challenge_method="S256",
    )


def begin(provider: Provider, client: Client = SERVICE) -> Attempt:
    """An authorization started as the service starts it, up to the provider's login page."""
    verifier, state, nonce = generate_token(48), generate_token(), generate_token()
    url, _ = oauth(provider, client).create_authorization_url(
        metadata(provider)["authorization_endpoint"],
        state=state,
        nonce=nonce,
        code_verifier=verifier,
    )
    browser = requests.Session()
    page = follow(browser, url, REDIRECT)
    assert page.status_code == 200, page.text
    return Attempt(browser, page, verifier, state, nonce)


def submit(attempt: Attempt, email: str, password: str) -> requests.Response:
    """Fill in and send the login page's form, as it names its fields."""
    return log_in_over_http(attempt.browser, attempt.page, email, password, REDIRECT)


def sign_in(
    provider: Provider, email: str, password: str, client: Client = SERVICE
) -> tuple[str, Attempt]:
    """A whole sign-in at the provider: the code the callback receives, and the attempt."""
    attempt = begin(provider, client)
    callback = submit(attempt, email, password)
    assert callback.url.startswith(REDIRECT), callback.text
    query = parse_qs(urlsplit(callback.url).query)
    assert query["state"] == [attempt.state]
    return query["code"][0], attempt


def exchange(provider: Provider, code: str, attempt: Attempt, client: Client = SERVICE) -> dict:
    """The service's side of the callback: the code and the PKCE verifier for tokens."""
    return oauth(provider, client).fetch_token(
        metadata(provider)["token_endpoint"], code=code, code_verifier=attempt.verifier
    )


def id_token_claims(
    provider: Provider, token: dict, attempt: Attempt, client: Client = SERVICE
) -> CodeIDToken:
    """The ID token's claims, checked as the service must have Authlib check them: the
    signature against the provider's keys, the nonce, the access token's hash, and the
    issuer the service was configured with and its own client id as audience. (Left to
    itself, Authlib's client takes the issuer from the discovery document and compares the
    audience with nothing.)"""
    keys = requests.get(metadata(provider)["jwks_uri"], timeout=10).json()
    claims = jwt.decode(
        token["id_token"],
        JsonWebKey.import_key_set(keys),
        claims_cls=CodeIDToken,
        claims_options={
            "iss": {"essential": True, "value": provider.issuer},
            "aud": {"essential": True, "value": client.client_id},
        },
        claims_params={
            "nonce": attempt.nonce,
            "client_id": client.client_id,
            "access_token": token["access_token"],
        },
    )
    claims.validate(leeway=5)
    return claims


@pytest.fixture
def provider(oidc_providers: Providers) -> Provider:
    return oidc_providers.start([SERVICE], [ANN])


def test_discovery_names_the_provider_as_issuer_and_offers_the_code_flow_with_pkce(
    provider: Provider,
) -> None:
    found = metadata(provider)

    assert found["issuer"] == provider.issuer == provider.announced_issuer
    assert found["response_types_supported"] == ["code"]
    assert "S256" in found["code_challenge_methods_supported"]
    assert "client_secret_basic" in found["token_endpoint_auth_methods_supported"]


def test_a_sign_in_gives_an_id_token_with_the_accounts_claims(provider: Provider) -> None:
    code, attempt = sign_in(provider, "ann.officer@example.org", ANN.password)

    claims = id_token_claims(provider, exchange(provider, code, attempt), attempt)

    assert claims["iss"] == provider.issuer
    assert claims["aud"] == SERVICE.client_id
    assert claims["sub"] == ANN.subject
    assert claims["email"] == ANN.email
    assert claims["email_verified"] is True
    assert claims["name"] == "Ann Officer"
    assert claims["groups"] == ["asb-caseworkers"]


def test_an_authorization_without_pkce_is_refused(provider: Provider) -> None:
    url, _ = OAuth2Session(
        SERVICE.client_id, SERVICE.client_secret, scope=SCOPE, redirect_uri=REDIRECT
    ).create_authorization_url(metadata(provider)["authorization_endpoint"], nonce="n")

    refused = follow(requests.Session(), url, REDIRECT)

    assert parse_qs(urlsplit(refused.url).query)["error"] == ["invalid_request"]


def test_a_code_is_exchanged_once_only(provider: Provider) -> None:
    code, attempt = sign_in(provider, ANN.email, ANN.password)
    exchange(provider, code, attempt)

    with pytest.raises(OAuthError) as replayed:
        exchange(provider, code, attempt)

    assert replayed.value.error == "invalid_grant"


def test_a_code_older_than_its_lifetime_is_refused(oidc_providers: Providers) -> None:
    provider = oidc_providers.start([SERVICE], [ANN], code_ttl=1)
    code, attempt = sign_in(provider, ANN.email, ANN.password)
    time.sleep(2.1)

    with pytest.raises(OAuthError) as expired:
        exchange(provider, code, attempt)

    assert expired.value.error == "invalid_grant"


def test_a_misbehaving_provider_signs_id_tokens_for_another_audience(
    oidc_providers: Providers,
) -> None:
    misaddressed = Client(
        SERVICE.client_id, SERVICE.client_secret, [REDIRECT], id_token_audience="another-app"
    )
    provider = oidc_providers.start([misaddressed], [ANN])
    code, attempt = sign_in(provider, ANN.email, ANN.password)
    token = exchange(provider, code, attempt)

    with pytest.raises(InvalidClaimError, match="aud"):
        id_token_claims(provider, token, attempt)

    # Signed by the provider's own key all the same: only the audience is wrong.
    keys = JsonWebKey.import_key_set(requests.get(metadata(provider)["jwks_uri"]).json())
    assert jwt.decode(token["id_token"], keys)["aud"] == "another-app"


def test_a_provider_announcing_another_issuer_names_it_in_discovery_and_tokens(
    oidc_providers: Providers,
) -> None:
    elsewhere = "https://login.example.net/another-tenant/v2.0"
    provider = oidc_providers.start([SERVICE], [ANN], announced_issuer=elsewhere)

    found = metadata(provider)
    code, attempt = sign_in(provider, ANN.email, ANN.password)
    token = exchange(provider, code, attempt)

    assert found["issuer"] == provider.announced_issuer == elsewhere
    # Its endpoints are where it is: only the issuer is wrong.
    assert found["token_endpoint"].startswith(provider.issuer)
    with pytest.raises(InvalidClaimError, match="iss"):
        id_token_claims(provider, token, attempt)


def test_the_accounts_are_read_again_at_each_sign_in(provider: Provider) -> None:
    code, attempt = sign_in(provider, ANN.email, ANN.password)
    assert id_token_claims(provider, exchange(provider, code, attempt), attempt)["groups"] == [
        "asb-caseworkers"
    ]

    provider.set_accounts([Account(ANN.email, ANN.password, ANN.name, groups=[])])
    code, attempt = sign_in(provider, ANN.email, ANN.password)
    assert id_token_claims(provider, exchange(provider, code, attempt), attempt)["groups"] == []

    provider.set_accounts([])
    refused = submit(begin(provider), ANN.email, ANN.password)
    assert refused.status_code == 401
    assert WRONG in refused.text


def test_a_wrong_password_shows_the_login_page_again_with_its_error(provider: Provider) -> None:
    attempt = begin(provider)

    refused = submit(attempt, ANN.email, "not ann's password")

    assert refused.status_code == 401
    assert WRONG in refused.text
    assert 'name="email"' in refused.text and 'name="password"' in refused.text
    # The form still works: the right password then signs in.
    attempt.page = refused
    assert submit(attempt, ANN.email, ANN.password).url.startswith(REDIRECT)
