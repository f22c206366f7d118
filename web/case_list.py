"""The cases list: find the cases one's organisation takes part in by reference, name, address
or postcode, district, status and dates received; managers download them as CSV."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from engine.core.errors import InvalidData
from engine.core.models import User
from engine.people.access import LONGEST_REASON, SHORTEST_REASON, is_justified, works_on_cases
from engine.work.case_list import (
    FIELDS,
    LAST_PAGE,
    CasePage,
    cases_csv,
    find_cases,
    may_download,
    read_search,
    search_choices,
)
from web.context import db, sign_in_required, signed_in_user
from web.dates import boxes_in_error, date_answer

blueprint = Blueprint("case_list", __name__)
DATE_FIELDS = ("received_from", "received_to")
# An administrator's reason for searching every case, kept while they are signed in.
SEARCH_REASON = "case_search_reason"


@blueprint.get("/cases")
@sign_in_required
def index() -> Response | tuple[str, int]:
    """The list, narrowed by the search in the address. A search that is exactly the
    reference of a case the user may see goes straight to that case, as the inbox's box
    always has."""
    user = signed_in_user()
    if not works_on_cases(user) and user.has_role("administrator") and not _reason():
        return _reason_page(), 200
    values = _values((*FIELDS, "reference"))
    values["page"] = _page_number(values["page"])
    with db().read() as s:
        choices = search_choices(s)
        try:
            search = read_search(s, values)
        except InvalidData as refused:
            return _list_page(user, choices, values, errors=refused.fields), 400
    found = find_cases(db(), user, search, reason=_reason(), channel="cases page")
    if found.exact:
        return redirect(url_for("cases.show", reference=found.exact))
    return _list_page(user, choices, values, found=found), 200


@blueprint.get("/cases.csv")
@sign_in_required
def download() -> Response | tuple[str, int]:
    """Every case the search finds, as CSV: for managers."""
    user = signed_in_user()
    if not may_download(user):
        abort(403)
    values = _values(FIELDS)
    with db().read() as s:
        choices = search_choices(s)
        try:
            search = read_search(s, {**values, "page": ""})
        except InvalidData as refused:
            return _list_page(user, choices, values, errors=refused.fields), 400
    made = cases_csv(db(), user, search)
    response = Response(made.text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    # Names and addresses: never kept by a browser or proxy cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.post("/cases/search-reason")
@sign_in_required
def give_reason() -> Response | tuple[str, int]:
    """An administrator says why they need to search every case; the reason goes in the audit
    trail with each search while they are signed in."""
    user = signed_in_user()
    if not user.has_role("administrator"):
        abort(404)
    # A browser sends a line break as two characters; the page's counter counts one.
    reason = request.form.get("reason", "").replace("\r\n", "\n").strip()
    error = None
    if not is_justified(user, reason):
        error = f"Say why you need to search the cases, in at least {SHORTEST_REASON} characters"
    elif len(reason) > LONGEST_REASON:
        error = f"Say why you need to search the cases in {LONGEST_REASON} characters or fewer"
    if error:
        return _reason_page(error, reason), 400
    session[SEARCH_REASON] = reason
    return redirect(url_for("case_list.index"))


def _values(names: tuple[str, ...]) -> dict[str, str]:
    """The search in the address; a date from its three boxes, or given whole (as the
    page's own links give it)."""
    values = {name: request.args.get(name, "") for name in names}
    for name in DATE_FIELDS:
        values[name] = date_answer(request.args, name)
    return values


def finds_cases(user: User) -> bool:
    """Whether the navigation offers the cases list: to whoever works on cases, and to an
    administrator (who gives a reason first)."""
    return works_on_cases(user) or user.has_role("administrator")


def _reason() -> str | None:
    return session.get(SEARCH_REASON)


def _reason_page(error: str | None = None, reason: str = "") -> str:
    return render_template(
        "reason.html",
        question="Why do you need to search the cases?",
        action=url_for("case_list.give_reason"),
        hint="Administrators search every case, and read one, only with a reason. Your reason "
        "is kept in the audit trail with every search you make until you sign out; each case "
        "you open asks for its own.",
        error=error,
        reason=reason,
        longest_reason=LONGEST_REASON,
    )


def _page_number(text: str) -> str:
    """A page number in the address that is no page is the nearest page there is: it is
    no field of the form, to say what is wrong with."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return ""
    return str(max(1, min(int(text[:4]), LAST_PAGE)))


def _list_page(
    user: User,
    choices: dict[str, list[dict[str, str]]],
    values: dict[str, str],
    *,
    found: CasePage | None = None,
    errors: dict[str, str] | None = None,
) -> str:
    values = {**values, "q": values.get("q") or values.get("reference", "")}
    errors = errors or {}
    return render_template(
        "cases.html",
        date_errors={
            name: boxes_in_error(values.get(name)) for name in DATE_FIELDS if name in errors
        },
        works_on_cases=works_on_cases(user) or bool(_reason()),
        choices=choices,
        values=values,
        errors=errors,
        found=found,
        pagination=_pagination(found) if found else None,
        download_url=(
            url_for("case_list.download", **found.search.arguments(page=""))
            if found and may_download(user)
            else None
        ),
    )


def _pagination(found: CasePage) -> dict[str, Any] | None:
    """The GOV.UK pagination of the list: the first page, the last when it is known, the
    current one with those either side, gaps between."""
    search = found.search
    current = search.page
    known = found.pages or (current + 1 if found.has_next else current)
    if known <= 1 and current == 1:
        return None

    def href(number: int) -> str:
        return url_for("case_list.index", **search.arguments(page=number if number > 1 else ""))

    wanted = {1, current - 1, current, current + 1}
    if found.pages:
        wanted.add(found.pages)
    items: list[dict[str, Any]] = []
    for number in sorted(n for n in wanted if 1 <= n <= known):
        if items and "number" in items[-1] and number - int(items[-1]["number"]) > 1:
            items.append({"ellipsis": True})
        items.append({"number": str(number), "href": href(number), "current": number == current})
    pagination: dict[str, Any] = {"items": items, "landmarkLabel": "Pages of cases found"}
    if current > 1:
        pagination["previous"] = {"href": href(current - 1)}
    if found.has_next:
        pagination["next"] = {"href": href(current + 1)}
    return pagination
