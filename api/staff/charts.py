"""Bar charts for the dashboard, drawn on the server as inline SVG (no script, nothing the CSP blocks):
one horizontal bar per row, its label above it and its value after it, so that long French labels fit a
phone. This module computes the geometry; templates/chart.html writes the SVG, with the data table under
it. A count hidden for privacy (the string "< 5") gets no bar, only its value.
"""
from __future__ import annotations

from dataclasses import dataclass

WIDTH = 360               # viewBox units: about one unit per CSS pixel on a phone
ROW = 50                  # label line, then bar
BAR = 16
VALUE_ROOM = 56           # room after the longest bar for its value
LABEL_AT_MOST = 44        # characters in the SVG (the table under it has the whole label)


@dataclass(frozen=True)
class Row:
    label: str
    value: int | str      # a count, or "< 5"
    label_y: int
    bar_y: int
    bar_width: float
    value_x: float


@dataclass(frozen=True)
class Chart:
    rows: list[Row]
    width: int
    height: int
    bar: int = BAR


def shortened(label: str) -> str:
    return label if len(label) <= LABEL_AT_MOST else label[:LABEL_AT_MOST - 1].rstrip() + "…"


def bars(items: list[tuple[str, int | str]]) -> Chart:
    """The chart of (label, count) pairs, in their order; bars scaled to the largest count."""
    largest = max([value for _, value in items if isinstance(value, int)] + [1])
    room = WIDTH - VALUE_ROOM
    rows = []
    for index, (label, value) in enumerate(items):
        top = index * ROW
        width = room * value / largest if isinstance(value, int) else 0.0
        rows.append(Row(shortened(label), value, top + 16, top + 24, round(width, 1), round(width + 6, 1)))
    return Chart(rows, WIDTH, max(len(items), 1) * ROW)
