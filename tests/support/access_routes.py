"""The routes the access matrix visits (tests/integration/test_access_matrix.py): each with
the Flask rule it exercises and who may use it, in the order they are visited."""

from __future__ import annotations

from tests.support.access import ME, Route

ROUTES = [
    Route("GET", "/sign-in", "/sign-in", "public"),
    Route("POST", "/sign-in", "/sign-in", "public", {"email": "x@example.org", "password": "no"}),
    Route("GET", "/sign-in/organisation", "/sign-in/organisation", "public"),
    Route("POST", "/sign-in/organisation", "/sign-in/organisation", "public", {"email": ""}),
    # Before any sign-in is started (the next route starts one).
    Route(
        "GET",
        "/sign-in/organisation/callback",
        "/sign-in/organisation/callback",
        "provider callback",
    ),
    # To the police's provider.
    Route(
        "GET",
        "/sign-in/organisation/derbyshire-constabulary",
        "/sign-in/organisation/<key>",
        "public",
    ),
    Route("GET", "/sign-in/forgotten", "/sign-in/forgotten", "public"),
    Route("POST", "/sign-in/forgotten", "/sign-in/forgotten", "public", {}),
    Route("GET", "/sign-in/reset/not-a-code", "/sign-in/reset/<token>", "public"),
    Route("POST", "/sign-in/reset/not-a-code", "/sign-in/reset/<token>", "public", {}),
    Route("GET", "/apply", "/apply", "public"),
    Route("POST", "/apply", "/apply", "public", {}),
    Route("GET", "/appeal", "/appeal", "public"),
    Route("POST", "/appeal", "/appeal", "public", {}),
    Route("GET", "/your-case", "/your-case", "public"),
    Route("POST", "/your-case/code", "/your-case/code", "public", {}),
    Route("POST", "/your-case/link", "/your-case/link", "public", {}),
    Route("GET", "/your-case/sign-in/not-a-code", "/your-case/sign-in/<token>", "public"),
    Route("GET", "/your-case/check-in/not-a-code", "/your-case/check-in/<token>", "public"),
    Route("POST", "/your-case/check-in/not-a-code", "/your-case/check-in/<token>", "public", {}),
    # Another public body's single-use link: with no valid token, every visitor, signed in or
    # not, is told the link has not worked (a valid one is in test_information_requests).
    Route(
        "GET", "/information-request/not-a-code", "/information-request/<token>", "single-use link"
    ),
    Route(
        "POST",
        "/information-request/not-a-code",
        "/information-request/<token>",
        "single-use link",
        {"answer": "Nothing held"},
    ),
    Route("POST", "/your-case/sign-in/not-a-code", "/your-case/sign-in/<token>", "public", {}),
    Route("GET", "/submitted", "/submitted", "public"),
    Route("GET", "/statistics", "/statistics", "public"),
    Route("GET", "/statistics/2025.docx", "/statistics/<int:year>.docx", "public"),
    Route("GET", "/statistics/2025/report", "/statistics/<int:year>/report", "public"),
    Route("GET", "/statistics/2025.csv", "/statistics/<int:year>.csv", "public"),
    Route("GET", "/statistics/2025.json", "/statistics/<int:year>.json", "public"),
    # A district's notes on its figures: its own council's caseworkers and managers.
    Route(
        "GET",
        "/statistics/2025/notes/derbyshire-dales",
        "/statistics/<int:year>/notes/<district_key>",
        "district notes",
    ),
    Route(
        "POST",
        "/statistics/2025/notes/derbyshire-dales",
        "/statistics/<int:year>/notes/<district_key>",
        "district notes",
        {"note": "Counted as recorded."},
    ),
    # The oversight figures: the OPCC's staff, and those of a council leading a district.
    Route("GET", "/oversight?year=2021", "/oversight", "oversight"),
    Route("GET", "/oversight.csv?year=2021", "/oversight.csv", "oversight"),
    Route("GET", "/privacy", "/privacy", "public"),
    Route("GET", "/accessibility", "/accessibility", "public"),
    Route("GET", "/cookies", "/cookies", "public"),
    Route("GET", "/contact", "/contact", "public"),
    Route("GET", "/brand.css", "/brand.css", "public"),
    Route("GET", "/assets/govuk/govuk-frontend.min.css", "/assets/govuk/<path:filename>", "public"),
    Route("GET", "/assets/images/favicon.ico", "/assets/<path:filename>", "public"),
    Route(
        "GET",
        "/assets/bpmn-js/bpmn-navigated-viewer.production.min.js",
        "/assets/bpmn-js/<path:filename>",
        "public",
    ),
    Route("GET", "/static/casereview.css", "/static/<path:filename>", "public"),
    Route("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", "public"),
    Route("GET", "/api/v1/statistics?year=2025", "/api/v1/statistics", "public"),
    Route("POST", "/api/v1/applications", "/api/v1/applications", "public", {}),
    # The council lodges an appeal for the applicant, and the applicant with their token, each
    # naming the case: with none named, every caller with a token is answered as for a case
    # that does not exist.
    Route("POST", "/api/v1/appeals", "/api/v1/appeals", "case", {}),
    Route("POST", "/api/v1/applicant/token", "/api/v1/applicant/token", "public", {}),
    Route("GET", "/api/v1/applicant/case", "/api/v1/applicant/case", "applicant token"),
    Route("POST", "/api/v1/auth/token", "/api/v1/auth/token", "public", {"email": "x"}),
    Route("GET", "/", "/", "signed in"),
    Route("GET", "/sign-out", "/sign-out", "signed in"),
    Route("GET", "/account/password", "/account/password", "signed in"),
    # No answers: a password changed here would end the visitor's other sessions.
    Route("POST", "/account/password", "/account/password", "signed in", {}),
    Route("GET", "/notifications", "/notifications", "signed in"),
    Route("GET", "/account/notifications", "/account/notifications", "signed in"),
    # No answers: refused, so the visitor's choice stays as it was.
    Route("POST", "/account/notifications", "/account/notifications", "signed in", {}),
    Route("POST", "/notifications/read-all", "/notifications/read-all", "signed in", {}),
    # Personal access tokens: each person's own (no answers: refused and asked again), and
    # every user's for administrators. Revoking is for the token's owner or an administrator.
    Route("GET", "/account/tokens", "/account/tokens", "signed in"),
    Route("POST", "/account/tokens", "/account/tokens", "signed in", {}),
    Route(
        "POST",
        "/account/tokens/{token}/revoke",
        "/account/tokens/<int:token_id>/revoke",
        "own",
        {},
    ),
    Route("GET", "/tokens", "/tokens", "administrator"),
    Route("POST", "/tokens/{token}/revoke", "/tokens/<int:token_id>/revoke", "administrator", {}),
    # The cases list: what each finds is need-to-know (tests/integration/test_case_search.py);
    # a case's whole reference goes to the case when the visitor may see it.
    Route("GET", "/cases?q={ref}", "/cases", "case search"),
    Route("GET", "/api/v1/cases?q={ref}", "/api/v1/cases", "case search"),
    Route("GET", "/cases.csv?q={ref}", "/cases.csv", "manager"),
    Route("POST", "/cases/search-reason", "/cases/search-reason", "reason", {"reason": "x"}),
    Route("GET", "/api/v1/tasks?scope=organisation", "/api/v1/tasks", "signed in"),
    Route("GET", "/api/v1/tasks/filters", "/api/v1/tasks/filters", "signed in"),
    # The team's work: their own organisation's, for managers alone.
    Route("GET", "/team", "/team", "manager"),
    Route("GET", "/api/v1/team", "/api/v1/team", "manager"),
    Route(
        "POST",
        "/notifications/{notification}/read",
        "/notifications/<int:notification_id>/read",
        "own",
        {},
    ),
    Route("GET", "/outbox", "/outbox", "administrator"),
    # People waiting for roles: their organisation's managers, and administrators.
    Route("GET", "/people/waiting", "/people/waiting", "admits"),
    Route("POST", "/people/waiting/{user}", "/people/waiting/<int:user_id>", "admits", {}),
    Route("GET", "/users", "/users", "administrator"),
    Route("GET", "/public-bodies", "/public-bodies", "administrator"),
    Route("POST", "/public-bodies", "/public-bodies", "administrator", {}),
    # Requests sent to the visitor's organisation as another public body: none of the
    # matrix's organisations was asked, so there is a list, empty, and no request to open.
    Route("GET", "/information-requests", "/information-requests", "signed in"),
    Route(
        "GET",
        "/information-requests/1",
        "/information-requests/<int:request_id>",
        "public body",
    ),
    Route(
        "POST",
        "/information-requests/1",
        "/information-requests/<int:request_id>",
        "public body",
        {"answer": "Nothing held"},
    ),
    Route("GET", "/audit", "/audit", "administrator"),
    Route(
        "GET",
        "/audit/export?from=2026-01-01&to=2026-12-31&format=csv",
        "/audit/export",
        "administrator",
    ),
    Route("GET", "/users/new", "/users/new", "administrator"),
    Route("POST", "/users/new", "/users/new", "administrator", {"name": "No email"}),
    Route("GET", "/users/{user}", "/users/<int:user_id>", "administrator"),
    Route("POST", "/users/{user}", "/users/<int:user_id>", "administrator", {"active": "yes"}),
    Route("POST", "/users/{user}/password", "/users/<int:user_id>/password", "administrator", {}),
    Route(
        "POST",
        "/outbox/{notification}/retry",
        "/outbox/<int:notification_id>/retry",
        "administrator",
        {},
    ),
    Route("GET", "/procedure", "/procedure", "process owner"),
    Route("GET", "/procedure/asb_case_review", "/procedure/<key>", "process owner"),
    Route("GET", "/procedure/asb_case_review/edit", "/procedure/<key>/edit", "process owner"),
    Route(
        "GET",
        "/procedure/asb_case_review/compare?from=1&to=1",
        "/procedure/<key>/compare",
        "process owner",
    ),
    Route(
        "GET",
        "/procedure/asb_case_review/versions/1.bpmn",
        "/procedure/<key>/versions/<int:version>.bpmn",
        "process owner",
    ),
    Route(
        "GET",
        "/procedure/asb_case_review/versions/1/move",
        "/procedure/<key>/versions/<int:version>/move",
        "process owner",
    ),
    Route(
        "POST",
        "/procedure/asb_case_review/versions/1/move",
        "/procedure/<key>/versions/<int:version>/move",
        "process owner",
        {},
    ),
    Route("POST", "/procedure/check", "/procedure/check", "process owner", {}),
    Route("POST", "/procedure/deploy", "/procedure/deploy", "process owner", {}),
    Route("POST", "/procedure/upload", "/procedure/upload", "process owner", {}),
    Route(
        "GET", "/step-timings?process=asb_case_review", "/step-timings", "process owner or manager"
    ),
    Route("GET", "/procedure/letters", "/procedure/letters", "letters"),
    Route("GET", "/procedure/letters/closure_letter", "/procedure/letters/<kind>", "letters"),
    Route(
        "POST",
        "/procedure/letters/closure_letter",
        "/procedure/letters/<kind>",
        "letters",
        {"action": "check", "body": "# Closed\n"},
    ),
    Route(
        "GET",
        "/procedure/letters/closure_letter/versions/0",
        "/procedure/letters/<kind>/versions/<int:version>",
        "letters",
    ),
    Route(
        "POST",
        "/procedure/letters/closure_letter/versions/0/restore",
        "/procedure/letters/<kind>/versions/<int:version>/restore",
        "letters",
        {},
    ),
    Route(
        "GET",
        "/procedure/letters/closure_letter/compare?from=0&to=0",
        "/procedure/letters/<kind>/compare",
        "letters",
    ),
    Route("GET", "/api/v1/process-definitions", "/api/v1/process-definitions", "process owner"),
    Route(
        "POST", "/api/v1/process-definitions", "/api/v1/process-definitions", "process owner", {}
    ),
    Route(
        "POST",
        "/api/v1/process-definitions/validate",
        "/api/v1/process-definitions/validate",
        "process owner",
        {},
    ),
    Route(
        "GET",
        "/api/v1/process-definitions/asb_case_review/compare?from=1&to=1",
        "/api/v1/process-definitions/<key>/compare",
        "process owner",
    ),
    Route(
        "GET",
        "/api/v1/process-definitions/asb_case_review/versions/1",
        "/api/v1/process-definitions/<key>/versions/<int:version>",
        "process owner",
    ),
    Route(
        "POST",
        "/api/v1/process-definitions/asb_case_review/versions/1/move",
        "/api/v1/process-definitions/<key>/versions/<int:version>/move",
        "process owner",
        {},
    ),
    Route("GET", "/cases/{ref}", "/cases/<reference>", "case"),
    Route("POST", "/cases/{ref}/reason", "/cases/<reference>/reason", "reason", {"reason": "x"}),
    Route(
        "GET",
        "/cases/{ref}/processes/{instance}/diagram.json",
        "/cases/<reference>/processes/<int:instance_id>/diagram.json",
        "case",
    ),
    Route(
        "GET",
        "/cases/{ref}/documents/{document}",
        "/cases/<reference>/documents/<int:document_id>",
        "case",
    ),
    Route(
        "GET",
        "/cases/{ref}/documents/meeting-pack",
        "/cases/<reference>/documents/meeting-pack",
        "case",
    ),
    Route(
        "GET",
        "/cases/{ref}/documents/meeting-pack.zip",
        "/cases/<reference>/documents/meeting-pack.zip",
        "case",
    ),
    Route("GET", "/tasks/{task}", "/tasks/<int:task_id>", "case"),
    Route("GET", "/tasks/{task}/letter.docx", "/tasks/<int:task_id>/letter.docx", "case"),
    Route(
        "POST",
        "/tasks/{task}",
        "/tasks/<int:task_id>",
        "case",
        {"action": "draft"},
        acts="candidate",
    ),
    Route(
        "POST", "/tasks/{task}/claim", "/tasks/<int:task_id>/claim", "case", {}, acts="candidate"
    ),
    Route(
        "POST",
        "/tasks/{task}/reassign",
        "/tasks/<int:task_id>/reassign",
        "case",
        {"user_id": ME},
        acts="manager",
    ),
    Route(
        "POST",
        "/team/tasks/{task}",
        "/team/tasks/<int:task_id>",
        "case",
        {"to": ME},
        acts="manager",
    ),
    Route(
        "POST",
        "/tasks/{task}/attachments",
        "/tasks/<int:task_id>/attachments",
        "case",
        upload=True,
        acts="candidate",
    ),
    Route("GET", "/attachments/{attachment}", "/attachments/<int:attachment_id>", "case"),
    Route("GET", "/api/v1/cases/{ref}", "/api/v1/cases/<reference>", "case"),
    Route("GET", "/api/v1/cases/{ref}/documents", "/api/v1/cases/<reference>/documents", "case"),
    Route(
        "GET",
        "/api/v1/cases/{ref}/documents/meeting-pack",
        "/api/v1/cases/<reference>/documents/meeting-pack",
        "case",
    ),
    Route(
        "GET",
        "/api/v1/cases/{ref}/documents/{document}",
        "/api/v1/cases/<reference>/documents/<int:document_id>",
        "case",
    ),
    Route("GET", "/api/v1/tasks/{task}", "/api/v1/tasks/<int:task_id>", "case"),
    Route(
        "PUT",
        "/api/v1/tasks/{task}/draft",
        "/api/v1/tasks/<int:task_id>/draft",
        "case",
        {"data": {}},
        acts="candidate",
    ),
    Route(
        "POST",
        "/api/v1/tasks/{task}/claim",
        "/api/v1/tasks/<int:task_id>/claim",
        "case",
        {},
        acts="candidate",
    ),
    Route(
        "POST",
        "/api/v1/tasks/{task}/release",
        "/api/v1/tasks/<int:task_id>/release",
        "case",
        {},
        acts="candidate",
    ),
    Route(
        "POST",
        "/api/v1/tasks/{task}/reassign",
        "/api/v1/tasks/<int:task_id>/reassign",
        "case",
        {"user_id": ME},
        acts="manager",
    ),
    Route(
        "POST",
        "/api/v1/tasks/{task}/complete",
        "/api/v1/tasks/<int:task_id>/complete",
        "case",
        {"data": {}},
        acts="candidate",
    ),
    # Every case here is past its meeting or has no review yet: a manager is told so.
    Route(
        "POST",
        "/cases/{ref}/chair",
        "/cases/<reference>/chair",
        "case",
        {"chair_email": "chair@example.org"},
        acts="council manager",
    ),
    Route(
        "POST",
        "/api/v1/cases/{ref}/chair",
        "/api/v1/cases/<reference>/chair",
        "case",
        {"chair_email": "chair@example.org"},
        acts="council manager",
    ),
    # Case A's review is chaired by the review chair, who declares their interests (after its
    # meeting, as here, too); no one else declares for them.
    Route(
        "POST",
        "/cases/{ref}/chair-declaration",
        "/cases/<reference>/chair-declaration",
        "case",
        {"conflict": "no"},
        acts="chair",
    ),
    Route(
        "POST",
        "/api/v1/cases/{ref}/chair-declaration",
        "/api/v1/cases/<reference>/chair-declaration",
        "case",
        {"conflict": "no"},
        acts="chair",
    ),
    Route(
        "POST",
        "/cases/{ref}/applicant-code",
        "/cases/<reference>/applicant-code",
        "case",
        {},
        acts="council",
    ),
    # The council managing the case records the applicant's answer to a check-in (none given
    # here, so it is asked for again).
    Route(
        "POST",
        "/cases/{ref}/check-ins/{check_in}",
        "/cases/<reference>/check-ins/<int:check_in_id>",
        "case",
        {},
        acts="council",
    ),
    # The council managing the case links its application to another (none named here, so it
    # is asked for again), or unlinks it (it is linked to none: it is told so).
    Route("POST", "/cases/{ref}/link", "/cases/<reference>/link", "case", {}, acts="council"),
    # The council managing the case asks another public body for information.
    Route(
        "GET",
        "/cases/{ref}/information-requests/new",
        "/cases/<reference>/information-requests/new",
        "case",
        acts="council",
    ),
    Route(
        "POST",
        "/cases/{ref}/information-requests/new",
        "/cases/<reference>/information-requests/new",
        "case",
        {},
        acts="council",
    ),
    Route("POST", "/cases/{ref}/unlink", "/cases/<reference>/unlink", "case", {}, acts="council"),
    # The council managing the case says what a report counts for (no answer given here, so it
    # is asked for again; on a case past its threshold decision, it is told that is too late).
    Route(
        "GET",
        "/cases/{ref}/reports/{report}",
        "/cases/<reference>/reports/<int:incident_id>",
        "case",
        acts="council",
    ),
    Route(
        "POST",
        "/cases/{ref}/reports/{report}",
        "/cases/<reference>/reports/<int:incident_id>",
        "case",
        {},
        acts="council",
    ),
    # A manager of the managing council names themselves the applicant's contact.
    Route(
        "POST",
        "/cases/{ref}/contact",
        "/cases/<reference>/contact",
        "case",
        {"contact": ME},
        acts="council manager",
    ),
    # Last, because it changes what the rest of the row would see.
    Route(
        "POST",
        "/tasks/{task}/attachments/{attachment}/remove",
        "/tasks/<int:task_id>/attachments/<int:attachment_id>/remove",
        "case",
        {},
    ),
    # The applicant's own pages, on the case whose code they used.
    Route("GET", "/your-case/{ref}", "/your-case/<reference>", "applicant"),
    Route(
        "GET",
        "/your-case/{ref}/letters/{letter}",
        "/your-case/<reference>/letters/<int:document_id>",
        "applicant",
    ),
    Route("GET", "/your-case/{ref}/appeal", "/your-case/<reference>/appeal", "applicant"),
    # Case A is under appeal already: its applicant is told another cannot be made yet.
    Route("POST", "/your-case/{ref}/appeal", "/your-case/<reference>/appeal", "applicant", {}),
    Route("GET", "/your-case/{ref}/appeal/sent", "/your-case/<reference>/appeal/sent", "applicant"),
    # The applicant's part in the review: the meeting, and the draft plan (none waiting).
    Route("GET", "/your-case/{ref}/meeting", "/your-case/<reference>/meeting", "applicant"),
    Route("POST", "/your-case/{ref}/meeting", "/your-case/<reference>/meeting", "applicant", {}),
    Route("GET", "/your-case/{ref}/draft-plan", "/your-case/<reference>/draft-plan", "applicant"),
    Route(
        "POST",
        "/your-case/{ref}/draft-plan",
        "/your-case/<reference>/draft-plan",
        "applicant",
        {},
    ),
    # Last, because they end the sessions they are posted in.
    Route("POST", "/your-case/sign-out", "/your-case/sign-out", "public", {}),
    Route("POST", "/sign-out", "/sign-out", "sign-out", {}),
]
