"""Process owners' pages for the letters' wording: the letters, a letter's template to edit,
preview, check and deploy, a version, the difference between two, and going back to one.

The edit page is one form (it works without JavaScript): its buttons preview, check or deploy
what is in the box, and whatever happens the wording typed stays in the box.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine.core.errors import NotAllowed, NotFound
from engine.documents.letters.wording import MAX_CHARS, WordingProblem, WordingRefused
from engine.work import letter_templates as letters
from web.context import current_user, db, sentence, sign_in_required

blueprint = Blueprint("letter_templates", __name__, url_prefix="/procedure/letters")


@blueprint.errorhandler(NotAllowed)
def _not_allowed(_error: NotAllowed) -> tuple[str, int]:
    message = "Only process owners and administrators can see and change the letters' wording."
    return render_template("error.html", status=403, message=message), 403


@blueprint.errorhandler(NotFound)
def _not_found(_error: NotFound) -> tuple[str, int]:
    message = "Page not found. If you typed the web address, check it is correct."
    return render_template("error.html", status=404, message=message), 404


@blueprint.get("")
@sign_in_required
def index() -> str:
    with db().read() as s:
        listed = letters.list_letters(s, current_user())
    return render_template("letter_templates/index.html", letters=listed)


def _edit_page(
    kind: str,
    body: str,
    *,
    reference: str = "",
    problems: list[WordingProblem] | None = None,
    preview: letters.Preview | None = None,
    checked: bool = False,
    status: int = 200,
) -> tuple[str, int]:
    with db().read() as s:
        wording = letters.letter_wording(s, current_user(), kind)
    return render_template(
        "letter_templates/edit.html",
        wording=wording,
        body=body,
        reference=reference,
        problems=problems or [],
        preview=preview,
        checked=checked,
        max_chars=MAX_CHARS,
    ), status


@blueprint.get("/<kind>")
@sign_in_required
def edit(kind: str) -> tuple[str, int]:
    with db().read() as s:
        start = request.args.get("from", type=int)
        if start is not None:
            body = letters.wording_version(s, current_user(), kind, start).body
        else:
            body = letters.letter_wording(s, current_user(), kind).current.body
    return _edit_page(kind, body)


@blueprint.post("/<kind>")
@sign_in_required
def submit(kind: str) -> tuple[str, int] | Response:
    """Preview, check or deploy the wording in the box, keeping it whatever happens."""
    body = request.form.get("body", "").replace("\r\n", "\n")
    reference = request.form.get("case", "").strip()[:40]
    action = request.form.get("action", "check")
    if action == "preview":
        try:
            with db().transaction() as s:
                shown = letters.preview_wording(s, current_user(), kind, body, reference)
        except WordingRefused as refused:
            return _edit_page(
                kind, body, reference=reference, problems=refused.problems, status=422
            )
        except NotFound as missing:
            problem = WordingProblem(0, f"{sentence(missing)}: check the reference")
            return _edit_page(kind, body, reference=reference, problems=[problem], status=422)
        return _edit_page(kind, body, reference=reference, preview=shown)
    if action == "deploy":
        try:
            with db().transaction() as s:
                row, created = letters.deploy_wording(s, current_user(), kind, body)
                version = row.version
        except WordingRefused as refused:
            return _edit_page(
                kind, body, reference=reference, problems=refused.problems, status=422
            )
        if created:
            flash(f"Deployed version {version}. Letters sent from now on use it.")
        else:
            flash(f"Version {version} already has this wording; nothing was deployed.")
        return redirect(url_for("letter_templates.edit", kind=kind))
    problems = letters.check_wording(current_user(), kind, body)
    return _edit_page(
        kind,
        body,
        reference=reference,
        problems=problems,
        checked=True,
        status=422 if problems else 200,
    )


@blueprint.get("/<kind>/versions/<int:version>")
@sign_in_required
def version(kind: str, version: int) -> str:
    with db().read() as s:
        wording = letters.wording_version(s, current_user(), kind, version)
        newest = letters.letter_wording(s, current_user(), kind).current
    return render_template(
        "letter_templates/version.html", kind=kind, wording=wording, newest=newest
    )


@blueprint.post("/<kind>/versions/<int:version>/restore")
@sign_in_required
def restore(kind: str, version: int) -> Response:
    with db().transaction() as s:
        row, created = letters.restore_wording(s, current_user(), kind, version)
        newest = row.version
    if created:
        flash(f"Deployed the wording of version {version} again as version {newest}.")
    else:
        flash(f"Version {newest}, the newest, already has this wording; nothing was deployed.")
    return redirect(url_for("letter_templates.edit", kind=kind))


@blueprint.get("/<kind>/compare")
@sign_in_required
def compare(kind: str) -> str:
    old, new = request.args.get("from", type=int), request.args.get("to", type=int)
    if old is None or new is None:
        abort(400)
    with db().read() as s:
        lines = letters.compare_wording(s, current_user(), kind, old, new)
    return render_template(
        "letter_templates/compare.html", kind=kind, old=old, new=new, lines=lines
    )
