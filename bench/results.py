"""The results: written to bench/results.json, and printed as one table."""

from __future__ import annotations

import json
from dataclasses import asdict

from bench.measure import ROOT, Row

RESULTS = ROOT / "bench" / "results.json"


def print_table(rows: list[Row]) -> None:
    width = max(len(row.name) for row in rows)
    print()
    print(f"{'measure':<{width}}  {'value':>10}  {'unit':<4}  {'target':<8}  met")
    print("-" * (width + 36))
    for row in rows:
        value = f"{row.value:g}"
        print(
            f"{row.name:<{width}}  {value:>10}  {row.unit:<4}  {row.target:<8}  "
            f"{'' if row.met is None else 'yes' if row.met else 'NO'}"
        )


def write_results(rows: list[Row]) -> None:
    RESULTS.write_text(json.dumps([asdict(row) for row in rows], indent=2) + "\n")
