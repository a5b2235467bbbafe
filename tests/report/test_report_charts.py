"""The report's charts: trend lines break where there is no data, on a scale that shows the change."""

from __future__ import annotations

import re

from checkengine.report.charts import rate_scale, trend_chart


def line_paths(svg: str) -> list[str]:
    """The drawn lines of a matplotlib SVG (the path data of each line2d group)."""
    return re.findall(r'<g id="trend-line2d_\d+">\s*<path d="([^"]+)"', svg)


def test_no_line_across_a_period_without_data() -> None:
    svg = trend_chart(["Jun", "Jul", "Aug", "Sep"], {"Overall": [91.0, None, 93.0, 95.0]}, ylabel="%", lang="en")
    moves = [path.count("M") for path in line_paths(svg)]
    # Jun stands alone (a marker, no segment to Aug); Aug-Sep is one segment: two sub-paths.
    assert 2 in moves, line_paths(svg)
    joined = trend_chart(["Jun", "Jul", "Aug", "Sep"], {"Overall": [91.0, 92.0, 93.0, 95.0]}, ylabel="%", lang="en")
    assert [p.count("M") for p in line_paths(joined)][0] == 1  # the same line with no gap: one sub-path


def test_the_scale_shows_the_change() -> None:
    low, high = rate_scale([91.0, None, 95.0])
    assert 80.0 < low < 91.0 and 95.0 < high <= 101.0  # not 0 to 100: 91 -> 95 is a visible climb
    assert high - low >= 10.0
    low, high = rate_scale([99.5, 100.0])
    assert high - low >= 10.0 and high <= 101.0 and low >= 0.0
    assert rate_scale([None, None]) == (0.0, 100.0)
    low, high = rate_scale([97.0], target=80.0)
    assert low < 80.0  # the target line is on the chart
