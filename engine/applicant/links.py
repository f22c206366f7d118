"""Asking for a new sign-in link: with the case reference and the email address the
applicant gave. The answer is the same whether or not they match, so it tells no one whether
a case or an address exists; only a match sends anything."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.models import Case
from engine.intake.applicant_links import send_sign_in_link


def ask_for_link(session: Session, reference: str, email: str) -> None:
    """Email a new one-time link to the applicant of the case with this reference, when
    ``email`` is the address they gave (letters' case and spaces do not matter)."""
    case = session.scalar(select(Case).where(Case.reference == (reference or "").strip().upper()))
    if case is None:
        return
    given = str((case.applicant or {}).get("email") or "").strip().lower()
    if given and given == (email or "").strip().lower():
        send_sign_in_link(session, case, issued_for="applicant")
