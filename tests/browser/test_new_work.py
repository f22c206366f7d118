"""Word of new work in a real headless Chromium: a police officer chooses a daily summary of
new tasks (a time that is no time refused on the form), then finds a new task in their
notifications and opens it. Each page is checked with axe-core."""

from __future__ import annotations

from playwright.sync_api import expect

from engine.core.db import Database
from tests.support.axe import accessibility_problems
from tests.support.browser import needs_chromium, sign_in
from tests.support.databases import only_on
from tests.support.people import COUNCIL, user
from tests.support.procedure import application, do, live, submit

pytestmark = [needs_chromium, only_on("sqlite")]


def test_an_officer_chooses_a_daily_summary_and_finds_new_work_in_their_notifications(
    server: str, page, app_db: Database
) -> None:
    sign_in(page, server, "police@example.org")
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_text("You have no notifications.")).to_be_visible()
    expect(page.get_by_text("We email you about each new task as it arrives.")).to_be_visible()
    assert accessibility_problems(page) == []

    page.get_by_role("link", name="Change how you hear of new tasks").click()
    page.wait_for_url(f"{server}/account/notifications")
    expect(page.get_by_label("At once: an email for each new task")).to_be_checked()
    time_of_day = page.get_by_label("Time of day")
    expect(time_of_day, message="asked only when a summary is chosen").to_be_hidden()
    assert accessibility_problems(page) == []

    page.get_by_label("Once a day: one email listing the new tasks").check()
    expect(time_of_day).to_be_visible()
    time_of_day.fill("25:00")
    page.get_by_role("button", name="Save your choice").click()
    summary = page.locator(".govuk-error-summary")
    expect(
        summary.get_by_role("link", name="Enter a real time of day, like 08:00 or 17:30")
    ).to_be_visible()
    assert page.title().startswith("Error: ")
    # What they chose and typed is still there to correct.
    expect(page.get_by_label("Once a day: one email listing the new tasks")).to_be_checked()
    assert time_of_day.input_value() == "25:00"
    assert accessibility_problems(page) == []
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "digest_time"

    time_of_day.fill("8:15")
    page.get_by_role("button", name="Save your choice").click()
    page.wait_for_url(f"{server}/notifications")
    expect(
        page.get_by_text(
            "Your choice is saved. We email you a summary of new tasks once a day at 08:15."
        )
    ).to_be_visible()
    assert user(app_db, "police@example.org").new_work_email == "daily"

    # The council screens an application into a review: the police are asked for a return.
    case_id = submit(app_db, application())
    do(app_db, case_id, "acknowledge", COUNCIL, {"method": "email"})
    do(app_db, case_id, "screen", COUNCIL, {"route": "review", "hate_element": False})
    task_id = live(app_db, case_id)["police_return"].id
    page.reload()
    expect(page.get_by_text("You have 1 unread notification.")).to_be_visible()
    row = page.locator("#notifications tbody tr").first
    expect(row.get_by_text("New task in your organisation's queue", exact=True)).to_be_visible()
    row.get_by_text("Read the message").click()
    expect(
        row.get_by_text("A new task is waiting in Derbyshire Constabulary's tasks")
    ).to_be_visible()
    assert accessibility_problems(page) == []
    row.get_by_role("link", name="Go to the task").click()
    page.wait_for_url(f"{server}/tasks/{task_id}")
    expect(page.get_by_role("heading", name="Police information return")).to_be_visible()
    expect(page.get_by_role("button", name="Claim this task")).to_be_visible()
