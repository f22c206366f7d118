"""Word documents: the meeting pack, the letters to the applicant and the statistics report.

Content is read from the case as stored; styles, fonts, logo and letterhead come from the base
templates in ``templates/docx/``.

- ``word``: the base templates and the ``Builder`` that writes a document; the only place in
  the service that imports python-docx.
- ``content``: what the meeting pack shows, gathered from the case.
- ``pack``, ``report``: writing the meeting pack and the statistics report.
- ``letters``: what each letter to the applicant says, and writing it.
- ``convert``: the same documents as OpenDocument text and PDF, made by LibreOffice.
- ``store``: keeping what was made, handing it out, sending letters, and telling the
  applicant as their case moves on.
"""

from engine.documents.content import PackContent, gather_pack
from engine.documents.convert import (
    FORMATS,
    OPENDOCUMENT,
    PDF,
    WORD,
    ConversionUnavailable,
    Converter,
    DocumentFormat,
    UnknownFormat,
    converter_for,
    document_format,
)
from engine.documents.letters import (
    LETTER_KINDS,
    Letter,
    appeal_deadline,
    complaint_route_problem,
    compose_letter,
    letter_text,
    render_letter,
)
from engine.documents.pack import render_pack
from engine.documents.report import render_statistics
from engine.documents.store import (
    EMAILED_PDF,
    MEETING_PACK,
    STATISTICS_REPORT,
    ZIP_MEDIA_TYPE,
    Download,
    PdfMaker,
    case_document,
    case_documents,
    current_meeting_pack,
    delivery_for,
    large_print_for,
    meeting_pack,
    meeting_pack_zip,
    preview_document,
    preview_letter,
    send_letter,
    statistics_report,
    store_document,
    tell_applicant,
)
from engine.documents.word import (
    DOCX_MEDIA_TYPE,
    MARKING,
    TEMPLATES_DIR,
    build_default_template,
    clean,
    template_path,
)

__all__ = [
    "EMAILED_PDF",
    "FORMATS",
    "OPENDOCUMENT",
    "PDF",
    "WORD",
    "ConversionUnavailable",
    "Converter",
    "DocumentFormat",
    "UnknownFormat",
    "converter_for",
    "document_format",
    "DOCX_MEDIA_TYPE",
    "LETTER_KINDS",
    "MARKING",
    "MEETING_PACK",
    "STATISTICS_REPORT",
    "TEMPLATES_DIR",
    "ZIP_MEDIA_TYPE",
    "Download",
    "PdfMaker",
    "Letter",
    "PackContent",
    "appeal_deadline",
    "complaint_route_problem",
    "build_default_template",
    "case_document",
    "case_documents",
    "clean",
    "compose_letter",
    "current_meeting_pack",
    "delivery_for",
    "large_print_for",
    "gather_pack",
    "letter_text",
    "meeting_pack",
    "meeting_pack_zip",
    "render_letter",
    "render_pack",
    "render_statistics",
    "preview_document",
    "preview_letter",
    "send_letter",
    "statistics_report",
    "store_document",
    "tell_applicant",
    "template_path",
]
