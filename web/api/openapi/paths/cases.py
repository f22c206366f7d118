"""Cases: one case as the caller may see it, its review's chair, and its documents."""

from __future__ import annotations

from typing import Any

from engine.core.models import CASE_STATUSES
from engine.documents import FORMATS
from engine.work.case_list import LAST_PAGE, SORTS
from web.api.openapi.parts import BEARER, error_responses, json_response, ref, request_body

REFERENCE = {
    "name": "reference",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "The case reference, such as CT-2026-00001",
}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description}


FORMAT = _query(
    "format",
    {"type": "string", "enum": list(FORMATS), "default": "docx"},
    "docx (Word, as documents are made), odt (OpenDocument text) or pdf (PDF/A-2, tagged for "
    "screen readers); the other two are made from the Word file by LibreOffice",
)


def _document_responses(description: str) -> dict[str, Any]:
    return {
        "200": {
            "description": description,
            "content": {
                f.media_type: {"schema": {"type": "string", "format": "binary"}}
                for f in FORMATS.values()
            },
        },
        **error_responses(400, 401, 404, 500),
        "400": json_response(ref("Error"), "A format other than docx, odt or pdf"),
        "503": json_response(
            ref("Error"),
            "LibreOffice cannot make the document in the format asked for just now (the error "
            "says why; format=docx still answers), or the database cannot be reached",
        ),
    }


SEARCH = [
    _query(
        "q",
        {"type": "string"},
        "A reference or part of one, a name, an address or a postcode: each word must start a "
        "word of the case's reference, or its applicant's or victim's name, address or "
        "postcode (CT-2026-001, Smi, DE4 3AG). Anything but letters and digits separates "
        "words; a text with none finds nothing.",
    ),
    _query("district", {"type": "string"}, "A district's key, such as erewash"),
    _query("status", {"enum": list(CASE_STATUSES)}, "The case's status"),
    _query("received_from", {"type": "string", "format": "date"}, "Received on or after"),
    _query("received_to", {"type": "string", "format": "date"}, "Received on or before"),
    _query(
        "sort",
        {"enum": list(SORTS), "default": "received"},
        "; ".join(f"{value}: {text}" for value, text in SORTS.items()),
    ),
    _query("page", {"type": "integer", "minimum": 1, "maximum": LAST_PAGE}, "The page"),
    _query(
        "reason",
        {"type": "string"},
        "An administrator's reason for searching every case (at least 10 characters), kept "
        "in the audit trail with the search; an administrator without one is answered 422",
    ),
]


def paths() -> dict[str, Any]:
    return {
        "/cases": {
            "get": {
                "summary": (
                    "The cases the caller's organisation takes part in that match a search, "
                    "25 a page (the search is audited)"
                ),
                "security": BEARER,
                "parameters": SEARCH,
                "responses": {
                    "200": json_response(ref("CaseList"), "A page of the cases found"),
                    **error_responses(401, 422, 500),
                },
            }
        },
        "/cases/{reference}": {
            "get": {
                "summary": "The case as the caller may see it (the look is audited)",
                "security": BEARER,
                "parameters": [REFERENCE],
                "responses": {
                    "200": json_response(ref("Case"), "The case"),
                    **error_responses(401, 404, 500),
                },
            }
        },
        "/cases/{reference}/chair": {
            "post": {
                "summary": (
                    "Give the case's review another chair, until its meeting is recorded "
                    "(a manager of the council managing the review)"
                ),
                "security": BEARER,
                "parameters": [REFERENCE],
                "requestBody": request_body(ref("ChairChange")),
                "responses": {
                    "200": json_response(ref("ChairChanged"), "The review's new chair"),
                    **error_responses(400, 401, 403, 404, 409, 413, 422, 500),
                },
            }
        },
        "/cases/{reference}/chair-declaration": {
            "post": {
                "summary": (
                    "The chair of the case's latest review declares whether they have a "
                    "conflict of interest with the case's agencies (again at any time; one "
                    "made after the meeting is kept as such and leaves the meeting as it was)"
                ),
                "security": BEARER,
                "parameters": [REFERENCE],
                "requestBody": request_body(ref("ChairDeclaration")),
                "responses": {
                    "200": json_response(ref("ChairDeclared"), "The declaration as kept"),
                    **error_responses(400, 401, 403, 404, 413, 422, 500),
                },
            }
        },
        "/cases/{reference}/documents": {
            "get": {
                "summary": "The documents made for a case",
                "security": BEARER,
                "parameters": [REFERENCE],
                "responses": {
                    "200": json_response(ref("DocumentList"), "The documents, oldest first"),
                    **error_responses(401, 404, 500),
                },
            }
        },
        "/cases/{reference}/documents/meeting-pack": {
            "get": {
                "summary": "The case review meeting pack, as Word, OpenDocument text or PDF",
                "security": BEARER,
                "parameters": [REFERENCE, FORMAT],
                "responses": _document_responses("The meeting pack (OFFICIAL-SENSITIVE)"),
            }
        },
        "/cases/{reference}/documents/{document_id}": {
            "get": {
                "summary": "A document kept on a case (a letter, a pack), as Word, "
                "OpenDocument text or PDF",
                "security": BEARER,
                "parameters": [
                    REFERENCE,
                    {
                        "name": "document_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                        "description": "The document's id, from GET /cases/{reference}/documents",
                    },
                    FORMAT,
                ],
                "responses": _document_responses("The document, as it was kept"),
            }
        },
    }
