"""Bar charts drawn on the server as SVG (templates/components/bar_chart.html): the numbers
a bar chart needs, worked out once here so that the template only draws."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# The chart's drawing units: the labels' column, then the bars', then room for each figure.
LABEL_WIDTH = 230
BAR_WIDTH = 330
ROW_HEIGHT = 32
BAR_HEIGHT = 20


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the figure as written beside its bar
    width: float  # in drawing units
    y: int


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    bars: tuple[Bar, ...]
    height: int
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


def bar_chart(
    id: str,
    title: str,
    description: str,
    rows: Sequence[tuple[str, float, str]],
    top: float | None = None,
) -> BarChart:
    """A horizontal bar for each (label, value, text) row, the longest ``top`` (the largest
    value unless given: a share's chart is drawn to 100%)."""
    top = top if top is not None else max((value for _, value, _ in rows), default=0)
    return BarChart(
        id=id,
        title=title,
        description=description,
        bars=tuple(
            Bar(
                label=label,
                text=text,
                width=round(BAR_WIDTH * value / top, 1) if top else 0,
                y=index * ROW_HEIGHT,
            )
            for index, (label, value, text) in enumerate(rows)
        ),
        height=max(len(rows), 1) * ROW_HEIGHT,
    )
