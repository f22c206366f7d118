"""Generated documents kept as made: versions, sha256, the audit trail, and letters sent.

Every generated document is a ``Document`` row (kind, case, version, sha256, who, when). A
meeting pack or statistics report whose content has not changed since its last version is
handed out again rather than stored twice. Every download is a disclosure in the audit trail,
and every letter leaves by email through the outbox or is marked for printing and posting.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.cases.statistics import as_json, figures_for_year
from engine.chasing.notifications import notify
from engine.core import audit, clock
from engine.core.db import take_turns
from engine.core.errors import NotFound
from engine.core.models import Appeal, Attachment, Case, Document, User
from engine.core.workdays import as_date
from engine.documents.content import gather_pack
from engine.documents.letters import FORM_LETTERS, compose_letter, letter_text, render_letter
from engine.documents.pack import render_pack
from engine.documents.report import render_statistics
from engine.documents.word import DOCX_MEDIA_TYPE, clean, template_path
from engine.people.access import record_disclosure, visible_case

ZIP_MEDIA_TYPE = "application/zip"
MEETING_PACK = "meeting_pack"
STATISTICS_REPORT = "statistics_report"
YEARS = range(2000, 2101)


@dataclass(frozen=True)
class Download:
    """A file to hand to the person who asked for it."""

    filename: str
    media_type: str
    content: bytes
    document_id: int | None = None


def _template_bytes(path: Path) -> bytes:
    return path.read_bytes() if path.is_file() else b""


def _lock_case(session: Session, case_id: int) -> None:
    # Versions are numbered per case and kind: two people producing the same document at
    # once must take turns (PostgreSQL; SQLite writers already queue).
    session.execute(select(Case.id).where(Case.id == case_id).with_for_update())


def _next_version(session: Session, case_id: int | None, kind: str) -> int:
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
) -> Document:
    """Keep a generated document and record its making in the audit trail."""
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


def _disclose(session: Session, user: User | None, document: Document, what: str) -> None:
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


def _refuse_erased(case: Case) -> None:
    if case.erased_on is not None:
        raise NotFound(
            f"the documents of case {case.reference} were erased on "
            f"{case.erased_on:%d %B %Y}, at the end of their retention period"
        )


# -- the meeting pack ------------------------------------------------------------------------


def current_meeting_pack(
    session: Session, case: Case, user: User | None, *, templates_dir: Path | None = None
) -> Document:
    """The case's meeting pack as it stands: the last version when nothing it shows has
    changed since, otherwise a new version."""
    _lock_case(session, case.id)
    content = gather_pack(session, case)
    template = template_path([case.district.key], templates_dir)
    fingerprint = content.fingerprint(_template_bytes(template))
    latest = session.scalar(
        select(Document)
        .where(Document.case_id == case.id, Document.kind == MEETING_PACK)
        .order_by(Document.version.desc())
        .limit(1)
    )
    if latest is not None and latest.detail.get("fingerprint") == fingerprint:
        return latest
    version = (latest.version + 1) if latest is not None else 1
    made = clock.now()
    data = render_pack(content, template, version=version, made=made)
    return store_document(
        session,
        case=case,
        kind=MEETING_PACK,
        version=version,
        filename=f"{case.reference}-meeting-pack-v{version}.docx",
        content=data,
        user=user,
        detail={
            "fingerprint": fingerprint,
            "template": template.name,
            "meeting_date": content.meeting_date.isoformat() if content.meeting_date else None,
            "incidents": len(content.chronology),
            "appendices": [a.attachment_id for a in content.appendices],
        },
    )


def meeting_pack(
    session: Session, user: User | None, reference: str, *, templates_dir: Path | None = None
) -> Download:
    """The meeting pack of a case the user may see, recorded as a disclosure to them."""
    case = visible_case(session, user, reference)
    _refuse_erased(case)
    document = current_meeting_pack(session, case, user, templates_dir=templates_dir)
    _disclose(session, user, document, f"meeting pack version {document.version}")
    return Download(document.filename, DOCX_MEDIA_TYPE, document.content, document.id)


def _zip_name(number: int, filename: str, attachment_id: int) -> str:
    # Only the last part of whatever name the uploader's system gave, never a path.
    base = re.split(r"[\\/]", clean(filename))[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".")[:150]
    return f"Appendix {number:02d} - {base or f'attachment-{attachment_id}'}"


def meeting_pack_zip(
    session: Session, user: User | None, reference: str, *, templates_dir: Path | None = None
) -> Download:
    """The meeting pack with every file the agencies attached, numbered as in the pack."""
    case = visible_case(session, user, reference)
    _refuse_erased(case)
    document = current_meeting_pack(session, case, user, templates_dir=templates_dir)
    order = list(document.detail.get("appendices", []))
    attachments = {
        a.id: a for a in session.scalars(select(Attachment).where(Attachment.id.in_(order or [-1])))
    }
    moment = clock.now().astimezone(clock.LOCAL_ZONE).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo(document.filename, moment), document.content)
        for number, attachment_id in enumerate(order, start=1):
            attachment = attachments.get(attachment_id)
            if attachment is None:
                continue
            name = _zip_name(number, attachment.filename, attachment.id)
            archive.writestr(zipfile.ZipInfo(f"appendices/{name}", moment), attachment.content)
    record_disclosure(
        session,
        user,
        case.id,
        f"meeting pack version {document.version} with {len(order)} appendices",
        "document",
        document.id,
        {"kind": "meeting_pack_zip", "version": document.version, "attachments": order},
    )
    stem = document.filename.removesuffix(".docx")
    return Download(f"{stem}-with-appendices.zip", ZIP_MEDIA_TYPE, buffer.getvalue(), document.id)


# -- stored documents ------------------------------------------------------------------------


def case_document(
    session: Session, user: User | None, reference: str, document_id: int
) -> Download:
    """A document kept on a case the user may see (a letter, an earlier pack)."""
    case = visible_case(session, user, reference)
    document = session.get(Document, document_id)
    if document is None or document.case_id != case.id:
        raise NotFound(f"there is no document {document_id} on case {reference}")
    _refuse_erased(case)
    _disclose(session, user, document, f"{document.kind.replace('_', ' ')} v{document.version}")
    return Download(document.filename, DOCX_MEDIA_TYPE, document.content, document.id)


def case_documents(session: Session, user: User | None, reference: str) -> list[Document]:
    """The documents kept on a case the user may see, newest first (for the case page)."""
    case = visible_case(session, user, reference)
    return list(
        session.scalars(
            select(Document)
            .where(Document.case_id == case.id)
            .order_by(Document.created_at.desc(), Document.id.desc())
        )
    )


# -- letters ---------------------------------------------------------------------------------


def delivery_for(applicant: Mapping[str, Any]) -> tuple[str, str]:
    """("email", address) when the applicant chose email, or gave an email address and no
    preference; ("post", "") otherwise."""
    address = str(applicant.get("email") or "").strip()
    if "@" not in address or any(ch.isspace() or not ch.isprintable() for ch in address):
        address = ""
    preference = str(applicant.get("contact_preference") or "").strip().lower()
    if preference in ("post", "letter") or not address:
        return "post", ""
    return "email", address


def send_letter(
    session: Session,
    case: Case,
    form: str,
    user: User,
    answers: Mapping[str, Any],
    *,
    appeal_id: int | None = None,
    task_id: int | None = None,
    templates_dir: Path | None = None,
) -> Document:
    """Write the letter a completed letter task stands for, keep it, and send it: by email
    through the outbox, or marked for printing and posting."""
    kind, date_field = FORM_LETTERS[form]
    # The letter carries the date the officer gave it on the task form.
    letter_date = as_date(answers[date_field]) if answers.get(date_field) else clock.today()
    appeal = session.get(Appeal, appeal_id) if appeal_id is not None else None
    letter = compose_letter(
        session, case, kind, answers, letter_date=letter_date, signer=user, appeal=appeal
    )
    template = template_path(letter.template_keys, templates_dir)
    _lock_case(session, case.id)
    version = _next_version(session, case.id, kind)
    made = clock.now()
    delivery, address = delivery_for(case.applicant or {})
    document = store_document(
        session,
        case=case,
        kind=kind,
        version=version,
        filename=f"{case.reference}-{kind.replace('_', '-')}-v{version}.docx",
        content=render_letter(letter, template, made=made),
        user=user,
        detail={
            "title": letter.title,
            "letter_date": letter_date.isoformat(),
            "form": form,
            "task_id": task_id,
            "template": template.name,
            "method_recorded": answers.get("method"),
            **letter.facts,
        },
    )
    if delivery == "email":
        message = notify(
            session,
            key=f"letter:document:{document.id}",
            kind="letter",
            subject=f"{letter.title} ({case.reference})",
            body=letter_text(letter),
            email=address,
            case_id=case.id,
            task_id=task_id,
        )
        document.notification_id = message.id if message is not None else None
    document.delivery = delivery
    document.dispatched_at = made
    document.dispatched_by_id = user.id
    audit.record(
        session,
        "letter.dispatched",
        user=user,
        case_id=case.id,
        object_type="document",
        object_id=document.id,
        detail={"kind": kind, "delivery": delivery, "notification_id": document.notification_id},
    )
    how = "by email" if delivery == "email" else "for printing and posting"
    _disclose(session, user, document, f"{letter.title}, to the applicant {how}")
    return document


# -- the statistics report -------------------------------------------------------------------


def _latest_report(session: Session, year: int) -> Any:
    earlier = session.execute(
        select(Document.id, Document.version, Document.detail).where(
            Document.case_id.is_(None), Document.kind == STATISTICS_REPORT
        )
    ).all()
    same_year = [row for row in earlier if (row.detail or {}).get("year") == year]
    return max(same_year, key=lambda row: row.version, default=None)


def _made_from(report: Any, fingerprint: str) -> bool:
    return report is not None and (report.detail or {}).get("fingerprint") == fingerprint


def statistics_report(
    session: Session,
    year: int,
    *,
    user: User | None = None,
    templates_dir: Path | None = None,
) -> Download:
    """The published figures of a financial year as a Word report (public: no personal data).

    Kept like every generated document; a new version only when the figures or the template
    changed since the last one of that year.
    """
    if year not in YEARS:
        raise NotFound(f"there are no figures for {year}")
    figures = figures_for_year(session, year)
    template = template_path([], templates_dir)
    digest = hashlib.sha256(json.dumps(as_json(figures), sort_keys=True).encode())
    digest.update(hashlib.sha256(_template_bytes(template)).digest())
    fingerprint = digest.hexdigest()
    latest = _latest_report(session, year)
    if not _made_from(latest, fingerprint):
        # Two first downloads of a year's new figures at once would otherwise keep two
        # versions: they take turns, and the second finds the first's.
        take_turns(session, f"statistics-report:{year}")
        latest = _latest_report(session, year)
    if _made_from(latest, fingerprint):
        document = session.get(Document, latest.id)
    else:
        made = clock.now()
        version = (latest.version + 1) if latest is not None else 1
        document = store_document(
            session,
            case=None,
            kind=STATISTICS_REPORT,
            version=version,
            filename=f"asb-case-review-statistics-{figures.label.replace('/', '-')}.docx",
            content=render_statistics(figures, template, made=made),
            user=user,
            detail={"year": year, "fingerprint": fingerprint, "template": template.name},
        )
    _disclose(session, user, document, f"statistics report {figures.label}")
    return Download(document.filename, DOCX_MEDIA_TYPE, document.content, document.id)
