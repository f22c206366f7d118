"""What the tests build their worlds from: functions and constants, never tests or fixtures
(the fixtures are in the conftest.py files). Test modules import from here, never from one
another.

- ``files``: where the project, the test fixtures, the shipped forms and the area file are.
- ``people``: the test users' password and addresses, finding a user, adding more.
- ``databases``: running a test on one database only.
- ``runtime``: the fixtures' review test diagram and one-task diagrams, through the runtime.
- ``procedure``: the shipped diagrams driven as people would, from an application to an
  appeal, and a review's chair changed.
- ``work``: the rows of people's inboxes, and the looks at a case the audit trail kept.
- ``audit``: the audit trail as stored, read back whole, and tampered with.
- ``chasing``: what chasing late work leaves behind: who was told, and what was audited.
- ``letters``: the letters the steps write, read back.
- ``documents``: Word documents read back, the meeting pack, and text chosen to hurt.
- ``figures``: the published figures' districts and names, and the facts behind them.
- ``mail``: a real SMTP server on loopback, and messages in the outbox.
- ``servers``: loopback ports that parallel test workers never share, and waiting for a
  server to be ready.
- ``web``: the web app in process, signing in and posting its forms.
- ``api``: the JSON API in process, each answer checked against its OpenAPI document.
- ``editing``: a process owner's changes to the application diagram, through the API.
- ``access``: the access matrix's world of three cases, its roles and their visitors;
  ``access_routes``: the routes it visits.
- ``applicant``: the applicant's links and letter codes, a browser following their case, and
  a case whose agencies' returns hold what the applicant must never see.
- ``hostile``: hypothesis's settings and nasty text for the hostile input tests.
- ``expression_sources``: expressions, scripts and task data generated for the fuzz tests of
  the expression language, and what the task data may keep; ``expression_refusals``: what
  its static check must refuse, and text of no particular shape.
- ``browser``: the system's Chromium for the browser tests, and signing in through a page.
"""
