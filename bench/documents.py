"""Documents: a meeting pack of 200 incidents, and the yearly statistics report."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bench.completions import STEP_USER
from bench.measure import Row, timed
from engine.core import clock
from engine.core.db import Database
from engine.core.models import (
    Case,
    CaseParticipant,
    Incident,
    Organisation,
    User,
)


def documents(db: Database, label: str, packs: int) -> list[Row]:
    from engine.documents import statistics_report
    from engine.documents.store import meeting_pack
    from engine.people.accounts import get_user

    with db.read() as session:
        user = get_user(session, session.scalar(select(User.id).where(User.email == STEP_USER)))
        council = session.scalar(
            select(Organisation.id).where(Organisation.key == "derbyshire-dales-district-council")
        )
        references = session.scalars(
            select(Case.reference)
            .join(CaseParticipant, CaseParticipant.case_id == Case.id)
            .where(
                Case.status == "review_being_arranged", CaseParticipant.organisation_id == council
            )
            .order_by(Case.id.desc())
            .limit(packs)
        ).all()
    pack_times = []
    for reference in references:
        with db.transaction() as session:
            case = session.scalar(select(Case).where(Case.reference == reference))
            have = session.scalar(select(func.count()).where(Incident.case_id == case.id))
            now = clock.now()
            for number in range(200 - have):
                occurred = case.received_on - timedelta(days=1 + number % 170)
                session.add(
                    Incident(
                        case_id=case.id,
                        source="derbyshire-constabulary",
                        occurred_on=occurred,
                        reported_on=occurred + timedelta(days=1),
                        reported_to="police",
                        reference=f"DC-{number:05d}",
                        description="Shouting and banging late at night; neighbours disturbed.",
                        created_at=now,
                    )
                )
        with db.transaction() as session:
            pack_times.append(
                timed(
                    lambda session=session, reference=reference: meeting_pack(
                        session, user, reference
                    )
                )
            )
    this_year = clock.today().year if clock.today().month > 3 else clock.today().year - 1
    report_times = []
    for year in range(this_year - 9, this_year + 1):
        with db.transaction() as session:
            report_times.append(
                timed(lambda session=session, year=year: statistics_report(session, year))
            )
    pack, report = round(max(pack_times), 3), round(max(report_times), 3)
    return [
        Row(
            f"Meeting pack, 200 incidents, slowest of {len(pack_times)} ({label})",
            pack,
            "s",
            "< 1",
            pack < 1,
        ),
        Row(
            f"Statistics report, nine districts, slowest of the last ten years ({label})",
            report,
            "s",
            "< 1",
            report < 1,
        ),
    ]


def conversions(db: Database, label: str, packs: int) -> list[Row]:
    """The same documents as PDF and OpenDocument, LibreOffice already warm: the 200-incident
    packs ``documents`` made, and the letters sent on cases. No rows where LibreOffice is not
    installed (the service then offers Word only)."""
    from engine.core.config import load_settings
    from engine.core.models import Document
    from engine.documents import LETTER_KINDS, OPENDOCUMENT, PDF, converter_for
    from engine.documents.store import meeting_pack
    from engine.people.accounts import get_user

    converter = converter_for(load_settings())
    if converter.unavailable():
        return []
    with db.read() as session:
        references = session.scalars(
            select(Case.reference)
            .join(Incident, Incident.case_id == Case.id)
            .group_by(Case.id, Case.reference)
            .having(func.count(Incident.id) >= 200)
            .order_by(Case.id.desc())
            .limit(packs)
        ).all()
        letters = session.scalars(
            select(Document.content)
            .where(Document.kind.in_(LETTER_KINDS))
            .order_by(Document.id.desc())
            .limit(10)
        ).all()
        user = get_user(session, session.scalar(select(User.id).where(User.email == STEP_USER)))
    word_packs = []
    for reference in references:
        with db.transaction() as session:
            word_packs.append(meeting_pack(session, user, reference))
    if not word_packs or not letters:
        return []
    converter.convert(letters[0], PDF)  # started and warm before anything is timed
    pack_pdf = max(timed(lambda w=w: w.made_as(PDF, converter)) for w in word_packs)
    letter_pdf = max(timed(lambda c=c: converter.convert(c, PDF)) for c in letters)
    letter_odt = max(timed(lambda c=c: converter.convert(c, OPENDOCUMENT)) for c in letters)
    pack_pdf, letter_pdf, letter_odt = (round(t, 3) for t in (pack_pdf, letter_pdf, letter_odt))
    return [
        Row(
            f"Meeting pack as PDF, 200 incidents, slowest of {len(word_packs)} ({label})",
            pack_pdf,
            "s",
            "< 2",
            pack_pdf < 2,
        ),
        Row(
            f"Letter as PDF, slowest of {len(letters)} ({label})",
            letter_pdf,
            "s",
            "< 0.5",
            letter_pdf < 0.5,
        ),
        Row(
            f"Letter as OpenDocument, slowest of {len(letters)} ({label})",
            letter_odt,
            "s",
            "< 0.5",
            letter_odt < 0.5,
        ),
    ]
