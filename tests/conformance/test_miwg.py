"""The reference models of the OMG BPMN Model Interchange Working Group, uploaded as a process
owner would: each deploys, or is refused with a message, never a server error, and a refusal
leaves every deployed version as it was.

Not part of ``make test`` (the models are not shipped with the project): check out the MIWG
test suite (github.com/bpmn-miwg/bpmn-miwg-test-suite) and run

    CASEREVIEW_TEST_MIWG_DIR=/path/to/bpmn-miwg-test-suite/Reference \
        .venv/bin/pytest tests/conformance -s
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.core.db import Database
from tests.support.api import Api, api_of
from tests.support.editing import deployed, upload

MIWG_ENV = "CASEREVIEW_TEST_MIWG_DIR"


@pytest.fixture
def folder() -> Path:
    """The Reference folder; running this check without it is a mistake, not a skip."""
    named = os.environ.get(MIWG_ENV)
    if not named or not Path(named).is_dir():
        pytest.fail(f"set {MIWG_ENV} to the Reference folder of a checkout of the MIWG suite")
    return Path(named)


@pytest.fixture
def api(all_db: Database, tmp_path: Path) -> Api:
    return api_of(all_db, tmp_path)


def test_miwg_reference_models_deploy_or_are_refused_clearly(
    api: Api, all_db: Database, folder: Path
) -> None:
    files = sorted(path for path in folder.iterdir() if path.suffix.lower() == ".bpmn")
    assert files, f"no .bpmn files in {folder}"
    for path in files:
        content = path.read_bytes()
        before = deployed(all_db)
        checked = upload(api, content, "/process-definitions/validate")
        assert checked.status_code in (200, 413), (path.name, checked.get_data(as_text=True))
        response = upload(api, content)
        if response.status_code in (200, 201):
            assert deployed(all_db)[: len(before)] == before, (path.name, "versions changed")
            outcome = "deployed"
        else:
            error = response.get_json()["error"]
            assert isinstance(error, str) and error.strip(), (path.name, response.get_json())
            assert "Traceback" not in error and "<html" not in error.lower(), (path.name, error)
            assert deployed(all_db) == before, (path.name, "a refused file changed the rows")
            outcome = f"refused ({response.status_code}): {error}"
        print(f"{path.name}: {outcome}")
