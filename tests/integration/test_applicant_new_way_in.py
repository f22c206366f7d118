"""The council gives an applicant a new way into their case from the case page: a link by
email, or a code shown once to read to them; recorded, and offered to no one else."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from engine.core.db import Database
from engine.core.models import AuditEvent, Notification
from engine.people.applicant_codes import redeem_letter_code
from engine.people.sign_in import SignInPolicy
from tests.support.people import COUNCIL, POLICE
from tests.support.procedure import application, case_of, submit
from tests.support.web import form_token, make_app, signed_in

GIVE = "Give the applicant a new way in"


def links(db: Database) -> int:
    with db.read() as session:
        return session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.kind == "applicant_link")
        )


def test_the_council_emails_the_applicant_a_new_link(app_db: Database, tmp_path: Path) -> None:
    reference = case_of(app_db, submit(app_db, application())).reference
    council = signed_in(make_app(app_db, tmp_path), COUNCIL)
    page = f"/cases/{reference}"
    assert GIVE in council.get(page).get_data(as_text=True)
    before = links(app_db)
    answer = council.post(f"{page}/applicant-code", data={"csrf_token": form_token(council, page)})
    assert answer.status_code == 302
    assert "emailed the applicant a new sign-in link" in council.get(page).get_data(as_text=True)
    assert links(app_db) == before + 1
    with app_db.read() as session:
        given = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "applicant.code_issued")
        ).all()
    assert given[-1].user_id is not None and given[-1].detail["for"].startswith("user:")


def test_for_an_applicant_by_post_the_code_is_shown_once_and_works(
    app_db: Database, tmp_path: Path
) -> None:
    by_post = {"name": "Pat Jones", "address": "4 Station Road, Matlock", "postcode": "DE4 3AB"}
    reference = case_of(
        app_db, submit(app_db, application(applicant=by_post, contact_preference="letter"))
    ).reference
    council = signed_in(make_app(app_db, tmp_path), COUNCIL)
    page = f"/cases/{reference}"
    shown = council.post(
        f"{page}/applicant-code", data={"csrf_token": form_token(council, page)}
    ).get_data(as_text=True)
    (code,) = re.findall(r"<strong>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</strong>", shown)
    assert code not in council.get(page).get_data(as_text=True), "shown once"
    used = redeem_letter_code(
        app_db, reference, code, "DE4 3AB", address="192.0.2.1", policy=SignInPolicy()
    )
    assert case_of(app_db, used.case_id).reference == reference


def test_other_participants_are_not_offered_it_and_are_refused(
    app_db: Database, tmp_path: Path
) -> None:
    reference = case_of(app_db, submit(app_db, application())).reference
    police = signed_in(make_app(app_db, tmp_path), POLICE)
    page = f"/cases/{reference}"
    assert GIVE not in police.get(page).get_data(as_text=True)
    before = links(app_db)
    token = form_token(police, "/sign-out")
    refused = police.post(f"{page}/applicant-code", data={"csrf_token": token})
    assert refused.status_code == 403
    assert links(app_db) == before
