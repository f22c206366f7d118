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

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ itself first on the path, where its modules would hide
# any library of the same name; the project's root goes there instead, so they are bench.*.
sys.path[0] = str(ROOT)

from bench.completions import floor_and_service  # noqa: E402
from bench.documents import documents  # noqa: E402
from bench.escalation import escalation_sweep  # noqa: E402
from bench.growth import growth  # noqa: E402
from bench.inboxes import inboxes  # noqa: E402
from bench.measure import Row, say  # noqa: E402
from bench.pages import pages_with_demo_data  # noqa: E402
from bench.processes import LOCAL_HOSTS  # noqa: E402
from bench.results import RESULTS, print_table, write_results  # noqa: E402
from bench.server import THREADS, WORKERS, gunicorn  # noqa: E402
from bench.service import (  # noqa: E402
    ADMIN_URL_ENV,
    DEFAULT_ADMIN_URL,
    checkpoint,
    postgres_database,
    prepare,
)
<<<<<<< HEAD

RESULTS = ROOT / "bench" / "results.json"
ADMIN_URL_ENV = "CASEREVIEW_BENCH_POSTGRES_URL"
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
# A server at one of these runs on this machine, so its processes' time can be read here.
LOCAL_HOSTS = (None, "", "localhost", "127.0.0.1", "::1")
# gunicorn as the README's deployment section runs it, on this benchmark's two cores: two
# workers of two threads each. A completion is mostly processor work under the GIL; more
# threads a worker cost each completion more of the worker's and PostgreSQL's time (8 threads:
# 8.1 to 9.4 ms and 2.4 to 2.6 ms, against 7.3 to 8.1 and 1.9 to 2.0 with 2) and gave fewer
# completions a second (the README's Performance section has the runs).
WORKERS, THREADS = 2, 2


@dataclass
class Row:
    name: str
    value: float
    unit: str
    target: str
    met: bool | None  # None: a row that shows where the time goes, with no target


def p(values: list[float], percentile: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(percentile / 100 * len(ordered)) - 1))
    return ordered[index]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def say(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


# --- databases ---------------------------------------------------------------------------------


def casereview(env: dict[str, str], *args: str, log: Path) -> None:
    """Run the real command, as an operator would; its chatter goes to the log."""
    with log.open("a") as handle:
        subprocess.run(
            [sys.executable, "-m", "cli", *args],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=handle,
            stderr=handle,
            check=True,
        )


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    url = make_url(admin_url).set(drivername="postgresql+psycopg")
    name = f"casereview_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def checkpoint(url: str) -> None:
    """Write out what the bulk load left in PostgreSQL's buffers now, so that a checkpoint
    does not do it later, during a timed run (needs a superuser or pg_checkpoint)."""
    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("CHECKPOINT"))
    except DBAPIError as error:
        say(f"  no CHECKPOINT before timing ({str(error.orig).strip()}); figures may vary more")
    finally:
        engine.dispose()


def prepare(url: str, workdir: Path, cases: int | None) -> dict[str, str]:
    env = {"CASEREVIEW_DATABASE_URL": url, "CASEREVIEW_INSTANCE_DIR": str(workdir)}
    log = workdir / "setup.log"
    casereview(env, "init", "--demo", log=log)
    if cases:
        started = time.perf_counter()
        casereview(env, "demo-load", "--cases", str(cases), log=log)
        say(f"  demo-load --cases {cases}: {time.perf_counter() - started:.0f} s")
    return env


def app_for(env: dict[str, str], db: Database) -> Flask:
    from web import create_app

    return create_app(load_settings(env), db)


def api_token(client: FlaskClient, email: str) -> str:
    answer = client.post("/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD})
    return answer.get_json()["token"]


def signed_in_client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/sign-in", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token})
    return client


# --- every page and API call with the demo data ------------------------------------------------


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


# --- inboxes at scale --------------------------------------------------------------------------

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


# --- one task step: the engine floor against the service ---------------------------------------

STEP_TASK = "schedule_meeting"
STEP_USER = "caseworker@dales.example.org"


def step_tasks(db: Database, count: int) -> list[int]:
    """Open meeting-scheduling tasks of the case review diagram a Dales caseworker can do."""
    with db.read() as session:
        user_id = session.scalar(select(User.id).where(User.email == STEP_USER))
        council = session.scalar(
            select(Organisation.id).where(Organisation.key == "derbyshire-dales-district-council")
        )
        return list(
            session.scalars(
                select(Task.id)
                .join(TaskCandidate, TaskCandidate.task_id == Task.id)
                .where(
                    Task.spec_name == STEP_TASK,
                    Task.state.in_(["open", "claimed"]),
                    (Task.assignee_id.is_(None)) | (Task.assignee_id == user_id),
                    TaskCandidate.organisation_id == council,
                )
                .order_by(Task.id)
                .limit(count)
            )
        )


def step_data() -> dict[str, str]:
    return {
        "chair_email": "chair@highpeak.example.org",
        "meeting_date": (clock.today() + timedelta(days=14)).isoformat(),
    }


def engine_floor(db: Database, settings: Settings, task_id: int) -> float:
    """Bare SpiffWorkflow: deserialize, run the task and the engine steps, serialize."""
    from engine.core.forms import coerce_data, load_form
    from engine.runtime import bpmn

    with db.read() as session:
        task = session.get(Task, task_id)
        state = session.scalar(
            select(ProcessInstance.workflow_json).where(ProcessInstance.id == task.instance_id)
        )
        spec = session.scalar(
            select(ProcessDefinition.spec_json)
            .join(ProcessInstance, ProcessInstance.definition_id == ProcessDefinition.id)
            .where(ProcessInstance.id == task.instance_id)
        )
        spiff_id = task.spiff_task_id
        schema = load_form(settings.forms_dir, task.form)
    data = coerce_data(schema, step_data())

    def step() -> None:
        workflow = bpmn.load_workflow(state, spec)
        bpmn.run_human_task(workflow, bpmn.find_task(workflow, spiff_id), data)
        bpmn.dump_workflow(workflow)

    step()  # parsed specs and the like are cached for the service too
    return min(timed(step) for _ in range(3))


def floor_and_service(
    env: dict[str, str], db: Database, label: str, sample: int, http_base: str | None = None
) -> list[Row]:
    settings = load_settings(env)
    app = app_for(env, db)
    client = app.test_client()
    token = api_token(client, STEP_USER)
    headers = {"Authorization": f"Bearer {token}"}
    rows = []
    ways: list[tuple[str, Callable[[int], int]]] = [
        (
            "in-process client",
            lambda task_id: (
                client.post(
                    f"/api/v1/tasks/{task_id}/complete", json={"data": step_data()}, headers=headers
                ).status_code
            ),
        )
    ]
    if http_base:
        ways.append(
            ("real HTTP, gunicorn", lambda task_id: http_complete(http_base, token, task_id))
        )
    available = step_tasks(db, sample * (len(ways) + 1))
    share = max(1, len(available) // (len(ways) + 1))
    for number, (way, complete) in enumerate(ways):
        tasks = available[number * share : (number + 1) * share]
        if not tasks:
            say(f"  {label} {way}: no meeting left to schedule at this scale; skipped")
            continue
        floors, ends = [], []
        for task_id in tasks:
            floors.append(engine_floor(db, settings, task_id))
            started = time.perf_counter()
            status = complete(task_id)
            ends.append(time.perf_counter() - started)
            if status != 200:
                raise RuntimeError(f"completing task {task_id} answered {status}")
        floor, end = statistics.median(floors), statistics.median(ends)
        ratio = round(end / floor, 2)
        say(f"  {label} {way}: floor p50 {ms(floor)} ms, end-to-end p50 {ms(end)} ms")
        rows.append(
            Row(
                f"Task completion p50 / engine floor p50 ({way}, {label}; "
                f"{ms(end)} ms / {ms(floor)} ms, {len(tasks)} tasks)",
                ratio,
                "x",
                "<= 1.5",
                ratio <= 1.5,
            )
        )
    measured = available[len(ways) * share : (len(ways) + 1) * share]
    if measured:
        rows += where_the_time_goes(db, label, measured, ways[0][1])
    return rows


def where_the_time_goes(
    db: Database, label: str, tasks: list[int], complete: Callable[[int], int]
) -> list[Row]:
    """A completion's time split three ways: the database and its driver (statements and
    commits timed as they run), SpiffWorkflow (loading, running and dumping the workflow) and
    the rest: Flask, SQLAlchemy's ORM and the service's own checks and records. Informational
    rows.
    On PostgreSQL the audit chain's lock and head go through the driver's pipeline, unseen by
    SQLAlchemy's events: their round trip counts in the rest, and they are not counted."""
    from engine.runtime import bpmn

    spent = {"database": 0.0, "engine": 0.0, "statements": 0.0}

    def statement_started(connection: Any, *_: Any) -> None:
        connection.info["bench_started"] = time.perf_counter()

    def statement_done(connection: Any, *_: Any) -> None:
        spent["database"] += time.perf_counter() - connection.info.pop("bench_started")
        spent["statements"] += 1

    def timing(step: Callable[..., Any]) -> Callable[..., Any]:
        def timed_step(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return step(*args, **kwargs)
            finally:
                spent["engine"] += time.perf_counter() - started

        return timed_step

    steps = {
        name: getattr(bpmn, name) for name in ("load_workflow", "run_human_task", "dump_workflow")
    }

    def committing(commit: Callable[[Any], None]) -> Callable[[Any], None]:
        # A commit waits for the database to make the transaction durable (an fsync on
        # SQLite, the write-ahead log's flush on PostgreSQL): database time, not the rest's.
        def timed_commit(dbapi_connection: Any) -> None:
            started = time.perf_counter()
            try:
                commit(dbapi_connection)
            finally:
                spent["database"] += time.perf_counter() - started

        return timed_commit

    for engine in db.engines:
        event.listen(engine, "before_cursor_execute", statement_started)
        event.listen(engine, "after_cursor_execute", statement_done)
        engine.dialect.do_commit = committing(engine.dialect.do_commit)
    for name, step in steps.items():
        setattr(bpmn, name, timing(step))
    started = time.perf_counter()
    try:
        for task_id in tasks:
            if complete(task_id) != 200:
                raise RuntimeError(f"completing task {task_id} failed")
    finally:
        total = time.perf_counter() - started
        for name, step in steps.items():
            setattr(bpmn, name, step)
        for engine in db.engines:
            event.remove(engine, "before_cursor_execute", statement_started)
            event.remove(engine, "after_cursor_execute", statement_done)
            del engine.dialect.do_commit
    count = len(tasks)
    rest = total - spent["database"] - spent["engine"]
    say(
        f"  {label} where a completion's time goes: {ms(total / count)} ms, of which database "
        f"{ms(spent['database'] / count)} ms ({spent['statements'] / count:g} statements), "
        f"SpiffWorkflow {ms(spent['engine'] / count)} ms, the rest {ms(rest / count)} ms"
    )
    name = f"A completion's time (in-process client, {label}, mean of {count})"
    return [
        Row(
            f"{name}: statements, commits and their driver",
            ms(spent["database"] / count),
            "ms",
            "",
            None,
        ),
        Row(
            f"{name}: SpiffWorkflow (load, run, dump)", ms(spent["engine"] / count), "ms", "", None
        ),
        Row(f"{name}: the rest (Flask, ORM, the service)", ms(rest / count), "ms", "", None),
        Row(f"{name}: SQL statements", round(spent["statements"] / count, 1), "", "", None),
    ]


def http_complete(base: str, token: str, task_id: int) -> int:
    host, port = base.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        connection.request(
            "POST",
            f"/api/v1/tasks/{task_id}/complete",
            body=json.dumps({"data": step_data()}),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


# --- documents -----------------------------------------------------------------------------------


def documents(db: Database, label: str, packs: int) -> list[Row]:
    from engine.documents import statistics_report
    from engine.documents.store import meeting_pack
    from engine.people.accounts import get_user

    with db.read() as session:
        user = get_user(session, session.scalar(select(User.id).where(User.email == STEP_USER)))
        council = session.scalar(
            select(Organisation.id).where(Organisation.key == "derbyshire-dales-district-council")
        )
        references = session.scalars(
            select(Case.reference)
            .join(CaseParticipant, CaseParticipant.case_id == Case.id)
            .where(
                Case.status == "review_being_arranged", CaseParticipant.organisation_id == council
            )
            .order_by(Case.id.desc())
            .limit(packs)
        ).all()
    pack_times = []
    for reference in references:
        with db.transaction() as session:
            case = session.scalar(select(Case).where(Case.reference == reference))
            have = session.scalar(select(func.count()).where(Incident.case_id == case.id))
            now = clock.now()
            for number in range(200 - have):
                occurred = case.received_on - timedelta(days=1 + number % 170)
                session.add(
                    Incident(
                        case_id=case.id,
                        source="derbyshire-constabulary",
                        occurred_on=occurred,
                        reported_on=occurred + timedelta(days=1),
                        reported_to="police",
                        reference=f"DC-{number:05d}",
                        description="Shouting and banging late at night; neighbours disturbed.",
                        created_at=now,
                    )
                )
        with db.transaction() as session:
            pack_times.append(
                timed(
                    lambda session=session, reference=reference: meeting_pack(
                        session, user, reference
                    )
                )
            )
    this_year = clock.today().year if clock.today().month > 3 else clock.today().year - 1
    report_times = []
    for year in range(this_year - 9, this_year + 1):
        with db.transaction() as session:
            report_times.append(
                timed(lambda session=session, year=year: statistics_report(session, year))
            )
    pack, report = round(max(pack_times), 3), round(max(report_times), 3)
    return [
        Row(
            f"Meeting pack, 200 incidents, slowest of {len(pack_times)} ({label})",
            pack,
            "s",
            "< 1",
            pack < 1,
        ),
        Row(
            f"Statistics report, nine districts, slowest of the last ten years ({label})",
            report,
            "s",
            "< 1",
            report < 1,
        ),
    ]


# --- escalation sweep ----------------------------------------------------------------------------


def escalation_sweep(db: Database, label: str) -> list[Row]:
    """The daily sweep: one sweep clears what piled up before the benchmark's first working day
    (a weekend's worth, untimed), then the next day's sweep is timed."""
    from engine.chasing.escalation import chase_due

    def next_day() -> tuple[datetime, int, int]:
        with db.read() as session:
            live = session.scalar(
                select(func.count()).select_from(Task).where(Task.state.in_(["open", "claimed"]))
            )
            day = session.scalar(
                select(func.min(Task.next_chase_on)).where(Task.state.in_(["open", "claimed"]))
            )
            due = session.scalar(
                select(func.count())
                .select_from(Task)
                .where(Task.state.in_(["open", "claimed"]), Task.next_chase_on <= day)
            )
        return datetime.combine(day, datetime.min.time().replace(hour=9)), live, due

    moment, _live, _due = next_day()
    with clock.using_clock(clock.FixedClock(moment)):
        chase_due(db)
    moment, live, due = next_day()
    with clock.using_clock(clock.FixedClock(moment)):
        started = time.perf_counter()
        result = chase_due(db)
        seconds = time.perf_counter() - started
    say(f"  {label}: {due} due of {live} live on {moment:%a %d %b}; {result}; {seconds:.2f} s")
    # The sweep reads only the due tasks (an index range), so its time grows with them, not
    # with the live tasks; the demo data has more than 1,000 due on a day, so the row gives the
    # time per 1,000.
    per_thousand = round(seconds * 1000 / max(due, 1), 3)
    return [
        Row(
            f"Escalation sweep per 1,000 due tasks ({live:,} live, {due:,} due: {seconds:.2f} s; "
            f"{result.reminded} reminded, {result.escalated} escalated; {label})",
            per_thousand,
            "s",
            "< 1",
            per_thousand < 1,
        )
    ]


# --- throughput over HTTP against PostgreSQL ---------------------------------------------------


@contextmanager
def gunicorn(env: dict[str, str], workers: int, threads: int) -> Iterator[tuple[str, int]]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "web:create_app()",
        ],
        cwd=ROOT,
        env={**os.environ, **env, "CASEREVIEW_SECRET_KEY": uuid.uuid4().hex},
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/api/v1/openapi.json")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not answer within 60 seconds")
        yield f"127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def worker_rss_mb(master_pid: int) -> list[float]:
    sizes = []
    for pid in _children(master_pid):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(round(int(line.split()[1]) / 1024, 1))
    return sizes


RETURN_DATA = {"incidents": [], "actions_taken": "Advice given", "view": "Supports a review"}


def return_jobs(db: Database, tokens: dict[int, str]) -> list[tuple[int, int, str]]:
    """(case, task, token) for every open information return, a case's returns together."""
    with db.read() as session:
        rows = session.execute(
            select(Task.case_id, Task.id, TaskCandidate.organisation_id, Task.assignee_id)
            .join(TaskCandidate, TaskCandidate.task_id == Task.id)
            .where(Task.form == "information_return", Task.state.in_(["open", "claimed"]))
            .order_by(Task.case_id, Task.id)
        ).all()
        officers = officers_by_organisation(session)
    jobs = []
    for case_id, task_id, organisation_id, assignee_id in rows:
        user_id = assignee_id or officers.get(organisation_id)
        if user_id in tokens:
            jobs.append((case_id, task_id, tokens[user_id]))
    return jobs


def officers_by_organisation(session: Any) -> dict[int, int]:
    """One officer per organisation: demo users, those demo-load made for every district."""
    found: dict[int, int] = {}
    for user_id, organisation_id, email in session.execute(
        select(User.id, User.organisation_id, User.email).order_by(User.id)
    ):
        if email.startswith(("caseworker@", "police@", "health@", "housing@")):
            found.setdefault(organisation_id, user_id)
    return found


@dataclass(frozen=True)
class ProcessorTime:
    """Processor seconds used so far, from /proc: by the gunicorn workers, by PostgreSQL's
    processes when the server runs on this machine (None otherwise), and by the machine."""

    workers: float
    postgres: float | None
    busy: float
    elapsed: float

    @classmethod
    def read(cls, master_pid: int, postgres_here: bool) -> ProcessorTime:
        tick = os.sysconf("SC_CLK_TCK")
        fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle, and waiting for disk
        postgres = None
        if postgres_here:
            postgres = sum(
                _process_seconds(int(pid))
                for pid in os.listdir("/proc")
                if pid.isdigit() and _command(int(pid)) == "postgres"
            )
        return cls(
            workers=sum(_process_seconds(pid) for pid in _children(master_pid)),
            postgres=postgres,
            busy=(sum(fields) - idle) / tick,
            elapsed=sum(fields) / tick,
        )

    def since(self, before: ProcessorTime) -> ProcessorTime:
        postgres = None
        if self.postgres is not None and before.postgres is not None:
            postgres = self.postgres - before.postgres
        return ProcessorTime(
            self.workers - before.workers,
            postgres,
            self.busy - before.busy,
            self.elapsed - before.elapsed,
        )


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:  # the process ended while the list was read
        return ""


def _process_seconds(pid: int) -> float:
    try:
        after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(after_name[11]) + int(after_name[12])) / os.sysconf("SC_CLK_TCK")


def processor_rows(used: ProcessorTime, completions: int) -> list[Row]:
    """Where the throughput run's processor time went: rows without a target."""
    if not completions:
        return []
    name = "A completion's processor time during the throughput run"
    rows = [Row(f"{name}: gunicorn workers", ms(used.workers / completions), "ms", "", None)]
    if used.postgres is not None:
        rows.append(Row(f"{name}: PostgreSQL", ms(used.postgres / completions), "ms", "", None))
    busy = round(100 * used.busy / used.elapsed) if used.elapsed else 0
    rows.append(
        Row(
            f"Processors busy during the throughput run ({os.cpu_count()} on this machine)",
            busy,
            "%",
            "",
            None,
        )
    )
    return rows


def throughput(
    env: dict[str, str],
    db: Database,
    base: str,
    master_pid: int,
    seconds: int,
    clients: int,
    postgres_here: bool,
) -> list[Row]:
    from engine.runtime import bpmn

    app = app_for(env, db)
    local = app.test_client()
    with db.read() as session:
        officers = officers_by_organisation(session)
        emails = dict(session.execute(select(User.id, User.email)).all())
    tokens = {user_id: api_token(local, emails[user_id]) for user_id in set(officers.values())}
    jobs = return_jobs(db, tokens)
    say(f"  {len(jobs)} information returns waiting, {clients} clients for {seconds} s")
    host, port = base.split(":")
    before = ProcessorTime.read(master_pid, postgres_here)
    done, errors, elapsed = asyncio.run(_complete_all(host, int(port), jobs, seconds, clients))
    used = ProcessorTime.read(master_pid, postgres_here).since(before)
    rss = worker_rss_mb(master_pid)
    rate = round(len(done) / elapsed, 1)
    lost = lost_updates(db, done, bpmn)
    say(f"  {len(done)} completions in {elapsed:.1f} s, {len(errors)} errors, {lost} lost")
    for error in errors[:5]:
        say(f"    {error}")
    return [
        Row(
            f"Task completions per second over HTTP, gunicorn {WORKERS} workers x {THREADS} "
            f"threads, {clients} clients, a connection per request, {seconds} s (PostgreSQL)",
            rate,
            "/s",
            ">= 150",
            rate >= 150,
        ),
        Row("Errors during the throughput run", len(errors), "", "0", not errors),
        Row("Lost updates, checked afterwards", lost, "", "0", lost == 0),
        Row(
            f"Resident memory of a gunicorn worker after the run (largest of {len(rss)})",
            max(rss),
            "MB",
            "< 250",
            max(rss) < 250,
        ),
        *processor_rows(used, len(done)),
    ]


async def _complete_all(
    host: str, port: int, jobs: list[tuple[int, int, str]], seconds: int, clients: int
) -> tuple[list[tuple[int, int]], list[str], float]:
    """``clients`` clients completing ``jobs`` in turn until time is up, each request on a
    connection of its own, as a reverse proxy in front of gunicorn sends them (nginx's default
    towards its upstreams).

    Kept-alive connections stay with the worker that accepted them, and gunicorn's workers
    race to accept: sixteen connections opened at once were split anywhere from 8 and 8 to 16
    and 0, and a run measured how evenly rather than the service (48 to 116 completions a
    second on the same code). The load comes from one asyncio loop writing requests by hand:
    on a two-core machine the service shares the processors with its load, and a thread per
    client spent a fifth of a core on switching between threads rather than on asking.
    """
    queue = iter(jobs)
    done: list[tuple[int, int]] = []
    errors: list[str] = []
    body = json.dumps({"data": RETURN_DATA}).encode()
    stop_at = time.monotonic() + seconds

    async def complete(case_id: int, task_id: int, token: str) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(
                f"POST /api/v1/tasks/{task_id}/complete HTTP/1.1\r\n"
                f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
                "Connection: close\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            status = int(head.split(" ", 2)[1])
            length = re.search(r"(?im)^content-length:\s*(\d+)", head)
            # Without a length (a proxy's or server's error page), the reply ends with the
            # connection, which this request asked to close.
            payload = await (reader.readexactly(int(length[1])) if length else reader.read())
        finally:
            writer.close()
        if status == 200:
            done.append((case_id, task_id))
        else:
            errors.append(f"task {task_id}: {status} {payload[:200]!r}")

    async def client() -> None:
        for case_id, task_id, token in queue:
            if time.monotonic() >= stop_at:
                return
            try:
                await complete(case_id, task_id, token)
            except (OSError, asyncio.IncompleteReadError) as error:
                errors.append(f"task {task_id}: connection lost: {error!r}")
            except (ValueError, IndexError, asyncio.LimitOverrunError) as error:
                errors.append(f"task {task_id}: not an HTTP reply: {error!r}")

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    return done, errors, time.monotonic() - started


def lost_updates(db: Database, done: list[tuple[int, int]], bpmn: Any) -> int:
    """Completions answered 200 that the stored task rows or workflows do not show."""
    lost = 0
    by_case: dict[int, set[int]] = {}
    for case_id, task_id in done:
        by_case.setdefault(case_id, set()).add(task_id)
    with db.read() as session:
        specs = dict(
            session.execute(select(ProcessDefinition.id, ProcessDefinition.spec_json)).all()
        )
        for task_ids in by_case.values():
            tasks = session.scalars(select(Task).where(Task.id.in_(task_ids))).all()
            lost += sum(task.state != "completed" for task in tasks)
            for instance_id in {task.instance_id for task in tasks}:
                instance = session.get(ProcessInstance, instance_id)
                workflow = bpmn.load_workflow(instance.workflow_json, specs[instance.definition_id])
                for task in tasks:
                    if task.instance_id != instance_id:
                        continue
                    spiff = bpmn.find_task(workflow, task.spiff_task_id)
                    if spiff is None or not bpmn.is_completed(spiff):
                        lost += 1
                returns_left = session.scalar(
                    select(func.count())
                    .select_from(Task)
                    .where(
                        Task.instance_id == instance_id,
                        Task.form == "information_return",
                        Task.state.in_(["open", "claimed"]),
                    )
                )
                decision = session.scalar(
                    select(func.count())
                    .select_from(Task)
                    .where(Task.instance_id == instance_id, Task.spec_name == "threshold_decision")
                )
                if returns_left == 0 and decision != 1:
                    lost += 1
    return lost


# --- growth: the cost of a completion as the instance's history grows --------------------------


def growth(env: dict[str, str], db: Database, label: str) -> list[Row]:
    from engine.intake.applications import submit_application
    from engine.people.accounts import get_user
    from engine.procedure import complete_task

    settings = load_settings(env)
    today = clock.today().isoformat()
    with db.read() as session:
        users = {
            email: get_user(session, user_id)
            for user_id, email in session.execute(select(User.id, User.email))
        }

    def do(case_id: int, spec_name: str, email: str, data: dict[str, Any]) -> list[float]:
        with db.read() as session:
            ids = session.scalars(
                select(Task.id)
                .where(Task.case_id == case_id, Task.spec_name == spec_name)
                .where(Task.state.in_(["open", "claimed"]))
                .order_by(Task.id)
            ).all()
        return [
            timed(
                lambda task_id=task_id: complete_task(
                    db, task_id, users[email], data, forms_dir=settings.forms_dir
                )
            )
            for task_id in ids
        ]

    incidents = [
        {
            "occurred_on": (clock.today() - timedelta(days=ago)).isoformat(),
            "reported_on": (clock.today() - timedelta(days=ago - 1)).isoformat(),
            "reported_to": "police",
            "reference": f"DC-{ago}",
            "description": "Shouting",
        }
        for ago in (40, 30, 20)
    ]
    with db.transaction() as session:
        case_id = submit_application(
            session,
            {
                "district": "derbyshire-dales",
                "applicant": {"name": "Growth Test", "address": "1 Bank Road, Matlock"},
                "on_behalf": False,
                "incidents": incidents,
                "hate_element": False,
                "impact": "Sleepless nights",
            },
            settings,
        ).id
    council, police = "caseworker@dales.example.org", "police@derbyshire.example.org"
    no_return = {"incidents": [], "actions_taken": "None", "view": "Supports a review"}
    do(case_id, "acknowledge", council, {"acknowledged_on": today, "method": "email"})
    do(case_id, "screen", council, {"route": "review", "hate_element": False})
    do(case_id, "police_return", police, no_return)
    do(case_id, "housing_return [child]", "housing@dales-housing.example.org", no_return)
    do(case_id, "health_return", "health@icb.example.org", no_return)
    do(case_id, "council_return", council, no_return)
    do(case_id, "threshold_decision", council, {"threshold_met": True, "decision_basis": "count"})
    do(case_id, "decision_letter", council, {"sent_on": today, "method": "email"})
    do(
        case_id,
        "schedule_meeting",
        council,
        {"chair_email": "chair@highpeak.example.org", "meeting_date": today},
    )
    do(case_id, "chase_returns", council, {"all_returns_in": True})
    do(case_id, "meeting_pack", council, {"pack_ready_on": today})
    due = (clock.today() + timedelta(days=60)).isoformat()
    actions = [
        {"organisation": "derbyshire-constabulary", "action": f"Action {n}", "due_date": due}
        for n in range(60)
    ]
    do(
        case_id,
        "record_meeting",
        "chair@highpeak.example.org",
        {
            "held_on": today,
            "attendees": ["Chair"],
            "findings": "Findings",
            "recommendations": actions,
        },
    )
    do(
        case_id,
        "outcome_letter",
        council,
        {"sent_on": today, "method": "email", "updates": "Monthly"},
    )
    sizes: list[int] = []
    costs: list[float] = []
    with db.read() as session:
        instance_id = session.scalar(
            select(ProcessInstance.id)
            .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
            .where(ProcessInstance.case_id == case_id, ProcessDefinition.key == "asb_case_review")
        )
        ids = session.scalars(
            select(Task.id)
            .where(Task.instance_id == instance_id, Task.state.in_(["open", "claimed"]))
            .order_by(Task.id)
        ).all()
    done_data = {"action_status": "done", "notes": "Done"}
    for task_id in ids[:55]:
        costs.append(
            timed(
                lambda task_id=task_id: complete_task(
                    db, task_id, users[police], done_data, forms_dir=settings.forms_dir
                )
            )
        )
        with db.read() as session:
            sizes.append(
                session.scalar(
                    select(func.length(ProcessInstance.workflow_json)).where(
                        ProcessInstance.id == instance_id
                    )
                )
            )
    # The instance already holds the review's completed tasks before the first action.
    with db.read() as session:
        base = session.scalar(
            select(func.count())
            .select_from(Task)
            .where(Task.instance_id == instance_id, Task.state == "completed")
        ) - len(costs)

    def at(history: int) -> tuple[float, int]:
        # The median of the seven completions around the point: of three, one slow moment on
        # a busy machine could move the ratio past its target.
        index = max(0, history - base)
        window = costs[max(0, index - 3) : index + 4]
        return statistics.median(window), sizes[min(index, len(sizes) - 1)]

    points = {history: at(history) for history in (1, 10, 50)}
    say(
        "  growth: "
        + ", ".join(f"{h} done: {ms(c)} ms, {s // 1024} KB" for h, (c, s) in points.items())
    )
    ratio = round(points[50][0] / points[1][0], 2)
    detail = "; ".join(f"{h}: {ms(c)} ms, state {s // 1024} KB" for h, (c, s) in points.items())
    return [
        Row(
            f"Completion cost with 50 completed tasks / with 1 ({detail}; {label})",
            ratio,
            "x",
            "<= 1.5",
            ratio <= 1.5,
        )
    ]


# --- the run -----------------------------------------------------------------------------------


def print_table(rows: list[Row]) -> None:
    width = max(len(row.name) for row in rows)
    print()
    print(f"{'measure':<{width}}  {'value':>10}  {'unit':<4}  {'target':<8}  met")
    print("-" * (width + 36))
    for row in rows:
        value = f"{row.value:g}"
        print(
            f"{row.name:<{width}}  {value:>10}  {row.unit:<4}  {row.target:<8}  "
            f"{'' if row.met is None else 'yes' if row.met else 'NO'}"
        )
=======
from bench.throughput import throughput  # noqa: E402
from engine.core.db import connect  # noqa: E402
>>>>>>> split-development


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
        rows += floor_and_service(sqlite_env, sqlite_db, "SQLite", 20)
        rows += documents(sqlite_db, "SQLite", 5)
        rows += escalation_sweep(sqlite_db, "SQLite")
        sqlite_db.dispose()
        (workdir / "bench.db").unlink()

        with postgres_database(admin_url) as postgres_url:
            say(f"PostgreSQL with {args.cases:,} cases")
            pg_env = prepare(postgres_url, workdir, args.cases)
            checkpoint(postgres_url)
            pg_db = connect(postgres_url)
            rows += inboxes(pg_env, pg_db, "PostgreSQL", runs)
            rows += documents(pg_db, "PostgreSQL", 5)
            with gunicorn(pg_env, workers=WORKERS, threads=THREADS) as (base, master_pid):
                rows += floor_and_service(pg_env, pg_db, "PostgreSQL", 20, http_base=base)
                rows += throughput(
                    pg_env,
                    pg_db,
                    base,
                    master_pid,
                    args.seconds,
                    args.clients,
                    postgres_here=make_url(postgres_url).host in LOCAL_HOSTS,
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
