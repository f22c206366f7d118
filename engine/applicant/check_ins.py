"""The applicant's answer to a check-in after their case closed, from the email's one-time
link, without signing in.

Opening the link only shows the question (mail scanners follow links); the answer, posted
from that page, uses the link up. A wrong, used or out-of-date link is refused with the same
words whatever the reason, and counted against the network address like a wrong sign-in code,
so the page tells no one whether a link, a case or an answer exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from engine.core import clock
from engine.core.counters import kept_digest
from engine.core.db import Database
from engine.core.errors import InvalidData
from engine.core.models import Case, CheckIn
from engine.documents.letters.shared import case_contact
from engine.people.applicant_codes import applicant_address_key
from engine.people.sign_in import SignInPolicy, count_failure, refuse_if_locked
from engine.procedure.check_ins import checked_answer, record_answer

LINK_NOT_RIGHT = (
    "This link has not worked. It may have been used already or be out of date, or it may "
    "not have been copied in full"
)


@dataclass(frozen=True)
class Answered:
    """What the page thanking the applicant says: their answer, and who will be in touch."""

    still_happening: bool
    contact_name: str
    contact_phone: str
    contact_email: str


def answer_check_in(
    db: Database,
    token: str,
    form: Mapping[str, Any],
    *,
    address: str,
    policy: SignInPolicy,
) -> Answered:
    """Keep the applicant's answer and use the link up. ``InvalidData`` on the fields for an
    answer to correct (the link still works), on ``link`` for a link that does not work;
    ``TooManyAttempts`` while the address is locked."""
    still_happening, comment = checked_answer(form)
    keys = {"address": applicant_address_key(address)}
    with db.read() as session:
        refuse_if_locked(session, keys.values(), clock.now())
    with db.transaction() as session:
        check_in = session.scalar(
            select(CheckIn).where(CheckIn.code_hash == kept_digest(token or "")).with_for_update()
        )
        case = session.get(Case, check_in.case_id) if check_in is not None else None
        if (
            check_in is not None
            and case is not None
            and check_in.answered_at is None
            and check_in.expires_at is not None
            and check_in.expires_at > clock.now()
            and case.erased_on is None
        ):
            record_answer(
                session, check_in, case, still_happening=still_happening, comment=comment, by=None
            )
            contact = case_contact(session, case)
            return Answered(
                still_happening=still_happening,
                contact_name=contact.person or contact.name,
                contact_phone=contact.phone,
                contact_email=contact.email,
            )
    count_failure(db, keys, "", address, policy)
    raise InvalidData(LINK_NOT_RIGHT, {"link": LINK_NOT_RIGHT})
