"""The council's staff say what a report counts for: a duplicate of another report, a separate
incident, or not about the behaviour under review. Each mark has a reason, is kept with who
made it and when, and is in the audit trail; the threshold count follows it until the
threshold decision is recorded, after which what counted then stays as it was."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from engine.cases.threshold import MARKS
from engine.core import audit, clock
from engine.core.errors import InvalidData, NotFound
from engine.core.models import Incident, User
from engine.people.access import visible_case
from engine.work.before_decision import check_before_decision, may_before_decision

MARKED = "incident.marked"
COUNTS = "counts"  # the answer that takes a mark away: the rules alone decide
LONGEST_REASON = 2000
CHOOSE = "Select whether this report counts towards the threshold"
CHOOSE_ORIGINAL = "Select the report this one repeats"
GIVE_A_REASON = "Enter why you are marking this report"
MARKING = "say what a report counts for"
TOO_LATE = "what counted then stays as it was"


def may_mark_reports(session: Session, user: User, reference: str) -> bool:
    """A caseworker or manager of the council managing the case, until the threshold
    decision is recorded."""
    return may_before_decision(session, user, reference, doing=MARKING, after=TOO_LATE)


def report_to_mark(session: Session, user: User, reference: str, incident_id: int) -> Incident:
    """The report a member of staff is about to mark, with the same refusals as marking."""
    case = visible_case(session, user, reference)
    report = session.get(Incident, incident_id)
    if report is None or report.case_id != case.id:
        raise NotFound(f"case {reference} has no report {incident_id}")
    check_before_decision(session, user, case, doing=MARKING, after=TOO_LATE)
    return report


def mark_report(
    session: Session,
    user: User,
    reference: str,
    incident_id: int,
    answers: Mapping[str, str],
) -> Incident:
    """Record what a report counts for. ``answers``: ``mark`` (one of ``MARKS``, or
    ``counts`` to let the rules decide again), ``duplicate_of`` (a report's id, for a
    duplicate) and ``why`` (needed for a mark).

    ``NotFound``, ``NotAllowed`` and ``Conflict`` as ``report_to_mark``; ``InvalidData`` with
    every answer to correct."""
    report = report_to_mark(session, user, reference, incident_id)
    mark = answers.get("mark", "").strip()
    reason = answers.get("why", "").strip()
    problems: dict[str, str] = {}
    if mark not in (*MARKS, COUNTS):
        problems["mark"] = CHOOSE
    original = None
    if mark == "duplicate":
        original = _original(session, report, answers.get("duplicate_of", ""))
        if original is None:
            problems["duplicate_of"] = CHOOSE_ORIGINAL
    if mark in MARKS and not reason:
        problems["why"] = GIVE_A_REASON
    if len(reason) > LONGEST_REASON:
        problems["why"] = f"Why must be {LONGEST_REASON:,} characters or fewer"
    if problems:
        raise InvalidData("What the report counts for needs correcting", problems)

    before = {"mark": report.mark, "duplicate_of": report.duplicate_of_id}
    report.mark = None if mark == COUNTS else mark
    report.duplicate_of_id = original.id if original is not None else None
    report.mark_reason = reason if mark in MARKS else ""
    report.marked_by_id = user.id
    report.marked_at = clock.now()
    audit.record(
        session,
        MARKED,
        user=user,
        case_id=report.case_id,
        object_type="incident",
        object_id=str(report.id),
        detail={
            "from": before["mark"] or COUNTS,
            "to": mark,
            "duplicate_of": report.duplicate_of_id,
            "was_duplicate_of": before["duplicate_of"],
            "reason": report.mark_reason,
        },
    )
    session.flush()
    # The case's reports are read again by whoever counts them next.
    session.expire(report.case, ["incidents"])
    return report


def _original(session: Session, report: Incident, chosen: str) -> Incident | None:
    """The report chosen as the one this repeats, unless it is not one this may repeat: in
    another case, left out, itself, or (through its own marks) a duplicate of this one."""
    if not chosen.strip().isdigit():
        return None
    candidate = session.get(Incident, int(chosen))
    seen = {report.id}
    step = candidate
    while step is not None:
        if step.case_id != report.case_id or step.mark == "unrelated" or step.id in seen:
            return None
        seen.add(step.id)
        step = session.get(Incident, step.duplicate_of_id) if step.mark == "duplicate" else None
    return candidate
