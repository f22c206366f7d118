"""Reading a case one does not take part in: a hidden case answers exactly as a missing one,
and an administrator reads a case only with a recorded reason."""

from __future__ import annotations

import re

from sqlalchemy import select
from werkzeug.test import TestResponse

from tests.support.access import Route, Visitor, World


def test_a_hidden_case_answers_exactly_as_a_missing_one(world: World) -> None:
    visitor = Visitor(world, "erewash@example.org")
    dales = world.cases["A"]
    for hidden, missing in [
        (f"/api/v1/cases/{dales.reference}", "/api/v1/cases/CT-NONE-0000"),
        (f"/api/v1/tasks/{dales.any_task}", "/api/v1/tasks/999999"),
        (f"/tasks/{dales.any_task}", "/tasks/999999"),
        (f"/attachments/{dales.attachment}", "/attachments/999999"),
    ]:
        route = Route("GET", hidden, hidden, "case")
        seen, absent = visitor.call(route, hidden), visitor.call(route, missing)
        assert seen.status_code == absent.status_code == 404
        assert _without_nonce(seen).replace(dales.reference, "CT-NONE-0000") == (
            _without_nonce(absent)
        )


def _without_nonce(response: TestResponse) -> str:
    """The page without its per-request CSP nonce, the one part that differs every time."""
    return re.sub(r'nonce="[^"]+"', "", response.get_data(as_text=True))


def test_an_administrator_reads_a_case_only_with_a_recorded_reason(world: World) -> None:
    from engine.core.models import AuditEvent

    visitor = Visitor(world, "admin@example.org")
    reference = world.cases["B"].reference
    asked = visitor.browser.get(f"/cases/{reference}").get_data(as_text=True)
    assert "Why do you need to read case" in asked and "Sam Taylor" not in asked
    short = Route("POST", f"/cases/{reference}/reason", "", "case", {"reason": "audit"})
    refused = visitor.call(short, short.path)
    assert refused.status_code == 400
    assert "at least 10 characters" in refused.get_data(as_text=True)
    assert "<title>Error: Why do you need" in refused.get_data(as_text=True), "said once"
    rambling = "A long story. " * 40  # 560 characters
    long = Route("POST", f"/cases/{reference}/reason", "", "case", {"reason": rambling})
    too_long = visitor.call(long, long.path)
    assert too_long.status_code == 400
    assert "in 500 characters or fewer" in too_long.get_data(as_text=True)
    assert rambling.strip() in too_long.get_data(as_text=True), "what was typed is kept"
    reason = "Subject access request SAR-2026-041 from the applicant"
    given = Route("POST", f"/cases/{reference}/reason", "", "case", {"reason": reason})
    assert visitor.call(given, given.path).status_code == 302
    page = visitor.browser.get(f"/cases/{reference}").get_data(as_text=True)
    assert "Sam Taylor" in page
    with world.db.read() as session:
        admin = world.users["administrator"]
        viewed = session.scalars(
            select(AuditEvent).where(
                AuditEvent.user_id == admin.id, AuditEvent.case_id == world.cases["B"].case_id
            )
        ).all()
    assert [event.action for event in viewed] == ["case.reading_justified", "case.viewed"]
    assert all(event.detail["justification"] == reason for event in viewed)
    # The reason is for that case only, and gives no way into the case's tasks.
    other = world.cases["C"]
    assert "Why do you need" in visitor.browser.get(f"/cases/{other.reference}").get_data(
        as_text=True
    )
    assert visitor.browser.get(f"/tasks/{world.cases['B'].any_task}").status_code == 404
    lines = "\r\n".join(["SAR 2041."] * 50)  # 499 characters as the page counts them
    broken = Route("POST", f"/cases/{other.reference}/reason", "", "case", {"reason": lines})
    assert visitor.call(broken, broken.path).status_code == 302, "a line break counts once"
