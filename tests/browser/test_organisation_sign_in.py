"""Staff signing in with their own organisation's account, in a real headless Chromium against
a real OpenID Connect provider on loopback (oidc-provider, tests/support/oidc.py): a sign-in
that works, a first sign-in waiting for a manager's roles, a provider announcing another
issuer, a code used after it expired or used twice, an ID token for another audience, an
address outside the organisation's domains, someone taken out of the group, and a provider
that is down. Each page a person sees is checked with axe-core."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from engine.core.db import Database
from engine.core.models import Notification
from tests.support.axe import accessibility_problems
from tests.support.browser import needs_chromium
from tests.support.browser import sign_in as sign_in_with_password
from tests.support.databases import only_on
from tests.support.oidc import Account, Client, Provider, Providers, sign_in_at_provider
from tests.support.people import DEMO_PASSWORD, POLICE, add_people
from tests.support.procedure import deploy_review_and_appeal
from tests.support.providers import POLICE_DOMAIN, SECRET_ENV, give_provider
from tests.support.web import make_app

pytestmark = [needs_chromium, only_on("sqlite")]

SECRET = "a client secret for the tests, long enough to look real"
OFFICER = Account(f"pat.ryan@{POLICE_DOMAIN}", "provider password", "Pat Ryan", ["ct-officers"])
OUTSIDER = Account("pat@elsewhere.example", "provider password", "Pat Elsewhere", ["ct-officers"])
GROUP_ROLES = {"ct-officers": ["agency_officer"]}
CALLBACK = "/sign-in/organisation/callback"


class SlowCallback:
    """The service's web server, holding a browser's return from the provider back for a
    while when asked: the time a slow network would take, so a short-lived code expires."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seconds = 0.0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO") == CALLBACK and self.seconds:
            time.sleep(self.seconds)
        return self.app(environ, start_response)


@pytest.fixture
def service(app_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The app on loopback, with the client's secret in its environment."""
    monkeypatch.setenv(SECRET_ENV, SECRET)
    deploy_review_and_appeal(app_db)
    slow = SlowCallback(make_app(app_db, tmp_path))
    http = make_server("127.0.0.1", 0, slow, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    slow.base = f"http://127.0.0.1:{http.server_port}"  # type: ignore[attr-defined]
    yield slow
    http.shutdown()
    thread.join(timeout=10)


def police_provider(
    oidc_providers: Providers,
    service: Any,
    db: Database,
    *,
    accounts: list[Account] | None = None,
    roles: dict[str, list[str]] | None = None,
    methods: tuple[str, ...] = ("provider",),
    **started: Any,
) -> Provider:
    client = Client(
        "casereview",
        SECRET,
        [service.base + CALLBACK],
        id_token_audience=started.pop("id_token_audience", None),
    )
    provider = oidc_providers.start([client], accounts or [OFFICER, OUTSIDER], **started)
    give_provider(db, provider.issuer, roles=roles, methods=methods)
    return provider


def sign_in_with_organisation(page, base: str, account: Account) -> None:
    """From the service's sign-in page, through the provider's, back to the service."""
    page.goto(f"{base}/sign-in")
    page.get_by_role("link", name="Sign in with your organisation's account").click()
    page.get_by_label("Work email address").fill(account.email)
    page.get_by_role("button", name="Continue").click()
    sign_in_at_provider(page, account.email, account.password)


def reason(page) -> str:
    return page.locator("#reason").inner_text()


def test_a_member_of_a_mapped_group_signs_in_and_works(
    oidc_providers: Providers, service: Any, app_db: Database, page
) -> None:
    police_provider(oidc_providers, service, app_db, roles=GROUP_ROLES)
    page.goto(f"{service.base}/sign-in/organisation")
    assert accessibility_problems(page) == []
    sign_in_with_organisation(page, service.base, OFFICER)
    page.wait_for_url(f"{service.base}/")
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()
    expect(page.get_by_role("link", name="Cases")).to_be_visible()
    # Choosing the organisation from the list works as well as the address does.
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{service.base}/sign-in/organisation")
    page.get_by_role("link", name="Derbyshire Constabulary").click()
    sign_in_at_provider(page, OFFICER.email, OFFICER.password)
    page.wait_for_url(f"{service.base}/")


def test_a_first_sign_in_waits_for_a_manager_who_gives_roles(
    oidc_providers: Providers, service: Any, app_db: Database, page, browser
) -> None:
    # The police's managers still sign in with passwords.
    police_provider(oidc_providers, service, app_db, methods=("provider", "password"))
    add_people(app_db, [("inspector@example.org", "derbyshire-constabulary", ["manager"])])
    sign_in_with_organisation(page, service.base, OFFICER)
    expect(page.get_by_role("heading", name="Your access is not ready yet")).to_be_visible()
    assert "have been told you are waiting" in page.locator("#what-next").inner_text()
    assert accessibility_problems(page) == []
    # Nothing is reachable meanwhile.
    page.goto(f"{service.base}/")
    assert "/sign-in" in page.url
    with app_db.read() as session:
        told = session.scalars(
            select(Notification.email).where(Notification.kind == "access_waiting")
        ).all()
    assert told == ["inspector@example.org"], "the police's manager is told, once"

    manager = browser.new_context().new_page()
    sign_in_with_password(manager, service.base, "inspector@example.org")
    manager.goto(f"{service.base}/team")
    manager.get_by_role("link", name="People waiting for access").click()
    expect(manager.get_by_role("heading", name="Pat Ryan")).to_be_visible()
    assert accessibility_problems(manager) == []
    manager.get_by_role("button", name="Give these roles").click()
    assert "Select at least one role" in manager.locator(".govuk-error-summary").inner_text()
    assert accessibility_problems(manager) == []
    manager.get_by_role("group", name="Roles to give Pat Ryan").get_by_label(
        "Agency officer"
    ).check()
    manager.get_by_role("button", name="Give these roles").click()
    expect(manager.get_by_text("No one is waiting.")).to_be_visible()
    manager.context.close()

    sign_in_with_organisation(page, service.base, OFFICER)
    page.wait_for_url(f"{service.base}/")
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()


def test_a_provider_announcing_another_issuer_signs_no_one_in(
    oidc_providers: Providers, service: Any, app_db: Database, page
) -> None:
    police_provider(
        oidc_providers,
        service,
        app_db,
        roles=GROUP_ROLES,
        methods=("provider", "password"),
        announced_issuer="https://login.example.net/another-tenant/v2.0",
    )
    page.goto(f"{service.base}/sign-in/organisation")
    page.get_by_label("Work email address").fill(OFFICER.email)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="You could not be signed in")).to_be_visible()
    assert "is not set up to work with this service" in reason(page)
    # The organisation allows passwords too: that way in is offered.
    assert page.get_by_role("link", name="Sign in with your email address and password").count()
    assert accessibility_problems(page) == []


def test_a_code_used_after_it_expired_signs_no_one_in(
    oidc_providers: Providers, service: Any, app_db: Database, page
) -> None:
    police_provider(oidc_providers, service, app_db, roles=GROUP_ROLES, code_ttl=1)
    service.seconds = 2.5
    sign_in_with_organisation(page, service.base, OFFICER)
    page.wait_for_url(f"{service.base}{CALLBACK}*")
    assert "answered with a sign-in the service cannot accept" in reason(page)
    page.goto(f"{service.base}/")
    assert "/sign-in" in page.url, "not signed in"


def test_a_return_from_the_provider_used_again_signs_no_one_in(
    oidc_providers: Providers, service: Any, app_db: Database, page, browser
) -> None:
    # Codes live for the provider's usual minute here, however slow the machine.
    police_provider(oidc_providers, service, app_db, roles=GROUP_ROLES)
    returns: list[str] = []
    page.on(
        "request", lambda request: returns.append(request.url) if CALLBACK in request.url else None
    )
    sign_in_with_organisation(page, service.base, OFFICER)
    page.wait_for_url(f"{service.base}/")
    used = returns[-1]
    # The same return again, in a browser that started a sign-in of its own: refused.
    other = browser.new_context().new_page()
    other.goto(f"{service.base}/sign-in/organisation")
    other.get_by_label("Work email address").fill(OFFICER.email)
    other.get_by_role("button", name="Continue").click()
    other.locator('form[action^="/interaction/"]').wait_for()
    other.goto(used)
    expect(other.get_by_role("heading", name="You could not be signed in")).to_be_visible()
    other.goto(f"{service.base}/")
    assert "/sign-in" in other.url
    other.context.close()


def test_an_id_token_for_another_audience_signs_no_one_in(
    oidc_providers: Providers, service: Any, app_db: Database, page
) -> None:
    police_provider(
        oidc_providers, service, app_db, roles=GROUP_ROLES, id_token_audience="another-service"
    )
    sign_in_with_organisation(page, service.base, OFFICER)
    assert "answered with a sign-in the service cannot accept" in reason(page)
    page.goto(f"{service.base}/")
    assert "/sign-in" in page.url


def test_an_address_outside_the_organisation_s_domains_is_refused(
    oidc_providers: Providers, service: Any, app_db: Database, page
) -> None:
    police_provider(oidc_providers, service, app_db, roles=GROUP_ROLES)
    page.goto(f"{service.base}/sign-in/organisation/derbyshire-constabulary")
    sign_in_at_provider(page, OUTSIDER.email, OUTSIDER.password)
    assert "gave the address pat@elsewhere.example, which is not one of" in reason(page)
    # Passwords are not this organisation's way in, so none is offered.
    assert not page.get_by_role("link", name="Sign in with your email address and password").count()
    assert accessibility_problems(page) == []


def test_someone_taken_out_of_the_group_loses_access_at_their_next_sign_in(
    oidc_providers: Providers, service: Any, app_db: Database, page, browser
) -> None:
    provider = police_provider(oidc_providers, service, app_db, roles=GROUP_ROLES)
    sign_in_with_organisation(page, service.base, OFFICER)
    page.wait_for_url(f"{service.base}/")
    provider.set_accounts([Account(OFFICER.email, OFFICER.password, OFFICER.name, ["all-staff"])])
    elsewhere = browser.new_context().new_page()
    sign_in_with_organisation(elsewhere, service.base, OFFICER)
    assert "none of yours gives access" in elsewhere.locator("#what-next").inner_text()
    elsewhere.context.close()
    # Their session in the first browser ended with their access.
    page.goto(f"{service.base}/")
    assert "/sign-in" in page.url


def test_a_provider_that_is_down_gets_one_page_and_one_line_in_the_log(
    oidc_providers: Providers,
    service: Any,
    app_db: Database,
    page,
    caplog: pytest.LogCaptureFixture,
) -> None:
    provider = police_provider(
        oidc_providers, service, app_db, roles=GROUP_ROLES, methods=("provider", "password")
    )
    provider.stop()
    caplog.set_level(logging.WARNING)
    page.goto(f"{service.base}/sign-in/organisation/derbyshire-constabulary")
    expect(page.get_by_role("heading", name="You could not be signed in")).to_be_visible()
    assert "is not answering just now" in reason(page)
    page.get_by_role("link", name="Sign in with your email address and password").click()
    page.get_by_label("Email address").fill(POLICE)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{service.base}/")
    lines = [
        record for record in caplog.records if "derbyshire-constabulary" in record.getMessage()
    ]
    assert len(lines) == 1
    assert lines[0].exc_info is None, "no traceback"
    assert "unavailable" in lines[0].getMessage()
