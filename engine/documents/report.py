"""The published statistics of one financial year as a Word table, districts as columns."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from engine.cases.statistics import ROWS, YearFigures, financial_year_bounds
from engine.documents.word import Builder, long_date


def render_statistics(figures: YearFigures, template: Path | None, *, made: datetime) -> bytes:
    """The report: the measures as rows and each district, then the total, as columns."""
    out = Builder(template)
    out.landscape()
    title = f"ASB Case Review (Community Trigger) figures for {figures.label}"
    out.properties(title=title, subject="Published statistics")
    out.page_numbers(title)
    first, last = financial_year_bounds(figures.year)
    out.paragraph(title, style="Title")
    out.paragraph(
        f"The financial year {long_date(first)} to {long_date(last)}. Counted from what was "
        "recorded on each case: applications by the date they were received, threshold "
        "decisions by the date they were made (a declined application counts as not met), "
        "reviews by the date they were held and appeals by the date they were received or "
        "decided."
    )
    header = ["Measure", *(d.district_name for d in figures.districts), "Total"]
    rows = [
        [label, *(str(getattr(d, name)) for d in figures.districts), str(figures.total(name))]
        for name, label in ROWS
    ]
    if figures.provisional:
        out.paragraph(
            f"Provisional: the year runs until {long_date(last)}, and these are its figures so "
            "far. They will change until then.",
            bold=True,
        )
    # The measures read as sentences: theirs is the widest column the figures leave room for.
    out.table(header, rows, shares=[4.0, *([1.0] * (len(header) - 1))])
    if figures.notes:
        out.heading("Notes from the districts", 2)
        for _key, name, note in figures.notes:
            out.labelled(name, note)
    out.paragraph(
        f"Published under section 104 of the Anti-social Behaviour, Crime and Policing Act "
        f"2014. Produced on {long_date(made)}.",
        italic=True,
    )
    return out.save(made)
