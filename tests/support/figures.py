"""The published figures: the districts in their published order, the figures' names, and
the facts behind them, recorded directly rather than through the diagrams (cases, reviews and
appeals around the edges of the 2020/21, 2021/22 and 2022/23 years)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.opening import open_case
from engine.cases.statistics import ROWS
from engine.core import clock
from engine.core.db import Database
from engine.core.models import Appeal, Case, Organisation, Recommendation, Review

PUBLISHED_ORDER = [
    "Amber Valley",
    "Bolsover",
    "Chesterfield",
    "Derby City",
    "Derbyshire Dales",
    "Erewash",
    "High Peak",
    "North East Derbyshire",
    "South Derbyshire",
]
FIELDS = [name for name, _label in ROWS]


def zeros() -> dict[str, int]:
    """Every figure of a district, at nought."""
    return dict.fromkeys(FIELDS, 0)


def _case(
    session: Session,
    district: str,
    received_on: date,
    *,
    met: bool | None = None,
    basis: str | None = None,
    decided_on: date | None = None,
) -> Case:
    case = open_case(session, district, received_on)
    case.threshold_met, case.decision_basis, case.decided_on = met, basis, decided_on
    session.flush()
    return case


def _review(
    session: Session,
    case: Case,
    held_on: date | None,
    *,
    number: int = 1,
    recommendations: int = 0,
    meeting_date: date | None = None,
) -> Review:
    police = session.scalar(
        select(Organisation.id).where(Organisation.key == "derbyshire-constabulary")
    )
    review = Review(
        case_id=case.id,
        number=number,
        meeting_date=meeting_date or held_on,
        held_on=held_on,
        created_at=clock.now(),
    )
    review.recommendations.extend(
        Recommendation(
            organisation_id=police,
            action=f"Action {index}",
            due_date=date(2030, 1, 1),
        )
        for index in range(recommendations)
    )
    session.add(review)
    session.flush()
    return review


def _appeal(
    session: Session,
    case: Case,
    received_on: date,
    *,
    outcome: str | None = None,
    decided_on: date | None = None,
) -> Appeal:
    appeal = Appeal(
        case_id=case.id,
        received_on=received_on,
        letter_date=received_on,
        grounds=["threshold_decision_wrong"],
        outcome=outcome,
        decided_on=decided_on,
        created_at=clock.now(),
    )
    session.add(appeal)
    session.flush()
    return appeal


def record_facts(db: Database) -> Database:
    """Cases, reviews and appeals around the edges of the 2020/21, 2021/22 and 2022/23 years."""
    with db.transaction() as session:
        # Derbyshire Dales
        # received on the last day of 2021/22; not met, but decided in 2022/23
        _case(
            session,
            "derbyshire-dales",
            date(2022, 3, 31),
            met=False,
            basis="discretion",
            decided_on=date(2022, 4, 5),
        )
        # received on the first day of 2022/23, its meeting planned but not held
        b = _case(session, "derbyshire-dales", date(2022, 4, 1))
        _review(session, b, None, meeting_date=date(2022, 5, 20))
        # received on the first day of 2021/22 and declined: counts as not met
        _case(
            session,
            "derbyshire-dales",
            date(2021, 4, 1),
            met=False,
            basis="declined",
            decided_on=date(2021, 4, 8),
        )
        # received in 2020/21, reviewed in 2021/22 (with recommendations), appeal upheld in
        # 2022/23, and the fresh review (no recommendations) held in 2022/23
        d = _case(
            session,
            "derbyshire-dales",
            date(2021, 3, 20),
            met=True,
            basis="count",
            decided_on=date(2021, 3, 31),
        )
        _review(session, d, date(2021, 4, 20), recommendations=2)
        _appeal(session, d, date(2021, 5, 10), outcome="upheld", decided_on=date(2022, 4, 2))
        _review(session, d, date(2022, 5, 1), number=2)
        # reviewed on the last day of 2021/22 without recommendations; two appeals
        e = _case(
            session,
            "derbyshire-dales",
            date(2021, 6, 1),
            met=True,
            basis="discretion",
            decided_on=date(2021, 6, 10),
        )
        _review(session, e, date(2022, 3, 31))
        _appeal(session, e, date(2021, 12, 1), outcome="not_upheld", decided_on=date(2022, 1, 10))
        _appeal(session, e, date(2022, 3, 31), outcome="upheld", decided_on=date(2022, 3, 31))

        # Erewash
        f = _case(
            session,
            "erewash",
            date(2021, 10, 10),
            met=True,
            basis="count",
            decided_on=date(2021, 10, 20),
        )
        _review(session, f, date(2021, 11, 15), recommendations=1)
        _appeal(session, f, date(2021, 12, 1), outcome="upheld", decided_on=date(2022, 1, 5))
        _case(session, "erewash", date(2021, 5, 5))  # not yet decided
        _case(
            session,
            "erewash",
            date(2021, 7, 7),
            met=False,
            basis="discretion",
            decided_on=date(2021, 7, 20),
        )
        # an appeal received but not yet decided
        g = _case(
            session,
            "erewash",
            date(2021, 8, 8),
            met=True,
            basis="vulnerability",
            decided_on=date(2021, 8, 9),
        )
        _appeal(session, g, date(2021, 9, 1))
    return db
