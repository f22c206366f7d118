"""Letters to the applicant: what each says, from the case as stored, and how it is written.

A letter is composed once as plain blocks (``Letter``) and written twice from them: as the
Word document that is kept and sent, and as plain text for the covering email, so the two can
never say different things.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.cases.assessment import assess_case
from engine.core.area import current_settings
from engine.core.models import Appeal, Case, CaseParticipant, Organisation, User
from engine.core.workdays import add_working_days
from engine.documents.content import DECLINE_GROUNDS, decision, user_names
from engine.documents.word import Builder, clean, long_date
from engine.review.appeal_rules import GROUNDS, ground_sentence
from engine.review.reviews import current_review

# The letter task forms of the diagrams, the letter each one produces, and the answer that
# holds the date the letter carries.
FORM_LETTERS: dict[str, tuple[str, str]] = {
    "acknowledgement": ("acknowledgement_letter", "acknowledged_on"),
    "decision_letter": ("threshold_decision_letter", "sent_on"),
    "closure_letter": ("closure_letter", "letter_sent_on"),
    "complaint_referral": ("complaint_referral_letter", "letter_sent_on"),
    "outcome_letter": ("outcome_letter", "sent_on"),
    "appeal_acknowledgement": ("appeal_acknowledgement_letter", "acknowledged_on"),
    "appeal_refusal": ("appeal_refusal_letter", "sent_on"),
    "appeal_decision_letter": ("appeal_decision_letter", "applicant_told_on"),
}
LETTER_KINDS: tuple[str, ...] = tuple(kind for kind, _field in FORM_LETTERS.values())
# Defaults of the area timescales a letter quotes (DOMAIN.md), when the area file omits one.
DEFAULT_DAYS = {"threshold_decision": 10, "appeal_window": 20, "appeal_decision": 20}
THRESHOLD_GROUNDS = ("threshold_decision", "process_not_considered", "information_not_considered")
# A complaint about an officer or a service (DOMAIN.md, rule 5): the kind of body whose
# complaints procedure it goes to, and who the applicant may ask to look at it after that.
COMPLAINTS_ROUTES: dict[str, tuple[str, str]] = {
    "council_complaints_then_lgsco": (
        "council",
        "the Local Government and Social Care Ombudsman",
    ),
    "housing_complaints_then_housing_ombudsman": ("housing", "the Housing Ombudsman"),
    "police_complaints_then_iopc": ("police", "the Independent Office for Police Conduct (IOPC)"),
    "health_complaints_then_phso": ("health", "the Parliamentary and Health Service Ombudsman"),
}


@dataclass(frozen=True)
class Contact:
    name: str
    address: str = ""
    email: str = ""
    phone: str = ""
    person: str = ""

    @property
    def address_lines(self) -> list[str]:
        return split_address(self.address)


@dataclass(frozen=True)
class Block:
    """One part of a letter: a paragraph, a sub-heading, a bulleted list or a table."""

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


def p(text: str) -> Block:
    return Block("p", text=text)


def h(text: str) -> Block:
    return Block("h", text=text)


def bullets(items: Sequence[str]) -> Block:
    return Block("bullets", items=tuple(items))


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> Block:
    return Block("table", header=tuple(header), rows=tuple(tuple(row) for row in rows))


@dataclass(frozen=True)
class Letter:
    kind: str
    title: str
    reference: str
    letter_date: date
    sender: Contact
    council: Contact
    recipient: str
    recipient_address: tuple[str, ...]
    blocks: tuple[Block, ...]
    signer: str
    template_keys: tuple[str, ...]
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def salutation(self) -> str:
        return f"Dear {self.recipient}," if self.recipient.strip() else "Dear applicant,"


def split_address(address: str) -> list[str]:
    return [line.strip() for line in re.split(r"[\n,]", clean(address)) if line.strip()]


def _timescale(session: Session, name: str) -> int:
    return current_settings(session).get("timescales", {}).get(name, DEFAULT_DAYS[name])


def _council(case: Case) -> Contact:
    district = case.district
    lead = district.lead_council
    return Contact(
        name=lead.name if lead else f"{district.name} council",
        address=lead.address if lead else "",
        email=district.spoc_email or (lead.email if lead else ""),
        phone=district.spoc_phone or (lead.phone if lead else ""),
        person=district.spoc_name,
    )


def _opcc(session: Session) -> Contact:
    opcc = session.scalar(
        select(Organisation).where(Organisation.kind == "opcc").order_by(Organisation.id).limit(1)
    )
    if opcc is None:
        return Contact(name="the Office of the Police and Crime Commissioner")
    return Contact(name=opcc.name, address=opcc.address, email=opcc.email, phone=opcc.phone)


def _contact(contact: Contact, about: str = "") -> list[Block]:
    """A letter's closing section: whom to ask, and how."""
    ways = [part for part in (contact.phone, contact.email) if part]
    who = contact.person or contact.name
    line = f"{who} on {' or '.join(ways)}" if ways else who
    return [h("Contact"), p(f"If you have any questions{about}, contact {line}.")]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def appeal_deadline(session: Session, letter_date: date) -> date:
    """The last day an appeal against a letter of this date is in time (area ``appeal_window``
    in working days), as the eligibility check counts it."""
    return add_working_days(letter_date, _timescale(session, "appeal_window"))


def _appeal_route(
    session: Session, letter_date: date, grounds: Sequence[str]
) -> tuple[list[Block], date]:
    opcc = _opcc(session)
    deadline = appeal_deadline(session, letter_date)
    window = _timescale(session, "appeal_window")
    blocks = [
        h("If you want to appeal"),
        p(
            f"You can appeal to {opcc.name}. Your appeal must reach them by "
            f"{long_date(deadline)}, which is {window} working days from the date of this "
            "letter. Quote your reference."
        ),
        p("You can appeal on one or more of these grounds:"),
        bullets([ground_sentence(ground) for ground in grounds]),
        p("Being unhappy with the outcome alone is not a ground for appeal."),
    ]
    where = [opcc.name, *opcc.address_lines]
    if opcc.email:
        where.append(f"Email: {opcc.email}")
    if opcc.phone:
        where.append(f"Phone: {opcc.phone}")
    blocks.append(p("Send your appeal to: " + ", ".join(where) + "."))
    return blocks, deadline


def compose_letter(
    session: Session,
    case: Case,
    kind: str,
    answers: Mapping[str, Any],
    *,
    letter_date: date,
    signer: User | None,
    appeal: Appeal | None = None,
) -> Letter:
    """What the letter of ``kind`` says to the applicant of ``case``."""
    council = _council(case)
    applicant = case.applicant or {}
    opcc_letter = kind.startswith("appeal_")
    sender = _opcc(session) if opcc_letter else council
    composer = _COMPOSERS[kind]
    title, blocks, facts = composer(session, case, answers, letter_date, council, appeal)
    signed = signer.name if signer is not None else (council.person or council.name)
    keys: tuple[str, ...] = (case.district.key,)
    if opcc_letter:
        opcc_key = session.scalar(
            select(Organisation.key).where(Organisation.kind == "opcc").limit(1)
        )
        keys = (opcc_key or "", case.district.key)
    return Letter(
        kind=kind,
        title=title,
        reference=case.reference,
        letter_date=letter_date,
        sender=sender,
        council=council,
        recipient=clean(applicant.get("name", "")),
        recipient_address=tuple(split_address(str(applicant.get("address", "")))),
        blocks=tuple(blocks),
        signer=f"{signed}, for {sender.name}",
        template_keys=keys,
        facts=facts,
    )


Composed = tuple[str, list[Block], dict[str, Any]]


def _acknowledgement(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    due = add_working_days(case.received_on, _timescale(session, "threshold_decision"))
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
        *_contact(council),
    ]
    title = "We have received your application for an ASB Case Review"
    return title, blocks, {"decision_due": due.isoformat()}


def _threshold_decision(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    d = decision(session, case)
    assessment = assess_case(session, case)
    count, needed = assessment.qualifying_count, assessment.threshold_count
    counted = f"We counted {_plural(count, 'qualifying complaint')}; the threshold is {needed}."
    considered = [
        (title, text)
        for title, text in (
            ("How persistent the behaviour is", d.persistence),
            ("The harm or potential harm", d.harm),
            ("How adequate the response has been", d.adequacy),
        )
        if text.strip()
    ]
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
        blocks += [h("Our reasons"), p(d.reasons or "No reasons were recorded.")]
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
                    f"{counted} A senior officer decided it is met because of the victim's "
                    "vulnerability."
                ),
                h("Our reasons"),
                p(d.reasons or "No reasons were recorded."),
            ]
        else:
            blocks += [
                p(f"{counted} We decided it is met even so."),
                h("Our reasons"),
                p(d.reasons or "No reasons were recorded."),
            ]
        for heading, text in considered:
            blocks += [h(heading), p(text)]
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
            p(d.reasons or "No reasons were recorded."),
        ]
        for heading, text in considered:
            blocks += [h(heading), p(text)]
    if d.recorded and not d.met:
        route, deadline = _appeal_route(session, letter_date, THRESHOLD_GROUNDS)
        blocks += route
        facts["appeal_deadline"] = deadline.isoformat()
    blocks += _contact(council)
    return title, blocks, facts


def _closure(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    blocks = [
        p(
            f"We have closed your application {case.reference} for an ASB Case Review, "
            f"received on {long_date(case.received_on)}."
        ),
        h("Why"),
        p(str(answers.get("reasons", "")) or "No reasons were recorded."),
        p(
            "If the behaviour continues or your circumstances change, you can apply again. "
            "If you are in immediate danger, call 999."
        ),
        *_contact(council),
    ]
    return "We have closed your application for an ASB Case Review", blocks, {}


@dataclass(frozen=True)
class ComplaintBody:
    """Who a complaint about a service is about, as the letter names them."""

    name: str
    kind: str  # an organisation kind, or "" when the screening named no known organisation


def complaint_body(session: Session, case: Case, answers: Mapping[str, Any]) -> ComplaintBody:
    """The organisation the screening said the complaint is about, found by its key or its
    name; as typed when it is neither; or, when none was given, the case's participants in
    the role of the complaints route."""
    named = str(answers.get("complaint_organisation") or "").strip()
    if named:
        found = session.execute(
            select(Organisation.name, Organisation.kind)
            .where((Organisation.key == named) | (func.lower(Organisation.name) == named.lower()))
            .limit(1)
        ).first()
        return ComplaintBody(found.name, found.kind) if found else ComplaintBody(named, "")
    role, _ombudsman = COMPLAINTS_ROUTES.get(str(answers.get("complaints_route")), ("", ""))
    names = session.scalars(
        select(Organisation.name)
        .join(CaseParticipant, CaseParticipant.organisation_id == Organisation.id)
        .where(CaseParticipant.case_id == case.id, CaseParticipant.role == role)
        .order_by(Organisation.name)
    ).all()
    return ComplaintBody(" or ".join(names) or "the organisation concerned", role)


def complaint_route_problem(session: Session, case: Case, answers: Mapping[str, Any]) -> str | None:
    """Why the complaints route chosen cannot be the one for the organisation complained
    about (a police complaint does not go to the Local Government Ombudsman), or None."""
    body = complaint_body(session, case, answers)
    route = str(answers.get("complaints_route", ""))
    right = [key for key, (role, _) in COMPLAINTS_ROUTES.items() if role == body.kind]
    if right and route not in right:
        return f"The complaint is about {body.name}: choose the {body.kind} complaints route"
    return None


def _complaint_referral(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
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
        *_contact(council),
    ]
    title = "Your application is a complaint about an officer or a service"
    return title, blocks, {"complaints_route": route, "complaint_about": body}


def _outcome(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    review = current_review(session, case)
    names = dict(session.execute(select(Organisation.id, Organisation.name)).all())
    blocks: list[Block] = []
    facts: dict[str, Any] = {}
    if review is None or review.held_on is None:
        blocks.append(p("No case review meeting has been recorded on your application yet."))
        recommendations = []
    else:
        chair = user_names(session, {review.chair_user_id}).get(review.chair_user_id or 0, "")
        bodies = session.scalars(
            select(Organisation.name)
            .join(CaseParticipant, CaseParticipant.organisation_id == Organisation.id)
            .where(
                CaseParticipant.case_id == case.id,
                CaseParticipant.role.in_(["council", "police", "housing", "health"]),
            )
            .order_by(Organisation.name)
        ).all()
        blocks.append(
            p(
                f"The case review meeting about your application {case.reference} was held on "
                f"{long_date(review.held_on)}"
                + (f", chaired by {chair}" if chair else "")
                + "."
                + (f" Taking part: {', '.join(bodies)}." if bodies else "")
            )
        )
        blocks += [h("What the review found"), p(review.findings or "No findings were recorded.")]
        recommendations = list(review.recommendations)
        facts["review_number"] = review.number
    blocks.append(h("What will be done"))
    if recommendations:
        blocks.append(
            p(
                "The review made these recommendations. Each organisation must have regard to "
                "the recommendations it owns; we follow every action until it is done."
            )
        )
        blocks.append(
            table(
                ["What will be done", "Who will do it", "By when"],
                [
                    (r.action, names.get(r.organisation_id, ""), long_date(r.due_date))
                    for r in recommendations
                ],
            )
        )
        facts["recommendations"] = len(recommendations)
    else:
        blocks.append(p("The review made no recommendations."))
        facts["recommendations"] = 0
    blocks += [
        h("How we will keep you updated"),
        p(str(answers.get("updates", "")) or "We will write to you if anything changes."),
    ]
    route, deadline = _appeal_route(session, letter_date, tuple(GROUNDS))
    blocks += route
    facts["appeal_deadline"] = deadline.isoformat()
    blocks += _contact(council)
    return "The outcome of your ASB Case Review", blocks, facts


def _grounds_given(appeal: Appeal) -> Block:
    if not appeal.grounds:
        return p("Your appeal did not name a ground of appeal.")
    return bullets([ground_sentence(ground) for ground in appeal.grounds])


def _no_appeal() -> Composed:
    return "Your appeal", [p("No appeal is recorded on your case.")], {}


def _appeal_acknowledgement(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    if appeal is None:
        return _no_appeal()
    opcc = _opcc(session)
    acknowledged = letter_date
    due = add_working_days(acknowledged, _timescale(session, "appeal_decision"))
    blocks = [
        p(
            f"{opcc.name} received your appeal on {long_date(appeal.received_on)} about the "
            f"letter dated {long_date(appeal.letter_date)} on your ASB Case Review "
            f"{case.reference}."
        ),
        p("You appealed on these grounds:"),
        _grounds_given(appeal),
        h("What happens next"),
        p(
            "We will check that your appeal was made in time and on an allowed ground. If it "
            f"can be heard, we will ask {council.name} for the case file and look at how your "
            f"case was handled. We will write to you with our decision by {long_date(due)}."
        ),
        *_contact(opcc, about=" about your appeal"),
    ]
    return "We have received your appeal", blocks, {"decision_due": due.isoformat()}


def _appeal_refusal(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    if appeal is None:
        return _no_appeal()
    opcc = _opcc(session)
    blocks = [
        p(
            f"We have checked your appeal, received on {long_date(appeal.received_on)}, about "
            f"the letter dated {long_date(appeal.letter_date)} on your ASB Case Review "
            f"{case.reference}. It cannot be heard."
        ),
        h("Our reasons"),
        p(appeal.eligibility_reasons or "No reasons were recorded."),
        p(
            f"An appeal must reach us within {_timescale(session, 'appeal_window')} working days "
            "of the letter it is about, on at least one of these grounds:"
        ),
        bullets([ground_sentence(ground) for ground in GROUNDS]),
        p(f"We have told {council.name} of this decision."),
        *_contact(opcc),
    ]
    return "Your appeal cannot be heard", blocks, {"eligible": False}


def _appeal_decision(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    if appeal is None:
        return _no_appeal()
    opcc = _opcc(session)
    opening = p(
        f"We have decided your appeal, received on {long_date(appeal.received_on)}, about the "
        f"letter dated {long_date(appeal.letter_date)} on your ASB Case Review {case.reference}."
    )
    if appeal.outcome == "upheld":
        title = "Your appeal has been upheld"
        result = p(
            "We looked at how your case was handled and have upheld your appeal. We have "
            f"referred your case back to {council.name}, which will carry out a fresh case "
            "review and write to you."
        )
    elif appeal.outcome == "not_upheld":
        title = "Your appeal has not been upheld"
        result = p(
            "We looked at how your case was handled and found that the review was properly "
            "carried out, so we have not upheld your appeal."
        )
    else:
        title = "Your appeal"
        result = p("No decision on your appeal has been recorded yet.")
    blocks = [
        opening,
        result,
        h("Our reasons"),
        p(appeal.outcome_reasons or "No reasons were recorded."),
        p(f"We have also told {council.name} of our decision."),
        *_contact(opcc),
    ]
    return title, blocks, {"appeal_outcome": appeal.outcome}


_COMPOSERS = {
    "acknowledgement_letter": _acknowledgement,
    "threshold_decision_letter": _threshold_decision,
    "closure_letter": _closure,
    "complaint_referral_letter": _complaint_referral,
    "outcome_letter": _outcome,
    "appeal_acknowledgement_letter": _appeal_acknowledgement,
    "appeal_refusal_letter": _appeal_refusal,
    "appeal_decision_letter": _appeal_decision,
}


def render_letter(letter: Letter, template: Path | None, *, made: datetime) -> bytes:
    """The letter as a Word file on the sender's base template."""
    out = Builder(template)
    out.properties(title=letter.title, subject=letter.reference, author=letter.sender.name)
    out.page_numbers(f"Our reference: {letter.reference}")
    sender = letter.sender
    out.paragraph(sender.name, bold=True, align="right")
    for line in sender.address_lines:
        out.paragraph(line, align="right").paragraph_format.space_after = 0
    if sender.phone:
        out.paragraph(f"Phone: {sender.phone}", align="right").paragraph_format.space_after = 0
    if sender.email:
        out.paragraph(f"Email: {sender.email}", align="right")
    out.paragraph(long_date(letter.letter_date), align="right")
    out.paragraph(f"Our reference: {letter.reference}")
    if letter.recipient:
        out.paragraph(letter.recipient).paragraph_format.space_after = 0
    for line in letter.recipient_address:
        out.paragraph(line).paragraph_format.space_after = 0
    out.paragraph("")
    out.heading(letter.title, 1)
    out.paragraph(letter.salutation)
    for block in letter.blocks:
        if block.kind == "h":
            out.heading(block.text, 2)
        elif block.kind == "bullets":
            out.bullets(block.items)
        elif block.kind == "table":
            out.table(block.header, block.rows, widths=[8.6, 4.6, 3.4])
        else:
            out.text(block.text, missing="")
    out.paragraph("Yours sincerely,")
    out.paragraph(letter.signer)
    council = letter.council
    out.heading("Your council contact", 3)
    out.paragraph(", ".join([council.name, *council.address_lines]))
    out.paragraph(
        "; ".join(
            part
            for part in (
                council.person,
                f"phone {council.phone}" if council.phone else "",
                f"email {council.email}" if council.email else "",
            )
            if part
        )
    )
    return out.save(made)


def letter_text(letter: Letter) -> str:
    """The same letter as plain text, for the body of the email that carries it."""
    lines = [letter.salutation, ""]
    for block in letter.blocks:
        if block.kind == "h":
            lines += [clean(block.text).upper(), ""]
        elif block.kind == "bullets":
            lines += [f"- {clean(item)}" for item in block.items] + [""]
        elif block.kind == "table":
            for row in block.rows:
                lines.append(
                    "- "
                    + "; ".join(
                        f"{clean(head)}: {clean(cell)}"
                        for head, cell in zip(block.header, row, strict=True)
                    )
                )
            lines.append("")
        else:
            lines += [clean(block.text), ""]
    lines += ["Yours sincerely,", clean(letter.signer), ""]
    lines += [
        f"Our reference: {letter.reference}",
        "The letter is attached as a Word document.",
    ]
    return "\n".join(lines)
