"""Following a case review in a real Chromium: the applicant applies with an email address,
the mail sender delivers their sign-in link through a real SMTP server on loopback, and the
link (behind its Continue button) opens their case: its stage and their named contact."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from engine.chasing.mailer import send_due
from engine.core.db import Database
from tests.support.browser import needs_chromium
from tests.support.databases import only_on
from tests.support.mail import SmtpServer

pytestmark = [
    needs_chromium,
    # One database is enough to prove the journey; the pages are tested on both.
    only_on("sqlite"),
]
EMAIL = "robin@example.com"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def apply(page, server: str) -> str:  # noqa: ANN001 - a Playwright page
    """Apply through the form, as the applicant does: the reference given."""
    page.goto(f"{server}/apply")
    page.get_by_label("Where do you live?").select_option("derbyshire-dales")
    page.get_by_label("Full name").first.fill("Robin Hart")
    page.get_by_label("Email address").first.fill(EMAIL)
    page.locator("#on_behalf-2").check()  # No
    page.get_by_label("By email").check()
    report = page.locator("#incidents-0")
    for nth, day in ((0, "12"), (1, "13")):
        report.get_by_label("Day").nth(nth).fill(day)
        report.get_by_label("Month").nth(nth).fill("2")
        report.get_by_label("Year").nth(nth).fill("2026")
    report.get_by_label("Who you reported it to").select_option("police")
    report.get_by_label("What happened").fill("Stones thrown at the windows")
    page.locator("#hate_element-2").check()
    page.get_by_label("Where does the behaviour happen?").fill("The park behind Station Road")
    page.get_by_label("What would you like to happen?").fill("The stone throwing to stop")
    page.get_by_role("button", name="Send application").click()
    page.wait_for_url(f"{server}/submitted")
    return page.locator("#reference").inner_text()


def test_an_applicant_follows_their_case_from_the_emailed_link(
    server: str, page, app_db: Database, smtp: SmtpServer
) -> None:
    reference = apply(page, server)
    send_due(app_db, smtp.url)  # with word of the council's new task to its caseworkers
    (mail,) = smtp.mailbox.to(EMAIL)
    body = mail.get_content()
    assert reference in body
    # The link names the service's public address; here the service is on a test port.
    (path,) = re.findall(r"https?://[^/\s]+(/your-case/sign-in/\S+)", body)

    page.goto(f"{server}{path}")
    expect(page.get_by_role("heading", name="Follow your case review")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{server}/your-case/{reference}")
    assert page.get_by_role("heading", level=1).inner_text() == "We have your application"
    contact = page.locator("#contact")
    expect(contact.get_by_text("Community Safety Officer")).to_be_visible()
    expect(contact.get_by_text("Derbyshire Dales District Council")).to_be_visible()
    expect(page.get_by_text("The next step is due by")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{server}/your-case")
    expect(page.get_by_text("You have signed out")).to_be_visible()
    page.goto(f"{server}/your-case/{reference}")
    page.wait_for_url(f"{server}/your-case")

    # The link worked once: opened again, it says so and offers a new one.
    page.goto(f"{server}{path}")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Your link has not worked")).to_be_visible()
    page.get_by_role("link", name="Ask for a new sign-in link").click()
    page.wait_for_url(f"{server}/your-case#new-link")
