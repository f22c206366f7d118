"""The applicant's way in, as the web tests use it: the link emailed when they apply, a code
of either kind issued afresh, the code printed on their latest letter, and a browser signed in
to follow their case; and a case whose agencies' returns hold what the applicant must never
see."""

from __future__ import annotations

import io
import re

from docx import Document as WordDocument
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from engine.core.db import Database
from engine.core.models import Case, Document, Notification
from engine.documents import LETTER_KINDS
from engine.people.applicant_codes import issue_email_link, issue_letter_code
from engine.work.task_view import release_task
from tests.support.people import COUNCIL, user
from tests.support.procedure import (
    ACKNOWLEDGED,
    NO_RETURN,
    STANDARD_RISK,
    application,
    do,
    live,
    submit,
)
from tests.support.web import csrf_token

# An applicant who asked for letters by post, with a postcode to sign in with.
BY_POST = {"name": "Pat Jones", "address": "4 Station Road, Matlock", "postcode": "DE4 3AB"}
# What the police's return holds: another person, and what only the agencies may read.
NEIGHBOUR = "Jordan Quigley"
RETURN_INCIDENT = "Officers spoke to the neighbour at number 6 about the music"
RETURN_ACTIONS = "Community protection warning issued to the neighbour"
RETURN_VIEW = f"{NEIGHBOUR} has a history of similar complaints at a previous address"


def emailed_link(db: Database, case_id: int) -> str:
    """The token of the latest sign-in link emailed to the applicant of the case."""
    with db.read() as session:
        body = session.scalar(
            select(Notification.body)
            .where(Notification.case_id == case_id, Notification.kind == "applicant_link")
            .order_by(Notification.id.desc())
            .limit(1)
        )
    (token,) = re.findall(r"/your-case/sign-in/(\S+)", body or "")
    return token


def links_sent(db: Database, case_id: int) -> int:
    with db.read() as session:
        return len(
            session.scalars(
                select(Notification.id).where(
                    Notification.case_id == case_id, Notification.kind == "applicant_link"
                )
            ).all()
        )


def new_link(db: Database, case_id: int) -> str:
    """A fresh one-time link's token for the case, as if a member of staff sent one."""
    with db.transaction() as session:
        return issue_email_link(session, session.get_one(Case, case_id), issued_for="test")


def new_letter_code(db: Database, case_id: int) -> str:
    """A fresh access code for the case, as printed on a letter."""
    with db.transaction() as session:
        return issue_letter_code(session, session.get_one(Case, case_id), issued_for="test")


def code_on_letter(db: Database, case_id: int) -> str:
    """The access code printed on the latest letter posted to the applicant."""
    with db.read() as session:
        content = session.scalars(
            select(Document.content)
            .where(Document.case_id == case_id, Document.kind.in_(LETTER_KINDS))
            .order_by(Document.id.desc())
            .limit(1)
        ).one()
    text = "\n".join(p.text for p in WordDocument(io.BytesIO(content)).paragraphs)
    (code,) = re.findall(r"Your access code: ([A-Z0-9-]+)", text)
    return code


def reference_of(db: Database, case_id: int) -> str:
    with db.read() as session:
        return session.get_one(Case, case_id).reference


def use_link(client: FlaskClient, token: str) -> TestResponse:
    """Open the emailed link and press Continue, as the applicant does."""
    page = client.get(f"/your-case/sign-in/{token}").get_data(as_text=True)
    return client.post(f"/your-case/sign-in/{token}", data={"csrf_token": csrf_token(page)})


def use_code(client: FlaskClient, reference: str, code: str, postcode: str) -> TestResponse:
    """Post the letter code form of the start page."""
    token = csrf_token(client.get("/your-case").get_data(as_text=True))
    return client.post(
        "/your-case/code",
        data={
            "csrf_token": token,
            "code-reference": reference,
            "code": code,
            "postcode": postcode,
        },
    )


def following(
    app: Flask, db: Database, case_id: int, client: FlaskClient | None = None
) -> FlaskClient:
    """A browser signed in to follow the case (``client``, or a new one)."""
    client = client or app.test_client()
    answer = use_link(client, new_link(db, case_id))
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    return client


def case_with_returns(db: Database) -> int:
    """A Dales case whose agencies have all returned what they hold, the police naming the
    applicant's neighbour; it waits for the threshold decision."""
    case_id = submit(db, application())
    do(db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    do(db, case_id, "screen", COUNCIL, {"route": "review", "hate_element": False})
    police = {
        "incidents": [
            {
                "occurred_on": "2026-01-05",
                "reported_on": "2026-01-06",
                "reference": "DC-5531",
                "description": RETURN_INCIDENT,
            }
        ],
        "actions_taken": RETURN_ACTIONS,
        "view": RETURN_VIEW,
    }
    do(db, case_id, "police_return", "police@example.org", police)
    do(db, case_id, "housing_return [child]", "housing@example.org", NO_RETURN)
    do(db, case_id, "health_return", "health@example.org", NO_RETURN)
    # Another officer does the council's return: the caseworker who screened the case, whose
    # it was, hands it back to the queue.
    release_task(db, live(db, case_id)["council_return"].id, user(db, COUNCIL))
    do(db, case_id, "council_return", "council2@example.org", NO_RETURN)
    do(db, case_id, "risk_assessment", COUNCIL, STANDARD_RISK)
    return case_id
