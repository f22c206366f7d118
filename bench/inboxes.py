"""Inboxes at scale: the task API and the HTML inbox of staff of every kind."""

from __future__ import annotations

from sqlalchemy import func, select

from bench.measure import Row, ms, p, timed
from bench.service import api_token, app_for, signed_in_client
from engine.core.db import Database
from engine.core.models import (
    Case,
    Task,
)

INBOX_USERS = (
    "caseworker@dales.example.org",
    "manager@dales.example.org",
    "police@derbyshire.example.org",
    "police.manager@derbyshire.example.org",
    "housing@dales-housing.example.org",
    "chair@highpeak.example.org",
)


def inboxes(env: dict[str, str], db: Database, label: str, runs: int) -> list[Row]:
    app = app_for(env, db)
    api_times: list[float] = []
    html_times: list[float] = []
    for email in INBOX_USERS:
        client = signed_in_client(app, email)
        api = app.test_client()
        headers = {"Authorization": f"Bearer {api_token(api, email)}"}
        scopes = ["mine", "organisation"] + (["overdue"] if "manager" in email else [])
        for scope in scopes:
            path = f"/api/v1/tasks?scope={scope}"
            assert api.get(path, headers=headers).status_code == 200
            api_times += [
                timed(lambda path=path, api=api, headers=headers: api.get(path, headers=headers))
                for _ in range(runs)
            ]
        assert client.get("/").status_code == 200
        html_times += [timed(lambda client=client: client.get("/")) for _ in range(runs)]
    with db.read() as session:
        cases = session.scalar(select(func.count()).select_from(Case))
        tasks = session.scalar(select(func.count()).select_from(Task))
    scale = f"{cases:,} cases, {tasks:,} task rows, {label}"
    api_p95, html_p95 = ms(p(api_times, 95)), ms(p(html_times, 95))
    return [
        Row(f"GET /api/v1/tasks p95 ({scale})", api_p95, "ms", "< 50", api_p95 < 50),
        Row(f"HTML inbox p95 ({scale})", html_p95, "ms", "< 50", html_p95 < 50),
    ]
