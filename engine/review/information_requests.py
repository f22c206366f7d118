"""The council asking another public body for information for a case review, and the body's
answer.

Schedule 4 of the Anti-social Behaviour, Crime and Policing Act 2014 lets the relevant bodies
ask any person exercising public functions for information; each request records that legal
basis, what is asked and a deadline in working days. A body whose staff use the service gets
the request from its users' notifications and answers signed in; any other gets an email with
a single-use link (a random token of which only the sha256 is kept, expiring some working
days after the deadline) and answers on a page with no sign-in. Its answer may carry files,
checked as an agency's return's are (``engine.records.answer_files``), and goes in the meeting
pack beside the agencies' returns, its files among the pack's appendices.

A body sees the request it was sent and nothing else of the case: the link's page shows what
is asked, the deadline and the legal basis, with the case's reference to quote.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from engine.chasing.notifications import notify
from engine.core import audit, clock
from engine.core.area import current_settings, service_url
from engine.core.counters import kept_digest
from engine.core.db import Database
from engine.core.errors import Conflict, InvalidData, NotAllowed, NotFound
from engine.core.kept_files import keep_attachment
from engine.core.models import (
    Attachment,
    Case,
    InformationRequest,
    Organisation,
    PublicBody,
    User,
)
from engine.core.workdays import add_working_days
from engine.people.access import participant_roles, visible_case

DEFAULT_LEGAL_BASIS = (
    "Schedule 4, paragraph 7 of the Anti-social Behaviour, Crime and Policing Act 2014"
)
# The area timescale a request's deadline defaults to: the agencies' information returns'.
TIMESCALE = "agency_information_return"
DEFAULT_DAYS = 10
MOST_DAYS = 60
# A late answer still helps the review: the link works this many working days after the
# deadline, then no more.
LINK_MARGIN_DAYS = 10
MOST_ASKED = 5_000
MOST_BASIS = 500
MOST_ANSWER = 20_000
# No personal data in a subject line: mail clients show it on locked screens and in lists.
SUBJECT = "Request for information for an ASB case review"
LINK_KIND = "information_link"
USER_KIND = "information_request"
LINK_NOT_RIGHT = (
    "This link has not worked. It may have been used already or be out of date, or it may not "
    "have been copied in full"
)
ANSWER_NEEDED = "Enter the information you hold, or say that you hold none"
NO_CONTACT = (
    "{name} has no contact email address and no users in the service, so a request cannot "
    "reach it. An administrator can add its email address, or ask it by telephone{phone}"
)


@dataclass(frozen=True)
class RequestShown:
    """What a body answering a request sees: who asks, what, by when, and on what basis."""

    id: int
    reference: str
    council: str
    body: str
    asked: str
    legal_basis: str
    due_on: date
    answered_at: datetime | None
    answer: str
    # The names of the files sent with the answer, as kept.
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnswerFile:
    """A file to keep with a body's answer, already checked as any supporting file is
    (``engine.records.answer_files``): its name as kept, its type and its bytes."""

    filename: str
    media_type: str
    content: bytes


def may_ask(session: Session, user: User, case: Case) -> bool:
    """Officers of the council managing the case ask other bodies for information."""
    return (
        user.active
        and case.erased_on is None
        and "council" in participant_roles(session, user, case.id)
    )


def default_days(session: Session) -> int:
    """Working days a body is given to answer, unless the council says otherwise."""
    days = current_settings(session).get("timescales", {}).get(TIMESCALE, DEFAULT_DAYS)
    return int(days)


def _users_of(session: Session, body: PublicBody) -> list[User]:
    if body.organisation_id is None:
        return []
    return list(
        session.scalars(
            select(User)
            .where(User.organisation_id == body.organisation_id, User.active.is_(True))
            .order_by(User.id)
        )
    )


def contact_problem(session: Session, body: PublicBody) -> str | None:
    """Why a request cannot reach the body, or None."""
    if body.email or _users_of(session, body):
        return None
    phone = f" on {body.phone}" if body.phone else ""
    return NO_CONTACT.format(name=body.name, phone=phone)


def _checked(session: Session, form: Mapping[str, Any]) -> tuple[PublicBody, str, str, int]:
    problems = {}
    body = None
    chosen = str(form.get("body") or "").strip()
    if chosen:
        body = session.scalar(select(PublicBody).where(PublicBody.key == chosen))
    if body is None:
        problems["body"] = "Select the body to ask"
    else:
        problem = contact_problem(session, body)
        if problem:
            problems["body"] = problem
    asked = str(form.get("asked") or "").replace("\r\n", "\n").strip()
    if not asked:
        problems["asked"] = "Enter what you are asking the body for"
    elif len(asked) > MOST_ASKED:
        problems["asked"] = f"What you ask must be {MOST_ASKED:,} characters or fewer"
    basis = " ".join(str(form.get("legal_basis") or "").split())
    if not basis:
        problems["legal_basis"] = "Enter the legal basis for the request"
    elif len(basis) > MOST_BASIS:
        problems["legal_basis"] = f"The legal basis must be {MOST_BASIS} characters or fewer"
    text = str(form.get("days") or "").strip()
    # ASCII digits only, and few of them: int() refuses some digits str.isdigit() accepts.
    days = int(text) if text.isascii() and text.isdigit() and len(text) <= 3 else 0
    if not 1 <= days <= MOST_DAYS:
        problems["days"] = f"Enter the working days the body has to answer, from 1 to {MOST_DAYS}"
    if problems or body is None:
        raise InvalidData("The request needs correcting", problems)
    return body, asked, basis, days


def send_information_request(
    session: Session, user: User, reference: str, form: Mapping[str, Any]
) -> InformationRequest:
    """Ask a body for information on the case: by email with a single-use link to its contact
    address, or, for a body whose staff use the service, to its users there.

    ``NotFound`` for a case the user cannot see, ``NotAllowed`` for anyone outside the
    managing council, ``InvalidData`` (by field: body, asked, legal_basis, days) for a request
    to correct, and for a body the request cannot reach, with the reason.
    """
    case = visible_case(session, user, reference)
    if not may_ask(session, user, case):
        raise NotAllowed("only the council managing the case asks other bodies")
    body, asked, basis, days = _checked(session, form)
    now = clock.now()
    due_on = add_working_days(clock.today(), days)
    users = _users_of(session, body)
    request = InformationRequest(
        case_id=case.id,
        public_body_id=body.id,
        asked=asked,
        legal_basis=basis,
        due_on=due_on,
        sent_at=now,
        sent_by_id=user.id,
        sent_to="" if users else body.email,
        answer="",
    )
    token = None
    if not users:
        token = secrets.token_urlsafe(32)
        request.code_hash = kept_digest(token)
        request.expires_at = link_expiry(due_on)
    session.add(request)
    session.flush()
    council = _council_name(case)
    site = service_url(session)
    signed_in_link = f"{site}/information-requests/{request.id}"
    if token is not None:
        notify(
            session,
            key=f"information_request:{request.id}",
            kind=LINK_KIND,
            subject=SUBJECT,
            body=_email(
                council,
                case.reference,
                due_on,
                f"{site}/information-request/{token}",
                single_use=True,
            ),
            email=body.email,
            case_id=case.id,
        )
    for person in users:
        notify(
            session,
            key=f"information_request:{request.id}:user:{person.id}",
            kind=USER_KIND,
            subject=SUBJECT,
            body=_email(council, case.reference, due_on, signed_in_link, single_use=False),
            user=person,
            case_id=case.id,
        )
    audit.record(
        session,
        "information_request.sent",
        user=user,
        case_id=case.id,
        object_type="information_request",
        object_id=request.id,
        detail={
            "body": body.name,
            "legal_basis": basis,
            "due_on": due_on.isoformat(),
            "to": "users" if users else "email",
        },
    )
    return request


def link_expiry(due_on: date) -> datetime:
    """The moment a request's link stops working: the end of the day some working days after
    its deadline, in England."""
    last = add_working_days(due_on, LINK_MARGIN_DAYS)
    return datetime.combine(last + timedelta(days=1), time(), tzinfo=clock.LOCAL_ZONE).astimezone(
        UTC
    )


def _council_name(case: Case) -> str:
    council = case.district.lead_council
    return council.name if council is not None else f"The council of {case.district.name}"


def _email(council: str, reference: str, due_on: date, link: str, *, single_use: bool) -> str:
    opening = (
        "Open this link to see what is asked and to answer. It works once, for your answer:"
        if single_use
        else "Sign in to the service to see what is asked and to answer:"
    )
    return "\n".join(
        [
            f"{council} asks for information for an ASB case review (case {reference}), under "
            "Schedule 4 of the Anti-social Behaviour, Crime and Policing Act 2014.",
            "",
            opening,
            link,
            "",
            f"Please answer by {due_on.day} {due_on:%B %Y}.",
            "",
            "If this request has reached you by mistake, please tell the council and delete it.",
        ]
    )


def _files_of(session: Session, request_ids: Sequence[int]) -> dict[int, list[Attachment]]:
    """The files sent with each request's answer, without their content, in the order kept."""
    found: dict[int, list[Attachment]] = {}
    if not request_ids:
        return found
    for row in session.scalars(
        select(Attachment)
        .where(Attachment.information_request_id.in_(request_ids))
        .order_by(Attachment.id)
        .options(defer(Attachment.content))
    ):
        found.setdefault(row.information_request_id or 0, []).append(row)
    return found


def _shown(
    session: Session,
    request: InformationRequest,
    case: Case,
    files: Sequence[Attachment] | None = None,
) -> RequestShown:
    """The request as its body sees it, with the files of its answer (read here unless
    given)."""
    if files is None:
        files = _files_of(session, [request.id]).get(request.id, [])
    return RequestShown(
        id=request.id,
        reference=case.reference,
        council=_council_name(case),
        body=request.public_body.name,
        asked=request.asked,
        legal_basis=request.legal_basis,
        due_on=request.due_on,
        answered_at=request.answered_at,
        answer=request.answer,
        files=tuple(file.filename for file in files),
    )


def _by_link(
    session: Session, token: str, *, lock: bool = False
) -> tuple[InformationRequest, Case]:
    query = select(InformationRequest).where(
        InformationRequest.code_hash == kept_digest(token or "")
    )
    request = session.scalar(query.with_for_update() if lock else query)
    case = session.get(Case, request.case_id) if request is not None else None
    if (
        request is None
        or case is None
        or request.answered_at is not None
        or request.expires_at is None
        or request.expires_at <= clock.now()
        or case.erased_on is not None
    ):
        # One answer whatever the reason, so the page tells no one whether a request exists.
        raise InvalidData(LINK_NOT_RIGHT, {"link": LINK_NOT_RIGHT})
    return request, case


def request_for_link(db: Database, token: str) -> RequestShown:
    """The request a link opens, to show; opening it uses nothing (mail scanners follow
    links). ``InvalidData`` on ``link`` for a link used, out of date or wrong."""
    with db.read() as session:
        request, case = _by_link(session, token)
        return _shown(session, request, case)


def checked_answer(form: Mapping[str, Any]) -> str:
    answer = str(form.get("answer") or "").replace("\r\n", "\n").strip()
    if not answer:
        raise InvalidData("The answer needs correcting", {"answer": ANSWER_NEEDED})
    if len(answer) > MOST_ANSWER:
        raise InvalidData(
            "The answer needs correcting",
            {"answer": f"The answer must be {MOST_ANSWER:,} characters or fewer"},
        )
    return answer


def _record_answer(
    session: Session,
    request: InformationRequest,
    answer: str,
    user: User | None,
    files: Sequence[AnswerFile],
) -> None:
    request.answered_at = clock.now()
    request.answer = answer
    request.answered_by_id = user.id if user is not None else None
    audit.record(
        session,
        "information_request.answered",
        user=user,
        case_id=request.case_id,
        object_type="information_request",
        object_id=request.id,
        detail={
            "body": request.public_body.name,
            "via": "link" if user is None else "service",
            "files": len(files),
        },
    )
    for file in files:
        # Through the link the body has no account: the file names no uploader, as an
        # applicant's appeal files do not.
        keep_attachment(
            session,
            case_id=request.case_id,
            information_request_id=request.id,
            organisation_id=user.organisation_id if user is not None else None,
            user=user,
            filename=file.filename,
            media_type=file.media_type,
            content=file.content,
            created_at=request.answered_at,
            detail={
                "information_request": request.id,
                "by": "link" if user is None else "service",
            },
        )


def answer_by_link(
    db: Database, token: str, form: Mapping[str, Any], files: Sequence[AnswerFile] = ()
) -> RequestShown:
    """Keep the body's answer, with its ``files``, and spend the link. ``InvalidData`` on
    ``answer`` for an answer to correct (the link still works), on ``link`` for a link that
    does not work (and nothing is recorded)."""
    answer = checked_answer(form)
    with db.transaction() as session:
        request, case = _by_link(session, token, lock=True)
        _record_answer(session, request, answer, None, files)
        return _shown(session, request, case)


def _of_my_body(session: Session, user: User) -> Any:
    return (
        select(InformationRequest)
        .join(PublicBody, PublicBody.id == InformationRequest.public_body_id)
        .join(Case, Case.id == InformationRequest.case_id)
        .where(
            PublicBody.organisation_id == user.organisation_id,
            InformationRequest.code_hash.is_(None),
            Case.erased_on.is_(None),
        )
    )


def requests_for_my_body(session: Session, user: User) -> list[RequestShown]:
    """The requests sent to the user's organisation as a public body, unanswered first, by
    deadline."""
    if not user.active:
        return []
    rows = session.scalars(
        _of_my_body(session, user).order_by(
            InformationRequest.answered_at.is_not(None),
            InformationRequest.due_on,
            InformationRequest.id,
        )
    ).all()
    files = _files_of(session, [row.id for row in rows])
    return [
        _shown(session, row, session.get_one(Case, row.case_id), files.get(row.id, []))
        for row in rows
    ]


def request_for_my_body(session: Session, user: User, request_id: int) -> RequestShown:
    """One request sent to the user's organisation; ``NotFound`` for any other."""
    request = session.scalar(_of_my_body(session, user).where(InformationRequest.id == request_id))
    if request is None or not user.active:
        raise NotFound("there is no such request for your organisation")
    return _shown(session, request, session.get_one(Case, request.case_id))


def answer_as_body(
    session: Session,
    user: User,
    request_id: int,
    form: Mapping[str, Any],
    files: Sequence[AnswerFile] = (),
) -> RequestShown:
    """A user of the body answers a request sent to it, with its ``files``. ``NotFound`` for a
    request not sent to their organisation, ``Conflict`` for one answered already,
    ``InvalidData`` on ``answer``."""
    request = session.scalar(
        _of_my_body(session, user)
        .where(InformationRequest.id == request_id)
        .with_for_update(of=InformationRequest)
    )
    if request is None or not user.active:
        raise NotFound("there is no such request for your organisation")
    if request.answered_at is not None:
        raise Conflict("this request has been answered already")
    answer = checked_answer(form)
    _record_answer(session, request, answer, user, files)
    return _shown(session, request, session.get_one(Case, request.case_id))


def requests_of_case(session: Session, case: Case) -> list[dict[str, Any]]:
    """The case's requests to other bodies, oldest first, for the case page: each one's body,
    what was asked and on what basis, its deadline, whether it is overdue, and the answer."""
    rows = session.scalars(
        select(InformationRequest)
        .where(InformationRequest.case_id == case.id)
        .order_by(InformationRequest.sent_at, InformationRequest.id)
    ).all()
    people = {r.sent_by_id for r in rows} | {r.answered_by_id for r in rows}
    wanted = {i for i in people if i is not None}
    names = (
        dict(session.execute(select(User.id, User.name).where(User.id.in_(wanted))).all())
        if wanted
        else {}
    )
    today = clock.today()
    files = _files_of(session, [row.id for row in rows])
    return [
        {
            "id": row.id,
            "body": row.public_body.name,
            "asked": row.asked,
            "legal_basis": row.legal_basis,
            "due_on": row.due_on,
            "sent_at": row.sent_at,
            "sent_by": names.get(row.sent_by_id or 0, ""),
            "sent_to": row.sent_to or "its users in the service",
            "answered_at": row.answered_at,
            "answer": row.answer,
            "answered_by": (
                names.get(row.answered_by_id, "")
                if row.answered_by_id is not None
                else ("the body, through its link" if row.answered_at else "")
            ),
            "overdue": row.answered_at is None and row.due_on < today,
            "files": [
                {"id": file.id, "filename": file.filename, "size": file.size}
                for file in files.get(row.id, [])
            ],
        }
        for row in rows
    ]


def bodies_to_ask(session: Session) -> list[dict[str, Any]]:
    """Every body, with how a request reaches it or why none can, for the request form."""
    bodies = session.scalars(select(PublicBody).order_by(PublicBody.name, PublicBody.id)).all()
    organisations = dict(session.execute(select(Organisation.id, Organisation.name)).all())
    shown = []
    for body in bodies:
        problem = contact_problem(session, body)
        reach = problem or (
            "Its users in the service" if _users_of(session, body) else f"By email to {body.email}"
        )
        shown.append(
            {
                "key": body.key,
                "name": body.name,
                "reach": reach,
                "reachable": problem is None,
                "organisation": organisations.get(body.organisation_id or 0, ""),
            }
        )
    return shown


def information_on_case(
    session: Session, user: User, reference: str, *, reason: str | None = None
) -> dict[str, Any]:
    """For the case page: the case's requests to other bodies (``requests_of_case``), and
    whether the user may send one. ``NotFound`` outside need-to-know (``reason``: an
    administrator's recorded justification for reading the case)."""
    case = visible_case(session, user, reference, reason=reason)
    return {"requests": requests_of_case(session, case), "may_ask": may_ask(session, user, case)}


LATE_KIND = "information_request_late"
LATE_SUBJECT = "A request for information is overdue"


def chase_late_requests(db: Database) -> int:
    """Tell the officer who sent each request whose deadline has passed unanswered, once, as
    other late work is chased. The body itself is not reminded: only its link's hash is kept,
    so the link cannot be sent again; the officer can telephone it or ask again. Returns how
    many officers were told."""
    today = clock.today()
    told = 0
    with db.transaction() as session:
        late = session.scalars(
            select(InformationRequest)
            .join(Case, Case.id == InformationRequest.case_id)
            .where(
                InformationRequest.chased_at.is_(None),
                InformationRequest.answered_at.is_(None),
                InformationRequest.due_on < today,
                Case.erased_on.is_(None),
            )
            .with_for_update(of=InformationRequest)
        ).all()
        site = service_url(session)
        for request in late:
            request.chased_at = clock.now()
            sender = session.get(User, request.sent_by_id) if request.sent_by_id else None
            if sender is None or not sender.active:
                continue
            case = session.get(Case, request.case_id)
            body = request.public_body
            phone = f", on {body.phone}" if body.phone else ""
            due = f"{request.due_on.day} {request.due_on:%B %Y}"
            if notify(
                session,
                key=f"{LATE_KIND}:{request.id}",
                kind=LATE_KIND,
                subject=LATE_SUBJECT,
                body="\n".join(
                    [
                        f"{body.name} has not answered your request for information on case "
                        f"{case.reference if case else ''}, due {due}.",
                        "",
                        f"You can contact the body{phone}, or ask it again from the case page:",
                        f"{site}/cases/{case.reference if case else ''}#information-requests",
                    ]
                ),
                user=sender,
                case_id=request.case_id,
            ):
                told += 1
    return told
