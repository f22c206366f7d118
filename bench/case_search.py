"""The cases list at scale: the search page and its API, by part of a reference, by surname
and by postcode, for a district council's caseworker and for the police of every district."""

from __future__ import annotations

from urllib.parse import urlencode

from sqlalchemy import func, select

from bench.measure import Row, ms, p, timed
from bench.service import api_token, app_for, signed_in_client
from engine.core.db import Database
from engine.core.models import Case, District

SEARCH_USERS = ("caseworker@dales.example.org", "police@derbyshire.example.org")
TARGET_MS = 100


def searches(db: Database) -> dict[str, str]:
    """What to look for, from the data: the start of the newest Dales case's reference (the
    cases numbered alike), the commonest surname of the loader's, and that case's postcode."""
    with db.read() as session:
        reference, applicant = session.execute(
            select(Case.reference, Case.applicant)
            .join(District, District.id == Case.district_id)
            .where(District.key == "derbyshire-dales")
            .order_by(Case.id.desc())
            .limit(1)
        ).one()
    postcode = (applicant or {}).get("postcode") or "DE4 3AG"
    return {"reference part": reference[:-2], "surname": "Smith", "postcode": postcode}


def case_search(env: dict[str, str], db: Database, label: str, runs: int) -> list[Row]:
    app = app_for(env, db)
    looked_for = searches(db)
    page_times: dict[str, list[float]] = {kind: [] for kind in looked_for}
    api_times: dict[str, list[float]] = {kind: [] for kind in looked_for}
    for email in SEARCH_USERS:
        client = signed_in_client(app, email)
        api = app.test_client()
        headers = {"Authorization": f"Bearer {api_token(api, email)}"}
        for kind, text in looked_for.items():
            page = f"/cases?{urlencode({'q': text})}"
            path = f"/api/v1/cases?{urlencode({'q': text})}"
            assert client.get(page).status_code == 200
            assert api.get(path, headers=headers).status_code == 200
            page_times[kind] += [
                timed(lambda page=page, client=client: client.get(page)) for _ in range(runs)
            ]
            api_times[kind] += [
                timed(lambda path=path, api=api, headers=headers: api.get(path, headers=headers))
                for _ in range(runs)
            ]
    with db.read() as session:
        cases = session.scalar(select(func.count()).select_from(Case))
    rows = []
    for name, times in (("GET /cases", page_times), ("GET /api/v1/cases", api_times)):
        for kind, text in looked_for.items():
            value = ms(p(times[kind], 95))
            rows.append(
                Row(
                    f"{name}?q= p95, by {kind} ({text!r}; {cases:,} cases, {label})",
                    value,
                    "ms",
                    f"< {TARGET_MS}",
                    value < TARGET_MS,
                )
            )
    return rows
