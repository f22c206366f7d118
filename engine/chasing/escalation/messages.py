"""What a reminder and an escalation say, and the messages that carry them to each recipient."""

from __future__ import annotations

from datetime import date

from engine.chasing.escalation.batches import ChasedTask
from engine.chasing.escalation.plan import local_date
from engine.chasing.escalation.recipients import Directory, Recipient
from engine.chasing.notifications import Message
from engine.core.workdays import working_days_between


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _working_days(count: int) -> str:
    return f"{count} working day{'' if count == 1 else 's'}"


# Said of a chair's task whose chair can no longer sign in, to whoever is told of it, so that
# someone who can act on it (the managing council) knows what to do.
CHAIR_GONE = (
    "It is for a review chair who can no longer sign in or open cases, and no one else may do "
    "it: a manager of the council managing the review can give the review another chair on the "
    "case page."
)


def _chair_gone(task: ChasedTask, directory: Directory) -> bool:
    return not all(directory.can_work(person) for person in task.persons.values())


def _open_the_case(task: ChasedTask) -> str:
    return f"Sign in to the ASB Case Review service to open case {task.reference}."


def reminder_message(
    task: ChasedTask, due_on: date, directory: Directory, today: date
) -> tuple[str, str]:
    """The subject and body of the reminder of a task due on ``due_on`` (its due date, which
    every task a sweep chases has)."""
    left = working_days_between(today, due_on)
    when = "today" if left <= 0 else f"in {_working_days(left)}"
    where = "Sign in to the ASB Case Review service to see it in your tasks."
    holder = directory.people.get(task.assignee_id) if task.assignee_id else None
    if directory.can_work(task.assignee_id):
        organisations = ", ".join(directory.organisation_name(o) for o in task.organisation_ids)
        who = f"You hold this task for {organisations}."
    elif _chair_gone(task, directory):
        # The task is in no one's tasks: the managing council opens the case to act.
        who, where = CHAIR_GONE, _open_the_case(task)
    elif task.assignee_id is not None:
        name = holder.name if holder else "The person who claimed it"
        who = (
            f"{name} holds it but can no longer sign in or open cases, so no one else can "
            "claim it: as a manager, you can give it to someone else."
        )
        where = _open_the_case(task)
    else:
        who = f"No one has claimed it yet: it is waiting for {directory.for_whom(task)}."
    subject = f"Reminder: '{task.title}' for case {task.reference} is due {when}"
    body = (
        f"'{task.title}' for case {task.reference} is due on {_day(due_on)}.\n\n{who}\n\n{where}\n"
    )
    return subject, body


def escalation_message(
    task: ChasedTask, due_on: date, level: int, directory: Directory, today: date
) -> tuple[str, str]:
    """The subject and body of the escalation to ``level`` of a task due on ``due_on``."""
    late = working_days_between(due_on, today)
    organisations = directory.for_whom(task)
    holder = directory.people.get(task.assignee_id) if task.assignee_id else None
    if holder is not None and directory.can_work(task.assignee_id):
        held = f"{holder.name} holds it"
    elif task.assignee_id is not None:
        held = (
            f"{holder.name if holder else 'the person who claimed it'} holds it but can no "
            "longer sign in or open cases, so a manager must give it to someone else"
        )
    else:
        held = "no one has claimed it"
    subject = f"Overdue (level {level}): '{task.title}' for case {task.reference}"
    gone = _chair_gone(task, directory)
    lines = [
        f"'{task.title}' for case {task.reference} was due on {_day(due_on)} and is "
        f"{_working_days(late)} overdue.",
        "",
        CHAIR_GONE if gone else f"It is for {organisations}; {held}.",
    ]
    if level > 1 and task.escalated_at is not None:
        lines.append(
            f"It was escalated (level {level - 1}) on {_day(local_date(task.escalated_at))}."
        )
    lines += [
        "",
        _open_the_case(task)
        if gone
        else "Sign in to the ASB Case Review service to see the task and who can do it.",
    ]
    return subject, "\n".join(lines) + "\n"


def messages_to(
    kind: str, key: str, task: ChasedTask, recipients: list[Recipient], text: tuple[str, str]
) -> list[Message]:
    subject, body = text
    return [
        Message(
            key=f"{key}:{recipient.key}",
            kind=kind,
            subject=subject,
            body=body,
            email=recipient.email,
            user_id=recipient.person.id if recipient.person else None,
            organisation_id=recipient.organisation_id,
            case_id=task.case_id,
            task_id=task.id,
        )
        for recipient in recipients
    ]


def reminder_key(task: ChasedTask) -> str:
    """A task's holder is reminded once; one it passed to, or came back to (see
    ``remind_afresh``), is reminded again."""
    if not task.handovers:
        return f"reminder:task:{task.id}"
    return f"reminder:task:{task.id}:handover:{task.handovers}"
