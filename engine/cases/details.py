"""What an application says beside its incidents: where the behaviour happens, who the
applicant believes is responsible, who else saw or heard it, what the applicant wants to
happen, their communication needs and the format they need letters in.

They are kept together on the case (``Case.details``), as the applicant's and victim's
details are: all of it is personal data, read with the case and erased with it. A case made
before the application asked for them holds none, and reads as ``ApplicationDetails()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

# The formats a letter can be made in, as the application form offers them.
LETTER_FORMATS = {
    "standard": "Standard",
    "large_print": "Large print",
    "easy_read": "Easy read",
    "another_language": "Another language",
}
STANDARD = "standard"
LARGE_PRINT = "large_print"
ANOTHER_LANGUAGE = "another_language"
# The application's answers kept in ``Case.details``, by the names the form and the API use.
TEXT_FIELDS = ("place", "responsible", "witnesses", "outcome", "communication_needs")


@dataclass(frozen=True)
class ApplicationDetails:
    """The application's own account of the behaviour and of the applicant's needs; '' for
    what was not given."""

    place: str = ""
    responsible: str = ""
    witnesses: str = ""
    outcome: str = ""
    communication_needs: str = ""
    letter_format: str = STANDARD
    letter_language: str = ""

    @property
    def letters_in(self) -> str:
        """The format letters are made in, as a person reads it: "Another language: Polish"."""
        named = LETTER_FORMATS.get(self.letter_format, self.letter_format)
        if self.letter_format == ANOTHER_LANGUAGE and self.letter_language:
            return f"{named}: {self.letter_language}"
        return named

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def details_of(stored: Mapping[str, Any] | None) -> ApplicationDetails:
    """The details kept on a case (``Case.details``); a case without them, or erased, has
    none."""
    stored = stored or {}
    found = {name: _text(stored.get(name)) for name in TEXT_FIELDS}
    letter_format = _text(stored.get("letter_format")) or STANDARD
    language = _text(stored.get("letter_language")) if letter_format == ANOTHER_LANGUAGE else ""
    return ApplicationDetails(**found, letter_format=letter_format, letter_language=language)


def details_from_application(payload: Mapping[str, Any]) -> dict[str, str]:
    """What a checked application's answers keep in ``Case.details``: the answers given, and
    a language only with letters in another language (one typed before another format was
    chosen is not the applicant's answer)."""
    kept = {name: _text(payload.get(name)) for name in TEXT_FIELDS}
    kept = {name: text for name, text in kept.items() if text}
    letter_format = _text(payload.get("letter_format")) or STANDARD
    kept["letter_format"] = letter_format
    if letter_format == ANOTHER_LANGUAGE:
        kept["letter_language"] = _text(payload.get("letter_language"))
    return kept


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
