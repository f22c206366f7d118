"""Bearer tokens for an applicant on the JSON API, got for one of their one-time codes.

A token reaches the one case its code opened, and nothing a member of staff may do: it is kept
in a table of its own, so no route that asks for a staff token takes it. Only its sha256 is
kept, and it expires within the hour.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.counters import kept_digest
from engine.core.models import ApplicantCode, ApplicantToken, Case
from engine.people.applicant_codes import ApplicantAccess

APPLICANT_TOKEN_LIFETIME = timedelta(hours=1)


def issue_applicant_token(session: Session, used: ApplicantCode) -> tuple[str, str]:
    """A new token for the case of the code just used; returns it and the case's reference."""
    case = session.get_one(Case, used.case_id)
    token = secrets.token_urlsafe(32)
    now = clock.now()
    session.add(
        ApplicantToken(
            token_hash=kept_digest(token),
            case_id=case.id,
            created_at=now,
            expires_at=now + APPLICANT_TOKEN_LIFETIME,
        )
    )
    audit.record(
        session,
        "applicant.token_issued",
        case_id=case.id,
        object_type="case",
        object_id=case.reference,
        detail={"via": used.channel, "expires_at": (now + APPLICANT_TOKEN_LIFETIME).isoformat()},
    )
    return token, case.reference


def applicant_for_token(session: Session, token: str) -> ApplicantAccess | None:
    """What the applicant holding ``token`` may reach; None when it is unknown, expired, or
    its case has been erased."""
    if not token or len(token) > 200:
        return None
    case_id = session.scalar(
        select(ApplicantToken.case_id)
        .join(Case, Case.id == ApplicantToken.case_id)
        .where(
            ApplicantToken.token_hash == kept_digest(token),
            ApplicantToken.expires_at > clock.now(),
            Case.erased_on.is_(None),
        )
    )
    return ApplicantAccess(frozenset({case_id})) if case_id is not None else None
