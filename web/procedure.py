"""Process owners' pages: the process definitions, the diagram editor, compare and move.

Without JavaScript a process owner uploads and downloads ``.bpmn`` files; with it, the editor
(bpmn-js) checks and deploys through the JSON routes here, which use the signed-in session and
its CSRF token.
"""

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
    url_for,
)
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from engine.core.errors import Conflict, DeploymentRefused, NotAllowed, NotFound, Problem
from engine.work import process_definitions as definitions
from web.context import current_user, db, sentence, settings, sign_in_required

blueprint = Blueprint("procedure", __name__, url_prefix="/procedure")


@blueprint.errorhandler(NotAllowed)
def _not_allowed(_error: NotAllowed) -> tuple[str, int]:
    message = "Only process owners can see and change the process diagrams."
    return render_template("error.html", status=403, message=message), 403


@blueprint.errorhandler(NotFound)
def _not_found(_error: NotFound) -> tuple[str, int]:
    message = "Page not found. If you typed the web address, check it is correct."
    return render_template("error.html", status=404, message=message), 404


def _problems(listed: list[Problem]) -> list[dict[str, str]]:
    return [{"element_id": p.element_id, "message": p.message} for p in listed]


def _uploaded() -> tuple[bytes, str]:
    """The file from the upload form, or the editor's XML body."""
    limit = definitions.MAX_DIAGRAM_BYTES
    upload = request.files.get("file")
    if upload is not None:
        content, filename = upload.read(limit + 1), upload.filename or "upload.bpmn"
    else:
        content, filename = request.get_data(cache=False), "editor.bpmn"
    if len(content) > limit:
        raise RequestEntityTooLarge()
    return content, filename


@blueprint.get("")
@sign_in_required
def index() -> str:
    with db().read() as s:
        processes = definitions.list_processes(s, current_user())
        failed = definitions.failed_processes(s, current_user())
    return render_template("procedure/index.html", processes=processes, failed=failed)


@blueprint.get("/<key>")
@sign_in_required
def process(key: str) -> str:
    with db().read() as s:
        summary = definitions.process_summary(s, current_user(), key)
        failed = definitions.failed_processes(s, current_user(), key)
    return render_template(
        "procedure/process.html",
        process=summary,
        failed=failed,
        forms=definitions.known_forms(current_user()),
    )


@blueprint.get("/<key>/versions/<int:version>.bpmn")
@sign_in_required
def download(key: str, version: int) -> Response:
    with db().read() as s:
        found = definitions.definition_file(s, current_user(), key, version)
    return Response(
        found.bpmn_xml,
        mimetype="application/xml",
        headers={
            "Content-Disposition": f'attachment; filename="{found.filename}"',
            "Cache-Control": "no-store",
        },
    )


@blueprint.get("/<key>/edit")
@sign_in_required
def edit(key: str) -> str:
    with db().read() as s:
        newest = definitions.definition_file(s, current_user(), key)
    return render_template(
        "procedure/editor.html", definition=newest, forms=definitions.known_forms(current_user())
    )


@blueprint.post("/upload")
@sign_in_required
def upload() -> str | tuple[str, int] | Response:
    """The form upload (works without JavaScript): check, then deploy unless only checking."""
    content, filename = _uploaded()
    forms_dir = settings().forms_dir
    if request.form.get("action") == "check":
        with db().read() as s:
            checked = definitions.check_diagram(
                s, current_user(), content, filename=filename, forms_dir=forms_dir
            )
        return _upload_page(filename, checked.errors, checked.warnings, checked=True)
    try:
        with db().transaction() as s:
            result = definitions.deploy_diagram(
                s, current_user(), content, filename=filename, forms_dir=forms_dir
            )
            key, version, created = result.definition.key, result.definition.version, result.created
    except DeploymentRefused as refused:
        return _upload_page(filename, refused.problems, [], checked=False)
    if created:
        flash(f"Deployed version {version}. New cases start on it; running cases stay as they are.")
    else:
        flash(f"Version {version} already has this content; nothing was deployed.")
    return redirect(url_for("procedure.process", key=key))


def _upload_page(
    filename: str, errors: list[Problem], warnings: list[Problem], *, checked: bool
) -> tuple[str, int]:
    return render_template(
        "procedure/checked.html",
        filename=filename,
        errors=errors,
        warnings=warnings,
        checked=checked,
    ), (422 if errors else 200)


@blueprint.post("/check")
@sign_in_required
def check() -> Response:
    """The editor's check: errors and warnings as JSON, to mark on the diagram."""
    content, filename = _uploaded()
    with db().read() as s:
        checked = definitions.check_diagram(
            s, current_user(), content, filename=filename, forms_dir=settings().forms_dir
        )
    return jsonify(
        valid=not checked.errors,
        errors=_problems(checked.errors),
        warnings=_problems(checked.warnings),
    )


@blueprint.post("/deploy")
@sign_in_required
def deploy() -> tuple[Response, int]:
    """The editor's save: deploy as a new version, or the errors to mark on the diagram."""
    content, filename = _uploaded()
    try:
        with db().transaction() as s:
            result = definitions.deploy_diagram(
                s, current_user(), content, filename=filename, forms_dir=settings().forms_dir
            )
            body: dict[str, Any] = {
                "key": result.definition.key,
                "version": result.definition.version,
                "created": result.created,
                "warnings": _problems(result.warnings),
            }
    except DeploymentRefused as refused:
        return jsonify(errors=_problems(refused.problems), warnings=[]), 422
    body["url"] = url_for("procedure.process", key=body["key"])
    return jsonify(body), 201 if body["created"] else 200


@blueprint.get("/<key>/compare")
@sign_in_required
def compare(key: str) -> str:
    old, new = request.args.get("from", type=int), request.args.get("to", type=int)
    if old is None or new is None:
        abort(400)
    with db().read() as s:
        comparison = definitions.compare_versions(s, current_user(), key, old, new)
    return render_template(
        "procedure/compare.html", key=key, old=old, new=new, comparison=comparison
    )


@blueprint.get("/<key>/versions/<int:version>/move")
@sign_in_required
def confirm_move(key: str, version: int) -> str | Response:
    """What a move would do, case by case, with the button that does it."""
    try:
        plan = definitions.plan_move(db(), current_user(), key, version)
    except Conflict as nothing_newer:
        flash(sentence(nothing_newer), "error")
        return redirect(url_for("procedure.process", key=key))
    return render_template("procedure/confirm_move.html", plan=plan)


@blueprint.post("/<key>/versions/<int:version>/move")
@sign_in_required
def move(key: str, version: int) -> str | Response:
    chosen = request.form.getlist("instance")
    if request.form.get("confirmed") != "yes" or not all(
        i.isascii() and i.isdigit() for i in chosen
    ):
        # A move is made only from the page that said what it would do, of the cases it listed.
        return confirm_move(key, version)
    try:
        report = definitions.move_to_newest(
            db(), current_user(), key, version, instance_ids=[int(i) for i in chosen]
        )
    except Conflict as nothing_newer:
        flash(sentence(nothing_newer), "error")
        return redirect(url_for("procedure.process", key=key))
    return render_template("procedure/moved.html", report=report)
