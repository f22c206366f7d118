"""Every page of the service, for every role, in a real headless Chromium: axe-core finds no
accessibility problem (WCAG 2.0, 2.1 and 2.2, A and AA), and at 320 CSS pixels wide no page
scrolls sideways.

The pages are the access matrix's (tests/support/access_routes.py), in the matrix's world of
three cases at different stages: every route that answers a page, for each case it can name,
as each role sees it; then every form posted as the matrix posts it (mostly with nothing
filled in, so the page comes back with its errors), and the page that answers. A route added
to the service is in the matrix, so it is visited here too.

Axe checks each page once per shape (its elements, their classes and attributes, and which
hold text): the same page for another case or another role with the same parts is not
checked again. Every page's width is measured.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from werkzeug.serving import make_server

from engine.core.clock import FixedClock
from engine.core.db import Database
from tests.support.access import (
    APPLICANT,
    APPLICANT_CASE,
    CASES,
    ME,
    PROVIDER_ROLE,
    ROLES,
    Route,
    World,
    build_world,
    route_path,
)
from tests.support.access_routes import ROUTES
from tests.support.applicant import new_link
from tests.support.axe import accessibility_problems
from tests.support.browser import LAPTOP, NARROWEST, needs_chromium, sideways_scroll, sign_in
from tests.support.databases import only_on

pytestmark = [needs_chromium, only_on("sqlite")]

# A page's shape: each element's name, classes, the names of its other attributes, and
# whether it holds text of its own. Text and values (references, names, dates) are left out,
# so the same page about another case has the same shape.
SHAPE = """() => {
    const parts = [];
    for (const element of document.querySelectorAll('body *')) {
        const names = element.getAttributeNames().filter(name => name !== 'class').sort();
        const text = [...element.childNodes].some(
            node => node.nodeType === Node.TEXT_NODE && node.textContent.trim() !== ''
        );
        parts.push([element.localName, element.className, names.join(' '), text].join('|'));
    }
    return parts.join('\\n');
}"""
# Shapes already checked by axe in this run, with where they were first seen.
_checked: dict[str, str] = {}


@pytest.fixture
def world(app_db: Database, fixed_clock: FixedClock, tmp_path: Path) -> World:
    return build_world(app_db, fixed_clock, tmp_path)


@pytest.fixture
def base(world: World) -> Iterator[str]:
    """The world's app, served on a port of the loopback the kernel chose: its address."""
    http = make_server("127.0.0.1", 0, world.app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(timeout=10)


def _is_page(route: Route) -> bool:
    """A route a person visits in a browser (not the API's, not a download)."""
    return not route.path.startswith("/api/") and not route.upload


def _signed_in(page: Any, base: str, world: World, role: str) -> None:
    if role == APPLICANT:
        token = new_link(world.db, world.cases[APPLICANT_CASE].case_id)
        page.goto(f"{base}/your-case/sign-in/{token}")
        page.locator("main form button").first.click()
        page.wait_for_url(f"{base}/your-case/*")
    elif ROLES[role]:
        sign_in(page, base, ROLES[role])


def _look(page: Any, where: str, problems: list[str]) -> None:
    """Check the page as it stands: its width at 320 px, and axe once per shape."""
    overflow = sideways_scroll(page)
    if overflow:
        problems.append(f"{where}: {overflow}")
    shape = page.evaluate(SHAPE)
    if shape in _checked:
        return
    _checked[shape] = where
    page.set_viewport_size(LAPTOP)
    problems.extend(f"{where}: {problem}" for problem in accessibility_problems(page))
    page.set_viewport_size(NARROWEST)


def _show(page: Any, url: str, answer: Any) -> None:
    """The browser opens ``url`` and is given ``answer`` (what the service sent when asked
    first, a form's answer included) in place of asking again, so nothing is done twice."""

    def this(address: str) -> bool:
        return address == url

    page.route(this, lambda route: route.fulfill(response=answer))
    try:
        page.goto(url)
    finally:
        page.unroute(this)


def _csrf(page: Any) -> str:
    """The session's token against forged forms, from a page with a form on it."""
    return page.locator("input[name=csrf_token]").first.input_value()


def _visits(world: World, role: str) -> Iterator[tuple[Route, str, str]]:
    """Each route for this role and each case it can name: the pages, then the forms sent."""
    for posting in (False, True):
        for route in ROUTES:
            if not _is_page(route) or (route.method == "POST") != posting:
                continue
            for case in CASES if "{" in route.path else CASES[:1]:
                path = route_path(world, role, route, case)
                if path is not None:
                    yield route, path, case


# The officer who signs in through the police's provider sees the pages the police do; the
# access matrix visits them through it (tests/integration/test_access_matrix.py).
@pytest.mark.parametrize("role", [role for role in ROLES if role != PROVIDER_ROLE])
def test_every_page_passes_axe_and_fits_320_pixels(
    browser: Any, world: World, base: str, role: str
) -> None:
    context = browser.new_context(viewport=NARROWEST)
    page = context.new_page()
    problems: list[str] = []
    # Addresses the browser has shown, and refusals (403, 404) it has shown one of: a form
    # that answers by sending the browser to one, or refusing it, adds nothing to check.
    shown: set[str] = set()
    try:
        _signed_in(page, base, world, role)
        token = _csrf(page) if page.locator("input[name=csrf_token]").count() else ""
        if not token:
            page.goto(f"{base}/sign-in")
            token = _csrf(page)
        user_id = world.users[role].id if role in world.users else 0
        for route, path, case in _visits(world, role):
            where = f"{role}: {route.method} {path} (case {case})"
            url = f"{base}{path}"
            if route.method == "GET":
                answer = page.request.get(url, max_redirects=0)
            else:
                fields = {"csrf_token": token}
                fields.update(
                    (name, str(user_id if value == ME else value))
                    for name, value in (route.body or {}).items()
                )
                answer = page.request.post(url, form=fields, max_redirects=0)
            if answer.status >= 500:
                problems.append(f"{where}: answered {answer.status}")
            elif answer.status in (301, 302, 303):
                onward = urljoin(url, answer.headers["location"])
                if onward not in shown:
                    shown.add(onward)
                    page.goto(onward)
                    _look(page, f"{where}, then {page.url}", problems)
            elif "text/html" in answer.headers.get("content-type", ""):
                # Downloads are not pages; a refusal looks the same whatever was refused.
                refusal = str(answer.status) if answer.status in (403, 404) else url
                if route.method == "POST" or refusal not in shown:
                    shown.add(refusal)
                    _show(page, url, answer)
                    _look(page, where, problems)
    finally:
        context.close()
    assert problems == [], "\n".join(problems)
