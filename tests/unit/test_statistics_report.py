"""The statistics report: the published table as a Word document, a new version only when
the figures change."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from engine.core.db import Database
from engine.core.errors import NotFound
from engine.core.models import AuditEvent, Document
from engine.documents import statistics_report
from tests.support.documents import decided_case, open_docx, rows_of


def test_statistics_report_is_the_published_table(db: Database) -> None:
    decided_case(db, date(2025, 5, 1), met=False)
    decided_case(db, date(2025, 6, 1), met=True)
    decided_case(db, date(2024, 6, 1), met=True)  # another year
    with db.transaction() as session:
        download = statistics_report(session, 2025)
    assert download.filename == "asb-case-review-statistics-2025-26.docx"
    report = open_docx(download.content)
    assert report.paragraphs[0].text == "ASB Case Review (Community Trigger) figures for 2025/26"
    assert "1 April 2025 to 31 March 2026" in report.paragraphs[1].text
    rows = rows_of(report.tables[0])
    assert rows[0] == [
        "Measure",
        "Amber Valley",
        "Bolsover",
        "Chesterfield",
        "Derby City",
        "Derbyshire Dales",
        "Erewash",
        "High Peak",
        "North East Derbyshire",
        "South Derbyshire",
        "Total",
    ]
    assert rows[1] == ["Number of ASB Case Review applications received"] + ["0"] * 4 + ["2"] + [
        "0"
    ] * 4 + ["2"]
    assert rows[2][5] == "1" and rows[2][-1] == "1"
    assert report.sections[0].page_width > report.sections[0].page_height, "landscape"

    with db.transaction() as session:
        again = statistics_report(session, 2025)
    assert again.document_id == download.document_id, "same figures: the same version"
    decided_case(db, date(2025, 7, 1), met=True)
    with db.transaction() as session:
        changed = statistics_report(session, 2025)
        assert changed.document_id != download.document_id
        versions = session.scalars(
            select(Document.version).where(Document.kind == "statistics_report")
        ).all()
    # Audit events are written when their transaction commits.
    with db.read() as session:
        downloads = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "disclosure")
        )
    assert sorted(versions) == [1, 2]
    assert downloads == 3
    with pytest.raises(NotFound), db.transaction() as session:
        statistics_report(session, 1850)


def test_first_downloads_of_new_figures_at_once_keep_one_version(db: Database) -> None:
    """Two people download a year's report, whose figures have changed, at the same moment:
    one version is kept and both get it."""
    decided_case(db, date(2025, 5, 1), met=True)
    start = threading.Barrier(2)
    got: list[int] = []

    def download() -> None:
        start.wait()
        with db.transaction() as session:
            got.append(statistics_report(session, 2025).document_id)

    downloaders = [threading.Thread(target=download) for _ in range(2)]
    for downloader in downloaders:
        downloader.start()
    for downloader in downloaders:
        downloader.join()
    with db.read() as session:
        kept = session.scalars(
            select(Document.id).where(Document.kind == "statistics_report")
        ).all()
    assert len(kept) == 1
    assert got == kept * 2
