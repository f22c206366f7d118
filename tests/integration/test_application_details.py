"""What an application says beside its incidents (where the behaviour happens, who is believed
responsible, witnesses, what the applicant wants, their communication needs and the format
of their letters): asked on the form, kept on the case, shown to staff on the case page and
beside each agency's information request, found by the cases search, shown to the applicant,
and exported to them on request."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from engine.core.db import Database
from engine.core.models import Case
from engine.records.subject_access import subject_access_export
from tests.support.applicant import following
from tests.support.people import COUNCIL
from tests.support.procedure import ACKNOWLEDGED, application, do, live, submit
from tests.support.web import application_form, error_summary, field_error, make_app, signed_in

TOLD = {
    "place": "The park behind Station Road, Matlock",
    "responsible": "Two brothers from Hill Street",
    "witnesses": "Mrs Khan at number 14",
    "outcome": "The music at night to stop",
    "communication_needs": "A Polish interpreter at meetings",
    "letter_format": "another_language",
    "letter_language": "Polish",
}
LANGUAGE_NEEDED = "Enter the language you need our letters in"


@pytest.fixture
def app(app_db: Database, tmp_path: Path) -> Flask:
    return make_app(app_db, tmp_path)


def text(response, start: str = "<body") -> str:  # noqa: ANN001 - a test response
    """What the page says from ``start`` on, as words without the markup."""
    page = response.get_data(as_text=True)
    page = page[page.index(start) :]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


def cases(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Case))


def the_case(db: Database) -> Case:
    with db.read() as session:
        return session.scalars(select(Case)).one()


def screened(db: Database, case_id: int) -> None:
    """Acknowledged and screened: each agency's information request is waiting."""
    do(db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    do(db, case_id, "screen", COUNCIL, {"route": "review", "hate_element": False})


def test_the_form_asks_where_and_what_and_shows_the_language_inside_its_choice(
    app: Flask,
) -> None:
    page = unescape(app.test_client().get("/apply").get_data(as_text=True))
    for label in (
        "Where does the behaviour happen?",
        "An address, or describe the place, for example the park behind Station Road",
        "Who do you think is responsible? (optional)",
        "Has anyone else seen or heard the behaviour? (optional)",
        "What would you like to happen?",
        "Communication needs or reasonable adjustments (optional)",
        "What format do you need our letters in?",
    ):
        assert label in page, label
    # GOV.UK's conditional reveal: the language is asked inside "Another language", which
    # shows it when chosen.
    choice = re.search(r'<input[^>]*value="another_language"[^>]*>', page)
    assert choice and 'data-aria-controls="conditional-letter_format-4"' in choice.group(0)
    revealed = re.search(
        r'id="conditional-letter_format-4">(.*?)</div>\s*</div>\s*</div>', page, re.S
    )
    assert revealed and 'name="letter_language"' in revealed.group(1)
    assert page.count('name="letter_language"') == 1, "asked once, inside its choice"


def test_what_the_application_says_reaches_the_case_page_and_the_information_requests(
    app: Flask, app_db: Database
) -> None:
    client = app.test_client()
    response = client.post("/apply", data=application_form(client, **TOLD))
    assert response.status_code == 302, error_summary(response.get_data(as_text=True))
    case = the_case(app_db)
    assert case.details == TOLD

    council = signed_in(app, COUNCIL)
    page = text(council.get(f"/cases/{case.reference}"))
    for shown in (
        "Where it happens The park behind Station Road, Matlock",
        "Believed responsible Two brothers from Hill Street",
        "Witnesses Mrs Khan at number 14",
        "What the applicant wants to happen The music at night to stop",
        "Communication needs or adjustments A Polish interpreter at meetings",
        "Letters in Another language: Polish",
    ):
        assert shown in page, shown

    # Staff find the case by where it happens.
    found = text(council.get("/cases", query_string={"q": "station road"}))
    assert case.reference in found
    assert case.reference not in text(council.get("/cases", query_string={"q": "hill street"}))

    # Each agency's information request shows what it searches its own records by.
    screened(app_db, case.id)
    request = live(app_db, case.id)["police_return"]
    police = signed_in(app, "police@example.org")
    context = text(police.get(f"/tasks/{request.id}"), 'id="case-context-heading"')
    for shown in (
        "Where it happens The park behind Station Road, Matlock",
        "Believed responsible Two brothers from Hill Street",
        "Witnesses Mrs Khan at number 14",
        "What the applicant wants to happen The music at night to stop",
        "Communication needs or adjustments A Polish interpreter at meetings",
        "Letters in Another language: Polish",
    ):
        assert shown in context, shown


def test_letters_in_another_language_need_the_language(app: Flask, app_db: Database) -> None:
    client = app.test_client()
    form = application_form(client, **{**TOLD, "letter_language": ""})
    response = client.post("/apply", data=form)
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert error_summary(page) == [(LANGUAGE_NEEDED, "#letter_language")]
    assert field_error(page, "letter_language") == LANGUAGE_NEEDED
    # Everything else is kept, and the choice stays made, so the language shows with its error.
    assert re.search(r'value="another_language"\s+checked', page)
    for typed in TOLD.values():
        if typed not in ("another_language", "Polish"):
            assert f">{typed}</textarea>" in page, typed
    assert 'value="Alex Morgan"' in page
    assert cases(app_db) == 0

    # Spaces are no language either, and the API is told the same.
    response = client.post("/apply", data={**form, "letter_language": "   "})
    assert error_summary(unescape(response.get_data(as_text=True))) == [
        (LANGUAGE_NEEDED, "#letter_language")
    ]
    assert cases(app_db) == 0


def test_a_language_typed_before_another_format_was_chosen_is_not_kept(
    app: Flask, app_db: Database
) -> None:
    client = app.test_client()
    form = application_form(client, **{**TOLD, "letter_format": "large_print"})
    assert client.post("/apply", data=form).status_code == 302
    details = the_case(app_db).details
    assert details["letter_format"] == "large_print" and "letter_language" not in details


def test_where_and_what_are_needed_and_the_rest_may_be_left_out(
    app: Flask, app_db: Database
) -> None:
    client = app.test_client()
    response = client.post("/apply", data=application_form(client, place="", outcome=" "))
    page = unescape(response.get_data(as_text=True))
    assert error_summary(page) == [
        ("Enter where the behaviour happens", "#place"),
        ("Enter what you would like to happen", "#outcome"),
    ]
    assert cases(app_db) == 0

    assert client.post("/apply", data=application_form(client)).status_code == 302
    assert the_case(app_db).details == {
        "place": "The park behind Station Road",
        "outcome": "The music at night to stop",
        "letter_format": "standard",
    }


def test_a_case_made_before_the_application_asked_still_shows(app: Flask, app_db: Database) -> None:
    case_id = submit(app_db, application())
    with app_db.transaction() as session:
        case = session.get_one(Case, case_id)
        case.details = {}
        reference = case.reference
    page = text(signed_in(app, COUNCIL).get(f"/cases/{reference}"))
    assert "Where it happens Not given" in page
    assert "What the applicant wants to happen Not given" in page
    assert "Letters in Standard" in page
    screened(app_db, case_id)
    request = live(app_db, case_id)["police_return"]
    context = text(
        signed_in(app, "police@example.org").get(f"/tasks/{request.id}"),
        'id="case-context-heading"',
    )
    assert "Where it happens Not given" in context


def test_the_applicant_sees_what_they_told_us_about_themselves(
    app: Flask, app_db: Database
) -> None:
    case_id = submit(app_db, application(**TOLD))
    page = text(following(app, app_db, case_id).get(f"/your-case/{the_case(app_db).reference}"))
    told = page[page.index("What you told us") : page.index("Letters we have sent you")]
    for shown in (
        "Where the behaviour happens The park behind Station Road, Matlock",
        "What you would like to happen The music at night to stop",
        "Communication needs or reasonable adjustments A Polish interpreter at meetings",
        "Letters in Another language: Polish",
    ):
        assert shown in told, shown
    # Who they named are other people: kept for the agencies, not shown again here.
    assert "Hill Street" not in page and "Mrs Khan" not in page


def test_a_subject_access_export_holds_what_the_application_says(app_db: Database) -> None:
    case_id = submit(app_db, application(**TOLD))
    with app_db.transaction() as session:
        exported = subject_access_export(session, "Sam Taylor", "sam@example.com")
        reference = session.get_one(Case, case_id).reference
    (case,) = [c for c in exported.data["cases"] if c["reference"] == reference]
    assert case["application_details"] == {
        "where_the_behaviour_happens": "The park behind Station Road, Matlock",
        "believed_responsible": "Two brothers from Hill Street",
        "witnesses": "Mrs Khan at number 14",
        "what_the_applicant_wants_to_happen": "The music at night to stop",
        "communication_needs_or_adjustments": "A Polish interpreter at meetings",
        "letters_in": "Another language: Polish",
    }
