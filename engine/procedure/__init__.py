"""What the Community Trigger's steps mean, and the processes run with that meaning.

- ``registry``: for every form a user task may name, what completing it records, the letter
  it sends, the case status it sets and what is prepared when it becomes ready;
- ``application_steps``, ``review_steps``, ``appeal_steps``: the handlers the registry names,
  by stage; ``step``: what a handler is given;
- ``processes``: starting a case's processes, completing their tasks and firing their timers,
  and what happens to the case when a process ends;
- ``deployment``: the runtime's checks of a diagram and the registry's, before deploying;
- ``sweeps``: the work that falls due with time, for the scheduler and ``casereview run-due``.
"""

from engine.procedure.deployment import check_diagram, deploy
from engine.procedure.processes import (
    APPEAL,
    APPLICATION,
    CASE_REVIEW,
    EFFECTS,
    complete_task,
    complete_task_in,
    fire_due_timers,
    start_process,
)
from engine.procedure.registry import FORMS, FormMeaning, SentLetter, meaning_of
from engine.procedure.step import ACTION_ROLES, LEGAL_BASIS

__all__ = [
    "ACTION_ROLES",
    "APPEAL",
    "APPLICATION",
    "CASE_REVIEW",
    "EFFECTS",
    "FORMS",
    "LEGAL_BASIS",
    "FormMeaning",
    "SentLetter",
    "check_diagram",
    "complete_task",
    "complete_task_in",
    "deploy",
    "fire_due_timers",
    "meaning_of",
    "start_process",
]
