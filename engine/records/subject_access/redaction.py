"""Telling the person an export is about from the other people on their cases, and taking
the others' names and contact details out wherever they appear.
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[redacted: another person]"
PERSON_FIELDS = ("name", "address", "email", "phone")


def _normal(text: Any) -> str:
    return " ".join(str(text or "").split()).casefold()


def is_them(person: dict[str, Any] | None, name: str, email: str | None) -> bool:
    """Their address, or their name where the record holds no other address (two people
    may share a name; a record with someone else's address is not theirs)."""
    if not person:
        return False
    recorded = _normal(person.get("email"))
    if email and recorded == _normal(email):
        return True
    same_name = bool(name) and _normal(person.get("name")) == _normal(name)
    return same_name and not (email and recorded)


class Redactor:
    """Replaces the details of the people on a case who are not the subject."""

    def __init__(self, others: list[dict[str, Any]]) -> None:
        values = {
            " ".join(str(person.get(key) or "").split())
            for person in others
            for key in PERSON_FIELDS
        }
        # Longest first, so a full address goes before the street name inside it.
        words = sorted((v for v in values if len(v) >= 3), key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(re.escape(v).replace(r"\ ", r"\s+") for v in words), re.I)
            if words
            else None
        )

    def __call__(self, value: Any) -> Any:
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self._pattern.sub(REDACTED, value)
        if isinstance(value, list):
            return [self(item) for item in value]
        if isinstance(value, dict):
            return {key: self(item) for key, item in value.items()}
        return value
