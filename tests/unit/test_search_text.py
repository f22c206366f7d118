"""The words a case is found by, and the words of a search, made the same way."""

from __future__ import annotations

from engine.core.search_text import (
    LONGEST_WORD,
    MOST_WORDS,
    case_search_text,
    search_words,
    words,
)


def test_words_are_letters_and_digits_small_and_without_accents() -> None:
    assert words("O'Brien-Smith, ZOË  straße İlkeston") == [
        "o",
        "brien",
        "smith",
        "zoe",
        "strasse",
        "ilkeston",
    ]
    assert words('NEAR("smith" tom) AND %_* -x') == ["near", "smith", "tom", "and", "x"]
    assert words("李小龙 Łukasz") == ["李小龙", "łukasz"]
    assert words("\x00\t'\";--") == []


def test_a_search_keeps_a_few_short_enough_words_each_once() -> None:
    assert search_words("smith Smith SMITH tom") == ["smith", "tom"]
    assert len(search_words(" ".join(f"w{n}" for n in range(100)))) == MOST_WORDS
    assert search_words("x" * 2000) == ["x" * LONGEST_WORD]


def test_a_case_is_found_by_its_reference_and_its_peoples_names_addresses_and_postcodes() -> None:
    text = case_search_text(
        "CT-2026-00123",
        {
            "name": "Priya O'Brien",
            "address": "12 Chapel Street, Matlock DE4 3AG",
            "email": "priya@example.com",
            "phone": "07700 900123",
        },
        {"name": "Ava Smith-Jones", "postcode": "de7 5ra"},
    )
    assert text.split() == [
        "ct",
        "2026",
        "00123",
        "123",
        "priya",
        "o",
        "brien",
        "obrien",
        "12",
        "chapel",
        "street",
        "matlock",
        "de4",
        "3ag",
        "de43ag",
        "ava",
        "smith",
        "jones",
        "smithjones",
        "de7",
        "5ra",
        "de75ra",
    ]
    assert "example" not in text and "07700" not in text, "email and phone are not searched"
    assert case_search_text("CT-2026-00124", {}, None) == "ct 2026 00124 124"


def test_a_case_is_found_by_where_the_behaviour_happens_too() -> None:
    text = case_search_text(
        "CT-2026-00125", {"name": "Sam Taylor"}, None, "The park behind St-John's Road, DE4 3AG"
    )
    assert text.split()[4:] == [
        "sam",
        "taylor",
        "the",
        "park",
        "behind",
        "st",
        "john",
        "s",
        "stjohns",
        "road",
        "de4",
        "3ag",
        "de43ag",
    ]
