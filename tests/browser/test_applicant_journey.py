"""The applicant's whole path through a case review, in a real Chromium: they apply, get in
with the link the mail sender emails through a real SMTP server on loopback (or, applying for
letters, with the access code printed on a letter), see the stage and their named contact; the
threshold is met; they choose to attend the meeting with a reasonable adjustment, which the
chair sees on their task and in the meeting pack; they comment on the draft action plan,
receive the outcome and appeal from their own page; and the OPCC finds the appeal's task with
its grounds. The appeal decided and the action plan done, the case closes; a month on the sweep
asks whether the behaviour goes on (by email, a one-time link answered in the browser; by post,
through their contact, who records the answer on the case page), and their "yes" gives the
contact a task to consider further action, found in the contact's inbox. Every page the
applicant sees passes axe-core's accessibility checks.

The journey is a list of steps (``JOURNEY``), each given the ``Journey`` so far; a later part
of the applicant's path is a step added to the end of it. The staff's steps between the
applicant's are done through the engine, as the other tests build cases, except where this
journey is about what staff see: the chair's task and pack, the OPCC's inbox and task.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import docx
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.models import Case
from engine.procedure.check_ins import CHECK_IN_SUBJECT, CHOOSE
from engine.procedure.sweeps import run_due
from tests.support.applicant import code_on_letter
from tests.support.axe import accessibility_problems
from tests.support.browser import needs_chromium
from tests.support.databases import only_on
from tests.support.documents import pdf_lines
from tests.support.follow_up import check_ins, further_action
from tests.support.journey import Journey, Step, body_of, letter_received, mail_sent, staff
from tests.support.mail import SmtpServer
from tests.support.people import COUNCIL, OPCC, user
from tests.support.procedure import (
    ACKNOWLEDGED,
    CONSIDERED,
    INVITED,
    NO_RETURN,
    STANDARD_RISK,
    case_of,
    live,
)

pytestmark = [
    needs_chromium,
    # One database is enough to prove the journey; the pages are tested on both.
    only_on("sqlite"),
]
CHAIR = "chair@example.org"
ADJUSTMENT = "Step-free access and a quiet room to wait in"
PATROLS = "Patrol the street on weekend nights"
VIEWS = "Friday nights matter most: that is when it starts"
DETAILS = "The housing provider's records of the noise were not looked at"
DECIDED = "The review looked at the housing provider's records"
STILL = "They are back every Friday night"


# The steps


def applies(journey: Journey) -> None:
    page = journey.page
    journey.go("/apply")
    page.get_by_label("Where do you live?").select_option("derbyshire-dales")
    page.get_by_label("Full name").first.fill("Robin Hart")
    if journey.by_post:
        page.get_by_label("Address").first.fill("4 Station Road\nMatlock")
        page.get_by_label("Postcode").first.fill(journey.postcode)
    else:
        page.get_by_label("Email address").first.fill(journey.email)
    page.locator("#on_behalf-2").check()  # No
    page.get_by_label("By letter" if journey.by_post else "By email").check()
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
    page.wait_for_url(f"{journey.server}/submitted")
    journey.check()
    journey.reference = page.locator("#reference").inner_text()
    with journey.db.read() as session:
        journey.case_id = session.scalar(select(Case.id).where(Case.reference == journey.reference))


def is_acknowledged(journey: Journey) -> None:
    """The council acknowledges the application; its officer becomes the named contact."""
    journey.do("acknowledge", COUNCIL, ACKNOWLEDGED)


def signs_in(journey: Journey) -> None:
    """With the link emailed when they applied, or the code on the letter acknowledging it."""
    page = journey.page
    if journey.by_post:
        code = code_on_letter(journey.db, journey.case_id)
        journey.go("/your-case")
        page.get_by_label("Case reference").first.fill(journey.reference)
        page.get_by_label("Access code").fill(code)
        page.get_by_label("Your postcode").fill(journey.postcode)
        page.get_by_role("button", name="Continue with this code").click()
    else:
        (body,) = [text for text in map(body_of, mail_sent(journey)) if "/sign-in/" in text]
        assert journey.reference in body
        # The link names the service's public address; here the service is on a test port.
        (path,) = re.findall(r"https?://[^/\s]+(/your-case/sign-in/\S+)", body)
        journey.go(path)
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{journey.server}/your-case/{journey.reference}")
    journey.check()


def sees_the_stage_and_their_contact(journey: Journey) -> None:
    assert journey.heading() == "We are checking your application"
    contact = journey.page.locator("#contact")
    expect(contact.get_by_text("Council", exact=True)).to_be_visible()
    expect(contact.get_by_text("Derbyshire Dales District Council")).to_be_visible()
    expect(contact.get_by_text("council@example.org")).to_be_visible()
    letters = journey.page.locator("#letters")
    expect(
        letters.get_by_role(
            "cell", name="We have received your application for an ASB Case Review", exact=True
        )
    ).to_be_visible()


def threshold_is_met(journey: Journey) -> None:
    journey.do("screen", COUNCIL, {"route": "review", "hate_element": False})
    # The police hold two more reports of the behaviour: three in all, the area's count.
    reports = [
        {
            "occurred_on": f"2026-01-{day}",
            "reported_on": f"2026-01-{day}",
            "reference": ref,
            "description": "Stones thrown at the windows",
        }
        for day, ref in (("05", "DC-101"), ("19", "DC-102"))
    ]
    journey.do("police_return", "police@example.org", {**NO_RETURN, "incidents": reports})
    journey.do("housing_return [child]", "housing@example.org", NO_RETURN)
    journey.do("health_return", "health@example.org", NO_RETURN)
    journey.do("council_return", COUNCIL, NO_RETURN)  # still with whoever screened it
    journey.do("risk_assessment", COUNCIL, STANDARD_RISK)
    decision = {"threshold_met": True, "decision_basis": "count"}
    journey.do("threshold_decision", COUNCIL, decision)
    journey.do("decision_letter", COUNCIL, {"method": "email"})
    decision_letter = letter_received(journey, "threshold_decision_letter")
    assert "Your application meets the threshold for an ASB Case Review" in decision_letter
    journey.case_page()
    assert journey.heading() == "The threshold is met: we are arranging the case review meeting"


def chooses_to_attend_with_an_adjustment(journey: Journey) -> None:
    page = journey.page
    page.get_by_role("button", name="Tell us how you want to take part").click()
    page.wait_for_url(f"{journey.server}/your-case/{journey.reference}/meeting")
    journey.check()
    page.get_by_label("Come to the first part of the meeting in person").check()
    page.get_by_label("Communication needs or reasonable adjustments").fill(ADJUSTMENT)
    page.get_by_role("button", name="Send your answer").click()
    page.wait_for_url(f"{journey.server}/your-case/{journey.reference}")
    journey.check()
    expect(page.get_by_text("we have told the chair of your review")).to_be_visible()
    part = page.locator("#meeting-part")
    expect(part.get_by_text("Come to the first part of the meeting in person")).to_be_visible()


def the_chair_sees_it_on_their_task_and_in_the_pack(journey: Journey) -> None:
    meeting = {"chair_email": CHAIR, "meeting_date": "2026-03-20", "venue": "Matlock"}
    journey.do("schedule_meeting", COUNCIL, meeting)
    journey.do("meeting_pack", COUNCIL, {"pack_ready_on": "2026-03-17"})
    task_id = live(journey.db, journey.case_id)["meeting_invitation"].id
    with staff(journey, CHAIR) as chair:
        mine = chair.locator("#my-tasks tr", has_text=journey.reference)
        mine.get_by_role("link", name="Decide the applicant's part in the meeting").click()
        chair.wait_for_url(f"{journey.server}/tasks/{task_id}")
        part = chair.get_by_role("heading", name="The applicant's part in the meeting", exact=True)
        expect(part).to_be_visible()
        expect(chair.get_by_text("Come to the first part of the meeting in person")).to_be_visible()
        expect(chair.get_by_text(ADJUSTMENT)).to_be_visible()

        chair.goto(f"{journey.server}/cases/{journey.reference}")
        with chair.expect_download() as downloading:
            chair.get_by_role("link", name="Word file of the meeting pack").click()
        pack = docx.Document(downloading.value.path())
    lines = [paragraph.text for paragraph in pack.paragraphs]
    assert "The applicant's part in the meeting" in lines
    assert "How they want to take part: Come to the first part of the meeting in person" in lines
    assert f"Communication needs or adjustments: {ADJUSTMENT}" in lines
    journey.do("meeting_invitation", CHAIR, INVITED)


def comments_on_the_draft_plan(journey: Journey) -> None:
    journey.clock.advance(timedelta(days=18))  # the meeting, on 20 March
    record = {
        "held_on": "2026-03-20",
        "attendees": ["Chair", "Police", "Dales Housing"],
        "findings": "Agencies did not share information",
        "applicant_took_part": "in_person",
        "recommendations": [
            {"organisation": "derbyshire-constabulary", "action": PATROLS, "due_date": "2026-04-17"}
        ],
    }
    journey.do("record_meeting", CHAIR, record)
    assert PATROLS in " ".join(letter_received(journey, "draft_plan_letter"))
    if journey.by_post:
        # They come back when the letter reaches them, with the code printed on it.
        back_with_the_code_on_the_latest_letter(journey)
    else:
        journey.case_page()
    page = journey.page
    page.get_by_role("button", name="Read the draft plan and give your views").click()
    page.wait_for_url(f"{journey.server}/your-case/{journey.reference}/draft-plan")
    journey.check()
    expect(page.locator("#draft").get_by_text(PATROLS)).to_be_visible()
    page.get_by_label("What do you think of the plan?").fill(VIEWS)
    page.get_by_role("button", name="Send your views").click()
    page.wait_for_url(f"{journey.server}/your-case/{journey.reference}")
    journey.check()
    expect(page.get_by_text("your views have gone to the chair of your review")).to_be_visible()


def back_with_the_code_on_the_latest_letter(journey: Journey) -> None:
    """A new browser, signed in with the reference, the latest letter's code and the postcode."""
    journey.new_browser()
    journey.go("/your-case")
    page = journey.page
    page.get_by_label("Case reference").first.fill(journey.reference)
    page.get_by_label("Access code").fill(code_on_letter(journey.db, journey.case_id))
    page.get_by_label("Your postcode").fill(journey.postcode)
    page.get_by_role("button", name="Continue with this code").click()
    page.wait_for_url(f"{journey.server}/your-case/{journey.reference}")
    journey.check()


def receives_the_outcome(journey: Journey) -> None:
    journey.do("finalise_plan", CHAIR, CONSIDERED)
    outcome = {"method": "email", "updates": "By email, monthly"}
    journey.do("outcome_letter", COUNCIL, outcome)
    said = letter_received(journey, "outcome_letter")
    assert "The outcome of your ASB Case Review" in said
    assert "You gave us your views on the draft action plan, and the chair considered them." in said
    assert CONSIDERED["views_considered"] in said
    journey.case_page()
    page = journey.page
    assert journey.heading() == "The agencies are carrying out the actions agreed"
    expect(page.locator("#actions").get_by_text(PATROLS)).to_be_visible()
    # The letter is on their page too, to read again, as a PDF.
    row = page.locator("#letters tr", has_text="The outcome of your ASB Case Review")
    with page.expect_download() as downloading:
        row.get_by_role("link", name=re.compile("Download")).click()
    assert downloading.value.suggested_filename.endswith(".pdf")
    downloaded = " ".join(pdf_lines(Path(downloading.value.path()).read_bytes()))
    assert " ".join(CONSIDERED["views_considered"].split()) in " ".join(downloaded.split())


def appeals_from_their_page(journey: Journey) -> None:
    page = journey.page
    page.get_by_role("button", name="Appeal against this decision").click()
    page.wait_for_url(f"{journey.server}/your-case/{journey.reference}/appeal")
    journey.check()
    page.get_by_label("The review did not consider relevant information").check()
    page.get_by_label("What you want the Office of the Police and Crime Commissioner").fill(DETAILS)
    page.get_by_role("button", name="Send appeal").click()
    page.wait_for_url(f"{journey.server}/your-case/{journey.reference}/appeal/sent")
    journey.check()
    journey.case_page()
    assert journey.heading() == (
        "Your appeal is with the Office of the Police and Crime Commissioner"
    )


def the_opcc_gets_the_task_with_the_grounds(journey: Journey) -> None:
    with staff(journey, OPCC) as opcc:
        row = opcc.locator("#organisation-tasks tr", has_text=journey.reference)
        row.get_by_role("link", name="Acknowledge the appeal").click()
        opcc.wait_for_url(re.compile(r".*/tasks/\d+$"))
        expect(opcc.get_by_role("heading", name="Acknowledge the appeal")).to_be_visible()
        opcc.get_by_role("link", name="Open the whole case").click()
        opcc.wait_for_url(f"{journey.server}/cases/{journey.reference}")
        appeal = opcc.locator("#appeals + dl")
        expect(appeal.get_by_text("Information not considered")).to_be_visible()
        expect(appeal.get_by_text(DETAILS)).to_be_visible()

        journey.do("acknowledge_appeal", OPCC, {"method": "email"})
        check = live(journey.db, journey.case_id)["check_eligibility"].id
        opcc.goto(f"{journey.server}/tasks/{check}")
        reasons = opcc.get_by_label("Reasons").input_value()
        assert "says the review did not consider relevant information" in reasons


def the_case_closes(journey: Journey) -> None:
    """The OPCC decides the appeal (not upheld, so no fresh review), then the police report
    the agreed action done: the action plan is finished, the review ends and the case closes."""
    journey.do("check_eligibility", OPCC, {"eligible": True, "reasons": "In time"})
    today = journey.clock.now().date().isoformat()  # neither can be sent in the future
    journey.do("case_file", COUNCIL, {"sent_on": today})
    journey.do("panel_decision", OPCC, {"appeal_outcome": "not_upheld", "reasons": DECIDED})
    told = {"council_told_on": today}
    journey.do("decision_letters", OPCC, told)
    journey.do(
        "police_actions [child]",
        "police@example.org",
        {"action_status": "done", "notes": "Patrols added on Friday and Saturday nights"},
    )
    closing = letter_received(journey, "case_closed_letter")
    assert f"We are closing your ASB Case Review {journey.reference}." in closing
    assert any(PATROLS in line and "Done" in line for line in closing), closing
    journey.case_page()
    assert journey.heading() == "Your case review is closed"


def a_month_on_they_say_it_is_still_happening(journey: Journey) -> None:
    """A month after closure the sweep asks them: by email, a one-time link they answer in
    their browser; by post, through their contact, who records the answer on the case page."""
    assert case_of(journey.db, journey.case_id).closed_on == date(2026, 3, 20)
    first = check_ins(journey.db, journey.case_id)[0]
    assert (first.months, first.due_on) == (1, date(2026, 4, 20))
    journey.clock.set(datetime.combine(first.due_on, time(9)))
    assert run_due(journey.db, smtp_url=journey.smtp.url)["check_ins_sent"] == 1
    if journey.by_post:
        the_contact_records_the_answer(journey)
    else:
        answers_from_the_emailed_link(journey)


def answers_from_the_emailed_link(journey: Journey) -> None:
    (asked,) = [m for m in mail_sent(journey) if m["Subject"] == CHECK_IN_SUBJECT]
    body = body_of(asked)
    assert "Is the anti-social behaviour still happening?" in body
    (path,) = re.findall(r"https?://[^/\s]+(/your-case/check-in/\S+)", body)
    # A browser of their own, opened from the email: no sign-in is needed.
    journey.new_browser()
    journey.go(path)
    page = journey.page
    assert journey.heading() == "Is the anti-social behaviour still happening?"
    assert journey.reference not in page.content(), "the question shows nothing of the case"
    page.get_by_role("button", name="Send your answer").click()
    page.locator(".govuk-error-summary").wait_for()
    journey.check()
    expect(page.get_by_role("link", name=CHOOSE), message="in the error summary").to_be_visible()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Anything you want to tell us").fill(STILL)
    page.get_by_role("button", name="Send your answer").click()
    page.get_by_role("heading", name="Thank you for your answer").wait_for()
    journey.check()
    contact_will = "Your contact, Council, will look at what more can be done"
    expect(page.get_by_text(contact_will)).to_be_visible()


def the_contact_records_the_answer(journey: Journey) -> None:
    """The contact is told to ask them, and records what they said on the case page."""
    (ask,) = [m for m in journey.smtp.mailbox.to(COUNCIL) if "how things are now" in m["Subject"]]
    assert f"/cases/{journey.reference}#check-ins" in body_of(ask)
    with staff(journey, COUNCIL) as contact:
        contact.goto(f"{journey.server}/cases/{journey.reference}#check-ins")
        assert accessibility_problems(contact) == []
        record = contact.locator("form", has_text="Record the applicant's answer")
        record.get_by_label("Yes", exact=True).check()
        record.get_by_label("What they said (optional)").fill(STILL)
        record.get_by_role("button", name="Record the answer").click()
        contact.wait_for_url(re.compile(r".*#check-ins$"))
        expect(
            contact.get_by_text("their contact has a task to consider further action", exact=False)
        ).to_be_visible()
        expect(contact.get_by_text(STILL)).to_be_visible()


def the_contact_gets_the_task_to_consider_further_action(journey: Journey) -> None:
    (task,) = further_action(journey.db, journey.case_id)
    assert task.assignee_id == user(journey.db, COUNCIL).id
    assert case_of(journey.db, journey.case_id).status == "closed", "the case stays closed"
    # The contact is told by email, sent by the next sweep.
    run_due(journey.db, smtp_url=journey.smtp.url)
    told = [m for m in journey.smtp.mailbox.to(COUNCIL) if f"/tasks/{task.id}" in body_of(m)]
    assert len(told) == 1
    with staff(journey, COUNCIL) as contact:
        mine = contact.locator("#my-tasks tr", has_text=journey.reference)
        mine.get_by_role("link", name="Consider further action").click()
        contact.wait_for_url(f"{journey.server}/tasks/{task.id}")
        expect(contact.get_by_role("heading", name="Consider further action")).to_be_visible()
        # Beside its form, what the applicant said.
        said = f'1 month: still happening (20 Apr 2026): "{STILL}"'
        expect(contact.get_by_text(said)).to_be_visible()


# The applicant's path, in order.
JOURNEY: list[Step] = [
    applies,
    is_acknowledged,
    signs_in,
    sees_the_stage_and_their_contact,
    threshold_is_met,
    chooses_to_attend_with_an_adjustment,
    the_chair_sees_it_on_their_task_and_in_the_pack,
    comments_on_the_draft_plan,
    receives_the_outcome,
    appeals_from_their_page,
    the_opcc_gets_the_task_with_the_grounds,
    the_case_closes,
    a_month_on_they_say_it_is_still_happening,
    the_contact_gets_the_task_to_consider_further_action,
]


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def journey(server: str, browser, app_db: Database, smtp: SmtpServer, fixed_clock: FixedClock):
    """A journey about to begin, in its own browser; no page of it may raise a script error."""
    walked = Journey(server, browser, None, app_db, smtp, fixed_clock, by_post=False)
    walked.new_browser()
    yield walked
    walked.page.context.close()
    assert walked.errors == [], f"JavaScript errors on the applicant's pages: {walked.errors}"


def walk(journey: Journey) -> None:
    for step in JOURNEY:
        step(journey)


def test_an_applicant_by_email_walks_their_whole_case(journey: Journey) -> None:
    journey.email = "robin@example.com"
    walk(journey)


def test_an_applicant_by_post_walks_their_whole_case_with_the_codes_on_letters(
    journey: Journey,
) -> None:
    journey.by_post, journey.postcode = True, "DE4 3AB"
    walk(journey)
