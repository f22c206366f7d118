"""Every page carries the area's own brand, not the GOV.UK one, and links to the pages the
law requires, whose local words come from the area file."""

from __future__ import annotations

import copy
from html import unescape
from pathlib import Path

import pytest
from flask import Flask

from engine.core.area import load_area, parse_area
from engine.core.db import Database
from tests.support.files import RAW
from tests.support.web import make_app, signed_in

STATEMENT_PAGES = ("/privacy", "/accessibility", "/cookies", "/contact")
CROWN_COPYRIGHT = "Crown copyright"


@pytest.fixture
def app(app_db: Database, tmp_path: Path) -> Flask:
    return make_app(app_db, tmp_path)


def reload_area(db: Database, **tables: dict) -> None:
    """The area file loaded again with some tables replaced."""
    raw = copy.deepcopy(RAW)
    raw.update(tables)
    with db.transaction() as session:
        load_area(session, parse_area(raw, "test area"))


def assert_branded(page: str, owner: str = "Derbyshire Community Safety Partnerships") -> None:
    text = unescape(page)
    assert f'<span class="casereview-brand-name">{owner}</span>' in text
    assert CROWN_COPYRIGHT not in text
    assert "govuk-logo" not in page and "govuk-footer__crown" not in page
    assert 'aria-label="GOV.UK"' not in page and "govuk-header__logotype" not in page
    assert "govuk-icon" not in page and "images/favicon" not in page, "no crown in the tab"
    for path in STATEMENT_PAGES:
        assert f'class="govuk-footer__link" href="{path}"' in page, path


@pytest.mark.parametrize(
    "path", ["/apply", "/your-case", "/statistics", "/sign-in", "/no-such-page", *STATEMENT_PAGES]
)
def test_public_pages_carry_the_area_s_brand_and_the_footer_links(app: Flask, path: str) -> None:
    assert_branded(app.test_client().get(path).get_data(as_text=True))


def test_signed_in_pages_carry_the_area_s_brand(app: Flask) -> None:
    client = signed_in(app, "council@example.org")
    for path in ("/", "/account/password", "/notifications"):
        assert_branded(client.get(path).get_data(as_text=True))


def test_the_statement_pages_need_no_sign_in(app: Flask) -> None:
    client = app.test_client()
    for path in STATEMENT_PAGES:
        assert client.get(path).status_code == 200, path


def test_the_header_and_footer_come_from_the_area_file(app: Flask, app_db: Database) -> None:
    reload_area(
        app_db,
        brand={
            "name": "Testshire Council",
            "logo": "/static/testshire.png",
            "colour": "#00703c",
            "licence": "© Testshire Council 2026",
            "footer_links": [{"label": "Testshire home", "url": "https://testshire.example"}],
        },
    )
    client = app.test_client()
    page = client.get("/apply").get_data(as_text=True)
    assert_branded(page, "Testshire Council")
    assert '<img class="casereview-brand-logo" src="/static/testshire.png" alt="">' in page
    assert 'href="https://testshire.example">Testshire home</a>' in page
    assert "© Testshire Council 2026" in unescape(page)
    assert '<link rel="stylesheet" href="/brand.css">' in page
    css = client.get("/brand.css")
    assert css.mimetype == "text/css"
    assert "background: #00703c;" in css.get_data(as_text=True)


def test_an_area_without_a_brand_shows_its_own_name(app: Flask, app_db: Database) -> None:
    raw = copy.deepcopy(RAW)
    del raw["brand"]
    raw["name"] = "Testshire"
    with app_db.transaction() as session:
        load_area(session, parse_area(raw, "test area"))
    assert_branded(app.test_client().get("/apply").get_data(as_text=True), "Testshire")


def test_the_privacy_notice_says_what_the_area_file_says(app: Flask, app_db: Database) -> None:
    reload_area(
        app_db,
        statements={**RAW["statements"], "dpo_email": "dpo@testshire.example"},
        settings={**RAW["settings"], "retention_years": 4},
    )
    page = unescape(app.test_client().get("/privacy").get_data(as_text=True))
    assert "dpo@testshire.example" in page
    assert "<strong>4 years</strong> after your case is closed" in page
    assert "Part 3 of the Data Protection Act 2018" in page
    assert "Article 6(1)(e)" in page


def test_the_accessibility_statement_is_in_the_model_form(app: Flask, app_db: Database) -> None:
    reload_area(
        app_db,
        statements={
            **RAW["statements"],
            "known_issues": ["The map is not described in words."],
            "accessibility_prepared": "2026-10-05",
        },
    )
    page = unescape(app.test_client().get("/accessibility").get_data(as_text=True))
    assert "The map is not described in words." in page
    assert "partially compliant" in page
    assert "prepared on 5 October 2026" in page
    assert "Equality and Human Rights Commission (EHRC)" in page
    assert "Equality Commission for Northern Ireland (ECNI)" in page
    reload_area(app_db, statements={**RAW["statements"], "known_issues": []})
    page = app.test_client().get("/accessibility").get_data(as_text=True)
    assert "fully compliant" in page


def test_the_cookies_page_names_the_session_cookie(app: Flask) -> None:
    page = app.test_client().get("/cookies").get_data(as_text=True)
    assert f'<code id="session-cookie">{app.config["SESSION_COOKIE_NAME"]}</code>' in page
    assert "We do not use analytics cookies." in page


def test_the_contact_page_gives_the_area_s_contact(app: Flask, app_db: Database) -> None:
    reload_area(
        app_db,
        statements={
            **RAW["statements"],
            "contact_email": "asb@testshire.example",
            "contact_phone": "0300 000 0000",
        },
    )
    page = app.test_client().get("/contact").get_data(as_text=True)
    assert "asb@testshire.example" in page and "0300 000 0000" in page
