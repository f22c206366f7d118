"""Task forms: JSON Schema files in ``workflows/forms/``, checked on the server.

A form decides what a task's data means. Fields with ``"format": "date"`` become dates and
``"format": "decimal"`` strings become Decimals in the workflow's data, so rules and timers can
calculate with them.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

_FORM_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
_format_checker = FormatChecker()


@_format_checker.checks("decimal", raises=(InvalidOperation, TypeError))
def _is_decimal(value: object) -> bool:
    return not isinstance(value, str) or Decimal(value).is_finite()


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


def validate_data(schema: dict[str, Any], data: Any) -> dict[str, str]:
    """Every problem with ``data``, keyed by field path (``incidents[0].occurred_on``)."""
    if not isinstance(data, dict):
        return {"": "the data must be a JSON object of field names and values"}
    validator = Draft202012Validator(schema, format_checker=_format_checker)
    problems: dict[str, str] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        path = list(error.absolute_path)
        if error.validator == "required":
            missing = re.findall(r"'([^']+)' is a required property", error.message)
            path = [*path, *missing[:1]]
        key = _field_path(path)
        problems.setdefault(key, _plain_message(error, schema))
    return problems


def _plain_message(error: Any, schema: dict[str, Any]) -> str:
    title = error.schema.get("title") if isinstance(error.schema, dict) else None
    if error.validator == "required":
        return "Enter this - it is required"
    if error.validator == "format" and error.validator_value == "date":
        return f"{title or 'This'} must be a real date, like 2026-03-02"
    if error.validator == "enum":
        options = ", ".join(str(option) for option in error.validator_value)
        return f"Choose one of: {options}"
    if error.validator == "type":
        return f"{title or 'This'} must be {error.validator_value}"
    if error.validator == "additionalProperties":
        unexpected = re.findall(r"'([^']+)'", error.message.split("(")[-1])
        return f"{', '.join(unexpected) or 'This field'} is not part of this form"
    if error.validator == "const":
        return f"{title or 'This'} must be {json.dumps(error.validator_value)} here"
    if error.validator in ("maxLength", "maxItems"):
        return f"{title or 'This'} is too long (at most {error.validator_value})"
    if error.validator in ("minLength", "minItems"):
        return f"{title or 'This'} is too short (at least {error.validator_value})"
    return error.message


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
