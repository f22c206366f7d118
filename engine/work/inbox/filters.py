"""What a user can narrow their inboxes by: districts, processes and tasks, read from the
organisation's districts and the deployed diagrams, never from the task rows."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.db import PerDatabase
from engine.core.models import (
    LIVE_TASK_STATES,
    District,
    OrganisationDistrict,
    ProcessDefinition,
    TaskCandidate,
    User,
)
from engine.people.access import works_on_cases
from engine.runtime.bpmn import BPMN_NAMESPACE, parse_xml_safely
from engine.work.inbox.scopes import not_someone_elses

# Deployed diagrams never change, so what tasks each has is read once per database.
_diagram_tasks_by_database: PerDatabase[int, tuple[tuple[str, str, str], ...]] = PerDatabase()


def _user_tasks(bpmn_xml: str) -> tuple[tuple[str, str, str], ...]:
    """(name, title, lane) of each user task of a diagram, in the order the diagram has them."""
    try:
        root = parse_xml_safely(bpmn_xml.encode("utf-8"))
    except Exception:  # noqa: BLE001 - a diagram stored before today's checks offers no filters
        return ()
    ns = {"bpmn": BPMN_NAMESPACE}
    lanes = {
        (ref.text or "").strip(): lane.get("name", "")
        for lane in root.iterfind(".//bpmn:lane", ns)
        for ref in lane.iterfind("bpmn:flowNodeRef", ns)
    }
    return tuple(
        (
            element.get("id", ""),
            element.get("name") or element.get("id") or "",
            lanes.get(element.get("id", ""), ""),
        )
        for element in root.iterfind(".//bpmn:userTask", ns)
    )


def _diagram_tasks(session: Session, ids: list[int]) -> dict[int, tuple[tuple[str, str, str], ...]]:
    cache = _diagram_tasks_by_database.of(session)
    missing = [definition_id for definition_id in ids if definition_id not in cache]
    if missing:
        for definition_id, bpmn_xml in session.execute(
            select(ProcessDefinition.id, ProcessDefinition.bpmn_xml).where(
                ProcessDefinition.id.in_(missing)
            )
        ):
            cache[definition_id] = _user_tasks(bpmn_xml)
    return {definition_id: cache[definition_id] for definition_id in ids}


def _plays(kind: str, lane: str) -> bool:
    """Whether an organisation of this kind can be given a task in this lane. The council
    manages every review and takes the tasks of any role no one plays on a case; a review
    chair may come from any partner."""
    return kind == "council" or lane in (kind, "chair")


def inbox_filters(session: Session, user: User) -> dict[str, list[dict[str, str]]]:
    """What a user can narrow their inboxes by, without reading the task rows.

    ``{"districts": [{"key", "name"}], "processes": [{"key", "name"}],
    "tasks": [{"name", "title"}]}``: the districts the organisation serves (and any other where
    it has live tasks, as a review chair does), in the published order; the deployed processes
    with a task in a lane the organisation can play, by name; and those tasks, by title.
    """
    if not works_on_cases(user):
        return {"districts": [], "processes": [], "tasks": []}
    organisation_id = user.organisation_id
    # The districts the organisation serves, and those where one of its people chairs a
    # review: each district it does not serve is one probe of the candidate index
    # (organisation, state, district) for a live task there, so the filter offers the districts
    # its inboxes can actually hold, however many cases it ever chaired.
    served = (
        select(OrganisationDistrict.district_id)
        .where(
            OrganisationDistrict.organisation_id == organisation_id,
            OrganisationDistrict.district_id == District.id,
        )
        .exists()
    )
    chaired = (
        select(TaskCandidate.task_id)
        .where(
            TaskCandidate.organisation_id == organisation_id,
            TaskCandidate.state.in_(LIVE_TASK_STATES),
            TaskCandidate.district_id == District.id,
            not_someone_elses(user),
        )
        .exists()
    )
    districts = session.execute(
        select(District.key, District.name).where(served | chaired).order_by(District.position)
    ).all()
    # The user comes with their organisation (``USER_LOADS``), so its kind costs no statement.
    kind = (user.organisation.kind if user.organisation else None) or ""
    definitions = session.execute(
        select(ProcessDefinition.id, ProcessDefinition.key, ProcessDefinition.name).order_by(
            ProcessDefinition.key, ProcessDefinition.version
        )
    ).all()
    tasks_of = _diagram_tasks(session, [definition_id for definition_id, _, _ in definitions])
    processes: dict[str, str] = {}
    tasks: dict[str, str] = {}
    for definition_id, key, name in definitions:
        own = [
            (task, title)
            for task, title, lane in tasks_of.get(definition_id, ())
            if _plays(kind, lane)
        ]
        if own:
            processes[key] = name or key  # the newest version's name, as versions come in order
        for task, title in own:
            tasks[task] = title
    return {
        "districts": [{"key": row.key, "name": row.name} for row in districts],
        "processes": [
            {"key": key, "name": name}
            for key, name in sorted(processes.items(), key=lambda item: (item[1], item[0]))
        ],
        "tasks": [
            {"name": name, "title": title}
            for name, title in sorted(tasks.items(), key=lambda item: (item[1], item[0]))
        ],
    }
