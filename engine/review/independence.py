"""Whether a review's chair is independent of the case, and how the chair stands.

The guidance recommends a chair independent of the agencies whose handling is under review. A
chair from an organisation taking part in the case (one of its agencies) may still chair, but
only when a manager appoints them and records why; the reason is kept on the review, audited,
and shown with the case and in the meeting pack. Whoever chairs declares any conflict of
interest with the case's agencies, and may declare again: a declaration made once the meeting
is recorded is kept as made after it and leaves the meeting as it was.

Who a chair is comes from their account, and from the area's list of chairs where it names
them (``engine.core.area_chairs``): a listed chair may come from an outside body, such as a
neighbouring partnership, which takes part in no case here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.area import listed_chairs
from engine.core.models import (
    PARTICIPANT_ROLES,
    Case,
    CaseParticipant,
    ChairDeclaration,
    Organisation,
    Review,
    User,
    UserRole,
)

# The roles whose handling a review looks at: not its chair, nor the OPCC hearing appeals.
AGENCY_ROLES = tuple(role for role in PARTICIPANT_ROLES if role not in ("chair", "opcc"))
LONGEST_TEXT = 5000
REASON_FIELD = "chair_reason"


@dataclass(frozen=True)
class Declaration:
    """A chair's declaration of interests, as it stands."""

    conflict: bool
    details: str
    declared_by: str
    declared_at: datetime
    # Made once the meeting was recorded: the meeting stands as it was held.
    after_meeting: bool


@dataclass(frozen=True)
class ChairStanding:
    """A review's chair as the case page, the API and the meeting pack show them."""

    chair: str
    # The body they come from as appointed; "" for a chair appointed before it was asked.
    body: str
    # Whether the appointment looked at the case's organisations (not for older reviews).
    assessed: bool
    # The organisations taking part in the case that the chair comes from: none when the chair
    # is independent of the case.
    taking_part: tuple[str, ...]
    # A manager's reason for appointing a chair from an organisation taking part.
    reason: str
    reason_by: str
    reason_at: datetime | None
    declaration: Declaration | None

    @property
    def independent(self) -> bool | None:
        return None if not self.assessed else not self.taking_part

    def as_dict(self) -> dict[str, Any]:
        """For the API: plain values."""
        declared = self.declaration
        return {
            "body": self.body or None,
            "independent": self.independent,
            "taking_part": list(self.taking_part),
            "reason": self.reason or None,
            "reason_by": self.reason_by or None,
            "reason_at": self.reason_at,
            "declaration": None
            if declared is None
            else {
                "conflict": declared.conflict,
                "details": declared.details,
                "declared_by": declared.declared_by,
                "declared_at": declared.declared_at,
                "after_meeting": declared.after_meeting,
            },
        }


@dataclass(frozen=True)
class ChairOffer:
    """A chair the appointment form offers: a review chair's account, the area's list, or
    both."""

    email: str
    name: str
    body: str
    taking_part: tuple[str, ...]
    shared_with: tuple[str, ...]
    has_account: bool

    @property
    def label(self) -> str:
        shared = f", shared with {_and(self.shared_with)}" if self.shared_with else ""
        return f"{self.name} ({self.email}), {self.body}{shared}: {self.standing}"

    @property
    def standing(self) -> str:
        """Whether they are independent of this case, and whether they have an account."""
        if self.taking_part:
            standing = (
                f"not independent: {_and(self.taking_part)} takes part in this case (a "
                "manager appoints them, giving the reason)"
            )
        else:
            standing = "independent of this case"
        if not self.has_account:
            standing += "; no account yet: appointing them creates it and emails them"
        return standing


def taking_part(session: Session, case: Case) -> dict[int, str]:
    """The organisations taking part in the case as its agencies, by id: their names."""
    return dict(
        session.execute(
            select(Organisation.id, Organisation.name)
            .join(CaseParticipant, CaseParticipant.organisation_id == Organisation.id)
            .where(CaseParticipant.case_id == case.id, CaseParticipant.role.in_(AGENCY_ROLES))
        ).all()
    )


def _listed(session: Session) -> dict[str, dict[str, Any]]:
    return {chair["email"]: chair for chair in listed_chairs(session)}


def _standing(
    session: Session,
    chair: User,
    agencies: Mapping[int, str],
    listed: Mapping[str, dict[str, Any]],
) -> tuple[str, tuple[str, ...]]:
    """The body the chair comes from, and the case's organisations among theirs: their
    account's, and the one the area's list names for them."""
    ids: set[int | None] = {chair.organisation_id}
    entry = listed.get(chair.email)
    if entry is not None and entry["organisation_key"]:
        ids.add(_organisation_id(session, entry["organisation_key"]))
    if entry is not None:
        body = str(entry["organisation_name"])
    else:
        body = (
            session.scalar(
                select(Organisation.name).where(Organisation.id == chair.organisation_id)
            )
            or ""
        )
    return body, tuple(sorted(agencies[i] for i in ids if i is not None and i in agencies))


def chair_offers(session: Session, case: Case) -> list[ChairOffer]:
    """The review chairs' accounts and the area's list of chairs, independent ones first."""
    agencies, listed = taking_part(session, case), _listed(session)
    accounts = session.scalars(
        select(User).where(
            User.active.is_(True),
            User.id.in_(select(UserRole.user_id).where(UserRole.role == "review_chair")),
        )
    ).all()
    offers = {}
    for account in accounts:
        body, among = _standing(session, account, agencies, listed)
        entry = listed.get(account.email, {})
        offers[account.email] = ChairOffer(
            account.email,
            account.name,
            body,
            among,
            tuple(entry.get("shared_with", ())),
            has_account=True,
        )
    others = set(session.scalars(select(User.email).where(User.email.in_(list(listed)))))
    for email, entry in listed.items():
        # An address whose account cannot chair (stopped, or with other roles) is not offered:
        # choosing it would be refused.
        if email in offers or email in others:
            continue
        offers[email] = ChairOffer(
            email,
            entry["name"],
            entry["organisation_name"],
            _listed_among(session, entry, agencies),
            tuple(entry["shared_with"]),
            has_account=False,
        )
    return sorted(
        offers.values(),
        key=lambda o: (not o.has_account, bool(o.taking_part), o.name.lower(), o.email),
    )


def _listed_among(
    session: Session, entry: Mapping[str, Any], agencies: Mapping[int, str]
) -> tuple[str, ...]:
    """The case's organisations among the one the area's list names for a chair."""
    key = entry["organisation_key"]
    listed_id = _organisation_id(session, key) if key else None
    return (agencies[listed_id],) if listed_id is not None and listed_id in agencies else ()


def _organisation_id(session: Session, key: str) -> int | None:
    return session.scalar(select(Organisation.id).where(Organisation.key == key))


def chair_choices(session: Session, case: Case) -> list[tuple[str, str]]:
    """The chairs the appointment form offers (email address, words saying who they are and
    whether they are independent of this case)."""
    return [(offer.email, offer.label) for offer in chair_offers(session, case)]


def listed_newcomer(session: Session, email: str) -> dict[str, Any] | None:
    """The area's list's entry for ``email`` when no account has that address: a chair whose
    appointment creates their account."""
    entry = _listed(session).get(email.strip().lower())
    if entry is None or session.scalar(select(User.id).where(User.email == entry["email"])):
        return None
    return entry


def no_account_problem(session: Session, email: str) -> str | None:
    """For an address on the area's list whose account cannot chair: what to do."""
    entry = _listed(session).get(email.strip().lower())
    if entry is None or listed_newcomer(session, email) is not None:
        return None
    return (
        f"{entry['name']} is on the area's list of chairs, but their account is not an active "
        "review chair's: an administrator restores their access or gives them the review "
        "chair role, then they can be appointed"
    )


def appointment_problems(
    session: Session, case: Case, appointer: User, chair: User, reason: str
) -> dict[str, str]:
    """Why ``appointer`` may not appoint ``chair`` as it stands: a chair from an organisation
    taking part in the case needs a manager, and the manager's reason."""
    _body, among = _standing(session, chair, taking_part(session, case), _listed(session))
    return _problems(chair.name, among, appointer, reason)


def newcomer_problems(
    session: Session, case: Case, appointer: User, entry: Mapping[str, Any], reason: str
) -> dict[str, str]:
    """As ``appointment_problems``, for a listed chair with no account yet (``entry``, from
    ``listed_newcomer``), from the organisation the list names for them."""
    among = _listed_among(session, entry, taking_part(session, case))
    return _problems(str(entry["name"]), among, appointer, reason)


def _problems(name: str, among: tuple[str, ...], appointer: User, reason: str) -> dict[str, str]:
    if not among:
        return {}
    where = f"{name} comes from {_and(among)}, which takes part in this case"
    if not appointer.has_role("manager"):
        return {
            "chair_email": f"{where}: a manager must appoint them, giving the reason, or "
            "choose a chair independent of the case"
        }
    if not reason.strip():
        return {REASON_FIELD: f"{where}: say why they should chair the review"}
    if len(reason.strip()) > LONGEST_TEXT:
        return {REASON_FIELD: f"Say why in {LONGEST_TEXT} characters or fewer"}
    return {}


def record_appointment(
    session: Session, case: Case, review: Review, appointer: User, chair: User, reason: str
) -> None:
    """Keep on the review who the chair is and, for a chair from an organisation taking
    part, the manager's reason (audited). Check ``appointment_problems`` first."""
    body, among = _standing(session, chair, taking_part(session, case), _listed(session))
    review.chair_body, review.chair_taking_part = body, list(among)
    if not among:
        review.chair_reason = review.chair_reason_by_id = review.chair_reason_at = None
        return
    review.chair_reason = reason.strip()
    review.chair_reason_by_id, review.chair_reason_at = appointer.id, clock.now()
    session.flush()
    audit.record(
        session,
        "review.chair_not_independent",
        user=appointer,
        case_id=case.id,
        object_type="review",
        object_id=review.id,
        detail={"chair_user_id": chair.id, "taking_part": list(among), "reason": reason.strip()},
    )


def standings(session: Session, reviews: Iterable[Review]) -> dict[int, ChairStanding]:
    """Each review's chair standing, by review id (reviews with no chair are left out)."""
    chaired = [review for review in reviews if review.chair_user_id is not None]
    if not chaired:
        return {}
    latest: dict[int, ChairDeclaration] = {}
    for row in session.scalars(
        select(ChairDeclaration)
        .where(ChairDeclaration.review_id.in_([review.id for review in chaired]))
        .order_by(ChairDeclaration.id)
    ):
        latest[row.review_id] = row  # a later one stands in place of an earlier one
    wanted = {review.chair_user_id for review in chaired}
    wanted |= {review.chair_reason_by_id for review in chaired}
    names = dict(
        session.execute(
            select(User.id, User.name).where(User.id.in_({i for i in wanted if i is not None}))
        ).all()
    )
    found = {}
    for review in chaired:
        declared = latest.get(review.id)
        # A declaration by an earlier chair is theirs, not the current chair's.
        if declared is not None and declared.chair_user_id != review.chair_user_id:
            declared = None
        found[review.id] = ChairStanding(
            chair=names.get(review.chair_user_id or 0, ""),
            body=review.chair_body or "",
            assessed=review.chair_taking_part is not None,
            taking_part=tuple(review.chair_taking_part or ()),
            reason=review.chair_reason or "",
            reason_by=names.get(review.chair_reason_by_id or 0, ""),
            reason_at=review.chair_reason_at,
            declaration=None
            if declared is None
            else Declaration(
                conflict=declared.conflict,
                details=declared.details,
                declared_by=names.get(declared.chair_user_id, ""),
                declared_at=declared.declared_at,
                after_meeting=declared.after_meeting,
            ),
        )
    return found


def _and(names: Iterable[str]) -> str:
    listed = list(names)
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
