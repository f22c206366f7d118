"""`casereview stats`: the published figures as a table, CSV, JSON or a Word document."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cases.statistics import ROWS
from engine.core.config import PROJECT_ROOT
from engine.core.db import Database
from tests.support.documents import decided_case, open_docx, rows_of
from tests.support.figures import PUBLISHED_ORDER, zeros


def _cli(db: Database, tmp_path: Path, *args: str):
    from cli import main

    env = {
        "CASEREVIEW_DATABASE_URL": db.url,
        "CASEREVIEW_INSTANCE_DIR": str(tmp_path / "instance"),
        "CASEREVIEW_CLOCK_START": "",
    }
    return CliRunner().invoke(main, ["stats", *args], env=env, catch_exceptions=False)


def test_stats_command_writes_the_word_report(db: Database, tmp_path: Path, monkeypatch) -> None:
    decided_case(db, date(2025, 5, 1), met=False)
    monkeypatch.chdir(tmp_path)
    result = _cli(db, tmp_path, "--year", "2025", "--format", "docx")
    assert result.exit_code == 0, result.output
    written = tmp_path / "asb-case-review-statistics-2025-26.docx"
    assert f"Wrote {written.name}" in result.output
    assert rows_of(open_docx(written.read_bytes()).tables[0])[2][5] == "1"

    chosen = tmp_path / "out" / "figures.docx"
    result = _cli(db, tmp_path, "--year", "2025", "--format", "docx", "--output", str(chosen))
    assert result.exit_code == 0, result.output
    assert open_docx(chosen.read_bytes()).tables[0].rows[0].cells[0].text == "Measure"

    piped = _cli(db, tmp_path, "--year", "2025", "--format", "docx", "--output", "-")
    assert piped.exit_code == 0 and piped.stdout_bytes[:2] == b"PK"


def test_stats_command_will_not_write_a_word_file_to_a_terminal(db: Database, tmp_path) -> None:
    script = (
        "import pty, sys\n"
        "sys.exit(pty.spawn([sys.executable, '-m', 'cli', 'stats', '--year', '2025',"
        " '--format', 'docx', '--output', '-']) >> 8)\n"
    )
    env = {
        **os.environ,
        "CASEREVIEW_DATABASE_URL": db.url,
        "CASEREVIEW_INSTANCE_DIR": str(tmp_path / "instance"),
        "CASEREVIEW_CLOCK_START": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert b"terminal" in result.stdout + result.stderr
    assert b"PK\x03\x04" not in result.stdout


@pytest.fixture
def cli_env(facts: Database, tmp_path: Path) -> dict[str, str]:
    return {
        "CASEREVIEW_DATABASE_URL": facts.url,
        "CASEREVIEW_INSTANCE_DIR": str(tmp_path / "instance"),
        "CASEREVIEW_CLOCK_START": "",
    }


def invoke(env: dict[str, str], *args: str):
    from cli import main

    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_stats_table_by_default(cli_env) -> None:
    result = invoke(cli_env, "stats", "--year", "2021")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "ASB Case Review figures for 2021/22 (1 April 2021 to 31 March 2022)"
    header = next(line for line in lines if line.startswith("Measure"))
    positions = [header.index(name) for name in [*PUBLISHED_ORDER, "Total"]]
    assert positions == sorted(positions)
    upheld = next(line for line in lines if line.startswith("Number of appeals upheld"))
    assert upheld.split()[-10:] == ["0", "0", "0", "0", "1", "1", "0", "0", "0", "2"]


def test_stats_csv(cli_env) -> None:
    result = invoke(cli_env, "stats", "--year", "2021", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["Measure", *PUBLISHED_ORDER, "Total"]
    assert rows[1] == [ROWS[0][1], "0", "0", "0", "0", "3", "4", "0", "0", "0", "7"]
    assert len(rows) == 1 + len(ROWS)


def test_stats_json(cli_env) -> None:
    result = invoke(cli_env, "stats", "--year", "2022", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["label"] == "2022/23"
    assert data["totals"] == {
        "applications": 1,
        "threshold_not_met": 1,
        "reviews_held": 1,
        "reviews_with_recommendations": 0,
        "still_pending": 1,  # received 1 April 2022, its meeting never held
        "appeals_received": 0,
        "appeals_upheld": 1,
        "cases_followed_up": 0,
        "behaviour_stopped": 0,
    }
    assert data["districts"][0] == {"key": "amber-valley", "name": "Amber Valley", **zeros()}


@pytest.mark.parametrize(
    "args, words",
    [
        ([], "Missing option '--year'"),
        (["--year", "1999"], "not in the range 2000<=x<=2100"),
        (["--year", "21/22"], "is not a valid integer"),
        (["--year", "2021", "--format", "pdf"], "'pdf' is not one of"),
    ],
)
def test_stats_refuses_bad_options(cli_env, args: list[str], words: str) -> None:
    result = invoke(cli_env, "stats", *args)
    assert result.exit_code == 2
    assert words in result.output
