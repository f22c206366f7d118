"""How the procedure runs at scale: the heat-map page of each process, every version over the
last year (the default) and the newest version over every year the service holds, for a process
owner and a manager."""

from __future__ import annotations

from sqlalchemy import func, select

from bench.measure import Row, ms, p, timed
from bench.service import app_for, signed_in_client
from engine.core.db import Database
from engine.core.models import Case, ProcessDefinition, Task

VIEWERS = ("process.owner@derbyshire.example.org", "manager@dales.example.org")
TARGET_MS = 200


def step_timings(env: dict[str, str], db: Database, label: str, runs: int) -> list[Row]:
    app = app_for(env, db)
    with db.read() as session:
        keys = session.scalars(select(ProcessDefinition.key).distinct()).all()
        cases = session.scalar(select(func.count()).select_from(Case))
        tasks = session.scalar(select(func.count()).select_from(Task))
    paths = [f"/step-timings?process={key}" for key in keys]
    paths += [f"/step-timings?process={key}&from=2000-01-01" for key in keys]
    times: list[float] = []
    for email in VIEWERS:
        client = signed_in_client(app, email)
        for path in paths:
            assert client.get(path).status_code == 200
            times += [timed(lambda path=path, client=client: client.get(path)) for _ in range(runs)]
    value = ms(p(times, 95))
    return [
        Row(
            f"GET /step-timings p95, each process, the last year and every year "
            f"({cases:,} cases, {tasks:,} tasks, {label})",
            value,
            "ms",
            f"< {TARGET_MS}",
            value < TARGET_MS,
        )
    ]
