"""Task forms: field-level messages, worded as GOV.UK words them, and typed values."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from engine.core.form_wording import date_problem
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
        "incidents[1].occurred_on": "The date of behaviour must be a real date",
        "incidents[1].reported_on": "Enter the date reported",
    }
    assert validate_data(schema, []) == {
        "": "the data must be a JSON object of field names and values"
    }
    assert validate_data(schema, {"incidents": []}) == {}


def test_dates_and_decimals_become_python_values() -> None:
    schema = load_form(TEST_FORMS, "test_acknowledge")
    data = coerce_data(schema, {"note": "x", "sent_on": "2026-03-03", "cost": "1.10"})
    assert data == {"note": "x", "sent_on": date(2026, 3, 3), "cost": Decimal("1.10")}
    assert validate_data(schema, {"note": "x", "cost": "lots"}) == {"cost": "Cost must be a number"}


def test_missing_and_broken_forms(tmp_path) -> None:
    with pytest.raises(FormError, match="no form 'absent'"):
        load_form(TEST_FORMS, "absent")
    with pytest.raises(FormError, match="not a form name"):
        load_form(TEST_FORMS, "../secrets")
    (tmp_path / "broken.json").write_text('{"type": 12}')
    with pytest.raises(FormError, match="not a valid JSON Schema"):
        load_form(tmp_path, "broken")


# A form with a field of each kind, as a process owner might write one.
WORDED = {
    "type": "object",
    "required": [
        "sent_on",
        "method",
        "agreed",
        "happening",
        "grounds",
        "actions",
        "names",
        "others",
        "who",
    ],
    "properties": {
        "notes": {"type": "string", "title": "Notes", "maxLength": 2000},
        "sent_on": {"type": "string", "format": "date", "title": "Date the letter was sent"},
        "method": {"type": "string", "enum": ["email", "post"], "title": "How it was sent"},
        "agreed": {"type": "boolean", "title": "The victim agrees to the application"},
        "happening": {"type": "boolean", "title": "Is it still happening?"},
        "grounds": {
            "type": "array",
            "title": "Grounds",
            "items": {"type": "string", "enum": ["late", "missed"]},
            "x-errors": {"required": "Select why you are appealing"},
        },
        "actions": {
            "type": "array",
            "title": "Actions",
            "items": {"type": "object", "title": "Action", "properties": {}},
            "minItems": 1,
        },
        "names": {
            "type": "array",
            "title": "Who attended",
            "items": {"type": "string", "title": "Name"},
            "minItems": 1,
        },
        "others": {"type": "array", "title": "Others told", "items": {"type": "string"}},
        "who": {
            "type": "object",
            "title": "Your details",
            "required": ["name", "email"],
            "properties": {
                "name": {
                    "type": "string",
                    "title": "Full name",
                    "x-errors": {"name": "your full name"},
                },
                "email": {"type": "string", "format": "email", "title": "Email address"},
            },
        },
        "held_on": {"type": "string", "format": "date", "title": "Date held", "x-latest": "today"},
        "meeting_on": {
            "type": "string",
            "format": "date",
            "title": "Meeting date",
            "x-earliest": "today",
        },
        "told": {"type": "boolean", "title": "Told", "x-errors": {"const": "Tell them first"}},
    },
    "allOf": [
        {
            "if": {"properties": {"agreed": {"const": True}}, "required": ["agreed"]},
            "then": {"properties": {"told": {"const": True}}, "required": ["told"]},
        }
    ],
}


def test_answers_left_out_are_asked_for_as_gov_uk_asks() -> None:
    """ "Enter" for what is typed, "Select" for a choice, "Select yes if" for a yes or no, "Add
    at least one" for a list; a section left out names each answer it needs."""
    assert validate_data(WORDED, {}) == {
        "sent_on": "Enter the date the letter was sent",
        "method": "Select how it was sent",
        "agreed": "Select yes if the victim agrees to the application",
        "happening": "Select yes or no",
        "grounds": "Select why you are appealing",
        "actions": "Add at least one action",
        "names": "Enter at least one name",
        "others": "Others told must be given, as an empty list if there are none",
        "who.name": "Enter your full name",
        "who.email": "Enter email address",
    }


def test_answers_that_are_wrong_say_how_to_put_them_right(fixed_clock) -> None:
    """Today is 2 March 2026."""
    answers = {
        "notes": "N" * 2001,
        "sent_on": "2026-02-30",
        "method": "pigeon",
        "agreed": True,
        "happening": "yes",
        "grounds": ["late", "unhappy"],
        "actions": [{}],
        "names": ["Sam"],
        "others": [],
        "who": {"name": "Sam", "email": "sam.example.com"},
        "held_on": "2026-03-03",
        "meeting_on": "2026-03-01",
        "told": False,
    }
    assert validate_data(WORDED, answers) == {
        "notes": "Notes must be 2,000 characters or fewer",
        "sent_on": "The date the letter was sent must be a real date",
        "method": "Select how it was sent",
        "happening": "Select yes or no",
        "grounds[1]": "Select why you are appealing",
        "who.email": "Enter an email address in the correct format, like name@example.com",
        "held_on": "The date held must be today or in the past",
        "meeting_on": "Meeting date must be today or in the future",
        "told": "Tell them first",
    }


@pytest.mark.parametrize(
    "typed, problem, boxes",
    [
        ("2026--", "must include a day and month", ("day", "month")),
        ("2026-3-", "must include a day", ("day",)),
        ("-3-27", "must include a year", ("year",)),
        ("26-3-27", "must include a year with 4 numbers", ("year",)),
        ("2026-13-40", "must be a real date", ("day", "month", "year")),
        ("2026-x-1", "must be a real date", ("day", "month", "year")),
        ("27/03/2026", "must be a real date", ("day", "month", "year")),
    ],
)
def test_a_date_s_problem_names_the_boxes_to_mend(typed, problem, boxes) -> None:
    assert date_problem(typed) == (problem, boxes)
    said = validate_data(WORDED, {**_good(), "sent_on": typed})
    assert said == {"sent_on": f"The date the letter was sent {problem}"}
    assert "2026-" not in said["sent_on"], "no ISO date to copy that the boxes do not take"


def _good() -> dict:
    return {
        "sent_on": "2026-03-02",
        "method": "post",
        "agreed": False,
        "happening": True,
        "grounds": ["late"],
        "actions": [{}],
        "names": ["Sam"],
        "others": [],
        "who": {"name": "Sam", "email": "sam@example.com"},
    }


def test_a_form_s_own_words_are_checked_when_it_is_loaded(tmp_path) -> None:
    assert validate_data(WORDED, _good()) == {}
    (tmp_path / "words.json").write_text('{"properties": {"a": {"x-errors": ["Enter a"]}}}')
    with pytest.raises(FormError, match="x-errors must map a check to its message"):
        load_form(tmp_path, "words")
    (tmp_path / "later.json").write_text('{"properties": {"a": {"x-latest": "tomorrow"}}}')
    with pytest.raises(FormError, match='x-latest must be "today"'):
        load_form(tmp_path, "later")


def test_a_choice_reveals_only_answers_beside_it_under_its_own_options(tmp_path) -> None:
    def form(reveals: object) -> str:
        letters = {"enum": ["standard", "another_language"], "x-reveals": reveals}
        return json.dumps({"properties": {"letters": letters, "language": {"type": "string"}}})

    (tmp_path / "fine.json").write_text(form({"another_language": ["language"]}))
    assert load_form(tmp_path, "fine")["properties"]["letters"]["x-reveals"]
    for name, reveals in (
        ("elsewhere", {"another_language": ["nowhere"]}),
        ("itself", {"another_language": ["letters"]}),
        ("unoffered", {"braille": ["language"]}),
        ("unlisted", {"another_language": "language"}),
        ("twice", {"another_language": ["language"], "standard": ["language"]}),
    ):
        (tmp_path / f"{name}.json").write_text(form(reveals))
        with pytest.raises(FormError, match="x-reveals of letters"):
            load_form(tmp_path, name)
