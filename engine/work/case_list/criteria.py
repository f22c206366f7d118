"""What a search of the cases asks for, read from a form or the API's query, every problem
with it said by field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.audit.sentences import words
from engine.core.errors import InvalidData
from engine.core.form_wording import date_problem
from engine.core.forms import iso_date
from engine.core.models import CASE_STATUSES, District

# How a list can be sorted, and what each is called; the first is the default.
SORTS = {
    "received": "Date received, newest first",
    "received-oldest": "Date received, oldest first",
    "reference": "Reference",
    "status": "Status, in the order a case moves through them",
}
DEFAULT_SORT = "received"
PAGE_SIZE = 25
# How far into a list a page may start: further than anyone reads, near enough that each
# page stays a short walk along an index.
LAST_PAGE = 400
# What is kept of the text searched for, in the audit trail and on the page.
LONGEST_TEXT = 200
FIELDS = ("q", "district", "status", "received_from", "received_to", "sort", "page")


@dataclass(frozen=True)
class CaseSearch:
    """A search of the cases: the text (a reference or part of one, a name, an address or
    postcode), the district (its key) and status, the days received from and to (both
    included), the order and the page. Empty means not narrowed by it."""

    text: str = ""
    district: str = ""
    district_name: str = ""
    status: str = ""
    received_from: date | None = None
    received_to: date | None = None
    sort: str = DEFAULT_SORT
    page: int = 1

    @property
    def narrowed(self) -> bool:
        """Whether anything but the text narrows the search."""
        return bool(self.district or self.status or self.received_from or self.received_to)

    def looked_for(self) -> dict[str, str]:
        """What was asked for, as kept in the audit trail: only what narrows the search."""
        asked = {
            "text": self.text,
            "district": self.district,
            "district_name": self.district_name,
            "status": self.status,
            "received_from": self.received_from.isoformat() if self.received_from else "",
            "received_to": self.received_to.isoformat() if self.received_to else "",
        }
        return {name: value for name, value in asked.items() if value}

    def arguments(self, **changes: Any) -> dict[str, Any]:
        """The search as query arguments (``q``, ``district``...), with ``changes``; those
        left at their defaults are left out."""
        values = {
            "q": self.text,
            "district": self.district,
            "status": self.status,
            "received_from": self.received_from.isoformat() if self.received_from else "",
            "received_to": self.received_to.isoformat() if self.received_to else "",
            "sort": "" if self.sort == DEFAULT_SORT else self.sort,
            "page": "" if self.page == 1 else str(self.page),
        }
        values.update({name: str(value) for name, value in changes.items()})
        return {name: value for name, value in values.items() if value}


def read_search(session: Session, values: Mapping[str, str]) -> CaseSearch:
    """The search described by ``values`` (the names of ``FIELDS``; ``reference`` is taken
    for ``q``, as the inbox's box once sent it). ``InvalidData`` lists every field to fix."""
    problems: dict[str, str] = {}
    text = " ".join(str(values.get("q") or values.get("reference") or "").split())
    district, district_name = _district(session, values.get("district", ""), problems)
    status = (values.get("status") or "").strip()
    if status and status not in CASE_STATUSES:
        problems["status"] = "Select a status from the list"
    received_from = _day(values, "received_from", "the earliest date received", problems)
    received_to = _day(values, "received_to", "the latest date received", problems)
    if received_from and received_to and received_to < received_from:
        problems["received_to"] = (
            "The latest date received must be the same as or after the earliest"
        )
    sort = (values.get("sort") or DEFAULT_SORT).strip()
    if sort not in SORTS:
        problems["sort"] = "Select how to sort the cases from the list"
    page = _page(values.get("page"), problems)
    if problems:
        raise InvalidData("The search needs correcting", problems)
    return CaseSearch(
        text=text[:LONGEST_TEXT],
        district=district,
        district_name=district_name,
        status=status,
        received_from=received_from,
        received_to=received_to,
        sort=sort,
        page=page,
    )


def _district(session: Session, key: str, problems: dict[str, str]) -> tuple[str, str]:
    key = (key or "").strip()
    if not key:
        return "", ""
    name = session.scalar(select(District.name).where(District.key == key))
    if name is None:
        problems["district"] = "Select a district from the list"
        return "", ""
    return key, name


def _day(values: Mapping[str, str], name: str, label: str, problems: dict[str, str]) -> date | None:
    text = (values.get(name) or "").strip()
    if not text:
        return None
    day = iso_date(text)
    if day is None:
        problems[name] = f"{label[:1].upper()}{label[1:]} {date_problem(text)[0]}"
    return day


def _page(text: str | None, problems: dict[str, str]) -> int:
    text = (text or "").strip()
    if not text:
        return 1
    if len(text) <= 3 and text.isascii() and text.isdigit() and 1 <= int(text) <= LAST_PAGE:
        return int(text)
    problems["page"] = f"Ask for a page from 1 to {LAST_PAGE}"
    return 1


def search_choices(session: Session) -> dict[str, list[dict[str, str]]]:
    """What a search can be narrowed by and sorted by, as a form offers them:
    ``{"districts": [{"value", "text"}], "statuses": [...], "sorts": [...]}``, the districts
    in the area's order and the statuses in the order a case moves through them."""
    districts = session.execute(select(District.key, District.name).order_by(District.position))
    return {
        "districts": [{"value": key, "text": name} for key, name in districts],
        "statuses": [{"value": status, "text": words(status)} for status in CASE_STATUSES],
        "sorts": [{"value": value, "text": text} for value, text in SORTS.items()],
    }
