"""A case through the JSON API: its participants see it and its meeting pack, anyone else sees
nothing; a council manager gives its review another chair."""

from __future__ import annotations

from typing import Any

from tests.support.api import API, Api, db_of, new_case
from tests.support.people import COUNCIL, add_people, user
from tests.support.procedure import case_of, chaired_meeting, live


def test_a_participant_sees_the_case_and_anyone_else_sees_nothing(api: Api) -> None:
    reference, _ = new_case(api)
    one = "/cases/{reference}"
    managed = api.call("get", f"/cases/{reference}", template=one, who=COUNCIL)
    assert managed["applicant"]["name"] == "Sam Taylor"
    assert managed["applicant"]["contact_preference"] == "post", "as it was sent"
    assert [i["occurred_on"] for i in managed["incidents"]] == [
        "2026-01-05",
        "2026-01-19",
        "2026-02-02",
    ]
    assert managed["tasks"][0]["name"] == "acknowledge"
    steps = managed["processes"][0]["steps"]
    assert steps[0] == {
        "element_id": "acknowledge",
        "name": "Acknowledge the application",
        "lane": "council",
        "state": "waiting",
    }
    assert {step["state"] for step in steps[1:]} == {"not_reached"}
    assert managed["audit"][-1]["action"] == "case.viewed"

    police = api.call("get", f"/cases/{reference}", template=one, who="police@example.org")
    assert police["applicant"] == managed["applicant"], "their case too"
    assert "audit" not in police

    # Futures Housing serves Amber Valley and Erewash, not the Dales.
    hidden = api.call(
        "get", f"/cases/{reference}", template=one, who="futures@example.org", status=404
    )
    missing = api.call(
        "get", "/cases/CT-2026-99999", template=one, who="futures@example.org", status=404
    )
    assert hidden["error"].replace(reference, "?") == missing["error"].replace("CT-2026-99999", "?")
    api.call("get", f"/cases/{reference}", template=one, status=401)

    documents = "/cases/{reference}/documents"
    listed = api.call(
        "get", f"/cases/{reference}/documents", template=documents, who="health@example.org"
    )
    assert listed["reference"] == reference
    assert listed["documents"] == managed["documents"]
    api.call(
        "get",
        f"/cases/{reference}/documents",
        template=documents,
        who="futures@example.org",
        status=404,
    )


def test_the_meeting_pack_route_keeps_to_the_document(api: Api) -> None:
    reference, _ = new_case(api)
    pack = "/cases/{reference}/documents/meeting-pack"
    path = f"/cases/{reference}/documents/meeting-pack"
    api.call("get", path, template=pack, status=401)
    api.call("get", path, template=pack, who="futures@example.org", status=404)
    response = api.client.get(
        f"{API}{path}", headers={"Authorization": f"Bearer {api.token(COUNCIL)}"}
    )
    assert response.status_code == 200
    assert response.mimetype in api.document["paths"][pack]["get"]["responses"]["200"]["content"]
    listed = api.call(
        "get",
        f"/cases/{reference}/documents",
        template="/cases/{reference}/documents",
        who="police@example.org",
    )
    assert "meeting_pack" in [document["kind"] for document in listed["documents"]]


def test_a_council_manager_gives_a_review_another_chair(api: Api) -> None:
    db = db_of(api)
    add_people(
        db, [("dales.chair@example.org", "derbyshire-dales-district-council", ["review_chair"])]
    )
    case_id, _task_id = chaired_meeting(db, "chair@example.org")
    reference = case_of(db, case_id).reference

    def change(who: str, body: dict[str, Any], status: int = 200) -> Any:
        return api.call(
            "post",
            f"/cases/{reference}/chair",
            template="/cases/{reference}/chair",
            who=who,
            json=body,
            status=status,
        )

    wrong = change("manager@example.org", {"chair_email": "police@example.org"}, 422)
    assert "review chair" in wrong["fields"]["chair_email"]
    change("manager@example.org", {}, 422)
    change(COUNCIL, {"chair_email": "dales.chair@example.org"}, 403)
    # The Dales council takes part in this Dales case: its chair needs the manager's reason.
    no_reason = change("manager@example.org", {"chair_email": "dales.chair@example.org"}, 422)
    assert "takes part in this case" in no_reason["fields"]["chair_reason"]
    reason = "No independent chair is free in time"
    changed = change(
        "manager@example.org", {"chair_email": "dales.chair@example.org", "chair_reason": reason}
    )
    chair = user(db, "dales.chair@example.org")
    assert changed == {"reference": reference, "chair": {"id": chair.id, "name": chair.name}}
    assert live(db, case_id)["record_meeting"].assignee_id == chair.id

    def declare(who: str, body: dict[str, Any], status: int = 200) -> Any:
        return api.call(
            "post",
            f"/cases/{reference}/chair-declaration",
            template="/cases/{reference}/chair-declaration",
            who=who,
            json=body,
            status=status,
        )

    declare("chair@example.org", {"conflict": "no"}, 404)  # no longer on the case
    declare("manager@example.org", {"conflict": "no"}, 403)
    assert (
        "Say what" in declare(chair.email, {"conflict": "yes"}, 422)["fields"]["conflict_details"]
    )
    made = declare(
        chair.email, {"conflict": "yes", "conflict_details": "Line manager of the ASB team"}
    )
    assert made["declaration"]["conflict"] is True and not made["declaration"]["after_meeting"]
    seen = api.call("get", f"/cases/{reference}", template="/cases/{reference}", who=COUNCIL)
    standing = seen["reviews"][0]["chair_standing"]
    assert standing["independent"] is False
    assert standing["taking_part"] == ["Derbyshire Dales District Council"]
    assert (
        standing["reason"] == reason
        and standing["reason_by"] == user(db, "manager@example.org").name
    )
    assert standing["declaration"]["details"] == "Line manager of the ASB team"
