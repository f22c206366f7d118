"""The process owner's pages: list, upload, compare and move versions, and the forms the
service knows beside the editor; closed to anyone else."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from engine import procedure
from engine.core.db import Database
from tests.support.api import Api, new_case
from tests.support.editing import (
    KEY,
    OWNER,
    RENAMED_ACKNOWLEDGE,
    RENAMED_SCREEN,
    SHIPPED,
    XML,
    changed,
    definition_of,
    deploy_version,
    instance_of,
    versions,
)
from tests.support.people import COUNCIL
from tests.support.procedure import ACKNOWLEDGED, do
from tests.support.web import form_token, make_app, sign_in, signed_in


def test_process_owner_pages_list_upload_compare_and_move(
    client: FlaskClient, api_db: Database
) -> None:
    import io

    assert sign_in(client, OWNER).status_code == 302
    listed = client.get("/procedure")
    assert listed.status_code == 200
    assert b"Community Trigger application" in listed.data and b"Newest" in listed.data

    token = form_token(client, "/procedure")
    refused = client.post(
        "/procedure/upload",
        data={
            "csrf_token": token,
            "action": "deploy",
            "file": (io.BytesIO(b"not a diagram"), "notes.bpmn"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert b"the file is not well-formed XML" in refused.data
    assert b'<h1 class="govuk-heading-l">notes.bpmn cannot be deployed</h1>' in refused.data
    checked = client.post(
        "/procedure/upload",
        data={"csrf_token": token, "action": "check", "file": (io.BytesIO(SHIPPED), "a.bpmn")},
        content_type="multipart/form-data",
    )
    assert checked.status_code == 200 and b"passes the checks" in checked.data
    assert len(versions(api_db)) == 1
    deployed = client.post(
        "/procedure/upload",
        data={
            "csrf_token": token,
            "action": "deploy",
            "file": (io.BytesIO(changed(RENAMED_SCREEN)), "a.bpmn"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert b"Deployed version 2" in deployed.data
    compared = client.get(f"/procedure/{KEY}/compare?from=1&to=2")
    assert compared.status_code == 200 and b"Screen the application for a review" in compared.data
    assert client.get(f"/procedure/{KEY}/versions/2.bpmn").data == changed(RENAMED_SCREEN)
    editor = client.get(f"/procedure/{KEY}/edit")
    assert editor.status_code == 200 and b"data-deploy-url" in editor.data
    nothing_running = client.get(f"/procedure/{KEY}/versions/1/move")
    assert b"No cases are running on version 1: there is nothing to move." in nothing_running.data
    assert b'name="confirmed"' not in nothing_running.data

    check_json = client.post(
        "/procedure/check", data=b"<x/>", headers={"X-CSRFToken": token}, **XML
    )
    assert check_json.status_code == 200 and check_json.get_json()["valid"] is False
    saved = client.post(
        "/procedure/deploy",
        data=changed(RENAMED_ACKNOWLEDGE),
        headers={"X-CSRFToken": token},
        **XML,
    )
    assert saved.status_code == 201 and saved.get_json()["version"] == 3
    assert client.post("/procedure/deploy", data=SHIPPED, **XML).status_code == 400, "CSRF"


def test_a_move_says_case_by_case_what_it_will_do_and_acts_only_when_confirmed(
    client: FlaskClient, api: Api, api_db: Database
) -> None:
    waiting_reference, waiting = new_case(api)  # at "acknowledge", which keeps its name
    further_reference, further = new_case(api)
    do(api_db, further, "acknowledge", COUNCIL, ACKNOWLEDGED)  # at "screen", renamed below
    deploy_version(api, changed(RENAMED_SCREEN))
    sign_in(client, OWNER)
    versions_page = client.get(f"/procedure/{KEY}").get_data(as_text=True)
    assert f'href="/procedure/{KEY}/versions/1/move"' in versions_page
    assert f'action="/procedure/{KEY}/versions/1/move"' not in versions_page, "no one-click move"

    plan = client.get(f"/procedure/{KEY}/versions/1/move").get_data(as_text=True)
    assert "Of the 2 running cases on version 1, 1 would move to version 2 and 1 would stay" in plan
    will_move, will_stay = plan.split('id="will-move"')[1], plan.split('id="will-stay"')[1]
    assert waiting_reference in will_move.split("</table>")[0]
    staying = will_stay.split("</table>")[0]
    assert further_reference in staying
    assert "&#39;Screen the application&#39; (screen), which it has reached, was changed" in staying
    assert "Move 1 case to version 2" in plan

    token = form_token(client, f"/procedure/{KEY}/versions/1/move")
    unconfirmed = client.post(f"/procedure/{KEY}/versions/1/move", data={"csrf_token": token})
    assert unconfirmed.status_code == 200 and b"Nothing has moved yet" in unconfirmed.data
    assert (definition_of(api_db, waiting), definition_of(api_db, further)) == (1, 1)

    moved = client.post(
        f"/procedure/{KEY}/versions/1/move",
        data={"csrf_token": token, "confirmed": "yes", "instance": [instance_of(api_db, waiting)]},
    )
    assert moved.status_code == 200 and b"1 running case was moved" in moved.data
    assert (definition_of(api_db, waiting), definition_of(api_db, further)) == (2, 1)


def test_people_who_are_not_process_owners_cannot_open_the_pages(
    client: FlaskClient, api_db: Database
) -> None:
    sign_in(client, COUNCIL)
    assert client.get("/procedure").status_code == 403
    assert client.get(f"/procedure/{KEY}/edit").status_code == 403
    assert client.get(f"/procedure/{KEY}/versions/1.bpmn").status_code == 403
    assert b"Process definitions" not in client.get("/").data


@pytest.mark.parametrize("page", ["", "/edit"])
def test_process_owners_see_every_form_and_its_meaning_beside_the_diagram(
    api_db: Database, tmp_path: Path, page: str
) -> None:
    client = signed_in(make_app(api_db, tmp_path), OWNER)
    html = client.get(f"/procedure/community_trigger_application{page}").get_data(as_text=True)
    assert 'id="known-forms"' in html
    for form, meaning in procedure.FORMS.items():
        assert f"<code>{form}</code>" in html
        assert meaning.does.replace("'", "&#39;") in html
    assert "Threshold decision letter" in html, "the letter a form sends"
    assert "Awaiting information" in html, "the case status a form sets"
