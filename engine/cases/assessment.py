"""The threshold assessment of a stored case: the rules of ``threshold`` on its incidents."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.threshold import IncidentReport, ThresholdAssessment, assess
from engine.core.area import current_settings
from engine.core.models import Case, Organisation


def assess_case(session: Session, case: Case) -> ThresholdAssessment:
    """The qualifying complaints of a case, from its application and every return so far."""
    names = dict(session.execute(select(Organisation.key, Organisation.name)).all())
    reports = [
        IncidentReport(
            occurred_on=incident.occurred_on,
            reported_on=incident.reported_on,
            reported_to=incident.reported_to,
            reference=incident.reference,
            description=incident.description,
            source=incident.source,
        )
        for incident in case.incidents
    ]
    count = current_settings(session)["threshold_count"]
    return assess(reports, case.received_on, count, names=names)
