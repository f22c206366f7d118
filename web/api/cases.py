"""A case as the caller may see it, and the documents made for it."""

from __future__ import annotations

from flask import Response

from engine.case_view import case_documents, case_summary
from web.api import blueprint
from web.api.common import answer, signed_in
from web.context import db


@blueprint.get("/cases/<reference>")
def case(reference: str) -> Response:
    user = signed_in()
    # A write transaction: opening a case is recorded in the audit trail.
    with db().transaction() as s:
        return answer(case_summary(s, user, reference, purpose="API case view"))


@blueprint.get("/cases/<reference>/documents")
def documents(reference: str) -> Response:
    user = signed_in()
    with db().read() as s:
        return answer({"reference": reference, "documents": case_documents(s, user, reference)})
