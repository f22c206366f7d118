"""UK postcodes in what people give: the one they typed, or the last one in their address."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# A UK postcode at the end of an address line (outward and inward parts).
_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b")


def _parts(person: Mapping[str, Any]) -> tuple[str, str] | None:
    for text in (person.get("postcode"), person.get("address")):
        found = _POSTCODE.findall(str(text or "").upper())
        if found:
            outward, inward = found[-1]
            return outward, inward
    return None


def postcode_of(person: Mapping[str, Any]) -> str:
    """The person's postcode, normalised (capitals, no space): the one they gave, or the
    last one in their address; "" when there is none."""
    parts = _parts(person)
    return "".join(parts) if parts else ""


def written_postcode(person: Mapping[str, Any]) -> str:
    """The person's postcode as it is written on a letter ("DE4 3AG"); "" when there is none."""
    parts = _parts(person)
    return " ".join(parts) if parts else ""
