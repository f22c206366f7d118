"""gunicorn serving the service on a free local port, as the README's deployment runs it."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from bench.measure import ROOT

# gunicorn as the README's deployment section runs it, on this benchmark's two cores: two
# workers of two threads each. A completion is mostly processor work under the GIL; more
# threads a worker cost each completion more of the worker's and PostgreSQL's time (8 threads:
# 8.1 to 9.4 ms and 2.4 to 2.6 ms, against 7.3 to 8.1 and 1.9 to 2.0 with 2) and gave fewer
# completions a second (the README's Performance section has the runs).
WORKERS, THREADS = 2, 2


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
