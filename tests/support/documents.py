"""Documents the service writes, read back as a reader would: a Word file opened with
python-docx, a case's meeting pack, a case with a file attached or a decision made; and text
of every kind to write into them."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from engine.cases.opening import open_case
from engine.core import clock
from engine.core.db import Database
from engine.core.models import Attachment, Case, Task
from engine.documents import meeting_pack
from tests.support.people import COUNCIL, user

# Unicode of every kind, and characters a database stores but XML cannot hold.
NASTY = "Zoë O’Brien-Łukasz 王秀英 مريم \U0001f600 \x07\x1b\x0b\ufffe end"


def open_docx(content: bytes) -> docx.document.Document:
    assert content[:2] == b"PK", "a Word file is a zip package"
    return docx.Document(io.BytesIO(content))


def soffice() -> str:
    """LibreOffice's program, or the test is skipped where it is not installed."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.skip(
            "LibreOffice is not installed (Debian: apt-get install libreoffice-writer-nogui); "
            "CI installs it to check the documents open"
        )
    return found


def converter_installed() -> None:
    """Skip the test where the service's converter cannot run: it needs LibreOffice and the
    system Python's uno module."""
    soffice()
    python = Path("/usr/bin/python3")
    found = python.is_file() and not subprocess.run([python, "-c", "import uno"]).returncode
    if not found:
        pytest.skip("python3-uno is not installed (Debian: apt-get install python3-uno)")


def to_pdf(files: dict[str, bytes], folder: Path) -> dict[str, bytes]:
    """Word files, by name, as LibreOffice lays them out and exports them to PDF."""
    program = soffice()
    for name, content in files.items():
        (folder / name).write_bytes(content)
    result = subprocess.run(
        [
            program,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder / "pdf"),
            *sorted(str(folder / name) for name in files),
        ],
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    pdfs = {}
    for name in files:
        pdf = folder / "pdf" / Path(name).with_suffix(".pdf").name
        assert pdf.is_file(), f"LibreOffice could not open {name}: {result.stdout!r}"
        pdfs[name] = pdf.read_bytes()
    return pdfs


def pdf_lines(pdf: bytes) -> list[str]:
    """The lines of text of a PDF, page by page, in the order they were laid out."""
    lines: list[str] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        lines += page.extract_text().splitlines()
    return lines


def is_tagged_pdf_a(pdf: bytes) -> bool:
    """Whether a PDF says it is tagged (a structure tree a screen reader follows, and marked
    content) and declares PDF/A-2 or later in its XMP metadata."""
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    marked = bool(root.get("/MarkInfo", {}).get("/Marked"))
    metadata = reader.xmp_metadata
    part = str(metadata.pdfaid_part or "") if metadata is not None else ""
    return "/StructTreeRoot" in root and marked and part.isdigit() and int(part) >= 2


def odt_lines(odt: bytes, folder: Path) -> list[str]:
    """The lines of an OpenDocument text as LibreOffice opens it and lays it out."""
    assert odt[:2] == b"PK", "an OpenDocument file is a zip package"
    return pdf_lines(to_pdf({"document.odt": odt}, folder)["document.odt"])


def rows_of(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def reference_of(db: Database, case_id: int) -> str:
    with db.read() as session:
        return session.get(Case, case_id).reference


def pack_for(db: Database, reference: str, email: str = COUNCIL, **options):
    with db.transaction() as session:
        return meeting_pack(session, user(db, email), reference, **options)


def add_attachment(
    db: Database, case_id: int, task_name: str, email: str, name: str, data: bytes
) -> None:
    """Add the PDF ``name`` to the case's task ``task_name`` as ``email``; the clock then moves on
    a minute, so that files added one after another are told apart by their time."""
    with db.transaction() as session:
        task = session.scalar(
            select(Task).where(Task.case_id == case_id, Task.spec_name == task_name)
        )
        who = user(db, email)
        session.add(
            Attachment(
                case_id=case_id,
                task_id=task.id,
                organisation_id=who.organisation_id,
                uploaded_by_id=who.id,
                filename=name,
                media_type="application/pdf",
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                content=data,
                created_at=clock.now(),
            )
        )
    clock.get_clock().advance(timedelta(minutes=1))


def decided_case(db: Database, received: date, *, met: bool) -> None:
    """A Dales case received and decided on ``received``, met or not."""
    with db.transaction() as session:
        case = open_case(session, "derbyshire-dales", received)
        case.threshold_met, case.decision_basis, case.decided_on = (
            met,
            "count" if met else "discretion",
            received,
        )
