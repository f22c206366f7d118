"""The application's letters, from the council: the acknowledgement, the threshold decision,
the closure, and the referral of a complaint about an officer or a service to that body's own
complaints procedure.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.assessment import assess_case
from engine.core.area import current_settings
from engine.core.models import Appeal, Case, CaseParticipant, Organisation
from engine.core.workdays import add_working_days
from engine.documents.content import DECLINE_GROUNDS, decision
from engine.documents.letters.blocks import Composed, Contact, h, p, quoted
from engine.documents.letters.shared import (
    COMPLAINTS_ROUTES,
    appeal_route,
    complaint_body,
    contact_section,
    plural,
    timescale,
)
from engine.documents.word import long_date

THRESHOLD_GROUNDS = ("threshold_decision", "process_not_considered", "information_not_considered")


def acknowledgement_letter(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    """The acknowledgement of an application, with the date its threshold decision is due."""
    due = add_working_days(case.received_on, timescale(session, "threshold_decision"))
    count = current_settings(session).get("threshold_count", 3)
    bodies = session.scalars(
        select(Organisation.name)
        .join(CaseParticipant, CaseParticipant.organisation_id == Organisation.id)
        .where(
            CaseParticipant.case_id == case.id,
            CaseParticipant.role.in_(["police", "housing", "health"]),
        )
        .order_by(Organisation.name)
    ).all()
    blocks = [
        p(
            "Thank you for your application for an ASB Case Review (also called the Community "
            f"Trigger), which we received on {long_date(case.received_on)}. Your reference is "
            f"{case.reference}: please quote it whenever you contact us."
        ),
        p(
            f"{council.name} manages the review for {case.district.name} on behalf of all the "
            "relevant bodies" + (f": {', '.join(bodies)} and the council." if bodies else ".")
        ),
        h("What happens next"),
        p(
            "We will ask each relevant body for what it holds about the behaviour you reported, "
            "and decide whether your application meets the threshold for a case review. We will "
            f"write to you with our decision by {long_date(due)}."
        ),
        p(
            f"The threshold is met when at least {count} qualifying complaints were made: reports "
            "of anti-social behaviour made within one month of the behaviour, where the "
            "application is made within six months of the report. Below that number we may "
            "still decide it is met, looking at how persistent the behaviour is, the harm or "
            "potential harm it causes, and how adequate the response has been so far."
        ),
        h("If you are at risk"),
        p(
            "If you are in immediate danger, call 999. If the behaviour is motivated by hate "
            "(disability, gender identity, race or ethnic origin, religion or belief, or sexual "
            "orientation), report it to the police on 101."
        ),
        *contact_section(council),
    ]
    title = "We have received your application for an ASB Case Review"
    return title, blocks, {"decision_due": due.isoformat()}


def threshold_decision_letter(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    """Whether the application meets the threshold for a case review, and why; with the
    route of appeal when it does not."""
    d = decision(session, case)
    assessment = assess_case(session, case)
    count, needed = assessment.qualifying_count, assessment.threshold_count
    counted = f"We counted {plural(count, 'qualifying complaint')}; the threshold is {needed}."
    community = assessment.community
    if community is not None and community.met and not assessment.met_by_count:
        counted += (
            f" With the other applications about the same behaviour, "
            f"{plural(community.individuals, 'separate individual')} reported it within "
            f"{community.months} months, which meets the community threshold of {community.needed}."
        )
    considered = [
        (title, quoted(answers, key, f"the threshold decision's answer: {title.lower()}", text, ""))
        for key, title, text in (
            ("persistence", "How persistent the behaviour is", d.persistence),
            ("harm", "The harm or potential harm", d.harm),
            ("adequacy", "How adequate the response has been", d.adequacy),
        )
        if text.strip()
    ]
    reasons = quoted(
        answers,
        "reasons",
        "the threshold decision's reasons",
        d.reasons,
        "No reasons were recorded.",
    )
    opening = (
        f"We have considered your application {case.reference}, received on "
        f"{long_date(case.received_on)}, with what the relevant bodies told us."
    )
    blocks = [p(opening)]
    facts: dict[str, Any] = {"decision": d.basis, "threshold_met": d.met}
    if not d.recorded:
        title = "Your ASB Case Review application"
        blocks.append(p("No threshold decision has been recorded on your application yet."))
    elif d.basis == "declined":
        title = "We cannot accept your application for an ASB Case Review"
        ground = DECLINE_GROUNDS.get(d.decline_ground, "")
        blocks.append(
            p(
                f"On {long_date(d.decided_on)} we decided not to accept it"
                + (f", because {ground}." if ground else ".")
            )
        )
        blocks += [h("Our reasons"), reasons]
    elif d.met:
        title = "Your application meets the threshold for an ASB Case Review"
        blocks.append(
            p(
                f"On {long_date(d.decided_on)} we decided that the threshold for a case "
                "review is met."
            )
        )
        if d.basis == "count":
            blocks.append(p(counted))
        elif d.basis == "vulnerability":
            blocks += [
                p(
                    f"{counted} A senior officer"
                    + (f", {d.senior_officer}," if d.senior_officer else "")
                    + " decided it is met because of the victim's vulnerability."
                ),
                h("Our reasons"),
                reasons,
            ]
        else:
            blocks += [
                p(f"{counted} We decided it is met even so."),
                h("Our reasons"),
                reasons,
            ]
        for heading, said in considered:
            blocks += [h(heading), said]
        blocks += [
            h("What happens next"),
            p(
                "The relevant bodies will hold a case review meeting, chaired by a senior "
                "officer, to look at how they have responded to the behaviour and agree what "
                "should be done. We will write to you with the outcome and any recommendations."
            ),
        ]
    else:
        title = "Your application does not meet the threshold for an ASB Case Review"
        blocks += [
            p(
                f"On {long_date(d.decided_on)} we decided that the threshold for a case "
                "review is not met."
            ),
            p(counted),
            h("Our reasons"),
            reasons,
        ]
        for heading, said in considered:
            blocks += [h(heading), said]
    if d.recorded and not d.met:
        route, deadline = appeal_route(session, letter_date, THRESHOLD_GROUNDS)
        blocks += route
        facts["appeal_deadline"] = deadline.isoformat()
        facts["appeal_grounds"] = list(THRESHOLD_GROUNDS)
    blocks += contact_section(council)
    return title, blocks, facts


def closure_letter(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    """Why the application was closed."""
    blocks = [
        p(
            f"We have closed your application {case.reference} for an ASB Case Review, "
            f"received on {long_date(case.received_on)}."
        ),
        h("Why"),
        quoted(
            answers,
            "reasons",
            "the reasons given for closing",
            str(answers.get("reasons", "")),
            "No reasons were recorded.",
        ),
        p(
            "If the behaviour continues or your circumstances change, you can apply again. "
            "If you are in immediate danger, call 999."
        ),
        *contact_section(council),
    ]
    return "We have closed your application for an ASB Case Review", blocks, {}


def complaint_referral_letter(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    """Why a complaint about an officer or a service goes to that body's complaints
    procedure instead, and to which ombudsman after that."""
    route = str(answers.get("complaints_route", ""))
    _role, ombudsman = COMPLAINTS_ROUTES.get(route, ("", "the ombudsman for that service"))
    body = complaint_body(session, case, answers).name
    blocks = [
        p(
            f"Thank you for your application {case.reference}, which we received on "
            f"{long_date(case.received_on)}."
        ),
        p(
            f"What you told us is a complaint about an officer or a service of {body}. An ASB "
            "Case Review looks at how the relevant bodies have responded to anti-social "
            "behaviour that keeps happening. A complaint about an officer or a service, such as "
            "rudeness, wrong information, promises not kept or a policy not followed, goes to "
            "that organisation's complaints procedure instead."
        ),
        p(
            "This means we will not carry out an ASB Case Review on this application, and we "
            "have closed it."
        ),
        h("What you can do"),
        p(f"Make your complaint through the complaints procedure of {body}."),
        p(
            "If you are not satisfied with their final answer, you can ask "
            f"{ombudsman} to look at it."
        ),
        p(
            "If the anti-social behaviour continues, you can apply for an ASB Case Review again. "
            "If you are in immediate danger, call 999."
        ),
        *contact_section(council),
    ]
    title = "Your application is a complaint about an officer or a service"
    return title, blocks, {"complaints_route": route, "complaint_about": body}
