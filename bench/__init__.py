"""The benchmark (``make bench``; ``bench/run.py`` is its entry point), one module a measure.

- ``measure``: a row of the results, percentiles, timing, and saying what is happening;
- ``service``: the service under test, its data built by the real command, and its clients;
- ``pages``: every page and API call a demo user reaches with the demo data;
- ``inboxes``: the task API and the HTML inbox at scale;
- ``step_timings``: the page of how the procedure runs (the heat map) at scale;
- ``oversight``: the oversight page at scale, for the OPCC and for a council;
- ``case_steps``: a whole case's user tasks, in order, with answers their forms accept;
- ``floor``: the engine's floor for one step, SpiffWorkflow alone on the stored state;
- ``whole_case``: every step of fresh cases completed through the service, each against its
  floor, interleaved, and counted at the driver;
- ``round_trips``: statements and round trips counted at the database driver;
- ``completions``: where a completion's time goes (database, SpiffWorkflow, the rest);
- ``documents``: a meeting pack and the yearly statistics report;
- ``escalation``: the daily escalation sweep;
- ``server``: gunicorn serving the service for the runs over HTTP;
- ``processes``: the server's memory and processor time, read from /proc;
- ``throughput``: completions a second over HTTP against PostgreSQL, and lost updates;
- ``growth``: a completion's cost as its instance's history grows;
- ``results``: bench/results.json and the printed table.
"""
