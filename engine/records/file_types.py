"""What a supporting file is, decided by its bytes, and the name it is kept under.

Only the kinds below are accepted, and a file is kept under a name ending as its kind does, so
whoever downloads it opens it with the program for what it is. A name ending as another kind we
accept, or with no ending, is corrected (photo.jpg holding a PNG is kept as photo.png); a name
ending as a kind we never accept (invoice.hta, run.bat, page.html) is refused whatever the file
holds, since a document so named is a mistake the sender should hear of, or a disguise.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import filetype

from engine.core.errors import InvalidData
from engine.records.office_files import (
    DOC,
    OUTLOOK,
    Runnable,
    is_word_package,
    ole_kind,
    sound_word_package,
)

MAX_BYTES = 10 * 1024 * 1024
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EMAIL = "message/rfc822"
ACCEPTED = "PDF, Word, an image (PNG, JPEG, GIF, WebP, TIFF) or an email (.eml or .msg)"
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EMAIL_HEADERS = {"from", "to", "subject", "date", "message-id", "received"}
_HEADER = re.compile(rb"[!-9;-~]+:")
_EXTENSION = re.compile(r"\.([0-9]*[A-Za-z][A-Za-z0-9]*)$")


@dataclass(frozen=True)
class Kind:
    media_type: str
    label: str
    extensions: tuple[str, ...]  # the first is the one a name is given


KINDS = {
    kind.media_type: kind
    for kind in (
        Kind(PDF, "a PDF", ("pdf",)),
        Kind(DOCX, "a Word document", ("docx",)),
        Kind(DOC, "a Word 97-2003 document", ("doc",)),
        Kind(OUTLOOK, "an Outlook message", ("msg",)),
        Kind(EMAIL, "an email", ("eml",)),
        Kind("image/png", "a PNG image", ("png",)),
        Kind("image/jpeg", "a JPEG image", ("jpg", "jpeg")),
        Kind("image/gif", "a GIF image", ("gif",)),
        Kind("image/webp", "a WebP image", ("webp",)),
        Kind("image/tiff", "a TIFF image", ("tif", "tiff")),
    )
}
_ACCEPTED_EXTENSIONS = {extension for kind in KINDS.values() for extension in kind.extensions}


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    media_type: str


def _problem(message: str) -> InvalidData:
    return InvalidData(message, {"file": message})


def checked_file(filename: str, content: bytes) -> CheckedFile:
    """The file's kind from its bytes and the name it is kept under; InvalidData when it is not
    a kind we accept, holds something that runs, or is named as a kind we do not accept."""
    media_type = media_type_of(content)
    return CheckedFile(kept_name(safe_filename(filename), media_type), media_type)


def media_type_of(content: bytes) -> str:
    if not content:
        raise _problem("The selected file is empty")
    if len(content) > MAX_BYTES:
        raise _problem("The selected file must be smaller than 10 MB")
    try:
        found = _detected(content)
    except Runnable:
        raise _problem(
            "The selected Word document holds macros, a program or an embedded object, which "
            "cannot be attached: save it as a PDF, or as a Word document without them"
        ) from None
    if found is None:
        raise _problem(f"The selected file must be {ACCEPTED}")
    return found


def _detected(content: bytes) -> str | None:
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(_OLE_SIGNATURE):
        return ole_kind(content)
    if content.startswith(b"PK\x03\x04") and is_word_package(content):
        return DOCX if sound_word_package(content) else None
    guessed = filetype.guess_mime(content)
    if guessed in KINDS and guessed.startswith("image/"):
        return str(guessed)
    if guessed is None and _is_email(content):
        return EMAIL
    return None


def _is_email(content: bytes) -> bool:
    """Headers from the first line, each a field or its continuation, then a blank line: a web
    page that begins with a From: line is not an email."""
    lines = content[: 64 * 1024].splitlines()
    if lines and lines[0].startswith(b"From "):
        lines = lines[1:]  # a mailbox's separator line, which some programs keep
    present: set[str] = set()
    for line in lines:
        if not line.strip():
            return len(present & _EMAIL_HEADERS) >= 2 and "from" in present
        if b"\x00" in line:
            return False
        if line[:1] in (b" ", b"\t") and present:
            continue
        field = _HEADER.match(line)
        if field is None:
            return False
        present.add(field.group()[:-1].decode().lower())
    return False


def safe_filename(filename: str) -> str:
    """The last part of the name the uploader's system gave, printable; Windows drops trailing
    dots and spaces, so they go here too, before the name's ending is read."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if ch.isprintable())
    return name.strip().strip(".").strip()[:250] or "attachment"


def kept_name(filename: str, media_type: str) -> str:
    """``filename`` ending as its kind does; InvalidData when it ends as a kind we do not accept."""
    kind = KINDS[media_type]
    ending = _EXTENSION.search(filename)
    if ending is None:
        return f"{filename}.{kind.extensions[0]}"
    extension = ending.group(1).lower()
    if extension in kind.extensions:
        return filename
    if extension in _ACCEPTED_EXTENSIONS:
        return f"{filename[: ending.start()]}.{kind.extensions[0]}"
    raise _problem(
        f"The selected file is named as a .{extension} file but holds {kind.label}. A file is "
        f"attached only under a name that says what it holds: if this is the document you "
        f"meant, save it with a name ending .{kind.extensions[0]} and attach it again"
    )
