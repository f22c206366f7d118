"""Emailed letters' PDFs, made by the mail sender right before a letter's email goes.

Completing a task keeps the letter as a Word file and queues its email; converting it takes
LibreOffice a good fraction of a second, which the completion, holding the case's lock, does
not wait for. The mail sender, which claims the email first, asks ``PdfMaker`` for the PDF
outside any transaction of its own, then keeps it (kind ``EMAILED_PDF``, linked to the same
message after the Word file, so attached after it) and settles the email's last lines to say
what it carries. When LibreOffice cannot make it, the email goes with the Word file alone and
says so; a later attempt, should this one fail to send, tries the PDF again.

Each message has at most one PDF: it is kept under the case's lock and the message's, only
while this sender's claim on the message (the attempt it counted) holds, and only when the
message has none yet. An attempt that finds one kept, by an earlier attempt whose send failed
or by a sender that took the message over, sends that one.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import audit
from engine.core.db import Database
from engine.core.models import Case, Document, Notification, User
from engine.documents.convert import PDF, ConversionUnavailable, Converter
from engine.documents.letters import attachments_retold
from engine.documents.store.kept import EMAILED_PDF, lock_case, next_version, store_document

log = logging.getLogger(__name__)

LETTER = "letter"  # the kind of an emailed letter's message in the outbox


class PdfMaker:
    """What the mail sender calls for each message it is about to send: an emailed letter
    gets its PDF, made by ``converter`` (the process's LibreOffice, as the sender's settings
    configure it)."""

    def __init__(self, converter: Converter) -> None:
        self.converter = converter

    def __call__(self, db: Database, notification_id: int, attempt: int) -> None:
        letter = _letter_without_pdf(db, notification_id)
        if letter is None:
            return
        letter_id, filename, content = letter
        try:
            made: bytes | None = self.converter.convert(content, PDF)
            why = ""
        except ConversionUnavailable as reason:
            made, why = None, str(reason)
        with db.transaction() as session:
            settled = _keep(session, notification_id, attempt, letter_id, made, why)
        if settled and made is None:
            log.warning("letter %s emailed as Word only: %s", filename, why)


def _letter_without_pdf(db: Database, notification_id: int) -> tuple[int, str, bytes] | None:
    """The Word letter a pending email carries, when it has no PDF yet: id, name, content."""
    with db.read() as session:
        notification = session.get(Notification, notification_id)
        if notification is None or notification.kind != LETTER or notification.state != "pending":
            return None
        carried = list(
            session.execute(
                select(Document.id, Document.kind, Document.filename)
                .where(Document.notification_id == notification_id)
                .order_by(Document.id)
            )
        )
        if any(kind == EMAILED_PDF for _, kind, _ in carried):
            return None
        words = [(id_, name) for id_, kind, name in carried if name.lower().endswith(".docx")]
        if len(words) != 1:
            return None
        (letter_id, filename) = words[0]
        content = session.scalar(select(Document.content).where(Document.id == letter_id))
        return (letter_id, filename, content) if content else None


def _keep(
    session: Session,
    notification_id: int,
    attempt: int,
    letter_id: int,
    made: bytes | None,
    why: str,
) -> bool:
    """Keep the PDF ``made`` (None: it could not be, for the reason ``why``) and settle the
    email's text, if the message is still this sender's and has no PDF: whether it did."""
    letter = session.get_one(Document, letter_id)
    if letter.case_id is None:
        return False
    # The case first, as a completion takes it before it touches the case's messages.
    lock_case(session, letter.case_id)
    notification = session.get_one(
        Notification, notification_id, with_for_update=True, populate_existing=True
    )
    if notification.state != "pending" or notification.attempts != attempt:
        return False  # withdrawn, or taken over by another sender, whose PDF it is to make
    kept = session.scalar(
        select(Document.id).where(
            Document.notification_id == notification_id, Document.kind == EMAILED_PDF
        )
    )
    if kept is not None:
        return False
    case = session.get_one(Case, letter.case_id)
    user = session.get(User, letter.created_by_id) if letter.created_by_id else None
    stem = letter.filename.rsplit(".", 1)[0]
    pdf_name = f"{stem}.{PDF.key}"
    notification.body = attachments_retold(
        notification.body, letter.filename, pdf_name, made=made is not None
    )
    if made is None:
        audit.record(
            session,
            "letter.pdf_not_made",
            user=None,
            case_id=case.id,
            object_type="document",
            object_id=letter.id,
            detail={"kind": letter.kind, "notification_id": notification_id, "reason": why},
        )
        return True
    pdf = store_document(
        session,
        case=case,
        kind=EMAILED_PDF,
        version=next_version(session, case.id, EMAILED_PDF),
        filename=pdf_name,
        content=made,
        user=user,
        detail={"pdf_of": letter.id, "title": (letter.detail or {}).get("title")},
    )
    pdf.notification_id = notification_id
    return True
