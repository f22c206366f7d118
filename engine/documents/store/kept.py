"""Keeping generated documents: each a ``Document`` row with its version and sha256, its
making recorded in the audit trail, and every time one is handed out recorded as a disclosure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.errors import NotFound
from engine.core.models import Case, Document, User
from engine.documents.convert import Converter, DocumentFormat
from engine.documents.word import DOCX_MEDIA_TYPE
from engine.people.access import record_disclosure, visible_case

# The PDF an emailed letter carried, kept for the mail sender to attach: a copy of the
# letter, which is the Word document kept under the letter's own kind. Lists of a case's
# documents leave it out, so that each letter is listed once.
EMAILED_PDF = "letter_pdf"


@dataclass(frozen=True)
class Download:
    """A file to hand to the person who asked for it."""

    filename: str
    media_type: str
    content: bytes
    document_id: int | None = None

    def made_as(self, to: DocumentFormat, converter: Converter) -> Download:
        """This Word document in the format ``to`` (itself for Word): the same name with the
        format's ending. ConversionUnavailable says why it could not be made."""
        if not to.converted:
            return self
        stem = self.filename.rsplit(".", 1)[0] if "." in self.filename else self.filename
        return Download(
            f"{stem}.{to.key}", to.media_type, converter.convert(self.content, to), self.document_id
        )


def template_bytes(path: Path) -> bytes:
    return path.read_bytes() if path.is_file() else b""


def lock_case(session: Session, case_id: int) -> None:
    # Versions are numbered per case and kind: two people producing the same document at
    # once must take turns. SQLite has no row locks to take: its writers already take turns
    # over the whole database, so there the read would lock nothing.
    if session.get_bind().dialect.name == "sqlite":
        return
    session.execute(select(Case.id).where(Case.id == case_id).with_for_update())


def next_version(session: Session, case_id: int | None, kind: str) -> int:
    query = select(func.max(Document.version)).where(Document.kind == kind)
    query = query.where(
        Document.case_id == case_id if case_id is not None else Document.case_id.is_(None)
    )
    return (session.scalar(query) or 0) + 1


def store_document(
    session: Session,
    *,
    case: Case | None,
    kind: str,
    version: int,
    filename: str,
    content: bytes,
    user: User | None,
    detail: Mapping[str, Any],
    columns: Mapping[str, Any] | None = None,
) -> Document:
    """Keep a generated document and record its making in the audit trail; ``columns`` are
    more of its row's values, written with it rather than after it."""
    document = Document(
        case_id=case.id if case is not None else None,
        kind=kind,
        version=version,
        filename=filename,
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        created_by_id=user.id if user is not None else None,
        created_at=clock.now(),
        detail=dict(detail),
        **(columns or {}),
    )
    session.add(document)
    session.flush()
    audit.record(
        session,
        "document.generated",
        user=user,
        case_id=document.case_id,
        object_type="document",
        object_id=document.id,
        detail={"kind": kind, "version": version, "sha256": document.sha256},
    )
    return document


def disclose(session: Session, user: User | None, document: Document, what: str) -> None:
    record_disclosure(
        session,
        user,
        document.case_id,
        what,
        "document",
        document.id,
        {
            "kind": document.kind,
            "version": document.version,
            "filename": document.filename,
            "sha256": document.sha256,
        },
    )


def refuse_erased(case: Case) -> None:
    if case.erased_on is not None:
        raise NotFound(
            f"the documents of case {case.reference} were erased on "
            f"{case.erased_on:%d %B %Y}, at the end of their retention period"
        )


def case_document(
    session: Session, user: User | None, reference: str, document_id: int
) -> Download:
    """A document kept on a case the user may see (a letter, an earlier pack)."""
    case = visible_case(session, user, reference)
    document = session.get(Document, document_id)
    if document is None or document.case_id != case.id or document.kind == EMAILED_PDF:
        raise NotFound(f"there is no document {document_id} on case {reference}")
    refuse_erased(case)
    disclose(session, user, document, f"{document.kind.replace('_', ' ')} v{document.version}")
    return Download(document.filename, DOCX_MEDIA_TYPE, document.content, document.id)


def case_documents(session: Session, user: User | None, reference: str) -> list[Document]:
    """The documents kept on a case the user may see, newest first (for the case page)."""
    case = visible_case(session, user, reference)
    return list(
        session.scalars(
            select(Document)
            .where(Document.case_id == case.id, Document.kind != EMAILED_PDF)
            .order_by(Document.created_at.desc(), Document.id.desc())
        )
    )
