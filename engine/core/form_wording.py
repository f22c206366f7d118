"""How a form's problems are worded for the person answering it, in the GOV.UK Design
System's patterns ("Enter your full name", "Select where you live", "The date you reported it
must be a real date", "Reasons must be 20,000 characters or fewer").

Each message comes from the field's own schema: its ``title`` names it, its kind (a date, a
choice, a yes or no, a list) decides the verb, and ``x-errors`` may say any message in the
form's own words, keyed by the JSON Schema keyword the answer failed (``required``,
``maxLength``, ``format``, ``enum``, ``minItems``, ``const``, ``x-latest`` ...), with ``name``
for how the messages name the field mid-sentence ("the date you reported it")::

    "reported_on": {"type": "string", "format": "date", "title": "Date you reported it",
                    "x-errors": {"required": "Enter the date you reported it"}}

A title that is a question ("Where do you live?") names nothing a message can repeat, so
such a field's messages are plain ("Select an answer") unless ``x-errors`` words them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

DATE_PARTS = ("day", "month", "year")
EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.com"
_DIGITS = re.compile(r"[0-9]+")
_FOUR_DIGITS = re.compile(r"[0-9]{4}")
_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "yes or no",
    "array": "a list",
    "object": "a set of answers",
}
# The sentence for an answer that failed a check, where the field's name and the check's
# limit are all it needs.
_SENTENCES = {
    "maxLength": "{subject} must be {limit:,} characters or fewer",
    "minLength": "{subject} must be {limit:,} characters or more",
    "minItems": "{subject} must have at least {limit:,}",
    "maxItems": "{subject} must have no more than {limit:,}",
    "x-latest": "{subject} must be today or in the past",
    "x-earliest": "{subject} must be today or in the future",
    "minimum": "{subject} must be {limit} or more",
    "maximum": "{subject} must be {limit} or less",
    "exclusiveMinimum": "{subject} must be more than {limit}",
    "exclusiveMaximum": "{subject} must be less than {limit}",
    "uniqueItems": "{subject} must not have the same answer twice",
}


def resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    """A schema with its local ``$ref`` (``#/$defs/person``) followed; the keywords beside
    the reference (its title, say) win over the target's."""
    reference = schema.get("$ref")
    if isinstance(reference, str) and reference.startswith("#/"):
        target: Any = root
        for part in reference[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, Mapping) else {}
        if isinstance(target, Mapping):
            return {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def field_schema(root: Mapping[str, Any], path: Sequence[str | int]) -> Mapping[str, Any]:
    """The schema of the answer at ``path`` (``["incidents", 0, "reported_on"]``), read
    from the form's properties and items; ``{}`` for one the form does not describe."""
    current = resolve(root, root)
    for part in path:
        if isinstance(part, int):
            items = current.get("items")
            current = resolve(items, root) if isinstance(items, Mapping) else {}
        else:
            properties = current.get("properties")
            child = properties.get(part) if isinstance(properties, Mapping) else None
            current = resolve(child, root) if isinstance(child, Mapping) else {}
    return current


def kind_of(schema: Mapping[str, Any]) -> str:
    """What sort of answer a field takes, as its messages speak of it."""
    kind = schema.get("type")
    if kind == "boolean":
        return "yesno"
    if kind == "array":
        items = schema.get("items")
        items = items if isinstance(items, Mapping) else {}
        if "enum" in items:
            return "checkboxes"
        return "group" if items.get("type") == "object" else "list"
    if "enum" in schema:
        return "choice"
    if kind in ("integer", "number"):
        return "number"
    if kind == "object":
        return "section"
    if schema.get("format") in ("date", "email"):
        return str(schema["format"])
    return "text"


def _lowered(text: str) -> str:
    """``Date of the behaviour`` -> ``date of the behaviour``; ``OPCC decision`` is kept."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def date_problem(text: str) -> tuple[str, tuple[str, ...]]:
    """What is wrong with a date given as ``year-month-day`` that is not a real one (the
    form's pages send the three boxes so), and which boxes to mark: "must include a month"
    marks the month; a date that cannot be, or is not three parts at all, marks all three."""
    pieces = text.split("-") if isinstance(text, str) else []
    if len(pieces) == 3:
        given = dict(zip(("year", "month", "day"), pieces, strict=True))
        missing = tuple(part for part in DATE_PARTS if not given[part].strip())
        if missing and len(missing) < 3:
            return f"must include a {' and '.join(missing)}", missing
        year = given["year"].strip()
        if not missing and _DIGITS.fullmatch(year) and not _FOUR_DIGITS.fullmatch(year):
            return "must include a year with 4 numbers", ("year",)
    return "must be a real date", DATE_PARTS


@dataclass(frozen=True)
class Wording:
    """The messages for one field of a form, from its schema (``key`` names it when it has no
    title)."""

    schema: Mapping[str, Any]
    key: str = ""

    @property
    def kind(self) -> str:
        return kind_of(self.schema)

    @property
    def custom(self) -> Mapping[str, Any]:
        said = self.schema.get("x-errors")
        return said if isinstance(said, Mapping) else {}

    @property
    def title(self) -> str:
        title = self.schema.get("title")
        if isinstance(title, str) and title.strip():
            return title.strip()
        return self.key.replace("_", " ").strip()

    @property
    def is_question(self) -> bool:
        return self.title.endswith("?")

    @property
    def name(self) -> str:
        """How a message names the field mid-sentence; '' for a question's."""
        named = self.custom.get("name")
        if isinstance(named, str) and named.strip():
            return named.strip()
        if self.is_question or not self.title:
            return ""
        lowered = _lowered(self.title)
        if self.kind == "date" and lowered.startswith("date "):
            return f"the {lowered}"
        return lowered

    @property
    def subject(self) -> str:
        """The field named at the start of a sentence: "The date you reported it"."""
        if self.name:
            return _capital(self.name)
        return "The date" if self.kind == "date" else "The answer"

    def _item_title(self) -> str:
        items = self.schema.get("items")
        title = items.get("title") if isinstance(items, Mapping) else None
        return _lowered(title) if isinstance(title, str) and title.strip() else ""

    def message(self, keyword: str, limit: Any = None, value: Any = None) -> str:
        """The message for an answer that failed ``keyword`` (with the keyword's ``limit``,
        and the ``value`` given, which words a date's problem)."""
        said = self.custom.get(keyword)
        if isinstance(said, str) and said.strip():
            return said.strip()
        if keyword in ("minLength", "minItems") and isinstance(limit, int) and limit <= 1:
            return self.required()
        return self._default(keyword, limit, value)

    def required(self) -> str:
        """The message for an answer left out: "Enter ...", "Select ..."."""
        said = self.custom.get("required")
        if isinstance(said, str) and said.strip():
            return said.strip()
        kind, name = self.kind, self.name
        if kind == "yesno":
            statement = self.custom.get("name") or ("" if self.is_question else self.title)
            return f"Select yes if {_lowered(statement)}" if statement else "Select yes or no"
        if kind in ("choice", "checkboxes"):
            return f"Select {name}" if name else "Select an answer"
        if kind in ("group", "list"):
            least = self.schema.get("minItems")
            if not (isinstance(least, int) and least >= 1):
                # A list that may be empty, left out altogether (only the API can).
                return f"{self.subject} must be given, as an empty list if there are none"
            item = self._item_title()
            verb = "Add" if kind == "group" else "Enter"
            if item:
                return f"{verb} at least one {item}"
            return f"{verb} {name}" if name else f"{verb} at least one answer"
        if kind == "date":
            return f"Enter {name}" if name else "Enter a date"
        if kind == "email":
            return f"Enter {name}" if name else "Enter an email address"
        return f"Enter {name}" if name else "Enter an answer"

    def _default(self, keyword: str, limit: Any, value: Any) -> str:
        subject = self.subject
        if keyword in ("required", "enum"):
            return self.required()
        if keyword in _SENTENCES:
            return _SENTENCES[keyword].format(subject=subject, limit=limit)
        if keyword == "format":
            return self._format(limit, value)
        if keyword == "type":
            if limit == "boolean" and self.kind == "yesno":
                return self.required()
            return f"{subject} must be {_TYPE_WORDS.get(str(limit), str(limit))}"
        if keyword == "const":
            wanted = {True: "yes", False: "no"}.get(limit) if isinstance(limit, bool) else None
            return f"{subject} must be {wanted or json.dumps(limit)} here"
        if keyword == "pattern":
            return f"Enter {self.name or 'the answer'} in the correct format"
        return f"{subject} is not right"

    def _format(self, fmt: Any, value: Any) -> str:
        if fmt == "date":
            return f"{self.subject} {date_problem(value)[0]}"
        if fmt == "email":
            return EMAIL_MESSAGE
        if fmt == "date-time":
            return f"{self.subject} must be a real date and time"
        if fmt == "decimal":
            return f"{self.subject} must be a number"
        return f"Enter {self.name or 'the answer'} in the correct format"


def wording(root: Mapping[str, Any], path: Sequence[str | int]) -> Wording:
    """The messages of the field at ``path`` of the form ``root``."""
    key = next((str(part) for part in reversed(path) if isinstance(part, str)), "")
    return Wording(field_schema(root, path), key)
