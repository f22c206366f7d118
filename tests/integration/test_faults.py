"""Surviving faults, with real processes: a web process killed in the middle of completing a
task, and PostgreSQL restarted under running requests."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from development.faults import PAUSE_BEFORE_COMMIT
from engine.core import clock
from engine.core.db import Database, connect
from engine.core.models import AuditEvent, ProcessInstance, Task
from engine.people.accounts import add_user
from tests.support.files import ROOT
from tests.support.people import DEMO_PASSWORD
from tests.support.procedure import application, live, submit
from tests.support.servers import free_port, wait_until

COMMAND = [sys.executable, "-m", "cli"]
COUNCIL = "council@example.org"


@dataclass
class Served:
    """A `casereview serve` process on a loopback port."""

    process: subprocess.Popen
    base: str

    def call(
        self, method: str, path: str, body: Any = None, token: str | None = None, timeout=30
    ) -> tuple[int, Any]:
        request = urllib.request.Request(
            f"{self.base}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Content-Type": "application/json",
                **({"Authorization": f"Bearer {token}"} if token else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                status, raw, kind = answer.status, answer.read(), answer.headers["Content-Type"]
        except urllib.error.HTTPError as refused:
            status, raw, kind = refused.code, refused.read(), refused.headers["Content-Type"]
        return status, json.loads(raw) if "json" in (kind or "") else raw.decode()

    def token(self, email: str) -> str:
        status, body = self.call(
            "POST", "/api/v1/auth/token", {"email": email, "password": DEMO_PASSWORD}
        )
        assert status == 200, body
        return body["token"]


def serve(url: str, instance: Path, **environment: str) -> Served:
    port = free_port()
    env = {
        **os.environ,
        "CASEREVIEW_DATABASE_URL": url,
        "CASEREVIEW_INSTANCE_DIR": str(instance),
        **environment,
    }
    process = subprocess.Popen(
        [*COMMAND, "serve", "--port", str(port), "--no-scheduler", "--threads", "4"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    served = Served(process, f"http://127.0.0.1:{port}")

    def answers() -> bool:
        try:
            return served.call("GET", "/api/v1/openapi.json", timeout=2)[0] == 200
        except OSError:
            return False

    assert wait_until(answers), "the server did not answer"
    return served


def stop(served: Served) -> None:
    if served.process.poll() is None:
        served.process.terminate()
        try:
            served.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            served.process.kill()
            served.process.wait()


def prepared(url: str) -> Database:
    """A database as `casereview init` leaves it, with a council caseworker to sign in as."""
    env = {**os.environ, "CASEREVIEW_DATABASE_URL": url}
    subprocess.run([*COMMAND, "init"], env=env, cwd=ROOT, check=True, capture_output=True)
    database = connect(url)
    with database.transaction() as session:
        add_user(
            session,
            email=COUNCIL,
            name="Council",
            organisation_key="derbyshire-dales-district-council",
            roles=["caseworker"],
            password=DEMO_PASSWORD,
        )
    return database


def snapshot(database: Database, case_id: int) -> dict[str, Any]:
    with database.read() as session:
        instances = session.execute(
            select(ProcessInstance.id, ProcessInstance.revision, ProcessInstance.workflow_json)
            .where(ProcessInstance.case_id == case_id)
            .order_by(ProcessInstance.id)
        ).all()
        tasks = session.execute(
            select(Task.id, Task.spec_name, Task.state, Task.data)
            .where(Task.case_id == case_id)
            .order_by(Task.id)
        ).all()
        events = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.case_id == case_id)
        )
    return {"instances": instances, "tasks": tasks, "case_events": events}


# A web process killed in the middle of completing a task


def test_a_process_killed_while_completing_a_task_leaves_it_open_and_unchanged(
    blank_url: str, tmp_path: Path
) -> None:
    database = prepared(blank_url)
    with clock.using_clock(clock.SystemClock()):
        case_id = submit(database, application())
    acknowledge = live(database, case_id)["acknowledge"].id
    before = snapshot(database, case_id)
    marker = tmp_path / "paused"
    served = serve(blank_url, tmp_path, **{PAUSE_BEFORE_COMMIT: str(marker)})
    try:
        token = served.token(COUNCIL)
        answer = {"data": {"method": "email"}}
        completing = threading.Thread(
            target=lambda: _ignore_errors(
                served.call, "POST", f"/api/v1/tasks/{acknowledge}/complete", answer, token
            ),
            daemon=True,
        )
        completing.start()
        assert wait_until(marker.exists), "the completion never reached its commit"
        # Every change of the completion is in the database's hands, uncommitted: kill now.
        os.kill(served.process.pid, signal.SIGKILL)
        served.process.wait(timeout=20)
        completing.join(timeout=30)
    finally:
        stop(served)
        marker.unlink(missing_ok=True)

    assert snapshot(database, case_id) == before, "nothing of the half-done completion is kept"

    restarted = serve(blank_url, tmp_path)
    try:
        token = restarted.token(COUNCIL)
        status, body = restarted.call(
            "POST", f"/api/v1/tasks/{acknowledge}/complete", answer, token
        )
        assert status == 200, body
        assert [row["name"] for row in body["ready"]] == ["screen"], "the workflow moves on"
    finally:
        stop(restarted)
    with database.read() as session:
        completions = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "task.completed", AuditEvent.object_id == str(acknowledge))
        )
    assert completions == 1
    database.dispose()


def _ignore_errors(call, *args) -> None:
    with contextlib.suppress(OSError):  # the server is killed under it
        call(*args)


# PostgreSQL restarted while requests are running


def _postgres_binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version)
    return Path(found[-1]).parent if found else None


def _version(path: str) -> float:
    try:
        return float(Path(path).parent.parent.name)
    except ValueError:
        return 0.0


class PrivateCluster:
    """A throwaway PostgreSQL server of our own, so the shared one is never restarted."""

    def __init__(self, binaries: Path) -> None:
        self.binaries = binaries
        self.directory = Path(tempfile.mkdtemp(prefix="casereview-pg-"))
        self.data = self.directory / "data"
        self.port = free_port()
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        self.run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self.as_owner, str(self.binaries / program), *args],
            check=True,
            capture_output=True,
            cwd=self.directory,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.directory / "log"),
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture
def private_postgres() -> Iterator[PrivateCluster]:
    binaries = _postgres_binaries()
    if binaries is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        pytest.skip(
            "PostgreSQL restart test skipped: needs Debian's PostgreSQL server binaries "
            "(apt-get install postgresql) to run a private server"
        )
    cluster = PrivateCluster(binaries)
    cluster.start()
    yield cluster
    cluster.remove()


def test_requests_during_a_postgresql_restart_fail_clearly_then_the_service_recovers(
    private_postgres: PrivateCluster, tmp_path: Path
) -> None:
    database = prepared(private_postgres.url)
    database.dispose()
    served = serve(private_postgres.url, tmp_path)
    statuses: list[int] = []
    running = threading.Event()
    running.set()

    def keep_asking(token: str) -> None:
        while running.is_set():
            try:
                statuses.append(
                    served.call("GET", "/api/v1/tasks?scope=organisation", None, token)[0]
                )
            except OSError:
                statuses.append(0)

    workers: list[threading.Thread] = []
    try:
        token = served.token(COUNCIL)
        assert served.call("GET", "/api/v1/tasks", None, token)[0] == 200
        workers = [threading.Thread(target=keep_asking, args=(token,)) for _ in range(3)]
        for worker in workers:
            worker.start()
        private_postgres.stop()

        status, body = served.call("GET", "/api/v1/tasks", None, token)
        assert status == 503
        assert body == {
            "error": "The service cannot reach its database just now. Try again in a few "
            "minutes; if you were sending a form, check whether it was saved before sending "
            "it again."
        }
        status, page = served.call("GET", "/statistics")
        assert status == 503
        assert "Sorry, the service is unavailable" in page and "Traceback" not in page

        private_postgres.start()
        assert wait_until(lambda: served.call("GET", "/api/v1/tasks", None, token)[0] == 200), (
            "the service did not recover once the database was back"
        )
        assert served.call("GET", "/statistics")[0] == 200
        assert served.process.poll() is None, "recovered without a restart of its own"
    finally:
        running.clear()
        for worker in workers:
            worker.join(timeout=60)
        stop(served)
    assert set(statuses) <= {200, 503}, f"never a 500 or a dropped connection: {set(statuses)}"
    assert 503 in statuses and 200 in statuses
