"""Many synthetic but realistic cases, for the benchmark and for trying the service at scale.

A few prototype cases are taken through the real procedure (applications, task completions,
letters), one for each stage a case can be at. Every other case is a copy of a prototype moved
to another district (its council and housing provider, and their officers) and another date:
closed cases spread over ten years, live ones over the last few months, so some of their tasks
are due soon, some overdue and some already escalated. Copies are written in bulk (COPY on
PostgreSQL), a batch of cases per transaction; their workflows are the prototype's stored
workflow with the case's own reference, district, organisations and record ids, so every copied
task can be completed like any other.

Letters, notifications and the per-step audit trail of the prototypes are not copied: each copy
gets one audit event saying it was bulk-loaded.

The modules, in the order a load uses them:

- ``stages``: how the copies are spread over the stages, what a load added, and the count of
  cases at each stage;
- ``prototypes``: one case per stage through the real procedure, read back as rows;
- ``casts``: the organisations and officers who play each part in every district;
- ``dates``: when a copy was received, and moving a prototype's dates to it;
- ``chasing``: a live copy's reminders and escalations up to yesterday;
- ``copier``: a prototype's rows made into another case, with fresh ids;
- ``writer``: those rows written in bulk, and planner statistics gathered afterwards;
- ``load``: ``load_cases``, which runs the whole.
"""

from development.demo_load.load import load_cases
from development.demo_load.stages import STAGE_WEIGHTS, LoadResult, stage_counts

__all__ = ["STAGE_WEIGHTS", "LoadResult", "load_cases", "stage_counts"]
