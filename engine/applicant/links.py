"""Asking for a new sign-in link: with the case reference and the email address the
applicant gave. The answer is the same whether or not they match, so it tells no one whether
a case or an address exists; only a match sends anything, and no more than a few an hour."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.models import ApplicantCode, Case
from engine.intake.applicant_links import send_sign_in_link

# However often it is asked for, a case's applicant is sent at most this many links an hour:
# enough for a lost email, too few to flood their inbox.
MOST_LINKS_AN_HOUR = 3


def ask_for_link(session: Session, reference: str, email: str) -> None:
    """Email a new one-time link to the applicant of the case with this reference, when
    ``email`` is the address they gave (letters' case and spaces do not matter)."""
    case = session.scalar(select(Case).where(Case.reference == (reference or "").strip().upper()))
    if case is None:
        return
    given = str((case.applicant or {}).get("email") or "").strip().lower()
    if not given or given != (email or "").strip().lower():
        return
    recent = session.execute(
        select(func.count())
        .select_from(ApplicantCode)
        .where(
            ApplicantCode.case_id == case.id,
            ApplicantCode.channel == "email",
            ApplicantCode.created_at > clock.now() - timedelta(hours=1),
        )
    ).scalar_one()
    if recent < MOST_LINKS_AN_HOUR:
        send_sign_in_link(session, case, issued_for="applicant")
