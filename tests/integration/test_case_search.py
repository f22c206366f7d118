"""The cases list: staff find the cases their organisation takes part in by reference (or part
of it), name, address or postcode, district, status and dates received, sorted and a page at
a time; each search is in the audit trail; managers download the list as CSV, safe to open in
a spreadsheet; whatever is typed is answered, never with an error."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import delete, select

from engine.cases.opening import open_case
from engine.core import audit
from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.models import AuditEvent, CaseParticipant, Organisation, User
from tests.support.case_search import (
    ODD_SEARCHES,
    case_id,
    csv_rows,
    searchable,
    submit_as_council,
)
from tests.support.hostile import EXAMPLES, TEXT
from tests.support.people import COUNCIL, MANAGER, POLICE, add_people
from tests.support.procedure import application
from tests.support.web import form_token, make_app, signed_in

EREWASH = "erewash@example.org"
HOUSING = "housing@example.org"
ADMIN = "admin@example.org"


@pytest.fixture
def found(app_db: Database, fixed_clock: FixedClock) -> dict[str, str]:
    return searchable(app_db, fixed_clock)


@pytest.fixture
def app(app_db: Database, tmp_path: Path) -> Flask:
    add_people(app_db, [(ADMIN, "derbyshire-dales-district-council", ["administrator"])])
    return make_app(app_db, tmp_path)


def listed(client: FlaskClient, **search: str) -> list[str]:
    """The references the cases page lists for a search, in order."""
    response = client.get("/cases", query_string=search)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    table = response.get_data(as_text=True).partition('id="cases"')[2]
    return re.findall(r'href="/cases/(CT-[0-9-]+)"', table)


def test_a_caseworker_finds_cases_by_name_part_of_a_reference_address_or_postcode(
    app: Flask, found: dict[str, str]
) -> None:
    council = signed_in(app, COUNCIL)
    assert listed(council, q="smith") == [found["smith"]], "Tom Smith, not Erewash's Smith"
    assert listed(council, q="smithson") == [found["smith"]], "the victim's name"
    assert listed(council, q="o'brien") == [found["obrien"]]
    assert listed(council, q="PRIYA obr") == [found["obrien"]], "the start of each word"
    assert listed(council, q="chapel street") == [found["obrien"]]
    assert listed(council, q="DE4 3AG") == [found["obrien"]]
    assert listed(council, q="de43ag") == [found["obrien"]], "with or without its space"
    assert listed(council, q="de4 4fg") == [found["smith"]], "a postcode in the address"
    assert listed(council, q="de4") == [found["smith"], found["obrien"], found["paper"]]
    number = found["obrien"].rsplit("-", 1)[1].lstrip("0")
    assert listed(council, q=f"ct-2026-{number}") == [found["obrien"]], "without its zeros"
    assert listed(council, q=found["obrien"][:-1]) == [
        found["smith"],
        found["obrien"],
        found["paper"],
    ], "the start of a reference finds every case it starts"
    assert listed(council, q="Bloggs") == []
    erewash = signed_in(app, EREWASH)
    assert listed(erewash, q="smith") == [found["erewash"]], "another district, its own cases"
    assert listed(erewash, q=found["obrien"][:-1]) == [found["erewash"]], "not the Dales cases"


def test_each_organisation_sees_only_the_cases_it_takes_part_in(
    app: Flask, app_db: Database, found: dict[str, str]
) -> None:
    everything = [found["erewash"], found["smith"], found["obrien"], found["paper"]]
    assert listed(signed_in(app, POLICE)) == everything, "the police serve every district"
    assert listed(signed_in(app, HOUSING)) == everything[1:], "Dales Housing: the Dales"
    assert listed(signed_in(app, EREWASH)) == everything[:1]
    # Taking part is what counts, not the district: without the police on a case, it is not
    # theirs to find, by any search.
    with app_db.transaction() as session:
        police = select(Organisation.id).where(Organisation.key == "derbyshire-constabulary")
        session.execute(
            delete(CaseParticipant).where(
                CaseParticipant.case_id == case_id(app_db, found["obrien"]),
                CaseParticipant.organisation_id == police.scalar_subquery(),
            )
        )
    police = signed_in(app, POLICE)
    assert found["obrien"] not in listed(police)
    assert listed(police, q="o'brien") == []
    assert listed(police, q=found["obrien"]) == [], "not even by its whole reference"
    # Someone whose role is not on cases finds none.
    add_people(app_db, [("owner@example.org", "dales-housing", ["process_owner"])])
    page = signed_in(app, "owner@example.org").get("/cases").get_data(as_text=True)
    assert "does not work on cases" in page and "CT-2026" not in page


def test_a_whole_reference_goes_straight_to_the_case_as_the_inbox_box_always_has(
    app: Flask, found: dict[str, str]
) -> None:
    council = signed_in(app, COUNCIL)
    reference = found["obrien"]
    for asked in ({"q": reference}, {"q": f"  {reference.lower()} "}, {"reference": reference}):
        answer = council.get("/cases", query_string=asked)
        assert answer.status_code == 302
        assert answer.headers["Location"] == f"/cases/{reference}"
    inbox = council.get("/").get_data(as_text=True)
    assert 'action="/cases"' in inbox and 'name="q"' in inbox
    # Narrowed by anything else, it is a search like any other.
    assert listed(council, q=reference, status="received") == [reference]
    # A case of another district is not found, exactly as one that does not exist.
    erewash = signed_in(app, EREWASH)
    hidden = erewash.get("/cases", query_string={"q": reference})
    missing = erewash.get("/cases", query_string={"q": "CT-2026-99999"})
    assert hidden.status_code == missing.status_code == 200
    assert _without_nonce(hidden).replace(reference, "X") == _without_nonce(missing).replace(
        "CT-2026-99999", "X"
    )


def _without_nonce(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r'nonce="[^"]+"', "", response.get_data(as_text=True))


def test_cases_are_narrowed_by_district_status_and_dates_and_sorted(
    app: Flask, found: dict[str, str]
) -> None:
    police = signed_in(app, POLICE)
    assert listed(police, district="erewash") == [found["erewash"]]
    assert listed(police, received_from="2026-03-03") == [found["erewash"], found["smith"]]
    assert listed(police, received_to="2026-03-02") == [found["obrien"], found["paper"]]
    assert listed(police, received_from="2026-02-16", received_to="2026-02-16") == [found["paper"]]
    typed = {"received_from-day": "16", "received_from-month": "2", "received_from-year": "2026"}
    assert listed(police, **typed, received_to="2026-02-16") == [found["paper"]], "as typed"
    assert listed(police, status="closed") == []
    assert listed(police, q="smith", district="derbyshire-dales") == [found["smith"]]
    oldest = listed(police, sort="received-oldest")
    assert oldest == [found["paper"], found["obrien"], found["smith"], found["erewash"]]
    assert listed(police, sort="reference") == sorted(oldest)
    # By status, in the order a case moves through them: an acknowledged case comes later.
    statuses = listed(police, sort="status")
    assert set(statuses) == set(oldest)


def test_a_long_list_comes_a_page_at_a_time_with_govuk_pagination(
    app: Flask, app_db: Database, fixed_clock: FixedClock
) -> None:
    with app_db.transaction() as session:
        for day in range(1, 31):
            case = open_case(session, "erewash", date(2026, 1, day))
            case.applicant = {"name": f"Person {day}", "address": "Ilkeston"}
    erewash = signed_in(app, EREWASH)
    first = erewash.get("/cases").get_data(as_text=True)
    assert "30 cases found" in first
    assert 'class="govuk-pagination' in first and 'href="/cases?page=2"' in first
    assert "Cases 1 to 25" in first and "Person 30" in first and "Person 5<" not in first
    second = erewash.get("/cases?page=2").get_data(as_text=True)
    assert "Cases 26 to 30" in second and "Person 1<" in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert erewash.get("/cases?page=999999").status_code == 200, "a page beyond is no error"
    assert (
        listed(erewash, q="person", page="2", sort="received-oldest")
        == listed(erewash, sort="received")[:5][::-1]
    )


def test_a_wrong_date_or_status_is_explained_at_its_field_with_the_search_kept(
    app: Flask, found: dict[str, str]
) -> None:
    council = signed_in(app, COUNCIL)
    answer = council.get(
        "/cases",
        query_string={
            "q": "smith",
            "district": "derbyshire-dales",
            "status": "lost",
            "received_from": "2026-02-30",
            "received_to": "soon",
            "sort": "sideways",
        },
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "<title>Error: Cases" in page and "There is a problem" in page
    for field, message in [
        ("status", "Select a status from the list"),
        ("received_from-day", "The earliest date received must be a real date"),
        ("received_to-day", "The latest date received must be a real date"),
        ("sort", "Select how to sort the cases from the list"),
    ]:
        assert f'href="#{field}">{message}' in page, field
        assert f'id="{field.removesuffix("-day")}-error"' in page
    assert 'value="smith"' in page, "the text is kept"
    assert 'value="derbyshire-dales" selected' in page, "the district is kept"
    assert 'name="received_from-day" type="text" value="30"' in page
    assert not re.search(r"like \d{4}-", page), "no ISO date to copy"
    part = council.get("/cases", query_string={"received_to-day": "1", "received_to-year": "2026"})
    assert '<a href="#received_to-month">The latest date received must include a month</a>' in (
        part.get_data(as_text=True)
    )
    backwards = council.get("/cases?received_from=2026-03-05&received_to=2026-03-01")
    assert backwards.status_code == 400
    assert "must be the same as or after the earliest" in backwards.get_data(as_text=True)


@pytest.mark.parametrize("text", ODD_SEARCHES)
def test_whatever_is_typed_is_answered_with_cases_or_none(
    app: Flask, found: dict[str, str], text: str
) -> None:
    police = signed_in(app, POLICE)
    answer = police.get("/cases", query_string={"q": text})
    assert answer.status_code in (200, 302), answer.get_data(as_text=True)[:500]
    if answer.status_code == 200:
        page = answer.get_data(as_text=True)
        assert "cases found" in page or "case found" in page or "No cases found" in page


def test_odd_searches_find_what_their_words_find(app: Flask, found: dict[str, str]) -> None:
    police = signed_in(app, POLICE)
    assert listed(police, q="O'Brien") == listed(police, q="o brien") == [found["obrien"]]
    assert listed(police, q='"smith') == listed(police, q="smith*") == listed(police, q="smith")
    assert listed(police, q="(smith tom)") == [found["smith"]]
    assert listed(police, q="NEAR(smith tom)") == [], "near is a word like any other"
    assert listed(police, q="%") == listed(police, q="'; --") == []
    assert listed(police, q="smith " * 300) == listed(police, q="smith")


@EXAMPLES
@given(text=st.one_of(TEXT, st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)))
@example(text="smith AND (tom OR")
def test_any_text_is_answered_never_with_an_error(
    app: Flask, found: dict[str, str], text: str
) -> None:
    police = signed_in(app, POLICE)
    for search in ({"q": text}, {"q": text, "sort": "status", "received_from": text}):
        answer = police.get("/cases", query_string=search)
        assert answer.status_code in (200, 302, 400), answer.get_data(as_text=True)[:500]


def test_each_search_is_in_the_audit_trail_with_who_looked_for_what(
    app: Flask, app_db: Database, found: dict[str, str]
) -> None:
    council = signed_in(app, COUNCIL)
    listed(council, q="smith", district="derbyshire-dales", received_from="2026-03-01")
    listed(council, q="nobody")
    with app_db.read() as session:
        me = session.scalar(select(User).where(User.email == COUNCIL))
        searches = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "cases.searched").order_by(AuditEvent.seq)
        ).all()
    assert [event.user_id for event in searches] == [me.id, me.id]
    first, second = searches
    assert first.detail["looked_for"] == {
        "text": "smith",
        "district": "derbyshire-dales",
        "district_name": "Derbyshire Dales",
        "received_from": "2026-03-01",
    }
    assert first.detail["shown"] == [found["smith"]] and first.detail["found"] == 1
    assert first.detail["channel"] == "cases page"
    assert audit.describe(first.action, actor="Council", detail=first.detail) == (
        'Council searched the cases for "smith", in Derbyshire Dales, received on or after '
        "1 March 2026 (1 found)"
    )
    assert audit.describe(second.action, actor="Council", detail=second.detail) == (
        'Council searched the cases for "nobody" (0 found)'
    )


def test_managers_download_the_list_as_csv_that_a_spreadsheet_will_not_run(
    app: Flask, app_db: Database, found: dict[str, str]
) -> None:
    formula = submit_as_council(
        app_db,
        application(
            applicant={
                "name": '=HYPERLINK("http://evil.example","Click")',
                "address": "+44 1629 000000\n@SUM(A1)",
                "postcode": "DE4 3AG",
            },
            contact_preference="letter",
            received_on="2026-02-20",
        ),
    )
    manager = signed_in(app, MANAGER)
    page = manager.get("/cases?q=de4").get_data(as_text=True)
    assert 'href="/cases.csv?q=de4"' in page
    download = manager.get("/cases.csv?q=de4&sort=reference")
    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    assert download.headers["Content-Disposition"].startswith('attachment; filename="cases-')
    assert download.headers["Cache-Control"] == "no-store"
    rows = csv_rows(download.get_data(as_text=True))
    assert rows[0][:4] == ["Reference", "Date received", "District", "Status"]
    assert [row[0] for row in rows[1:]] == sorted(
        [found["obrien"], found["smith"], found["paper"], formula]
    )
    (hostile,) = [row for row in rows if row[0] == formula]
    assert hostile[4] == '\'=HYPERLINK("http://evil.example","Click")'
    assert hostile[5] == "'+44 1629 000000\n@SUM(A1)"
    assert hostile[3] == "Received" and hostile[1] == "2026-02-20"
    for cell in (cell for row in rows for cell in row):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    # Only managers: a caseworker gets no link and no list.
    council = signed_in(app, COUNCIL)
    assert "cases.csv" not in council.get("/cases?q=de4").get_data(as_text=True)
    assert council.get("/cases.csv?q=de4").status_code == 403
    bad = manager.get("/cases.csv?received_from=yesterday")
    assert bad.status_code == 400 and "must be a real date" in bad.get_data(as_text=True)
    with app_db.read() as session:
        downloads = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "cases.searched",
                AuditEvent.detail["channel"].as_string() == "download",
            )
        ).all()
    (recorded,) = downloads
    assert recorded.detail["found"] == 4 and recorded.detail["looked_for"] == {"text": "de4"}
    assert audit.describe(recorded.action, actor="Manager", detail=recorded.detail) == (
        'Manager downloaded the cases for "de4" (4 found)'
    )


def test_an_administrator_searches_every_case_only_with_a_recorded_reason(
    app: Flask, app_db: Database, found: dict[str, str]
) -> None:
    admin = signed_in(app, ADMIN)
    asked = admin.get("/cases?q=smith").get_data(as_text=True)
    assert "Why do you need to search the cases?" in asked and "Tom Smith" not in asked
    token = form_token(admin, "/cases")
    short = admin.post("/cases/search-reason", data={"reason": "audit", "csrf_token": token})
    assert short.status_code == 400
    assert "at least 10 characters" in short.get_data(as_text=True)
    reason = "Subject access request SAR-2026-041 from Grace Smith"
    given = admin.post("/cases/search-reason", data={"reason": reason, "csrf_token": token})
    assert given.status_code == 302 and given.headers["Location"] == "/cases"
    assert listed(admin, q="smith") == [found["erewash"], found["smith"]], "every district"
    # Opening one still asks why, for that case.
    assert "Why do you need to read case" in admin.get(f"/cases/{found['erewash']}").get_data(
        as_text=True
    )
    with app_db.read() as session:
        (search,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "cases.searched")
        ).all()
    assert search.detail["justification"] == reason
    assert audit.describe(search.action, actor="Admin", detail=search.detail).endswith(
        f"(2 found). Reason given: {reason}"
    )
    # Nobody else gives such a reason.
    council = signed_in(app, COUNCIL)
    refused = council.post(
        "/cases/search-reason",
        data={"reason": reason, "csrf_token": form_token(council, "/account/password")},
    )
    assert refused.status_code == 404
