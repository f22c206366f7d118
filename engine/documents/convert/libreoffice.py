"""LibreOffice kept warm: one headless LibreOffice per process, behind unoserver, started at
the first conversion, restarted when it has died, stopped when the process ends.

unoserver's server drives LibreOffice through UNO, so it runs on the Python that has the
``uno`` module (Debian's ``python3-uno``, for the system Python); the service talks to it
with unoserver's client over XML-RPC on the loopback interface, which needs no ``uno``.
Each conversion has a time limit: one that runs over it stops LibreOffice, and the next
conversion starts a fresh one.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from xmlrpc.client import ServerProxy

import unoserver
from unoserver.client import UnoClient

from engine.core.config import Settings
from engine.documents.convert.formats import ConversionUnavailable, DocumentFormat

log = logging.getLogger(__name__)

T = TypeVar("T")

# After LibreOffice failed to start, conversions are refused at once for this long rather
# than each waiting for another start that would most likely fail the same way.
RETRY_AFTER = 30.0
# How long LibreOffice and unoserver may take to start (unoserver alone waits 7 seconds).
START_SECONDS = 60.0
INSTALL = "Debian: apt-get install libreoffice-writer-nogui python3-uno"
NOT_INSTALLED = "LibreOffice is not installed on the server"
# Saving an OpenDocument file draws a thumbnail of its first page into it by default, which
# nobody here looks at and which costs as long as the rest of a letter's conversion.
PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
  xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Save/Document">
  <prop oor:name="GenerateThumbnail" oor:op="fuse"><value>false</value></prop>
</item>
</oor:items>
"""


# unoserver's server, with a watch on the process that started it: a service process killed
# outright (SIGKILL, or SIGTERM without Python's exit handlers) cannot stop LibreOffice, so
# LibreOffice stops itself, with its whole process group, once its parent has gone (killed
# outright: LibreOffice's launcher outlives a SIGTERM to the group).
SERVER = """
import os, signal, sys, threading, time
parent = os.getppid()
def watch():
    while os.getppid() == parent:
        time.sleep(1)
    os.killpg(0, signal.SIGKILL)
threading.Thread(target=watch, daemon=True).start()
from unoserver.server import main
sys.argv[0] = "unoserver"
sys.exit(main())
"""


@dataclass(frozen=True)
class ConverterSettings:
    program: str = "soffice"
    python: str = "/usr/bin/python3"
    seconds: float = 30.0

    @classmethod
    def of(cls, settings: Settings) -> ConverterSettings:
        return cls(settings.soffice, settings.uno_python, settings.conversion_seconds)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _within(seconds: float, call: Callable[[], T]) -> T:
    """``call()``'s answer, or TimeoutError when it has none after ``seconds`` (the XML-RPC
    client has no time limit of its own; the thread ends when LibreOffice is stopped)."""
    outcome: dict[str, T | BaseException] = {}

    def run() -> None:
        try:
            outcome["answer"] = call()
        except BaseException as error:  # handed to the caller's thread below
            outcome["error"] = error

    worker = threading.Thread(target=run, daemon=True, name="libreoffice-call")
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TimeoutError
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["answer"]  # type: ignore[return-value]


class Converter:
    """One LibreOffice for one set of settings, shared by the process's threads; it
    converts one document at a time, as LibreOffice does."""

    def __init__(self, settings: ConverterSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._port = 0
        self._folder: Path | None = None
        self._failure = ""
        self._failed_at = 0.0

    @property
    def pid(self) -> int | None:
        """The process (and process group) running LibreOffice, while it runs."""
        running = self._process is not None and self._process.poll() is None
        return self._process.pid if running and self._process is not None else None

    # What pages ask before offering the other formats

    def unavailable(self) -> str | None:
        """Why documents cannot be converted just now, or None when they can (as far as can
        be told without converting one)."""
        if self._missing():
            return NOT_INSTALLED
        if self._failure and time.monotonic() - self._failed_at < RETRY_AFTER:
            return self._failure
        return None

    def _missing(self) -> str:
        """What is missing to run LibreOffice, for the log (the paths are the server's own
        business: people are told only that it is not installed)."""
        if shutil.which(self.settings.program) is None:
            return f"LibreOffice is not installed at '{self.settings.program}' ({INSTALL})"
        if shutil.which(self.settings.python) is None:
            return f"there is no Python at '{self.settings.python}' to run LibreOffice's UNO"
        return ""

    # Converting

    def convert(self, content: bytes, to: DocumentFormat) -> bytes:
        """The Word document ``content`` in the format ``to``; ConversionUnavailable says why
        it could not be made."""
        with self._lock:
            self._start_if_needed()
            client = UnoClient("127.0.0.1", str(self._port))
            try:
                return _within(
                    self.settings.seconds,
                    lambda: client.convert(
                        indata=content,
                        convert_to=to.key,
                        filtername=to.filter,
                        filter_options=list(to.options),
                    ),
                )
            except TimeoutError:
                self._stop()
                raise self._failed(
                    f"making the {to.name} file took longer than {self.settings.seconds:g} "
                    "seconds, so it was stopped",
                    remember=False,
                ) from None
            except Exception as error:  # noqa: BLE001 - any failure is reported as one line
                self._stop()
                raise self._failed(
                    f"LibreOffice could not make the {to.name} file", str(error), remember=False
                ) from None

    def _failed(self, reason: str, detail: str = "", *, remember: bool) -> ConversionUnavailable:
        """``reason`` is for the person who asked, ``detail`` for the log alone."""
        log.warning("documents: %s%s", reason, f" ({detail})" if detail else "")
        if remember:
            self._failure, self._failed_at = reason, time.monotonic()
        return ConversionUnavailable(reason)

    # LibreOffice's life

    def _start_if_needed(self) -> None:
        if self._process is not None and self._process.poll() is None:
            return
        if self._process is not None:
            log.warning("documents: LibreOffice had stopped; starting it again")
            self._stop()
        missing = self._missing()
        if missing:
            raise self._failed(NOT_INSTALLED, missing, remember=True)
        if self._failure and time.monotonic() - self._failed_at < RETRY_AFTER:
            raise ConversionUnavailable(self._failure)
        self._failure = ""
        if self._folder is None:
            # A profile of its own: LibreOffice refuses a second instance on a profile in use.
            self._folder = Path(tempfile.mkdtemp(prefix="casereview-libreoffice-"))
            settings = self._folder / "profile" / "user" / "registrymodifications.xcu"
            settings.parent.mkdir(parents=True)
            settings.write_text(PROFILE_SETTINGS, encoding="utf-8")
        self._port = _free_port()
        uno_port = _free_port()
        log_file = self._folder / "unoserver.log"
        # The system Python finds unoserver (pure Python) where this one installed it.
        environment = {**os.environ, "PYTHONPATH": str(Path(unoserver.__file__).parent.parent)}
        with log_file.open("wb") as output:
            self._process = subprocess.Popen(
                [
                    self.settings.python,
                    "-c",
                    SERVER,
                    "--interface=127.0.0.1",
                    f"--port={self._port}",
                    f"--uno-port={uno_port}",
                    f"--executable={shutil.which(self.settings.program)}",
                    f"--user-installation={self._folder / 'profile'}",
                    "--quiet",
                ],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                env=environment,
                # Its own process group, so that stopping it stops LibreOffice with it.
                start_new_session=True,
            )
        try:
            self._wait_until_ready(log_file)
        except ConversionUnavailable:
            self._stop()
            raise

    def _wait_until_ready(self, log_file: Path) -> None:
        assert self._process is not None
        deadline = time.monotonic() + START_SECONDS
        proxy = ServerProxy(f"http://127.0.0.1:{self._port}", allow_none=True)
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                lines = log_file.read_text(errors="replace").strip().splitlines()
                last = lines[-1] if lines else f"it ended with status {self._process.returncode}"
                if "'uno'" in last:
                    last = f"{self.settings.python} has no uno module ({INSTALL})"
                raise self._failed("LibreOffice could not be started", last, remember=True)
            try:
                with socket.create_connection(("127.0.0.1", self._port), timeout=1):
                    pass
            except OSError:
                time.sleep(0.2)
                continue
            try:
                _within(max(deadline - time.monotonic(), 1.0), proxy.info)
                return
            except TimeoutError:
                break
            except OSError:
                time.sleep(0.2)
        raise self._failed(
            f"LibreOffice did not start within {START_SECONDS:g} seconds", remember=True
        )

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        # unoserver stops on SIGTERM, but LibreOffice's launcher can outlive it: whatever is
        # left of the group afterwards is killed.
        for sign, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sign)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(wait)

    def stop(self) -> None:
        """Stop LibreOffice and remove its profile (the process is ending)."""
        with self._lock:
            self._stop()
            if self._folder is not None:
                shutil.rmtree(self._folder, ignore_errors=True)
                self._folder = None


_converters: dict[ConverterSettings, Converter] = {}
_registry_lock = threading.Lock()


def converter_for(settings: Settings | ConverterSettings) -> Converter:
    """The process's converter for these settings (one LibreOffice each, kept warm)."""
    key = settings if isinstance(settings, ConverterSettings) else ConverterSettings.of(settings)
    with _registry_lock:
        found = _converters.get(key)
        if found is None:
            found = _converters[key] = Converter(key)
        return found


@atexit.register
def stop_all() -> None:
    """Stop every LibreOffice this process started."""
    with _registry_lock:
        converters = list(_converters.values())
    for converter in converters:
        converter.stop()


def _forget_after_fork() -> None:
    # A worker forked from a process that had started LibreOffice starts its own: the
    # parent's belongs to the parent, and so do its locks.
    global _registry_lock
    _converters.clear()
    _registry_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)
