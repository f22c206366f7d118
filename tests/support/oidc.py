"""A real OpenID Connect provider on loopback: the npm package oidc-provider, run by Node from
``tests/support/oidc/provider.mjs``, its clients and accounts in a JSON file the tests write,
and signing in at its login page in the browser.

Every authorization at the provider asks for the password (it keeps no single sign-on for
the browser), and the accounts are read from the file at every sign-in and every token, so a
test that changes them with ``set_accounts`` sees the change at the next sign-in. A right
password grants the client everything it asked for, with no consent page: the browser goes
straight back to the service.

The login page has the fields "Email address" (``email``) and "Password" (``password``) and
the button "Sign in"; a wrong password shows the page again with its error in ``#error``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import select
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from tests.support.files import ROOT

PROGRAM = Path(__file__).parent / "oidc" / "provider.mjs"
PACKAGE = ROOT / "node_modules" / "oidc-provider"
START_SECONDS = 20
LOGIN_PAGE_SECONDS = 10


@dataclass
class Account:
    """Someone the provider signs in. Their subject is ``sub``, or else derived from the
    email address as the provider derives it: opaque, and the same at every sign-in."""

    email: str
    password: str
    name: str = ""
    groups: list[str] = field(default_factory=list)
    sub: str | None = None
    email_verified: bool = True

    @property
    def subject(self) -> str:
        return self.sub or hashlib.sha256(self.email.lower().encode()).hexdigest()[:32]


@dataclass
class Client:
    """A confidential client of the authorization code flow with PKCE. ``id_token_audience``
    makes the provider misbehave for it: its ID tokens name that audience instead."""

    client_id: str
    client_secret: str
    redirect_uris: list[str]
    id_token_audience: str | None = None
    # Authlib's client authenticates so unless told otherwise.
    token_endpoint_auth_method: str = "client_secret_basic"


class Provider:
    """A running provider. ``issuer`` is the address it serves, where its discovery document
    is: what a service is configured with. ``announced_issuer`` is the issuer its discovery
    document and tokens name, the same unless the test started it to announce another."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        config_file: Path,
        issuer: str,
        announced_issuer: str,
    ) -> None:
        self.process = process
        self.config_file = config_file
        self.issuer = issuer
        self.announced_issuer = announced_issuer

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def set_accounts(self, accounts: list[Account]) -> None:
        """The accounts from now on: the next sign-in, and the next code exchanged, see them."""
        config = json.loads(self.config_file.read_text())
        config["accounts"] = [asdict(account) for account in accounts]
        _write_atomically(self.config_file, config)

    def stop(self) -> None:
        _stop(self.process)


def unavailable() -> str | None:
    """Why the provider cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "OpenID Connect tests skipped: no Node.js (node) on the PATH"
    if not PACKAGE.is_dir():
        return "OpenID Connect tests skipped: oidc-provider missing (install the front end: npm ci)"
    return None


def start_provider(
    folder: Path,
    clients: list[Client],
    accounts: list[Account],
    *,
    code_ttl: int = 60,
    announced_issuer: str | None = None,
    port: int = 0,
) -> Provider:
    """A provider for ``clients`` and ``accounts``, listening on loopback (at ``port``, or a
    port the kernel chooses), its files in ``folder``; it announces ``announced_issuer`` when
    given instead of its own address. Skips the test when Node or the package is missing."""
    reason = unavailable()
    if reason:
        pytest.skip(reason)
    folder.mkdir(parents=True, exist_ok=True)
    config_file = folder / "provider.json"
    _write_atomically(
        config_file,
        {
            "port": port,
            "issuer": announced_issuer,
            "code_ttl": code_ttl,
            "clients": [asdict(client) for client in clients],
            "accounts": [asdict(account) for account in accounts],
        },
    )
    log = folder / "provider.log"
    with log.open("wb") as errors:
        process = subprocess.Popen(
            ["node", str(PROGRAM), str(config_file)],
            cwd=ROOT,
            # Held open and never written: the provider ends when it closes, so a test run
            # that dies leaves no provider behind.
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
    try:
        ready = _ready_line(process, log)
    except BaseException:
        _stop(process)
        raise
    return Provider(process, config_file, ready["address"], ready["issuer"])


class Providers:
    """The providers a test starts, each in its own folder, all stopped by ``stop_all``: what
    the ``oidc_providers`` fixture hands a test."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[Provider] = []

    def start(
        self,
        clients: list[Client],
        accounts: list[Account],
        *,
        code_ttl: int = 60,
        announced_issuer: str | None = None,
    ) -> Provider:
        folder = self.folder / f"provider-{len(self.started) + 1}"
        provider = start_provider(
            folder, clients, accounts, code_ttl=code_ttl, announced_issuer=announced_issuer
        )
        self.started.append(provider)
        return provider

    def stop_all(self) -> None:
        for provider in self.started:
            provider.stop()


def sign_in_at_provider(page, email: str, password: str) -> None:  # noqa: ANN001
    """On the provider's login page, sign in; returns once the browser has left the provider
    (back at the client's redirect URI, or wherever the client sent it on). A refused sign-in
    fails with the page's error."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # The service's own sign-in page has fields of the same names: this form is the provider's.
    form = page.locator('form[action^="/interaction/"]')
    try:
        form.wait_for(timeout=LOGIN_PAGE_SECONDS * 1000)
    except PlaywrightTimeout:
        raise AssertionError(
            f"the browser is not at the provider's login page but at {page.url}: "
            f"{page.inner_text('body')[:500]}"
        ) from None
    provider = _origin(page.url)
    form.get_by_label("Email address").fill(email)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign in").click()
    # A refused password shows the login page again, at its form's address.
    page.wait_for_url(lambda url: _origin(url) != provider or url.endswith("/login"))
    if _origin(page.url) == provider:
        error = page.locator("#error")
        said = error.inner_text() if error.count() else page.inner_text("body")
        raise AssertionError(f"the provider did not sign {email} in: {said}")


def follow(
    browser: requests.Session, url: str, stop_at: str, form: dict[str, str] | None = None
) -> requests.Response:
    """Go to ``url`` over HTTP (posting ``form`` if given) and follow redirects as a browser
    would, stopping at the first address that starts with ``stop_at`` (a client's redirect
    URI), which is then the response's ``url``, unvisited."""
    response = browser.request(
        "POST" if form else "GET", url, data=form, allow_redirects=False, timeout=10
    )
    while response.is_redirect:
        url = urljoin(url, response.headers["Location"])
        if url.startswith(stop_at):
            response.url = url
            return response
        response = browser.get(url, allow_redirects=False, timeout=10)
    return response


def log_in_over_http(
    browser: requests.Session,
    login_page: requests.Response,
    email: str,
    password: str,
    stop_at: str,
) -> requests.Response:
    """Send the provider's login form, as the page names its fields; the answer is where the
    provider sends the browser next (``follow``)."""
    action = re.search(r'<form method="post" action="([^"]+)"', login_page.text)
    assert action is not None, login_page.text
    form_url = urljoin(login_page.url, unescape(action.group(1)))
    return follow(browser, form_url, stop_at, {"email": email, "password": password})


def sign_in_through(client: Any, start: str, email: str, password: str) -> Any:
    """Sign in to the service as a Flask test ``client``: from its address ``start`` to the
    provider, through its login page over HTTP, and back to the service's callback; the
    callback's answer."""
    started = client.get(start)
    assert started.status_code == 302, started.get_data(as_text=True)
    browser = requests.Session()
    service = "http://localhost/"
    page = follow(browser, started.headers["Location"], service)
    back = log_in_over_http(browser, page, email, password, service)
    assert back.url.startswith(service), back.text
    address = urlsplit(back.url)
    return client.get(f"{address.path}?{address.query}")


def _write_atomically(path: Path, content: dict[str, object]) -> None:
    # The provider reads the file at any moment: it must never see half of it.
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(content, indent=2))
    os.replace(partial, path)


def _ready_line(process: subprocess.Popen[bytes], log: Path) -> dict[str, str]:
    """The line of JSON the provider prints once it listens."""
    assert process.stdout is not None
    readable, _, _ = select.select([process.stdout], [], [], START_SECONDS)
    if not readable:
        raise RuntimeError(
            f"the OpenID Connect provider did not listen within {START_SECONDS} s:\n"
            f"{log.read_text(errors='replace')}"
        )
    line = process.stdout.readline()
    if not line:
        process.wait(timeout=5)
        raise RuntimeError(
            f"the OpenID Connect provider stopped (exit {process.returncode}) before it "
            f"listened:\n{log.read_text(errors='replace')}"
        )
    return json.loads(line)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            pipe.close()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
