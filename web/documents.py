"""Downloads of generated documents: the meeting pack (alone or with its attachments), a kept
letter, and the published statistics as a report, each as Word, OpenDocument or PDF
(``?format=docx|odt|pdf``; Word when none is asked for).

Each route is one engine call in a write transaction, because producing a document keeps it
and every download is written to the audit trail as a disclosure. A copy in another format is
made in the same transaction, so a download that could not be made is not recorded as given.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import Blueprint, Response, abort, render_template, request, send_file
from sqlalchemy.orm import Session

from engine import documents
from engine.core.errors import NotFound
from engine.core.models import User
from web.context import current_user, db, settings, sign_in_required

blueprint = Blueprint("documents", __name__)


def converter() -> documents.Converter:
    return documents.converter_for(settings())


def requested_format(
    default: documents.DocumentFormat = documents.WORD,
) -> documents.DocumentFormat:
    """The format ``?format=`` asks for; a page that is not there for any other."""
    if "format" not in request.args:
        return default
    try:
        return documents.document_format(request.args["format"])
    except documents.UnknownFormat:
        abort(404)


@blueprint.app_template_global()
def document_formats() -> tuple[list[documents.DocumentFormat], str | None]:
    """The formats documents can be downloaded in just now, and why only Word when that is
    so: the pages offer Word whatever happens to LibreOffice."""
    reason = converter().unavailable()
    if reason:
        return [documents.WORD], reason
    return list(documents.FORMATS.values()), None


def deliver(
    make: Callable[[Session, User | None], documents.Download],
    to: documents.DocumentFormat,
) -> Response | tuple[str, int]:
    """The document ``make`` hands out, in the format ``to``; when it cannot be made in that
    format, a page saying why, with the Word file offered instead."""
    try:
        with db().transaction() as session:
            download = make(session, current_user()).made_as(to, converter())
    except NotFound:
        abort(404)
    except documents.ConversionUnavailable as error:
        word = request.path + "?format=docx"
        page = render_template(
            "documents/unavailable.html", wanted=to, reason=str(error), word_url=word
        )
        return page, 503
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
def meeting_pack(reference: str) -> Response | tuple[str, int]:
    to = requested_format()
    return deliver(lambda s, user: documents.meeting_pack(s, user, reference), to)


@blueprint.get("/cases/<reference>/documents/meeting-pack.zip")
@sign_in_required
def meeting_pack_zip(reference: str) -> Response | tuple[str, int]:
    # The pack goes in the zip as Word, beside the agencies' files as they sent them.
    return deliver(lambda s, user: documents.meeting_pack_zip(s, user, reference), documents.WORD)


@blueprint.get("/cases/<reference>/documents/<int:document_id>")
@sign_in_required
def case_document(reference: str, document_id: int) -> Response | tuple[str, int]:
    to = requested_format()
    return deliver(lambda s, user: documents.case_document(s, user, reference, document_id), to)


@blueprint.get("/statistics/<int:year>/report")
def statistics_report(year: int) -> Response | tuple[str, int]:
    """Public: the published figures hold no personal data."""
    to = requested_format()
    return deliver(lambda s, user: documents.statistics_report(s, year, user=user), to)


@blueprint.get("/statistics/<int:year>.docx")
def statistics_docx(year: int) -> Response | tuple[str, int]:
    """The report as Word, at the address it has always had beside the .csv and .json."""
    return deliver(lambda s, user: documents.statistics_report(s, year, user=user), documents.WORD)
