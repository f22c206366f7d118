"""The letters' wording pages: process owners and administrators edit a letter's template,
preview it on the sample case or on a case they may see, check it, deploy it, compare versions
and go back to one; closed to everyone else."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from engine.core.db import Database
from engine.core.models import AuditEvent, LetterTemplate
from engine.documents.letters import versions
from tests.support.editing import OWNER
from tests.support.letters import acknowledged
from tests.support.people import COUNCIL, add_people
from tests.support.web import csrf_token, sign_in

KIND = "closure_letter"
PAGE = f"/procedure/letters/{KIND}"
# A process owner who is also one of the Derbyshire Dales council's caseworkers: they may see
# that council's cases, so they may preview a letter on one.
OWNER_CASEWORKER = "owner.caseworker@example.org"
ADMIN = "admin@example.org"


def _deployed(db: Database) -> list[int]:
    with db.read() as session:
        return list(
            session.scalars(
                select(LetterTemplate.version)
                .where(LetterTemplate.kind == KIND)
                .order_by(LetterTemplate.version)
            )
        )


def _post(client: FlaskClient, **form: str):
    token = csrf_token(client.get(PAGE).get_data(as_text=True))
    return client.post(PAGE, data={"csrf_token": token, **form})


def test_a_process_owner_previews_checks_deploys_compares_and_goes_back(
    client: FlaskClient, api_db: Database
) -> None:
    assert sign_in(client, OWNER).status_code == 302
    listed = client.get("/procedure/letters").get_data(as_text=True)
    assert "Closure letter" in listed and "The shipped wording" in listed
    shipped = versions.default_wording(KIND).body
    page = client.get(PAGE).get_data(as_text=True)
    assert "Letters sent now use the shipped wording." in page
    assert "{{ reasons }}" in page  # the placeholders, listed
    assert "A quoted paragraph" in page

    changed = shipped.replace("## Why", "## Why we closed it")
    preview = _post(client, action="preview", body=changed, case="")
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Preview on the sample case" in text and "Why we closed it" in text
    assert "Quoted</strong> from the reasons given for closing" in text
    assert _deployed(api_db) == []

    # A pure process owner sees no case: previewing on one says it cannot be found.
    case_id = acknowledged(api_db)
    reference = f"CT-2026-{case_id:05d}"
    hidden = _post(client, action="preview", body=changed, case=reference)
    assert hidden.status_code == 422
    assert f"There is no case {reference} that you can see: check the reference" in (
        hidden.get_data(as_text=True)
    )

    broken = changed.replace("{{ reference }}", "{{ case_number }}")
    refused = _post(client, action="deploy", body=broken)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Line 3: there is no placeholder &#39;case_number&#39; in this letter" in text
    assert "case_number" in text.split('id="body"')[1].split("</textarea>")[0]  # kept
    assert _deployed(api_db) == []

    checked = _post(client, action="check", body=changed)
    assert checked.status_code == 200 and "This wording passes the checks" in checked.get_data(
        as_text=True
    )
    deployed = _post(client, action="deploy", body=changed)
    assert deployed.status_code == 302
    assert "Deployed version 1" in client.get(PAGE).get_data(as_text=True)
    assert _deployed(api_db) == [1]

    compared = client.get(f"{PAGE}/compare?from=0&to=1").get_data(as_text=True)
    assert "Taken out: </span>## Why</del>" in compared
    assert "Put in: </span>## Why we closed it</ins>" in compared
    assert client.get(f"{PAGE}/compare").status_code == 400
    assert client.get(f"{PAGE}/versions/9").status_code == 404
    assert client.get("/procedure/letters/no_such_letter").status_code == 404

    shipped_page = client.get(f"{PAGE}/versions/0").get_data(as_text=True)
    assert "Go back to this wording" in shipped_page
    token = csrf_token(shipped_page)
    back = client.post(f"{PAGE}/versions/0/restore", data={"csrf_token": token})
    assert back.status_code == 302
    assert "Deployed the wording of version 0 again as version 2" in client.get(PAGE).get_data(
        as_text=True
    )
    assert _deployed(api_db) == [1, 2]
    with api_db.read() as session:
        assert versions.current_wording(session, KIND).body == shipped
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "letter_template")
            .order_by(AuditEvent.id)
        ).all()
    assert actions == ["letter_template.deployed", "letter_template.restored"]


def test_a_preview_on_a_case_the_owner_may_see_writes_its_letter_and_records_the_look(
    client: FlaskClient, api_db: Database
) -> None:
    add_people(
        api_db,
        [(OWNER_CASEWORKER, "derbyshire-dales-district-council", ["process_owner", "caseworker"])],
    )
    case_id = acknowledged(api_db)
    reference = f"CT-2026-{case_id:05d}"
    assert sign_in(client, OWNER_CASEWORKER).status_code == 302
    body = versions.default_wording(KIND).body
    shown = _post(client, action="preview", body=body, case=reference)
    text = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert f"Preview on {reference}" in text
    assert f"We have closed your application {reference} for an ASB Case Review" in text
    assert "Dear Sam Taylor," in text
    with api_db.read() as session:
        looked = session.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.action == "case.viewed", AuditEvent.case_id == case_id
            )
        ).all()
    assert {"purpose": "letter wording preview"} in looked


def test_administrators_may_change_the_wording_and_no_one_else(
    client: FlaskClient, api_db: Database
) -> None:
    add_people(api_db, [(ADMIN, "derbyshire-dales-district-council", ["administrator"])])
    sign_in(client, COUNCIL)
    assert client.get("/procedure/letters").status_code == 403
    assert client.get(PAGE).status_code == 403
    assert b"Letters&#39; wording" not in client.get("/").data
    client.get("/sign-out")
    other = client.application.test_client()
    assert sign_in(other, ADMIN).status_code == 302
    assert other.get(PAGE).status_code == 200
    assert b"Letters&#39; wording" in other.get("/").data
