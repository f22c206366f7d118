"""The Community Trigger's processes run with their meaning: starting one for a case,
completing its tasks and firing its timers, with the registry's handlers called inside the
runtime's transaction, and the case moved on when a process ends."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import documents, runtime
from engine.cases.follow_up import schedule_check_ins
from engine.cases.status import set_status
from engine.chasing.escalation import schedule_new_task
from engine.core import clock
from engine.core.area import current_settings
from engine.core.db import Database
from engine.core.errors import ProcessFailed
from engine.core.models import (
    Appeal,
    Case,
    CaseParticipant,
    Organisation,
    ProcessInstance,
    Task,
    User,
)
from engine.procedure.registry import CASE_CLOSED_LETTER, SentLetter, meaning_of
from engine.procedure.step import LEGAL_BASIS, Arrival, Step
from engine.review.reviews import (
    REVIEW_PROCESS,
    current_review,
    lock_running_reviews,
    supersede_running_review,
)

APPLICATION = "community_trigger_application"
CASE_REVIEW = REVIEW_PROCESS
APPEAL = "opcc_appeal"


class ProcedureEffects(runtime.Effects):
    """The registry's meaning of each step, for the runtime to call."""

    def before_completion(
        self,
        session: Session,
        task: Task,
        data: Mapping[str, Any],
        user: User,
        context: Mapping[str, Any],
    ) -> dict[str, Any]:
        case = session.get(Case, task.case_id)
        if case is None:
            raise ProcessFailed(f"task {task.id} has no case")
        if context.get("appeal_id") is not None:
            # An appeal's step may end it upheld, which cancels the running review: take the
            # review's lock now, before any step writes the case (lock_running_reviews).
            lock_running_reviews(session, case)
        meaning = meaning_of(task.form)
        step = Step(session, case, task, data, user, context)
        added = meaning.complete(step) if meaning.complete else {}
        if meaning.letter:
            added = {**added, **_send_letter(step, meaning.letter)}
        return added

    def problems(
        self,
        session: Session,
        task: Task,
        data: Mapping[str, Any],
        user: User,
        context: Mapping[str, Any],
    ) -> dict[str, str]:
        meaning = meaning_of(task.form)
        case = session.get(Case, task.case_id)
        if meaning.check is None or case is None or not isinstance(data, Mapping):
            return {}
        return meaning.check(Step(session, case, task, data, user, context))

    def task_created(self, session: Session, task: Task, properties: Mapping[str, str]) -> None:
        schedule_new_task(session, task, properties)

    def task_ready(
        self,
        session: Session,
        task: Task,
        data: Mapping[str, Any],
        properties: Mapping[str, str],
    ) -> None:
        meaning = meaning_of(task.form)
        case = session.get(Case, task.case_id)
        if case is None:
            return
        if meaning.case_status and case.status != meaning.case_status:
            set_status(session, case, meaning.case_status)
        if meaning.when_ready:
            meaning.when_ready(Arrival(session, case, task, data))

    def process_finished(
        self, session: Session, instance: ProcessInstance, data: Mapping[str, Any]
    ) -> None:
        case = session.get(Case, instance.case_id)
        if case is None:
            return
        key = instance.definition.key
        if key == APPEAL:
            appeal = session.get(Appeal, data.get("appeal_id"))
            set_status(session, case, "appeal_decided")
            if appeal is not None and appeal.outcome == "upheld":
                # Upheld: the council carries out a fresh review of the same case, in place of
                # one still running, which would otherwise close the case when it ended.
                supersede_running_review(session, case)
                start_process(session, case, CASE_REVIEW, extra={"decided_on": appeal.decided_on})
                set_status(session, case, "review_being_arranged")
        if key == CASE_REVIEW:
            review = current_review(session, case)
            if review is not None:
                review.closed_on = clock.today()
            case.closed_on = clock.today()
            set_status(session, case, "closed")
            # The action plan is finished (or the review made none): the applicant is told
            # the case is closing, why, and what to do if the behaviour goes on.
            if case.erased_on is None:
                documents.send_letter(session, case, CASE_CLOSED_LETTER, None, {}, form="")
                # Some months on, they are asked whether the behaviour goes on.
                schedule_check_ins(session, case)
        if key == APPLICATION:
            if case.threshold_met:
                if runtime.latest_definition(session, CASE_REVIEW) is not None:
                    start_process(session, case, CASE_REVIEW)
                set_status(session, case, "review_being_arranged")
            else:
                case.closed_on = clock.today()
                set_status(session, case, "closed")


def _send_letter(step: Step, letter: SentLetter) -> dict[str, Any]:
    """Write the letter the task stands for, keep it, and send it to the applicant; the day
    it went is kept in the workflow under ``letter.date_answer``, where due rules count from
    it (``appeal_decision after acknowledged_on``)."""
    answers = {**step.data, **{name: step.context.get(name) for name in letter.from_workflow}}
    documents.send_letter(
        step.session,
        step.case,
        letter.kind,
        step.user,
        answers,
        form=step.task.form,
        appeal_id=step.context.get("appeal_id"),
        task_id=step.task.id,
    )
    # send_letter dates the letter today, as here.
    return {letter.date_answer: clock.today()}


EFFECTS = ProcedureEffects()


def process_data(session: Session, case: Case) -> dict[str, Any]:
    """What every process of a case starts with."""
    settings = current_settings(session)
    housing = session.scalars(
        select(Organisation.key)
        .join(CaseParticipant, CaseParticipant.organisation_id == Organisation.id)
        .where(CaseParticipant.case_id == case.id, CaseParticipant.role == "housing")
        .order_by(Organisation.key)
    ).all()
    return {
        "case_reference": case.reference,
        "district": case.district.key,
        "received_on": case.received_on,
        "on_behalf": case.on_behalf,
        "victim_consent": case.victim_consent,
        "hate_element": case.hate_element,
        "housing_providers": list(housing),
        "legal_basis": LEGAL_BASIS,
        "consent_wait_days": settings.get("timescales", {}).get("consent_wait", 20),
        # The review meeting is due from the threshold decision (or, for a fresh review, from
        # the appeal decision that ordered it).
        "decided_on": case.decided_on or clock.today(),
    }


def start_process(
    session: Session,
    case: Case,
    key: str,
    *,
    user: User | None = None,
    extra: Mapping[str, Any] | None = None,
) -> ProcessInstance:
    data = {**process_data(session, case), **(extra or {})}
    return runtime.start_process(session, case, key, data, user=user, effects=EFFECTS)


def complete_task(
    db: Database, task_id: int, user: User, data: Mapping[str, Any], *, forms_dir: Path
) -> runtime.CompletionResult:
    return runtime.complete_task(db, task_id, user, data, forms_dir=forms_dir, effects=EFFECTS)


def complete_task_in(
    session: Session,
    task_id: int,
    user: User,
    data: Mapping[str, Any],
    *,
    forms_dir: Path,
    authorise: runtime.Authorisation | None = None,
) -> runtime.CompletionResult:
    """``complete_task`` inside the caller's write transaction (``runtime.complete_task_in``)."""
    return runtime.complete_task_in(
        session, task_id, user, data, forms_dir=forms_dir, effects=EFFECTS, authorise=authorise
    )


def fire_due_timers(db: Database) -> int:
    return runtime.fire_due_timers(db, effects=EFFECTS)
