"""The benchmark (``make bench``; ``bench/run.py`` is its entry point), one module a measure.

- ``measure``: a row of the results, percentiles, timing, and saying what is happening;
- ``service``: the service under test, its data built by the real command, and its clients;
- ``pages``: every page and API call a demo user reaches with the demo data;
- ``inboxes``: the task API and the HTML inbox at scale;
- ``step_timings``: the page of how the procedure runs (the heat map) at scale;
- ``oversight``: the oversight page at scale, for the OPCC and for a council;
- ``floor``: the engine floor, one task step in bare SpiffWorkflow;
- ``completions``: a completion through the service, in process and over HTTP, against the
  floor, and where its time goes;
- ``documents``: a meeting pack and the yearly statistics report;
- ``escalation``: the daily escalation sweep;
- ``server``: gunicorn serving the service for the runs over HTTP;
- ``processes``: the server's memory and processor time, read from /proc;
- ``throughput``: completions a second over HTTP against PostgreSQL, and lost updates;
- ``growth``: a completion's cost as its instance's history grows;
- ``results``: bench/results.json and the printed table.
"""
