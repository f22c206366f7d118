"""Process owners' routes: list, check, deploy, download, compare and move (bearer tokens).

A diagram is sent as the request body itself (any content type), or as the ``file`` field of
a multipart form.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from engine.core.errors import DeploymentRefused, InvalidData, Problem
from engine.work import process_definitions as definitions
from web.api import blueprint
from web.api.common import answer, json_body, signed_in
from web.context import db, settings, whole_number

# Room for a multipart form's own fields around the largest diagram accepted.
_UPLOAD_OVERHEAD = 64 * 1024


def uploaded_diagram() -> tuple[bytes, str]:
    """The diagram's bytes and file name, refused clearly when larger than allowed."""
    limit = definitions.MAX_DIAGRAM_BYTES
    request.max_content_length = limit + _UPLOAD_OVERHEAD
    too_large = RequestEntityTooLarge(
        f"The file is larger than {limit // (1024 * 1024)} MB; a diagram is far smaller"
    )
    if (request.content_length or 0) > limit + _UPLOAD_OVERHEAD:
        raise too_large
    upload = request.files.get("file") if request.mimetype == "multipart/form-data" else None
    if upload is not None:
        content, filename = upload.read(limit + 1), upload.filename or "upload.bpmn"
    elif request.mimetype == "multipart/form-data":
        raise BadRequest("Send the diagram as the 'file' field, or as the request body")
    else:
        content, filename = request.get_data(cache=False), "upload.bpmn"
    if len(content) > limit:
        raise too_large
    return content, filename


def problems(listed: list[Problem]) -> list[dict[str, str]]:
    return [{"element_id": p.element_id, "message": p.message} for p in listed]


def refusal(error: DeploymentRefused, warnings: list[Problem] | None = None) -> Response:
    body: dict[str, Any] = {
        "error": "The diagram was not deployed: "
        + "; ".join(str(problem) for problem in error.problems),
        "errors": problems(error.problems),
        "warnings": problems(warnings or []),
    }
    return answer(body, 422)


@blueprint.get("/process-definitions")
def list_definitions() -> Response:
    user = signed_in()
    with db().read() as s:
        return answer({"processes": definitions.list_processes(s, user)})


@blueprint.post("/process-definitions/validate")
def validate() -> Response:
    user = signed_in()
    content, filename = uploaded_diagram()
    with db().read() as s:
        checked = definitions.check_diagram(
            s, user, content, filename=filename, forms_dir=settings().forms_dir
        )
    return answer(
        {
            "valid": not checked.errors,
            "key": checked.diagram.key if checked.diagram else None,
            "errors": problems(checked.errors),
            "warnings": problems(checked.warnings),
        }
    )


@blueprint.post("/process-definitions")
def deploy() -> Response:
    user = signed_in()
    content, filename = uploaded_diagram()
    try:
        with db().transaction() as s:
            result = definitions.deploy_diagram(
                s, user, content, filename=filename, forms_dir=settings().forms_dir
            )
            body = {
                "key": result.definition.key,
                "version": result.definition.version,
                "created": result.created,
                "warnings": problems(result.warnings),
            }
    except DeploymentRefused as error:
        return refusal(error)
    return answer(body, 201 if body["created"] else 200)


@blueprint.get("/process-definitions/<key>/versions/<int:version>")
def download(key: str, version: int) -> Response:
    user = signed_in()
    with db().read() as s:
        found = definitions.definition_file(s, user, key, version)
    return Response(
        found.bpmn_xml,
        mimetype="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
    )


@blueprint.get("/process-definitions/<key>/compare")
def compare(key: str) -> Response:
    user = signed_in()
    old, new = whole_number(request.args.get("from")), whole_number(request.args.get("to"))
    if old is None or new is None:
        give = "Give a version number, as in ?from=1&to=2"
        raise InvalidData(
            "Give the two versions to compare",
            {name: give for name, number in (("from", old), ("to", new)) if number is None},
        )
    with db().read() as s:
        comparison = definitions.compare_versions(s, user, key, old, new)
    return answer({"key": key, "from": old, "to": new, **comparison.__dict__})


@blueprint.post("/process-definitions/<key>/versions/<int:version>/move")
def move(key: str, version: int) -> Response:
    user = signed_in()
    chosen = json_body(empty={}).get("instance_ids")
    if chosen is not None and (
        not isinstance(chosen, list) or not all(type(item) is int for item in chosen)
    ):
        raise InvalidData(
            "Say which cases to move", {"instance_ids": "Give a list of process instance ids"}
        )
    report = definitions.move_to_newest(db(), user, key, version, chosen)
    return answer(
        {
            "key": report.key,
            "from_version": report.from_version,
            "to_version": report.to_version,
            "moved": report.moved,
            "refused": [
                {"instance_id": instance_id, "reasons": reasons}
                for instance_id, reasons in report.refused.items()
            ],
        }
    )
