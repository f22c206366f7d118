"""What each report of a case counts for: the incident it belongs to and whether that incident
is a qualifying complaint, in words a caseworker checks the threshold count by."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine.cases.assessment import assess_case
from engine.cases.threshold import long_date
from engine.core.models import Case


@dataclass(frozen=True)
class ReportCounting:
    incident: int  # the incident's number in the chronology, from 1
    counts: bool  # the report that makes its incident a qualifying complaint
    words: str


def report_counting(session: Session, case: Case) -> dict[int, ReportCounting]:
    """Each stored report of ``case`` (by id) and what it counts for."""
    counting: dict[int, ReportCounting] = {}
    for number, incident in enumerate(assess_case(session, case).incidents, start=1):
        ids = [report.id for report in incident.reports if report.id is not None]
        if incident.unrelated:
            reason = incident.reports[0].mark_reason.strip()
            words = "No: marked as not about this behaviour" + (f" ({reason})" if reason else "")
            counting.update({i: ReportCounting(number, False, words) for i in ids})
            continue
        if not incident.qualifying:
            words = f"No: {incident.reason}"
            counting.update({i: ReportCounting(number, False, words) for i in ids})
            continue
        complaint = incident.complaint or incident.reports[0]
        for report in incident.reports:
            if report.id is None:
                continue
            if report is complaint:
                counting[report.id] = ReportCounting(number, True, "Yes")
            else:
                counting[report.id] = ReportCounting(
                    number,
                    False,
                    f"Counted once, as incident {number}, with the report of "
                    f"{long_date(complaint.reported_on)}",
                )
    return counting
