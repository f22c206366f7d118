"""Fixtures of the engine's tests alone."""

from __future__ import annotations

import pytest

from engine.core.db import Database
from engine.runtime import deploy
from tests.support.files import FORMS, ROOT
from tests.support.procedure import deploy_review_and_appeal


@pytest.fixture
def appeal_db(app_db: Database) -> Database:
    """The application, case review and appeal diagrams deployed."""
    return deploy_review_and_appeal(app_db)


@pytest.fixture
def review_db(app_db: Database) -> Database:
    """The application diagram and the shipped case review diagram deployed."""
    path = ROOT / "workflows" / "asb_case_review.bpmn"
    with app_db.transaction() as session:
        deploy(session, path.read_bytes(), filename=path.name, forms_dir=FORMS)
    return app_db
