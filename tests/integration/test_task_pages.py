"""The signed-in pages: inbox, task forms with drafts and files, and the case page."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from engine.core.config import load_settings
from engine.core.db import Database
from engine.core.models import Attachment, AuditEvent, Case, Incident, Task
from tests.support.files import FIXTURES
from tests.support.people import COUNCIL
from tests.support.procedure import application, do, live, submit
from tests.support.runtime import DIAGRAM, complete, deploy_bytes, open_tasks, start_case
from tests.support.web import csrf_token, signed_in
from web import create_app

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def app(app_db: Database, tmp_path) -> Flask:
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": app_db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    return create_app(settings, app_db)


@pytest.fixture
def returns_case(app_db: Database) -> int:
    """A case waiting for the agencies' information returns."""
    case_id = submit(app_db, application())
    do(app_db, case_id, "acknowledge", COUNCIL, {"method": "email"})
    do(app_db, case_id, "screen", COUNCIL, {"route": "review", "hate_element": False})
    return case_id


def post(client: FlaskClient, path: str, data: dict, **kwargs):
    page = client.get("/sign-out").get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf_token(page), **data}, **kwargs)


def return_form(*incidents: tuple[str, str], action: str = "complete") -> dict:
    data = {
        "incidents-present": "1",
        "actions_taken": "Two warnings",
        "view": "It is persistent",
        "action": action,
    }
    for index, (day, reference) in enumerate(incidents):
        for field, offset in (("occurred_on", 0), ("reported_on", 1)):
            data[f"incidents-{index}-{field}-day"] = str(int(day) + offset)
            data[f"incidents-{index}-{field}-month"] = "2"
            data[f"incidents-{index}-{field}-year"] = "2026"
        data[f"incidents-{index}-reference"] = reference
    return data


def task(app_db: Database, task_id: int) -> Task:
    with app_db.read() as session:
        return session.get(Task, task_id)


def test_the_inbox_lists_the_organisations_tasks_with_due_dates(
    app: Flask, returns_case: int, app_db: Database
) -> None:
    page = signed_in(app, "police@example.org").get("/").get_data(as_text=True)
    waiting = re.search(r'id="organisation-tasks".*?</table>', page, re.S).group(0)
    assert "Police information return" in waiting
    assert "Due in 9 working days" in waiting, "the working day before the threshold decision"
    assert "Derbyshire Dales" in waiting
    assert "Claim" in waiting


def test_the_inbox_filters_by_task(app: Flask, returns_case: int) -> None:
    # The council's return is with the caseworker who screened the case.
    client = signed_in(app, COUNCIL)

    def listed(query: str) -> str:
        page = client.get(f"/?{query}").get_data(as_text=True)
        return re.search(r'id="my-tasks".*?</table>', page, re.S).group(0)

    assert "Council services information return" in listed("task=council_return")
    assert "Council services information return" not in listed("task=threshold_decision")
    assert "Council services information return" not in listed("district=erewash")
    assert "Clear filters" in client.get("/?task=council_return").get_data(as_text=True)


def test_an_overdue_task_shows_a_red_tag_to_its_managers(
    app: Flask, returns_case: int, fixed_clock
) -> None:
    from datetime import timedelta

    fixed_clock.advance(timedelta(days=16))  # 12 working days later
    page = signed_in(app, "manager@example.org").get("/").get_data(as_text=True)
    overdue = re.search(r'id="overdue-tasks".*?</table>', page, re.S).group(0)
    assert "Council services information return" in overdue
    assert "govuk-tag--red" in overdue and "Overdue by 3 working days" in overdue


def test_the_task_form_is_drawn_from_its_schema(app: Flask, returns_case: int, app_db) -> None:
    task_id = live(app_db, returns_case)["police_return"].id
    page = signed_in(app, "police@example.org").get(f"/tasks/{task_id}").get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">Police information return</h1>' in page
    assert 'name="incidents-0-occurred_on-day"' in page
    assert "Add another incident" in page
    assert 'name="actions_taken"' in page and "<textarea" in page
    assert "Case " in page and "Open the whole case" in page, "the case beside the form"


def test_a_draft_is_saved_and_repeating_groups_grow_and_shrink(
    app: Flask, returns_case: int, app_db: Database
) -> None:
    task_id = live(app_db, returns_case)["police_return"].id
    client = signed_in(app, "police@example.org")
    response = post(
        client, f"/tasks/{task_id}", return_form(("3", "A"), ("9", "B"), action="add:incidents")
    )
    assert response.status_code == 302
    # The page opens with the focus on the new incident's first box, which the fragment names.
    assert response.location.endswith(f"/tasks/{task_id}#incidents-2-occurred_on-day")
    draft = task(app_db, task_id).draft
    assert [i.get("reference") for i in draft["incidents"]] == ["A", "B", None]
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="incidents-2"' in page and 'value="B"' in page
    assert 'id="incidents-2-occurred_on-day"' in page
    form = return_form(("3", "A"), ("9", "B"), action="remove:incidents:0")
    response = post(client, f"/tasks/{task_id}", form)
    assert response.location.endswith("#incidents-0-occurred_on-day"), "the one in its place"
    assert [i["reference"] for i in task(app_db, task_id).draft["incidents"]] == ["B"]


def test_wrong_answers_are_kept_and_explained(
    app: Flask, returns_case: int, app_db: Database
) -> None:
    task_id = live(app_db, returns_case)["police_return"].id
    client = signed_in(app, "police@example.org")
    form = return_form(("3", "A"))
    form["incidents-0-occurred_on-month"] = "14"
    form["view"] = ""
    response = post(client, f"/tasks/{task_id}", form)
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "There is a problem" in page
    assert 'href="#incidents-0-occurred_on-day"' in page
    assert '<a href="#view">Enter your view of the case</a>' in page
    assert 'value="Two warnings"' in page or ">Two warnings</textarea>" in page
    assert task(app_db, task_id).state == "open"
    assert task(app_db, task_id).draft["actions_taken"] == "Two warnings", "nothing is lost"


def test_completing_a_return_records_its_incidents(
    app: Flask, returns_case: int, app_db: Database
) -> None:
    task_id = live(app_db, returns_case)["police_return"].id
    client = signed_in(app, "police@example.org")
    response = post(client, f"/tasks/{task_id}", return_form(("3", "A"), ("9", "B")))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "is complete" in client.get("/").get_data(as_text=True)
    assert task(app_db, task_id).state == "completed"
    with app_db.read() as session:
        references = session.scalars(
            select(Incident.reference).where(
                Incident.case_id == returns_case, Incident.source != "application"
            )
        ).all()
    assert sorted(references) == ["A", "B"]
    second = post(client, f"/tasks/{task_id}", return_form(("3", "A")))
    assert second.status_code == 409, "a completed task cannot be completed again"
    answers = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    inputs = re.findall(r"<(?:input|textarea)\b[^>]*>", answers)
    shown = [tag for tag in inputs if 'name="incidents-' in tag or 'name="view"' in tag]
    assert any('name="incidents-0-occurred_on-day"' in tag for tag in shown)
    assert shown and all("disabled" in tag for tag in shown), "a finished task's answers stay"


def test_claim_release_and_reassign(app: Flask, returns_case: int, app_db: Database) -> None:
    task_id = live(app_db, returns_case)["council_return"].id
    # The caseworker who screened the case has it; they hand it back for a colleague.
    first = signed_in(app, "council@example.org")
    page = first.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Given to you because you completed the previous step of this case" in page
    post(first, f"/tasks/{task_id}", {"action": "release"})
    assert task(app_db, task_id).state == "open"
    worker = signed_in(app, "council2@example.org")
    post(worker, f"/tasks/{task_id}", {"action": "claim"})
    assert task(app_db, task_id).state == "claimed"
    page = first.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "is working on this task" in page and "Complete task" not in page
    manager = signed_in(app, "manager@example.org")
    with app_db.read() as session:
        from engine.core.models import User

        council_id = session.scalar(select(User.id).where(User.email == "council@example.org"))
    no_one = post(manager, f"/tasks/{task_id}/reassign", {"user_id": ""})
    assert no_one.status_code == 400
    page = no_one.get_data(as_text=True)
    assert '<a href="#user_id">Select an active colleague' in page
    assert 'id="user_id-error"' in page
    response = post(manager, f"/tasks/{task_id}/reassign", {"user_id": str(council_id)})
    assert response.status_code == 302
    assert task(app_db, task_id).assignee_id == council_id
    post(signed_in(app, "council@example.org"), f"/tasks/{task_id}", {"action": "release"})
    assert task(app_db, task_id).state == "open" and task(app_db, task_id).assignee_id is None


def test_answers_too_long_to_keep_are_shown_again_with_the_reason(
    app: Flask, returns_case: int, app_db: Database
) -> None:
    """A draft has a size limit: past it, saving or completing says so, with what was typed
    still on the page, and the draft saved before stays as it was."""
    task_id = live(app_db, returns_case)["police_return"].id
    police = signed_in(app, "police@example.org")
    kept = return_form(("3", "A"), action="draft")
    assert post(police, f"/tasks/{task_id}", kept).status_code == 302
    huge = "Several reports a night. " * 24_000  # about 600 KB
    for action in ("draft", "complete"):
        answer = post(
            police, f"/tasks/{task_id}", {**kept, "actions_taken": huge, "action": action}
        )
        assert answer.status_code == 400
        page = unescape(answer.get_data(as_text=True))
        assert "Your answers are too long to keep (at most 512 KB in all)" in page
        assert huge.strip() in page, "what was typed is still there to shorten"
        assert task(app_db, task_id).draft["actions_taken"] == "Two warnings"
        assert task(app_db, task_id).state == "open"


@pytest.mark.parametrize("colleague", ["claimed", "completed"])
def test_answers_refused_because_a_colleague_took_the_task_are_shown_again(
    app: Flask, returns_case: int, app_db: Database, colleague: str
) -> None:
    """Shown apart from the task, read-only but selectable to copy, and clashing with nothing
    on the page; a task the colleague finished shows their answers as well."""
    task_id = live(app_db, returns_case)["council_return"].id
    # The caseworker who screened the case has the council's return (work stays with them).
    other = signed_in(app, "council@example.org")
    if colleague == "completed":
        assert post(other, f"/tasks/{task_id}", return_form(("3", "A"))).status_code == 302
    late = post(
        signed_in(app, "council2@example.org"),
        f"/tasks/{task_id}",
        {**return_form(("3", "A")), "actions_taken": "A visit and a letter"},
    )
    assert late.status_code == 409
    page = unescape(late.get_data(as_text=True))
    assert "claimed by someone else" in page or "already completed" in page
    copy = re.search(r'<textarea[^>]*name="copy-actions_taken"[^>]*>([^<]*)<', page)
    assert copy and copy.group(1).strip() == "A visit and a letter"
    assert "readonly" in copy.group(0) and "disabled" not in copy.group(0)
    assert '<a href="#form">' in page and 'id="form"' in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "no id twice"
    if colleague == "completed":
        assert "Two warnings" in page, "the colleague's answers, as completed"


def test_a_completion_after_which_the_process_fails_is_kept_and_says_so(
    db: Database, tmp_path
) -> None:
    """A rule of the diagram fails after the task: the answers are kept and the task is done,
    and the officer is told the process stopped there, for its process owners to look at."""
    broken = DIAGRAM.replace(b"housing_count = len(incidents)", b"housing_count = len(missing)")
    deploy_bytes(db, broken)
    case_id = start_case(db)
    complete(db, open_tasks(db, case_id)["acknowledge"], "council@example.org", {"note": "sent"})
    task_id = open_tasks(db, case_id)["housing_return"].id
    settings = load_settings(
        {
            "CASEREVIEW_DATABASE_URL": db.url,
            "CASEREVIEW_INSTANCE_DIR": str(tmp_path),
            "CASEREVIEW_WORKFLOWS_DIR": str(FIXTURES),
        }
    )
    housing = signed_in(create_app(settings, db), "housing@example.org")
    answers = {
        "incidents-present": "1",
        "incidents-0-occurred_on-day": "10",
        "incidents-0-occurred_on-month": "1",
        "incidents-0-occurred_on-year": "2026",
        "incidents-0-reported_on-day": "12",
        "incidents-0-reported_on-month": "1",
        "incidents-0-reported_on-year": "2026",
        "view": "Noise most nights",
        "action": "complete",
    }
    done = post(housing, f"/tasks/{task_id}", answers)
    assert done.status_code == 302
    page = unescape(housing.get(done.headers["Location"]).get_data(as_text=True))
    assert "is complete, but the process could not move on after it" in page
    assert "its process owners can see why" in page
    assert open_tasks(db, case_id) == {}
    with db.read() as session:
        assert session.get_one(Task, task_id).data["view"] == "Noise most nights"


def test_files_are_checked_by_content_and_shown_only_to_participants(
    app: Flask, returns_case: int, app_db: Database
) -> None:
    task_id = live(app_db, returns_case)["police_return"].id
    police = signed_in(app, "police@example.org")
    upload = post(
        police,
        f"/tasks/{task_id}/attachments",
        {"file": (io.BytesIO(PDF), "statement.pdf")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    renamed = post(
        police,
        f"/tasks/{task_id}/attachments",
        {"file": (io.BytesIO(b"MZ\x90\x00 not a document"), "report.pdf")},
        content_type="multipart/form-data",
    )
    assert renamed.status_code == 400
    assert "must be PDF, Word, an image" in renamed.get_data(as_text=True)
    with app_db.read() as session:
        files = session.scalars(select(Attachment)).all()
        assert [(f.filename, f.media_type, f.size) for f in files] == [
            ("statement.pdf", "application/pdf", len(PDF))
        ]
        file_id = files[0].id
    council = signed_in(app, "council@example.org")
    download = council.get(f"/attachments/{file_id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    outsider = signed_in(app, "erewash@example.org")
    assert outsider.get(f"/attachments/{file_id}").status_code == 404
    with app_db.read() as session:
        disclosures = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "disclosure", AuditEvent.object_type == "attachment")
        )
    assert disclosures == 1


def test_a_file_over_the_limit_is_refused_clearly(
    app: Flask, returns_case: int, app_db: Database
) -> None:
    task_id = live(app_db, returns_case)["police_return"].id
    police = signed_in(app, "police@example.org")
    response = post(
        police,
        f"/tasks/{task_id}/attachments",
        {"file": (io.BytesIO(PDF + b"0" * (12 * 1024 * 1024)), "huge.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "must be smaller than 10 MB" in response.get_data(as_text=True)


def test_the_case_page_for_a_participant_and_404_for_others(
    app: Flask, returns_case: int, app_db: Database
) -> None:
    with app_db.read() as session:
        reference = session.get(Case, returns_case).reference
    council = signed_in(app, "council@example.org")
    page = unescape(council.get(f"/cases/{reference}").get_data(as_text=True))
    assert f"Case {reference}" in page
    assert "Sam Taylor" in page and "1 Bank Road, Matlock" in page
    assert "Police information return" in page
    assert 'id="audit"' in page, "the council sees the audit trail"
    assert "data-diagram-url" in page
    police_page = signed_in(app, "police@example.org").get(f"/cases/{reference}")
    assert police_page.status_code == 200
    assert 'id="audit"' not in police_page.get_data(as_text=True)
    assert signed_in(app, "erewash@example.org").get(f"/cases/{reference}").status_code == 404
    assert council.get("/cases/CT-2026-99999").status_code == 404


def test_the_diagram_data_marks_done_and_waiting_tasks(
    app: Flask, returns_case: int, app_db: Database
) -> None:
    with app_db.read() as session:
        reference = session.get(Case, returns_case).reference
    client = signed_in(app, "council@example.org")
    page = client.get(f"/cases/{reference}").get_data(as_text=True)
    url = re.search(r'data-diagram-url="([^"]+)"', page).group(1)
    drawn = client.get(url).get_json()
    assert drawn["xml"].lstrip().startswith("<?xml")
    assert {"acknowledge", "screen"} <= set(drawn["completed"])
    assert {"police_return", "housing_return", "health_return", "council_return"} <= set(
        drawn["active"]
    )
    assert signed_in(app, "erewash@example.org").get(url).status_code == 404


def test_a_long_inbox_comes_in_pages_of_25(app: Flask, app_db: Database) -> None:
    for _ in range(27):
        submit(app_db, application())
    client = signed_in(app, "council@example.org")
    first = client.get("/").get_data(as_text=True)
    assert first.count('action="/tasks/') == 25
    assert 'My organisation&#39;s tasks <span class="govuk-body-s">(1 to 25)</span>' in first
    following = re.search(r'href="([^"]*organisation_page=2[^"]*)"', first)
    assert following is not None and "Tasks after 25" in first
    second = client.get(unescape(following.group(1))).get_data(as_text=True)
    assert second.count('action="/tasks/') == 2
    assert "(26 to 27)" in second and "Tasks before 26" in second
    assert "organisation_page=3" not in second
    claimed = {int(n) for n in re.findall(r'action="/tasks/(\d+)/claim"', first + second)}
    assert len(claimed) == 27
    # A page number beyond the list shows an empty page with a way back, never an error.
    beyond = client.get("/?organisation_page=99")
    assert beyond.status_code == 200 and "Tasks before 2451" in beyond.get_data(as_text=True)
