"""The threshold assessment of a stored case: the rules of ``threshold`` on its incidents."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.links import linked_group, person_of
from engine.cases.threshold import (
    Application,
    IncidentReport,
    ThresholdAssessment,
    assess,
    assess_community,
)
from engine.core.area import COMMUNITY_THRESHOLD, MORE_RELEVANT_BODIES, current_settings
from engine.core.models import Case, CaseParticipant, Incident, Organisation

# The bodies section 104 names: the council, the police and the social housing providers.
# The area file adds others (``other_relevant_bodies``), such as the integrated care board.
RELEVANT_KINDS = ("council", "police", "housing")


def relevant_bodies(session: Session, organisations: Sequence[tuple[str, str]]) -> frozenset[str]:
    """Every ``reported_to`` that names a relevant body among ``organisations`` (each one's
    key and kind): the organisations' keys, and the bare kinds the application offers
    ("police")."""
    more = set(current_settings(session).get(MORE_RELEVANT_BODIES, ()))
    relevant = [(key, kind) for key, kind in organisations if kind in RELEVANT_KINDS or key in more]
    return frozenset({key for key, _ in relevant} | {kind for _, kind in relevant})


def incident_report(incident: Incident, bodies: dict[str, str] | None = None) -> IncidentReport:
    """An incident as the threshold rules read it; ``bodies`` turns a bare kind ("police")
    into the organisation of that kind taking part in the case, so that the applicant's
    entry and that body's own return of one report are seen as one."""
    reported_to = incident.reported_to
    if bodies and reported_to in bodies:
        reported_to = bodies[reported_to]
    return IncidentReport(
        occurred_on=incident.occurred_on,
        reported_on=incident.reported_on,
        reported_to=reported_to,
        reference=incident.reference,
        description=incident.description,
        source=incident.source,
        id=incident.id,
        reported_to_other=incident.reported_to_other,
        mark=incident.mark or "",
        mark_reason=incident.mark_reason,
        duplicate_of=incident.duplicate_of_id,
    )


def bodies_of_case(session: Session, case: Case) -> dict[str, str]:
    """Each kind of body to the one organisation of that kind taking part in the case."""
    by_role: defaultdict[str, set[str]] = defaultdict(set)
    taking_part = (
        select(CaseParticipant.role, Organisation.key)
        .join(Organisation, Organisation.id == CaseParticipant.organisation_id)
        .where(CaseParticipant.case_id == case.id)
    )
    for role, key in session.execute(taking_part):
        by_role[role].add(key)
    return {role: next(iter(keys)) for role, keys in by_role.items() if len(keys) == 1}


def assess_case(session: Session, case: Case) -> ThresholdAssessment:
    """The qualifying complaints of a case, from its application and every return so far;
    and, where the area has a community threshold and the council linked other applications
    about the same behaviour, the separate individuals across them."""
    organisations = session.execute(
        select(Organisation.key, Organisation.name, Organisation.kind)
    ).all()
    names = {key: name for key, name, _ in organisations}
    relevant = relevant_bodies(session, [(key, kind) for key, _, kind in organisations])
    settings = current_settings(session)
    bodies = bodies_of_case(session, case)
    reports = [incident_report(incident, bodies) for incident in case.incidents]
    assessment = assess(
        reports,
        case.received_on,
        settings["threshold_count"],
        relevant_bodies=relevant,
        names=names,
    )
    community = settings.get(COMMUNITY_THRESHOLD)
    group = linked_group(session, case) if community else []
    if community is None or len(group) < 2:
        return assessment
    applications = [
        Application(
            reference=member.reference,
            person=person_of(member),
            received_on=member.received_on,
            reports=_application_reports(member, bodies_of_case(session, member)),
        )
        for member in group
    ]
    counted = assess_community(
        applications,
        community["individuals"],
        community["months"],
        relevant_bodies=relevant,
        names=names,
    )
    return replace(assessment, community=counted)


def _application_reports(case: Case, bodies: dict[str, str]) -> tuple[IncidentReport, ...]:
    return tuple(
        incident_report(incident, bodies)
        for incident in case.incidents
        if incident.source == "application"
    )
