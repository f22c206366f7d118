"""A case's reviews and who chairs them.

A chair takes part in a case as a person, and recording the meeting is the chair's alone. A
chair who leaves, falls ill or loses their access before recording it would leave the case
with a task no one else may do, so the council that manages the review may give it another
chair until the meeting is recorded.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from engine.chasing.escalation import remind_afresh
from engine.chasing.notifications import notify, withdraw_unsent
from engine.core import audit, clock
from engine.core.db import take_turns
from engine.core.errors import Conflict, InvalidData, NotAllowed, NotFound
from engine.core.models import (
    LIVE_TASK_STATES,
    AuditEvent,
    Case,
    CaseParticipant,
    Review,
    Task,
    TaskCandidate,
    User,
)
from engine.people.access import participant_roles, visible_case
from engine.review.chair_accounts import create_listed_chair, review_chair
from engine.review.independence import (
    ChairOffer,
    appointment_problems,
    chair_offers,
    listed_newcomer,
    newcomer_problems,
    no_account_problem,
    record_appointment,
)
from engine.runtime import cancel_instance, running_instances

REVIEW_PROCESS = "asb_case_review"
INFORMATION_RETURN = "information_return"
NOT_A_CHAIR = "Give the email address of a user who is a review chair, or choose a listed chair"
SUPERSEDED = "an upheld appeal started a fresh review"
_CORRECT_THE_CHAIR = "The new chair needs correcting"


def current_review(session: Session, case: Case) -> Review | None:
    """The case's latest review (an upheld appeal starts another), or None before the first."""
    return session.scalar(
        select(Review).where(Review.case_id == case.id).order_by(Review.number.desc()).limit(1)
    )


def missing_returns(session: Session, case: Case) -> int:
    """How many of the case's information returns are still awaited (their tasks open or
    claimed): the review's diagram chases them before the meeting pack only when there are."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Task)
            .where(
                Task.case_id == case.id,
                Task.form == INFORMATION_RETURN,
                Task.state.in_(LIVE_TASK_STATES),
            )
        )
        or 0
    )


def lock_running_reviews(session: Session, case: Case) -> list[int]:
    """Lock the case's running review processes, newest first, and return their ids.

    What locks a review's instance together with another row of its case takes the review
    first: a task of the review locks its instance, then the case; an appeal's task locks the
    appeal's instance, then (as it may cancel them) these, then the case; a chair change locks
    only these. So no two of them wait for each other.
    """
    return running_instances(session, case.id, REVIEW_PROCESS, lock=True)


def supersede_running_review(session: Session, case: Case) -> list[int]:
    """An upheld appeal's fresh review replaces one still running (its meeting not yet held,
    or its action plan still tracked), which would otherwise close the case when it ended:
    that review is cancelled with its waiting tasks, and closed with its open actions.
    Returns the cancelled processes' ids."""
    running = lock_running_reviews(session, case)
    for instance_id in running:
        cancel_instance(session, instance_id, SUPERSEDED)
    review = current_review(session, case)
    if running and review is not None and review.closed_on is None:
        review.closed_on = clock.today()
        for action in review.recommendations:
            if action.status == "open":
                action.status, action.completed_on = "closed", clock.today()
                action.notes = f"Closed: {SUPERSEDED}."
    return running


def chair_problems(
    session: Session, case: Case, appointer: User, chair_email: str, reason: str
) -> dict[str, str]:
    """Why ``appointer`` may not appoint the chair with this address, by field: none for a
    review chair's account, or a listed chair with no account yet, that they may appoint."""
    if not chair_email.strip():
        return {"chair_email": "Select the chair"}
    chair = review_chair(session, chair_email)
    if chair is not None:
        return appointment_problems(session, case, appointer, chair, reason)
    entry = listed_newcomer(session, chair_email)
    if entry is not None:
        return newcomer_problems(session, case, appointer, entry, reason)
    return {"chair_email": no_account_problem(session, chair_email) or NOT_A_CHAIR}


def appointable_chair(
    session: Session, case: Case, appointer: User, chair_email: str, reason: str, summary: str
) -> User:
    """The account of the chair ``appointer`` appoints: a review chair's, or one made (and its
    holder invited) for a listed chair with none. ``InvalidData`` (with ``summary`` and the
    ``chair_problems``) when they may not."""
    chair = _allowed_chair(session, case, appointer, chair_email, reason, summary)
    if chair is not None:
        return chair
    # Two appointments of the same newcomer at once would both make the account (and the
    # outside body's organisation): the second waits for the first, then finds them made.
    take_turns(session, "listed-chair-accounts")
    chair = _allowed_chair(session, case, appointer, chair_email, reason, summary)
    if chair is not None:
        return chair
    entry = listed_newcomer(session, chair_email)
    assert entry is not None  # chair_problems found no problem, so it is one or the other
    return create_listed_chair(session, entry, appointer, case.id)


def _allowed_chair(
    session: Session, case: Case, appointer: User, chair_email: str, reason: str, summary: str
) -> User | None:
    """The review chair's account ``appointer`` may appoint, or None for a listed chair with
    no account yet; ``InvalidData`` when they may not."""
    problems = chair_problems(session, case, appointer, chair_email, reason)
    if problems:
        raise InvalidData(summary, problems)
    return review_chair(session, chair_email)


def may_change_chair(session: Session, user: User, reference: str) -> bool:
    """Whether ``user`` manages the case's review for its council and the review's meeting
    is still to be recorded, so that they may give it another chair."""
    if not user.has_role("manager"):
        return False
    try:
        case = visible_case(session, user, reference)
    except NotFound:
        return False
    if not _manages(session, user, case):
        return False
    review, seat = current_review(session, case), _chair_seat(session, case)
    return _changeable(review, seat)


def new_chair_offers(session: Session, user: User, reference: str) -> list[ChairOffer]:
    """The chairs a manager who may give the case's review another chair (``may_change_chair``)
    is offered: the review chairs' accounts and the area's list, as the appointment offers
    them, less the chair now; none for anyone else."""
    if not may_change_chair(session, user, reference):
        return []
    case = visible_case(session, user, reference)
    seat = _chair_seat(session, case)
    now = session.get(User, seat.user_id) if seat is not None and seat.user_id else None
    return [o for o in chair_offers(session, case) if now is None or o.email != now.email]


def change_chair(
    session: Session, manager: User, reference: str, chair_email: str, reason: str = ""
) -> User:
    """Give the case's current review another chair: the case's chair, the review and the
    chair's waiting tasks pass to the new chair, who holds them as the old chair did. A chair
    from an organisation taking part in the case needs the manager's ``reason``.

    ``NotFound`` when the manager cannot see the case, ``NotAllowed`` for anyone but a manager
    of the council taking part in it, ``Conflict`` once the meeting is recorded, and
    ``InvalidData`` (on ``chair_email``) when the address is not another review chair's, or
    (on ``chair_reason``) when such a chair comes without a reason.
    """
    case = visible_case(session, manager, reference)
    if not _manages(session, manager, case):
        raise NotAllowed("only a manager of the council managing the review may change its chair")
    # The chair's task is completed under its instance's lock: taking it first means the
    # meeting is either recorded before this looks, or recorded by the new chair after.
    lock_running_reviews(session, case)
    review, seat = current_review(session, case), _chair_seat(session, case)
    if not _changeable(review, seat):
        raise Conflict("a review's chair can be changed only before its meeting is recorded")
    assert review is not None and seat is not None and seat.user_id is not None
    chair = appointable_chair(session, case, manager, chair_email, reason, _CORRECT_THE_CHAIR)
    if chair.id == seat.user_id:
        raise InvalidData(
            _CORRECT_THE_CHAIR,
            {"chair_email": f"{chair.name} already chairs this review; give someone else's"},
        )
    before = seat.user_id
    seat.organisation_id, seat.user_id = chair.organisation_id, chair.id
    review.chair_user_id = chair.id
    record_appointment(session, case, review, manager, chair, reason)
    moved = _pass_tasks(session, case, before, chair)
    withdrawn = withdraw_unsent(
        session,
        before,
        f"Withdrawn before it went: {chair.name} chairs the review now",
        task_ids=moved,
        key_prefix=_appointment_key(review),
    )
    audit.record(
        session,
        "review.chair_changed",
        user=manager,
        case_id=case.id,
        object_type="review",
        object_id=review.id,
        detail={
            "from_user_id": before,
            "to_user_id": chair.id,
            "tasks": moved,
            "withdrawn_notifications": withdrawn,
        },
    )
    _tell_new_chair(session, case, review, chair)
    return chair


def _manages(session: Session, user: User, case: Case) -> bool:
    return user.has_role("manager") and "council" in participant_roles(session, user, case.id)


def _changeable(review: Review | None, seat: CaseParticipant | None) -> bool:
    """An open review whose meeting is still to be recorded, with a person in its chair."""
    return (
        review is not None
        and review.held_on is None
        and review.closed_on is None
        and seat is not None
        and seat.user_id is not None
    )


def _chair_seat(session: Session, case: Case) -> CaseParticipant | None:
    return session.scalar(
        select(CaseParticipant).where(
            CaseParticipant.case_id == case.id, CaseParticipant.role == "chair"
        )
    )


def _appointment_key(review: Review) -> str:
    """What the keys of the review's appointment notifications start with."""
    return f"chair:review:{review.id}:"


def _tell_new_chair(session: Session, case: Case, review: Review, chair: User) -> None:
    meeting = f"The meeting is on {review.meeting_date:%d %B %Y}. " if review.meeting_date else ""
    # Numbered by the change, so a chair given the review back is told again.
    changes_before = session.execute(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.case_id == case.id,
            AuditEvent.action == "review.chair_changed",
            AuditEvent.object_type == "review",
            AuditEvent.object_id == str(review.id),
        )
    ).scalar_one()
    notify(
        session,
        key=f"{_appointment_key(review)}change:{changes_before + 1}:user:{chair.id}",
        kind="appointment",
        subject=f"You now chair review {review.number} of case {case.reference}",
        body=(
            f"You have been asked to chair review {review.number} of case {case.reference} "
            f"in place of its previous chair.\n\n{meeting}Recording the meeting is yours to "
            "do: sign in to the ASB Case Review service to see the case and your tasks.\n"
        ),
        user=chair,
        case_id=case.id,
    )


def _pass_tasks(session: Session, case: Case, before: int, chair: User) -> list[int]:
    """The waiting tasks that were the old chair's alone become the new chair's."""
    tasks = session.scalars(
        select(Task)
        .join(TaskCandidate, TaskCandidate.task_id == Task.id)
        .where(
            Task.case_id == case.id,
            Task.state.in_(LIVE_TASK_STATES),
            TaskCandidate.user_id == before,
        )
        .options(selectinload(Task.candidates))
    ).unique()
    moved = []
    for task in tasks:
        for candidate in task.candidates:
            if candidate.user_id == before:
                candidate.organisation_id, candidate.user_id = chair.organisation_id, chair.id
        if task.assignee_id == before:
            task.assignee_id, task.claimed_at = chair.id, clock.now()
        remind_afresh(session, task)
        moved.append(task.id)
    return moved
