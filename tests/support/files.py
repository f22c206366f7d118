"""Where the tests' files are: the project itself, the test fixtures, the shipped forms, and
the shipped area file."""

from __future__ import annotations

import tomllib
from pathlib import Path

from engine.core.config import DEFAULT_AREA_FILE

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
TEST_FORMS = FIXTURES / "forms"
FORMS = ROOT / "workflows" / "forms"
# The shipped area file as TOML reads it, before any of the service's own checks.
RAW = tomllib.loads(DEFAULT_AREA_FILE.read_text())
