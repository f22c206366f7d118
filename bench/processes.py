"""What the server's processes use, read from /proc: the workers' resident memory, and the
processor time of the workers, of PostgreSQL's backends serving the benchmark's database (when
the server runs on this machine) and of the whole machine."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from bench.measure import Row, ms

# A server at one of these runs on this machine, so its processes' time can be read here.
LOCAL_HOSTS = (None, "", "localhost", "127.0.0.1", "::1")


def local_database(url: str) -> str | None:
    """The database's name when its server runs on this machine, where /proc shows it."""
    parsed = make_url(url)
    return parsed.database if parsed.host in LOCAL_HOSTS else None


def worker_rss_mb(master_pid: int) -> list[float]:
    sizes = []
    for pid in _children(master_pid):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(round(int(line.split()[1]) / 1024, 1))
    return sizes


@dataclass(frozen=True)
class ProcessorTime:
    """Processor seconds used so far, from /proc: by the gunicorn workers, by the PostgreSQL
    backends connected to ``database`` when the server runs on this machine (None otherwise),
    and by the machine.

    Only the backends of the benchmark's own database are counted: the server may serve other
    databases, whose work is not the service's. Its shared processes (the WAL writer, the
    checkpointer) are left out for the same reason; the workers' connection pools keep their
    backends for the whole run, so none ends with its time uncounted."""

    workers: float
    postgres: float | None
    busy: float
    elapsed: float

    @classmethod
    def read(cls, master_pid: int, database: str | None) -> ProcessorTime:
        tick = os.sysconf("SC_CLK_TCK")
        fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle, and waiting for disk
        postgres = None
        if database is not None:
            postgres = sum(
                _process_seconds(int(pid))
                for pid in os.listdir("/proc")
                if pid.isdigit() and _is_backend_of(int(pid), database)
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


def _is_backend_of(pid: int, database: str) -> bool:
    """A PostgreSQL backend shows its user and database in its title: ``postgres: user
    database host(port) state``, after the cluster's name where it has one."""
    if _command(pid) != "postgres":
        return False
    try:
        title = (
            Path(f"/proc/{pid}/cmdline")
            .read_bytes()
            .replace(b"\0", b" ")
            .decode("utf-8", "replace")
            .split()
        )
    except OSError:
        return False
    return database in title[1:]


def _process_seconds(pid: int) -> float:
    try:
        after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(after_name[11]) + int(after_name[12])) / os.sysconf("SC_CLK_TCK")


# The target for the gunicorn workers' processor time per completion, in ms: on two
# cores, 300 completions a second leave each about 6.7 ms of processor time for everything,
# PostgreSQL and the load's own client included.
WORKERS_TARGET_MS = 4


def processor_rows(used: ProcessorTime, completions: int) -> list[Row]:
    """Where the throughput run's processor time went: the workers' against their target, the
    rest without one."""
    if not completions:
        return []
    name = "A completion's processor time during the throughput run"
    workers = ms(used.workers / completions)
    rows = [
        Row(
            f"{name}: gunicorn workers",
            workers,
            "ms",
            f"<= {WORKERS_TARGET_MS}",
            workers <= WORKERS_TARGET_MS,
        )
    ]
    if used.postgres is not None:
        rows.append(
            Row(
                f"{name}: PostgreSQL's backends of the benchmark's database",
                ms(used.postgres / completions),
                "ms",
                "",
                None,
            )
        )
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
