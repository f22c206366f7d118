"""The process editor in a real headless Chromium: a process owner changes a task, sees the
checks on the diagram, deploys a new version, and cases start on it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engine.core.config import load_settings
from engine.core.db import Database
from engine.core.models import ProcessDefinition, ProcessInstance
from engine.people.accounts import add_user
from tests.support.axe import accessibility_problems
from tests.support.browser import needs_chromium, sign_in
from tests.support.databases import only_on
from tests.support.people import COUNCIL, DEMO_PASSWORD
from tests.support.procedure import ACKNOWLEDGED, application, do, live, submit
from web import create_app

OWNER = "owner@example.org"
REFUSED_DEPLOYMENT = "the server responded with a status of 422"
KEY = "community_trigger_application"

pytestmark = [
    needs_chromium,
    # The routes are tested on both databases; one is enough for the journey.
    only_on("sqlite"),
]


@pytest.fixture
def server(app_db: Database, tmp_path: Path) -> Iterator[str]:
    """The app with the application diagram and a process owner, served on a loopback port."""
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


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The console too: a policy violation (a font refused) or a library's complaint about
    # its configuration is reported there, not thrown. Chromium also logs each answer of 4xx
    # there; a refused deployment's 422 is the service's answer, which the page then shows.
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and REFUSED_DEPLOYMENT not in message.text
            and errors.append(message.text)
        ),
    )
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def version_of(db: Database, case_id: int) -> int:
    with db.read() as session:
        return session.scalar(
            select(ProcessDefinition.version)
            .join(ProcessInstance, ProcessInstance.definition_id == ProcessDefinition.id)
            .where(ProcessInstance.case_id == case_id)
        )


def open_editor(page, server: str) -> None:
    sign_in(page, server, OWNER)
    page.get_by_role("link", name="Process definitions").click()
    page.get_by_role("link", name="Community Trigger application").click()
    page.get_by_role("link", name="Edit version 1").click()
    page.locator("#editor[data-editor-ready='true']").wait_for()


def test_the_editor_draws_its_palette_and_menus_with_the_service_s_own_icon_font(
    server: str, page
) -> None:
    open_editor(page, server)
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px bpmn')"), "the icon font loaded"
    task_tool = page.locator(".djs-palette .entry.bpmn-icon-task")
    assert (
        page.evaluate(
            "(e) => getComputedStyle(e, '::before').fontFamily", task_tool.element_handle()
        ).strip("'\"")
        == "bpmn"
    )
    assert task_tool.bounding_box()["width"] > 0
    # The palette covers nothing of the diagram: the leftmost element is drawn to its right.
    palette = page.locator(".djs-palette").bounding_box()
    start = page.locator("[data-element-id='StartEvent_1'], .djs-shape[data-element-id*='start']")
    leftmost = min(box["x"] for box in (s.bounding_box() for s in start.all()) if box)
    assert leftmost >= palette["x"] + palette["width"]
    # The editor takes the width a diagram needs, not the narrow column of a page of text.
    assert page.locator("#editor").bounding_box()["width"] > 900

    page.locator("[data-element-id='acknowledge']").click()
    expect(page.locator(".djs-context-pad .entry.bpmn-icon-screw-wrench")).to_be_visible()


def test_a_process_owner_renames_a_task_changes_its_due_rule_and_deploys_version_2(
    server: str, page, app_db: Database
) -> None:
    older_case = submit(app_db, application())
    further_case = submit(app_db, application())
    do(app_db, further_case, "acknowledge", COUNCIL, ACKNOWLEDGED)
    open_editor(page, server)

    page.get_by_label("Element to edit").select_option("acknowledge")
    assert (
        page.get_by_label("Due rule").input_value() == "acknowledge_application after received_on"
    )
    page.get_by_label("Name", exact=True).fill("Acknowledge receipt")
    page.get_by_label("Due rule").fill("3 working days")
    page.get_by_role("button", name="Apply to the diagram").click()
    label = page.locator("[data-element-id='acknowledge'] .djs-visual text")
    assert "Acknowledge receipt" in " ".join(label.all_text_contents())
    page.get_by_role("button", name="Save and deploy").click()
    page.get_by_text("Deployed version 2").wait_for()
    assert page.locator("#editing-version").inner_text().endswith("editing version 2")
    expect(page.get_by_role("link", name="download version 2")).to_be_visible()

    page.get_by_role("link", name="See all versions").click()
    newest = page.get_by_role("row", name="Version 2 Newest")
    expect(newest.get_by_role("cell", name="Pat Owner")).to_be_visible()
    older = page.locator("#versions tr", has_text="Version 1")
    expect(older.get_by_role("link", name="Move its running cases to version 2")).to_be_visible()

    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", name="From version 1 to version 2")).to_be_visible()
    changes = page.locator("#changed")
    name_row = changes.get_by_role("row", name="its name")
    assert name_row.get_by_role("cell").all_inner_texts() == [
        "its name",
        "Acknowledge the application",
        "Acknowledge receipt",
    ]
    due_row = changes.get_by_role("row", name="its due property")
    assert due_row.get_by_role("cell").all_inner_texts() == [
        "its due property",
        "acknowledge_application after received_on",
        "3 working days",
    ]
    newest_drawn = page.locator("[data-compare-url][data-diagram-ready='true']").first
    newest_drawn.wait_for()
    assert newest_drawn.locator("[data-element-id='acknowledge'].element-changed").count() == 1

    newer_case = submit(app_db, application())
    assert (version_of(app_db, older_case), version_of(app_db, newer_case)) == (1, 2)
    assert live(app_db, older_case)["acknowledge"].title == "Acknowledge the application"

    # A move first says what it would do, case by case; both cases have reached the changed
    # task, so both would stay, and there is nothing to confirm.
    page.get_by_role("link", name="Back to the versions").click()
    page.get_by_role("link", name="Move its running cases to version 2").click()
    summary = page.locator("#plan-summary").inner_text()
    assert "0 would move to version 2 and 2 would stay on version 1" in summary
    assert "Acknowledge the application" in page.locator("#will-stay").inner_text()
    assert page.get_by_role("button", name="Move").count() == 0
    assert accessibility_problems(page) == []
    renamed = live(app_db, newer_case)["acknowledge"]
    assert renamed.title == "Acknowledge receipt"
    assert renamed.due_on.isoformat() == "2026-03-05", "3 working days from Monday 2 March"


def test_errors_are_marked_on_the_diagram_and_nothing_is_deployed(
    server: str, page, app_db: Database
) -> None:
    open_editor(page, server)
    page.get_by_label("Element to edit").select_option("acknowledge")
    page.get_by_label("Due rule").fill("whenever suits")
    page.get_by_role("button", name="Apply to the diagram").click()
    page.get_by_role("button", name="Save and deploy").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "The diagram was not deployed" in summary.inner_text()
    expect(summary.get_by_role("link", name="acknowledge")).to_be_visible()
    assert page.locator("[data-element-id='acknowledge'].element-error").count() == 1
    with app_db.read() as session:
        assert session.scalars(select(ProcessDefinition.version)).all() == [1]

    summary.get_by_role("link", name="acknowledge").click()
    assert page.get_by_label("Element to edit").input_value() == "acknowledge"
