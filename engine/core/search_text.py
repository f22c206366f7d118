"""The words a case is found by, and the words of what someone searched for, made the same way.

A case is found by its reference, by the names, addresses and postcodes of its applicant
and of the victim they applied for, and by where the behaviour happens (an address, or a
place described: "the park behind Station Road"). Those are kept together in
``cases.search_text`` as plain words: small letters and digits, without accents, one space
between them. Both databases' text search (SQLite's FTS5, PostgreSQL's
``to_tsvector('simple', ...)``) then split that text alike, and a search typed by a person is
made into words the same way, so what matches does not depend on the database.

A word searched for matches the start of a word of the case ("smi" finds Smith, "de4" finds
DE4 3AG). To make references, postcodes and names easy to find however they are typed, a
case also has its postcodes and the names written with an apostrophe or hyphen as single
words ("de43ag", "obrien"), and its reference's number without the leading zeros ("123").
Its reference is not made one word: "ct2026..." for every case would make "ct" the start of
as many words as there are cases, which each database's index would have to read through.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from engine.core.postcodes import postcode_of

# At most this many words of a search are used, each cut to this length: a longer search
# only narrows further what is already narrow, and stays a quick query.
MOST_WORDS = 12
LONGEST_WORD = 40
_REFERENCE_NUMBER = re.compile(r"^[A-Z]+-\d{4}-0*(\d+)$")
# The parts of a person that find them; email and phone are not searched.
_PERSON_PARTS = ("name", "address", "postcode")


def words(text: str) -> list[str]:
    """The words of ``text``: letters and digits only, small, without accents, in order.

    Everything else (spaces, punctuation, quotes, symbols, the operators of a search
    language) separates words and is never part of one, so a word is safe to put in a query.
    """
    # Folded first, as folding can make more than one character ("ß" -> "ss") or a letter
    # with an accent ("İ" -> "i̇"), which the decomposition then takes off.
    plain = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(
        character if _is_word_character(character) else " "
        for character in plain
        if not unicodedata.combining(character)
    ).split()


def _is_word_character(character: str) -> bool:
    # Letters and digits as both databases' tokenisers count them (Unicode L* and N*).
    return unicodedata.category(character)[0] in "LN"


def search_words(text: str) -> list[str]:
    """The words of what someone searched for: each once, in order, at most ``MOST_WORDS``
    of them, each at most ``LONGEST_WORD`` characters."""
    found: list[str] = []
    for word in words(text):
        cut = word[:LONGEST_WORD]
        if cut not in found:
            found.append(cut)
        if len(found) == MOST_WORDS:
            break
    return found


def case_search_text(
    reference: str,
    applicant: Mapping[str, Any] | None,
    victim: Mapping[str, Any] | None,
    place: str = "",
) -> str:
    """The words a case is found by, as kept in ``cases.search_text``: ``place`` is where
    the behaviour happens, as the application says."""
    found = words(reference)
    number = _REFERENCE_NUMBER.match((reference or "").upper())
    if number:
        found.append(number.group(1))
    for person in (applicant, victim):
        if person:
            parts = [str(person.get(part) or "") for part in _PERSON_PARTS]
            found += [word for part in (*parts, postcode_of(person)) for word in _with_joined(part)]
    if place:
        # A place may hold a postcode as an address does.
        found += [
            word for part in (place, postcode_of({"address": place})) for word in _with_joined(part)
        ]
    return " ".join(dict.fromkeys(found))


def _with_joined(text: str) -> Iterable[str]:
    """The words of ``text``, and each run of them typed without a space between (O'Brien,
    Smith-Jones, CT-2026-00123) as one word too, as someone may type it so."""
    for typed in text.split():
        parts = words(typed)
        yield from parts
        if len(parts) > 1:
            yield "".join(parts)
