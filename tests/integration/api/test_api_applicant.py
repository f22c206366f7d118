"""The applicant on the JSON API: a token for their one-time code (the link from their email,
or a letter's code with their postcode), which reaches their own case alone: to read it as
their pages show it and to appeal. Another case answers as one that does not exist, every
staff route as for a caller with no token, and every refusal of a code reads the same."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from engine.core.clock import FixedClock
from engine.core.models import Appeal, AuditEvent, Case
from engine.people.applicant_codes import NOT_RIGHT
from tests.support.api import API, Api, api_application, db_of
from tests.support.applicant import BY_POST, new_letter_code, new_link, reference_of
from tests.support.people import COUNCIL
from tests.support.procedure import application, met_case, reviewed_case, submit

WHAT = "The housing provider's noise diary was not read at the meeting"
GROUND = "information_not_considered"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_for(api: Api, case_id: int) -> str:
    """A token got for a fresh emailed link, sent as the whole link."""
    link = f"https://casereview.example.org/your-case/sign-in/{new_link(db_of(api), case_id)}"
    return api.call("post", "/applicant/token", json={"link": link})["token"]


def appeals(api: Api) -> int:
    with db_of(api).read() as session:
        return session.scalar(select(func.count()).select_from(Appeal)) or 0


def test_an_applicant_reads_their_case_and_appeals_with_a_token_for_their_code(
    api: Api, fixed_clock: FixedClock
) -> None:
    db = db_of(api)
    case_id, reference = reviewed_case(db, fixed_clock)
    issued = api.call("post", "/applicant/token", json={"link": new_link(db, case_id)}, status=200)
    assert issued["token_type"] == "Bearer" and issued["expires_in"] == 3600
    assert issued["reference"] == reference
    headers = bearer(issued["token"])

    case = api.call("get", "/applicant/case", headers=headers)
    assert case["reference"] == reference
    assert case["appeal"]["open"] is True and GROUND in case["appeal"]["grounds"]
    assert case["appeal"]["closes_on"] == "2026-04-21"
    assert "Jordan" not in str(case), "nothing of anyone else"

    body = {"case_reference": reference.lower(), "grounds": [GROUND], "details": WHAT}
    lodged = api.call("post", "/appeals", json=body, headers=headers, status=201)
    assert lodged == {"reference": reference, "status": "appeal_lodged"}
    with db.read() as session:
        appeal = session.scalars(select(Appeal).where(Appeal.case_id == case_id)).one()
        assert (appeal.grounds, appeal.details, appeal.channel) == ([GROUND], WHAT, "online")
        assert appeal.letter_date.isoformat() == "2026-03-20", "their latest letter's"
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.case_id == case_id)
        ).all()
        assert {"applicant.signed_in", "applicant.token_issued"} <= set(actions)
    again = api.call("post", "/appeals", json=body, headers=headers, status=422)
    assert again["fields"][""].startswith("Your appeal is with the Office"), "one at a time"
    now = api.call("get", "/applicant/case", headers=headers)
    assert now["status"] == "appeal_lodged" and now["appeal"]["open"] is False

    # A date is the staff's to give; the applicant's letter is known.
    dated = {**body, "letter_date": "2026-03-20", "on_behalf_reason": "Because"}
    refused = api.call("post", "/appeals", json=dated, headers=headers, status=422)
    assert set(refused["fields"]) == {"letter_date", "on_behalf_reason"}


def test_the_token_reaches_the_applicants_case_alone(api: Api, fixed_clock: FixedClock) -> None:
    db = db_of(api)
    case_id, reference = reviewed_case(db, fixed_clock)
    other = reference_of(db, met_case(db))
    headers = bearer(token_for(api, case_id))
    appeal = {"case_reference": other, "grounds": ["threshold_decision"], "details": WHAT}

    not_theirs = api.call("post", "/appeals", json=appeal, headers=headers, status=404)
    made_up = api.call(
        "post",
        "/appeals",
        json={**appeal, "case_reference": "CT-2026-99999"},
        headers=headers,
        status=404,
    )
    assert not_theirs == made_up, "nothing tells which references exist"
    anonymous = api.call("post", "/appeals", json=appeal, status=401)
    assert anonymous["error"]
    assert appeals(api) == 0
    with db.read() as session:
        assert session.scalar(select(Case.status).where(Case.reference == other)) != (
            "appeal_lodged"
        )

    # No staff route takes it, not even on the applicant's own case.
    for path, template in (
        (f"/cases/{reference}", "/cases/{reference}"),
        (f"/cases/{reference}/documents", "/cases/{reference}/documents"),
        ("/tasks", "/tasks"),
    ):
        api.call("get", path, template=template, headers=headers, status=401)
    # A staff token is no applicant's, nor is a made-up one.
    api.call("get", "/applicant/case", who=COUNCIL, status=401)
    api.call("get", "/applicant/case", headers=bearer("made-up"), status=401)
    api.call("get", "/applicant/case", status=401)
    # A public route answers the applicant as it answers anyone.
    api.call("post", "/applications", json={}, headers=headers, status=422)

    # An hour later the token is spent.
    fixed_clock.advance(timedelta(hours=1, seconds=1))
    api.call("get", "/applicant/case", headers=headers, status=401)


def test_a_used_wrong_or_guessed_code_is_refused_in_the_same_words(api: Api) -> None:
    db = db_of(api)
    case_id = submit(db, application(applicant=BY_POST, contact_preference="letter"))
    reference = reference_of(db, case_id)
    link = new_link(db, case_id)
    api.call("post", "/applicant/token", json={"link": link})
    used = api.call("post", "/applicant/token", json={"link": link}, status=401)
    code = new_letter_code(db, case_id)
    letter = {"reference": reference, "code": code, "postcode": "DE4 3AB"}
    wrong_postcode = api.call(
        "post", "/applicant/token", json={**letter, "postcode": "DE1 1AA"}, status=401
    )
    made_up = api.call(
        "post", "/applicant/token", json={**letter, "reference": "CT-2026-99999"}, status=401
    )
    assert used == wrong_postcode == made_up == {"error": NOT_RIGHT}
    missing = api.call("post", "/applicant/token", json={"reference": reference}, status=422)
    assert {"link", "code", "postcode"} <= set(missing["fields"])

    issued = api.call("post", "/applicant/token", json=letter)
    assert issued["reference"] == reference, "the letter's code still works, once"


def test_wrong_codes_for_a_reference_lock_it_as_on_the_pages(api: Api) -> None:
    db = db_of(api)
    case_id = submit(db, application(applicant=BY_POST, contact_preference="letter"))
    reference = reference_of(db, case_id)
    code = new_letter_code(db, case_id)
    wrong = {"reference": reference, "code": "AAAA-BBBB-CCCC", "postcode": "DE4 3AB"}
    statuses = [
        api.client.post("/api/v1/applicant/token", json=wrong).status_code for _ in range(5)
    ]
    assert statuses == [401, 401, 401, 401, 429]
    locked = api.call("post", "/applicant/token", json={**wrong, "code": code}, status=429)
    assert "too many attempts" in locked["error"], "even the right code waits"


def test_an_applicant_s_appeal_by_the_api_counts_against_their_address(
    api: Api, fixed_clock: FixedClock
) -> None:
    """An appeal counts against the address's allowance like an application: here ten
    applications have used it up."""
    db = db_of(api)
    case_id, reference = reviewed_case(db, fixed_clock)
    headers = bearer(token_for(api, case_id))
    for _ in range(10):
        api.call("post", "/applications", json=api_application(), status=201)
    body = {"case_reference": reference, "grounds": [GROUND], "details": WHAT}
    refused = api.client.post(f"{API}/appeals", json=body, headers=headers)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) == 3600
    assert appeals(api) == 0
    fixed_clock.advance(timedelta(hours=1))
    fresh = bearer(token_for(api, case_id))  # the first token lasted the hour too
    api.call("post", "/appeals", json=body, headers=fresh, status=201)
