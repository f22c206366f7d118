"""Counting qualifying complaints for the Community Trigger / ASB Case Review threshold.

Section 104 of the Anti-social Behaviour, Crime and Policing Act 2014: the threshold is met
when at least ``threshold_count`` qualifying complaints were made (3 unless the area sets a
lower number). This module is pure: it takes incident reports and dates and returns an
assessment; it reads no clock, database or configuration.

A **qualifying complaint** is a report of ASB made to a relevant body within one calendar
month of the behaviour (``occurred_on <= reported_on <= occurred_on + 1 month``), where the
application is made within six calendar months of the report
(``reported_on <= application_received_on <= reported_on + 6 months``). Calendar months clamp
to the month end: 31 January + 1 month is 28 February (29 February in a leap year). A report
dated before the behaviour, or after the application, is an error in the data and does not
qualify.

**Counting** is by incident, not by report, and is about what was reported, not whether an
agency responded. Reports arrive from the application and from each agency's information
return, so one incident often appears several times. Two reports are treated as the same
incident when either:

- they share a non-empty crime/incident ``reference`` (compared ignoring case and all
  whitespace, so ``"DC 123/24"`` and ``"dc123/24"`` match), or
- their behaviour happened on the same ``occurred_on`` date: behaviour on one day is treated
  as one incident, even when it was reported to different bodies under different references.

Merging is transitive (a report linked to two groups joins them). A merged incident takes the
earliest ``occurred_on`` of its reports. It qualifies when any of its reports qualifies; the
earliest report is the relevant complaint, and a later report of the same behaviour never adds
a second one. Its reason is that of its earliest qualifying report or, when none qualifies,
that of its earliest report.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

MANDATORY_THRESHOLD = 3

# How a bare kind of body reads in a sentence; organisation keys are turned into words.
_KIND_NAMES = {
    "police": "the police",
    "council": "the council",
    "housing": "the housing provider",
    "health": "the health body",
}


@dataclass(frozen=True)
class IncidentReport:
    occurred_on: date
    reported_on: date
    reported_to: str  # organisation key or kind, e.g. "derbyshire-constabulary" or "police"
    reference: str = ""
    description: str = ""
    source: str = "application"  # "application" or the organisation key whose return listed it


@dataclass(frozen=True)
class AssessedIncident:
    occurred_on: date
    reports: tuple[IncidentReport, ...]  # all merged reports, earliest reported_on first
    qualifying: bool
    reason: str  # plain English, for the meeting pack chronology and the decision letter


@dataclass(frozen=True)
class ThresholdAssessment:
    incidents: tuple[AssessedIncident, ...]  # in occurred_on order
    qualifying_count: int
    threshold_count: int
    met_by_count: bool


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (earlier when negative), clamped to the
    last day of the month: 31 January + 1 month is 28 or 29 February."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def body_name(reported_to: str, names: Mapping[str, str] | None = None) -> str:
    """A readable name for an organisation key or kind: ``names`` first, then a guess."""
    key = reported_to.strip()
    if names and key in names:
        return names[key]
    if not key:
        return "a relevant body"
    if key.lower() in _KIND_NAMES:
        return _KIND_NAMES[key.lower()]
    if key != key.lower() or " " in key:
        return key  # already written as a name
    return " ".join(word.capitalize() for word in key.replace("_", "-").split("-") if word)


def normalise_reference(reference: str) -> str:
    """The form in which references are compared: no whitespace anywhere, case folded."""
    return "".join(reference.split()).casefold()


def is_qualifying(
    report: IncidentReport,
    application_received_on: date,
    *,
    names: Mapping[str, str] | None = None,
) -> tuple[bool, str]:
    """Whether one report is a qualifying complaint for an application, and why in words."""
    problems = []
    if report.reported_on < report.occurred_on:
        problems.append(
            f"reported on {_long_date(report.reported_on)}, before the behaviour on "
            f"{_long_date(report.occurred_on)} (an error in the dates)"
        )
    elif report.reported_on > add_months(report.occurred_on, 1):
        days = (report.reported_on - report.occurred_on).days
        problems.append(f"reported {days} days after the behaviour (more than one month)")
    if report.reported_on > application_received_on:
        problems.append(
            f"reported on {_long_date(report.reported_on)}, after the application was "
            f"received on {_long_date(application_received_on)}"
        )
    elif application_received_on > add_months(report.reported_on, 6):
        problems.append("reported more than six months before the application")
    if problems:
        return False, "; ".join(problems)
    return True, (
        f"reported to {body_name(report.reported_to, names)} within one month and within "
        "six months of the application"
    )


def _group(reports: list[IncidentReport]) -> list[list[IncidentReport]]:
    """Reports joined into incidents by shared reference or same behaviour date."""
    parent = list(range(len(reports)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_by_key: dict[tuple[str, object], int] = {}
    for i, report in enumerate(reports):
        keys: list[tuple[str, object]] = [("day", report.occurred_on)]
        reference = normalise_reference(report.reference)
        if reference:
            keys.append(("ref", reference))
        for key in keys:
            if key in first_by_key:
                parent[find(i)] = find(first_by_key[key])
            else:
                first_by_key[key] = i

    groups: dict[int, list[IncidentReport]] = {}
    for i, report in enumerate(reports):
        groups.setdefault(find(i), []).append(report)
    return list(groups.values())


def assess(
    reports: Iterable[IncidentReport],
    application_received_on: date,
    threshold_count: int = MANDATORY_THRESHOLD,
    *,
    names: Mapping[str, str] | None = None,
) -> ThresholdAssessment:
    """Merge reports into incidents, decide which qualify, and compare the count with the
    area's threshold. ``names`` maps organisation keys to names for the reasons."""
    if (
        isinstance(threshold_count, bool)
        or not isinstance(threshold_count, int)
        or not 1 <= threshold_count <= MANDATORY_THRESHOLD
    ):
        raise ValueError(
            f"threshold_count must be a whole number from 1 to {MANDATORY_THRESHOLD}: "
            "an area may lower the mandatory threshold but never raise it"
        )

    incidents = []
    for group in _group(list(reports)):
        ordered = tuple(sorted(group, key=lambda r: (r.reported_on, r.occurred_on)))
        verdicts = [is_qualifying(r, application_received_on, names=names) for r in ordered]
        qualifying = [reason for ok, reason in verdicts if ok]
        incidents.append(
            AssessedIncident(
                occurred_on=min(r.occurred_on for r in ordered),
                reports=ordered,
                qualifying=bool(qualifying),
                reason=qualifying[0] if qualifying else verdicts[0][1],
            )
        )
    incidents.sort(key=lambda incident: (incident.occurred_on, incident.reports[0].reported_on))

    count = sum(1 for incident in incidents if incident.qualifying)
    return ThresholdAssessment(
        incidents=tuple(incidents),
        qualifying_count=count,
        threshold_count=threshold_count,
        met_by_count=count >= threshold_count,
    )
