"""How the procedure runs, in a real headless Chromium: a manager reaches it from the team
view and sees the process's diagram with each step coloured by its band and labelled with its
figures, beside the table of the same figures; axe-core finds nothing wrong, the Content
Security Policy refuses nothing, and at 320 pixels the page does not scroll sideways."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.support.axe import accessibility_problems
from tests.support.browser import needs_chromium, sideways_scroll, sign_in
from tests.support.databases import only_on
from tests.support.people import COUNCIL, MANAGER
from tests.support.procedure import ACKNOWLEDGED, application, do, submit

pytestmark = [needs_chromium, only_on("sqlite")]


def test_a_manager_sees_the_diagram_coloured_by_its_figures_beside_the_table(
    server: str, page, app_db
) -> None:  # noqa: ANN001
    acknowledged = submit(app_db, application())
    do(app_db, acknowledged, "acknowledge", COUNCIL, ACKNOWLEDGED)  # on time, the same day
    submit(app_db, application())  # its acknowledgement waits

    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    sign_in(page, server, MANAGER)
    page.goto(f"{server}/team")
    page.get_by_role("link", name="How the procedure runs").click()
    page.wait_for_url(f"{server}/step-timings")
    expect(page.get_by_role("heading", name="How the procedure runs")).to_be_visible()
    page.get_by_label("Process").select_option(label="Community Trigger application")
    page.get_by_role("button", name="Show the figures").click()
    page.wait_for_url(f"{server}/step-timings?process=community_trigger_application*")

    assert page.locator("#step-timings caption").inner_text() == "Each step's figures"
    acknowledge = page.locator("#step-acknowledge")
    assert "100% (1 of 1)" in acknowledge.inner_text()
    assert "On time" in acknowledge.inner_text()

    page.locator("[data-heat-map-xml][data-diagram-ready='true']").wait_for()
    shape = page.locator(".djs-element[data-element-id='acknowledge']")
    assert "heat-on-time" in (shape.get_attribute("class") or "")
    screen = page.locator(".djs-element[data-element-id='screen']")
    assert "heat-no-figures" in (screen.get_attribute("class") or "")
    labels = page.locator(".casereview-heat-label--on-time")
    assert labels.count() == 1
    words = labels.first.inner_text()
    assert words.split("\n") == ["On time", "100% on time", "median 0 working days", "1 waiting"]
    # The figures drawn are readable: each label is shown, not hidden behind another shape.
    expect(labels.first).to_be_visible()

    page.get_by_role("button", name="Zoom in on the diagram").click()
    assert accessibility_problems(page) == []
    assert refused == []
    assert sideways_scroll(page) is None
