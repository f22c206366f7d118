"""Writing a composed letter out: as the Word file that is kept and sent (``render_letter``),
and as plain text for the body of the email that carries it (``letter_text``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from engine.documents.letters.blocks import Contact, Letter
from engine.documents.word import Builder, clean, long_date


def render_letter(
    letter: Letter, template: Path | None, *, made: datetime, large_print: float | None = None
) -> bytes:
    """The letter as a Word file on the sender's base template; with ``large_print``, a size
    in points, in large print at that size."""
    out = Builder(template, large_print=large_print)
    out.properties(title=letter.title, subject=letter.reference, author=letter.sender.name)
    out.page_numbers(f"Our reference: {letter.reference}")
    sender = letter.sender
    out.paragraph(sender.name, bold=True, align="right")
    for line in sender.address_lines:
        out.paragraph(line, align="right").paragraph_format.space_after = 0
    if sender.phone:
        out.paragraph(f"Phone: {sender.phone}", align="right").paragraph_format.space_after = 0
    if sender.email:
        out.paragraph(f"Email: {sender.email}", align="right")
    out.paragraph(long_date(letter.letter_date), align="right")
    out.paragraph(f"Our reference: {letter.reference}")
    if letter.follow_online:
        address, code = letter.follow_online
        out.paragraph(f"Your access code: {code}", bold=True).paragraph_format.space_after = 0
        out.paragraph(
            f"To follow your case review online, go to {address} and enter your reference, "
            "this code and your postcode. The code works once."
        )
    if letter.recipient:
        out.paragraph(letter.recipient).paragraph_format.space_after = 0
    for line in letter.recipient_address:
        out.paragraph(line).paragraph_format.space_after = 0
    out.paragraph("")
    out.heading(letter.title, 1)
    out.paragraph(letter.salutation)
    for block in letter.blocks:
        if block.kind == "h":
            out.heading(block.text, 2)
        elif block.kind == "bullets":
            out.bullets(block.items)
        elif block.kind == "table":
            out.table(block.header, block.rows, shares=[8.6, 4.6, 3.4])
        else:
            out.text(block.text, missing="")
    out.paragraph("Yours sincerely,")
    out.paragraph(letter.signer)
    out.heading(COUNCIL_CONTACT, 3)
    for line in _council_contact(letter.council):
        out.paragraph(line)
    return out.save(made)


COUNCIL_CONTACT = "Your council contact"


def _council_contact(council: Contact) -> list[str]:
    """The council's address, then who to ask for and how to reach them."""
    how = (
        council.person,
        f"phone {council.phone}" if council.phone else "",
        f"email {council.email}" if council.email else "",
    )
    return [", ".join([council.name, *council.address_lines]), "; ".join(filter(None, how))]


def letter_text(letter: Letter, attachment: str = "", *, pdf: str | None = "") -> str:
    """The same letter as plain text, for the body of the email that carries it, which names
    the Word ``attachment`` it is sent as and the ``pdf`` beside it; a ``pdf`` of None says
    the PDF could not be made, so the Word file comes alone."""
    lines = [letter.salutation, ""]
    for block in letter.blocks:
        if block.kind == "h":
            # In its own case: a screen reader may spell out a word in capitals.
            lines += [clean(block.text), ""]
        elif block.kind == "bullets":
            lines += [f"- {clean(item)}" for item in block.items] + [""]
        elif block.kind == "table":
            for row in block.rows:
                lines.append(
                    "- "
                    + "; ".join(
                        f"{clean(head)}: {clean(cell)}"
                        for head, cell in zip(block.header, row, strict=True)
                    )
                )
            lines.append("")
        else:
            lines += [clean(block.text), ""]
    lines += ["Yours sincerely,", clean(letter.signer), ""]
    lines += [COUNCIL_CONTACT, *map(clean, _council_contact(letter.council)), ""]
    lines += [
        f"Our reference: {letter.reference}",
        f"Date of the letter: {long_date(letter.letter_date)}",
        *_attachments(attachment, pdf),
    ]
    return "\n".join(lines)


def attachments_retold(body: str, word: str, pdf: str, *, made: bool) -> str:
    """The email ``body`` of a letter, written by ``letter_text`` for the Word file ``word``,
    saying instead what the email carries now: the PDF ``pdf`` beside the Word file when it was
    ``made``, or the Word file alone because it could not be. The mail sender settles this
    when it makes the PDF, just before the email goes; a body it does not recognise is kept."""
    for before in ("", None, pdf):
        told = "\n".join(_attachments(word, before))
        if body.endswith("\n" + told):
            return body[: -len(told)] + "\n".join(_attachments(word, pdf if made else None))
    return body


def _attachments(word: str, pdf: str | None) -> list[str]:
    """Which attached file is which, for a reader choosing one to open."""
    named = f": {clean(word)}" if word else ""
    if pdf:
        return [
            f"The letter is attached as a PDF, which opens without a word processor: {clean(pdf)}.",
            f"The same letter is attached as a Word document{named}.",
        ]
    if pdf is None:
        return [
            "We could not make a PDF of this letter, so it is attached as a Word document "
            f"only{named}."
        ]
    return [f"The letter is attached as a Word document{named}."]
