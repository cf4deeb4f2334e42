"""The dashboard's bar charts: bars scaled to the largest count, no bar for a hidden count."""
from __future__ import annotations

from api.staff.charts import LABEL_AT_MOST, WIDTH, bars


def test_bars_are_scaled_to_the_largest_count_and_a_hidden_count_has_none():
    chart = bars([("SMS", 20), ("Telegram", "< 5"), ("Site web", 10), ("Zéro", 0)])
    widths = [row.bar_width for row in chart.rows]
    assert widths[0] == max(widths) < WIDTH and widths[2] == widths[0] / 2
    assert widths[1] == 0 and widths[3] == 0
    assert [row.value for row in chart.rows] == [20, "< 5", 10, 0]
    assert chart.height == 4 * (chart.rows[1].label_y - chart.rows[0].label_y)
    assert all(row.value_x > row.bar_width for row in chart.rows)      # the value after its bar


def test_long_labels_are_shortened_in_the_drawing_only_and_an_empty_chart_has_no_row():
    label = "Une aide locale dont le nom est vraiment beaucoup trop long pour un téléphone"
    row = bars([(label, 3)]).rows[0]
    assert len(row.label) == LABEL_AT_MOST and row.label.endswith("…")
    only_hidden = bars([("SMS", "< 5")])
    assert only_hidden.rows[0].bar_width == 0
    assert bars([]).rows == []
