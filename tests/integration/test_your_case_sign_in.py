"""The applicant's way in to "Follow your case review": the link emailed to them (behind a
Continue button), the code on a posted letter with their postcode, and a new link asked for by
email; each works once, refusals read the same whatever exists, attempts are limited, and an
applicant's session never mixes with a member of staff's."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from engine.core.db import Database
from engine.core.models import AuditEvent
from engine.people.applicant_codes import NOT_RIGHT
from tests.support.applicant import (
    BY_POST,
    code_on_letter,
    emailed_link,
    following,
    links_sent,
    new_letter_code,
    reference_of,
    use_code,
    use_link,
)
from tests.support.people import COUNCIL
from tests.support.procedure import ACKNOWLEDGED, application, do, submit
from tests.support.web import csrf_token, error_summary, field_error, form_token, make_app, sign_in


@pytest.fixture
def app(app_db: Database, tmp_path: Path) -> Flask:
    return make_app(app_db, tmp_path, CASEREVIEW_SIGN_IN_ATTEMPTS="3")


def by_post(db: Database) -> tuple[int, str]:
    """A case whose applicant asked for letters, acknowledged by post: its id and reference."""
    case_id = submit(db, application(applicant=BY_POST, contact_preference="letter"))
    do(db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    return case_id, reference_of(db, case_id)


def text(response) -> str:  # noqa: ANN001 - a test response
    return unescape(response.get_data(as_text=True))


def test_the_start_page_offers_a_letter_code_and_a_new_link(app: Flask) -> None:
    page = text(app.test_client().get("/your-case"))
    assert '<h1 class="govuk-heading-l">Follow your case review</h1>' in page
    assert "Use the code on your letter" in page
    assert "Get a new sign-in link by email" in page
    for field in ("code-reference", "code", "postcode", "link-reference", "email"):
        assert f'id="{field}" name="{field}"' in page, field
    assert 'action="/your-case/code"' in page and 'action="/your-case/link"' in page


def test_an_emailed_link_opens_the_case_once(app: Flask, app_db: Database) -> None:
    case_id = submit(app_db, application())
    reference, token = reference_of(app_db, case_id), emailed_link(app_db, case_id)
    client = app.test_client()
    # A mail scanner fetching the link, twice, does not use it up.
    for _ in range(2):
        opened = client.get(f"/your-case/sign-in/{token}")
        assert opened.status_code == 200
        assert '<button type="submit" class="govuk-button"' in text(opened)
        assert "Continue" in text(opened)
    answer = use_link(client, token)
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/your-case/{reference}"
    assert client.get(f"/your-case/{reference}").status_code == 200

    again = use_link(app.test_client(), token)
    assert again.status_code == 400
    page = text(again)
    assert NOT_RIGHT in page
    assert 'href="/your-case#new-link"' in page, "a way to ask for a new one"
    assert reference not in page and "sam@example.com" not in page
    made_up = text(use_link(app.test_client(), "not-a-link-we-sent"))
    assert _without_tokens(made_up) == _without_tokens(page), "the same answer, whatever it is"


def _without_tokens(page: str) -> str:
    return re.sub(r'(value|nonce)="[^"]+"|/your-case/sign-in/\S+"', "", page)


def test_a_letter_code_works_with_the_right_postcode_only(app: Flask, app_db: Database) -> None:
    case_id, reference = by_post(app_db)
    code = code_on_letter(app_db, case_id)
    client = app.test_client()
    wrong = use_code(client, reference, code, "DE4 9ZZ")
    assert wrong.status_code == 400
    page = text(wrong)
    assert "<title>Error: " in page
    assert f'<a href="#code">{NOT_RIGHT}</a>' in page
    assert f'value="{reference}"' in page and 'value="DE4 9ZZ"' in page, "answers kept"
    made_up = text(use_code(client, "CT-2026-99999", code, "DE4 3AB"))
    assert f'<a href="#code">{NOT_RIGHT}</a>' in made_up, "no hint whether the case exists"

    # As typed from paper: small letters, spaces instead of dashes.
    right = use_code(client, reference.lower(), code.lower().replace("-", " "), "de43ab")
    assert right.status_code == 302 and right.headers["Location"] == f"/your-case/{reference}"
    assert client.get(f"/your-case/{reference}").status_code == 200
    used = use_code(app.test_client(), reference, code, "DE4 3AB")
    assert used.status_code == 400 and NOT_RIGHT in text(used), "a code works once"


def test_each_empty_answer_is_named_at_its_field(app: Flask) -> None:
    """Every problem with a form at once, each linking to its field, with the answers kept."""
    client = app.test_client()
    answer = client.post("/your-case/code", data={"csrf_token": form_token(client, "/your-case")})
    page = text(answer)
    assert answer.status_code == 400
    assert error_summary(page) == [
        ("Enter your case reference", "#code-reference"),
        ("Enter the access code from your letter", "#code"),
        ("Enter your postcode", "#postcode"),
    ]
    assert field_error(page, "postcode") == "Enter your postcode"
    answer = client.post(
        "/your-case/code",
        data={"csrf_token": form_token(client, "/your-case"), "postcode": "DE4 3AB"},
    )
    page = text(answer)
    assert [href for _, href in error_summary(page)] == ["#code-reference", "#code"]
    assert 'id="code-error"' in page
    assert 'value="DE4 3AB"' in page
    answer = client.post("/your-case/link", data={"csrf_token": form_token(client, "/your-case")})
    page = text(answer)
    assert answer.status_code == 400
    assert error_summary(page) == [
        ("Enter your case reference", "#link-reference"),
        ("Enter the email address you gave when you applied", "#email"),
    ]
    answer = client.post(
        "/your-case/link",
        data={"csrf_token": form_token(client, "/your-case"), "email": "sam.example.com"},
    )
    page = text(answer)
    assert answer.status_code == 400
    assert error_summary(page) == [
        ("Enter your case reference", "#link-reference"),
        ("Enter an email address in the correct format, like name@example.com", "#email"),
    ]
    assert 'value="sam.example.com"' in page


def test_wrong_codes_are_limited_then_even_the_right_one_waits(
    app: Flask, app_db: Database
) -> None:
    case_id, reference = by_post(app_db)
    code = new_letter_code(app_db, case_id)
    client = app.test_client()
    statuses = [use_code(client, reference, "WRONG-CODE-1234", "DE4 3AB") for _ in range(3)]
    assert [answer.status_code for answer in statuses] == [400, 400, 429]
    locked = statuses[-1]
    assert int(locked.headers["Retry-After"]) > 0
    assert "too many attempts" in text(locked)
    assert use_code(client, reference, code, "DE4 3AB").status_code == 429


def test_wrong_links_from_one_address_are_limited(app: Flask, app_db: Database) -> None:
    """Many people may share an address, so it is allowed ten times the attempts."""
    token = emailed_link(app_db, submit(app_db, application()))
    client = app.test_client()
    csrf = form_token(client, f"/your-case/sign-in/{token}")
    answers = [
        client.post(f"/your-case/sign-in/wrong-{n}", data={"csrf_token": csrf}) for n in range(30)
    ]
    assert {answer.status_code for answer in answers[:29]} == {400}
    locked = answers[29]
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert "Try again later" in text(locked) and "too many attempts" in text(locked)
    assert use_link(client, token).status_code == 429, "even the right link waits"


def test_a_new_link_is_sent_only_when_the_reference_and_email_match(
    app: Flask, app_db: Database
) -> None:
    case_id = submit(app_db, application())
    reference = reference_of(app_db, case_id)
    client = app.test_client()
    pages = []
    for typed_reference, email in (
        (reference, "someone.else@example.com"),
        ("CT-2026-99999", "sam@example.com"),
        (f" {reference.lower()} ", "SAM@example.com"),
    ):
        answer = client.post(
            "/your-case/link",
            data={
                "csrf_token": form_token(client, "/your-case"),
                "link-reference": typed_reference,
                "email": email,
            },
        )
        assert answer.status_code == 200
        pages.append(_without_tokens(text(answer)))
    assert pages[0] == pages[1] == pages[2], "the same answer whether or not they match"
    assert "If the reference and email address match a case, we have sent a link" in pages[0]
    assert links_sent(app_db, case_id) == 2, "the one sent on applying, and the one asked for"
    assert use_link(client, emailed_link(app_db, case_id)).status_code == 302


def test_signing_in_to_another_case_adds_it(app: Flask, app_db: Database) -> None:
    first, second = submit(app_db, application()), submit(app_db, application())
    client = following(app, app_db, first)
    following(app, app_db, second, client)
    page = text(client.get("/your-case"))
    for case_id in (first, second):
        reference = reference_of(app_db, case_id)
        assert client.get(f"/your-case/{reference}").status_code == 200
        assert f'href="/your-case/{reference}"' in page, "listed as followed"


def test_signing_out_ends_the_applicant_s_session(app: Flask, app_db: Database) -> None:
    case_id = submit(app_db, application())
    reference = reference_of(app_db, case_id)
    client = following(app, app_db, case_id)
    page = client.get(f"/your-case/{reference}").get_data(as_text=True)
    assert 'action="/your-case/sign-out"' in page
    answer = client.post("/your-case/sign-out", data={"csrf_token": csrf_token(page)})
    assert answer.status_code == 302 and answer.headers["Location"] == "/your-case"
    assert "You have signed out" in text(client.get("/your-case"))
    gone = client.get(f"/your-case/{reference}")
    assert gone.status_code == 302 and gone.headers["Location"] == "/your-case"


def test_an_applicant_s_session_and_a_member_of_staff_s_never_mix(
    app: Flask, app_db: Database
) -> None:
    case_id = submit(app_db, application())
    reference = reference_of(app_db, case_id)
    applicant = following(app, app_db, case_id)
    staff_page = applicant.get("/")
    assert staff_page.status_code == 302 and "/sign-in" in staff_page.headers["Location"]
    assert applicant.get(f"/cases/{reference}").status_code == 302
    assert applicant.get(f"/api/v1/cases/{reference}").status_code == 401

    # Staff signing in in the same browser start a new session: the applicant's case is gone.
    assert sign_in(applicant, COUNCIL).status_code == 302
    assert applicant.get(f"/your-case/{reference}").headers["Location"] == "/your-case"
    assert "Signed in as Council" in text(applicant.get("/"))
    # And a code used in a staff member's browser signs the member of staff out.
    following(app, app_db, case_id, applicant)
    assert applicant.get("/").status_code == 302
    assert applicant.get(f"/your-case/{reference}").status_code == 200


def test_every_sign_in_is_in_the_audit_trail(app: Flask, app_db: Database) -> None:
    case_id, reference = by_post(app_db)
    client = app.test_client()
    assert use_code(client, reference, code_on_letter(app_db, case_id), "DE4 3AB").status_code
    following(app, app_db, case_id, client)
    with app_db.read() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "applicant.signed_in")
        ).all()
    assert [(event.case_id, event.detail["via"]) for event in events] == [
        (case_id, "letter"),
        (case_id, "email"),
    ]
