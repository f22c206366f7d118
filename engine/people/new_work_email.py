"""How each person hears by email of new work for them or their organisation, as they choose
it: an email for each new task (everyone's until they choose otherwise), one summary a day at
a time of day they set (UK time), or no email, their notifications in the service only."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time

from sqlalchemy.orm import Session

from engine.core.errors import InvalidData, NotFound
from engine.core.models import NEW_WORK_EMAILS, User

AT_ONCE, DAILY, NEVER = NEW_WORK_EMAILS
CHOICES = {
    AT_ONCE: "At once: an email for each new task",
    DAILY: "Once a day: one email listing the new tasks",
    NEVER: "Not by email: only in your notifications here",
}
# The time offered to someone choosing a daily summary for the first time.
SUGGESTED_TIME = time(8, 0)
CHOOSE = "Select how you want to hear of new tasks by email"
ENTER_TIME = "Enter the time of day for your summary, for example 08:00"
REAL_TIME = "Enter a real time of day, like 08:00 or 17:30"

# 8:00, 08:00, 8.00, 17:30, 8am, 8:30pm.
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


@dataclass(frozen=True)
class NewWorkEmail:
    """A person's choice, and the time of day as they write it (``08:00``)."""

    choice: str
    digest_time: str

    @property
    def sentence(self) -> str:
        """The choice as the person is told it."""
        if self.choice == DAILY:
            return f"We email you a summary of new tasks once a day at {self.digest_time}."
        if self.choice == NEVER:
            return "We do not email you about new tasks: you see them in your notifications here."
        return "We email you about each new task as it arrives."


def as_written(moment: time | None) -> str:
    return f"{moment:%H:%M}" if moment is not None else ""


def choice_of(user: User) -> NewWorkEmail:
    return NewWorkEmail(user.new_work_email, as_written(user.digest_time or SUGGESTED_TIME))


def parse_time_of_day(text: str) -> time | None:
    """A time of day as people write it, on the 24-hour clock or with am or pm; None when it
    is not one."""
    found = _TIME.match(text.strip().lower())
    if found is None:
        return None
    hour, minute, half = int(found[1]), int(found[2] or 0), found[3]
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif found[2] is None:
        return None  # "8" alone could be morning or evening
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def choose_new_work_email(session: Session, user_id: int, answers: Mapping[str, str]) -> User:
    """Keep the person's choice (``new_work_email``, and ``digest_time`` for a daily summary);
    ``InvalidData`` naming each answer to correct, with nothing kept."""
    choice = (answers.get("new_work_email") or "").strip()
    written = (answers.get("digest_time") or "").strip()
    problems: dict[str, str] = {}
    digest_time = None
    if choice not in CHOICES:
        problems["new_work_email"] = CHOOSE
    elif choice == DAILY:
        if not written:
            problems["digest_time"] = ENTER_TIME
        else:
            digest_time = parse_time_of_day(written)
            if digest_time is None:
                problems["digest_time"] = REAL_TIME
    if problems:
        raise InvalidData("Some answers need correcting", problems)
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise NotFound("there is no such user")
    user.new_work_email = choice
    if digest_time is not None:
        # Kept when another choice is made, to be offered again.
        user.digest_time = digest_time
    return user
