"""The placeholders each letter's template may use: what each means, and a sample value.

The composers (``application``, ``review``, ``applicant_part``, ``appeal``, ``updates``) give a
value for each; the samples make the two sample cases a template must be written on before it
is deployed (``sample_cases``): one as listed, one with every yes or no turned round, and every
list, whole part and text whose meaning says it may be empty, empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.documents.letters.blocks import Block, table
from engine.documents.letters.wording import WholeBlock


@dataclass(frozen=True)
class Placeholder:
    meaning: str
    sample: Any

    @property
    def kind(self) -> str:
        """What sort of value it is, as the editor lists it."""
        if isinstance(self.sample, WholeBlock):
            return "whole part"
        if isinstance(self.sample, bool):
            return "yes or no"
        if isinstance(self.sample, list):
            return "list"
        if isinstance(self.sample, int):
            return "number"
        return "text"


def _quoted(what: str) -> Placeholder:
    return Placeholder(
        f"a quoted paragraph: {what}, as recorded or as worded in the letter's task",
        WholeBlock(Block("p", text=f"[{what}]", quotes=what.split(" (")[0], key="sample")),
    )


_PLAN = WholeBlock(
    table(
        ["What will be done", "Who will do it", "By when"],
        [("Visit weekly", "Example Police", "1 April 2026")],
    )
)

COMMON: dict[str, Placeholder] = {
    "reference": Placeholder("the case's reference", "CT-2026-00001"),
    "received_on": Placeholder("the date the application was received", "2 March 2026"),
    "letter_date": Placeholder("the letter's date (the day it is sent)", "16 March 2026"),
    "council": Placeholder("the name of the council managing the review", "Example Council"),
    "district": Placeholder("the name of the case's district", "Example Dales"),
    "contact": Placeholder(
        "whom the applicant asks, and how: the officer or office with its phone and email",
        "Alex Smith on 01629 761100 or asb@example.gov.uk",
    ),
    "service_url": Placeholder("the service's web address", "https://asb.example.gov.uk"),
}

_APPEAL_ROUTE: dict[str, Placeholder] = {
    "appeal_to": Placeholder(
        "who hears an appeal, as a sentence names them",
        "the Office of the Police and Crime Commissioner",
    ),
    "appeal_deadline": Placeholder("the last day an appeal is in time", "14 April 2026"),
    "appeal_window": Placeholder("the working days allowed for an appeal", 20),
    "appeal_grounds": Placeholder(
        "the grounds of appeal allowed against this letter, one sentence each",
        ["The threshold decision was wrong."],
    ),
    "appeal_address": Placeholder(
        "where an appeal is sent: the OPCC's name, address, email and phone",
        "Office of the Police and Crime Commissioner, Butterley Hall, Ripley",
    ),
}

_APPEAL: dict[str, Placeholder] = {
    "appeal_recorded": Placeholder("whether an appeal is recorded on the case", True),
    "opcc": Placeholder("the name of the Office of the Police and Crime Commissioner", "the OPCC"),
    "appeal_received_on": Placeholder("the date the appeal was received", "20 March 2026"),
    "appealed_letter_date": Placeholder("the date of the letter appealed against", "16 March 2026"),
}

_NEXT_ROUTES: dict[str, Placeholder] = {
    "next_routes": Placeholder(
        "for each kind of organisation taking part, its complaints procedure and then its "
        "ombudsman (or the IOPC), one sentence each",
        ["Example Police: its own complaints procedure, then the IOPC"],
    ),
}

PLACEHOLDERS: dict[str, dict[str, Placeholder]] = {
    "acknowledgement_letter": {
        "decision_due": Placeholder("the date the threshold decision is due", "16 March 2026"),
        "threshold_count": Placeholder("the area's number of qualifying complaints", 3),
        "bodies": Placeholder(
            "the police, housing and health bodies taking part, by name", ["Example Police"]
        ),
    },
    "threshold_decision_letter": {
        "recorded": Placeholder("whether a threshold decision is recorded", True),
        "declined": Placeholder("whether the application was not accepted", False),
        "met": Placeholder("whether the threshold is met", True),
        "basis": Placeholder(
            "how the decision was made: count, vulnerability, discretion or declined", "count"
        ),
        "decided_on": Placeholder("the date of the decision", "10 March 2026"),
        "decline_ground": Placeholder(
            "why the application was not accepted, as a clause after 'because'", ""
        ),
        "senior_officer": Placeholder(
            "the senior officer who decided on the victim's vulnerability", ""
        ),
        "qualifying_complaints": Placeholder(
            "the qualifying complaints counted, with the word: '3 qualifying complaints'",
            "3 qualifying complaints",
        ),
        "threshold_count": Placeholder("the area's number of qualifying complaints", 3),
        "community_met": Placeholder(
            "whether the community threshold is met where the count alone is not", False
        ),
        "community_individuals": Placeholder(
            "the separate individuals who reported the behaviour, with the word",
            "5 separate individuals",
        ),
        "community_months": Placeholder("the months the community threshold looks back", 6),
        "community_needed": Placeholder("the community threshold's number of individuals", 5),
        "reasons": _quoted("the threshold decision's reasons"),
        "persistence": _quoted("how persistent the behaviour is (empty when not recorded)"),
        "harm": _quoted("the harm or potential harm (empty when not recorded)"),
        "adequacy": _quoted("how adequate the response has been (empty when not recorded)"),
        **_APPEAL_ROUTE,
    },
    "closure_letter": {"reasons": _quoted("the reasons given for closing")},
    "complaint_referral_letter": {
        "complaint_about": Placeholder(
            "the organisation the complaint is about", "Example Housing"
        ),
        "ombudsman": Placeholder(
            "who looks at the complaint after that organisation", "the Housing Ombudsman"
        ),
    },
    "meeting_part_letter": {
        "invited": Placeholder("whether the chair invites the applicant", True),
        "meeting_date": Placeholder("the meeting's date (empty when not set)", "1 April 2026"),
        "taking_part_by": Placeholder(
            "how the applicant said they will take part (empty when they have not said)",
            "come to the meeting in person",
        ),
        "advocate": Placeholder("the applicant's advocate or supporter, when they have one", ""),
        "arrangements": _quoted("the chair's arrangements (empty when none)"),
        "needs": Placeholder("the applicant's communication needs, as they told us", ""),
        "reasons": _quoted("the chair's reasons for not inviting them"),
    },
    "draft_plan_letter": {
        "plan": Placeholder("the draft action plan, as a table", _PLAN),
        "views_due": Placeholder(
            "the date the applicant's views are due (empty when not set)", "8 April 2026"
        ),
    },
    "outcome_letter": {
        "held": Placeholder("whether the case review meeting is recorded as held", True),
        "held_on": Placeholder(
            "the date the meeting was held (empty when not held)", "1 April 2026"
        ),
        "chair": Placeholder("the meeting's chair (empty when not recorded)", "Jo Chair"),
        "bodies": Placeholder("the organisations taking part, by name", ["Example Police"]),
        "findings": _quoted("the findings recorded at the meeting"),
        "recommendations": Placeholder("the recommendations, as a table (empty when none)", _PLAN),
        "views_asked": Placeholder("whether the draft action plan was sent to the applicant", True),
        "views_given": Placeholder("whether the applicant gave their views on it", True),
        "views_due": Placeholder(
            "the date their views were due (empty when not set)", "8 April 2026"
        ),
        "views_considered": Placeholder(
            "what the chair recorded about the applicant's views", "The chair agreed."
        ),
        "updates": _quoted("how the applicant will be kept updated"),
        **_APPEAL_ROUTE,
    },
    "case_closed_letter": {
        "held_on": Placeholder("the date the meeting was held (empty when not recorded)", ""),
        "actions": Placeholder(
            "each action agreed and what happened, as a table (empty when none)",
            WholeBlock(table(["What was agreed", "Who", "What happened"], [("A", "B", "Done")])),
        ),
        "actions_agreed": Placeholder("the actions agreed, with the word: '2 actions'", "1 action"),
        "all_done": Placeholder("whether every action was done", True),
        "appeal_until": Placeholder(
            "the last day of the applicant's time to appeal against the outcome, while it "
            "runs (empty after)",
            "",
        ),
        "outcome_sent_on": Placeholder("the date of the outcome letter", ""),
    },
    "update_letter": {
        "title": Placeholder("the update's title", "Your case review meeting has been arranged"),
        "paragraphs": Placeholder("the update's paragraphs", ["The meeting is on 1 April."]),
    },
    "appeal_acknowledgement_letter": {
        **_APPEAL,
        "grounds_given": Placeholder(
            "the grounds the appeal named, one sentence each", ["The decision was wrong."]
        ),
        "decision_due": Placeholder("the date the appeal's decision is due", "17 April 2026"),
    },
    "appeal_refusal_letter": {
        **_APPEAL,
        "reasons": _quoted("the OPCC's reasons recorded with the check"),
        "appeal_window": Placeholder("the working days allowed for an appeal", 20),
        "appeal_grounds": Placeholder(
            "every ground of appeal, one sentence each", ["The decision was wrong."]
        ),
        **_NEXT_ROUTES,
    },
    "appeal_decision_letter": {
        **_APPEAL,
        "outcome": Placeholder("the appeal's outcome: upheld, not_upheld or empty", "upheld"),
        "reasons": _quoted("the OPCC's reasons recorded with the decision"),
        **_NEXT_ROUTES,
    },
}


def placeholders(kind: str) -> dict[str, Placeholder]:
    """Every placeholder the template of ``kind`` may use, the common ones first."""
    return {**COMMON, **PLACEHOLDERS[kind]}


def _turned(placeholder: Placeholder) -> Any:
    value = placeholder.sample
    if isinstance(value, bool):
        return not value
    if isinstance(value, WholeBlock):
        return WholeBlock()
    if isinstance(value, list):
        return []
    # Text is empty only where its meaning says it may be.
    return "" if isinstance(value, str) and "empty" in placeholder.meaning else value


def sample_cases(kind: str) -> list[tuple[str, Mapping[str, Any]]]:
    """The two sample cases a template of ``kind`` is written on before it is deployed."""
    known = placeholders(kind)
    first = {name: known[name].sample for name in known}
    second = {name: _turned(known[name]) for name in known}
    return [("as listed", first), ("with every yes or no turned round", second)]
