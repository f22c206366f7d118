"""Telling the applicant as their case moves on, the way they chose: an email with a link to
their own pages (and nothing personal in its subject line), or a short letter for printing
and posting, kept with the others."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from engine.chasing.notifications import notify
from engine.core import audit
from engine.core.area import service_url
from engine.core.models import Case, User
from engine.documents.letters.shared import case_contact
from engine.documents.letters.updates import UPDATE_SUBJECT, update_email
from engine.documents.store.letters_sent import delivery_for, send_letter

UPDATE_LETTER = "update_letter"


def tell_applicant(
    session: Session,
    case: Case,
    facts: Mapping[str, Any],
    *,
    key: str,
    user: User | None,
    form: str = "",
    task_id: int | None = None,
) -> None:
    """Send the applicant the update these facts describe (``letters.updates``), once for
    ``key``, which names the event it tells of."""
    if case.erased_on is not None:
        return
    delivery, address = delivery_for(case.applicant or {})
    if delivery == "post":
        send_letter(
            session,
            case,
            UPDATE_LETTER,
            user,
            facts,
            form=form,
            task_id=task_id,
        )
        return
    body = update_email(case.reference, facts, service_url(session), case_contact(session, case))
    message = notify(
        session,
        key=f"update:case:{case.id}:{key}",
        # Mail to the applicant is of the kind "letter", so the outbox's audit names them by
        # role, never by address: the audit trail outlives their personal data.
        kind="letter",
        subject=UPDATE_SUBJECT,
        body=body,
        email=address,
        case_id=case.id,
        task_id=task_id,
    )
    audit.record(
        session,
        "applicant.updated",
        user=user,
        case_id=case.id,
        object_type="case",
        object_id=case.reference,
        detail={
            "update": facts.get("update"),
            "delivery": "email",
            "notification_id": message.id if message is not None else None,
        },
    )
