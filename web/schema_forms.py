"""Task and public forms drawn from their JSON Schema, and the posted fields read back.

A form in ``workflows/forms/`` is the single description of a task's data: the engine checks
submissions against it, and this module turns it into GOV.UK components and turns the posted
HTML fields back into the JSON the engine checks; its repeating groups' Add and Remove buttons
are carried out by ``web.form_lists``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from engine.core.form_wording import resolve
from web.dates import boxes_in_error, typed_date

Choices = list[tuple[str, str]]
YES, NO = "yes", "no"
# A short string gets a one-line input; anything longer a text area.
_TEXTAREA_FROM = 301


@dataclass
class Field:
    """One thing to render: an input, a choice, a date, or a repeating group of items."""

    kind: str
    path: str
    name: str
    label: str
    hint: str = ""
    value: Any = None
    error: str = ""
    choices: Choices = field(default_factory=list)
    items: list[list[Field]] = field(default_factory=list)
    item_label: str = ""
    can_add: bool = False
    width: str = ""
    # A date's boxes its error is about (GOV.UK marks only the missing month, say).
    error_parts: tuple[str, ...] = ()
    # A choice's answers shown inside one of its options when it is chosen (``x-reveals``).
    reveals: dict[str, list[Field]] = field(default_factory=dict)

    @property
    def inner(self) -> list[Field]:
        """The fields drawn inside this one: its sections' or items' answers, and those its
        options reveal."""
        return [
            *(child for group in self.items for child in group),
            *(child for shown in self.reveals.values() for child in shown),
        ]

    @property
    def id(self) -> str:
        return self.name

    @property
    def input_id(self) -> str:
        """The id of the field's first input: a date's day, a group's first answer."""
        if self.kind == "date":
            return f"{self.name}-day"
        if self.kind in ("group", "list", "fieldset") and self.items and self.items[0]:
            return self.items[0][0].input_id
        return self.name

    @property
    def error_anchor(self) -> str:
        """Where the error summary's link for this field leads: the first box in error."""
        if self.kind == "date" and self.error_parts:
            return f"{self.name}-{self.error_parts[0]}"
        return self.input_id


def html_name(path: str) -> str:
    """``incidents[0].occurred_on`` -> ``incidents-0-occurred_on`` (safe in ids and names)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", path.replace("[", "-").replace("].", "-")).strip("-")


def _is_map(schema: Mapping[str, Any]) -> bool:
    """An object whose keys are not listed but free, each holding text (``wording``)."""
    return (
        schema.get("type") == "object"
        and not schema.get("properties")
        and isinstance(schema.get("additionalProperties"), Mapping)
    )


def humanise(value: str) -> str:
    text = str(value).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _generic(path: str) -> str:
    """``incidents[3].reported_to`` -> ``incidents[].reported_to``, the key for choices."""
    return re.sub(r"\[\d+\]", "[]", path)


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _choice_labels(schema: Mapping[str, Any]) -> Choices:
    labels = schema.get("x-labels", {})
    return [(str(option), labels.get(str(option), humanise(option))) for option in schema["enum"]]


def _kind(schema: Mapping[str, Any], choices: Choices | None) -> str:
    kind = schema.get("type")
    if kind == "boolean":
        return "yesno"
    if kind in ("integer", "number"):
        return "number"
    if kind == "array":
        items = schema.get("items", {})
        if items.get("type") == "string" and "enum" in items:
            return "checkboxes"
        return "group" if items.get("type") == "object" else "list"
    if choices is not None or "enum" in schema:
        options = choices if choices is not None else schema["enum"]
        return "radios" if len(options) <= 6 else "select"
    if schema.get("format") == "date":
        return "date"
    if schema.get("format") == "email":
        return "email"
    if schema.get("maxLength", _TEXTAREA_FROM) >= _TEXTAREA_FROM:
        return "textarea"
    return "text"


@dataclass
class SchemaForm:
    """A form schema with the page's choices for free-text fields and the fields it hides."""

    schema: Mapping[str, Any]
    choices: Mapping[str, Choices] = field(default_factory=dict)
    omit: frozenset[str] = frozenset()

    @property
    def title(self) -> str:
        return str(self.schema.get("title", ""))

    @property
    def description(self) -> str:
        return str(self.schema.get("description", ""))

    # Drawing ---------------------------------------------------------------------------

    def fields(self, data: Mapping[str, Any] | None, errors: Mapping[str, str]) -> list[Field]:
        return self._object_fields(self.schema, "", data or {}, errors)

    def copy_fields(self, data: Mapping[str, Any]) -> list[Field]:
        """The answers as fields shown apart from the page's own form, to read and copy: their
        names and ids start "copy-", so they clash with nothing else on the page."""

        def rename(items: list[Field]) -> None:
            for item in items:
                item.name = f"copy-{item.name}"
                rename(item.inner)

        copied = self.fields(data, {})
        rename(copied)
        return copied

    def _object_fields(
        self,
        schema: Mapping[str, Any],
        prefix: str,
        data: Mapping[str, Any],
        errors: Mapping[str, str],
    ) -> list[Field]:
        schema = resolve(schema, self.schema)
        properties = schema.get("properties", {})
        reveals = _reveals(properties)
        revealed = {
            name for options in reveals.values() for names in options.values() for name in names
        }
        fields: list[Field] = []
        for key, child in properties.items():
            if key in revealed:
                continue  # drawn inside the option of the choice that reveals it
            made = self._property_field(key, child, prefix, data, errors)
            if made is None:
                continue
            for option, names in reveals.get(key, {}).items():
                shown = (
                    self._property_field(n, properties[n], prefix, data, errors) for n in names
                )
                made.reveals[option] = [item for item in shown if item is not None]
            fields.append(made)
        return fields

    def _property_field(
        self,
        key: str,
        child: Mapping[str, Any],
        prefix: str,
        data: Mapping[str, Any],
        errors: Mapping[str, str],
    ) -> Field | None:
        path = _join(prefix, key)
        if _generic(path) in self.omit:
            return None
        child = resolve(child, self.schema)
        if _is_map(child):
            # Its keys are the page's to offer (a letter's quoted paragraphs): drawn there.
            return None
        value = data.get(key) if isinstance(data, Mapping) else None
        if child.get("type") == "object":
            return Field(
                kind="fieldset",
                path=path,
                name=html_name(path),
                label=child.get("title", humanise(key)),
                hint=child.get("description", ""),
                items=[self._object_fields(child, path, value or {}, errors)],
            )
        return self._field(child, path, key, value, errors)

    def _field(
        self,
        schema: Mapping[str, Any],
        path: str,
        key: str,
        value: Any,
        errors: Mapping[str, str],
    ) -> Field:
        choices = self.choices.get(_generic(path))
        kind = _kind(schema, choices)
        label = schema.get("title", humanise(key))
        made = Field(
            kind=kind,
            path=path,
            name=html_name(path),
            label=label,
            hint=schema.get("description", ""),
            value=value,
            error=errors.get(path, ""),
        )
        if kind in ("radios", "select"):
            made.choices = list(choices) if choices is not None else _choice_labels(schema)
        elif kind == "yesno":
            made.choices = [(YES, "Yes"), (NO, "No")]
            made.value = {True: YES, False: NO}.get(value, value)
        elif kind == "checkboxes":
            made.choices = _choice_labels(schema["items"])
            made.value = list(value or [])
            # An answer ticked that is not offered is told at the question.
            made.error = made.error or next(
                (text for where, text in errors.items() if where.startswith(f"{path}[")), ""
            )
        elif kind in ("group", "list"):
            self._items(made, schema, value, errors)
        elif kind == "text" and schema.get("maxLength", 100) <= 50:
            made.width = "govuk-input--width-20"
        elif kind == "date" and made.error:
            made.error_parts = boxes_in_error(value)
        return made

    def _items(
        self, made: Field, schema: Mapping[str, Any], value: Any, errors: Mapping[str, str]
    ) -> None:
        items_schema = resolve(schema.get("items", {}), self.schema)
        values = list(value) if isinstance(value, list) else []
        shown = max(len(values), schema.get("minItems", 0), 1 if made.kind == "group" else 0)
        values += [{} if made.kind == "group" else ""] * (shown - len(values))
        made.item_label = items_schema.get("title", "Item")
        made.can_add = len(values) < schema.get("maxItems", 500)
        for index, item in enumerate(values):
            path = f"{made.path}[{index}]"
            if made.kind == "group":
                made.items.append(self._object_fields(items_schema, path, item or {}, errors))
            else:
                made.items.append([self._field(items_schema, path, made.item_label, item, errors)])
                made.items[-1][0].label = f"{made.item_label} {index + 1}"

    # Reading back ------------------------------------------------------------------------

    def read(self, form: MultiDict[str, str]) -> dict[str, Any]:
        """The posted fields as the JSON the form describes; blank optional fields left out."""
        return self._read_object(self.schema, "", form)

    def _read_object(
        self, schema: Mapping[str, Any], prefix: str, form: MultiDict[str, str]
    ) -> dict[str, Any]:
        schema = resolve(schema, self.schema)
        data: dict[str, Any] = {}
        for key, child in schema.get("properties", {}).items():
            path = _join(prefix, key)
            if _generic(path) in self.omit:
                continue
            if _is_map(resolve(child, self.schema)):
                start = f"{html_name(path)}."
                typed = {
                    name.removeprefix(start): text
                    for name, text in form.items()
                    if name.startswith(start) and text.strip()
                }
                if typed:
                    data[key] = typed
                continue
            value = self._read_value(resolve(child, self.schema), path, form)
            if value is not None:
                data[key] = value
        for key, reveals in _reveals(schema.get("properties", {})).items():
            for option, names in reveals.items():
                if data.get(key) != option:
                    # Hidden with its option not chosen: what was typed there is not an answer.
                    for name in names:
                        data.pop(name, None)
        return data

    def _read_value(self, schema: Mapping[str, Any], path: str, form: MultiDict[str, str]) -> Any:
        name = html_name(path)
        kind = schema.get("type")
        if kind == "object":
            nested = self._read_object(schema, path, form)
            return nested or None
        if kind == "array":
            return self._read_array(schema, path, form)
        if kind == "boolean":
            answer = form.get(name)
            return {YES: True, NO: False}.get(answer or "")
        if kind in ("integer", "number"):
            text = form.get(name, "").strip().replace(",", "")
            if not text:
                return None
            try:
                return int(text) if kind == "integer" else float(text)
            except ValueError:
                return text  # the schema check says what is wrong, and the text is kept
        if schema.get("format") == "date":
            return typed_date(form, name)
        given = form.get(name)
        if given is None:
            return None
        return given.replace("\r\n", "\n").strip() or None

    def _read_array(self, schema: Mapping[str, Any], path: str, form: MultiDict[str, str]) -> Any:
        items = resolve(schema.get("items", {}), self.schema)
        name = html_name(path)
        if items.get("type") == "string" and "enum" in items:
            chosen = [value for value in form.getlist(name) if value]
            return chosen or None
        pattern = re.compile(rf"^{re.escape(name)}-([0-9]{{1,9}})(?:-|$)")
        indexes = sorted({int(m.group(1)) for key in form for m in [pattern.match(key)] if m})
        values = []
        for index in indexes:
            value = self._read_value(items, f"{path}[{index}]", form)
            if value not in (None, {}, ""):
                values.append(value)
        return values if values or f"{name}-present" in form else None


def _reveals(properties: Mapping[str, Any]) -> dict[str, dict[str, list[str]]]:
    """The answers each choice among ``properties`` reveals, by option (``x-reveals``,
    checked when the form is loaded)."""
    return {
        key: dict(child["x-reveals"])
        for key, child in properties.items()
        if isinstance(child, Mapping) and isinstance(child.get("x-reveals"), Mapping)
    }


def error_summary(fields: list[Field], errors: Mapping[str, str]) -> list[dict[str, str]]:
    """The GOV.UK error summary: each problem linking to its field, in the page's order."""
    listed: list[dict[str, str]] = []
    seen: set[str] = set()

    def walk(items: list[Field]) -> None:
        for item in items:
            if item.error:
                listed.append({"text": item.error, "href": f"#{item.error_anchor}"})
                seen.add(item.path)
            walk(item.inner)

    walk(fields)
    for path, message in errors.items():
        # A section's own error is told by its answers' errors, when they have some; an
        # answer ticked that is not offered, by its question's.
        told = path in seen or any(
            shown.startswith(f"{path}.") or path.startswith(f"{shown}[") for shown in seen
        )
        if not told:
            listed.append({"text": message, "href": f"#{html_name(path) or 'form'}"})
    return listed
