"""The meeting pack: made again only when what it shows has changed, and handed out alone or
in a zip with every file the agencies attached.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.models import Attachment, Case, Document, User
from engine.documents.content import gather_pack
from engine.documents.pack import render_pack
from engine.documents.store.kept import (
    Download,
    disclose,
    lock_case,
    refuse_erased,
    store_document,
    template_bytes,
)
from engine.documents.word import DOCX_MEDIA_TYPE, clean, template_path
from engine.people.access import record_disclosure, visible_case

ZIP_MEDIA_TYPE = "application/zip"
MEETING_PACK = "meeting_pack"


def current_meeting_pack(
    session: Session, case: Case, user: User | None, *, templates_dir: Path | None = None
) -> Document:
    """The case's meeting pack as it stands: the last version when nothing it shows has
    changed since, otherwise a new version."""
    lock_case(session, case.id)
    content = gather_pack(session, case)
    template = template_path([case.district.key], templates_dir)
    fingerprint = content.fingerprint(template_bytes(template))
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
    refuse_erased(case)
    document = current_meeting_pack(session, case, user, templates_dir=templates_dir)
    disclose(session, user, document, f"meeting pack version {document.version}")
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
    refuse_erased(case)
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
