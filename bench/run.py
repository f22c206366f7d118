"""The benchmark: where the time goes, against the targets the service must meet.

Builds its own data (``casereview init --demo`` and ``casereview demo-load``) in a SQLite file
and in a PostgreSQL database it creates and drops, measures, prints one table and writes the
rows to ``bench/results.json``. Run it with ``make bench`` (``make bench-quick`` for a small
run while developing).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ itself first on the path, where its modules would hide
# any library of the same name; the project's root goes there instead, so they are bench.*.
sys.path[0] = str(ROOT)

from bench.case_search import case_search  # noqa: E402
from bench.completions import time_split  # noqa: E402
from bench.documents import conversions, documents  # noqa: E402
from bench.escalation import escalation_sweep  # noqa: E402
from bench.growth import growth  # noqa: E402
from bench.inboxes import inboxes  # noqa: E402
from bench.measure import Row, say  # noqa: E402
from bench.oversight import oversight_page  # noqa: E402
from bench.pages import pages_with_demo_data  # noqa: E402
from bench.processes import local_database  # noqa: E402
from bench.results import RESULTS, print_table, write_results  # noqa: E402
from bench.server import THREADS, WORKERS, gunicorn  # noqa: E402
from bench.service import (  # noqa: E402
    ADMIN_URL_ENV,
    DEFAULT_ADMIN_URL,
    checkpoint,
    postgres_database,
    prepare,
)
from bench.step_timings import step_timings  # noqa: E402
from bench.throughput import throughput  # noqa: E402
from bench.whole_case import whole_case  # noqa: E402
from engine.core.db import connect  # noqa: E402

# A completion against the engine's own step, over a whole case's steps: the targets.
SQLITE_TARGETS = {"median": 2.5, "worst": 4}
POSTGRES_TARGETS = {"median": 3, "round_trips": 8}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=int(os.environ.get("BENCH_CASES", 100_000)))
    parser.add_argument("--quick", action="store_true", help="5,000 cases and a 10 s run")
    parser.add_argument("--seconds", type=int, default=60, help="length of the throughput run")
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    if args.quick:
        args.cases, args.seconds = min(args.cases, 5000), 10
    admin_url = os.environ.get(ADMIN_URL_ENV, DEFAULT_ADMIN_URL)
    runs = 10 if args.quick else 30
    # Fresh cases taken through every user task, for each step's median.
    cases = 5 if args.quick else 20
    rows: list[Row] = []
    workdir = Path(tempfile.mkdtemp(prefix="casereview-bench-"))
    started = time.perf_counter()
    try:
        say("Demo data: every page and API call")
        demo_env = prepare(f"sqlite:///{workdir / 'demo.db'}", workdir, None)
        demo_db = connect(demo_env["CASEREVIEW_DATABASE_URL"])
        rows += pages_with_demo_data(demo_env, demo_db, 3 if args.quick else 5)
        say("Growth of a case's history (SQLite)")
        rows += growth(demo_env, demo_db, "SQLite")
        demo_db.dispose()

        say(f"SQLite with {args.cases:,} cases")
        sqlite_env = prepare(f"sqlite:///{workdir / 'bench.db'}", workdir, args.cases)
        sqlite_db = connect(sqlite_env["CASEREVIEW_DATABASE_URL"])
        rows += inboxes(sqlite_env, sqlite_db, "SQLite", runs)
        rows += case_search(sqlite_env, sqlite_db, "SQLite", runs)
        rows += step_timings(sqlite_env, sqlite_db, "SQLite", runs)
        rows += oversight_page(sqlite_env, sqlite_db, "SQLite", runs)
        rows += whole_case(sqlite_env, sqlite_db, "SQLite", cases, SQLITE_TARGETS)
        rows += time_split(sqlite_env, sqlite_db, "SQLite", 20)
        rows += documents(sqlite_db, "SQLite", 5)
        # LibreOffice's time does not depend on the database: measured once.
        rows += conversions(sqlite_db, "SQLite", 5)
        rows += escalation_sweep(sqlite_db, "SQLite")
        sqlite_db.dispose()
        (workdir / "bench.db").unlink()

        with postgres_database(admin_url) as postgres_url:
            say(f"PostgreSQL with {args.cases:,} cases")
            pg_env = prepare(postgres_url, workdir, args.cases)
            checkpoint(postgres_url)
            pg_db = connect(postgres_url)
            rows += inboxes(pg_env, pg_db, "PostgreSQL", runs)
            rows += case_search(pg_env, pg_db, "PostgreSQL", runs)
            rows += step_timings(pg_env, pg_db, "PostgreSQL", runs)
            rows += oversight_page(pg_env, pg_db, "PostgreSQL", runs)
            rows += documents(pg_db, "PostgreSQL", 5)
            rows += whole_case(pg_env, pg_db, "PostgreSQL", cases, POSTGRES_TARGETS)
            rows += time_split(pg_env, pg_db, "PostgreSQL", 20)
            with gunicorn(pg_env, workers=WORKERS, threads=THREADS) as (base, master_pid):
                rows += throughput(
                    pg_env,
                    pg_db,
                    base,
                    master_pid,
                    args.seconds,
                    args.clients,
                    postgres_database=local_database(postgres_url),
                )
            rows += escalation_sweep(pg_db, "PostgreSQL")
            pg_db.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    say(f"Done in {time.perf_counter() - started:.0f} s")
    write_results(rows)
    print_table(rows)
    print(f"\nWritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
