"""Every page and API call a demo user reaches with the demo data: the slowest route's p95."""

from __future__ import annotations

import re

from sqlalchemy import select

from bench.measure import Row, ms, p, say, timed
from bench.service import api_token, app_for, signed_in_client
from development.demo import DEMO_USERS
from engine.core.db import Database
from engine.core.models import (
    Case,
    CaseParticipant,
    ProcessInstance,
    TaskCandidate,
    User,
)


def pages_with_demo_data(env: dict[str, str], db: Database, runs: int) -> list[Row]:
    """Each HTML page and API GET a demo user reaches, through the in-process client."""
    app = app_for(env, db)
    timings: dict[str, list[float]] = {}
    for demo in DEMO_USERS:
        client = signed_in_client(app, demo.email)
        api = app.test_client()
        headers = {"Authorization": f"Bearer {api_token(api, demo.email)}"}
        with db.read() as session:
            organisation_id = session.scalar(
                select(User.organisation_id).where(User.email == demo.email)
            )
            references = session.scalars(
                select(Case.reference)
                .join(CaseParticipant, CaseParticipant.case_id == Case.id)
                .where(CaseParticipant.organisation_id == organisation_id)
                .distinct()
            ).all()
            instances = session.execute(
                select(Case.reference, ProcessInstance.id)
                .join(ProcessInstance, ProcessInstance.case_id == Case.id)
                .where(Case.reference.in_(references))
            ).all()
            task_ids = session.scalars(
                select(TaskCandidate.task_id).where(
                    TaskCandidate.organisation_id == organisation_id
                )
            ).all()
        html = ["/", "/cases", "/notifications", "/outbox", "/statistics", "/apply", "/appeal"]
        html += [f"/cases/{reference}" for reference in references]
        html += [f"/cases/{ref}/processes/{instance}/diagram.json" for ref, instance in instances]
        html += [f"/tasks/{task_id}" for task_id in task_ids]
        apis = [
            "/api/v1/tasks?scope=mine",
            "/api/v1/tasks?scope=organisation",
            "/api/v1/tasks?scope=overdue",
            "/api/v1/tasks/filters",
            "/api/v1/statistics",
            "/api/v1/openapi.json",
        ]
        apis += [f"/api/v1/cases/{reference}" for reference in references]
        apis += [f"/api/v1/cases/{reference}/documents" for reference in references]
        apis += [f"/api/v1/tasks/{task_id}" for task_id in task_ids]
        for path in html:
            if client.get(path).status_code != 200:
                continue  # a page this user may not see (403, 404) is not one they reach
            timings.setdefault(route_of(path), []).extend(
                timed(lambda path=path, client=client: client.get(path)) for _ in range(runs)
            )
        for path in apis:
            if api.get(path, headers=headers).status_code != 200:
                continue
            timings.setdefault(f"GET {route_of(path)}", []).extend(
                timed(lambda path=path, api=api, headers=headers: api.get(path, headers=headers))
                for _ in range(runs)
            )
    slowest, values = max(timings.items(), key=lambda item: p(item[1], 95))
    say(f"  {len(timings)} routes; slowest p95: {slowest} ({len(values)} requests)")
    value = ms(p(values, 95))
    return [
        Row(
            f"Slowest page or API GET p95, demo data, every demo user ({len(timings)} routes; "
            f"slowest {slowest})",
            value,
            "ms",
            "< 100",
            value < 100,
        )
    ]


def route_of(path: str) -> str:
    """The route a path is an instance of, so that every case and task page counts together."""
    path = re.sub(r"CT-\d{4}-\d+", "{reference}", path)
    return re.sub(r"/\d+(?=/|$)", "/{id}", path)
