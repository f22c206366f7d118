"""One applicant's way through their case in a real Chromium, as the journey tests walk it:
where they have got to, their browser (checked by axe-core on every page), the mail and
letters that reach them, and a member of staff's own browser beside theirs."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

import docx

from engine.chasing.mailer import send_due
from engine.core.clock import FixedClock
from engine.core.db import Database
from tests.support.axe import accessibility_problems
from tests.support.browser import sign_in
from tests.support.letters import letter, texts
from tests.support.mail import SmtpServer
from tests.support.procedure import do


@dataclass
class Journey:
    """One applicant's way through their case, as the steps find it."""

    server: str
    browser: object
    page: object  # the applicant's browser tab
    db: Database
    smtp: SmtpServer
    clock: FixedClock
    by_post: bool
    email: str = ""
    postcode: str = ""
    reference: str = ""
    case_id: int = 0
    errors: list[str] = field(default_factory=list)  # script errors on the applicant's pages

    def new_browser(self) -> None:
        """The applicant's own browser, opened afresh: nothing of an earlier one is kept."""
        if self.page is not None:
            self.page.context.close()
        context = self.browser.new_context(viewport={"width": 1200, "height": 900})
        context.on("weberror", lambda error: self.errors.append(str(error.error)))
        self.page = context.new_page()

    def go(self, path: str) -> None:
        self.page.goto(f"{self.server}{path}")
        self.check()

    def check(self) -> None:
        """The applicant's page as it stands passes the accessibility checks."""
        assert accessibility_problems(self.page) == [], self.page.url

    def case_page(self) -> None:
        self.go(f"/your-case/{self.reference}")

    def heading(self) -> str:
        return self.page.get_by_role("heading", level=1).inner_text()

    def do(self, name: str, email: str, data: dict) -> None:
        do(self.db, self.case_id, name, email, data)


Step = Callable[[Journey], None]


# What reaches the applicant


def mail_sent(journey: Journey) -> list[EmailMessage]:
    """Everything the mail sender has sent the applicant so far, oldest first."""
    send_due(journey.db, journey.smtp.url)
    return journey.smtp.mailbox.to(journey.email)


def body_of(mail: EmailMessage) -> str:
    return mail.get_body(("plain",)).get_content()


def letter_received(journey: Journey, kind: str) -> list[str]:
    """The text of the newest letter of ``kind``, as it reached the applicant: attached to the
    email the mail sender delivered, or, for letters by post, the letter kept for printing."""
    kept = letter(journey.db, journey.case_id, kind)
    assert kept.delivery == ("post" if journey.by_post else "email")
    if journey.by_post:
        return texts(kept)
    # A long subject is folded after its name; a mail client reads it with no space before.
    title = kept.detail["title"]
    carried = [m for m in mail_sent(journey) if m["Subject"].strip().startswith(title)]
    assert carried, f"no email carried the {kind}"
    (attached,) = [
        part for part in carried[-1].iter_attachments() if part.get_filename().endswith(".docx")
    ]
    word = docx.Document(io.BytesIO(attached.get_content()))
    lines = [paragraph.text for paragraph in word.paragraphs]
    for table in word.tables:
        lines += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
    return lines


@contextmanager
def staff(journey: Journey, email: str) -> Iterator[object]:
    """A member of staff's own browser, signed in."""
    context = journey.browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        page = context.new_page()
        sign_in(page, journey.server, email)
        yield page
    finally:
        context.close()
