"""The copier: a prototype's rows made into another case, in another district on another date,
with fresh ids, its own applicant and its live tasks claimed and chased as they would be."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from development.demo_load.casts import DistrictCast
from development.demo_load.chasing import chase_until_yesterday
from development.demo_load.dates import received_date, shift_dates
from development.demo_load.prototypes import (
    PROTOTYPE_COUNCIL,
    PROTOTYPE_DISTRICT,
    PROTOTYPE_HOUSING,
    Prototype,
)
from development.demo_load.stages import STAGE_WEIGHTS
from development.demo_load.writer import COPIED_TABLES
from engine.chasing.escalation import ChasePlan, plan_for
from engine.core import clock
from engine.core.models import LIVE_TASK_STATES, TaskCandidate
from engine.core.search_text import case_search_text

CLAIMED_SHARE = 0.3
_FIRST_NAMES = [
    "Sam",
    "Alex",
    "Jordan",
    "Priya",
    "Chris",
    "Morgan",
    "Jamie",
    "Taylor",
    "Aisha",
    "Tom",
    "Grace",
    "Oliver",
    "Amelia",
    "Harry",
    "Isla",
    "Mohammed",
    "Sophie",
    "Jack",
    "Ava",
    "Leo",
    "Zara",
    "Daniel",
    "Ella",
    "Ryan",
    "Ruby",
    "Adam",
    "Chloe",
    "Ben",
    "Hannah",
    "Kian",
]
_LAST_NAMES = [
    "Taylor",
    "Smith",
    "Jones",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Wright",
    "Walker",
    "Robinson",
    "Khan",
    "Thompson",
    "Evans",
    "White",
    "Hughes",
    "Edwards",
    "Green",
    "Hall",
    "Wood",
    "Harris",
    "Lewis",
    "Martin",
    "Jackson",
    "Clarke",
]
_STREETS = [
    "Bank Road",
    "Chapel Street",
    "Station Road",
    "Church Lane",
    "Park Avenue",
    "Mill Lane",
    "Victoria Street",
    "The Crescent",
    "Market Place",
    "Derby Road",
    "Queen Street",
    "Hillside",
]


class NextIds:
    """The next free id of each table, handed out in the order rows are made."""

    def __init__(self, connection: Connection) -> None:
        self._next = {
            model.__tablename__: (connection.scalar(select(func.max(model.id))) or 0) + 1
            for model in COPIED_TABLES
            if model is not TaskCandidate
        }

    def take(self, table: str) -> int:
        value = self._next[table]
        self._next[table] = value + 1
        return value


class Copier:
    def __init__(
        self,
        prototypes: list[Prototype],
        casts: list[DistrictCast],
        ids: NextIds,
        settings: dict[str, Any],
        seed: int,
    ) -> None:
        self.prototypes = prototypes
        self.casts = casts
        self.ids = ids
        self.settings = settings
        self.random = random.Random(seed)
        self.today = clock.today()
        self.now = clock.now()
        self._plans: dict[str, ChasePlan] = {}
        stages = [p.stage for p in prototypes]
        self._weights = [STAGE_WEIGHTS[stage] for stage in stages]

    def _plan(self, chase: dict[str, Any] | None) -> ChasePlan:
        key = repr(chase)
        if key not in self._plans:
            self._plans[key] = plan_for(self.settings, chase)
        return self._plans[key]

    def copy(self, out: dict[str, list[dict[str, Any]]]) -> Prototype:
        prototype = self.random.choices(self.prototypes, self._weights)[0]
        cast = self.random.choice(self.casts)
        received_on = received_date(self.random, prototype.stage, self.today)
        days = received_on - prototype.received_on
        case_id = self.ids.take("cases")
        reference = f"CT-{received_on.year}-{case_id:05d}"
        rows = prototype.rows
        mapped: dict[str, dict[int, int]] = {name: {} for name in rows}

        def fresh(table: str, row: dict[str, Any]) -> dict[str, Any]:
            copied = dict(row)
            shift_dates(copied, days)
            if "id" in copied:
                copied["id"] = mapped[table][row["id"]] = self.ids.take(table)
            if "case_id" in copied:
                copied["case_id"] = case_id
            out[table].append(copied)
            return copied

        case = fresh("cases", rows["cases"][0])
        case.update(id=case_id, reference=reference, district_id=cast.district_id)
        case["applicant"] = self._applicant(cast)
        # Written in bulk, past the session that keeps the words a case is found by.
        case["search_text"] = case_search_text(
            reference,
            case["applicant"],
            case.get("victim"),
            (case.get("details") or {}).get("place", ""),
        )
        for row in rows["incidents"]:
            incident = fresh("incidents", row)
            incident["source"] = self._organisation_key(incident["source"], cast)
            incident["reported_to"] = self._organisation_key(incident["reported_to"], cast)
        for row in rows["case_participants"]:
            participant = fresh("case_participants", row)
            participant["organisation_id"] = cast.organisations.get(
                row["organisation_id"], row["organisation_id"]
            )
            participant["user_id"] = cast.users.get(row["user_id"], row["user_id"])
        for row in rows["case_status_changes"]:
            change = fresh("case_status_changes", row)
            change["user_id"] = cast.users.get(row["user_id"], row["user_id"])
        for row in rows["reviews"]:
            fresh("reviews", row)
        for row in rows["recommendations"]:
            recommendation = fresh("recommendations", row)
            recommendation["review_id"] = mapped["reviews"][row["review_id"]]
            recommendation["organisation_id"] = cast.organisations.get(
                row["organisation_id"], row["organisation_id"]
            )
        for row in rows["appeals"]:
            fresh("appeals", row)
        for row in rows["process_instances"]:
            instance = fresh("process_instances", row)
            instance["workflow_json"] = self._workflow(
                row["workflow_json"], prototype, reference, cast, mapped
            )
        for row in rows["tasks"]:
            task = fresh("tasks", row)
            task["instance_id"] = mapped["process_instances"][row["instance_id"]]
            task["assignee_id"] = cast.users.get(row["assignee_id"], row["assignee_id"])
            task["completed_by_id"] = cast.users.get(row["completed_by_id"], row["completed_by_id"])
        candidates_of: dict[int, list[dict[str, Any]]] = {}
        for row in rows["task_candidates"]:
            candidate = dict(row)
            shift_dates(candidate, days)
            candidate["task_id"] = mapped["tasks"][row["task_id"]]
            candidate["organisation_id"] = cast.organisations.get(
                row["organisation_id"], row["organisation_id"]
            )
            candidate["district_id"] = cast.district_id
            candidate["user_id"] = cast.users.get(row["user_id"], row["user_id"])
            candidates_of.setdefault(candidate["task_id"], []).append(candidate)
            out["task_candidates"].append(candidate)
        for task in out["tasks"][-len(rows["tasks"]) :] if rows["tasks"] else []:
            if task["state"] not in LIVE_TASK_STATES:
                continue
            candidates = candidates_of.get(task["id"], [])
            if task["state"] == "open" and self.random.random() < CLAIMED_SHARE and candidates:
                officer = candidates[0]["user_id"] or cast.officers.get(
                    candidates[0]["organisation_id"]
                )
                if officer is not None:
                    task.update(state="claimed", assignee_id=officer, claimed_at=self.now)
                    for candidate in candidates:
                        candidate["state"] = "claimed"
            chase_until_yesterday(task, self._plan(task["chase"]), self.today)
        out["audit_events"].append(
            {
                "id": self.ids.take("audit_events"),
                "at": self.now,
                "user_id": None,
                "organisation_id": None,
                "action": "case.demo_loaded",
                "case_id": case_id,
                "object_type": "case",
                "object_id": reference,
                "detail": {"copy_of": prototype.reference, "stage": prototype.stage},
            }
        )
        return prototype

    def _applicant(self, cast: DistrictCast) -> dict[str, Any]:
        first, last = self.random.choice(_FIRST_NAMES), self.random.choice(_LAST_NAMES)
        town = cast.district_key.replace("-", " ").title()
        letters = "ABDEFGHJLNPQRSTUWXYZ"  # as the inward part of a postcode has them
        inward = f"{self.random.randint(1, 9)}{self.random.choice(letters)}"
        return {
            "name": f"{first} {last}",
            "address": f"{self.random.randint(1, 180)} {self.random.choice(_STREETS)}, {town}",
            "postcode": f"DE{self.random.randint(1, 75)} {inward}{self.random.choice(letters)}",
            "email": f"{first.lower()}.{last.lower()}{self.random.randint(1, 999)}@example.com",
            "phone": f"07700 900{self.random.randint(0, 999):03d}",
            "contact_preference": self.random.choice(["email", "email", "letter"]),
        }

    @staticmethod
    def _organisation_key(value: str, cast: DistrictCast) -> str:
        return {PROTOTYPE_COUNCIL: cast.council_key, PROTOTYPE_HOUSING: cast.housing_key}.get(
            value, value
        )

    @staticmethod
    def _workflow(
        state: str,
        prototype: Prototype,
        reference: str,
        cast: DistrictCast,
        mapped: dict[str, dict[int, int]],
    ) -> str:
        state = state.replace(f'"{prototype.reference}"', f'"{reference}"')
        state = state.replace(
            f'"district":"{PROTOTYPE_DISTRICT}"', f'"district":"{cast.district_key}"'
        )
        state = state.replace(f'"{PROTOTYPE_COUNCIL}"', f'"{cast.council_key}"')
        state = state.replace(f'"{PROTOTYPE_HOUSING}"', f'"{cast.housing_key}"')

        def renumber(table: str) -> Callable[[re.Match[str]], str]:
            return lambda match: (
                f"{match.group(1)}{mapped[table].get(int(match.group(2)), match.group(2))}"
            )

        state = re.sub(r'("recommendation_id":)(\d+)', renumber("recommendations"), state)
        return re.sub(r'("appeal_id":)(\d+)', renumber("appeals"), state)
