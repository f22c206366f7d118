"""An audit event as a sentence a person reads: "Carys Walker completed Acknowledge the
application". The one place the trail's codes become words, so the case page, the API and the
administrators' download say the same thing.

A sentence names only what the event already shows its reader (who acted, the task, the
statuses); it never looks up the applicant or anyone else's details. An action this module
does not know still reads as words, from its code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.models import Task

SERVICE = "The service"
APPLICANT = "The applicant"


def words(code: str) -> str:
    """``review_being_arranged`` -> ``Review being arranged``."""
    text = str(code).replace("_", " ").replace(".", " ").strip()
    return text[:1].upper() + text[1:]


def describe(
    action: str,
    *,
    actor: str | None = None,
    detail: Mapping[str, Any] | None = None,
    task_title: str | None = None,
) -> str:
    """The event in plain English. ``actor`` is the name of whoever acted (none for the
    service itself); ``task_title`` the title of the task the event is about, if any."""
    detail = detail or {}
    who = actor or (APPLICANT if detail.get("by") == "applicant" else SERVICE)
    task = task_title or (words(detail["task"]) if detail.get("task") else "a task")
    phrase = _PHRASES.get(action)
    sentence = phrase(who, task, detail) if phrase else f"{who}: {words(action).lower()}"
    if detail.get("justification"):
        sentence += f". Reason given: {detail['justification']}"
    return sentence


def task_titles(session: Session, objects: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The titles of the tasks among events' ``(object_type, object_id)``, by task id."""
    ids = {int(oid) for otype, oid in objects if otype == "task" and str(oid).isdigit()}
    if not ids:
        return {}
    rows = session.execute(select(Task.id, Task.title).where(Task.id.in_(ids)))
    return {str(task_id): title for task_id, title in rows}


_REPORT_MARKS = {
    "duplicate": "a duplicate of another report",
    "separate": "a separate incident",
    "unrelated": "not about the behaviour under review",
    "counts": "counting as the rules decide",
}


def _report_marked(who: str, task: str, detail: Mapping[str, Any]) -> str:
    mark = _REPORT_MARKS.get(str(detail.get("to")), words(str(detail.get("to") or "")).lower())
    reason = f" ({detail['reason']})" if detail.get("reason") else ""
    return f"{who} marked a report as {mark}{reason}"


def _status_changed(who: str, task: str, detail: Mapping[str, Any]) -> str:
    to = words(detail.get("to") or "")
    if not detail.get("from"):
        return f"The case's status was set to {to}"
    return f"The case's status changed from {words(detail['from'])} to {to}"


def _viewed(who: str, task: str, detail: Mapping[str, Any]) -> str:
    purpose = detail.get("purpose")
    if purpose == "task":
        return f"{who} looked at the case to work on a task"
    return f"{who} looked at the case" + (f" ({purpose})" if purpose else "")


def _disclosure(who: str, task: str, detail: Mapping[str, Any]) -> str:
    what = detail.get("what") or "a document"
    return f"{who} downloaded {what}"


def _escalated(who: str, task: str, detail: Mapping[str, Any]) -> str:
    level = detail.get("level")
    return f"{task} is overdue and was escalated" + (f" (level {level})" if level else "")


def _searched(who: str, task: str, detail: Mapping[str, Any]) -> str:
    """'Dana Hall searched the cases for "smith", in Erewash, received from 1 March 2026
    (3 found)'; a download of them 'downloaded the cases ...'."""
    asked = detail.get("looked_for") or {}
    parts = [f'for "{asked["text"]}"'] if asked.get("text") else []
    if asked.get("district"):
        parts.append(f"in {asked.get('district_name') or asked['district']}")
    if asked.get("status"):
        parts.append(f"with the status {words(asked['status'])}")
    first, last = _day(asked.get("received_from")), _day(asked.get("received_to"))
    if first and last:
        parts.append(f"received from {first} to {last}")
    elif first or last:
        parts.append(f"received {'on or after ' + first if first else 'on or before ' + last}")
    did = "downloaded the cases" if detail.get("channel") == "download" else "searched the cases"
    found = detail.get("found")
    count = f"{'more than ' if detail.get('found_more') else ''}{found:,} found"
    return (
        f"{who} {did}"
        + (f" {', '.join(parts)}" if parts else "")
        + (f" ({count})" if isinstance(found, int) else "")
    )


def _day(iso: Any) -> str:
    try:
        return date.fromisoformat(str(iso)).strftime("%-d %B %Y") if iso else ""
    except ValueError:
        return str(iso)


def _released(who: str, task: str, detail: Mapping[str, Any]) -> str:
    taken = f", taking it from {detail['from']}" if detail.get("from") else ""
    return f"{who} put {task} back in the team's queue{taken}"


def _reassigned(who: str, task: str, detail: Mapping[str, Any]) -> str:
    to = detail.get("to") or "someone else"
    taken = f", taking it from {detail['from']}" if detail.get("from") else ""
    return f"{who} gave {task} to {to}{taken}"


def _assigned(who: str, task: str, detail: Mapping[str, Any]) -> str:
    if detail.get("because") == "previous_step":
        to = detail.get("to") or "the person"
        return f"{task} was given to {to}, who completed the case's previous step in its lane"
    return f"{task} was given to {detail.get('as') or 'a person'}"


def _hate_element_changed(who: str, task: str, detail: Mapping[str, Any]) -> str:
    """'Carys Walker screened the application: a hate element, where the applicant said
    none, because ...'"""
    found = "a hate element" if detail.get("screening_found") else "no hate element"
    said = "there is one" if detail.get("applicant_said") else "none"
    reason = detail.get("reason") or "no reason was given"
    return (
        f"{who} screened the application: {found}, where the applicant said {said}, "
        f"because {reason}"
    )


def _confirmation_asked(who: str, task: str, detail: Mapping[str, Any]) -> str:
    officer = detail.get("senior_officer") or "the senior officer it names"
    return f"{who} recorded a vulnerable victim decision for {officer} to confirm"


def _not_confirmed(who: str, task: str, detail: Mapping[str, Any]) -> str:
    reason = detail.get("reason")
    return f"{who} did not confirm the vulnerable victim decision" + (
        f", because {reason}" if reason else ""
    )


_Phrase = Callable[[str, str, Mapping[str, Any]], str]

_PHRASES: dict[str, _Phrase] = {
    "case.opened": lambda who, task, d: f"{who} opened the case",
    "case.status_changed": _status_changed,
    "case.viewed": _viewed,
    "case.reading_justified": lambda who, task, d: f"{who} gave a reason to read the case",
    "case.contact_named": lambda who, task, d: f"{who} named the case's contact",
    "incident.marked": _report_marked,
    "case.linked": lambda who, task, d: f"{who} linked the application to {d.get('to', 'another')}",
    "case.unlinked": lambda who, task, d: f"{who} unlinked the application from the others",
    "case.risk_assessed": lambda who, task, d: (
        f"{who} assessed the risk as {str(d.get('level', 'recorded'))}"
    ),
    "case.erased": lambda who, task, d: "The case's personal data was erased",
    "cases.searched": _searched,
    "disclosure": _disclosure,
    "task.created": lambda who, task, d: f"The task {task} was set",
    "task.completed": lambda who, task, d: f"{who} completed {task}",
    "task.claimed": lambda who, task, d: f"{who} took {task}",
    "task.released": _released,
    "task.reassigned": _reassigned,
    "task.assigned": _assigned,
    "task.cancelled": lambda who, task, d: f"{task} was cancelled",
    "task.draft_saved": lambda who, task, d: f"{who} saved a draft of {task}",
    "task.reminded": lambda who, task, d: f"A reminder was sent about {task}",
    "task.escalated": _escalated,
    "process.started": lambda who, task, d: f"The process {words(d.get('key', ''))} started",
    "process.completed": lambda who, task, d: "A process of the case finished",
    "process.cancelled": lambda who, task, d: "A process of the case was stopped",
    "process.failed": lambda who, task, d: "A process of the case stopped with an error",
    "process.moved": lambda who, task, d: f"{who} moved the case's process to a new version",
    "timer.fired": lambda who, task, d: "A time limit passed",
    "message.received": lambda who, task, d: "The process received a message",
    "attachment.added": lambda who, task, d: f"{who} added a file",
    "attachment.removed": lambda who, task, d: f"{who} removed a file",
    "document.generated": lambda who, task, d: (
        f"{who} made the {words(d.get('kind', 'document')).lower()}"
    ),
    "letter.previewed": lambda who, task, d: (
        f"{who} downloaded the {words(d.get('kind', 'letter')).lower()} as it would be sent"
    ),
    "letter.dispatched": lambda who, task, d: (
        f"The {words(d.get('kind', 'letter')).lower()} was sent"
    ),
    "letter.pdf_not_made": lambda who, task, d: (
        f"The {words(d.get('kind', 'letter')).lower()}'s PDF could not be made, so its email "
        "carries the Word file alone"
    ),
    "information.requested": lambda who, task, d: "The agencies were asked for information",
    "applicant.updated": lambda who, task, d: "The applicant was sent an update",
    "applicant.code_issued": lambda who, task, d: "The applicant was sent a code to get in",
    "applicant.signed_in": lambda who, task, d: "The applicant got in to their case",
    "applicant.token_issued": lambda who, task, d: "The applicant got in through the API",
    "applicant.meeting_part": lambda who, task, d: f"{who} chose their part in the meeting",
    "applicant.views_given": lambda who, task, d: f"{who} gave their views on the draft plan",
    "appeal.lodged_for_applicant": lambda who, task, d: f"{who} lodged an appeal for the applicant",
    "review.chair_changed": lambda who, task, d: f"{who} changed the review's chair",
    "user.created_for_chair_list": lambda who, task, d: (
        f"{who} made a review chair's account for {d.get('name', 'a chair')}, on the area's "
        "list of chairs, and they were emailed an invitation"
    ),
    "screening.hate_element_changed": _hate_element_changed,
    "threshold.confirmation_asked": _confirmation_asked,
    "threshold.senior_officer_confirmed": lambda who, task, d: (
        f"{who} confirmed the vulnerable victim decision as its senior officer"
    ),
    "threshold.senior_officer_not_confirmed": _not_confirmed,
    "check_ins.scheduled": lambda who, task, d: "Check-ins after closure were planned",
    "check_in.sent": lambda who, task, d: "The applicant was asked whether the behaviour goes on",
    "check_in.answered": lambda who, task, d: f"{who} answered a check-in",
    "information_request.sent": lambda who, task, d: (
        f"{who} asked {d.get('body', 'another public body')} for information "
        f"({d.get('legal_basis', 'Schedule 4')}), due {d.get('due_on', '')}"
    ),
    "information_request.answered": lambda who, task, d: (
        f"{d.get('body', 'Another public body')} answered a request for information"
        + (f" ({who})" if d.get("via") == "service" else ", through its link")
    ),
    "public_body.added": lambda who, task, d: f"{who} added the public body {d.get('name', '')}",
    "notification.sent": lambda who, task, d: "A message was sent",
    "notification.failed": lambda who, task, d: "A message could not be sent",
    "notification.retried": lambda who, task, d: f"{who} tried a message again",
    "api_token.made": lambda who, task, d: f"{who} made the API token {d.get('name', '')}",
    "api_token.revoked": lambda who, task, d: f"{who} revoked the API token {d.get('name', '')}",
    "subject_access.exported": lambda who, task, d: f"{who} made a subject access export",
    "retention.reviewed": lambda who, task, d: f"{who} reviewed how long the case is kept",
    "retention.applied": lambda who, task, d: "The case's retention was applied",
}
