"""Downloads of generated documents: the meeting pack (alone or with its attachments), a kept
letter, and the published statistics as a Word report.

Each route is one engine call in a write transaction, because producing a document keeps it
and every download is written to the audit trail as a disclosure.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import Blueprint, Response, abort, send_file
from sqlalchemy.orm import Session

from engine import documents
from engine.core.errors import NotFound
from engine.core.models import User
from web.context import current_user, db, sign_in_required

blueprint = Blueprint("documents", __name__)


def _deliver(make: Callable[[Session, User | None], documents.Download]) -> Response:
    try:
        with db().transaction() as session:
            download = make(session, current_user())
    except NotFound:
        abort(404)
    return as_download(download)


def as_download(download: documents.Download) -> Response:
    """A document as a file to save, never kept by a browser or proxy cache (personal data)."""
    response = send_file(
        io.BytesIO(download.content),
        mimetype=download.media_type,
        as_attachment=True,
        download_name=download.filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/cases/<reference>/documents/meeting-pack")
@sign_in_required
def meeting_pack(reference: str) -> Response:
    return _deliver(lambda s, user: documents.meeting_pack(s, user, reference))


@blueprint.get("/cases/<reference>/documents/meeting-pack.zip")
@sign_in_required
def meeting_pack_zip(reference: str) -> Response:
    return _deliver(lambda s, user: documents.meeting_pack_zip(s, user, reference))


@blueprint.get("/cases/<reference>/documents/<int:document_id>")
@sign_in_required
def case_document(reference: str, document_id: int) -> Response:
    return _deliver(lambda s, user: documents.case_document(s, user, reference, document_id))


@blueprint.get("/statistics/<int:year>.docx")
def statistics_docx(year: int) -> Response:
    """Public: the published figures hold no personal data."""
    return _deliver(lambda s, user: documents.statistics_report(s, year, user=user))
