"""What every response carries for the browser's protection, and how cookies are set.

- A Content Security Policy without 'unsafe-inline': scripts only from this service, plus the
  one inline script of the GOV.UK template, allowed by a nonce made afresh for each request.
- No framing (``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``), no MIME sniffing,
  the referrer kept to this service, and HSTS when the request came over HTTPS.
- The session cookie is HttpOnly and SameSite=Lax always, and Secure over HTTPS or when
  ``CASEREVIEW_SECURE_COOKIES`` says TLS ends before us.

Proxies are believed about the client's address and scheme only as far as
``CASEREVIEW_TRUSTED_PROXIES`` says, so nobody can claim HTTPS, or another address to dodge
the sign-in limit, by sending a header.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from engine.core.config import Settings

HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """This request's nonce, for the one inline script the GOV.UK page template has."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def content_security_policy(nonce: str, form_targets: tuple[str, ...] = ()) -> str:
    """The page's policy; ``form_targets`` are the other addresses its forms may lead to (the
    organisations' sign-in services, from the page that sends people there)."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            # bpmn-js sets styles on the diagram's SVG through the DOM, which CSP allows.
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            " ".join(["form-action 'self'", *form_targets]),
            "frame-ancestors 'none'",
        ]
    )


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed cookie session, marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def _headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(
        csp_nonce(), tuple(g.get("form_action_origins", ()))
    )
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.is_secure:
        headers["Strict-Transport-Security"] = HSTS
    return response


def init_app(app: Flask, settings: Settings) -> None:
    if settings.trusted_proxies:
        count = settings.trusted_proxies
        # Flask's documented way to add WSGI middleware, though its types call wsgi_app a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
    )
    app.session_interface = SessionCookies()
    app.after_request(_headers)
    app.context_processor(lambda: {"cspNonce": csp_nonce()})
