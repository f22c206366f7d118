"""Word documents: the meeting pack, the letters to the applicant and the statistics report.

The only package that imports python-docx. Content is read from the case as stored; styles,
fonts, logo and letterhead come from the base templates in ``templates/docx/``.
"""

from engine.documents.content import PackContent, gather_pack
from engine.documents.letters import (
    FORM_LETTERS,
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
    MEETING_PACK,
    STATISTICS_REPORT,
    ZIP_MEDIA_TYPE,
    Download,
    case_document,
    case_documents,
    current_meeting_pack,
    delivery_for,
    meeting_pack,
    meeting_pack_zip,
    send_letter,
    statistics_report,
    store_document,
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
    "DOCX_MEDIA_TYPE",
    "FORM_LETTERS",
    "LETTER_KINDS",
    "MARKING",
    "MEETING_PACK",
    "STATISTICS_REPORT",
    "TEMPLATES_DIR",
    "ZIP_MEDIA_TYPE",
    "Download",
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
    "gather_pack",
    "letter_text",
    "meeting_pack",
    "meeting_pack_zip",
    "render_letter",
    "render_pack",
    "render_statistics",
    "send_letter",
    "statistics_report",
    "store_document",
    "template_path",
]
