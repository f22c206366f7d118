"""The applicant's way in, with no password: a one-time link sent by email, or a code printed
on a posted letter and used with the postcode.

A code opens one case. Only its sha256 is kept; it expires, and it stops working the moment it
is used, so nothing in a link or on a letter stays valid after use. Wrong attempts are counted
in the database (as for staff sign-in) per network address and, for letter codes, per case
reference as typed, whether or not such a case exists; every answer to a wrong, expired or
used code is the same, so none tells whether a case, an email address or a postcode exists.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.counters import kept_digest
from engine.core.db import Database
from engine.core.errors import InvalidData
from engine.core.models import ApplicantCode, Case, User
from engine.core.postcodes import postcode_of
from engine.people.sign_in import SignInPolicy, address_key, count_failure, refuse_if_locked

EMAIL_LINK_LIFETIME = timedelta(hours=24)
# A posted letter may wait a week in the post and on the mat.
LETTER_CODE_LIFETIME = timedelta(days=60)
# Letters and digits that cannot be mistaken for one another when typed from paper.
LETTER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LETTER_CODE_LENGTH = 12  # 60 bits: with attempts limited, not to be guessed
NOT_RIGHT = (
    "That code has not worked. It may have been typed wrongly, used already or be out of "
    "date: check it, or ask for a new one"
)


@dataclass(frozen=True)
class ApplicantAccess:
    """What a signed-in applicant may reach: their own cases, by id."""

    case_ids: frozenset[int]

    def reaches(self, case_id: int) -> bool:
        return case_id in self.case_ids

    def with_case(self, case_id: int) -> ApplicantAccess:
        return ApplicantAccess(self.case_ids | {case_id})


def normalised_code(text: str) -> str:
    """A letter code as typed: spaces, dashes and small letters do not matter."""
    return re.sub(r"[\s-]", "", text or "").upper()


def show_letter_code(code: str) -> str:
    """A letter code in groups of four, as printed."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _issue(
    session: Session,
    case: Case,
    channel: str,
    code: str,
    issued_for: str,
    user: User | None,
) -> None:
    lifetime = EMAIL_LINK_LIFETIME if channel == "email" else LETTER_CODE_LIFETIME
    now = clock.now()
    session.add(
        ApplicantCode(
            case_id=case.id,
            channel=channel,
            code_hash=kept_digest(code),
            created_at=now,
            expires_at=now + lifetime,
            issued_for=issued_for,
        )
    )
    audit.record(
        session,
        "applicant.code_issued",
        user=user,
        case_id=case.id,
        object_type="case",
        object_id=case.reference,
        detail={"channel": channel, "for": issued_for, "expires_at": (now + lifetime).isoformat()},
    )


def issue_email_link(
    session: Session, case: Case, *, issued_for: str, user: User | None = None
) -> str:
    """A new one-time sign-in token for the case, to go in a link by email; ``user`` is the
    member of staff who sent it, if one did."""
    token = secrets.token_urlsafe(32)
    _issue(session, case, "email", token, issued_for, user)
    return token


def issue_letter_code(
    session: Session, case: Case, *, issued_for: str, user: User | None = None
) -> str:
    """A new one-time access code for the case, to print on a posted letter or to read to
    the applicant; ``user`` is the member of staff who asked for it, if one did."""
    code = "".join(secrets.choice(LETTER_ALPHABET) for _ in range(LETTER_CODE_LENGTH))
    _issue(session, case, "letter", code, issued_for, user)
    return code


def redeem_email_link(
    db: Database, token: str, *, address: str, policy: SignInPolicy
) -> ApplicantCode:
    """Use a link's token: the code row (now used) when it is right, unused and in date.

    ``InvalidData`` otherwise, ``TooManyAttempts`` while the address is locked.
    """
    keys = {"address": applicant_address_key(address)}
    return _redeem(db, keys, "email", token, None, address=address, policy=policy)


def redeem_letter_code(
    db: Database,
    reference: str,
    code: str,
    postcode: str,
    *,
    address: str,
    policy: SignInPolicy,
) -> ApplicantCode:
    """Use a letter's code with the case reference and the applicant's postcode, as
    ``redeem_email_link``; attempts are also counted per reference as typed."""
    reference = (reference or "").strip().upper()
    keys = {
        "applicant": f"applicant:{kept_digest(reference)}",
        "address": applicant_address_key(address),
    }
    expected = (reference, re.sub(r"\s", "", (postcode or "").upper()))
    return _redeem(
        db, keys, "letter", normalised_code(code), expected, address=address, policy=policy
    )


def applicant_address_key(address: str) -> str:
    # Counted apart from staff sign-in, so an office's address locked out by wrong codes does
    # not lock its staff out too (nor the other way round).
    return f"applicant-{address_key(address or 'unknown')}"


def _redeem(
    db: Database,
    keys: dict[str, str],
    channel: str,
    code: str,
    expected: tuple[str, str] | None,
    *,
    address: str,
    policy: SignInPolicy,
) -> ApplicantCode:
    with db.read() as session:
        refuse_if_locked(session, keys.values(), clock.now())
    with db.transaction() as session:
        row = session.scalar(
            select(ApplicantCode)
            .where(ApplicantCode.code_hash == kept_digest(code), ApplicantCode.channel == channel)
            .with_for_update()
        )
        case = session.get(Case, row.case_id) if row is not None else None
        right = (
            row is not None
            and case is not None
            and row.used_at is None
            and row.expires_at > clock.now()
            and case.erased_on is None
            and (
                expected is None
                or (
                    case.reference == expected[0]
                    and bool(expected[1])
                    and postcode_of(case.applicant or {}) == expected[1]
                )
            )
        )
        if right and row is not None and case is not None:
            row.used_at = clock.now()
            audit.record(
                session,
                "applicant.signed_in",
                case_id=case.id,
                object_type="case",
                object_id=case.reference,
                detail={"via": channel, "address": address},
            )
            return row
    count_failure(db, keys, "", address, policy)
    raise InvalidData(NOT_RIGHT, {"code": NOT_RIGHT})
