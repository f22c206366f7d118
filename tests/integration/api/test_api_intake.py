"""What anyone may send the JSON API without signing in (an application) and read (the
published figures), and an appeal, which only the council lodges for the applicant."""

from __future__ import annotations

from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from engine.core.models import Appeal, AuditEvent, Case
from tests.support.api import API, Api, api_application, db_of, new_case
from tests.support.people import COUNCIL, POLICE
from tests.support.procedure import TODAY, case_of, met_case


def test_anyone_may_apply(api: Api) -> None:
    submitted = api.call("post", "/applications", json=api_application(), status=201)
    with db_of(api).read() as session:
        case = session.scalar(select(Case).where(Case.reference == submitted["reference"]))
        assert submitted["status"] == case.status
        assert (case.channel, case.applicant["contact_preference"]) == ("online", "letter")
        assert case.applicant["name"] == "Sam Taylor"


def test_a_refused_application_lists_every_field_to_correct(api: Api) -> None:
    payload = api_application(district="atlantis")
    payload["applicant"]["contact_preference"] = "pigeon"
    refused = api.call("post", "/applications", json=payload, status=422)
    assert set(refused["fields"]) == {"district", "applicant.contact_preference"}
    refused = api.call("post", "/applications", json=api_application(incidents=[]), status=422)
    assert "incidents" in refused["fields"]
    refused = api.call(
        "post", "/applications", json=api_application(received_on="2026-02-20"), status=422
    )
    assert "council caseworker" in refused["fields"]["received_on"]
    api.call("post", "/applications", json=["not", "an", "object"], status=400)
    with db_of(api).read() as session:
        assert session.scalars(select(Case)).all() == []


TOLD = {
    "place": "The park behind Station Road, Matlock",
    "responsible": "Two brothers from Hill Street",
    "witnesses": "Mrs Khan at number 14",
    "outcome": "The music at night to stop",
    "communication_needs": "A Polish interpreter at meetings",
    "letter_format": "another_language",
    "letter_language": "Polish",
}


def test_an_application_says_where_and_what_and_the_case_reads_it_back(api: Api) -> None:
    payload = api_application(**TOLD)
    documented = api.document["components"]["schemas"]["Application"]
    Draft202012Validator({**documented, "components": api.document["components"]}).validate(payload)
    reference = api.call("post", "/applications", json=payload, status=201)["reference"]
    case = api.call("get", f"/cases/{reference}", template="/cases/{reference}", who=POLICE)
    assert case["details"] == TOLD

    # Where and what are needed; letters in another language need the language.
    refused = api.call(
        "post",
        "/applications",
        json=api_application(**{**TOLD, "place": " ", "letter_language": ""}),
        status=422,
    )
    assert refused["fields"] == {
        "place": "Enter where the behaviour happens",
        "letter_language": "Enter the language you need our letters in",
    }
    without = api_application()
    del without["outcome"], without["place"]
    refused = api.call("post", "/applications", json=without, status=422)
    assert refused["fields"] == {
        "place": "Enter where the behaviour happens",
        "outcome": "Enter what you would like to happen",
    }


def test_a_case_from_before_the_application_asked_reads_back_blank(api: Api) -> None:
    reference, case_id = new_case(api)
    with db_of(api).transaction() as session:
        session.get_one(Case, case_id).details = {}
    one = api.call("get", f"/cases/{reference}", template="/cases/{reference}", who=COUNCIL)
    assert one["details"] == {
        "place": "",
        "responsible": "",
        "witnesses": "",
        "outcome": "",
        "communication_needs": "",
        "letter_format": "standard",
        "letter_language": "",
    }


def test_a_council_caseworker_enters_a_paper_application(api: Api) -> None:
    submitted = api.call(
        "post",
        "/applications",
        json=api_application(received_on="2026-02-20"),
        who=COUNCIL,
        status=201,
    )
    with db_of(api).read() as session:
        case = session.scalar(select(Case).where(Case.reference == submitted["reference"]))
    assert (case.channel, case.received_on.isoformat()) == ("paper", "2026-02-20")
    api.call(
        "post",
        "/applications",
        json=api_application(),
        headers={"Authorization": "Bearer expired-or-made-up"},
        status=401,
    )


def test_an_appeal_is_lodged_for_the_applicant_only_by_the_council_on_their_case(
    api: Api,
) -> None:
    db = db_of(api)
    reference = case_of(db, met_case(db)).reference
    appeal = {
        "case_reference": reference,
        "letter_date": TODAY,
        "grounds": ["threshold_decision"],
        "details": "The police reports were not counted",
    }

    def appeals() -> tuple[int, str]:
        with db.read() as session:
            case = session.scalars(select(Case).where(Case.reference == reference)).one()
            count = session.scalar(select(func.count()).select_from(Appeal))
            return count, case.status

    before = appeals()
    anonymous = api.call("post", "/appeals", json=appeal, status=401)
    assert anonymous["error"]
    not_theirs = api.call("post", "/appeals", json=appeal, who=POLICE, status=404)
    made_up = api.call(
        "post",
        "/appeals",
        json={**appeal, "case_reference": "CT-2026-99999"},
        who=COUNCIL,
        status=404,
    )
    assert not_theirs == made_up, "a stranger learns nothing of which references exist"
    assert appeals() == before, "nothing changes"

    refused = api.call("post", "/appeals", json=appeal, who=COUNCIL, status=422)
    assert set(refused["fields"]) == {"on_behalf_reason"}
    refused = api.call(
        "post",
        "/appeals",
        json={**appeal, "grounds": ["unhappy"], "on_behalf_reason": "Sent to us on paper"},
        who=COUNCIL,
        status=422,
    )
    assert "grounds[0]" in refused["fields"]
    reason = "The applicant posted it to the council"
    lodged = api.call(
        "post", "/appeals", json={**appeal, "on_behalf_reason": reason}, who=COUNCIL, status=201
    )
    assert lodged == {"reference": reference, "status": "appeal_lodged"}
    with db.read() as session:
        recorded = session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "appeal.lodged_for_applicant")
        ).one()
        channel = session.scalars(select(Appeal.channel)).one()
    assert recorded["justification"] == reason and channel == "staff"


def test_the_published_figures(api: Api) -> None:
    new_case(api)
    figures = api.call("get", "/statistics?year=2025")
    assert (figures["year"], figures["label"]) == (2025, "2025/26")
    assert [d["key"] for d in figures["districts"]][:2] == ["amber-valley", "bolsover"]
    assert len(figures["districts"]) == 9
    dales = next(d for d in figures["districts"] if d["key"] == "derbyshire-dales")
    assert dales["applications"] == 1 and figures["totals"]["applications"] == 1
    assert api.call("get", "/statistics")["year"] == 2025, "the current financial year"
    for year in ("abc", "2013", "2030"):
        refused = api.call("get", f"/statistics?year={year}", status=422)
        assert "year" in refused["fields"]


def test_one_address_sends_only_so_many_applications_an_hour_by_the_api_too(api: Api) -> None:
    """The same allowance as the pages' (10 an hour from one address), shared with them; a
    council caseworker entering paper applications with their token is not counted."""
    for _ in range(10):
        api.call("post", "/applications", json=api_application(), status=201)
    refused = api.client.post(f"{API}/applications", json=api_application())
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "3600"
    assert "Nothing has been sent" in refused.get_json()["error"]
    assert "answers are below" not in refused.get_json()["error"]
    paper = api_application(received_on="2026-02-20")
    api.call("post", "/applications", json=paper, who=COUNCIL, status=201)
    with db_of(api).read() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 11
