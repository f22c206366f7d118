"""Another public body answers the council's request for information in a real Chromium: the
council sends it from the case, the mail sender delivers it through a real SMTP server on
loopback, and the body, with no sign-in, answers through the link once. Every page passes
axe-core."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from engine.chasing.mailer import send_due
from engine.core.db import Database
from tests.support.axe import accessibility_problems
from tests.support.browser import needs_chromium, sign_in
from tests.support.databases import only_on
from tests.support.mail import SmtpServer
from tests.support.people import COUNCIL
from tests.support.procedure import case_of, screened

pytestmark = [needs_chromium, only_on("sqlite")]
CHILDREN_EMAIL = "childrens.services@derbyshire.example.gov.uk"
ASKED = "Any contact with the household since January, and any concerns held."
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def test_a_body_answers_the_council_s_request_through_its_single_use_link(
    server: str, page, browser, app_db: Database, smtp: SmtpServer
) -> None:
    reference = case_of(app_db, screened(app_db)).reference
    sign_in(page, server, COUNCIL)
    page.goto(f"{server}/cases/{reference}")
    page.get_by_role("link", name="Ask another public body for information").click()
    assert accessibility_problems(page) == []
    page.get_by_label("Derbyshire County Council Children's Services").check()
    page.get_by_label("What are you asking for?").fill(ASKED)
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_url(f"{server}/cases/{reference}#information-requests")
    expect(page.get_by_text("We have sent the request for information")).to_be_visible()

    send_due(app_db, smtp.url)
    (mail,) = smtp.mailbox.to(CHILDREN_EMAIL)
    (path,) = re.findall(r"https?://[^/\s]+(/information-request/\S+)", mail.get_content())

    body = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    body.goto(f"{server}{path}")
    assert body.get_by_role("heading", level=1).inner_text() == (
        "Request for information for an ASB case review"
    )
    expect(body.get_by_text(ASKED)).to_be_visible()
    assert accessibility_problems(body) == []

    body.get_by_role("button", name="Send your answer").click()
    summary = body.locator(".govuk-error-summary")
    assert summary.get_by_role("link").inner_text() == (
        "Enter the information you hold, or say that you hold none"
    )
    assert accessibility_problems(body) == []
    summary.get_by_role("link").click()
    body.get_by_label("Your answer").fill("Two visits in February; no concerns held.")
    files = body.get_by_label("Supporting files (optional)")
    files.set_input_files(
        [{"name": "notes.pdf", "mimeType": "application/pdf", "buffer": b"<html>hi</html>"}]
    )
    body.get_by_role("button", name="Send your answer").click()
    summary = body.locator(".govuk-error-summary")
    assert "notes.pdf" in summary.get_by_role("link").inner_text()
    assert body.get_by_label("Your answer").input_value() == (
        "Two visits in February; no concerns held."
    ), "nothing typed is lost"
    expect(body.get_by_text("choose them again")).to_be_visible()
    assert accessibility_problems(body) == []
    files.set_input_files([{"name": "visits.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    body.get_by_role("button", name="Send your answer").click()
    expect(body.get_by_role("heading", name="Your answer has been sent")).to_be_visible()
    assert body.locator("#answer-files").inner_text() == "visits.pdf"
    assert accessibility_problems(body) == []

    body.goto(f"{server}{path}")
    expect(body.get_by_role("heading", name="Your link has not worked")).to_be_visible()
    assert accessibility_problems(body) == []
    body.context.close()

    page.goto(f"{server}/cases/{reference}")
    expect(page.get_by_text("Two visits in February; no concerns held.")).to_be_visible()
    expect(page.get_by_role("link", name="visits.pdf")).to_be_visible()
    assert accessibility_problems(page) == []
