"""Servers on loopback ports: a port for a server a test starts, and waiting for a server (or
anything else) to be ready.

Tests run in parallel workers (pytest-xdist), and a port found free is only free until some
process binds it. So each worker hands out ports from its own block, below the range the
kernel picks from when a process asks for any free port: a port given to a test is then never
given to a test of another worker, nor taken by the kernel for someone else meanwhile.
"""

from __future__ import annotations

import itertools
import os
import random
import socket
import time
from collections.abc import Callable

_FIRST_PORT = 20000  # the kernel's own choices start at 32768 (ip_local_port_range)
_PORTS_PER_WORKER = 200
_WORKER_BLOCKS = 60  # 20000 + 60 * 200 = 32000


def _worker_index() -> int:
    """This process's pytest-xdist worker number (gw0, gw1, ...), or 0 in a serial run."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    digits = worker.removeprefix("gw")
    return int(digits) if digits.isdigit() else 0


def _port_cycle() -> itertools.cycle[int]:
    start = _FIRST_PORT + (_worker_index() % _WORKER_BLOCKS) * _PORTS_PER_WORKER
    block = list(range(start, start + _PORTS_PER_WORKER))
    # A random place to begin, so two test runs at once on one machine seldom meet.
    offset = random.randrange(_PORTS_PER_WORKER)
    return itertools.cycle(block[offset:] + block[:offset])


_ports = _port_cycle()


def free_port() -> int:
    """A loopback port nothing listens on, from this worker's block, each in turn, so that a
    port a test has just let go of is not handed out again at once."""
    for _ in range(_PORTS_PER_WORKER):
        port = next(_ports)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in this worker's block of {_PORTS_PER_WORKER}")


def wait_until(predicate: Callable[[], bool], seconds: float = 30) -> bool:
    """Whether ``predicate`` came true within ``seconds``, asking five times a second."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False
