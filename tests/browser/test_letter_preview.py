"""A council officer reads the threshold decision letter before it goes, words a quoted
paragraph for the applicant, and sends what they read; beside a letter to an applicant who
asked for easy read, they are warned to provide it in easy read; in a real headless
Chromium."""

from __future__ import annotations

from playwright.sync_api import expect

from engine.core.db import Database
from tests.support.axe import accessibility_problems
from tests.support.browser import needs_chromium, sign_in
from tests.support.databases import only_on
from tests.support.letters import (
    RECORDED_PERSISTENCE,
    REWORDED_PERSISTENCE,
    decision_letter_waiting,
    letter,
    texts,
)
from tests.support.people import COUNCIL
from tests.support.procedure import application, live, submit

pytestmark = [needs_chromium, only_on("sqlite")]

RECORDED, REWORDED = RECORDED_PERSISTENCE, REWORDED_PERSISTENCE


def test_an_officer_reads_the_letter_words_a_quoted_paragraph_and_sends_it(
    server: str, page, app_db: Database
) -> None:
    case_id, task_id = decision_letter_waiting(app_db)
    sign_in(page, server, COUNCIL)
    page.goto(f"{server}/tasks/{task_id}")
    # The task is theirs already: they completed the case's step before it in the lane.
    expect(page.get_by_text("Given to you because you completed the previous step")).to_be_visible()

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


def test_an_officer_is_warned_beside_the_letter_to_provide_it_in_easy_read(
    server: str, page, app_db: Database
) -> None:
    case_id = submit(app_db, application(letter_format="easy_read"))
    sign_in(page, server, COUNCIL)
    page.goto(f"{server}/tasks/{live(app_db, case_id)['acknowledge'].id}")
    preview = page.get_by_role("region", name="The letter as it will be sent")
    warning = preview.locator(".govuk-warning-text")
    expect(warning).to_be_visible()
    assert "you must also provide it to the applicant in easy read" in warning.inner_text()
    assert accessibility_problems(page) == []
