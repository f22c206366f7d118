"""Check-ins after a case closes, sent as they fall due, and their answers.

By email the applicant is sent a one-time link to a page asking the question, answered
without signing in; for an applicant who has letters, their single point of contact is asked
to put the question to them and record the answer on the case page. An answer that the
behaviour is still happening starts the follow-up process, whose task "Consider further
action" goes to the contact.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import runtime
from engine.cases.contact import contact_of
from engine.cases.follow_up import QUESTION
from engine.chasing.notifications import notify
from engine.core import audit, clock
from engine.core.area import service_url
from engine.core.counters import kept_digest
from engine.core.db import Database
from engine.core.errors import InvalidData
from engine.core.models import Case, CheckIn, User
from engine.documents import delivery_for
from engine.procedure.processes import start_process

FOLLOW_UP = "asb_follow_up"
# Long enough to answer after a holiday; the link works once all the same.
CHECK_IN_LINK_LIFETIME = timedelta(days=30)
# No personal data in a subject line: mail clients show it on locked screens and in lists.
CHECK_IN_SUBJECT = "Your ASB case review: is it still happening?"
# Check-ins a sweep sends at most, so a backlog cannot hold the sweep for long.
BATCH = 200
MOST_COMMENT = 5000
CHOOSE = "Select yes if the anti-social behaviour is still happening"
ANSWERS = {"yes": True, "no": False}


def checked_answer(
    form: Mapping[str, Any], *, comment_named: str = "What you want to tell us"
) -> tuple[bool, str]:
    """The answer and comment as given; ``InvalidData`` (by field) when one needs correcting,
    each problem told at once (the comment named as its page labels it)."""
    answer = str(form.get("still_happening") or "").strip().lower()
    comment = str(form.get("comment") or "").replace("\r\n", "\n").strip()
    problems = {}
    if answer not in ANSWERS:
        problems["still_happening"] = CHOOSE
    if len(comment) > MOST_COMMENT:
        problems["comment"] = f"{comment_named} must be {MOST_COMMENT:,} characters or fewer"
    if problems:
        raise InvalidData("The answer needs correcting", problems)
    return ANSWERS[answer], comment


def send_due_check_ins(db: Database) -> int:
    """Send every check-in whose day has come, of cases still closed and not erased; each is
    sent once, in the transaction that records it. Returns how many were sent."""
    today = clock.today()
    with db.transaction() as session:
        query = (
            select(CheckIn)
            .join(Case, Case.id == CheckIn.case_id)
            .where(
                CheckIn.sent_at.is_(None),
                CheckIn.due_on <= today,
                Case.status == "closed",
                Case.erased_on.is_(None),
            )
            .order_by(CheckIn.due_on, CheckIn.id)
            .limit(BATCH)
        )
        if not db.is_sqlite:
            query = query.with_for_update(of=CheckIn, skip_locked=True)
        due = list(session.scalars(query))
        for check_in in due:
            send_check_in(session, check_in, session.get_one(Case, check_in.case_id))
        return len(due)


def send_check_in(session: Session, check_in: CheckIn, case: Case) -> None:
    """Ask the question the way the applicant chose."""
    delivery, address = delivery_for(case.applicant or {})
    now = clock.now()
    check_in.sent_at = now
    check_in.channel = delivery
    site = service_url(session)
    if delivery == "email":
        token = secrets.token_urlsafe(32)
        check_in.code_hash = kept_digest(token)
        check_in.expires_at = now + CHECK_IN_LINK_LIFETIME
        notify(
            session,
            key=f"check_in:{check_in.id}",
            kind="check_in",
            subject=CHECK_IN_SUBJECT,
            body="\n".join(
                [
                    f"Your ASB case review closed {_months(check_in.months)} ago. We would "
                    "like to know how things are now.",
                    "",
                    f"{QUESTION} Answer here (it takes a minute, and you do not need to sign "
                    f"in). The link works once, for {CHECK_IN_LINK_LIFETIME.days} days:",
                    f"{site}/your-case/check-in/{token}",
                    "",
                    "If you are in danger, call 999. To report anti-social behaviour as it "
                    "happens, call the police on 101.",
                ]
            ),
            email=address,
            case_id=case.id,
        )
    else:
        _ask_the_contact(session, check_in, case, site)
    audit.record(
        session,
        "check_in.sent",
        case_id=case.id,
        object_type="check_in",
        object_id=check_in.id,
        detail={"months": check_in.months, "delivery": delivery},
    )


def _months(months: int) -> str:
    return "1 month" if months == 1 else f"{months} months"


def _ask_the_contact(session: Session, check_in: CheckIn, case: Case, site: str) -> None:
    """For an applicant who has letters, their contact asks (by telephone or letter); with no
    contact named, the district's single point of contact is asked."""
    officer = contact_of(session, case)
    body = (
        f"Case {case.reference} closed {_months(check_in.months)} ago. Its applicant has "
        f'letters rather than email: please ask them "{QUESTION}" and record their answer '
        f"on the case page.\n\n{site}/cases/{case.reference}#check-ins\n"
    )
    notify(
        session,
        key=f"check_in:{check_in.id}:ask",
        kind="check_in_to_ask",
        subject=f"Ask the applicant of case {case.reference} how things are now",
        body=body,
        user=officer,
        email="" if officer else case.district.spoc_email,
        organisation_id=None if officer else case.district.lead_council_id,
        case_id=case.id,
    )


def record_answer(
    session: Session,
    check_in: CheckIn,
    case: Case,
    *,
    still_happening: bool,
    comment: str,
    by: User | None,
) -> None:
    """Keep the answer to a check-in; "still happening" gives the contact a task to consider
    further action (or, were the follow-up diagram not deployed, tells them)."""
    check_in.answered_at = clock.now()
    check_in.still_happening = still_happening
    check_in.comment = comment.strip()[:MOST_COMMENT]
    check_in.answered_by = f"user:{by.id}" if by else "applicant"
    audit.record(
        session,
        "check_in.answered",
        user=by,
        case_id=case.id,
        object_type="check_in",
        object_id=check_in.id,
        detail={
            "months": check_in.months,
            "still_happening": still_happening,
            "by": "applicant" if by is None else "staff",
            "comment_given": bool(check_in.comment),
        },
    )
    if not still_happening:
        return
    if runtime.latest_definition(session, FOLLOW_UP) is not None:
        start_process(
            session,
            case,
            FOLLOW_UP,
            user=by,
            extra={
                "check_in_months": check_in.months,
                "check_in_answered_on": clock.today(),
                "check_in_comment": check_in.comment,
            },
        )
        return
    officer = contact_of(session, case)
    notify(
        session,
        key=f"check_in:{check_in.id}:still_happening",
        kind="check_in_answered",
        subject=f"Case {case.reference}: the behaviour is still happening",
        body=(
            f"The applicant of case {case.reference} says the anti-social behaviour is still "
            "happening. Please consider what further action can be taken.\n\n"
            f"{service_url(session)}/cases/{case.reference}#check-ins\n"
        ),
        user=officer,
        email="" if officer else case.district.spoc_email,
        organisation_id=None if officer else case.district.lead_council_id,
        case_id=case.id,
    )
