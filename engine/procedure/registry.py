"""The registry of what each step means: for every form a diagram's user task may name, what
completing it records, the letter it sends, the case status it sets, and what is prepared
when it becomes ready.

The diagrams decide the order of work and who does it; this table decides what the work
means. A new form goes here (with its JSON Schema in ``workflows/forms/``); a user task
naming a form this table does not know is refused when its diagram is deployed, and the
editor shows process owners the forms this table knows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine.procedure import (
    appeal_steps,
    applicant_part_steps,
    application_steps,
    follow_up_steps,
    review_steps,
    risk_steps,
    senior_officer_steps,
)
from engine.procedure.step import Check, Completion, Preparation


@dataclass(frozen=True)
class SentLetter:
    """The letter a form sends to the applicant when its task is completed."""

    kind: str
    # The workflow value keeping the day the letter was sent, which it is dated: the steps
    # and due rules after it count from it. No one types it.
    date_answer: str
    # Values of the workflow the letter also needs, beside the answers.
    from_workflow: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormMeaning:
    form: str
    # What completing it does, in a sentence for process owners.
    does: str
    complete: Completion | None = None
    # The step's own rules, told with the form's problems (``complete`` applies them again).
    check: Check | None = None
    letter: SentLetter | None = None
    # The case's status from when a task with this form becomes ready.
    case_status: str | None = None
    when_ready: Preparation | None = None
    # Letters the step writes itself (when it becomes ready, say), rather than on completion.
    may_send: tuple[str, ...] = ()


_MEANINGS = (
    FormMeaning(
        "acknowledgement",
        "Names whoever completes it the applicant's single point of contact (unless one is "
        "named already), keeps the day the application was acknowledged for the oversight "
        "figures, and sends the applicant the acknowledgement letter.",
        complete=application_steps.acknowledge,
        letter=SentLetter("acknowledgement_letter", "acknowledged_on"),
    ),
    FormMeaning(
        "screening",
        "Records whether the application goes to review, waits for the victim's consent or "
        "is a complaint, and any hate element; an answer other than the applicant's own is "
        "kept beside it with its reason, and audited.",
        complete=application_steps.record_screening,
        check=application_steps.screening_problems,
        case_status="screening",
    ),
    FormMeaning(
        "consent",
        "Records whether the victim agreed to the application made for them.",
        complete=application_steps.record_consent,
    ),
    FormMeaning(
        "closure_letter",
        "Sends the applicant the letter closing the application.",
        letter=SentLetter("closure_letter", "letter_sent_on"),
    ),
    FormMeaning(
        "complaint_referral",
        "Sends the applicant the letter referring a complaint to the body it is about.",
        complete=application_steps.check_complaint_route,
        check=application_steps.complaint_route_problems,
        letter=SentLetter(
            "complaint_referral_letter",
            "letter_sent_on",
            from_workflow=("complaint_organisation",),
        ),
    ),
    FormMeaning(
        "information_return",
        "Adds the agency's incidents to the case; each request is audited with its legal basis.",
        complete=application_steps.record_return,
        case_status="awaiting_information",
        when_ready=application_steps.record_information_request,
    ),
    FormMeaning(
        "risk_assessment",
        "Records the risk and vulnerability assessment's answers and the level they give "
        "(standard, medium or high) on the case; a high risk shortens the area's timescales "
        "for the tasks that follow. The screening's hate element is filled in.",
        complete=risk_steps.record_risk,
        check=risk_steps.risk_problems,
        when_ready=risk_steps.suggest_hate_element,
    ),
    FormMeaning(
        "threshold_decision",
        "Records whether the threshold is met, and on what basis; met by the count of "
        "qualifying complaints, it cannot be recorded otherwise. A vulnerable victim decision "
        "names a manager of the managing council as its senior officer, and is recorded when "
        "they confirm it (at once, if they record it themselves).",
        complete=application_steps.record_decision,
        check=application_steps.decision_problems,
        case_status="threshold_decision",
        when_ready=application_steps.suggest_decision,
    ),
    FormMeaning(
        senior_officer_steps.CONFIRMATION_FORM,
        "Goes to the senior officer named in a vulnerable victim decision, who confirms it "
        "(the threshold is then recorded as met) or not (the council decides again).",
        complete=senior_officer_steps.record_confirmation,
        check=senior_officer_steps.confirmation_problems,
        when_ready=senior_officer_steps.give_to_the_senior_officer,
    ),
    FormMeaning(
        "decision_letter",
        "Sends the applicant the threshold decision letter; after a senior officer's "
        "confirmation, it goes back to whoever recorded the decision.",
        letter=SentLetter("threshold_decision_letter", "sent_on"),
        when_ready=senior_officer_steps.back_to_who_decided,
    ),
    FormMeaning(
        "schedule_meeting",
        "Arranges the review meeting: its chair joins the case (one from an organisation "
        "taking part in it only with a manager's reason), and the applicant is told its date.",
        complete=review_steps.schedule_meeting,
        check=review_steps.meeting_problems,
        case_status="review_being_arranged",
    ),
    FormMeaning(
        "meeting_invitation",
        "Records the chair's decision on inviting the applicant to the meeting (reasons when "
        "not) and sends them the letter saying so.",
        complete=applicant_part_steps.decide_invitation,
        letter=SentLetter("meeting_part_letter", "sent_on"),
    ),
    FormMeaning("returns_check", "Confirms the agencies' returns are in; records nothing more."),
    FormMeaning("meeting_pack", "Confirms the meeting pack is ready; records nothing more."),
    FormMeaning(
        "meeting_record",
        "Records the meeting held, whether the applicant took part, and its recommendations, "
        "each an action for an agency.",
        complete=review_steps.record_meeting,
        check=review_steps.record_problems,
    ),
    FormMeaning(
        "applicant_views",
        "Sends the applicant the draft action plan when the wait for their views begins; "
        "records their views given by letter or telephone (views given on their own pages "
        "end the wait without it).",
        complete=applicant_part_steps.record_views,
        when_ready=applicant_part_steps.share_draft_plan,
        may_send=(applicant_part_steps.DRAFT_PLAN_LETTER,),
    ),
    FormMeaning(
        "final_action_plan",
        "Records how the chair considered the applicant's views; the outcome letter says it.",
        complete=applicant_part_steps.finalise_plan,
    ),
    FormMeaning(
        "outcome_letter",
        "Sends the applicant the outcome letter, whose date starts the appeal window.",
        complete=review_steps.record_outcome_letter,
        letter=SentLetter("outcome_letter", "sent_on"),
        case_status="review_held",
    ),
    FormMeaning(
        "action_update",
        "Records how an agency's action from the review stands, and tells the applicant.",
        complete=review_steps.record_action,
        case_status="action_plan",
    ),
    FormMeaning(
        "appeal_acknowledgement",
        "Sends the applicant the OPCC's acknowledgement of the appeal.",
        letter=SentLetter("appeal_acknowledgement_letter", "acknowledged_on"),
        case_status="appeal_lodged",
    ),
    FormMeaning(
        "appeal_eligibility",
        "Records whether the appeal can be heard; the rules' answer is suggested.",
        complete=appeal_steps.check_eligibility,
        check=appeal_steps.eligibility_problems,
        when_ready=appeal_steps.suggest_eligibility,
    ),
    FormMeaning(
        "appeal_refusal",
        "Sends the applicant the letter saying the appeal cannot be heard.",
        letter=SentLetter("appeal_refusal_letter", "sent_on"),
    ),
    FormMeaning(
        "case_file",
        "Confirms the OPCC has the case file (sent on a date not in the future); records "
        "nothing more.",
        complete=appeal_steps.sent_not_in_future,
    ),
    FormMeaning(
        "appeal_decision",
        "Records the OPCC's decision on the appeal; upheld, a fresh review follows.",
        complete=appeal_steps.record_appeal_decision,
    ),
    FormMeaning(
        "appeal_decision_letter",
        "Sends the applicant the OPCC's decision letter, and records the day the council was "
        "told (not in the future).",
        complete=appeal_steps.sent_not_in_future,
        letter=SentLetter("appeal_decision_letter", "applicant_told_on"),
    ),
    FormMeaning(
        "further_action",
        "Goes to the applicant's single point of contact when a check-in after closure says "
        "the behaviour is still happening; records what they decided.",
        when_ready=follow_up_steps.give_to_the_contact,
    ),
)
FORMS: Mapping[str, FormMeaning] = {meaning.form: meaning for meaning in _MEANINGS}
# What a form the registry does not know means: nothing (the runtime alone, in tests).
NOTHING = FormMeaning("", "")


def meaning_of(form: str) -> FormMeaning:
    return FORMS.get(form, NOTHING)


# Letters no form sends: the service writes them itself as the case moves on (an update
# between letters, for an applicant who has letters; the closing of the case when its review
# ends).
CASE_CLOSED_LETTER = "case_closed_letter"
UNPROMPTED_LETTERS = ("update_letter", CASE_CLOSED_LETTER)


def letters() -> dict[str, SentLetter]:
    """Each form that sends a letter, and the letter."""
    return {form: meaning.letter for form, meaning in FORMS.items() if meaning.letter}
