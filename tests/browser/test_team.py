"""A manager's team view in a real headless Chromium: the organisation's work by who holds it,
a task given to a colleague with the choice beside it, a wrong choice refused at it, and
every state of the page checked with axe-core."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from engine.core.db import Database
from engine.core.models import Notification, Task, User
from tests.support.axe import accessibility_problems
from tests.support.browser import needs_chromium, sign_in
from tests.support.databases import only_on
from tests.support.people import COUNCIL, MANAGER
from tests.support.procedure import ACKNOWLEDGED, application, do, live, submit

pytestmark = [needs_chromium, only_on("sqlite")]


def test_a_manager_gives_a_colleague_s_task_to_another_from_the_team_view(
    server: str, page, app_db: Database
) -> None:
    submit(app_db, application())  # its acknowledgement waits to be claimed
    case_id = submit(app_db, application())
    do(app_db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    screen = live(app_db, case_id)["screen"]  # Council's, who did the step before
    assert screen.state == "claimed"

    sign_in(page, server, MANAGER)
    page.get_by_role("link", name="Team", exact=True).click()
    page.wait_for_url(f"{server}/team")
    expect(page.get_by_role("heading", name="Your team's work")).to_be_visible()
    council = page.get_by_role("table", name="Council 1 task")
    expect(council.get_by_role("link", name="Screen the application")).to_be_visible()
    assert council.get_by_text("Given to them because they completed the previous step").count()
    summary = page.get_by_role("table", name="Summary")
    expect(summary.get_by_role("row", name="Not yet claimed 1 0")).to_be_visible()
    assert accessibility_problems(page) == []

    # Nothing chosen: said at the task's choice, with the error summary leading to it.
    council.get_by_role("button", name="Reassign Screen the application").click()
    page.wait_for_load_state()
    summary_box = page.locator(".govuk-error-summary")
    expect(summary_box.get_by_role("link", name="Select who should do the task")).to_be_visible()
    expect(page.locator(f"#give-{screen.id}-error")).to_be_visible()
    assert accessibility_problems(page) == []

    council = page.get_by_role("table", name="Council 1 task")
    council.get_by_label("Give Screen the application for").select_option(label="Council2")
    council.get_by_role("button", name="Reassign Screen the application").click()
    page.wait_for_url(f"{server}/team")
    banner = page.locator(".govuk-notification-banner--success")
    assert "is now with Council2, who has been told" in banner.inner_text()
    moved = page.get_by_role("table", name="Council2 1 task")
    expect(moved.get_by_role("link", name="Screen the application")).to_be_visible()
    expect(moved.get_by_text("Given to them by a manager")).to_be_visible()
    assert accessibility_problems(page) == []

    with app_db.read() as session:
        task = session.get_one(Task, screen.id)
        council2 = session.scalar(select(User).where(User.email == "council2@example.org"))
        # Told of it by the hand-over, beside the word of new work its arrival brought Council.
        told = session.scalars(
            select(Notification.user_id).where(
                Notification.task_id == screen.id, Notification.kind == "assignment"
            )
        ).all()
    assert (task.assignee_id, task.assigned_because) == (council2.id, "manager")
    assert told == [council2.id]
