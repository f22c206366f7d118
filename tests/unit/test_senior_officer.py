"""A vulnerable victim decision names a senior officer, a user with the manager role in the
council managing the case, who confirms it: at once when they record it themselves, or by a
task given to them when someone else does; the threshold is recorded as met only then, and
not confirmed, the council decides again."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from engine.core.clock import LOCAL_ZONE
from engine.core.db import Database
from engine.core.errors import InvalidData
from engine.core.models import AuditEvent, Notification, User
from engine.work import task_view
from tests.support.documents import open_docx, pack_for, reference_of
from tests.support.files import FORMS, ROOT
from tests.support.letters import letter, texts
from tests.support.people import COUNCIL, MANAGER, add_people, user
from tests.support.procedure import THREE, application, case_of, do, live, submit
from tests.support.procedure import through_to_decision as returns_in

REASONS = "The victim is 87, lives alone and no longer leaves the house"
VULNERABLE = {
    "threshold_met": True,
    "decision_basis": "vulnerability",
    "reasons": REASONS,
    "senior_officer": MANAGER,
}
OTHER_MANAGER = "manager2@example.org"
EREWASH_MANAGER = "erewash.manager@example.org"
DALES = "Derbyshire Dales District Council"


@pytest.fixture
def below(app_db: Database) -> tuple[Database, int]:
    """A Dales case of two qualifying complaints, below the area's three, to decide; a second
    Dales manager and a manager of another council."""
    add_people(
        app_db,
        [
            (OTHER_MANAGER, "derbyshire-dales-district-council", ["manager"]),
            (EREWASH_MANAGER, "erewash-borough-council", ["manager"]),
        ],
    )
    case_id = submit(app_db, application(THREE[:2]))
    returns_in(app_db, case_id)
    return app_db, case_id


def _refused(db: Database, case_id: int, name: str, email: str, data: dict) -> dict[str, str]:
    with pytest.raises(InvalidData) as refused:
        do(db, case_id, name, email, data)
    return refused.value.fields


def _actions(db: Database, case_id: int) -> list[tuple[str, int | None]]:
    with db.read() as session:
        return list(
            session.execute(
                select(AuditEvent.action, AuditEvent.user_id)
                .where(AuditEvent.case_id == case_id, AuditEvent.action.like("threshold.%"))
                .order_by(AuditEvent.id)
            ).all()
        )


@pytest.mark.parametrize(
    ("named", "problem"),
    [
        (
            "council2@example.org",
            f"Council2 is not a manager of {DALES}: select one of its managers",
        ),
        (
            EREWASH_MANAGER,
            f"Erewash.Manager is not an officer of {DALES}, which manages this case: select "
            "one of its managers",
        ),
        (
            "nobody@example.org",
            f"nobody@example.org is not an active user of the service: select a manager of {DALES}",
        ),
    ],
)
def test_the_senior_officer_must_be_a_manager_of_the_managing_council(
    below: tuple[Database, int], named: str, problem: str
) -> None:
    db, case_id = below
    data = {**VULNERABLE, "senior_officer": named}
    assert _refused(db, case_id, "threshold_decision", COUNCIL, data) == {"senior_officer": problem}
    assert case_of(db, case_id).senior_officer_id is None
    assert list(live(db, case_id)) == ["threshold_decision"]


def test_a_vulnerable_victim_decision_names_its_senior_officer(below) -> None:
    db, case_id = below
    without = {key: value for key, value in VULNERABLE.items() if key != "senior_officer"}
    problems = _refused(db, case_id, "threshold_decision", COUNCIL, without)
    assert problems == {"senior_officer": "Select the senior officer who decided"}


def test_the_form_offers_the_managing_council_s_managers_alone(below) -> None:
    db, case_id = below
    task = live(db, case_id)["threshold_decision"]
    with db.read() as session:
        form = task_view.task_form(session, user(db, COUNCIL), task.id, FORMS)
    assert form.choices["senior_officer"] == [
        (MANAGER, "Manager (manager@example.org)"),
        (OTHER_MANAGER, "Manager2 (manager2@example.org)"),
    ]


def test_named_by_someone_else_the_decision_waits_for_the_officer_s_confirmation(below) -> None:
    db, case_id = below
    do(db, case_id, "threshold_decision", COUNCIL, VULNERABLE)
    case = case_of(db, case_id)
    manager = user(db, MANAGER)
    assert (case.threshold_met, case.decision_basis, case.decided_on) == (None, None, None)
    assert (case.senior_officer_id, case.senior_officer_confirmed_at) == (manager.id, None)
    assert case.status == "threshold_decision"
    confirm = live(db, case_id)["confirm_decision"]
    assert list(live(db, case_id)) == ["confirm_decision"], "no letter before it is confirmed"
    assert (confirm.assignee_id, confirm.assigned_because) == (manager.id, "senior_officer")
    with db.read() as session:
        told = session.scalar(
            select(Notification).where(
                Notification.task_id == confirm.id, Notification.user_id == manager.id
            )
        )
    assert told.subject == f"Case {case.reference}: confirm a vulnerable victim decision"
    assert _actions(db, case_id) == [("threshold.confirmation_asked", user(db, COUNCIL).id)]
    with db.transaction() as session:
        page = task_view.task_page(session, manager, confirm.id, FORMS)
    assert (page.to_confirm.recorded_by, page.to_confirm.reasons) == ("Council", REASONS)
    assert page.threshold is not None, "the count is shown beside it"

    # Only the officer named answers: given to another manager, it is refused.
    task_view.reassign_task(db, confirm.id, manager, user(db, OTHER_MANAGER).id)
    problems = _refused(
        db, case_id, "confirm_decision", OTHER_MANAGER, {"decision_confirmed": True}
    )
    assert problems == {
        "": "Only Manager, the senior officer named in the decision, can confirm it"
    }
    task_view.reassign_task(db, confirm.id, manager, manager.id)

    do(db, case_id, "confirm_decision", MANAGER, {"decision_confirmed": True})
    case = case_of(db, case_id)
    assert (case.threshold_met, case.decision_basis, case.decided_on.isoformat()) == (
        True,
        "vulnerability",
        "2026-03-02",
    )
    assert case.senior_officer_confirmed_at == datetime(2026, 3, 2, 9, 0, tzinfo=LOCAL_ZONE)
    assert _actions(db, case_id)[-1] == ("threshold.senior_officer_confirmed", manager.id)
    assert list(live(db, case_id)) == ["decision_letter"]
    assert live(db, case_id)["decision_letter"].assignee_id == user(db, COUNCIL).id, (
        "the letter goes back to whoever recorded the decision, not to the officer"
    )

    pack = [p.text for p in open_docx(pack_for(db, reference_of(db, case_id)).content).paragraphs]
    assert "Senior officer: Manager, who confirmed it on 2 March 2026" in pack
    assert "Decided: 2 March 2026 by Council" in pack
    do(db, case_id, "decision_letter", COUNCIL, {"method": "email"})
    sent = texts(letter(db, case_id, "threshold_decision_letter"))
    assert any(
        "A senior officer, Manager, decided it is met because of the victim's vulnerability." in t
        for t in sent
    )
    assert case_of(db, case_id).status == "review_being_arranged"


def test_while_it_waits_the_pack_says_so(below) -> None:
    db, case_id = below
    do(db, case_id, "threshold_decision", COUNCIL, VULNERABLE)
    pack = [p.text for p in open_docx(pack_for(db, reference_of(db, case_id)).content).paragraphs]
    assert (
        "A vulnerable victim decision recorded by Council is waiting for Manager, the senior "
        "officer it names, to confirm it."
    ) in pack


def test_not_confirmed_the_council_decides_again(below) -> None:
    db, case_id = below
    do(db, case_id, "threshold_decision", COUNCIL, VULNERABLE)
    problems = _refused(db, case_id, "confirm_decision", MANAGER, {"decision_confirmed": False})
    assert problems == {"not_confirmed_reason": "Enter why you do not confirm it"}
    reason = "The victim's needs are being met by adult social care"
    do(
        db,
        case_id,
        "confirm_decision",
        MANAGER,
        {"decision_confirmed": False, "not_confirmed_reason": reason},
    )
    case = case_of(db, case_id)
    assert (case.threshold_met, case.senior_officer_id, case.senior_officer_confirmed_at) == (
        None,
        None,
        None,
    )
    assert _actions(db, case_id)[-1] == (
        "threshold.senior_officer_not_confirmed",
        user(db, MANAGER).id,
    )
    again = live(db, case_id)["threshold_decision"]
    assert list(live(db, case_id)) == ["threshold_decision"]
    assert again.assignee_id == user(db, COUNCIL).id, "back with whoever decided"
    with db.transaction() as session:
        page = task_view.task_page(session, user(db, COUNCIL), again.id, FORMS)
    assert (page.not_confirmed.answered_by, page.not_confirmed.reason) == ("Manager", reason)

    discretion = {
        "threshold_met": False,
        "decision_basis": "discretion",
        "reasons": "Two reports, both answered",
        "persistence": "Two evenings in January",
        "harm": "Low",
        "adequacy": "Police attended both times",
    }
    do(db, case_id, "threshold_decision", COUNCIL, discretion)
    assert list(live(db, case_id)) == ["decision_letter"]
    with db.transaction() as session:
        page = task_view.task_page(session, user(db, COUNCIL), again.id, FORMS)
    assert page.not_confirmed is None, "decided again since"
    case = case_of(db, case_id)
    assert (case.threshold_met, case.decision_basis) == (False, "discretion")


def _taken_by_the_manager(db: Database, case_id: int) -> None:
    """The decision, kept with the caseworker who did the council's return, taken by a
    manager to record themselves."""
    manager = user(db, MANAGER)
    task_view.reassign_task(db, live(db, case_id)["threshold_decision"].id, manager, manager.id)


def test_a_manager_who_records_it_themselves_confirms_it_as_they_do(below) -> None:
    db, case_id = below
    _taken_by_the_manager(db, case_id)
    do(db, case_id, "threshold_decision", MANAGER, VULNERABLE)
    case = case_of(db, case_id)
    manager = user(db, MANAGER)
    assert (case.threshold_met, case.decision_basis, case.senior_officer_id) == (
        True,
        "vulnerability",
        manager.id,
    )
    assert case.senior_officer_confirmed_at is not None
    assert _actions(db, case_id) == [("threshold.senior_officer_confirmed", manager.id)]
    assert list(live(db, case_id)) == ["decision_letter"], "no confirmation to wait for"


def test_a_case_on_a_diagram_without_the_confirmation_is_decided_by_the_officer(db) -> None:
    """A case still running on a version of the diagram drawn before the confirmation step
    cannot wait for one: the officer named records the decision themselves."""
    from engine.runtime import deploy

    earlier = (ROOT / "workflows" / "community_trigger_application.bpmn").read_bytes()
    earlier = earlier.replace(b'value="senior_officer_confirmation"', b'value="consent"')
    with db.transaction() as session:
        deploy(session, earlier, filename="earlier.bpmn", forms_dir=FORMS)
    case_id = submit(db, application(THREE[:2]))
    returns_in(db, case_id)
    problems = _refused(db, case_id, "threshold_decision", COUNCIL, VULNERABLE)
    assert problems == {
        "senior_officer": (
            "This case's process cannot ask Manager to confirm the decision: Manager records "
            "it themselves"
        )
    }
    _taken_by_the_manager(db, case_id)
    do(db, case_id, "threshold_decision", MANAGER, VULNERABLE)
    assert case_of(db, case_id).threshold_met is True
    assert list(live(db, case_id)) == ["decision_letter"]


def test_an_officer_who_can_no_longer_confirm_it_is_answered_for_by_another_manager(
    below,
) -> None:
    """The officer named leaves before confirming: the decision cannot be confirmed in their
    name, and another manager of the council sends it back to be decided again."""
    db, case_id = below
    do(db, case_id, "threshold_decision", COUNCIL, {**VULNERABLE, "senior_officer": OTHER_MANAGER})
    with db.transaction() as session:
        session.get(User, user(db, OTHER_MANAGER).id).active = False
    manager = user(db, MANAGER)
    confirm = live(db, case_id)["confirm_decision"]
    task_view.reassign_task(db, confirm.id, manager, manager.id)
    problems = _refused(db, case_id, "confirm_decision", MANAGER, {"decision_confirmed": True})
    assert problems == {
        "decision_confirmed": (
            "Manager2, the senior officer named, can no longer confirm the decision: select "
            "no, so that the council decides again"
        )
    }
    do(
        db,
        case_id,
        "confirm_decision",
        MANAGER,
        {"decision_confirmed": False, "not_confirmed_reason": "Manager2 has left the council"},
    )
    assert list(live(db, case_id)) == ["threshold_decision"]
    assert case_of(db, case_id).threshold_met is None
