"""What the follow-up process's step means: the task to consider further action, after a
check-in found the behaviour still happening, goes to the applicant's single point of contact
(the 2025 guidance asks for a person, not a team) and they are told."""

from __future__ import annotations

from engine.cases.contact import contact_of
from engine.chasing.notifications import notify
from engine.core import audit, clock
from engine.core.area import service_url
from engine.procedure.step import Arrival
from engine.runtime.holders import PREVIOUS_STEP


def give_to_the_contact(arrival: Arrival) -> None:
    """Hand the task to the case's contact while they can take it; otherwise it waits in the
    managing council's queue, or stays with whoever did the case's last council step, like
    any task of the council's lane. The contact comes first: the guidance asks for them."""
    task, case = arrival.task, arrival.case
    officer = contact_of(arrival.session, case)
    if officer is None:
        return
    if task.assignee_id is not None and task.assigned_because != PREVIOUS_STEP:
        return
    if officer.organisation_id not in task.organisation_ids:
        return
    task.assignee_id = officer.id
    task.claimed_at = clock.now()
    task.assigned_because = "contact"
    task.state = "claimed"
    for candidate in task.candidates:
        candidate.state = "claimed"
    audit.record(
        arrival.session,
        "task.assigned",
        case_id=case.id,
        object_type="task",
        object_id=task.id,
        detail={"to_user_id": officer.id, "as": "the applicant's contact"},
    )
    notify(
        arrival.session,
        key=f"further_action:task:{task.id}",
        kind="assignment",
        subject=f"Case {case.reference}: the behaviour is still happening",
        body=(
            f"The applicant of case {case.reference}, for whom you are the single point of "
            "contact, says the anti-social behaviour is still happening since the case closed. "
            "Please consider what further action can be taken.\n\n"
            f"{service_url(arrival.session)}/tasks/{task.id}\n"
        ),
        user=officer,
        case_id=case.id,
        task_id=task.id,
    )
