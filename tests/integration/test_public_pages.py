"""The pages anyone can use: apply, where to appeal, and the published figures."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from flask import Flask
from sqlalchemy import func, select

from engine.core.config import load_settings
from engine.core.db import Database
from engine.core.models import Appeal, Case, Incident
from engine.intake.applications import CONTACT_NEEDED
from tests.support.api import api_application
from tests.support.procedure import deploy_review_and_appeal, reviewed_case, submit
from tests.support.web import application_form, csrf_token, error_summary, field_error
from web import create_app


@pytest.fixture
def app(app_db: Database, tmp_path) -> Flask:
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": app_db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    return create_app(settings, app_db)


def count(db: Database, model) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_the_application_form_shows_every_question(app: Flask) -> None:
    page = app.test_client().get("/apply").get_data(as_text=True)
    for label in (
        "Where do you live?",
        "Your details",
        "Are you applying for someone else?",
        "The person you are applying for",
        "How should we contact you?",
        "Date of the behaviour",
        "Who you reported it to",
        "disability, gender identity, race, religion or sexual orientation",
    ):
        assert label in unescape(page), label
    assert 'name="incidents-0-occurred_on-day"' in page
    assert 'name="received_on' not in page, "only caseworkers enter the date received"
    assert '<option value="derbyshire-dales">Derbyshire Dales</option>' in page
    # A section's hint is read out with it.
    assert 'id="applicant" aria-describedby="applicant-hint"' in page
    assert 'id="applicant-hint">Give at least one way to contact you' in page


def test_an_applicant_applies_and_sees_their_reference(app: Flask, app_db: Database) -> None:
    client = app.test_client()
    response = client.post("/apply", data=application_form(client))
    assert response.status_code == 302 and response.headers["Location"] == "/submitted"
    page = client.get("/submitted").get_data(as_text=True)
    reference = re.search(r'id="reference">(CT-\d{4}-\d{5})<', page).group(1)
    assert "Application sent" in page
    with app_db.read() as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        assert case.applicant["name"] == "Alex Morgan"
        assert case.applicant["address"] == "4 Dale Road\nMatlock"
        assert case.applicant["contact_preference"] == "email"
        assert case.channel == "online" and case.on_behalf is False
        incidents = session.scalars(
            select(Incident).where(Incident.case_id == case.id).order_by(Incident.occurred_on)
        ).all()
        assert [(i.occurred_on.isoformat(), i.reported_to) for i in incidents] == [
            ("2026-01-05", "police"),
            ("2026-01-19", "dales-housing"),
        ]


def test_a_wrong_application_keeps_what_was_typed_and_says_what_to_fix(
    app: Flask, app_db: Database
) -> None:
    client = app.test_client()
    form = application_form(
        client,
        **{"applicant-name": "", "incidents-1-occurred_on-month": "13"},
    )
    response = client.post("/apply", data=form)
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "<title>Error: " in page
    assert "There is a problem" in page
    assert error_summary(page) == [
        ("Enter your full name", "#applicant-name"),
        ("The date of the behaviour must be a real date", "#incidents-1-occurred_on-day"),
    ]
    assert 'value="alex@example.com"' in page, "what was typed is kept"
    assert ">4 Dale Road\nMatlock</textarea>" in page
    assert 'name="incidents-1-occurred_on-month" type="text" value="13"' in page
    assert count(app_db, Case) == 0


def test_your_details_left_blank_are_named_at_their_fields(app: Flask, app_db: Database) -> None:
    client = app.test_client()
    blank = {"applicant-name": "", "applicant-address": "", "applicant-email": ""}
    response = client.post("/apply", data=application_form(client, **blank))
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert error_summary(page) == [
        ("Enter your full name", "#applicant-name"),
        (CONTACT_NEEDED, "#applicant-address"),
    ]
    assert field_error(page, "applicant-name") == "Enter your full name"
    assert "it is required" not in page, "no vague message for the whole section"
    assert count(app_db, Case) == 0


def marked_boxes(page: str, date_id: str) -> list[str]:
    """The boxes of a date input marked as in error (day, month, year)."""
    return re.findall(
        rf'class="govuk-input govuk-date-input__input [^"]*govuk-input--error"\s+'
        rf'id="{date_id}-(day|month|year)"',
        page,
    )


def test_a_blank_application_shows_every_problem_at_once(app: Flask, app_db: Database) -> None:
    """Sent with nothing filled in, the form names everything it needs on the first go,
    each linking to its field, not a few at a time."""
    client = app.test_client()
    blank = {
        "csrf_token": application_form(client)["csrf_token"],
        "incidents-present": "1",
        "action": "submit",
    }
    response = client.post("/apply", data=blank)
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert error_summary(page) == [
        ("Select where you live", "#district"),
        ("Enter your full name", "#applicant-name"),
        (CONTACT_NEEDED, "#applicant-address"),
        ("Add at least one time you reported the behaviour", "#incidents-0-occurred_on-day"),
        ("Enter where the behaviour happens", "#place"),
        ("Enter what you would like to happen", "#outcome"),
    ]
    assert field_error(page, "district") == "Select where you live"
    assert field_error(page, "incidents") == "Add at least one time you reported the behaviour"
    assert count(app_db, Case) == 0


def test_the_services_own_checks_show_with_the_forms_on_the_first_go(
    app: Flask, app_db: Database
) -> None:
    """A missing district, an email address that is no address, and a report dated in 2030:
    all three told at once, each beside its field, with every answer kept."""
    client = app.test_client()
    form = application_form(
        client,
        district="",
        **{
            "applicant-email": "alex.example.com",
            "incidents-1-reported_on-day": "4",
            "incidents-1-reported_on-month": "5",
            "incidents-1-reported_on-year": "2030",
        },
    )
    response = client.post("/apply", data=form)
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert error_summary(page) == [
        ("Select where you live", "#district"),
        (
            "Enter an email address in the correct format, like name@example.com",
            "#applicant-email",
        ),
        ("The date you reported it must be today or in the past", "#incidents-1-reported_on-day"),
    ]
    assert field_error(page, "applicant-email").startswith("Enter an email address in the")
    assert field_error(page, "incidents-1-reported_on") == (
        "The date you reported it must be today or in the past"
    )
    assert marked_boxes(page, "incidents-1-reported_on") == ["day", "month", "year"]
    assert 'value="alex.example.com"' in page, "what was typed is kept"
    assert 'name="incidents-1-reported_on-year" type="text" value="2030"' in page
    assert 'value="REF-1"' in page and ">4 Dale Road\nMatlock</textarea>" in page
    assert count(app_db, Case) == 0


def test_someone_applying_for_another_is_told_all_they_need_at_once(
    app: Flask, app_db: Database
) -> None:
    client = app.test_client()
    form = application_form(
        client,
        on_behalf="yes",
        **{
            "incidents-0-reported_on-day": "1",
            "incidents-0-reported_on-month": "1",
            "incidents-1-occurred_on-day": "",
            "incidents-1-reported_to": "",
        },
    )
    page = unescape(client.post("/apply", data=form).get_data(as_text=True))
    assert error_summary(page) == [
        ("Enter the full name of the person you are applying for", "#victim-name"),
        ("Select yes if that person has agreed to you applying for them", "#victim_consent"),
        (
            "The date you reported it must be the same as or after the date of the behaviour",
            "#incidents-0-reported_on-day",
        ),
        ("The date of the behaviour must include a day", "#incidents-1-occurred_on-day"),
        ("Select who you reported it to", "#incidents-1-reported_to"),
    ]
    assert marked_boxes(page, "incidents-1-occurred_on") == ["day"]
    assert count(app_db, Case) == 0


def test_a_date_missing_parts_marks_those_boxes_and_never_speaks_iso(app: Flask) -> None:
    client = app.test_client()
    form = application_form(
        client,
        **{"incidents-0-occurred_on-day": "", "incidents-0-occurred_on-month": ""},
    )
    page = unescape(client.post("/apply", data=form).get_data(as_text=True))
    assert error_summary(page) == [
        ("The date of the behaviour must include a day and month", "#incidents-0-occurred_on-day")
    ]
    assert marked_boxes(page, "incidents-0-occurred_on") == ["day", "month"]
    # The hint and the errors give dates the same way: as the boxes take them.
    assert page.count("For example, 27 3 2026") == 4, "each date's hint"
    assert not re.search(r"\b\d{4}-\d{1,2}-\d{1,2}\b", " ".join(t for t, _ in error_summary(page)))


def test_a_year_of_two_digits_is_refused_not_read_as_long_ago(app: Flask, app_db: Database) -> None:
    client = app.test_client()
    response = client.post(
        "/apply", data=application_form(client, **{"incidents-0-occurred_on-year": "26"})
    )
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert error_summary(page) == [
        (
            "The date of the behaviour must include a year with 4 numbers",
            "#incidents-0-occurred_on-year",
        )
    ]
    assert marked_boxes(page, "incidents-0-occurred_on") == ["year"]
    assert 'name="incidents-0-occurred_on-year" type="text" value="26"' in page
    assert count(app_db, Case) == 0


def test_an_application_the_service_cannot_start_stays_on_the_page(db: Database, tmp_path) -> None:
    """No application process deployed (a service not yet set up): nothing is stored, the
    applicant is told, and what they typed is still there to send later."""
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    client = create_app(settings, db).test_client()
    response = client.post("/apply", data=application_form(client))
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 503
    assert "the service cannot take this at the moment, and nothing has been sent" in page
    assert 'value="Alex Morgan"' in page
    assert count(db, Case) == 0
    api = client.post("/api/v1/applications", json=api_application())
    assert api.status_code == 500
    assert "no version of the process" in api.get_json()["error"].lower()
    assert count(db, Case) == 0


def test_reports_are_added_and_removed_without_javascript(app: Flask) -> None:
    client = app.test_client()
    form = application_form(client, action="add:incidents")
    page = client.post("/apply", data=form).get_data(as_text=True)
    assert 'id="incidents-2"' in page, "a third, empty report to fill in"
    assert 'data-focus="incidents-2-occurred_on-day"' in page, "where the focus goes"
    assert 'value="REF-1"' in page
    form = application_form(client, action="remove:incidents:0")
    page = client.post("/apply", data=form).get_data(as_text=True)
    assert 'value="REF-1"' in page and 'value="REF-0"' not in page
    assert 'id="incidents-1"' not in page


def test_an_anonymous_application_is_refused(app: Flask, app_db: Database) -> None:
    client = app.test_client()
    form = application_form(client, **{"applicant-address": "", "applicant-email": ""})
    response = client.post("/apply", data=form)
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert error_summary(page) == [(CONTACT_NEEDED, "#applicant-address")]
    assert "an application without one cannot be accepted" in CONTACT_NEEDED
    assert count(app_db, Case) == 0


def test_the_public_form_needs_its_csrf_token(app: Flask, app_db: Database) -> None:
    client = app.test_client()
    form = application_form(client)
    del form["csrf_token"]
    response = client.post("/apply", data=form)
    assert response.status_code == 400
    assert "The form had expired" in response.get_data(as_text=True)
    assert count(app_db, Case) == 0


def test_the_appeal_page_says_appeals_are_made_when_following_a_case(
    app: Flask, app_db: Database, fixed_clock
) -> None:
    """Appeals are made from "Follow your case review", against the letter the applicant was
    sent (tests/integration/test_your_case_appeal.py); a form posted here lodges nothing."""
    deploy_review_and_appeal(app_db)
    _, reference = reviewed_case(app_db, fixed_clock)
    client = app.test_client()
    page = client.get("/appeal").get_data(as_text=True)
    assert "Follow your case review" in page and 'href="/your-case"' in page
    assert 'name="grounds"' not in page and 'name="case_reference"' not in page
    response = client.post(
        "/appeal",
        data={
            "csrf_token": csrf_token(client.get("/your-case").get_data(as_text=True)),
            "case_reference": reference,
            "letter_date-day": "20",
            "letter_date-month": "3",
            "letter_date-year": "2026",
            "grounds": ["information_not_considered"],
        },
    )
    assert response.status_code == 200
    assert 'href="/your-case"' in response.get_data(as_text=True)
    assert count(app_db, Appeal) == 0


def test_the_published_figures_show_districts_as_columns(app: Flask, app_db: Database) -> None:
    from tests.support.procedure import application

    submit(app_db, application())
    page = app.test_client().get("/statistics?year=2025").get_data(as_text=True)
    header = re.search(r"<thead.*?</thead>", page, re.S).group(0)
    columns = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', header)
    assert columns[0] == "Measure" and columns[-1] == "Total"
    assert columns.index("Amber Valley") < columns.index("Derbyshire Dales")
    assert "2025/26" in page
    applications = re.search(r"applications received</th>(.*?)</tr>", page, re.S).group(1)
    cells = re.findall(r">(\d+)</td>", applications)
    assert cells[columns.index("Derbyshire Dales") - 1] == "1"
    assert cells[-1] == "1"


def test_a_nonsense_year_shows_the_latest_figures(app: Flask) -> None:
    response = app.test_client().get("/statistics?year=abc")
    assert response.status_code == 200
    assert "2025/26" in response.get_data(as_text=True)


def test_one_address_sends_only_so_many_applications_an_hour_across_workers(
    app_db: Database, tmp_path, fixed_clock
) -> None:
    """Two apps on one database stand for two workers; the limit is counted where both see it."""
    settings = load_settings(
        {
            "CASEREVIEW_DATABASE_URL": app_db.url,
            "CASEREVIEW_INSTANCE_DIR": str(tmp_path),
            "CASEREVIEW_PUBLIC_SUBMISSIONS_PER_HOUR": "3",
        }
    )
    workers = [create_app(settings, app_db).test_client() for _ in range(2)]
    statuses = [
        workers[n % 2].post("/apply", data=application_form(workers[n % 2])).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 302]

    refused = workers[1].post("/apply", data=application_form(workers[1], **{"impact": "Kept"}))
    page = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(60 * 60)
    assert "nothing more can be sent from it for 60 minutes" in page
    assert "Nothing has been sent. Your answers are below" in page
    assert 'value="Alex Morgan"' in page and ">Kept</textarea>" in page
    assert count(app_db, Case) == 3, "the refused application stored nothing"

    elsewhere = create_app(settings, app_db).test_client()
    other_address = {"REMOTE_ADDR": "198.51.100.7"}
    sent = elsewhere.post("/apply", data=application_form(elsewhere), environ_base=other_address)
    assert sent.status_code == 302, "another address is not held back"

    fixed_clock.advance(timedelta(minutes=59))
    assert workers[0].post("/apply", data=application_form(workers[0])).status_code == 429
    fixed_clock.advance(timedelta(minutes=1))
    assert workers[0].post("/apply", data=application_form(workers[0])).status_code == 302
    assert count(app_db, Case) == 5


def test_the_confirmation_says_what_happens_next_for_each_kind_of_application(
    app: Flask,
) -> None:
    client = app.test_client()
    client.post("/apply", data=application_form(client))
    plain = unescape(client.get("/submitted").get_data(as_text=True))
    assert "acknowledge your application within 5 working days" in plain, "the area's timescale"
    assert 'id="consent"' not in plain and 'id="hate"' not in plain

    client = app.test_client()
    for_someone = application_form(
        client,
        on_behalf="yes",
        **{"victim-name": "Sam Taylor", "victim-address": "1 Bank Road, Matlock"},
        victim_consent="no",
        hate_element="yes",
    )
    assert client.post("/apply", data=for_someone).status_code == 302
    page = unescape(client.get("/submitted").get_data(as_text=True))
    consent = page[page.index('id="consent"') :]
    assert "has not agreed yet" in consent
    assert "not agreed within 20 working days, the application will be closed" in consent
    hate = page[page.index('id="hate"') :]
    assert "call <strong>999</strong> if you are in danger" in hate
    assert "<strong>101</strong>, the police non-emergency number" in hate


def test_a_report_to_someone_else_is_accepted_with_who_and_kept(
    app: Flask, app_db: Database
) -> None:
    client = app.test_client()
    page = unescape(client.get("/apply").get_data(as_text=True))
    assert '<option value="other">Someone else, for example your MP, your doctor or a charity' in (
        page
    )
    assert '<option value="derby-derbyshire-icb">' in page  # a body the area names
    assert '<option value="health">' not in page  # "a health service" would take in a GP

    form = application_form(client, **{"incidents-1-reported_to": "other"})
    refused = client.post("/apply", data=form)
    assert refused.status_code == 400
    assert error_summary(refused.get_data(as_text=True)) == [
        ("Enter who you reported it to", "#incidents-1-reported_to_other")
    ]
    assert 'value="other" selected' in refused.get_data(as_text=True)

    form = application_form(
        client,
        **{"incidents-1-reported_to": "other", "incidents-1-reported_to_other": "My MP"},
    )
    assert client.post("/apply", data=form).status_code == 302
    with app_db.read() as session:
        kept = session.scalar(select(Incident).where(Incident.reported_to == "other"))
        assert kept.reported_to_other == "My MP"
