"""A week's class summary for the instructor: one self-contained HTML page.

The week's scores (submissions graded, mean and median after late penalties, full marks),
a chart of each check's pass rate in exercise order (matplotlib's Agg renderer, embedded as
a base64 PNG so the page stands alone) and the table of :mod:`course.reports.statistics`.
"""

from __future__ import annotations

import base64
import io
import statistics as stats
from collections.abc import Sequence
from html import escape

from course.records import StoredGrade
from course.reports.export import number
from course.reports.statistics import CheckStatistics

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 64rem; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .35rem .6rem; text-align: left;
         vertical-align: top; }
td.number, th.number { text-align: right; white-space: nowrap; }
.summary { font-size: 1.1rem; margin: 1rem 0; }
img { max-width: 100%; }
"""

#: One colour per part, in turn, so that the checks of one part read as a group.
_PART_COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860")
_LABEL_LENGTH = 60


def render_week_summary(
    *,
    week: str,
    title: str,
    statistics: Sequence[CheckStatistics],
    rows: Sequence[StoredGrade],
    max_score: float,
) -> str:
    """The summary page of ``week`` (see the module docstring); ``rows``: its graded
    submissions; ``statistics``: its checks, in exercise order."""
    scores = [row.score for row in rows]
    if scores:
        late = sum(1 for row in rows if row.penalty)
        full = sum(1 for score in scores if score >= max_score - 1e-9)
        overview = (
            f"{len(scores)} graded submission{'s' if len(scores) != 1 else ''}; mean score "
            f"<b>{number(stats.mean(scores))} / {number(max_score)}</b>, median "
            f"{number(stats.median(scores))}; {full} with full marks; {late} with a late "
            "penalty (scores are after it)."
        )
        chart = (
            '<img alt="Pass rate of each check" src="data:image/png;base64,'
            + base64.b64encode(pass_rate_chart(statistics)).decode("ascii")
            + '">'
        )
    else:
        overview = "No graded submission yet: run <code>course autograde</code> first."
        chart = ""
    table = "\n".join(
        "<tr>"
        f"<td>{'' if item.column.part is None else item.column.part}</td>"
        f"<td>{escape(item.column.header)}</td>"
        f'<td class="number">{number(item.column.max_points)}</td>'
        f'<td class="number">{_percent(item.pass_rate)}</td>'
        f'<td class="number">{_blank(item.mean_points)}</td>'
        f'<td class="number">{item.passed} / {item.count}</td>'
        "</tr>"
        for item in statistics
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(week)}: class summary</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>{escape(title)}</h1>
<p class="summary">{overview}</p>
{chart}
<h2>Checks</h2>
<table>
<thead><tr><th>Part</th><th>Check</th><th class="number">Points</th>
<th class="number">Pass rate</th><th class="number">Mean points</th>
<th class="number">Passed</th></tr></thead>
<tbody>
{table}
</tbody>
</table>
</body>
</html>
"""


def pass_rate_chart(statistics: Sequence[CheckStatistics]) -> bytes:
    """A PNG: one horizontal bar per check (top to bottom in exercise order), its length the
    share of submissions that passed it, coloured by part."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = [_label(item) for item in statistics]
    rates = [100 * (item.pass_rate or 0.0) for item in statistics]
    parts = sorted({item.column.part or 0 for item in statistics})
    colours = [
        _PART_COLOURS[parts.index(item.column.part or 0) % len(_PART_COLOURS)]
        for item in statistics
    ]
    figure = Figure(figsize=(10, 1.2 + 0.32 * max(1, len(statistics))), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(statistics)))
    axes.barh(positions, rates, color=colours)
    axes.set_yticks(positions, labels, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("submissions that passed the check (%)")
    for position, rate, item in zip(positions, rates, statistics, strict=True):
        axes.text(
            min(rate + 1, 88),
            position,
            f"{rate:.0f}% ({item.passed}/{item.count})",
            va="center",
            fontsize=7,
        )
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _label(item: CheckStatistics) -> str:
    text = item.column.header
    if len(text) > _LABEL_LENGTH:
        text = text[: _LABEL_LENGTH - 1] + "…"
    return text if item.column.part is None else f"{item.column.part}. {text}"


def _percent(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.0f}%"


def _blank(value: float | None) -> str:
    return "" if value is None else number(round(value, 2))
