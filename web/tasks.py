"""The task page: its form drawn from the task's JSON Schema, drafts, files and hand-overs."""

from __future__ import annotations

import io
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from sqlalchemy import select

from engine.core.errors import Conflict, InvalidData, NotAllowed, NotFound, ProcessFailed
from engine.core.forms import load_form
from engine.core.models import LIVE_TASK_STATES, CaseParticipant, Organisation, Task, User
from engine.people.access import visible_task
from engine.procedure.steps import ACTION_ROLES
from engine.records.attachments import (
    attach_file,
    open_attachment,
    remove_attachment,
    task_attachments,
)
from engine.work import task_view
from engine.work.case_view import case_summary
from web.context import current_user, db, settings, sign_in_required, whole_number
from web.schema_forms import SchemaForm, apply_list_action, error_summary

blueprint = Blueprint("tasks", __name__)
# Why answers were not kept as a draft: from a form, only their size can be wrong.
TOO_LONG_TO_KEEP = (
    f"Your answers are too long to keep (at most {task_view.MAX_DRAFT_BYTES // 1024} KB in "
    "all) and were not saved: shorten them, then save or complete the task"
)


def _form_for(task: Task, session: Any) -> SchemaForm:
    """The task's form, with the case's own agencies to choose an action's owner from."""
    organisations = [
        (key, name)
        for key, name in session.execute(
            select(Organisation.key, Organisation.name)
            .join(CaseParticipant, CaseParticipant.organisation_id == Organisation.id)
            .where(CaseParticipant.case_id == task.case_id, CaseParticipant.role.in_(ACTION_ROLES))
            .distinct()
            .order_by(Organisation.name)
        )
    ]
    return SchemaForm(
        load_form(settings().forms_dir, task.form),
        choices={"recommendations[].organisation": organisations},
    )


def _page(
    task_id: int,
    *,
    data: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    file_error: str = "",
    status: int = 200,
) -> tuple[str, int]:
    user = current_user()
    errors = errors or {}
    with db().transaction() as s:
        try:
            task = visible_task(s, user, task_id)
        except NotFound:
            abort(404)
        context = case_summary(s, user, task.case.reference, purpose=f"task {task_id}")
        form = _form_for(task, s)
        finished = task.state not in LIVE_TASK_STATES
        actions = task_view.allowed_actions(user, task)
        may_work = actions["complete"]
        # Answers sent but refused where the form is no longer theirs to fill in (the task
        # taken or finished by someone else): shown apart from the task's own, to copy.
        unsaved = []
        if data is not None and (finished or not may_work):
            unsaved = form.copy_fields(data)
            data = None
        if data is None:
            data = (task.data if finished else task.draft) or {}
        fields = form.fields(data, errors)
        colleagues = []
        if actions["reassign"]:
            colleagues = [
                (u.id, u.name)
                for u in s.scalars(
                    select(User)
                    .where(User.organisation_id == user.organisation_id, User.active.is_(True))
                    .order_by(User.name)
                )
                if task.is_for(u)
            ]
        # A review chair's task is the chair's alone, not their organisation's.
        person = next((c.user_id for c in task.candidates if c.user_id), None)
        only_person = s.get(User, person).name if person else ""
        organisations = " or ".join(
            s.scalars(
                select(Organisation.name)
                .where(Organisation.id.in_(task.organisation_ids))
                .order_by(Organisation.name)
            )
        )
        listed = error_summary(fields, errors)
        if file_error:
            listed.append({"text": file_error, "href": "#file"})
        page = render_template(
            "task.html",
            task=task,
            context=context,
            form=form,
            fields=fields,
            error_list=listed,
            file_error=file_error,
            finished=finished,
            unsaved=unsaved,
            may_work=may_work,
            colleagues=colleagues,
            reassign_error=errors.get("user_id", ""),
            organisations=organisations,
            only_person=only_person,
            attachments=task_attachments(s, task.id),
        )
    return page, status


@blueprint.get("/tasks/<int:task_id>")
@sign_in_required
def show(task_id: int) -> tuple[str, int]:
    return _page(task_id)


@blueprint.post("/tasks/<int:task_id>")
@sign_in_required
def act(task_id: int) -> tuple[str, int] | Response:
    user = current_user()
    action = request.form.get("action", "draft")
    data: dict[str, Any] | None = None
    try:
        if action in ("claim", "release"):
            handover = task_view.claim_task if action == "claim" else task_view.release_task
            task = handover(db(), task_id, user)
            flash(f"You {'claimed' if action == 'claim' else 'released'} '{task.title}'")
            return redirect(url_for("tasks.show", task_id=task_id))
        with db().read() as s:
            form = _form_for(visible_task(s, user, task_id), s)
        data = form.read(request.form)
        if action == "complete":
            return _complete(task_id, user, data)
        apply_list_action(data, action)
        task_view.save_draft(db(), task_id, user, data)
        if action == "draft":
            flash("Your answers are saved as a draft")
        anchor = action.split(":")[1].split("[")[0] if ":" in action else ""
        return redirect(url_for("tasks.show", task_id=task_id, _anchor=anchor or None))
    except NotFound:
        abort(404)
    # What was typed is shown again with the reason it was not kept, so it can be copied.
    except NotAllowed as refused:
        return _page(task_id, data=data, errors={"": str(refused)}, status=403)
    except Conflict as refused:
        return _page(task_id, data=data, errors={"": str(refused)}, status=409)
    except InvalidData:
        return _page(task_id, data=data, errors={"": TOO_LONG_TO_KEEP}, status=400)
    except ProcessFailed as failed:
        # The diagram could not go on (for the process owners to mend): nothing was kept.
        current_app.logger.error("task %s: the process could not move on: %s", task_id, failed)
        stuck = f"The process could not move on, so nothing was saved: {failed}"
        return _page(task_id, data=data, errors={"": stuck}, status=500)


def _complete(task_id: int, user: User, data: dict[str, Any]) -> tuple[str, int] | Response:
    try:
        result = task_view.complete_task(db(), task_id, user, data, forms_dir=settings().forms_dir)
    except InvalidData as refused:
        # Nothing typed is lost: the answers are kept as a draft while they are corrected.
        errors = dict(refused.fields)
        try:
            task_view.save_draft(db(), task_id, user, data)
        except InvalidData:
            errors[""] = TOO_LONG_TO_KEEP
        return _page(task_id, data=data, errors=errors, status=400)
    flash(f"'{result.task.title}' is complete")
    return redirect(url_for("inbox.index"))


@blueprint.post("/tasks/<int:task_id>/reassign")
@sign_in_required
def reassign(task_id: int) -> tuple[str, int] | Response:
    user = current_user()
    try:
        colleague = whole_number(request.form.get("user_id")) or 0
        task = task_view.reassign_task(db(), task_id, user, colleague)
    except NotFound:
        abort(404)
    except NotAllowed as refused:
        return _page(task_id, errors={"": str(refused)}, status=403)
    except Conflict as refused:
        return _page(task_id, errors={"": str(refused)}, status=409)
    except InvalidData as refused:
        return _page(task_id, errors=refused.fields, status=400)
    flash(f"'{task.title}' is reassigned")
    return redirect(url_for("tasks.show", task_id=task_id))


@blueprint.post("/tasks/<int:task_id>/attachments")
@sign_in_required
def upload(task_id: int) -> tuple[str, int] | Response:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(task_id, file_error="Select a file to attach", status=400)
    try:
        attach_file(db(), task_id, current_user(), upload.filename, upload.read())
    except NotFound:
        abort(404)
    except NotAllowed as refused:
        return _page(task_id, file_error=str(refused), status=403)
    except InvalidData as refused:
        return _page(task_id, file_error=refused.fields.get("file", str(refused)), status=400)
    except Conflict as refused:
        return _page(task_id, file_error=str(refused), status=409)
    flash(f"'{upload.filename}' is attached")
    return redirect(url_for("tasks.show", task_id=task_id, _anchor="files"))


@blueprint.post("/tasks/<int:task_id>/attachments/<int:attachment_id>/remove")
@sign_in_required
def remove_file(task_id: int, attachment_id: int) -> tuple[str, int] | Response:
    try:
        remove_attachment(db(), attachment_id, current_user())
    except NotFound:
        abort(404)
    except NotAllowed as refused:
        return _page(task_id, file_error=str(refused), status=403)
    except Conflict as refused:
        return _page(task_id, file_error=str(refused), status=409)
    flash("The file is removed")
    return redirect(url_for("tasks.show", task_id=task_id, _anchor="files"))


@blueprint.get("/attachments/<int:attachment_id>")
@sign_in_required
def download(attachment_id: int) -> Response:
    with db().transaction() as s:
        try:
            attachment = open_attachment(s, current_user(), attachment_id)
        except NotFound:
            abort(404)
        content, name, media_type = attachment.content, attachment.filename, attachment.media_type
    response = send_file(
        io.BytesIO(content), mimetype=media_type, as_attachment=True, download_name=name
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
