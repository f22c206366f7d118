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


def service_workflows(directory: Path) -> Path:
    """A workflows folder `casereview init` accepts, holding the test diagram
    (``review_test.bpmn``, process ``test_review``) rather than the shipped ones.

    The service deploys only diagrams whose forms its registry knows, and the test forms are
    not among them, so each of the diagram's forms becomes one the registry knows that
    records nothing (``returns_check``), beside the shipped forms. Tests that run the test
    diagram's tasks deploy it themselves, with the test forms.
    """
    directory.mkdir(parents=True, exist_ok=True)
    diagram = (FIXTURES / "review_test.bpmn").read_bytes()
    for form in (b"test_acknowledge", b"test_return"):
        diagram = diagram.replace(b'value="' + form + b'"', b'value="returns_check"')
    (directory / "review_test.bpmn").write_bytes(diagram)
    (directory / "forms").symlink_to(FORMS, target_is_directory=True)
    return directory
