"""The daily work as staff do it, in a real headless Chromium with axe-core on each page: a
temporary password changed at the first sign-in, a forgotten one reset by a link mailed through
a real SMTP server, a meeting date that makes no sense refused at its field, the service's
count beside the threshold decision, the case's trail read as sentences, and a review chair's
declaration of interests."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from engine.chasing.mailer import send_due
from engine.core.db import Database
from engine.core.models import Case
from tests.support.axe import accessibility_problems
from tests.support.browser import needs_chromium, sign_in
from tests.support.databases import only_on
from tests.support.mail import SmtpServer
from tests.support.people import ADMIN, COUNCIL, MANAGER, add_administrator
from tests.support.procedure import (
    application,
    live,
    meeting_scheduled,
    met_case,
    submit,
    through_to_decision,
)

pytestmark = [needs_chromium, only_on("sqlite")]

NEW_PASSWORD = "a kettle on the hob"
# On the area's list of chairs, shared with neighbouring partnerships, with no account.
OUTSIDE_CHAIR = "jo.harding@nottinghamshire-csp.example.gov.uk"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


def sign_in_with(page, server: str, email: str, password: str) -> None:  # noqa: ANN001
    page.goto(f"{server}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_new_user_changes_their_temporary_password_before_anything_else(
    server: str, page, app_db: Database
) -> None:
    add_administrator(app_db)
    sign_in(page, server, ADMIN)
    page.goto(f"{server}/users/new")
    page.get_by_label("Full name").fill("Priya Shah")
    page.get_by_label("Work email address").fill("priya@example.org")
    page.get_by_label("Organisation").select_option("dales-housing")
    page.get_by_label("Agency officer").check()
    page.get_by_role("button", name="Add user").click()
    temporary = page.locator("#password").inner_text()
    page.get_by_role("link", name="Sign out").click()

    sign_in_with(page, server, "priya@example.org", temporary)
    page.wait_for_url(f"{server}/account/password")
    expect(page.get_by_text("You signed in with a temporary password")).to_be_visible()
    assert accessibility_problems(page) == []
    page.goto(f"{server}/notifications")  # nothing else until it is changed
    page.wait_for_url(f"{server}/account/password")
    page.get_by_label("Current password").fill(temporary)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change your password").click()
    page.goto(f"{server}/notifications")
    assert page.url == f"{server}/notifications"


def test_a_forgotten_password_is_reset_from_the_mailed_link(
    server: str, page, app_db: Database, smtp: SmtpServer
) -> None:
    page.goto(f"{server}/sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    assert accessibility_problems(page) == []
    page.get_by_label("Email address").fill(COUNCIL)
    page.get_by_role("button").filter(has_text="link").click()
    expect(page.get_by_text("If there is an account for")).to_be_visible()
    send_due(app_db, smtp.url)
    (mail,) = smtp.mailbox.to(COUNCIL)
    link = re.search(r"http\S+(/sign-in/reset/\S+)", mail.get_content()).group(1)

    page.goto(f"{server}{link}")
    assert accessibility_problems(page) == []
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Choose this password").click()
    sign_in_with(page, server, COUNCIL, NEW_PASSWORD)
    page.wait_for_url(f"{server}/")
    page.goto(f"{server}{link}")
    expect(page.get_by_text("already been used").first, message="it works once").to_be_visible()


def test_a_meeting_on_a_saturday_is_refused_at_its_field_and_a_weekday_accepted(
    server: str, page, app_db: Database
) -> None:
    case_id = met_case(app_db)
    task_id = live(app_db, case_id)["schedule_meeting"].id
    sign_in(page, server, COUNCIL)
    page.goto(f"{server}/tasks/{task_id}")
    # The task is theirs already: they completed the case's step before it in the lane.
    expect(page.get_by_text("Given to you because you completed the previous step")).to_be_visible()
    # The chairs are offered, each said to be independent of the case or not.
    chair = page.get_by_label(
        "Chair (chair@example.org), High Peak Borough Council: independent of this case"
    )
    chair.check()
    meeting = page.locator("#meeting_date")
    for part, value in (("Day", "21"), ("Month", "3"), ("Year", "2026")):
        meeting.get_by_label(part).fill(value)
    page.get_by_role("button", name="Complete task").click()
    summary = page.locator(".govuk-error-summary")
    assert "Saturday 21 March 2026 is not a working day" in summary.inner_text()
    expect(chair, message="nothing chosen is lost").to_be_checked()
    assert accessibility_problems(page) == []
    meeting.get_by_label("Day").fill("20")
    page.get_by_role("button", name="Complete task").click()
    page.get_by_text("is complete").first.wait_for()
    assert "meeting_pack" in live(app_db, case_id)


def test_a_manager_gives_the_review_to_a_listed_chair_who_is_invited_by_email(
    server: str, page, app_db: Database, smtp: SmtpServer
) -> None:
    """The case page offers the area's listed chairs; one with no account is given one by
    the change and chooses a password from the emailed invitation, then finds the task."""
    case_id = meeting_scheduled(app_db, "chair@example.org")
    with app_db.read() as session:
        reference = session.get(Case, case_id).reference
    sign_in(page, server, MANAGER)
    page.goto(f"{server}/cases/{reference}")
    reason = page.get_by_label("Why a chair from an organisation taking part in this case")
    reason.fill("Kept if refused")
    page.get_by_role("button", name="Change the chair").click()
    summary = page.locator(".govuk-error-summary")
    assert "Select the chair" in summary.inner_text()
    assert reason.input_value() == "Kept if refused", "nothing typed is lost"
    assert accessibility_problems(page) == []
    question = page.get_by_role("group", name="Change the chair of review 1")
    listed = question.get_by_label(re.compile(r"Jo Harding \("))
    assert "no account yet" in question.inner_text()
    listed.check()
    reason.fill("")
    page.get_by_role("button", name="Change the chair").click()
    page.get_by_text("Jo Harding now chairs the review").wait_for()
    page.get_by_role("link", name="Sign out").click()

    send_due(app_db, smtp.url)
    invitation = next(
        mail
        for mail in smtp.mailbox.to(OUTSIDE_CHAIR)
        if "appointed you to chair" in mail.get_content()
    )
    link = re.search(r"http\S+(/sign-in/reset/\S+)", invitation.get_content()).group(1)
    page.goto(f"{server}{link}")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Choose this password").click()
    sign_in_with(page, server, OUTSIDE_CHAIR, NEW_PASSWORD)
    page.wait_for_url(f"{server}/")
    expect(
        page.get_by_role("link", name=reference).first, message="the case is theirs"
    ).to_be_visible()
    assert accessibility_problems(page) == []


def test_the_threshold_decision_shows_the_count_and_the_trail_reads_as_sentences(
    server: str, page, app_db: Database
) -> None:
    case_id = submit(app_db, application())
    through_to_decision(app_db, case_id)
    task_id = live(app_db, case_id)["threshold_decision"].id
    sign_in(page, server, COUNCIL)
    page.goto(f"{server}/tasks/{task_id}")
    count = page.locator("#threshold-count").inner_text()
    assert re.search(r"The service counts \d+ qualifying complaints; the threshold is \d+", count)
    assert page.locator("#threshold-incidents tbody tr").count() >= 1
    assert accessibility_problems(page) == []

    with app_db.read() as session:
        reference = session.get(Case, case_id).reference
    page.goto(f"{server}/cases/{reference}")
    page.get_by_text(re.compile(r"Show all \d+ events")).click()
    trail = page.locator("#audit ~ details").inner_text()
    assert "completed Acknowledge the application" in trail
    assert "task.completed" not in trail and "case.status_changed" not in trail
    assert accessibility_problems(page) == []


def test_the_chair_declares_a_conflict_on_the_case_page(
    server: str, page, app_db: Database
) -> None:
    case_id = meeting_scheduled(app_db, "chair@example.org")
    with app_db.read() as session:
        reference = session.get(Case, case_id).reference
    sign_in(page, server, "chair@example.org")
    page.goto(f"{server}/cases/{reference}")
    standing = page.locator("#chair-standing-1").inner_text()
    assert "independent" in standing.lower() and "The chair has not declared yet" in standing
    question = page.get_by_role(
        "group", name="Do you have a conflict of interest with the agencies in this case?"
    )
    question.get_by_label("Yes").check()
    page.get_by_role("button", name="Record the declaration").click()
    summary = page.locator(".govuk-error-summary")
    assert "Say what the conflict of interest is" in summary.inner_text()
    expect(page.get_by_label("Yes").first, message="the answer is kept").to_be_checked()
    assert accessibility_problems(page) == []
    page.get_by_label("What the conflict of interest is").fill("I once managed the ASB team")
    page.get_by_role("button", name="Record the declaration").click()
    page.get_by_text("Your declaration is recorded").wait_for()
    assert "I once managed the ASB team" in page.locator("#chair-standing-1").inner_text()
    assert accessibility_problems(page) == []
