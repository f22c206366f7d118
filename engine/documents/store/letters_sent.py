"""Letters sent: a completed letter task's letter is written, kept, and sent by email through
the outbox or marked for printing and posting.

An emailed letter carries the Word file, the letter as kept, and the same letter as a tagged
PDF, which the applicant can open without a word processor. The PDF is made when the email is
sent, by the mail sender, not here (``emailed_pdfs``): sending a letter keeps the Word file
and queues its email, whose text names the Word file until the sender settles what it carries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from engine.cases.details import ANOTHER_LANGUAGE, LARGE_PRINT, details_of
from engine.chasing.notifications import notify
from engine.core import audit, clock
from engine.core.area import large_print_size, service_url
from engine.core.models import Appeal, Case, Document, User
from engine.documents.letters import Letter, compose_letter, letter_text, render_letter
from engine.documents.store.kept import disclose, lock_case, next_version, store_document
from engine.documents.word import template_path
from engine.people.applicant_codes import issue_letter_code, postcode_of, show_letter_code


def delivery_for(applicant: Mapping[str, Any]) -> tuple[str, str]:
    """("email", address) when the applicant chose email, or gave an email address and no
    preference; ("post", "") otherwise."""
    address = str(applicant.get("email") or "").strip()
    if "@" not in address or any(ch.isspace() or not ch.isprintable() for ch in address):
        address = ""
    preference = str(applicant.get("contact_preference") or "").strip().lower()
    if preference in ("post", "letter") or not address:
        return "post", ""
    return "email", address


def large_print_for(session: Session, case: Case, *, asked: bool = False) -> float | None:
    """The size in points of the text of letters to the applicant of ``case``: the area's
    large print size when they asked for letters in large print (or a large-print copy is
    ``asked`` for); None for the base template's own."""
    if asked or details_of(case.details).letter_format == LARGE_PRINT:
        return large_print_size(session)
    return None


def preview_letter(
    session: Session,
    case: Case,
    kind: str,
    user: User | None,
    answers: Mapping[str, Any],
    *,
    appeal_id: int | None = None,
) -> Letter:
    """The letter of ``kind`` as it would go today with these answers, for the person about to
    send it to read first: composed as ``send_letter`` composes it, nothing kept or sent (a
    posted letter's access code is made only when it is sent)."""
    appeal = session.get(Appeal, appeal_id) if appeal_id is not None else None
    return compose_letter(
        session, case, kind, answers, letter_date=clock.today(), signer=user, appeal=appeal
    )


def preview_document(
    letter: Letter, templates_dir: Path | None = None, *, large_print: float | None = None
) -> bytes:
    """A previewed letter as the Word document it would be sent as (in large print at
    ``large_print`` points when given)."""
    return render_letter(
        letter,
        template_path(letter.template_keys, templates_dir),
        made=clock.now(),
        large_print=large_print,
    )


def send_letter(
    session: Session,
    case: Case,
    kind: str,
    user: User | None,
    answers: Mapping[str, Any],
    *,
    form: str,
    appeal_id: int | None = None,
    task_id: int | None = None,
    templates_dir: Path | None = None,
) -> Document:
    """Write the letter of ``kind`` that a task completed with ``form`` stands for, keep it,
    and send it: by email through the outbox, or marked for printing and posting. The letter
    is dated the day it is sent, whatever the answers say: a typed date could put it in the
    future, and the applicant's time to appeal counts from it. With no ``user``, the service
    sends it on its own (the case closing), signed by the case's contact.

    The letter is made in the format the applicant asked for: in large print at the area's
    size, or, for easy read or another language, which the service cannot write, as a
    standard letter that records the format it is to be provided in.

    An emailed letter's PDF is made by the mail sender, when the email goes."""
    letter_date = clock.today()
    appeal = session.get(Appeal, appeal_id) if appeal_id is not None else None
    letter = compose_letter(
        session, case, kind, answers, letter_date=letter_date, signer=user, appeal=appeal
    )
    template = template_path(letter.template_keys, templates_dir)
    asked = details_of(case.details)
    large_print = large_print_for(session, case)
    lock_case(session, case.id)
    version = next_version(session, case.id, kind)
    made = clock.now()
    delivery, address = delivery_for(case.applicant or {})
    if delivery == "post" and postcode_of(case.applicant or {}):
        # Every posted letter carries a fresh code, so the applicant can follow their case
        # online whenever a letter reaches them.
        code = issue_letter_code(session, case, issued_for="letter")
        follow = (f"{service_url(session)}/your-case", show_letter_code(code))
        letter = replace(letter, follow_online=follow)
    filename = f"{case.reference}-{kind.replace('_', '-')}-v{version}.docx"
    message = None
    if delivery == "email":
        # The message first, so that the letter's row is written linked to it: the mail
        # sender attaches the documents linked to the message, in the order kept.
        message = notify(
            session,
            key=f"letter:case:{case.id}:{kind}:v{version}",
            kind="letter",
            subject=f"{letter.title} ({case.reference})",
            body=letter_text(letter, filename),
            email=address,
            case_id=case.id,
            task_id=task_id,
        )
    document = store_document(
        session,
        case=case,
        kind=kind,
        version=version,
        filename=filename,
        content=render_letter(letter, template, made=made, large_print=large_print),
        user=user,
        detail={
            "title": letter.title,
            "letter_date": letter_date.isoformat(),
            "form": form,
            "task_id": task_id,
            "template": template.name,
            "method_recorded": answers.get("method"),
            "wording_version": letter.wording_version,
            **letter.facts,
            "letter_format": asked.letter_format,
            **({"large_print_size": large_print} if large_print else {}),
            **(
                {"letter_language": asked.letter_language}
                if asked.letter_format == ANOTHER_LANGUAGE
                else {}
            ),
        },
        columns={
            "letter_template_id": letter.wording_id,
            "delivery": delivery,
            "dispatched_at": made,
            "dispatched_by_id": user.id if user is not None else None,
            "notification_id": message.id if message is not None else None,
        },
    )
    audit.record(
        session,
        "letter.dispatched",
        user=user,
        case_id=case.id,
        object_type="document",
        object_id=document.id,
        detail={
            "kind": kind,
            "delivery": delivery,
            "notification_id": document.notification_id,
        },
    )
    how = "by email" if delivery == "email" else "for printing and posting"
    disclose(session, user, document, f"{letter.title}, to the applicant {how}")
    return document
