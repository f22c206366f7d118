"""The building blocks of a letter: who it is from and to (``Contact``), its parts (``Block``,
made with ``p``, ``h``, ``bullets`` and ``table``), and the composed ``Letter`` itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.documents.word import clean


@dataclass(frozen=True)
class Contact:
    name: str
    address: str = ""
    email: str = ""
    phone: str = ""
    person: str = ""

    @property
    def address_lines(self) -> list[str]:
        return split_address(self.address)


# The letter task's answer holding the staff's own wording of the paragraphs a letter quotes
# from what they recorded, by each paragraph's key.
WORDING = "wording"


@dataclass(frozen=True)
class Block:
    """One part of a letter: a paragraph, a sub-heading, a bulleted list or a table.

    A paragraph that quotes what staff recorded (a decision's reasons, a review's findings)
    says what it quotes and has a key: the letter's task may give other wording for it, and
    the preview marks it.
    """

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    quotes: str = ""
    key: str = ""


def p(text: str) -> Block:
    return Block("p", text=text)


def quoted(
    answers: Mapping[str, Any], key: str, quotes: str, recorded: str, fallback: str
) -> Block:
    """A paragraph of what staff recorded (``quotes`` says what), or the wording the letter's
    task gave it instead."""
    wording = answers.get(WORDING)
    edited = wording.get(key) if isinstance(wording, Mapping) else None
    text = edited if isinstance(edited, str) and edited.strip() else recorded
    # A browser sends a textarea's line breaks as CRLF.
    text = text.replace("\r\n", "\n").strip()
    return Block("p", text=text or fallback, quotes=quotes, key=key)


def h(text: str) -> Block:
    return Block("h", text=text)


def bullets(items: Sequence[str]) -> Block:
    return Block("bullets", items=tuple(items))


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> Block:
    return Block("table", header=tuple(header), rows=tuple(tuple(row) for row in rows))


@dataclass(frozen=True)
class Letter:
    kind: str
    title: str
    reference: str
    letter_date: date
    sender: Contact
    council: Contact
    recipient: str
    recipient_address: tuple[str, ...]
    blocks: tuple[Block, ...]
    signer: str
    template_keys: tuple[str, ...]
    facts: dict[str, Any] = field(default_factory=dict)
    # The deployed version of its wording that wrote it, and that version's row; neither for
    # the shipped wording.
    wording_version: int | None = None
    wording_id: int | None = None
    # On a posted letter: how the applicant follows their case online (the address, and a
    # one-time access code to use with their postcode).
    follow_online: tuple[str, str] | None = None

    @property
    def quoting(self) -> tuple[Block, ...]:
        """The paragraphs quoting what staff recorded, each once by its key."""
        found: dict[str, Block] = {}
        for block in self.blocks:
            if block.key and block.key not in found:
                found[block.key] = block
        return tuple(found.values())

    @property
    def salutation(self) -> str:
        return f"Dear {self.recipient}," if self.recipient.strip() else "Dear applicant,"


def split_address(address: str) -> list[str]:
    return [line.strip() for line in re.split(r"[\n,]", clean(address)) if line.strip()]


# What a composer gives: the values of its letter's placeholders, and the facts kept with
# the letter.
Composed = tuple[dict[str, Any], dict[str, Any]]
