"""The `casereview` command, as an operator uses it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.core.db import connect
from engine.core.models import Case, ProcessDefinition, User
from tests.support.files import ROOT, service_workflows


@pytest.fixture
def cli_env(blank_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "CASEREVIEW_DATABASE_URL": blank_url,
        "CASEREVIEW_INSTANCE_DIR": str(tmp_path / "instance"),
        "CASEREVIEW_WORKFLOWS_DIR": str(service_workflows(tmp_path / "workflows")),
        "CASEREVIEW_CLOCK_START": "",
    }


def invoke(env: dict[str, str], *args: str):
    from cli import main

    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_init_demo_sets_up_everything_and_says_how_to_sign_in(cli_env) -> None:
    result = invoke(cli_env, "init", "--demo")
    assert result.exit_code == 0, result.output
    assert "area 'Derbyshire' loaded with 9 districts" in result.output
    assert "review_test.bpmn: test_review version 1 (deployed)" in result.output
    assert "password for all: casereview-demo" in result.output
    assert "caseworker@dales.example.org" in result.output
    assert "No demo cases: demo cases need the shipped diagrams deployed" in result.output
    again = invoke(cli_env, "init", "--demo")
    assert again.exit_code == 0, again.output
    assert "test_review version 1 (unchanged)" in again.output
    database = connect(cli_env["CASEREVIEW_DATABASE_URL"])
    with database.read() as session:
        roles = {role for user in session.scalars(select(User)) for role in user.roles}
        assert roles == {
            "caseworker",
            "agency_officer",
            "manager",
            "review_chair",
            "process_owner",
            "administrator",
        }
    database.dispose()


def test_org_list_json(cli_env) -> None:
    invoke(cli_env, "init")
    result = invoke(cli_env, "org", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert set(rows[0]) == {"key", "name", "kind", "districts"}
    councils = [row for row in rows if row["kind"] == "council"]
    assert len(councils) == 9
    police = next(row for row in rows if row["key"] == "derbyshire-constabulary")
    assert police["districts"][0] == "amber-valley" and len(police["districts"]) == 9


def test_user_add(cli_env) -> None:
    invoke(cli_env, "init")
    result = invoke(
        cli_env,
        "user",
        "add",
        "--email",
        "new@example.org",
        "--name",
        "New Person",
        "--org",
        "rykneld-homes",
        "--role",
        "agency_officer",
        "--role",
        "manager",
        "--password",
        "long enough password",
    )
    assert result.exit_code == 0, result.output
    assert "Added new@example.org (agency_officer, manager) to rykneld-homes" in result.output
    refused = invoke(
        cli_env,
        "user",
        "add",
        "--email",
        "x@example.org",
        "--name",
        "X",
        "--org",
        "acme",
        "--role",
        "manager",
        "--password",
        "long enough password",
    )
    assert refused.exit_code == 1
    assert "there is no organisation 'acme'" in refused.output


def test_deploy_accepts_and_refuses(cli_env, tmp_path) -> None:
    invoke(cli_env, "init")
    diagram = (Path(cli_env["CASEREVIEW_WORKFLOWS_DIR"]) / "review_test.bpmn").read_bytes()
    changed = tmp_path / "changed.bpmn"
    changed.write_bytes(diagram.replace(b"Acknowledge the application", b"Acknowledge"))
    result = invoke(cli_env, "deploy", str(changed))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Deployed test_review version 2"

    broken = tmp_path / "broken.bpmn"
    broken.write_bytes(diagram.replace(b'name="police"', b'name="constables"'))
    refused = invoke(cli_env, "deploy", str(broken))
    assert refused.exit_code == 1
    assert "police_return: is in lane 'constables'" in refused.output
    database = connect(cli_env["CASEREVIEW_DATABASE_URL"])
    with database.read() as session:
        assert session.scalars(select(ProcessDefinition.version)).all() == [1, 2]
    database.dispose()


def test_run_due_moves_time(cli_env) -> None:
    invoke(cli_env, "init")
    result = invoke(cli_env, "run-due", "--now", "2026-03-02T09:00")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("At 2026-03-02T09:00+00:00: timers fired: 0")
    bad = invoke(cli_env, "run-due", "--now", "tomorrow")
    assert bad.exit_code == 2 and "ISO 8601" in bad.output


@pytest.mark.parametrize(
    "url, words",
    [
        ("nonsense", "is not a database URL"),
        ("mysql://root@127.0.0.1/test", "'mysql', which is not supported"),
        ("postgresql://nobody@127.0.0.1:1/none", "cannot reach the database at"),
    ],
)
def test_a_wrong_database_url_gives_one_clear_line(url, words, tmp_path) -> None:
    env = {**os.environ, "CASEREVIEW_DATABASE_URL": url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "cli", "org", "list"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], done.stderr


def test_demo_gives_every_working_inbox_something_to_do(cli_env) -> None:
    from development.demo import DEMO_USERS
    from engine.people.accounts import get_user
    from engine.work.inbox import my_tasks, organisation_tasks

    env = {**cli_env, "CASEREVIEW_WORKFLOWS_DIR": str(ROOT / "workflows")}
    result = invoke(env, "init", "--demo")
    assert result.exit_code == 0, result.output
    assert "Demo cases at different stages: CT-" in result.output
    (link,) = re.findall(r"http://127\.0\.0\.1:5000/your-case/sign-in/\S+", result.output)
    again = invoke(env, "init", "--demo")
    assert "Demo cases" not in again.output, "a second init adds no more cases"
    (another,) = re.findall(r"/your-case/sign-in/\S+", again.output)
    assert another not in link, "each set-up gives a fresh link"
    database = connect(env["CASEREVIEW_DATABASE_URL"])
    empty = []
    with database.read() as session:
        for demo in DEMO_USERS:
            if {"process_owner", "administrator"} & set(demo.roles):
                continue
            user = get_user(
                session, session.scalar(select(User.id).where(User.email == demo.email))
            )
            if not (my_tasks(session, user) or organisation_tasks(session, user)):
                empty.append(demo.email)
        statuses = set(session.scalars(select(Case.status)))
    database.dispose()
    assert empty == []
    assert {
        "received",
        "awaiting_information",
        "threshold_decision",
        "review_being_arranged",
        "action_plan",
        "appeal_lodged",
    } <= statuses
