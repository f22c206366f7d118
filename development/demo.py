"""Demonstration users, one for each role, so a newcomer can sign in and look around."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.config import Settings
from engine.core.db import Database
from engine.core.errors import NotFound
from engine.core.models import Case, Task, User
from engine.core.workdays import add_working_days
from engine.people.accounts import add_user, get_user
from engine.runtime import latest_definition

DEMO_PASSWORD = "casereview-demo"


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    organisation: str
    roles: tuple[str, ...]


DEMO_USERS = (
    DemoUser(
        "caseworker@dales.example.org",
        "Carys Walker",
        "derbyshire-dales-district-council",
        ("caseworker",),
    ),
    DemoUser(
        "manager@dales.example.org",
        "Mohammed Khan",
        "derbyshire-dales-district-council",
        ("manager", "caseworker"),
    ),
    DemoUser(
        "caseworker@erewash.example.org", "Erin Shaw", "erewash-borough-council", ("caseworker",)
    ),
    DemoUser(
        "police@derbyshire.example.org",
        "PC Priya Patel",
        "derbyshire-constabulary",
        ("agency_officer",),
    ),
    DemoUser(
        "police.manager@derbyshire.example.org",
        "Insp. Paul Green",
        "derbyshire-constabulary",
        ("manager", "agency_officer"),
    ),
    DemoUser(
        "housing@dales-housing.example.org", "Hannah Brooks", "dales-housing", ("agency_officer",)
    ),
    DemoUser(
        "health@icb.example.org", "Dr Helen Jones", "derby-derbyshire-icb", ("agency_officer",)
    ),
    DemoUser(
        "chair@highpeak.example.org",
        "Claire Morgan",
        "high-peak-borough-council",
        ("review_chair",),
    ),
    DemoUser("opcc@opcc.example.org", "Owen Price", "opcc-derbyshire", ("agency_officer",)),
    DemoUser("opcc.manager@opcc.example.org", "Olivia Reid", "opcc-derbyshire", ("manager",)),
    DemoUser(
        "process.owner@derbyshire.example.org",
        "Pat Owens",
        "derbyshire-dales-district-council",
        ("process_owner",),
    ),
    DemoUser(
        "admin@derbyshire.example.org",
        "Alex Adams",
        "derbyshire-dales-district-council",
        ("administrator",),
    ),
)


def load_demo_users(session: Session, password: str = DEMO_PASSWORD) -> list[DemoUser]:
    """Create the demo users that do not exist yet; returns every demo user."""
    existing = set(session.scalars(select(User.email)))
    for demo in DEMO_USERS:
        if demo.email not in existing:
            add_user(
                session,
                email=demo.email,
                name=demo.name,
                organisation_key=demo.organisation,
                roles=demo.roles,
                password=password,
            )
    return list(DEMO_USERS)


def active_users_by_email(session: Session) -> dict[str, User]:
    """Every active user, by email, loaded as a completion needs them."""
    users = {}
    for user_id in session.scalars(select(User.id)):
        user = get_user(session, user_id)
        if user is not None:
            users[user.email] = user
    return users


def _incident(days_ago: int, reported_after: int, to: str, reference: str, what: str) -> dict:
    occurred = clock.today() - timedelta(days=days_ago)
    return {
        "occurred_on": occurred.isoformat(),
        "reported_on": (occurred + timedelta(days=reported_after)).isoformat(),
        "reported_to": to,
        "reference": reference,
        "description": what,
    }


# What some demo applicants need, so the case pages, information requests and packs show each
# kind of answer.
_LARGE_PRINT = {"letter_format": "large_print", "communication_needs": "I am partially sighted."}
_IN_POLISH = {
    "letter_format": "another_language",
    "letter_language": "Polish",
    "communication_needs": "A Polish interpreter for phone calls and meetings, please.",
}


def _application(district: str, name: str, incidents: int = 3, *, said: dict | None = None) -> dict:
    behaviours = [
        (70, 1, "police", "DC-24-1187", "Loud music and shouting from next door until 3am"),
        (45, 2, "housing", "", "Bins set alight in the shared yard"),
        (30, 1, "council", "", "Abuse shouted at my children on the way to school"),
        (12, 3, "police", "DC-24-2051", "Stones thrown at the back windows"),
    ]
    return {
        "district": district,
        "applicant": {
            "name": name,
            "address": "12 Example Street",
            "email": f"{name.split()[0].lower()}@example.com",
            "phone": "07700 900123",
        },
        "on_behalf": False,
        "contact_preference": "email",
        "incidents": [_incident(*item) for item in behaviours[:incidents]],
        "hate_element": False,
        "impact": "We no longer feel safe in our home.",
        "place": "Outside my house, and on the shared path to the garages behind it",
        "responsible": "A group of teenagers who live nearby; I do not know their names.",
        "witnesses": "My neighbour at number 14 has seen it too.",
        "outcome": "I want the noise and the damage to stop, and to feel safe in my home.",
        **(said or {}),
    }


DEMO_PROCESSES = ("community_trigger_application", "asb_case_review", "opcc_appeal")


class DemoUnavailable(RuntimeError):
    """The demo cases cannot be made on this database."""


# Risk and vulnerability assessments giving each level (engine.cases.risk).
STANDARD_RISK = {
    "impact_on_health": "none",
    "impact_on_sleep": "some",
    "impact_on_daily_life": "some",
    "fear": "some",
    "vulnerability_factors": ["none"],
    "targeted_repeatedly": False,
    "hate_motivated": False,
}
_MEDIUM_RISK = {**STANDARD_RISK, "impact_on_sleep": "severe", "targeted_repeatedly": True}
_HIGH_RISK = {
    **STANDARD_RISK,
    "fear": "severe",
    "vulnerability_factors": ["isolated", "age"],
    "risk_notes": "Lives alone and is afraid to go out after dark.",
}


def load_demo_cases(db: Database, settings: Settings) -> list[str]:
    """A handful of cases at different stages, so every demo inbox has work in it.

    Runs only on a database with no cases, so running ``init --demo`` again adds nothing.
    """
    from engine.intake.appeals import submit_appeal
    from engine.intake.applications import submit_application
    from engine.procedure import complete_task

    with db.read() as session:
        if session.scalar(select(func.count()).select_from(Case)):
            return []
        if not all(latest_definition(session, key) for key in DEMO_PROCESSES):
            raise DemoUnavailable(
                "demo cases need the shipped diagrams deployed: "
                + ", ".join(f"{key}.bpmn" for key in DEMO_PROCESSES)
            )
        users = active_users_by_email(session)
    today = clock.today().isoformat()
    # A meeting is arranged for a working day; on a weekend it is held early, rescheduled.
    meeting_day = add_working_days(clock.today(), 0).isoformat()

    def start(payload: dict) -> int:
        with db.transaction() as session:
            return submit_application(session, payload, settings).id

    def do(case_id: int, spec_name: str, email: str, data: dict) -> None:
        with db.read() as session:
            task_id = session.scalar(
                select(Task.id).where(
                    Task.case_id == case_id,
                    Task.spec_name == spec_name,
                    Task.state.in_(["open", "claimed"]),
                )
            )
        if task_id is None:
            raise NotFound(f"case {case_id} has no open '{spec_name}' task")
        complete_task(db, task_id, users[email], data, forms_dir=settings.forms_dir)

    council, chair = "caseworker@dales.example.org", "chair@highpeak.example.org"
    no_return = {"incidents": [], "actions_taken": "Advice given", "view": "Supports a review"}

    def to_returns(case_id: int) -> None:
        do(case_id, "acknowledge", council, {"method": "email"})
        do(case_id, "screen", council, {"route": "review", "hate_element": False})

    def to_decision(case_id: int, risk: dict = STANDARD_RISK) -> None:
        to_returns(case_id)
        do(case_id, "police_return", "police@derbyshire.example.org", no_return)
        do(case_id, "housing_return [child]", "housing@dales-housing.example.org", no_return)
        do(case_id, "health_return", "health@icb.example.org", no_return)
        # The caseworker who screened the case has the council's return: work stays with them.
        do(case_id, "council_return", council, no_return)
        do(case_id, "risk_assessment", council, risk)

    def to_review(case_id: int, risk: dict = STANDARD_RISK) -> None:
        to_decision(case_id, risk)
        do(
            case_id,
            "threshold_decision",
            council,
            {"threshold_met": True, "decision_basis": "count"},
        )
        do(case_id, "decision_letter", council, {"method": "email"})
        do(
            case_id,
            "schedule_meeting",
            council,
            {"chair_email": chair, "meeting_date": meeting_day},
        )
        do(case_id, "meeting_pack", council, {"pack_ready_on": today})

    def hold_meeting(case_id: int, recommendations: list[dict]) -> None:
        invited = {"invite": True, "method": "email"}
        do(case_id, "meeting_invitation", chair, invited)
        do(
            case_id,
            "record_meeting",
            chair,
            {
                "held_on": today,
                # On a weekend the meeting was arranged for the next working day.
                "rescheduled": meeting_day != today,
                "attendees": ["Review chair", "Derbyshire Constabulary", "Dales Housing"],
                "findings": "Reports were not shared between the agencies.",
                "applicant_took_part": "remotely",
                "recommendations": recommendations,
            },
        )
        if recommendations:
            views = {"views": "Please patrol on Friday nights too.", "given_by": "telephone"}
            do(case_id, "applicant_views", council, views)
            considered = {"views_considered": "Friday nights were added to the patrols."}
            do(case_id, "finalise_plan", chair, considered)
        do(
            case_id,
            "outcome_letter",
            council,
            {"method": "email", "updates": "A monthly email from the SPOC"},
        )

    references = []
    new = start(_application("derbyshire-dales", "Sam Taylor", said=_LARGE_PRINT))
    group = _application(
        "erewash",
        "Erin Hughes",
        2,
        said={"place": "The park behind Station Road", "applying_as": "community_group"},
    )
    group["applicant"]["organisation"] = "Station Road Residents' Association"
    start(group)
    told_an_mp = _application("derbyshire-dales", "Alex Morgan", 4, said=_IN_POLISH)
    # A report to someone other than a relevant body: kept and shown, never counted.
    told_an_mp["incidents"].append(
        {
            **_incident(20, 1, "other", "", "Wrote to my MP about the shouting at night"),
            "reported_to_other": "My MP",
        }
    )
    waiting = start(told_an_mp)
    to_returns(waiting)
    deciding = start(_application("derbyshire-dales", "Jordan Lee", 2))
    # Assessed at high risk: its threshold decision is due sooner, and the inbox says so.
    to_decision(deciding, _HIGH_RISK)
    meeting = start(
        _application(
            "derbyshire-dales",
            "Priya Shah",
            4,
            said={
                "place": "The flats above the shops on Dale Road, Matlock, and the alley behind",
                "letter_format": "easy_read",
            },
        )
    )
    to_review(meeting, _MEDIUM_RISK)
    actions = start(_application("derbyshire-dales", "Chris Evans", 3))
    to_review(actions)
    due = (clock.today() + timedelta(days=28)).isoformat()
    hold_meeting(
        actions,
        [
            {
                "organisation": "derbyshire-constabulary",
                "action": "Weekend patrols for six weeks",
                "due_date": due,
            },
            {"organisation": "dales-housing", "action": "Serve a formal warning", "due_date": due},
        ],
    )
    appealed = start(_application("derbyshire-dales", "Morgan Reid", 3))
    to_review(appealed)
    hold_meeting(appealed, [])
    with db.transaction() as session:
        reference = session.get_one(Case, appealed).reference
        submit_appeal(
            session,
            {
                "case_reference": reference,
                "letter_date": today,
                "grounds": ["information_not_considered"],
                "details": "The housing provider's records were not looked at.",
            },
            settings,
        )
    with db.read() as session:
        for case_id in (new, waiting, deciding, meeting, actions, appealed):
            references.append(session.get_one(Case, case_id).reference)
    return references


def demo_applicant_link(db: Database) -> str | None:
    """A fresh one-time link into the demo case furthest along with an action plan (or any
    demo case whose applicant gave an email), so a newcomer can try the applicant's side;
    None when there is no such case."""
    from engine.core.area import service_url
    from engine.people.applicant_codes import issue_email_link

    with db.transaction() as session:
        cases = session.scalars(select(Case).where(Case.erased_on.is_(None)).order_by(Case.id))
        with_email = [case for case in cases if (case.applicant or {}).get("email")]
        chosen = next(
            (case for case in with_email if case.status == "action_plan"),
            with_email[0] if with_email else None,
        )
        if chosen is None:
            return None
        token = issue_email_link(session, chosen, issued_for="demo")
        return f"{service_url(session)}/your-case/sign-in/{token}"
