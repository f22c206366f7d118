"""The task page: its form drawn from the task's JSON Schema, drafts, files and hand-overs."""

from __future__ import annotations

import io
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from werkzeug.wrappers import Response

from engine.core.errors import Conflict, InvalidData, NotAllowed, NotFound, ProcessFailed
from engine.core.models import User
from engine.records.attachments import (
    keep_file,
    open_attachment,
    remove_attachment,
)
from engine.work import task_view
from engine.work.letter_preview import task_letter_document
from web.context import db, settings, sign_in_required, signed_in_user, whole_number
from web.documents import as_download
from web.form_lists import apply_list_action, list_focus
from web.schema_forms import SchemaForm, error_summary

blueprint = Blueprint("tasks", __name__)
# Why answers were not kept as a draft: from a form, only their size can be wrong.
TOO_LONG_TO_KEEP = (
    f"Your answers are too long to keep (at most {task_view.MAX_DRAFT_BYTES // 1024} KB in "
    "all) and were not saved: shorten them, then save or complete the task"
)


def _form(form: task_view.TaskForm) -> SchemaForm:
    return SchemaForm(form.schema, choices=form.choices)


def _page(
    task_id: int,
    *,
    data: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    file_error: str = "",
    status: int = 200,
) -> tuple[str, int]:
    user = signed_in_user()
    errors = errors or {}
    with db().transaction() as s:
        try:
            page = task_view.task_page(s, user, task_id, settings().forms_dir)
        except NotFound:
            abort(404)
    task, form = page.task, _form(page.form)
    may_work = page.actions["complete"]
    # Answers sent but refused where the form is no longer theirs to fill in (the task taken
    # or finished by someone else): shown apart from the task's own, to copy.
    unsaved = []
    if data is not None and (page.finished or not may_work):
        unsaved = form.copy_fields(data)
        data = None
    if data is None:
        data = (task.data if page.finished else task.draft) or {}
    fields = form.fields(data, errors)
    listed = error_summary(fields, errors)
    if file_error:
        listed.append({"text": file_error, "href": "#file"})
    return render_template(
        "task.html",
        task=task,
        context=page.case,
        form=form,
        fields=fields,
        error_list=listed,
        file_error=file_error,
        finished=page.finished,
        unsaved=unsaved,
        may_work=may_work,
        colleagues=page.colleagues,
        reassign_error=errors.get("user_id", ""),
        organisations=page.organisations,
        only_person=page.only_person,
        attachments=page.attachments,
        appeal_files=page.appeal_files,
        part=page.applicant_part,
        threshold=page.threshold,
        to_confirm=page.to_confirm,
        not_confirmed=page.not_confirmed,
        letter=page.letter if may_work else None,
    ), status


@blueprint.get("/tasks/<int:task_id>")
@sign_in_required
def show(task_id: int) -> tuple[str, int]:
    return _page(task_id)


@blueprint.post("/tasks/<int:task_id>")
@sign_in_required
def act(task_id: int) -> tuple[str, int] | Response:
    user = signed_in_user()
    action = request.form.get("action", "draft")
    data: dict[str, Any] | None = None
    try:
        if action in ("claim", "release"):
            handover = task_view.claim_task if action == "claim" else task_view.release_task
            task = handover(db(), task_id, user)
            flash(f"You {'claimed' if action == 'claim' else 'released'} '{task.title}'")
            return redirect(url_for("tasks.show", task_id=task_id))
        with db().read() as s:
            form = _form(task_view.task_form(s, user, task_id, settings().forms_dir))
        data = form.read(request.form)
        if action == "complete":
            return _complete(task_id, user, data)
        apply_list_action(data, action)
        task_view.save_draft(db(), task_id, user, data)
        if action == "draft":
            flash("Your answers are saved as a draft")
        # After adding or removing an item, the page opens with the focus where the person was
        # working: the browser focuses the control its address's fragment names.
        anchor = list_focus(form, data, action)
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
    if result.process_failed:
        flash(
            f"'{result.task.title}' is complete, but the process could not move on after it: "
            "it has stopped, and its process owners can see why",
            "error",
        )
    else:
        flash(f"'{result.task.title}' is complete")
    return redirect(url_for("inbox.index"))


@blueprint.get("/tasks/<int:task_id>/letter.docx")
@sign_in_required
def letter_preview(task_id: int) -> Response:
    """The letter the task will send, as the Word document it would be sent as today
    (``?print=large``: a copy in large print)."""
    try:
        with db().transaction() as s:
            letter = task_letter_document(
                s, signed_in_user(), task_id, large_print=request.args.get("print") == "large"
            )
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    if letter is None:
        abort(404)
    return as_download(letter)


@blueprint.post("/tasks/<int:task_id>/reassign")
@sign_in_required
def reassign(task_id: int) -> tuple[str, int] | Response:
    user = signed_in_user()
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
        kept = keep_file(db(), task_id, signed_in_user(), upload.filename, upload.read())
    except NotFound:
        abort(404)
    except NotAllowed as refused:
        return _page(task_id, file_error=str(refused), status=403)
    except InvalidData as refused:
        return _page(task_id, file_error=refused.fields.get("file", str(refused)), status=400)
    except Conflict as refused:
        return _page(task_id, file_error=str(refused), status=409)
    if kept.filename == upload.filename:
        flash(f"'{upload.filename}' is attached")
    else:
        flash(f"'{upload.filename}' is attached as '{kept.filename}', the name of what it holds")
    return redirect(url_for("tasks.show", task_id=task_id, _anchor="files"))


@blueprint.post("/tasks/<int:task_id>/attachments/<int:attachment_id>/remove")
@sign_in_required
def remove_file(task_id: int, attachment_id: int) -> tuple[str, int] | Response:
    try:
        remove_attachment(db(), attachment_id, signed_in_user())
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
            attachment = open_attachment(s, signed_in_user(), attachment_id)
        except NotFound:
            abort(404)
        content, name, media_type = attachment.content, attachment.filename, attachment.media_type
    response = send_file(
        io.BytesIO(content), mimetype=media_type, as_attachment=True, download_name=name
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
