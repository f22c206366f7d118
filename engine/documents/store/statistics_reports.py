"""The statistics report: a financial year's published figures as a Word report, kept like
every generated document and made again only when the figures or the template change.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from engine.cases.statistics import YEARS, as_json, figures_for_year
from engine.core import clock
from engine.core.db import take_turns
from engine.core.errors import NotFound
from engine.core.models import Document, User
from engine.documents.report import render_statistics
from engine.documents.store.kept import Download, disclose, store_document, template_bytes
from engine.documents.word import DOCX_MEDIA_TYPE, template_path

STATISTICS_REPORT = "statistics_report"

# A kept report, as much of it as is needed to tell whether it is still current.
KeptReport = Row[int, int, dict[str, Any]]


def _latest_report(session: Session, year: int) -> KeptReport | None:
    earlier = session.execute(
        select(Document.id, Document.version, Document.detail).where(
            Document.case_id.is_(None), Document.kind == STATISTICS_REPORT
        )
    ).all()
    same_year = [row for row in earlier if (row.detail or {}).get("year") == year]
    return max(same_year, key=lambda row: row.version, default=None)


def _made_from(report: KeptReport | None, fingerprint: str) -> bool:
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
    digest.update(hashlib.sha256(template_bytes(template)).digest())
    fingerprint = digest.hexdigest()
    latest = _latest_report(session, year)
    if not _made_from(latest, fingerprint):
        # Two first downloads of a year's new figures at once would otherwise keep two
        # versions: they take turns, and the second finds the first's.
        take_turns(session, f"statistics-report:{year}")
        latest = _latest_report(session, year)
    if latest is not None and _made_from(latest, fingerprint):
        document = session.get_one(Document, latest.id)
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
    disclose(session, user, document, f"statistics report {figures.label}")
    return Download(document.filename, DOCX_MEDIA_TYPE, document.content, document.id)
