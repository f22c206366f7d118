"""The formats a document is handed out in: Word (as made), OpenDocument text and PDF."""

from __future__ import annotations

from dataclasses import dataclass

from engine.core.errors import EngineError
from engine.documents.word import DOCX_MEDIA_TYPE


@dataclass(frozen=True)
class DocumentFormat:
    key: str
    name: str
    media_type: str
    # LibreOffice's export filter and its options; none for Word, the format documents are
    # made in.
    filter: str = ""
    options: tuple[str, ...] = ()

    @property
    def converted(self) -> bool:
        return bool(self.filter)


WORD = DocumentFormat("docx", "Word", DOCX_MEDIA_TYPE)
OPENDOCUMENT = DocumentFormat(
    "odt", "OpenDocument", "application/vnd.oasis.opendocument.text", filter="writer8"
)
# PDF/A-2 keeps for the years a case is kept, and a tagged PDF lets a screen reader follow
# the headings and tables.
PDF = DocumentFormat(
    "pdf",
    "PDF",
    "application/pdf",
    filter="writer_pdf_Export",
    options=("SelectPdfVersion=2", "UseTaggedPDF=true"),
)
FORMATS = {f.key: f for f in (WORD, OPENDOCUMENT, PDF)}


class UnknownFormat(EngineError):
    """A format the service does not make documents in."""


class ConversionUnavailable(EngineError):
    """The document could not be made in another format than Word; ``str()`` says why."""


def document_format(key: str | None) -> DocumentFormat:
    """The format ``key`` names (docx, odt or pdf); Word when none is named."""
    if not key:
        return WORD
    found = FORMATS.get(key.strip().lower())
    if found is None:
        raise UnknownFormat(
            f"there is no format '{key}': ask for "
            + ", ".join(f"{f.key} ({f.name})" for f in FORMATS.values())
        )
    return found
