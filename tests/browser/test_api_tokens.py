"""A personal access token made, used and revoked in a real headless Chromium: the routes to
choose are revealed with their choice, what is missing is said at once, the token shown once
calls the API within its scope alone, and every state of the page is checked with axe-core."""

from __future__ import annotations

import json
from urllib.error import HTTPError
from urllib.request import Request, urlopen

from playwright.sync_api import expect

from tests.support.axe import accessibility_problems
from tests.support.browser import needs_chromium, sign_in
from tests.support.databases import only_on
from tests.support.people import COUNCIL

pytestmark = [needs_chromium, only_on("sqlite")]


def called(server: str, path: str, token: str) -> tuple[int, dict]:
    """The API's status and JSON answer for a GET of ``path`` with ``token``."""
    request = Request(f"{server}/api/v1{path}", headers={"Authorization": f"Bearer {token}"})
    try:
        with urlopen(request, timeout=10) as answer:  # noqa: S310 - the test's own server
            return answer.status, json.load(answer)
    except HTTPError as refused:
        return refused.code, json.load(refused)


def test_a_person_makes_a_token_for_one_route_uses_it_and_revokes_it(server: str, page) -> None:
    sign_in(page, server, COUNCIL)
    page.get_by_role("link", name="Your API tokens").click()
    page.wait_for_url(f"{server}/account/tokens")
    expect(page.get_by_role("heading", name="Your API tokens", level=1)).to_be_visible()
    route = page.get_by_label("GET /api/v1/tasks", exact=True)
    expect(route, message="the routes wait for their choice").to_be_hidden()
    assert accessibility_problems(page) == []

    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Make the token").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    for message in ("Enter a name for the token", "Select what the token may do"):
        expect(summary.get_by_role("link", name=message)).to_be_visible()
    assert accessibility_problems(page) == []

    page.get_by_label("Name").fill("Inbox reader")
    page.get_by_label("Only the routes chosen").check()
    expect(route).to_be_visible()
    route.check()
    page.get_by_role("button", name="Make the token").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Your token is made")).to_be_visible()
    token = page.locator("#token").inner_text().strip()
    assert accessibility_problems(page) == []

    assert called(server, "/tasks", token) == (200, {"scope": "mine", "tasks": []})
    assert called(server, "/team", token) == (
        403,
        {"error": "The token's scope does not include GET /api/v1/team"},
    )

    page.get_by_role("link", name="Back to your API tokens").click()
    tokens = page.get_by_role("table", name="Your tokens, newest first")
    expect(tokens.get_by_role("cell", name="Inbox reader", exact=True)).to_be_visible()
    expect(tokens.get_by_text("GET /api/v1/tasks")).to_be_visible()
    tokens.get_by_role("button", name="Revoke the token Inbox reader").click()
    page.wait_for_url(f"{server}/account/tokens")
    banner = page.locator(".govuk-notification-banner--success")
    assert "The token 'Inbox reader' is revoked" in banner.inner_text()
    assert accessibility_problems(page) == []
    assert called(server, "/tasks", token)[0] == 401
