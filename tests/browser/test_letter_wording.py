"""The letters' wording in a real headless Chromium: a process owner rewords a letter,
previews it, has a mistake refused, deploys it, and the next letter sent uses it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from engine.core.config import load_settings
from engine.core.db import Database
from engine.documents.letters import versions
from engine.people.accounts import add_user
from tests.support.axe import accessibility_problems
from tests.support.browser import needs_chromium, sign_in
from tests.support.databases import only_on
from tests.support.letters import headings, letter, outbox
from tests.support.people import COUNCIL, DEMO_PASSWORD
from tests.support.procedure import ACKNOWLEDGED, application, do, submit
from web import create_app

OWNER = "owner@example.org"
KIND = "acknowledgement_letter"
SHIPPED_TITLE = "# We have received your application for an ASB Case Review"
NEW_TITLE = "# Your application {{ reference }} has reached us"

pytestmark = [needs_chromium, only_on("sqlite")]


@pytest.fixture
def server(app_db: Database, tmp_path: Path) -> Iterator[str]:
    from werkzeug.serving import make_server

    with app_db.transaction() as session:
        add_user(
            session,
            email=OWNER,
            name="Pat Owner",
            organisation_key="derbyshire-dales-district-council",
            roles=["process_owner"],
            password=DEMO_PASSWORD,
        )
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": app_db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    http = make_server("127.0.0.1", 0, create_app(settings, app_db), threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(timeout=10)


def test_a_process_owner_rewords_the_acknowledgement_and_the_next_one_sent_uses_it(
    server: str, browser, app_db: Database
) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, server, OWNER)
    page.get_by_role("link", name="Letters' wording").click()
    page.get_by_role("link", name="Acknowledgement letter", exact=True).click()
    shipped = page.locator("#body").input_value()
    assert SHIPPED_TITLE in shipped

    # A placeholder the letter does not have is refused, naming it, and what was typed stays.
    page.fill("#body", shipped.replace(SHIPPED_TITLE, "# Hello {{ applicant_first_name }}"))
    page.get_by_role("button", name="Check and deploy").click()
    summary = page.locator(".govuk-error-summary")
    assert "Line 1: there is no placeholder 'applicant_first_name'" in summary.inner_text()
    assert "applicant_first_name" in page.locator("#body").input_value()
    assert accessibility_problems(page) == []

    page.fill("#body", shipped.replace(SHIPPED_TITLE, NEW_TITLE))
    page.get_by_role("button", name="Preview").click()
    assert (
        page.locator("#preview-title").inner_text()
        == "Your application CT-2026-00001 has reached us"
    )
    assert accessibility_problems(page) == []
    with app_db.read() as session:
        assert versions.current_wording(session, KIND).version is None  # nothing deployed yet

    page.get_by_role("button", name="Check and deploy").click()
    expect(page.locator("body")).to_contain_text("Deployed version 1")
    assert page.locator("#in-use").inner_text() == "Letters sent now use version 1."
    page.get_by_role("link", name="What changed in version 1").click()
    difference = page.locator("#difference")
    difference.wait_for()
    assert [" ".join(t.split()) for t in difference.locator("del").all_inner_texts()] == [
        f"Taken out: {SHIPPED_TITLE}"
    ]
    assert [" ".join(t.split()) for t in difference.locator("ins").all_inner_texts()] == [
        f"Put in: {NEW_TITLE}"
    ]
    assert accessibility_problems(page) == []

    case_id = submit(app_db, application())
    do(app_db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    reference = f"CT-2026-{case_id:05d}"
    sent = letter(app_db, case_id, KIND)
    assert f"Your application {reference} has reached us" in headings(sent)
    assert (
        outbox(app_db, sent).subject == f"Your application {reference} has reached us ({reference})"
    )

    # The council's staff see, where the letter is listed, which wording wrote it.
    staff = browser.new_context().new_page()
    sign_in(staff, server, COUNCIL)
    staff.goto(f"{server}/cases/{reference}#documents")
    listed = staff.locator("#documents + ul").inner_text()
    assert "Acknowledgement letter (version 1)" in listed and "wording version 1" in listed
    context.close()
    assert errors == []
