"""The meeting pack: what the chair and the agencies read before the case review meeting.

Marked OFFICIAL-SENSITIVE on every page. Where the case does not yet hold something (no
meeting date, no returns, no recommendations) the pack says so in that place.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from engine.core.clock import LOCAL_ZONE
from engine.documents.content import DECISION_BASES, DECLINE_GROUNDS, PackContent
from engine.documents.word import MARKING, Builder, long_date

BLANK_ATTENDANCE_ROWS = 4


def render_pack(
    content: PackContent, template: Path | None, *, version: int, made: datetime
) -> bytes:
    """The pack as a Word file."""
    out = Builder(template)
    out.properties(
        title=f"ASB Case Review meeting pack {content.reference}",
        subject=f"{MARKING}: ASB Case Review, {content.district}",
        author=content.council,
    )
    out.mark_every_page()
    out.page_numbers(f"{content.reference} meeting pack")

    _cover(out, content, version, made)
    out.heading("Contents", 1)
    contents = out.contents_here()
    out.page_break()

    _terms_of_reference(out, content)
    _applicant(out, content)
    _what_the_applicant_told_us(out, content)
    _applicant_part(out, content)
    _chronology(out, content)
    _returns(out, content)
    _other_bodies(out, content)
    _actions(out, content)
    _risk(out, content)
    _decision(out, content)
    _recommendations(out, content)
    _attendance(out, content)
    _chair_independence(out, content)
    _appendices(out, content)

    out.write_contents(contents)
    return out.save(made)


def _cover(out: Builder, c: PackContent, version: int, made: datetime) -> None:
    # The marking is in every page's header and footer (``mark_every_page``), the cover's too.
    out.paragraph("ASB Case Review (Community Trigger)", style="Title")
    out.paragraph("Meeting pack", style="Subtitle")
    out.labelled("Case reference", c.reference)
    out.labelled("District", c.district)
    out.labelled("Managed by", c.council or "No lead council is recorded for this district")
    out.labelled(
        "Meeting date",
        long_date(c.meeting_date) if c.meeting_date else "No meeting date has been set yet",
    )
    if c.beyond_timescale_reason:
        out.labelled("Later than the area's timescale because", c.beyond_timescale_reason)
    if c.venue:
        out.labelled("Venue", c.venue)
    out.labelled("Chair", c.chair or "No chair has been appointed yet")
    if c.review_number and c.review_number > 1:
        out.labelled("Review", f"Review number {c.review_number} of this case")
    out.labelled("Application received", long_date(c.received_on))
    out.labelled("Pack version", f"{version}, prepared {long_date(made)}")
    out.paragraph(
        "This pack holds personal data shared under Schedule 4 to the Anti-social Behaviour, "
        "Crime and Policing Act 2014 for this case review only. Do not copy or forward it; "
        "keep it securely and destroy it when the review is finished.",
        italic=True,
    )


def _terms_of_reference(out: Builder, c: PackContent) -> None:
    out.heading("Terms of reference", 1, contents=True)
    if c.chronology:
        span = (
            f"between {long_date(c.chronology[0].occurred_on)} and "
            f"{long_date(c.chronology[-1].occurred_on)}"
        )
    else:
        span = "described in the application"
    out.paragraph(
        f"The relevant bodies of {c.district} review how they responded to the anti-social "
        f"behaviour reported by the applicant {span}, under section 104 of the Anti-social "
        "Behaviour, Crime and Policing Act 2014."
    )
    out.paragraph("The meeting will:")
    out.bullets(
        [
            "consider the chronology of incidents and what each agency holds about them;",
            "consider the actions already taken and whether the response was adequate;",
            "consider the risk to and the vulnerability of the victim;",
            "agree recommendations, each with the organisation that owns it and a date;",
            "agree how the applicant will be told the outcome and kept updated.",
        ]
    )
    if c.fresh_review_reasons:
        out.paragraph(
            "This is a fresh review: an appeal to the Office of the Police and Crime "
            "Commissioner was upheld for these reasons:",
            bold=True,
        )
        out.text(c.fresh_review_reasons, missing="No reasons were recorded.")
    out.heading("Taking part", 2)
    if c.participants:
        out.table(["Organisation", "Role"], c.participants, shares=[11.0, 5.6])
    else:
        out.paragraph("No organisations are recorded as taking part yet.", italic=True)


def _applicant(out: Builder, c: PackContent) -> None:
    out.heading("The applicant's account", 1, contents=True)
    out.labelled("Applicant", c.applicant_name or "Not recorded")
    if c.applying_for:
        out.labelled("Applying for", f"{c.applying_for}, with the applicant as its named contact")
    if c.on_behalf:
        out.labelled("Applying on behalf of", c.victim_name or "Not recorded")
        out.labelled("Victim's consent", "Given" if c.victim_consent else "Not given")
    out.labelled("Application made", f"{long_date(c.received_on)} ({c.channel})")
    out.labelled(
        "Hate element", "Yes: flagged and signposted to the police" if c.hate_element else "No"
    )
    if c.hate_element_reason and c.applicant_hate_element is not None:
        out.paragraph(
            f"The applicant said: {_yes_no(c.applicant_hate_element)}. Screening: "
            f"{_yes_no(c.hate_element)}, because {c.hate_element_reason}"
        )
    out.heading("The effect on the victim, in the applicant's words", 2)
    out.text(c.impact, missing="The applicant did not describe the effect on them.")
    reported = [row for row in c.chronology if row.summary]
    out.paragraph(
        f"The application and the agencies' returns list {len(c.chronology)} incident(s); "
        "each is described in the chronology below."
        if reported or c.chronology
        else "No incidents are recorded on this case."
    )


def _what_the_applicant_told_us(out: Builder, c: PackContent) -> None:
    """Where the behaviour happens and who is said to be involved (what the agencies search
    their records by), what the applicant wants, and how to reach them."""
    d = c.details
    out.heading("Where it happens and what the applicant wants", 1, contents=True)
    for title, text, missing in (
        ("Where the behaviour happens", d.place, "The application does not say where."),
        (
            "Who the applicant believes is responsible",
            d.responsible,
            "The applicant did not say who they believe is responsible.",
        ),
        ("Witnesses", d.witnesses, "The applicant named no witnesses."),
        (
            "What the applicant wants to happen",
            d.outcome,
            "The application does not say what the applicant wants to happen.",
        ),
    ):
        out.heading(title, 2)
        out.text(text, missing=missing)
    out.heading("Communicating with the applicant", 2)
    out.labelled("Communication needs or adjustments", d.communication_needs or "None given")
    out.labelled("Letters in", d.letters_in)


def _applicant_part(out: Builder, c: PackContent) -> None:
    out.heading("The applicant's part in the meeting", 1, contents=True)
    part = c.applicant_part
    out.labelled("How they want to take part", part.choice_text)
    if part.choice == "advocate":
        out.labelled(
            "Advocate or supporter", f"{part.advocate_name} ({part.advocate_relationship})"
        )
    out.labelled("Communication needs or adjustments", part.needs or "None given")
    if part.invited is not None:
        out.labelled(
            "The chair's decision",
            "Invited" if part.invited else f"Not invited: {part.not_invited_reasons}",
        )
    if part.statement:
        out.heading("Their written statement", 2)
        out.text(part.statement, missing="")


def _chronology(out: Builder, c: PackContent) -> None:
    out.heading("Chronology of incidents", 1, contents=True)
    if not c.chronology:
        out.paragraph("No incidents are recorded on this case.", italic=True)
        return
    out.paragraph(
        f"{len(c.chronology)} incident(s), in the date order of the behaviour. The same incident "
        "reported to several bodies is shown once. "
        f"{c.qualifying_count} qualify as complaints under the area's rules (reported to a "
        "relevant body within the month beginning with the behaviour, and within the six months "
        "before the application); the area's threshold is "
        f"{c.threshold_count}. Reports to anyone else, and reports staff marked as not about "
        "this behaviour, are shown and do not count."
    )
    out.table(
        [
            "No.",
            "Date of behaviour",
            "Date reported",
            "Reported to",
            "Reference",
            "Summary",
            "Qualifying",
        ],
        (
            (
                row.number,
                long_date(row.occurred_on),
                long_date(row.reported_on),
                row.reported_to,
                row.reference,
                row.summary,
                "Yes" if row.qualifying else f"No: {row.reason}",
            )
            for row in c.chronology
        ),
        shares=[0.9, 2.2, 2.2, 2.8, 2.0, 4.5, 2.0],
    )
    if c.community is not None:
        community = c.community
        out.heading("Linked applications", 2)
        out.paragraph(
            f"The council linked {len(community.applications)} applications as being about "
            f"the same behaviour. {community.individuals} separate individuals reported it to a "
            f"relevant body within {community.months} months; the area's community threshold "
            f"is {community.needed}, so it is {'met' if community.met else 'not met'} by the "
            "community threshold."
        )
        out.table(
            ["Application", "A separate individual who reported it"],
            (
                (item.reference, f"{'Yes' if item.counts else 'No'}: {item.reason}")
                for item in community.applications
            ),
            shares=[4.0, 12.6],
        )
    marked = [(row.number, mark) for row in c.chronology for mark in row.marks]
    if marked:
        out.heading("What staff said counts", 2)
        out.bullets(f"Incident {number}: {mark}" for number, mark in marked)


def _returns(out: Builder, c: PackContent) -> None:
    out.heading("Agency returns", 1, contents=True)
    if not c.returns:
        out.paragraph("No information was requested from the agencies on this case.", italic=True)
        return
    for item in c.returns:
        out.heading(f"{item.organisation} ({item.role})", 2)
        if not item.returned:
            due = f", due {long_date(item.due_on)}" if item.due_on else ""
            out.paragraph(f"This agency has not sent its return yet{due}.", italic=True)
            continue
        out.labelled(
            "Returned",
            long_date(item.returned_on) + (f" by {item.returned_by}" if item.returned_by else ""),
        )
        out.labelled("Incidents it holds", f"{item.incidents} (shown in the chronology)")
        # Its actions are under "Actions already taken", with every agency's, once.
        out.heading("Its view of the case", 3)
        out.text(item.view, missing="None recorded.")
        if item.appendices:
            out.labelled("Attached", ", ".join(f"Appendix {number}" for number in item.appendices))


def _other_bodies(out: Builder, c: PackContent) -> None:
    # Only where the council asked: most cases need the relevant bodies' returns alone.
    if not c.other_bodies:
        return
    out.heading("Information from other public bodies", 1, contents=True)
    for item in c.other_bodies:
        out.heading(item.body, 2)
        out.labelled("Asked under", item.legal_basis)
        out.heading("What was asked", 3)
        out.text(item.asked, missing="None recorded.")
        if not item.answered:
            out.paragraph(
                f"This body has not answered yet, due {long_date(item.due_on)}.", italic=True
            )
            continue
        out.labelled("Answered", long_date(item.answered_on) if item.answered_on else "")
        out.heading("Its answer", 3)
        out.text(item.answer, missing="None recorded.")
        if item.appendices:
            out.labelled("Attached", ", ".join(f"Appendix {number}" for number in item.appendices))


def _actions(out: Builder, c: PackContent) -> None:
    out.heading("Actions already taken", 1, contents=True)
    taken = [item for item in c.returns if item.returned and item.actions_taken.strip()]
    if not taken:
        out.paragraph("No agency has recorded actions taken so far.", italic=True)
        return
    for item in taken:
        out.heading(item.organisation, 2)
        out.text(item.actions_taken, missing="None recorded.")


def _risk(out: Builder, c: PackContent) -> None:
    out.heading("Risk and vulnerability", 1, contents=True)
    d = c.decision
    said = _assessment(out, c)
    if c.hate_element:
        out.paragraph(
            "A hate element was identified: the applicant was signposted to the police "
            "(101, or 999 in an emergency)."
        )
        said = True
    if d.basis == "vulnerability":
        out.paragraph(
            "The threshold was decided as met for a vulnerable victim"
            + (f" by {d.senior_officer}." if d.senior_officer else ".")
        )
        said = True
    if d.harm.strip():
        out.heading("Harm or potential harm", 2)
        out.text(d.harm, missing="")
        said = True
    if c.on_behalf:
        out.paragraph(f"The application was made on behalf of {c.victim_name or 'the victim'}.")
    if not said:
        out.paragraph(
            "No risk or vulnerability has been recorded on this case; agencies should bring "
            "what they know to the meeting.",
            italic=True,
        )


def _yes_no(answer: bool) -> str:
    return "yes" if answer else "no"


def _assessment(out: Builder, c: PackContent) -> bool:
    """The council's risk and vulnerability assessment: its level, when and by whom, and the
    answers it was given; whether there was one."""
    risk = c.risk
    if risk is None:
        return False
    out.labelled("Level of risk", risk.level_name)
    day = date.fromisoformat(risk.assessed_on) if risk.assessed_on else None
    assessed = long_date(day, missing="on a date not kept")
    out.labelled("Assessed", f"{assessed} by {risk.assessed_by or 'the council'}")
    if risk.high_because:
        out.paragraph("High whatever the score, for " + " and for ".join(risk.high_because) + ".")
    for question, answer in risk.answers:
        out.labelled(question, answer)
    if risk.notes.strip():
        out.heading("Notes for the chair", 2)
        out.text(risk.notes, missing="")
    return True


def _decision(out: Builder, c: PackContent) -> None:
    out.heading("Threshold decision", 1, contents=True)
    d = c.decision
    if not d.recorded and d.senior_officer:
        out.paragraph(
            "A vulnerable victim decision"
            + (f" recorded by {d.decided_by}" if d.decided_by else "")
            + f" is waiting for {d.senior_officer}, the senior officer it names, to confirm it.",
            italic=True,
        )
        return
    if not d.recorded:
        out.paragraph("No threshold decision has been recorded yet.", italic=True)
        return
    outcome = "Declined" if d.basis == "declined" else ("Met" if d.met else "Not met")
    out.labelled("Decision", outcome)
    out.labelled("Basis", DECISION_BASES.get(d.basis, d.basis))
    out.labelled(
        "Decided",
        long_date(d.decided_on) + (f" by {d.decided_by}" if d.decided_by else ""),
    )
    out.labelled(
        "Qualifying complaints",
        f"{c.qualifying_count} (the area's threshold is {c.threshold_count})",
    )
    if d.decline_ground:
        out.labelled("Declined because", DECLINE_GROUNDS.get(d.decline_ground, d.decline_ground))
    if d.senior_officer:
        confirmed = d.senior_officer_confirmed_at
        out.labelled(
            "Senior officer",
            d.senior_officer
            + (
                f", who confirmed it on {long_date(confirmed.astimezone(LOCAL_ZONE))}"
                if confirmed
                else " (named on the decision; no confirmation was recorded)"
            ),
        )
    out.heading("Reasons", 2)
    if d.basis == "count" and not d.reasons.strip():
        out.paragraph(
            f"There were {c.qualifying_count} qualifying complaints, at or above the area's "
            f"count of {c.threshold_count}: the threshold is met by law."
        )
    else:
        out.text(d.reasons, missing="No reasons were recorded.")
    for title, text in (
        ("Persistence of the behaviour", d.persistence),
        ("Harm or potential harm", d.harm),
        ("Adequacy of the response so far", d.adequacy),
    ):
        if text.strip():
            out.heading(title, 3)
            out.text(text, missing="")


def _recommendations(out: Builder, c: PackContent) -> None:
    out.heading("Draft recommendations", 1, contents=True)
    if not c.recommendations:
        out.paragraph(
            "No recommendations have been recorded yet: the meeting agrees them, each with the "
            "organisation that owns it and a date.",
            italic=True,
        )
        return
    out.table(
        ["No.", "Action", "Owner", "Due", "Status"],
        (
            (n, r.action, r.organisation, long_date(r.due_date), r.status)
            for n, r in enumerate(c.recommendations, start=1)
        ),
        shares=[1.0, 7.6, 3.6, 2.6, 1.8],
    )


def _attendance(out: Builder, c: PackContent) -> None:
    out.heading("Attendance", 1, contents=True)
    out.paragraph("To be completed at the meeting.")
    rows = [("", c.chair or "", "Review chair", "")]
    rows += [("", name, role, "") for name, role in c.participants if role != "Review chair"]
    rows += [("", "", "", "")] * BLANK_ATTENDANCE_ROWS
    out.table(["Name", "Organisation", "Role", "Present"], rows, shares=[5.0, 6.0, 3.6, 2.0])


def _chair_independence(out: Builder, c: PackContent) -> None:
    """Whether the chair is independent of the case (the guidance recommends it), a
    manager's reason for a chair who is not, and the chair's declaration of interests."""
    out.heading("The chair's independence", 2)
    standing = c.chair_standing
    if standing is None:
        out.paragraph("No chair has been appointed yet.", italic=True)
        return
    if standing.independent is None:
        out.labelled("Independent of the case", "Not recorded: appointed before it was asked")
    elif standing.independent:
        out.labelled("Independent of the case", f"Yes: {standing.body} takes no part in it")
    else:
        out.labelled(
            "Independent of the case",
            f"No: {' and '.join(standing.taking_part)} takes part in it",
        )
        out.labelled(
            "Appointed by a manager",
            f"{standing.reason_by}, {long_date(standing.reason_at.astimezone(LOCAL_ZONE))}"
            if standing.reason_at
            else standing.reason_by,
        )
        out.paragraph("The manager's reason:", bold=True)
        out.text(standing.reason, missing="No reason was recorded.")
    declared = standing.declaration
    if declared is None:
        out.labelled("Conflict of interest", "The chair has not declared yet")
        return
    out.labelled("Conflict of interest", "Declared" if declared.conflict else "None declared")
    if declared.conflict:
        out.text(declared.details, missing="No details were given.")
    when = f"{declared.declared_by}, {long_date(declared.declared_at.astimezone(LOCAL_ZONE))}"
    if declared.after_meeting:
        when += ", after the meeting (the meeting stands as it was held)"
    out.labelled("Declared by", when)


def _appendices(out: Builder, c: PackContent) -> None:
    out.heading("Appendices", 1, contents=True)
    if not c.appendices:
        out.paragraph(
            "No agency attached files to its return, nor any other body to its answer.",
            italic=True,
        )
        return
    out.paragraph(
        "Files the agencies attached to their returns, and other public bodies to their "
        "answers. They come with this pack in the "
        'download "meeting pack with appendices"; the sha256 lets a reader check a copy.'
    )
    out.table(
        ["Appendix", "File", "From", "Received", "Size", "sha256"],
        (
            (
                a.number,
                a.filename,
                a.organisation,
                long_date(a.uploaded_on),
                _size(a.size),
                a.sha256[:16],
            )
            for a in c.appendices
        ),
        shares=[1.8, 4.8, 3.6, 2.6, 1.6, 2.2],
    )


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
