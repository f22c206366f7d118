"""Adding and removing the items of a form's repeating groups (incidents, recommendations,
attendees) with buttons, so no JavaScript is needed, and where the focus goes after."""

from __future__ import annotations

import re
from typing import Any

from web.schema_forms import Field, SchemaForm, html_name

_INDEX = re.compile(r"[0-9]{1,9}")


def _list_action(action: str) -> tuple[str, str, str] | None:
    """An "add:PATH" or "remove:PATH:INDEX" as (verb, path, index); None for any other."""
    verb, _, rest = action.partition(":")
    if verb not in ("add", "remove") or not rest:
        return None
    path, index = (rest.rsplit(":", 1) + [""])[:2] if verb == "remove" else (rest, "")
    return verb, path, index


def _list_at(data: dict[str, Any], path: str) -> list[Any] | None:
    container, key = _locate(data, path)
    if container is None:
        return None
    items = container.setdefault(key, [])
    return items if isinstance(items, list) else None


def apply_list_action(data: dict[str, Any], action: str) -> bool:
    """Carry out "add:PATH" or "remove:PATH:INDEX" on the data; False for any other action."""
    parsed = _list_action(action)
    items = _list_at(data, parsed[1]) if parsed else None
    if parsed is None or items is None:
        return False
    verb, _, index = parsed
    if verb == "add":
        items.append({})
    elif _INDEX.fullmatch(index) and int(index) < len(items):
        items.pop(int(index))
    return True


def list_focus(form: SchemaForm, data: dict[str, Any], action: str) -> str:
    """The id of the control where someone carries on after ``apply_list_action`` added or
    removed an item, the page having loaded afresh: the first answer of the new item, or of the
    item that took a removed one's place (the one before it when the last went), or the list's
    Add button when it is left empty. Nothing ("") for any other action."""
    parsed = _list_action(action)
    items = _list_at(data, parsed[1]) if parsed else None
    if parsed is None or items is None:
        return ""
    verb, path, index = parsed
    removed = int(index) if verb == "remove" and _INDEX.fullmatch(index) else len(items)
    listed = _field_named(form.fields(data, {}), html_name(path))
    if listed is None:
        return ""
    # A group shows one blank item even when none is kept.
    at = max(min(removed, len(listed.items) - 1), 0)
    return _first_control(listed.items[at]) if listed.items else f"{listed.id}-add"


def _field_named(items: list[Field], name: str) -> Field | None:
    for item in items:
        if item.name == name:
            return item
        for group in item.items:
            found = _field_named(group, name)
            if found is not None:
                return found
    return None


def _first_control(items: list[Field]) -> str:
    """The id of the first control of these fields as the page draws them."""
    for item in items:
        if item.kind == "fieldset":
            inside = _first_control(item.items[0]) if item.items else ""
            if inside:
                return inside
        elif item.kind in ("group", "list"):
            return _first_control(item.items[0]) if item.items else f"{item.id}-add"
        elif item.kind == "date":
            return f"{item.id}-day"
        else:
            return item.id  # an input, or a choice's first radio or checkbox
    return ""


def _locate(data: dict[str, Any], path: str) -> tuple[dict[str, Any] | None, str]:
    """The dict holding the last part of a dotted path with [n] indexes, and that key."""
    parts = re.findall(r"[^.\[\]]+|\[[0-9]{1,9}\]", path)
    if not parts:
        return None, ""
    target: Any = data
    for part in parts[:-1]:
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(target, list) or index >= len(target):
                return None, ""
            target = target[index]
        else:
            target = target.setdefault(part, {}) if isinstance(target, dict) else None
        if target is None:
            return None, ""
    return (target, parts[-1]) if isinstance(target, dict) else (None, "")
