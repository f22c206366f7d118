"""Signing in with one's own organisation's account: OpenID Connect's authorization code flow
with PKCE, through Authlib, which checks the state, the nonce and the ID token's signature,
issuer, audience and expiry. The only module that speaks to the providers."""

from __future__ import annotations

import hashlib
import logging
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from engine.chasing.access_requests import tell_managers_someone_waits
from engine.people.provider_sign_in import (
    Outcome,
    ProviderSettings,
    account_for_claims,
    organisations_with_providers,
    provider_for_email,
    provider_settings,
)
from web.auth import safe_next
from web.context import db, start_staff_session

blueprint = Blueprint("organisation_sign_in", __name__)
log = logging.getLogger(__name__)

oauth = OAuth()
# What the browser's sign-in is waiting for, kept in its session between the two legs.
_PENDING = "provider_sign_in"
# How long the service waits for a provider before telling the person it is not answering.
PROVIDER_TIMEOUT_SECONDS = 10


class ProviderUnavailable(Exception):
    """The provider cannot be used just now, or is set up wrongly: the message says which,
    for the log; the person is told in general words."""


@blueprint.route("/sign-in/organisation", methods=["GET", "POST"])
def choose() -> str | Response | tuple[str, int]:
    """Find the person's organisation by their email address, or from a list, and go to its
    sign-in service."""
    with db().read() as s:
        providers = organisations_with_providers(s)
        chosen: ProviderSettings | None = None
        email, error = "", ""
        if request.method == "POST":
            email = request.form.get("email", "").strip()
            key = request.form.get("organisation", "")
            if key:
                chosen = provider_settings(s, key)
            elif email:
                chosen = provider_for_email(s, email)
            if chosen is None:
                error = (
                    f"No organisation here signs in addresses like {email} with its own "
                    "account: sign in with your email address and password instead"
                    if email and not key
                    else "Enter your work email address, or choose your organisation"
                )
    if chosen is not None:
        return _go_to_provider(chosen, email)
    g.form_action_origins = sorted({_origin(settings.issuer) for settings in providers})
    page = render_template(
        "organisation_sign_in/choose.html",
        providers=providers,
        email=email,
        error=error,
        next=request.args.get("next", ""),
    )
    return (page, 400) if error else page


@blueprint.get("/sign-in/organisation/<key>")
def start(key: str) -> str | Response | tuple[str, int]:
    """Go straight to one organisation's sign-in service (a link from the list)."""
    with db().read() as s:
        chosen = provider_settings(s, key)
    if chosen is None:
        return redirect(url_for("organisation_sign_in.choose"))
    return _go_to_provider(chosen, "")


def _go_to_provider(chosen: ProviderSettings, email: str) -> str | Response | tuple[str, int]:
    # Only one sign-in is under way in a browser: what Authlib kept for one started before
    # and left is dropped, so the session cookie cannot grow with each abandoned start.
    for key in [key for key in session if key.startswith("_state_")]:
        session.pop(key)
    try:
        client = _client(chosen)
        extra = {"login_hint": email} if email else {}
        answer = client.authorize_redirect(
            url_for("organisation_sign_in.callback", _external=True), **extra
        )
    except (
        ProviderUnavailable,
        requests.RequestException,
        AuthlibBaseError,
        ValueError,
        TypeError,
        RuntimeError,
    ) as error:
        return _unavailable(chosen, error)
    session[_PENDING] = {
        "organisation": chosen.organisation_key,
        "next": safe_next(request.values.get("next")),
    }
    return answer


@blueprint.get("/sign-in/organisation/callback")
def callback() -> str | Response | tuple[str, int]:
    """The provider sends the browser back here with a code, which is exchanged for tokens."""
    pending = session.pop(_PENDING, None)
    chosen = None
    if isinstance(pending, dict):
        with db().read() as s:
            chosen = provider_settings(s, str(pending.get("organisation", "")))
    if chosen is None:
        return _problem(
            None,
            "This sign-in has already been used, or was not started in this browser.",
            status=400,
        )
    if request.args.get("error"):
        # The person cancelled, or the provider would not sign them in.
        reason = request.args.get("error_description") or request.args["error"]
        # As a quoted string, so what the provider (or anyone) put in it stays on one line.
        log.warning(
            "sign-in through %s refused by the provider: %r", chosen.organisation_key, reason
        )
        return _problem(chosen, "did not sign you in.", status=403)
    try:
        client = _client(chosen)
        # Authlib takes the issuer from the discovery document and checks no audience unless
        # told: both are named here.
        token = client.authorize_access_token(
            claims_options={
                "iss": {"essential": True, "value": chosen.issuer},
                "aud": {"essential": True, "value": chosen.client_id},
            }
        )
    except (requests.RequestException, ProviderUnavailable) as error:
        return _unavailable(chosen, error)
    except (AuthlibBaseError, ValueError, KeyError, TypeError, RuntimeError) as error:
        log.warning(
            "sign-in through %s refused: %s: %s",
            chosen.organisation_key,
            type(error).__name__,
            error,
        )
        return _problem(chosen, "answered with a sign-in the service cannot accept.", status=403)
    claims = token.get("userinfo")
    if not claims:
        log.warning("sign-in through %s refused: no ID token", chosen.organisation_key)
        return _problem(chosen, "answered without saying who you are.", status=403)
    told = False
    with db().transaction() as s:
        outcome = account_for_claims(s, chosen, dict(claims))
        waits_for_a_person = outcome.outcome is Outcome.WAITING and not chosen.roles_follow_groups
        if waits_for_a_person and outcome.first and outcome.user is not None:
            told = tell_managers_someone_waits(s, outcome.user) > 0
    if outcome.outcome is Outcome.REFUSED:
        log.warning("sign-in through %s refused: %s", chosen.organisation_key, outcome.reason)
        return _problem(chosen, outcome.reason, status=403, whole=True)
    assert outcome.user is not None
    if outcome.outcome is Outcome.WAITING:
        page = render_template(
            "organisation_sign_in/waiting.html", provider=chosen, person=outcome.user, told=told
        )
        return page, 403
    start_staff_session(outcome.user)
    return redirect(str(pending.get("next") or url_for("inbox.index")))


def _client(chosen: ProviderSettings) -> Any:
    """Authlib's client for one provider, made again whenever its settings (or secret) change;
    its discovery document is checked to name the issuer the area file gives."""
    if not chosen.client_secret:
        raise ProviderUnavailable(
            f"the environment variable {chosen.client_secret_env}, which holds its client "
            "secret, is not set"
        )
    fingerprint = hashlib.sha256(repr((chosen, chosen.client_secret)).encode("utf-8")).hexdigest()[
        :16
    ]
    name = f"{chosen.organisation_key}-{fingerprint}"
    client = oauth.create_client(name)
    if client is None:
        oauth.register(
            name,
            client_id=chosen.client_id,
            client_secret=chosen.client_secret,
            server_metadata_url=f"{chosen.issuer.rstrip('/')}/.well-known/openid-configuration",
            client_kwargs={
                "scope": chosen.scope,
                "code_challenge_method": "S256",
                "default_timeout": PROVIDER_TIMEOUT_SECONDS,
            },
        )
        client = oauth.create_client(name)
    try:
        metadata = client.load_server_metadata()
    except (ValueError, TypeError) as error:  # not JSON, or not a JSON object
        raise ProviderUnavailable(f"its discovery document cannot be read: {error}") from None
    missing = [
        name
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri")
        if not isinstance(metadata, dict) or not metadata.get(name)
    ]
    if missing:
        client.server_metadata = {}
        raise ProviderUnavailable(f"its discovery document has no {', '.join(missing)}")
    if metadata.get("issuer") != chosen.issuer:
        # A discovery document for another issuer is either a mistake in the area file or
        # someone else's provider: nothing it signs can be trusted here.
        client.server_metadata = {}
        raise ProviderUnavailable(
            f"its discovery document names the issuer {metadata.get('issuer')!r}, "
            f"not {chosen.issuer!r} as the area file does"
        )
    return client


def _unavailable(chosen: ProviderSettings, error: Exception) -> tuple[str, int]:
    log.warning(
        "sign-in through %s unavailable: %s: %s",
        chosen.organisation_key,
        type(error).__name__,
        error,
    )
    return _problem(
        chosen,
        "is not answering just now, or is not set up to work with this service.",
        status=503,
    )


def _problem(
    chosen: ProviderSettings | None, because: str, *, status: int, whole: bool = False
) -> tuple[str, int]:
    """One page saying why, offering the service's own password where the organisation
    allows it."""
    if chosen is not None and not whole:
        because = f"{chosen.organisation_name}'s sign-in service {because}"
    page = render_template(
        "organisation_sign_in/problem.html",
        provider=chosen,
        reason=because,
        passwords=chosen is None or chosen.password_allowed,
    )
    return page, status


def _origin(address: str) -> str:
    parts = urlsplit(address)
    return f"{parts.scheme}://{parts.netloc}"
