"""Task forms: field-level messages and typed values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from engine.core.forms import FormError, coerce_data, load_form, validate_data
from tests.support.files import TEST_FORMS


def test_problems_are_listed_by_field_path() -> None:
    schema = load_form(TEST_FORMS, "test_return")
    problems = validate_data(
        schema,
        {
            "incidents": [
                {"occurred_on": "2026-01-01", "reported_on": "2026-01-02"},
                {"occurred_on": "31/01/2026"},
            ]
        },
    )
    assert problems == {
        "incidents[1].occurred_on": "Date of behaviour must be a real date, like 2026-03-02",
        "incidents[1].reported_on": "Enter this - it is required",
    }
    assert validate_data(schema, []) == {
        "": "the data must be a JSON object of field names and values"
    }
    assert validate_data(schema, {"incidents": []}) == {}


def test_dates_and_decimals_become_python_values() -> None:
    schema = load_form(TEST_FORMS, "test_acknowledge")
    data = coerce_data(schema, {"note": "x", "sent_on": "2026-03-03", "cost": "1.10"})
    assert data == {"note": "x", "sent_on": date(2026, 3, 3), "cost": Decimal("1.10")}
    assert validate_data(schema, {"note": "x", "cost": "lots"}) == {
        "cost": "'lots' is not a 'decimal'"
    }


def test_missing_and_broken_forms(tmp_path) -> None:
    with pytest.raises(FormError, match="no form 'absent'"):
        load_form(TEST_FORMS, "absent")
    with pytest.raises(FormError, match="not a form name"):
        load_form(TEST_FORMS, "../secrets")
    (tmp_path / "broken.json").write_text('{"type": 12}')
    with pytest.raises(FormError, match="not a valid JSON Schema"):
        load_form(tmp_path, "broken")
