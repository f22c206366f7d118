"""Documents in other formats than Word: OpenDocument text and PDF (PDF/A-2, tagged), made
from the Word file by LibreOffice, kept warm in the background.

- ``formats``: the formats a document is handed out in, and the errors of asking for one.
- ``libreoffice``: the ``Converter``: one headless LibreOffice behind unoserver, started on
  first use, restarted when it has died, with a time limit on every conversion.
"""

from engine.documents.convert.formats import (
    FORMATS,
    OPENDOCUMENT,
    PDF,
    WORD,
    ConversionUnavailable,
    DocumentFormat,
    UnknownFormat,
    document_format,
)
from engine.documents.convert.libreoffice import Converter, ConverterSettings, converter_for

__all__ = [
    "FORMATS",
    "OPENDOCUMENT",
    "PDF",
    "WORD",
    "ConversionUnavailable",
    "Converter",
    "ConverterSettings",
    "DocumentFormat",
    "UnknownFormat",
    "converter_for",
    "document_format",
]
