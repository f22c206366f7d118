"""Counting qualifying complaints for the Community Trigger / ASB Case Review threshold.

Section 104 of the Anti-social Behaviour, Crime and Policing Act 2014: the threshold is met
when at least ``threshold_count`` qualifying complaints were made (3 unless the area sets a
lower number). This module is pure: it takes incident reports and dates and returns an
assessment; it reads no clock, database or configuration.

A **qualifying complaint** is a report of ASB made to a **relevant body** (the council, the
police, a social housing provider of the area, and whatever else the area names: the caller
says which bodies those are) "within the period of one month beginning with the date on which
the behaviour is alleged to have occurred", where the application is made "within the period
of six months beginning with the date on which the complaint is made". A period of months
beginning with a day includes that day and ends on the day before the same date that many
months later (1 January's month ends on 31 January), or on the last day of the month when that
month has no such date (31 January's month ends on 28 February, 29 in a leap year). A report
to anyone else (an MP, a GP, a charity) is kept and shown but never counts. A report dated
before the behaviour, or after the application, is an error in the data and does not qualify.

**Counting** is by incident, not by report, and is about what was reported, not whether an
agency responded. Reports arrive from the application and from each agency's information
return, so one incident often appears several times. Two reports are treated as the same
incident when either:

- they share a non-empty crime/incident ``reference`` (compared by its letters and digits
  alone, ignoring case, so ``"DC 123/24"``, ``"dc-123-24"`` and ``"DC12324"`` match), or
- they are about behaviour on the same day, were made to the same body, and do not carry two
  different references: the applicant's own entry and that body's return of one report.

Behaviour on one day reported to two bodies, or under two references, is two incidents unless
staff say otherwise. Staff may mark a report:

- ``duplicate`` of another report: it joins that report's incident and nothing else;
- ``separate``: a different incident from anything it would be matched with by the rules above
  (it still joins a report that is marked a duplicate of it);
- ``unrelated``: not about the behaviour under review; it is shown, and never counts.

Merging is transitive (a report linked to two groups joins them). A merged incident takes the
earliest ``occurred_on`` of its reports. It qualifies when any of its reports qualifies; the
earliest report is the relevant complaint, and a later report of the same behaviour never adds
a second one. Its reason is that of its earliest qualifying report or, when none qualifies,
that of its earliest report.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

MANDATORY_THRESHOLD = 3
MARKS = ("duplicate", "separate", "unrelated")
# Who a report was made to when it was none of the bodies the service knows.
SOMEONE_ELSE = "other"

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
    id: int | None = None
    # Who it was told to, in the applicant's words, when ``reported_to`` is ``SOMEONE_ELSE``.
    reported_to_other: str = ""
    # What staff said about it: one of ``MARKS`` (or nothing), why, and for a duplicate the
    # ``id`` of the report it repeats.
    mark: str = ""
    mark_reason: str = ""
    duplicate_of: int | None = None


@dataclass(frozen=True)
class AssessedIncident:
    occurred_on: date
    reports: tuple[IncidentReport, ...]  # all merged reports, earliest reported_on first
    qualifying: bool
    reason: str  # plain English, for the meeting pack chronology and the decision letter
    # Staff's marks on its reports, as sentences (why a report was joined, kept apart or left
    # out), for whoever checks the count.
    marks: tuple[str, ...] = ()
    unrelated: bool = False  # a report staff left out: shown, never counted
    complaint: IncidentReport | None = None  # the report that qualifies it, if one does


@dataclass(frozen=True)
class Application:
    """One of several linked applications about the same behaviour, for the community
    threshold: whose it is (``person``, a key that tells individuals apart), when it was
    received, and the reports it gives."""

    reference: str
    person: str
    received_on: date
    reports: tuple[IncidentReport, ...]


@dataclass(frozen=True)
class CountedApplication:
    reference: str
    counts: bool  # a separate individual who reported within the period
    reason: str


@dataclass(frozen=True)
class CommunityAssessment:
    """The area's community threshold over linked applications: at least ``needed`` separate
    individuals reported related incidents to a relevant body within ``months`` months."""

    applications: tuple[CountedApplication, ...]  # in the order they were received
    individuals: int
    needed: int
    months: int
    met: bool


@dataclass(frozen=True)
class ThresholdAssessment:
    incidents: tuple[AssessedIncident, ...]  # in occurred_on order
    qualifying_count: int
    threshold_count: int
    met_by_count: bool
    community: CommunityAssessment | None = None  # with linked applications, where the area
    # has a community threshold

    @property
    def met(self) -> bool:
        """Met by the count of qualifying complaints, or by the community threshold."""
        return self.met_by_count or (self.community is not None and self.community.met)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (earlier when negative), clamped to the
    last day of the month: 31 January + 1 month is 28 or 29 February."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_day_of_period(first_day: date, months: int) -> date:
    """The last day of "the period of ``months`` months beginning with" ``first_day``: the day
    before the same date that many months later or, when that month has no such date, its
    last day (the month beginning with 1 January ends on 31 January; with 31 January, on the
    last day of February)."""
    same_date = add_months(first_day, months)
    return same_date if same_date.day < first_day.day else same_date - timedelta(days=1)


def long_date(day: date) -> str:
    """1 March 2026."""
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


def told(report: IncidentReport, names: Mapping[str, str] | None = None) -> str:
    """Who a report was made to, in words: the applicant's own when it was someone else."""
    if report.reported_to == SOMEONE_ELSE:
        return report.reported_to_other.strip() or "someone else"
    return body_name(report.reported_to, names)


def normalise_reference(reference: str) -> str:
    """The form in which references are compared: letters and digits only, case folded, as one
    reference is written "DC-101", "dc 101" or "DC/101"."""
    return "".join(character for character in reference if character.isalnum()).casefold()


def is_qualifying(
    report: IncidentReport,
    application_received_on: date,
    *,
    relevant_bodies: Collection[str],
    names: Mapping[str, str] | None = None,
) -> tuple[bool, str]:
    """Whether one report is a qualifying complaint for an application, and why in words.
    ``relevant_bodies`` holds the ``reported_to`` values that name a relevant body."""
    problems = []
    if report.reported_to not in relevant_bodies:
        problems.append(f"reported to {told(report, names)}, which is not a relevant body")
    month_ends = last_day_of_period(report.occurred_on, 1)
    if report.reported_on < report.occurred_on:
        problems.append(
            f"reported on {long_date(report.reported_on)}, before the behaviour on "
            f"{long_date(report.occurred_on)} (an error in the dates)"
        )
    elif report.reported_on > month_ends:
        problems.append(
            f"reported on {long_date(report.reported_on)}, after the month beginning with "
            f"the behaviour ended on {long_date(month_ends)}"
        )
    six_months_end = last_day_of_period(report.reported_on, 6)
    if report.reported_on > application_received_on:
        problems.append(
            f"reported on {long_date(report.reported_on)}, after the application was "
            f"received on {long_date(application_received_on)}"
        )
    elif application_received_on > six_months_end:
        problems.append(
            f"the application came after the six months beginning with the report ended on "
            f"{long_date(six_months_end)}"
        )
    if problems:
        return False, "; ".join(problems)
    return True, (
        f"reported to {told(report, names)} within one month and within six months of the "
        "application"
    )


def _group(reports: list[IncidentReport]) -> list[list[IncidentReport]]:
    """Reports joined into incidents: by a shared reference, by the same day and body, and
    by staff's marks (which, for the reports they mark, replace the first two)."""
    parent = list(range(len(reports)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    by_id = {report.id: i for i, report in enumerate(reports) if report.id is not None}
    first_with_reference: dict[str, int] = {}
    same_day_and_body: dict[tuple[date, str], list[int]] = {}
    for i, report in enumerate(reports):
        if report.mark == "duplicate" and report.duplicate_of in by_id:
            join(i, by_id[report.duplicate_of])
            continue
        if report.mark == "separate":
            continue
        reference = normalise_reference(report.reference)
        if reference:
            if reference in first_with_reference:
                join(i, first_with_reference[reference])
            else:
                first_with_reference[reference] = i
        body = (
            report.reported_to_other.strip().casefold()
            if report.reported_to == SOMEONE_ELSE
            else report.reported_to
        )
        seen = same_day_and_body.setdefault((report.occurred_on, body), [])
        for j in seen:
            other = normalise_reference(reports[j].reference)
            if not reference or not other or reference == other:
                join(i, j)
                break
        seen.append(i)

    groups: dict[int, list[IncidentReport]] = {}
    for i, report in enumerate(reports):
        groups.setdefault(find(i), []).append(report)
    return list(groups.values())


def _mark_sentence(
    report: IncidentReport,
    by_id: Mapping[int, IncidentReport],
    names: Mapping[str, str] | None,
) -> str:
    this = f"The report of {long_date(report.occurred_on)} to {told(report, names)}"
    why = f": {report.mark_reason.strip()}" if report.mark_reason.strip() else ""
    if report.mark == "duplicate":
        original = by_id.get(report.duplicate_of) if report.duplicate_of is not None else None
        of = (
            f"the report of {long_date(original.occurred_on)} to {told(original, names)}"
            if original is not None
            else "another report"
        )
        return f"{this} was marked a duplicate of {of}{why}"
    if report.mark == "separate":
        return f"{this} was marked a separate incident{why}"
    return f"{this} was marked as not about this behaviour{why}"


def assess(
    reports: Iterable[IncidentReport],
    application_received_on: date,
    threshold_count: int = MANDATORY_THRESHOLD,
    *,
    relevant_bodies: Collection[str],
    names: Mapping[str, str] | None = None,
) -> ThresholdAssessment:
    """Merge reports into incidents, decide which qualify, and compare the count with the
    area's threshold. ``relevant_bodies`` holds the ``reported_to`` values that name a
    relevant body; ``names`` maps organisation keys to names for the reasons."""
    if (
        isinstance(threshold_count, bool)
        or not isinstance(threshold_count, int)
        or not 1 <= threshold_count <= MANDATORY_THRESHOLD
    ):
        raise ValueError(
            f"threshold_count must be a whole number from 1 to {MANDATORY_THRESHOLD}: "
            "an area may lower the mandatory threshold but never raise it"
        )

    every = list(reports)
    by_id = {report.id: report for report in every if report.id is not None}
    incidents = [
        AssessedIncident(
            occurred_on=report.occurred_on,
            reports=(report,),
            qualifying=False,
            reason="marked as not about this behaviour",
            marks=(_mark_sentence(report, by_id, names),),
            unrelated=True,
        )
        for report in every
        if report.mark == "unrelated"
    ]
    for group in _group([report for report in every if report.mark != "unrelated"]):
        ordered = tuple(sorted(group, key=lambda r: (r.reported_on, r.occurred_on)))
        verdicts = [
            is_qualifying(r, application_received_on, relevant_bodies=relevant_bodies, names=names)
            for r in ordered
        ]
        qualifying = [(r, reason) for r, (ok, reason) in zip(ordered, verdicts, strict=True) if ok]
        incidents.append(
            AssessedIncident(
                occurred_on=min(r.occurred_on for r in ordered),
                reports=ordered,
                qualifying=bool(qualifying),
                reason=qualifying[0][1] if qualifying else verdicts[0][1],
                marks=tuple(_mark_sentence(r, by_id, names) for r in ordered if r.mark),
                complaint=qualifying[0][0] if qualifying else None,
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


def assess_community(
    applications: Iterable[Application],
    needed: int,
    months: int,
    *,
    relevant_bodies: Collection[str],
    names: Mapping[str, str] | None = None,
) -> CommunityAssessment:
    """Count the separate individuals among linked applications who reported the behaviour
    to a relevant body within the ``months`` months beginning with their report and ending on
    or after the latest application. One person applying twice counts once; a report staff
    marked as not about the behaviour, or made after its application, does not count."""
    ordered = sorted(applications, key=lambda a: (a.received_on, a.reference))
    latest = max((a.received_on for a in ordered), default=None)
    first_of_person: dict[str, str] = {}
    counted = []
    for application in ordered:
        if application.person in first_of_person:
            counted.append(
                CountedApplication(
                    application.reference,
                    False,
                    f"the same individual as {first_of_person[application.person]}",
                )
            )
            continue
        in_time = [
            report
            for report in sorted(application.reports, key=lambda r: r.reported_on)
            if report.mark != "unrelated"
            and report.reported_to in relevant_bodies
            and report.reported_on <= application.received_on
            and latest is not None
            and latest <= last_day_of_period(report.reported_on, months)
        ]
        if in_time:
            first_of_person[application.person] = application.reference
            report = in_time[-1]
            reason = (
                f"reported to {told(report, names)} on {long_date(report.reported_on)}, within "
                f"{months} months"
            )
        else:
            reason = f"no report to a relevant body within {months} months of the last application"
        counted.append(CountedApplication(application.reference, bool(in_time), reason))
    individuals = sum(1 for item in counted if item.counts)
    return CommunityAssessment(
        applications=tuple(counted),
        individuals=individuals,
        needed=needed,
        months=months,
        met=individuals >= needed,
    )
