"""The cases list through the JSON API: the same search as the page, each answer held to the
OpenAPI document; need-to-know, the audit trail, wrong parameters and an administrator's
reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.core.clock import FixedClock
from engine.core.models import AuditEvent
from tests.support.api import Api, db_of
from tests.support.case_search import ODD_SEARCHES, searchable
from tests.support.people import COUNCIL, POLICE, add_people

EREWASH = "erewash@example.org"
ADMIN = "admin@example.org"


@pytest.fixture
def found(api: Api, fixed_clock: FixedClock) -> dict[str, str]:
    return searchable(db_of(api), fixed_clock)


def references(api: Api, who: str, query: str = "") -> list[str]:
    answer = api.call("get", f"/cases?{query}", who=who)
    return [case["reference"] for case in answer["cases"]]


def test_staff_find_the_cases_they_take_part_in(api: Api, found: dict[str, str]) -> None:
    answer = api.call("get", "/cases?q=smith", who=COUNCIL)
    (smith,) = answer["cases"]
    assert smith == {
        "reference": found["smith"],
        "status": "received",
        "district": {"key": "derbyshire-dales", "name": "Derbyshire Dales"},
        "received_on": "2026-03-03",
        "closed_on": None,
        "erased": False,
        "applicant": {
            "name": "Tom Smith",
            "address": "4 Mill Lane, Wirksworth DE4 4FG",
            "postcode": "DE4 4FG",
        },
        "victim_name": "Ava Smithson",
    }
    assert answer["total"] == 1 and answer["total_is_exact"] and not answer["has_next"]
    assert answer["page"] == 1 and answer["page_size"] == 25
    assert references(api, EREWASH, "q=smith") == [found["erewash"]]
    assert references(api, POLICE, "q=smith") == [found["erewash"], found["smith"]]
    assert references(api, POLICE, "q=de4&sort=reference") == sorted(
        [found["obrien"], found["smith"], found["paper"]]
    )
    assert references(api, POLICE, "district=erewash") == [found["erewash"]]
    assert references(api, POLICE, "received_to=2026-02-28") == [found["paper"]]
    # A whole reference is a search like any other here: the case, alone.
    assert references(api, COUNCIL, f"q={found['obrien']}") == [found["obrien"]]
    assert references(api, EREWASH, f"q={found['obrien']}") == []
    api.call("get", "/cases?q=smith", status=401)


def test_each_search_is_recorded(api: Api, found: dict[str, str]) -> None:
    references(api, COUNCIL, "q=o%27brien&status=received")
    with db_of(api).read() as session:
        (event,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "cases.searched")
        ).all()
    assert event.detail["looked_for"] == {"text": "o'brien", "status": "received"}
    assert event.detail["channel"] == "API" and event.detail["shown"] == [found["obrien"]]


def test_wrong_parameters_are_named_and_odd_text_finds_cases_or_none(
    api: Api, found: dict[str, str]
) -> None:
    wrong = api.call(
        "get",
        "/cases?status=lost&received_from=2026-13-01&district=atlantis&sort=up&page=0",
        who=COUNCIL,
        status=422,
    )
    assert set(wrong["fields"]) == {"status", "received_from", "district", "sort", "page"}
    for text in ODD_SEARCHES:
        answer = api.client.get(
            "/api/v1/cases",
            query_string={"q": text},
            headers={"Authorization": f"Bearer {api.token(POLICE)}"},
        )
        assert answer.status_code == 200, (text, answer.get_data(as_text=True)[:300])


def test_an_administrator_searches_every_case_with_a_reason(
    api: Api, found: dict[str, str]
) -> None:
    add_people(db_of(api), [(ADMIN, "derbyshire-dales-district-council", ["administrator"])])
    asked = api.call("get", "/cases?q=smith", who=ADMIN, status=422)
    assert "reason" in asked["fields"]
    api.call("get", "/cases?q=smith&reason=audit", who=ADMIN, status=422)
    reason = "Subject access request SAR-2026-041"
    answer = api.call("get", f"/cases?q=smith&reason={reason}", who=ADMIN)
    assert [case["reference"] for case in answer["cases"]] == [found["erewash"], found["smith"]]
    with db_of(api).read() as session:
        (event,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "cases.searched")
        ).all()
    assert event.detail["justification"] == reason
