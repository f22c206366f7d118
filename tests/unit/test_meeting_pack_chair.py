"""The meeting pack says whether the chair is independent of the case, a manager's reason
for a chair who is not, and the chair's declaration of interests, beside the attendance."""

from __future__ import annotations

from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.review.declarations import declare
from tests.support.documents import open_docx, pack_for, reference_of
from tests.support.people import add_people, user
from tests.support.procedure import (
    DALES_CHAIR_REASON,
    MEETING_HELD,
    NEW_CHAIR,
    RECORD,
    do,
    meeting_scheduled,
    meeting_to_record,
)


def _chair_section(db: Database, reference: str) -> list[str]:
    """The paragraphs under the pack's "The chair's independence", up to the next heading."""
    paragraphs = open_docx(pack_for(db, reference).content).paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text == "The chair's independence")
    assert paragraphs[start].style.name == "Heading 2"
    section = []
    for paragraph in paragraphs[start + 1 :]:
        if paragraph.style.name.startswith("Heading"):
            break
        section.append(paragraph.text)
    return section


def test_the_pack_gives_the_manager_s_reason_and_the_chair_s_declaration(
    review_db: Database,
) -> None:
    db = review_db
    add_people(db, [(NEW_CHAIR, "derbyshire-dales-district-council", ["review_chair"])])
    case_id = meeting_scheduled(db, NEW_CHAIR, DALES_CHAIR_REASON)
    reference = reference_of(db, case_id)
    assert _chair_section(db, reference) == [
        "Independent of the case: No: Derbyshire Dales District Council takes part in it",
        "Appointed by a manager: Manager, 2 March 2026",
        "The manager's reason:",
        DALES_CHAIR_REASON,
        "Conflict of interest: The chair has not declared yet",
    ]
    with db.transaction() as session:
        declare(
            session,
            user(db, NEW_CHAIR),
            reference,
            {"conflict": "yes", "conflict_details": "I line manage the council's ASB officer"},
        )
    assert _chair_section(db, reference)[-3:] == [
        "Conflict of interest: Declared",
        "I line manage the council's ASB officer",
        "Declared by: Dales.Chair, 2 March 2026",
    ]


def test_a_declaration_after_the_meeting_is_shown_as_such(
    review_db: Database, fixed_clock: FixedClock
) -> None:
    db = review_db
    case_id = meeting_scheduled(db, "chair@example.org")
    reference = reference_of(db, case_id)
    assert _chair_section(db, reference) == [
        "Independent of the case: Yes: High Peak Borough Council takes no part in it",
        "Conflict of interest: The chair has not declared yet",
    ]
    meeting_to_record(db, case_id)
    fixed_clock.advance(MEETING_HELD)
    do(db, case_id, "record_meeting", "chair@example.org", RECORD)
    with db.transaction() as session:
        declare(session, user(db, "chair@example.org"), reference, {"conflict": "no"})
    assert _chair_section(db, reference)[-2:] == [
        "Conflict of interest: None declared",
        "Declared by: Chair, 20 March 2026, after the meeting (the meeting stands as it was held)",
    ]
