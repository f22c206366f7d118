"""Task forms: JSON Schema files in ``workflows/forms/``, checked on the server.

A form decides what a task's data means. Fields with ``"format": "date"`` become dates and
``"format": "decimal"`` strings become Decimals in the workflow's data, so rules and timers can
calculate with them. Every problem with an answer is found in one pass and worded for the
person answering (``engine.core.form_wording``, which reads a field's ``x-errors``); a date
field may carry ``"x-latest": "today"`` (today or in the past) or ``"x-earliest": "today"``.
A choice may reveal other answers of its section when one of its options is chosen
(``"x-reveals": {"another_language": ["letter_language"]}``): the page shows them inside that
option, as GOV.UK's conditional reveal; the form's own ``if``/``then`` says when they are needed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import SchemaError, ValidationError

from engine.core import clock
from engine.core.form_wording import field_schema, wording

_FORM_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
_format_checker = FormatChecker()


@_format_checker.checks("decimal", raises=(InvalidOperation, TypeError))
def _is_decimal(value: object) -> bool:
    return not isinstance(value, str) or Decimal(value).is_finite()


# An address mail can be sent to has one @, a name before it and a domain with a dot after.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def is_email_address(text: str) -> bool:
    """Whether ``text`` has the shape of an email address (``"format": "email"`` in a form)."""
    return bool(_EMAIL.fullmatch(text))


@_format_checker.checks("email")
def _is_email(value: object) -> bool:
    return not isinstance(value, str) or is_email_address(value)


class FormError(ValueError):
    """A form file is missing or is not a usable JSON Schema."""


def form_path(forms_dir: Path, name: str) -> Path:
    if not _FORM_NAME.match(name or ""):
        raise FormError(f"'{name}' is not a form name (lower case letters, digits and _)")
    return forms_dir / f"{name}.json"


@lru_cache(maxsize=256)
def _load(path: Path, modified: float) -> dict[str, Any]:
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
    except (json.JSONDecodeError, SchemaError) as error:
        raise FormError(f"form {path.name} is not a valid JSON Schema: {error}") from None
    _check_own_keywords(schema, path.name)
    return schema


def load_form(forms_dir: Path, name: str) -> dict[str, Any]:
    path = form_path(forms_dir, name)
    if not path.is_file():
        raise FormError(f"there is no form '{name}' in {forms_dir.name}/")
    return _load(path, path.stat().st_mtime)


def _field_path(parts: Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _latest(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    day = iso_date(instance)
    if value == "today" and day is not None and day > clock.today():
        yield ValidationError(f"{instance} is after today")


def _earliest(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    day = iso_date(instance)
    if value == "today" and day is not None and day < clock.today():
        yield ValidationError(f"{instance} is before today")


def iso_date(value: Any) -> date | None:
    """A ``2026-03-02`` date; None for anything else (a form tells what is wrong with it)."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A form's own keywords: a date no later (``x-latest``) or no earlier (``x-earliest``) than
# today, checked with everything else so that every problem is told at once.
_Validator = validators.extend(Draft202012Validator, {"x-latest": _latest, "x-earliest": _earliest})
_DATE_KEYWORDS = ("x-latest", "x-earliest")


def _check_own_keywords(schema: Any, name: str) -> None:
    """The service's keywords in a form say something it understands, or the form is refused
    (when a diagram naming it is deployed) rather than ignored."""
    if isinstance(schema, list):
        for item in schema:
            _check_own_keywords(item, name)
        return
    if not isinstance(schema, dict):
        return
    said = schema.get("x-errors")
    if said is not None and not (
        isinstance(said, dict) and all(isinstance(text, str) for text in said.values())
    ):
        raise FormError(f"form {name}: x-errors must map a check to its message")
    for keyword in _DATE_KEYWORDS:
        if keyword in schema and schema[keyword] != "today":
            raise FormError(f'form {name}: {keyword} must be "today"')
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for key, child in properties.items():
            if isinstance(child, dict) and "x-reveals" in child:
                _check_reveals(child, key, properties, name)
    for key, value in schema.items():
        if key not in ("x-errors", "x-labels", "x-reveals", "enum", "const"):
            _check_own_keywords(value, name)


def _check_reveals(field: dict[str, Any], key: str, siblings: dict[str, Any], name: str) -> None:
    """A choice reveals answers of its own section, each under one of its options."""
    reveals = field["x-reveals"]
    options = field.get("enum", [])
    if not isinstance(reveals, dict) or not all(
        option in options
        and isinstance(revealed, list)
        and all(other in siblings and other != key for other in revealed)
        for option, revealed in reveals.items()
    ):
        raise FormError(
            f"form {name}: x-reveals of {key} must map its options to other answers beside it"
        )
    shown = [other for revealed in reveals.values() for other in revealed]
    if len(shown) != len(set(shown)):
        raise FormError(f"form {name}: x-reveals of {key} reveals an answer twice")


def validate_data(schema: dict[str, Any], data: Any) -> dict[str, str]:
    """Every problem with ``data``, keyed by field path (``incidents[0].occurred_on``), each
    worded for the person answering (``engine.core.form_wording``). A section left out
    whole names each answer it needs at that answer (``applicant.name``)."""
    if not isinstance(data, dict):
        return {"": "the data must be a JSON object of field names and values"}
    validator = _Validator(schema, format_checker=_format_checker)
    problems: dict[str, str] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        path = list(error.absolute_path)
        if error.validator == "required":
            for missing in re.findall(r"'([^']+)' is a required property", error.message)[:1]:
                for key, message in _required(schema, [*path, missing]):
                    problems.setdefault(key, message)
            continue
        problems.setdefault(_field_path(path), _message(schema, path, error))
    return problems


def _required(root: dict[str, Any], path: list[str | int]) -> Iterator[tuple[str, str]]:
    """The problems of an answer left out: a section's own required answers, each at its
    field, or the answer's own "Enter ..." message."""
    field = field_schema(root, path)
    needed = field.get("required") if field.get("type") == "object" else None
    if isinstance(needed, list) and needed:
        for name in needed:
            yield from _required(root, [*path, name])
        return
    yield _field_path(path), wording(root, path).required()


def _message(root: dict[str, Any], path: list[str | int], error: Any) -> str:
    keyword = str(error.validator)
    if keyword == "additionalProperties":
        unexpected = re.findall(r"'([^']+)'", error.message.split("(")[-1])
        return f"{', '.join(unexpected) or 'This field'} is not part of this form"
    said = wording(root, path)
    if keyword == "enum" and path and isinstance(path[-1], int):
        parent = wording(root, path[:-1])
        if parent.kind == "checkboxes":
            # One of several ticked answers that is not offered: worded as the question.
            said = parent
    return said.message(keyword, error.validator_value, error.instance)


def coerce_data(schema: dict[str, Any], data: Any) -> Any:
    """Turn date, date-time and decimal strings into Python values, as the schema says."""
    kind = schema.get("type")
    fmt = schema.get("format")
    if isinstance(data, str) and kind == "string":
        if fmt == "date":
            return date.fromisoformat(data)
        if fmt == "date-time":
            return datetime.fromisoformat(data)
        if fmt == "decimal":
            return Decimal(data)
        return data
    if isinstance(data, dict) and isinstance(schema.get("properties"), dict):
        properties = schema["properties"]
        return {
            key: coerce_data(properties[key], value) if key in properties else value
            for key, value in data.items()
        }
    if isinstance(data, list) and isinstance(schema.get("items"), dict):
        return [coerce_data(schema["items"], value) for value in data]
    return data
