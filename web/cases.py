"""The case page: everything this agency may see about one case, and its process diagram."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from engine.core.errors import Conflict, InvalidData, NotAllowed, NotFound
from engine.people.access import LONGEST_REASON, SHORTEST_REASON, is_justified
from engine.review.declarations import declare, may_declare
from engine.review.information_requests import information_on_case
from engine.review.reviews import change_chair, may_change_chair, new_chair_offers
from engine.work.applicant_codes import NewWayIn, give_applicant_a_way_in, may_give_a_way_in
from engine.work.case_contact import change_contact, contact_choices
from engine.work.case_links import link_case, may_link, unlink_case
from engine.work.case_view import case_summary, justify_reading
from engine.work.check_ins import record_given_answer, records_answers
from engine.work.diagrams import process_diagram
from engine.work.report_marks import may_mark_reports
from web.context import current_user, db, sentence, sign_in_required, signed_in_user

blueprint = Blueprint("cases", __name__)


@blueprint.get("/cases/<reference>")
@sign_in_required
def show(reference: str) -> str:
    return _page(reference)


def _page(
    reference: str,
    *,
    chair_errors: dict[str, str] | None = None,
    chair_email: str = "",
    chair_reason: str = "",
    declaration: dict[str, Any] | None = None,
    new_code: NewWayIn | None = None,
    contact_error: str | None = None,
    check_in_form: dict[str, Any] | None = None,
    link_error: str | None = None,
    link_other: str = "",
) -> str:
    user = signed_in_user()
    with db().transaction() as s:
        try:
            case = case_summary(
                s, user, reference, purpose="case page", reason=_reason_given(reference)
            )
        except NotFound:
            if user.has_role("administrator"):
                return _reason_page(reference)
            abort(404)
        chair_changeable = may_change_chair(s, user, reference)
        offers = new_chair_offers(s, user, reference) if chair_changeable else []
        declares = may_declare(s, user, reference)
        gives_a_way_in = may_give_a_way_in(s, user, reference)
        officers = contact_choices(s, user, reference)
        records_check_ins = records_answers(s, user, reference)
        marks_reports = may_mark_reports(s, user, reference)
        links = may_link(s, user, reference)
        information = information_on_case(s, user, reference, reason=_reason_given(reference))
    return render_template(
        "case.html",
        case=case,
        chair_changeable=chair_changeable,
        chair_offers=offers,
        chair_errors=chair_errors or {},
        chair_email=chair_email,
        chair_reason=chair_reason,
        declares=declares,
        declaration=declaration or {"answers": {}, "errors": {}},
        gives_a_way_in=gives_a_way_in,
        new_code=new_code,
        officers=officers,
        marks_reports=marks_reports,
        links=links,
        link_error=link_error,
        link_other=link_other,
        contact_error=contact_error,
        records_check_ins=records_check_ins,
        check_in_form=check_in_form or {},
        information=information,
    )


@blueprint.post("/cases/<reference>/applicant-code")
@sign_in_required
def applicant_code(reference: str) -> str | Response:
    """The council gives the applicant a new way into their case: a link by email, or a code
    shown once, to read to them."""
    try:
        with db().transaction() as s:
            given = give_applicant_a_way_in(s, signed_in_user(), reference)
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except Conflict as refused:
        flash(sentence(refused), "error")
        return redirect(url_for("cases.show", reference=reference))
    if given.channel == "email":
        flash("We have emailed the applicant a new sign-in link")
        return redirect(url_for("cases.show", reference=reference))
    return _page(reference, new_code=given)


@blueprint.post("/cases/<reference>/link")
@sign_in_required
def link(reference: str) -> tuple[str, int] | Response:
    """The managing council links the application to another about the same behaviour."""
    other = request.form.get("other", "")
    try:
        with db().transaction() as s:
            lead = link_case(s, signed_in_user(), reference, other)
            linked_to = lead.reference
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except Conflict as refused:
        flash(sentence(refused), "error")
        return redirect(url_for("cases.show", reference=reference))
    except InvalidData as refused:
        return _page(reference, link_error=refused.fields["other"], link_other=other), 400
    flash(f"Linked with {linked_to}: the community threshold counts across them")
    return redirect(url_for("cases.show", reference=reference, _anchor="linked"))


@blueprint.post("/cases/<reference>/unlink")
@sign_in_required
def unlink(reference: str) -> Response:
    """The managing council takes the application out of its linked group."""
    try:
        with db().transaction() as s:
            unlink_case(s, signed_in_user(), reference)
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except Conflict as refused:
        flash(sentence(refused), "error")
        return redirect(url_for("cases.show", reference=reference))
    flash("The application is no longer linked to the others")
    return redirect(url_for("cases.show", reference=reference, _anchor="linked"))


@blueprint.post("/cases/<reference>/contact")
@sign_in_required
def new_contact(reference: str) -> tuple[str, int] | Response:
    """A manager of the council managing the case names the applicant's contact."""
    chosen = request.form.get("contact", "").strip()
    try:
        with db().transaction() as s:
            officer = change_contact(
                s, signed_in_user(), reference, int(chosen) if chosen.isdigit() else None
            )
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except Conflict as refused:
        flash(sentence(refused), "error")
        return redirect(url_for("cases.show", reference=reference))
    except InvalidData as refused:
        return _page(reference, contact_error=refused.fields.get("contact", str(refused))), 400
    flash(f"{officer.name} is now the applicant's contact, and has been told")
    return redirect(url_for("cases.show", reference=reference, _anchor="summary"))


@blueprint.post("/cases/<reference>/check-ins/<int:check_in_id>")
@sign_in_required
def check_in_answer(reference: str, check_in_id: int) -> tuple[str, int] | Response:
    """The council records the applicant's answer to a check-in after closure, given by
    telephone or letter."""
    answers = {field: request.form.get(field, "") for field in ("still_happening", "comment")}
    try:
        with db().transaction() as s:
            check_in = record_given_answer(s, signed_in_user(), reference, check_in_id, answers)
            still_happening = bool(check_in.still_happening)
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except Conflict as refused:
        flash(sentence(refused), "error")
        return redirect(url_for("cases.show", reference=reference, _anchor="check-ins"))
    except InvalidData as refused:
        form = {"id": check_in_id, "answers": answers, "errors": refused.fields}
        return _page(reference, check_in_form=form), 400
    flash(
        "The applicant's answer is recorded. As the behaviour is still happening, their "
        "contact has a task to consider further action"
        if still_happening
        else "The applicant's answer is recorded"
    )
    return redirect(url_for("cases.show", reference=reference, _anchor="check-ins"))


@blueprint.post("/cases/<reference>/chair")
@sign_in_required
def new_chair(reference: str) -> tuple[str, int] | Response:
    """A manager of the council managing the review gives it another chair."""
    chair_email = request.form.get("chair_email", "").strip()
    # Kept as typed, with a browser's two-character line breaks made one.
    chair_reason = request.form.get("chair_reason", "").replace("\r\n", "\n")
    try:
        with db().transaction() as s:
            chair = change_chair(s, signed_in_user(), reference, chair_email, chair_reason)
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except Conflict as refused:
        flash(sentence(refused), "error")
        return redirect(url_for("cases.show", reference=reference))
    except InvalidData as refused:
        errors = dict(refused.fields) or {"chair_email": str(refused)}
        page = _page(
            reference, chair_errors=errors, chair_email=chair_email, chair_reason=chair_reason
        )
        return page, 400
    flash(f"{chair.name} now chairs the review, and the meeting's record is theirs to complete")
    return redirect(url_for("cases.show", reference=reference, _anchor="reviews"))


@blueprint.post("/cases/<reference>/chair-declaration")
@sign_in_required
def chair_declaration(reference: str) -> tuple[str, int] | Response:
    """The review's chair declares whether they have a conflict of interest with the case's
    agencies; they may declare again later."""
    answers = {
        "conflict": request.form.get("conflict", ""),
        "conflict_details": request.form.get("conflict_details", "").replace("\r\n", "\n"),
    }
    try:
        with db().transaction() as s:
            made = declare(s, signed_in_user(), reference, answers)
            after_meeting = made.after_meeting
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except InvalidData as refused:
        form = {"answers": answers, "errors": dict(refused.fields)}
        return _page(reference, declaration=form), 400
    flash(
        "Your declaration is recorded, as made after the meeting: the meeting stands as held"
        if after_meeting
        else "Your declaration is recorded"
    )
    return redirect(url_for("cases.show", reference=reference, _anchor="chair-declaration"))


@blueprint.post("/cases/<reference>/reason")
@sign_in_required
def give_reason(reference: str) -> tuple[str, int] | Response:
    """An administrator says why they need to read a case; the reason goes in the audit trail."""
    user = current_user()
    # A browser sends a line break as two characters; the page's counter counts one.
    reason = request.form.get("reason", "").replace("\r\n", "\n").strip()
    if user is None or not user.has_role("administrator"):
        abort(404)
    error = None
    if not is_justified(user, reason):
        error = f"Say why you need to read this case, in at least {SHORTEST_REASON} characters"
    elif len(reason) > LONGEST_REASON:
        # It is kept in the audit trail and, while the case is read, in the session's cookie.
        error = f"Say why you need to read this case in {LONGEST_REASON} characters or fewer"
    if error:
        return _reason_page(reference, error, reason), 400
    with db().transaction() as s:
        try:
            justify_reading(s, user, reference, reason)
        except NotFound:
            abort(404)
    session["case_reasons"] = {**session.get("case_reasons", {}), reference: reason}
    return redirect(url_for("cases.show", reference=reference))


def _reason_page(reference: str, error: str | None = None, reason: str = "") -> str:
    return render_template(
        "reason.html",
        question=f"Why do you need to read case {reference}?",
        action=url_for("cases.give_reason", reference=reference),
        hint="Administrators read cases only with a reason. Your reason is kept in the case’s "
        "audit trail with every page you open.",
        error=error,
        reason=reason,
        longest_reason=LONGEST_REASON,
    )


def _reason_given(reference: str) -> str | None:
    return session.get("case_reasons", {}).get(reference)


@blueprint.get("/cases/<reference>/processes/<int:instance_id>/diagram.json")
@sign_in_required
def diagram(reference: str, instance_id: int) -> Response:
    with db().read() as s:
        try:
            drawn = process_diagram(
                s, signed_in_user(), reference, instance_id, reason=_reason_given(reference)
            )
        except NotFound:
            abort(404)
    response = jsonify(
        name=drawn.name,
        version=drawn.version,
        xml=drawn.bpmn_xml,
        completed=drawn.completed,
        active=drawn.active,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
