"""The area file's [brand] and [statements]: Derbyshire's defaults, and a clear refusal
naming the field for a value the pages cannot use."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from engine.core.area import AreaFileError, parse_area
from engine.core.brand import DEFAULT_STATEMENTS, contrast_with_white
from tests.support.files import RAW


def parsed(**tables: Any) -> dict[str, Any]:
    raw = copy.deepcopy(RAW)
    for name, table in tables.items():
        if table is None:
            raw.pop(name, None)
        else:
            raw[name] = table
    return parse_area(raw, "test.toml").settings


def refused(**tables: Any) -> str:
    with pytest.raises(AreaFileError) as error:
        parsed(**tables)
    return str(error.value)


def test_derbyshire_s_file_gives_its_brand_and_statements() -> None:
    settings = parsed()
    assert settings["brand"]["name"] == "Derbyshire Community Safety Partnerships"
    assert settings["brand"]["colour"] == "#1d4f91"
    assert settings["brand"]["footer_links"][0] == {
        "label": "Derbyshire County Council",
        "url": "https://www.derbyshire.gov.uk",
    }
    # TOML dates are kept as text, as the settings are JSON.
    assert settings["statements"]["accessibility_prepared"] == "2026-12-01"


def test_without_the_tables_the_defaults_apply() -> None:
    settings = parsed(brand=None, statements=None)
    assert settings["brand"] == {
        "name": "Derbyshire",
        "licence": settings["brand"]["licence"],
        "logo": "",
        "colour": "#0b0c0c",
        "footer_links": [],
    }
    assert settings["statements"]["dpo_email"] == DEFAULT_STATEMENTS["dpo_email"]
    assert settings["statements"]["known_issues"] == DEFAULT_STATEMENTS["known_issues"]


def test_a_statement_left_out_takes_its_default() -> None:
    statements = parsed(statements={"dpo_email": "dpo@testshire.example"})["statements"]
    assert statements["dpo_email"] == "dpo@testshire.example"
    assert statements["contact_email"] == DEFAULT_STATEMENTS["contact_email"]


def test_contrast_is_computed_as_wcag_does() -> None:
    assert round(contrast_with_white("#000000"), 1) == 21.0
    assert round(contrast_with_white("#ffffff"), 1) == 1.0
    assert round(contrast_with_white("#1d70b8"), 2) == 5.17


@pytest.mark.parametrize("colour", ["blue", "#12345", "#12345g", "1d4f91", 123])
def test_a_colour_that_is_not_a_hex_is_refused(colour: Any) -> None:
    message = refused(brand={"name": "Testshire", "colour": colour})
    assert message.startswith("test.toml: [brand] 'colour' must be a hex colour")


def test_a_colour_too_light_for_white_text_is_refused() -> None:
    # The Design System's "light blue": 2.91:1 against white.
    message = refused(brand={"name": "Testshire", "colour": "#5694ca"})
    assert "[brand] 'colour' #5694ca is too light" in message
    assert "must be at least 4.5:1" in message
    # Just dark enough passes.
    assert parsed(brand={"name": "Testshire", "colour": "#767676"})["brand"]["colour"]


def test_a_brand_table_must_name_the_owner() -> None:
    assert "[brand] 'name' must be some text" in refused(brand={"name": "  "})


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "www.testshire.example", "//evil.example", "https://", ""]
)
def test_a_footer_link_must_be_a_web_address_or_a_path(url: str) -> None:
    message = refused(brand={"name": "T", "footer_links": [{"label": "Home", "url": url}]})
    assert "[brand] footer link 1 'url'" in message


def test_a_footer_link_needs_a_label() -> None:
    message = refused(brand={"name": "T", "footer_links": [{"url": "/contact"}]})
    assert "[brand] footer link 1 'label' must be some text" in message


def test_a_logo_must_be_served_by_the_service() -> None:
    message = refused(brand={"name": "T", "logo": "https://elsewhere.example/logo.png"})
    assert "[brand] 'logo' must be the path of an image this service serves" in message


def test_unknown_brand_or_statement_settings_are_refused() -> None:
    assert "[brand] has unknown setting(s) color" in refused(brand={"name": "T", "color": "x"})
    assert "[statements] has unknown setting(s) dpo" in refused(statements={"dpo": "x"})


def test_bad_statements_are_refused_naming_the_field() -> None:
    assert "[statements] 'dpo_email' must be an email address" in refused(
        statements={"dpo_email": "the DPO"}
    )
    assert "[statements] 'accessibility_prepared' must be a date" in refused(
        statements={"accessibility_prepared": "last week"}
    )
    assert "[statements] 'known_issues' must be a list" in refused(
        statements={"known_issues": "none"}
    )
