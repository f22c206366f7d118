"""The oversight page at scale: the OPCC's view of every district, for every year and for the
year under way, and a council's of its own district."""

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
    paths = ["/oversight", f"/oversight?year={latest}", f"/oversight?year={latest - 1}"]
    times: list[float] = []
    for email in OVERSIGHT_USERS:
        client = signed_in_client(app, email)
        for path in paths:
            assert client.get(path).status_code == 200, f"{email} cannot see {path}"
            times += [timed(lambda path=path, client=client: client.get(path)) for _ in range(runs)]
    value = ms(p(times, 95))
    return [
        Row(
            f"GET /oversight p95, every year and single years, OPCC and a council ({label})",
            value,
            "ms",
            f"< {TARGET_MS}",
            value < TARGET_MS,
        )
    ]
