"""A case as the caller may see it, and the documents made for it."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from engine.core.errors import InvalidData
from engine.documents import case_document as kept_document
from engine.documents import document_format
from engine.documents import meeting_pack as make_meeting_pack
from engine.people.access import LONGEST_REASON, SHORTEST_REASON, is_justified, works_on_cases
from engine.review.declarations import declare
from engine.review.reviews import NOT_A_CHAIR, change_chair
from engine.work.case_list import FIELDS, PAGE_SIZE, CaseRow, find_cases, read_search
from engine.work.case_view import case_documents, case_summary
from web.api import blueprint
from web.api.common import answer, json_body, signed_in
from web.api.intake import CONTACT_PREFERENCES
from web.context import db
from web.documents import as_download, converter

_API_NAMES = {stored: name for name, stored in CONTACT_PREFERENCES.items()}


@blueprint.get("/cases")
def cases() -> Response:
    """The cases the caller may see that match the search in the query, a page at a time;
    the search is recorded in the audit trail. An administrator, who takes part in no case,
    searches every case with a ``reason``, kept in the trail with the search."""
    user = signed_in()
    reason = request.args.get("reason", "").strip() or None
    if not works_on_cases(user) and user.has_role("administrator"):
        problem = ""
        if not is_justified(user, reason):
            problem = f"Give a reason of at least {SHORTEST_REASON} characters"
        elif len(reason or "") > LONGEST_REASON:
            problem = f"Give a reason of {LONGEST_REASON} characters or fewer"
        if problem:
            raise InvalidData("Say why you need to search the cases", {"reason": problem})
    with db().read() as s:
        search = read_search(s, {name: request.args.get(name, "") for name in FIELDS})
    found = find_cases(db(), user, search, reason=reason, channel="API")
    return answer(
        {
            "cases": [_listed(row) for row in found.rows],
            "page": search.page,
            "page_size": PAGE_SIZE,
            "total": found.total,
            "total_is_exact": found.total_is_exact,
            "has_next": found.has_next,
        }
    )


def _listed(row: CaseRow) -> dict[str, Any]:
    return {
        "reference": row.reference,
        "status": row.status,
        "district": {"key": row.district_key, "name": row.district_name},
        "received_on": row.received_on,
        "closed_on": row.closed_on,
        "erased": row.erased,
        "applicant": {
            "name": row.applicant_name,
            "address": row.applicant_address,
            "postcode": row.postcode,
        },
        "victim_name": row.victim_name,
    }


@blueprint.get("/cases/<reference>")
def case(reference: str) -> Response:
    user = signed_in()
    # A write transaction: opening a case is recorded in the audit trail.
    with db().transaction() as s:
        summary = case_summary(s, user, reference, purpose="API case view")
    applicant = summary["applicant"]
    if "contact_preference" in applicant:
        # Read back in the API's own words, as an application through it gave them.
        stored = applicant["contact_preference"]
        applicant["contact_preference"] = _API_NAMES.get(stored, stored)
    return answer(summary)


@blueprint.get("/cases/<reference>/documents")
def documents(reference: str) -> Response:
    user = signed_in()
    with db().read() as s:
        return answer({"reference": reference, "documents": case_documents(s, user, reference)})


@blueprint.get("/cases/<reference>/documents/meeting-pack")
def meeting_pack(reference: str) -> Response:
    """The meeting pack as ``?format=docx`` (the default), ``odt`` or ``pdf``: 400 for any
    other, 503 with the reason when LibreOffice cannot make the copy just now."""
    user = signed_in()
    to = document_format(request.args.get("format"))
    # A write transaction: the pack is kept, and its download recorded as a disclosure.
    with db().transaction() as s:
        download = make_meeting_pack(s, user, reference).made_as(to, converter())
    return as_download(download)


@blueprint.get("/cases/<reference>/documents/<int:document_id>")
def case_document(reference: str, document_id: int) -> Response:
    """A document kept on the case (a letter, an earlier pack), in the format asked for as
    the meeting pack is."""
    user = signed_in()
    to = document_format(request.args.get("format"))
    with db().transaction() as s:
        download = kept_document(s, user, reference, document_id).made_as(to, converter())
    return as_download(download)


@blueprint.post("/cases/<reference>/chair")
def new_chair(reference: str) -> Response:
    """A manager of the council managing the review gives it another chair (``change_chair``)."""
    user = signed_in()
    email = json_body().get("chair_email")
    if not isinstance(email, str):
        raise InvalidData("Say who should chair the review", {"chair_email": NOT_A_CHAIR})
    reason = json_body().get("chair_reason", "")
    with db().transaction() as s:
        chair = change_chair(s, user, reference, email, reason if isinstance(reason, str) else "")
        return answer({"reference": reference, "chair": {"id": chair.id, "name": chair.name}})


@blueprint.post("/cases/<reference>/chair-declaration")
def chair_declaration(reference: str) -> Response:
    """The chair of the case's latest review declares their interests (``declare``)."""
    user = signed_in()
    body = json_body()
    with db().transaction() as s:
        made = declare(s, user, reference, body)
        declared = {
            "conflict": made.conflict,
            "details": made.details,
            "declared_by": user.name,
            "declared_at": made.declared_at,
            "after_meeting": made.after_meeting,
        }
    return answer({"reference": reference, "declaration": declared})
