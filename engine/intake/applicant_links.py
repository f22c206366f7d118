"""Letting the applicant follow their case: a one-time sign-in link by email, sent when they
apply, when they ask for a new one, or when a member of staff sends one."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from engine.chasing.notifications import notify
from engine.core.area import service_url
from engine.core.models import Case, User
from engine.documents import delivery_for
from engine.people.applicant_codes import EMAIL_LINK_LIFETIME, issue_email_link

# No personal data in a subject line: mail clients show it on locked screens and in lists.
LINK_SUBJECT = "Your ASB case review: follow it online"


def send_sign_in_link(
    session: Session, case: Case, *, issued_for: str, user: User | None = None
) -> bool:
    """Email the applicant a new one-time link into their case, through the outbox; False
    (and nothing sent) when they gave no email address or asked for letters."""
    delivery, address = delivery_for(case.applicant or {})
    if delivery != "email" or case.erased_on is not None:
        return False
    token = issue_email_link(session, case, issued_for=issued_for, user=user)
    site = service_url(session)
    hours = int(EMAIL_LINK_LIFETIME.total_seconds() // 3600)
    body = "\n".join(
        [
            "You can follow your ASB case review online: where it stands, who is dealing "
            "with it, the letters we send you, and how to appeal a decision.",
            "",
            f"Open this link within {hours} hours to sign in. It works once:",
            f"{site}/your-case/sign-in/{token}",
            "",
            f"If it has stopped working, go to {site}/your-case and ask for a new one with "
            f"your case reference, {case.reference}, and this email address.",
            "",
            "If you did not apply for a case review, you can ignore this email.",
        ]
    )
    digest = hashlib.sha256(token.encode()).hexdigest()[:32]
    notify(
        session,
        key=f"applicant_link:{digest}",
        kind="applicant_link",
        subject=LINK_SUBJECT,
        body=body,
        email=address,
        case_id=case.id,
    )
    return True
