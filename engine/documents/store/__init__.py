"""Generated documents kept as made: versions, sha256, the audit trail, and letters sent.

Every generated document is a ``Document`` row (kind, case, version, sha256, who, when). A
meeting pack or statistics report whose content has not changed since its last version is
handed out again rather than stored twice. Every download is a disclosure in the audit trail,
and every letter leaves by email through the outbox or is marked for printing and posting.

- ``kept``: keeping a document and its versions, and handing out the ones kept on a case.
- ``meeting_packs``: the meeting pack, alone or with the agencies' files in a zip.
- ``letters_sent``: writing, keeping and sending the letter of a completed letter task.
- ``emailed_pdfs``: an emailed letter's PDF, made by the mail sender as the email goes.
- ``updates_sent``: telling the applicant as their case moves on, by email or by post.
- ``statistics_reports``: the published figures of a financial year as a Word report.
"""

from engine.documents.store.emailed_pdfs import PdfMaker
from engine.documents.store.kept import (
    EMAILED_PDF,
    Download,
    case_document,
    case_documents,
    store_document,
)
from engine.documents.store.letters_sent import (
    delivery_for,
    large_print_for,
    preview_document,
    preview_letter,
    send_letter,
)
from engine.documents.store.meeting_packs import (
    MEETING_PACK,
    ZIP_MEDIA_TYPE,
    current_meeting_pack,
    meeting_pack,
    meeting_pack_zip,
)
from engine.documents.store.statistics_reports import STATISTICS_REPORT, statistics_report
from engine.documents.store.updates_sent import tell_applicant

__all__ = [
    "EMAILED_PDF",
    "MEETING_PACK",
    "STATISTICS_REPORT",
    "ZIP_MEDIA_TYPE",
    "Download",
    "PdfMaker",
    "case_document",
    "case_documents",
    "current_meeting_pack",
    "delivery_for",
    "large_print_for",
    "meeting_pack",
    "meeting_pack_zip",
    "preview_document",
    "preview_letter",
    "send_letter",
    "statistics_report",
    "store_document",
    "tell_applicant",
]
