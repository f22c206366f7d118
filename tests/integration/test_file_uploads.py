"""Through the task page, as the agencies use it: a disguised program or page is refused with a
message saying what it holds and what it is named, nothing is kept, and every file is
downloaded as what it holds, under a name that says so, never opened in the browser."""

from __future__ import annotations

import io
import zipfile
from html import unescape

import docx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.core.config import load_settings
from engine.core.db import Database
from engine.core.models import Attachment
from tests.support.ole import installer, outlook_message
from tests.support.people import COUNCIL
from tests.support.procedure import application, do, live, submit
from tests.support.web import csrf_token, signed_in
from web import create_app

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EMAIL = (
    b"From: Sam Taylor <sam@example.org>\r\nTo: asb@example.org\r\n"
    b"Subject: Noise again\r\nDate: Mon, 2 Mar 2026 09:00:00 +0000\r\n\r\n"
    b"The music went on until 3am.\r\n"
)


@pytest.fixture
def app(app_db: Database, tmp_path) -> Flask:
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": app_db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    return create_app(settings, app_db)


@pytest.fixture
def task_id(app_db: Database) -> int:
    """The police's information return on a case waiting for the agencies' returns."""
    case_id = submit(app_db, application())
    do(app_db, case_id, "acknowledge", COUNCIL, {"method": "email"})
    do(app_db, case_id, "screen", COUNCIL, {"route": "review", "hate_element": False})
    return live(app_db, case_id)["police_return"].id


def upload(client: FlaskClient, task_id: int, filename: str, content: bytes):
    page = client.get("/sign-out").get_data(as_text=True)
    return client.post(
        f"/tasks/{task_id}/attachments",
        data={"csrf_token": csrf_token(page), "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def kept(db: Database) -> list[tuple[str, str]]:
    with db.read() as session:
        return [(a.filename, a.media_type) for a in session.scalars(select(Attachment))]


def word_with_a_program() -> bytes:
    document, out = docx.Document(), io.BytesIO()
    document.add_paragraph("Invoice")
    document.save(out)
    with zipfile.ZipFile(out, "a") as package:
        package.writestr("payload.exe", b"MZ\x90\x00 a program")
    return out.getvalue()


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("invoice.hta", PDF, "is named as a .hta file but holds a PDF"),
        ("run.bat", PDF, "is named as a .bat file but holds a PDF"),
        ("page.html", EMAIL, "is named as a .html file but holds an email"),
        ("image.svg", EMAIL, "is named as a .svg file but holds an email"),
        ("update.msi", installer(), "must be PDF, Word"),
        ("update.doc", installer(), "must be PDF, Word"),
        ("invoice.docx", word_with_a_program(), "macros"),
    ],
    ids=["hta", "bat", "html", "svg", "msi", "msi-as-doc", "docx-with-exe"],
)
def test_disguised_programs_and_pages_are_refused_and_not_kept(
    app: Flask, app_db: Database, task_id: int, filename: str, content: bytes, message: str
) -> None:
    police = signed_in(app, "police@example.org")
    refused = upload(police, task_id, filename, content)
    assert refused.status_code == 400
    assert message in unescape(refused.get_data(as_text=True))
    assert kept(app_db) == []


@pytest.mark.parametrize(
    ("filename", "content", "kept_as", "media_type"),
    [
        ("scan", PDF, "scan.pdf", "application/pdf"),
        ("complaint.eml", EMAIL, "complaint.eml", "message/rfc822"),
        ("message.doc", outlook_message(), "message.msg", "application/vnd.ms-outlook"),
    ],
    ids=["pdf", "eml", "msg"],
)
def test_a_file_is_downloaded_as_what_it_holds(
    app: Flask,
    app_db: Database,
    task_id: int,
    filename: str,
    content: bytes,
    kept_as: str,
    media_type: str,
) -> None:
    police = signed_in(app, "police@example.org")
    page = unescape(upload(police, task_id, filename, content).get_data(as_text=True))
    if kept_as == filename:
        assert f"'{filename}' is attached" in page
    else:
        assert f"'{filename}' is attached as '{kept_as}'" in page
    assert kept(app_db) == [(kept_as, media_type)]
    with app_db.read() as session:
        file_id = session.scalar(select(Attachment.id))
    download = signed_in(app, "council@example.org").get(f"/attachments/{file_id}")
    assert download.status_code == 200 and download.data == content
    assert download.headers["Content-Type"] == media_type
    assert download.headers["Content-Disposition"] == f"attachment; filename={kept_as}"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
