"""Files the applicant sends with their appeal from their own pages: checked by what they
hold as the agencies' files are, kept with the appeal, listed back to the applicant, and read
by the OPCC from its appeal tasks (each download in the audit trail); a file refused is named,
with what was typed kept and a word that the files must be chosen again."""

from __future__ import annotations

import io
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.models import Appeal, Attachment, AuditEvent
from engine.records.file_types import MAX_BYTES
from tests.support.applicant import following
from tests.support.people import COUNCIL, OPCC
from tests.support.procedure import do, live, reviewed_case
from tests.support.web import form_token, make_app, signed_in

WHAT = "The housing provider's noise diary was not read at the meeting"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
PAGE = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture
def app(all_db: Database, tmp_path: Path) -> Flask:
    return make_app(all_db, tmp_path)


def text(response: TestResponse) -> str:
    return unescape(response.get_data(as_text=True))


def send(client: FlaskClient, reference: str, files: list[tuple[bytes, str]]) -> TestResponse:
    token = form_token(client, f"/your-case/{reference}/appeal")
    return client.post(
        f"/your-case/{reference}/appeal",
        data={
            "csrf_token": token,
            "grounds": ["information_not_considered"],
            "details": WHAT,
            "files": [(io.BytesIO(content), name) for content, name in files],
        },
        content_type="multipart/form-data",
    )


def stored(db: Database) -> tuple[int, int]:
    """How many appeals and how many files sent with one there are."""
    with db.read() as session:
        appeals = session.scalar(select(func.count()).select_from(Appeal)) or 0
        files = session.scalar(
            select(func.count()).select_from(Attachment).where(Attachment.appeal_id.is_not(None))
        )
        return appeals, files or 0


def test_files_sent_with_an_appeal_reach_the_opcc_alone(
    app: Flask, all_db: Database, fixed_clock: FixedClock
) -> None:
    case_id, reference = reviewed_case(all_db, fixed_clock)
    client = following(app, all_db, case_id)
    form = text(client.get(f"/your-case/{reference}/appeal"))
    assert 'enctype="multipart/form-data"' in form and 'name="files" type="file" multiple' in form

    answer = send(client, reference, [(PDF, "noise diary.pdf"), (PNG, "hallway.jpg")])
    assert answer.status_code == 302, text(answer)[:2000]
    sent = text(client.get(answer.headers["Location"]))
    assert "Files you sent" in sent
    assert "<li>noise diary.pdf</li>" in sent
    assert "<li>hallway.png</li>" in sent, "kept under a name that says what it holds"
    page = text(client.get(f"/your-case/{reference}"))
    assert "With your appeal you sent:" in page and "<li>hallway.png</li>" in page
    assert stored(all_db) == (1, 2)

    opcc = signed_in(app, OPCC)
    task = live(all_db, case_id)["acknowledge_appeal"]
    on_task = text(opcc.get(f"/tasks/{task.id}"))
    assert "Files the applicant sent with the appeal" in on_task
    with all_db.read() as session:
        files = session.scalars(
            select(Attachment).where(Attachment.case_id == case_id).order_by(Attachment.id)
        ).all()
        ids = [file.id for file in files]
        assert [(f.organisation_id, f.uploaded_by_id, f.task_id) for f in files] == [
            (None, None, None)
        ] * 2
    for attachment_id in ids:
        assert f'href="/attachments/{attachment_id}"' in on_task
    download = opcc.get(f"/attachments/{ids[0]}")
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    with all_db.read() as session:
        disclosed = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "disclosure",
                AuditEvent.object_type == "attachment",
                AuditEvent.object_id == str(ids[0]),
            )
        ).all()
        assert len(disclosed) == 1
        added = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "attachment.added", AuditEvent.case_id == case_id
            )
        ).all()
        assert [event.detail["by"] for event in added] == ["applicant", "applicant"]

    # Still on the OPCC's next task; not the council's to read, nor counted among the
    # agencies' files on the case.
    do(
        all_db,
        case_id,
        "acknowledge_appeal",
        OPCC,
        {"method": "email"},
    )
    check = live(all_db, case_id)["check_eligibility"]
    assert f'href="/attachments/{ids[1]}"' in text(opcc.get(f"/tasks/{check.id}"))
    council = signed_in(app, COUNCIL)
    assert council.get(f"/attachments/{ids[0]}").status_code == 404
    assert "noise diary.pdf" not in text(council.get(f"/cases/{reference}"))
    assert "Files the applicant sent" not in text(council.get(f"/tasks/{check.id}"))


def test_a_disguised_file_is_refused_by_name_and_the_answers_are_kept(
    app: Flask, all_db: Database, fixed_clock: FixedClock
) -> None:
    case_id, reference = reviewed_case(all_db, fixed_clock)
    client = following(app, all_db, case_id)
    answer = send(client, reference, [(PDF, "diary.pdf"), (PAGE, "photo.jpg")])
    page = text(answer)
    assert answer.status_code == 400
    refusal = "'photo.jpg' must be PDF, Word, an image (PNG, JPEG, GIF, WebP, TIFF) or an email"
    assert f'<a href="#files">{refusal}' in page, "in the error summary, naming the file"
    assert 'id="files-error"' in page
    assert f">{WHAT}</textarea>" in page
    assert 'value="information_not_considered" checked' in page
    assert "cannot keep the files you chose: choose them again" in page
    assert stored(all_db) == (0, 0)

    answer = send(client, reference, [(PDF, "invoice.hta"), (b"", "empty.pdf")])
    page = text(answer)
    assert answer.status_code == 400
    assert "'invoice.hta' is named as a .hta file but holds a PDF" in page
    assert "'empty.pdf' is empty" in page, "every file refused is named"
    assert stored(all_db) == (0, 0)


def test_too_many_files_or_one_too_big_are_refused(
    app: Flask, all_db: Database, fixed_clock: FixedClock
) -> None:
    case_id, reference = reviewed_case(all_db, fixed_clock)
    client = following(app, all_db, case_id)
    six = [(PDF, f"page {n}.pdf") for n in range(1, 7)]
    answer = send(client, reference, six)
    assert answer.status_code == 400
    assert "Select no more than 5 files: you selected 6" in text(answer)
    big = b"%PDF-1.4\n" + b"0" * MAX_BYTES
    answer = send(client, reference, [(big, "scan.pdf")])
    assert answer.status_code == 400
    assert "'scan.pdf' must be smaller than 10 MB" in text(answer)
    assert stored(all_db) == (0, 0)

    # Files within the limit each, together more than a single upload may be, are taken.
    six_mb = b"%PDF-1.4\n" + b"0" * (6 * 1024 * 1024)
    answer = send(client, reference, [(six_mb, "scan 1.pdf"), (six_mb, "scan 2.pdf")])
    assert answer.status_code == 302, text(answer)[:2000]
    assert stored(all_db) == (1, 2)
