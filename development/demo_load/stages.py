"""The stages the copies are spread over, what a load added, and how many cases each stage has."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from engine.core.db import Database
from engine.core.models import Case

# How the copies are spread over the stages, per 100 cases: most cases of ten years are
# closed; the live ones are at every step, many waiting for the agencies' returns.
STAGE_WEIGHTS = {
    "received": 4,
    "screening": 4,
    "awaiting_information": 16,
    "threshold_decision": 5,
    "review_being_arranged": 5,
    "review_meeting": 4,
    "action_plan": 4,
    "appeal_lodged": 2,
    "closed_not_met": 15,
    "closed": 41,
}
LIVE_STAGES = frozenset(STAGE_WEIGHTS) - {"closed", "closed_not_met"}


@dataclass
class LoadResult:
    cases: int = 0
    tasks: int = 0
    live_tasks: int = 0
    stages: Counter[str] = field(default_factory=Counter)


def stage_counts(db: Database) -> dict[str, int]:
    """How many cases are at each status."""
    with db.read() as session:
        return dict(session.execute(select(Case.status, func.count()).group_by(Case.status)).all())
