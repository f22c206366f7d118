"""The oversight page at scale, for the OPCC (every district) and a council (its own): as it
opens (the year under way) and for the year before, against the target; and for every year
together, which reads every case, on a row of its own without one."""

from __future__ import annotations

from bench.measure import Row, ms, p, timed
from bench.service import app_for, signed_in_client
from engine.cases.statistics import financial_year_of
from engine.core import clock
from engine.core.db import Database

# The OPCC's officer, and a council's caseworker (Derbyshire Dales), of the demo users.
OVERSIGHT_USERS = ("opcc@opcc.example.org", "caseworker@dales.example.org")
TARGET_MS = 200


def oversight_page(env: dict[str, str], db: Database, label: str, runs: int) -> list[Row]:
    app = app_for(env, db)
    latest = financial_year_of(clock.today())
    views = {
        "a year": ["/oversight", f"/oversight?year={latest - 1}"],
        "every year": ["/oversight?year=all"],
    }
    times: dict[str, list[float]] = {view: [] for view in views}
    for email in OVERSIGHT_USERS:
        client = signed_in_client(app, email)
        for view, paths in views.items():
            for path in paths:
                assert client.get(path).status_code == 200, f"{email} cannot see {path}"
                times[view] += [
                    timed(lambda path=path, client=client: client.get(path)) for _ in range(runs)
                ]
    year, every = ms(p(times["a year"], 95)), ms(p(times["every year"], 95))
    return [
        Row(
            f"GET /oversight p95, the year under way and the one before, OPCC and a council "
            f"({label})",
            year,
            "ms",
            f"< {TARGET_MS}",
            year < TARGET_MS,
        ),
        Row(
            f"GET /oversight?year=all p95, every year, OPCC and a council ({label})",
            every,
            "ms",
            "",
            None,
        ),
    ]
