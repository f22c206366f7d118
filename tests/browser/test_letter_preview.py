"""A council officer reads the threshold decision letter before it goes, words a quoted
paragraph for the applicant, and sends what they read; in a real headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.core.db import Database
from tests.support.axe import accessibility_problems
from tests.support.browser import needs_chromium, sign_in
from tests.support.databases import only_on
from tests.support.letters import letter, texts
from tests.support.people import COUNCIL
from tests.support.procedure import THREE, application, do, live, submit, through_to_decision

pytestmark = [needs_chromium, only_on("sqlite")]

RECORDED = "Three incidents in six months, reported to the police each time."
REWORDED = "You told the police about the behaviour three times in six months."


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def test_an_officer_reads_the_letter_words_a_quoted_paragraph_and_sends_it(
    server: str, page, app_db: Database
) -> None:
    case_id = submit(app_db, application(THREE[:1]))
    through_to_decision(app_db, case_id)
    do(
        app_db,
        case_id,
        "threshold_decision",
        COUNCIL,
        {
            "threshold_met": True,
            "decision_basis": "discretion",
            "reasons": "The harm to the family outweighs the count.",
            "persistence": RECORDED,
            "harm": "The children cannot sleep.",
            "adequacy": "Warnings were not followed up.",
        },
    )
    task_id = live(app_db, case_id)["decision_letter"].id
    sign_in(page, server, COUNCIL)
    page.goto(f"{server}/tasks/{task_id}")
    page.get_by_role("button", name="Claim this task").click()

    preview = page.get_by_role("region", name="The letter as it will be sent")
    assert "Your application meets the threshold" in preview.inner_text()
    quoted = preview.locator("#quoted-persistence")
    assert "Quoted from the threshold decision's answer" in quoted.inner_text()
    wording = quoted.get_by_role("textbox")
    assert wording.input_value() == RECORDED
    assert accessibility_problems(page) == []

    wording.fill(REWORDED)
    page.get_by_label("Email").check()
    page.get_by_role("button", name="Save as draft").click()
    assert page.locator("#wording-persistence").input_value() == REWORDED
    page.get_by_role("button", name="Complete task and send the letter").click()
    page.get_by_text("is complete").first.wait_for()
    sent = texts(letter(app_db, case_id, "threshold_decision_letter"))
    assert REWORDED in sent and RECORDED not in sent
