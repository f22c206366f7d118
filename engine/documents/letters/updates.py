"""The applicant's updates as their case moves on, between the letters a task sends: the
review meeting arranged, and each action from the review reported done or closed.

Every update's wording is here, once: the email (``update_email``) and the short posted
letter (``update_letter``) are both made from ``describe``. An update says what happened in
plain English and nothing about anyone but the agencies and the applicant's own contact: an
agency's notes on an action may name other people, so they are never in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from engine.core.models import Appeal, Case
from engine.core.workdays import as_date
from engine.documents.letters.blocks import Composed, Contact
from engine.documents.letters.shared import addressed, plural
from engine.documents.word import long_date

# No personal data in a subject line: mail clients show it on locked screens and in lists.
UPDATE_SUBJECT = "Your case review: an update"
MEETING_ARRANGED = "meeting_arranged"
ACTION_REPORTED = "action_reported"
UPDATES = (MEETING_ARRANGED, ACTION_REPORTED)


@dataclass(frozen=True)
class Update:
    title: str
    paragraphs: tuple[str, ...]


def meeting_arranged(meeting_date: date) -> dict[str, Any]:
    """The facts of an update telling the applicant the review meeting's date."""
    return {"update": MEETING_ARRANGED, "meeting_date": meeting_date.isoformat()}


def action_reported(
    organisation: str, action: str, status: str, still_open: int, total: int
) -> dict[str, Any]:
    """The facts of an update telling the applicant an action was done or closed."""
    return {
        "update": ACTION_REPORTED,
        "organisation": organisation,
        "action": action,
        "action_status": status,
        "still_open": still_open,
        "total": total,
    }


def describe(reference: str, facts: Mapping[str, Any]) -> Update:
    """What the update with these facts says."""
    kind = facts.get("update")
    if kind == MEETING_ARRANGED:
        when = long_date(as_date(facts["meeting_date"]))
        return Update(
            "Your case review meeting has been arranged",
            (
                f"The case review meeting about your application {reference} will be held on "
                f"{when}. A senior officer will chair it, with the agencies that have dealt "
                "with the behaviour you reported.",
                "After the meeting we will write to you with what it found and the actions agreed.",
            ),
        )
    if kind == ACTION_REPORTED:
        who, action = facts["organisation"], facts["action"]
        still_open, total = int(facts["still_open"]), int(facts["total"])
        if facts["action_status"] == "done":
            title = "An action from your case review is done"
            what = f"{who} has told us it has done this action from your case review: {action}"
        else:
            title = "An action from your case review has been closed"
            what = (
                f"{who} has closed this action from your case review without doing it: "
                f"{action}. Your contact can tell you why"
            )
        left = (
            f"{plural(still_open, 'action')} of the {total} agreed "
            + ("is" if still_open == 1 else "are")
            + " still to be finished."
            if still_open
            else "Every action agreed at the review is now finished: we will write to you "
            "about closing your case review."
        )
        return Update(title, (f"{what.rstrip('.')}.", left))
    raise ValueError(f"there is no update '{kind}'; use one of {', '.join(UPDATES)}")


def update_email(reference: str, facts: Mapping[str, Any], site: str, contact: Contact) -> str:
    """The email's text: the update, where to follow the case, and whom to ask."""
    update = describe(reference, facts)
    ways = " or ".join(part for part in (contact.phone, contact.email) if part)
    who = addressed(contact.person or contact.name)
    return "\n".join(
        [
            update.title,
            "",
            *[line for paragraph in update.paragraphs for line in (paragraph, "")],
            "You can see where your case review stands, the actions agreed and the letters we "
            f"have sent you at {site}/your-case. Ask there for a sign-in link with your case "
            f"reference, {reference}, and this email address.",
            "",
            f"If you have any questions, contact {who}" + (f" on {ways}." if ways else "."),
        ]
    )


def update_letter(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    """The update as a short letter, for an applicant who has letters."""
    update = describe(case.reference, answers)
    context = {"title": update.title, "paragraphs": list(update.paragraphs)}
    return context, {"update": answers["update"]}
