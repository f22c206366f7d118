"""The letters the steps write: the newest of a kind on a case, its text and headings, the
message it went out with; a case whose acknowledgement was sent; and one whose threshold
decision letter waits, quoting what the decision recorded."""

from __future__ import annotations

import io

import docx
from sqlalchemy import select

from engine.core.db import Database
from engine.core.models import Document, Notification
from tests.support.people import COUNCIL
from tests.support.procedure import THREE, application, do, live, submit, through_to_decision

DALES = "Derbyshire Dales District Council"
# The applicant's contact, once the application is acknowledged: the officer who acknowledged
# it, reached on the council's contact telephone (officers' own numbers are not kept).
SPOC = "Council on 01629 761100 or council@example.org"
# The district's contact from the area file, before anyone is named.
DISTRICT_SPOC = (
    "Community Safety Officer on 01629 761100 or community.trigger@derbyshiredales.example.gov.uk"
)


def letter(db: Database, case_id: int, kind: str) -> Document:
    """The newest letter of this kind on the case."""
    with db.read() as session:
        found = session.scalar(
            select(Document)
            .where(Document.case_id == case_id, Document.kind == kind)
            .order_by(Document.version.desc())
            .limit(1)
        )
    assert found is not None, f"no {kind} on case {case_id}"
    return found


def texts(document: Document) -> list[str]:
    word = docx.Document(io.BytesIO(document.content))
    lines = [p.text for p in word.paragraphs]
    for table in word.tables:
        lines += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
    return lines


def headings(document: Document) -> list[str]:
    word = docx.Document(io.BytesIO(document.content))
    return [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]


def outbox(db: Database, document: Document) -> Notification | None:
    with db.read() as session:
        return session.get(Notification, document.notification_id)


def acknowledged(db: Database, **changes) -> int:
    case_id = submit(db, application(**changes))
    do(db, case_id, "acknowledge", COUNCIL, {"method": "email"})
    return case_id


# What the threshold decision recorded of the behaviour's persistence, which its letter quotes,
# and that paragraph worded for the applicant.
RECORDED_PERSISTENCE = "Three incidents in six months, reported to the police each time."
REWORDED_PERSISTENCE = "You told the police about the behaviour three times in six months."


def decision_letter_waiting(db: Database) -> tuple[int, int]:
    """A case of one complaint decided at discretion, its decision letter's task waiting: the
    case's id and the task's."""
    case_id = submit(db, application(THREE[:1]))
    through_to_decision(db, case_id)
    do(
        db,
        case_id,
        "threshold_decision",
        COUNCIL,
        {
            "threshold_met": True,
            "decision_basis": "discretion",
            "reasons": "The harm to the family outweighs the count.",
            "persistence": RECORDED_PERSISTENCE,
            "harm": "The children cannot sleep.",
            "adequacy": "Warnings were not followed up.",
        },
    )
    return case_id, live(db, case_id)["decision_letter"].id
