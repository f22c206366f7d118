"""`casereview serve` as `make run` starts it: a real process, with the scheduler inside."""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

from sqlalchemy import select

from engine.cases.opening import open_case
from engine.core.db import connect
from engine.core.models import SignInThrottle, Task
from engine.runtime import deploy, start_process
from tests.support.files import FIXTURES, ROOT, service_workflows
from tests.support.servers import free_port, wait_until


def test_serve_answers_and_its_scheduler_fires_due_timers(
    blank_url: str, tmp_path: Path, fixed_clock
) -> None:
    env = {
        **os.environ,
        "CASEREVIEW_DATABASE_URL": blank_url,
        "CASEREVIEW_INSTANCE_DIR": str(tmp_path),
        "CASEREVIEW_WORKFLOWS_DIR": str(service_workflows(tmp_path / "workflows")),
        "CASEREVIEW_SCHEDULER_INTERVAL": "1",
        # The server's clock starts after the timer is due, as demos and acceptance runs do.
        "CASEREVIEW_CLOCK_START": "2026-03-02T11:00",
    }
    command = [sys.executable, "-m", "cli"]
    subprocess.run([*command, "init"], env=env, cwd=ROOT, check=True, capture_output=True)

    # A case whose only open task has a timer already due at the server's clock.
    database = connect(blank_url)
    diagram = (FIXTURES / "review_test.bpmn").read_bytes()
    instant = (
        diagram.replace(b'"P10D"', b'"2026-03-02T10:00"')
        .replace(b"<bpmn:timeDuration>", b"<bpmn:timeDate>")
        .replace(b"</bpmn:timeDuration>", b"</bpmn:timeDate>")
    )
    skip_to_decision = instant.replace(b'targetRef="acknowledge"', b'targetRef="decide"').replace(
        b"<bpmn:incoming>f9</bpmn:incoming>",
        b"<bpmn:incoming>f9</bpmn:incoming><bpmn:incoming>f1</bpmn:incoming>",
    )
    with database.transaction() as session:
        deploy(session, skip_to_decision, filename="t.bpmn", forms_dir=FIXTURES / "forms")
        case = open_case(session, "derbyshire-dales", date(2026, 3, 2))
        start_process(session, case, "test_review", {"received_on": case.received_on})
        case_id = case.id
    with database.read() as session:
        waiting = session.scalars(select(Task.spec_name).where(Task.state == "open")).all()
    assert waiting == ["decide"], "at the test's clock (09:00) the timer is not yet due"

    port = free_port()
    server = subprocess.Popen(
        [*command, "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:

        def page_answers() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=2) as page:
                    return page.status == 200 and b"Sign in" in page.read()
            except OSError:
                return False

        assert wait_until(page_answers), "the server did not answer"

        def escalated() -> bool:
            with database.read() as session:
                names = session.scalars(
                    select(Task.spec_name).where(Task.case_id == case_id, Task.state == "open")
                ).all()
            return names == ["escalated"]

        assert wait_until(escalated), "the scheduler inside serve did not fire the due timer"
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0]
        database.dispose()
    assert f"Serving casereview at http://127.0.0.1:{port}/" in output


def test_behind_a_configured_proxy_each_person_s_own_address_is_counted(
    blank_url: str, tmp_path: Path
) -> None:
    """Waitress itself drops forwarded headers unless told not to: the limits on sign-in and
    on what the public sends would otherwise count everyone as the proxy's one address."""
    env = {
        **os.environ,
        "CASEREVIEW_DATABASE_URL": blank_url,
        "CASEREVIEW_INSTANCE_DIR": str(tmp_path),
        "CASEREVIEW_WORKFLOWS_DIR": str(service_workflows(tmp_path / "workflows")),
        "CASEREVIEW_TRUSTED_PROXIES": "1",
    }
    command = [sys.executable, "-m", "cli"]
    subprocess.run([*command, "init"], env=env, cwd=ROOT, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [*command, "serve", "--port", str(port), "--no-scheduler"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    database = connect(blank_url)
    try:
        browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

        def sign_in_page() -> str | None:
            try:
                with browser.open(f"http://127.0.0.1:{port}/sign-in", timeout=2) as page:
                    return page.read().decode()
            except OSError:
                return None

        assert wait_until(lambda: sign_in_page() is not None), "the server did not answer"
        token = re.search(r'name="csrf_token" value="([^"]+)"', sign_in_page() or "").group(1)
        form = urllib.parse.urlencode(
            {"email": "someone@example.org", "password": "wrong", "csrf_token": token}
        ).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/sign-in",
            data=form,
            headers={"X-Forwarded-For": "203.0.113.9"},
        )
        try:
            browser.open(request, timeout=5)
        except urllib.error.HTTPError as refused:
            assert refused.code == 400
        with database.read() as session:
            keys = set(session.scalars(select(SignInThrottle.key)))
        assert "address:203.0.113.9" in keys and "address:127.0.0.1" not in keys
    finally:
        server.terminate()
        server.communicate(timeout=20)
        database.dispose()
