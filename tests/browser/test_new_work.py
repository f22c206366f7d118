"""Word of new work in a real headless Chromium: a police officer chooses a daily summary of
new tasks (a time that is no time refused on the form), then finds a new task in their
notifications and opens it. Each page is checked with axe-core."""

from __future__ import annotations

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
    assert page.get_by_text("You have no notifications.").is_visible()
    assert page.get_by_text("We email you about each new task as it arrives.").is_visible()
    assert accessibility_problems(page) == []

    page.get_by_role("link", name="Change how you hear of new tasks").click()
    page.wait_for_url(f"{server}/account/notifications")
    assert page.get_by_label("At once: an email for each new task").is_checked()
    time_of_day = page.get_by_label("Time of day")
    assert not time_of_day.is_visible(), "asked only when a summary is chosen"
    assert accessibility_problems(page) == []

    page.get_by_label("Once a day: one email listing the new tasks").check()
    assert time_of_day.is_visible()
    time_of_day.fill("25:00")
    page.get_by_role("button", name="Save your choice").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role(
        "link", name="Enter a real time of day, like 08:00 or 17:30"
    ).is_visible()
    assert page.title().startswith("Error: ")
    # What they chose and typed is still there to correct.
    assert page.get_by_label("Once a day: one email listing the new tasks").is_checked()
    assert time_of_day.input_value() == "25:00"
    assert accessibility_problems(page) == []
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "digest_time"

    time_of_day.fill("8:15")
    page.get_by_role("button", name="Save your choice").click()
    page.wait_for_url(f"{server}/notifications")
    assert page.get_by_text(
        "Your choice is saved. We email you a summary of new tasks once a day at 08:15."
    ).is_visible()
    assert user(app_db, "police@example.org").new_work_email == "daily"

    # The council screens an application into a review: the police are asked for a return.
    case_id = submit(app_db, application())
    do(app_db, case_id, "acknowledge", COUNCIL, {"method": "email"})
    do(app_db, case_id, "screen", COUNCIL, {"route": "review", "hate_element": False})
    task_id = live(app_db, case_id)["police_return"].id
    page.reload()
    assert page.get_by_text("You have 1 unread notification.").is_visible()
    row = page.locator("#notifications tbody tr").first
    assert row.get_by_text("New task in your organisation's queue", exact=True).is_visible()
    row.get_by_text("Read the message").click()
    assert row.get_by_text("A new task is waiting in Derbyshire Constabulary's tasks").is_visible()
    assert accessibility_problems(page) == []
    row.get_by_role("link", name="Go to the task").click()
    page.wait_for_url(f"{server}/tasks/{task_id}")
    assert page.get_by_role("heading", name="Police information return").is_visible()
    assert page.get_by_role("button", name="Claim this task").is_visible()
