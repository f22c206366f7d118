"""The tests, by layer.

- ``unit/``: the engine, with or without a database; no web app, no command line.
- ``integration/``: the web app, the JSON API (``api/``), the process editor
  (``process_editor/``), the command line and served processes, with a database.
- ``browser/``: journeys in a real headless Chromium, driven by Playwright.

Fixtures every layer uses (the databases, the clock, the users) are in ``conftest.py``; a
folder's own fixtures are in its ``conftest.py``. The functions and constants tests build their
worlds from are in ``support/``; test modules never import one another. Every database test
runs on SQLite and, with ``CASEREVIEW_TEST_POSTGRES_URL`` set, on PostgreSQL; the suite runs in
parallel workers (``make test`` uses pytest-xdist), each with its own PostgreSQL database and
its own block of ports.
"""
