"""A student's feedback page for one graded week: one self-contained HTML file.

Every check with its points, status and message, the score, the late penalty and what it
is based on. A hidden check (``visibility("hidden")``: one judged on what the grader keeps to
itself, such as a threshold on held-out data) shows its points always and its message only
once the student's due date has passed (``reveal_hidden``).
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

from course.records import GradedSubmission

#: The id of the page's machine-readable summary (``course submit --wait`` reads it).
SUMMARY_ID = "course-feedback"
_SUMMARY = re.compile(
    rf'<script type="application/json" id="{SUMMARY_ID}">(.*?)</script>', re.DOTALL
)

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .4rem .6rem; text-align: left;
         vertical-align: top; }
td.points { white-space: nowrap; text-align: right; }
.passed { color: #1a7f37; } .failed, .error, .timeout { color: #cf222e; }
.summary { font-size: 1.2rem; margin: 1rem 0; }
pre { white-space: pre-wrap; margin: 0; font-family: inherit; }
.refused { background: #fff8c5; padding: .6rem; border: 1px solid #d4a72c; }
"""


HIDDEN_MESSAGE = "(a hidden check: its message is shown after the due date)"


def render_html(graded: GradedSubmission, *, title: str, reveal_hidden: bool = False) -> str:
    """The feedback page of ``graded`` (see the module docstring)."""
    report = graded.grade_report
    rows = []
    for check in report.checks:
        shown = check.visibility == "visible" or reveal_hidden
        message = check.message if shown else HIDDEN_MESSAGE
        rows.append(
            "<tr>"
            f"<td>{escape(check.name)}</td>"
            f'<td class="{escape(check.status)}">{escape(check.status)}</td>'
            f'<td class="points">{check.points:g} / {check.max_points:g}</td>'
            f"<td><pre>{escape(message)}</pre></td>"
            "</tr>"
        )
    final = max(0.0, report.score - graded.penalty)
    lines = [f"Score: <b>{final:g} / {report.max_score:g}</b>"]
    if graded.penalty:
        lines.append(
            f"({report.score:g} earned, {graded.penalty:g} off for {graded.days_late} "
            f"day{'s' if graded.days_late != 1 else ''} late)"
        )
    refused = (
        f'<p class="refused">Your submission could not be graded: {escape(graded.refused)}</p>'
        if graded.refused
        else ""
    )
    submitted = escape(graded.submitted_at or "unknown")
    summary = json.dumps(summarize(graded, reveal_hidden=reveal_hidden)).replace("</", "<\\/")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(graded.week)}: feedback for {escape(graded.student)}</title>"
        f"<style>{_STYLE}</style></head><body>\n"
        f"<h1>{escape(graded.week)}: {escape(title)}</h1>\n"
        f"<p>Student: {escape(graded.student)} &middot; submitted: {submitted} &middot; "
        f"file: {escape(graded.source or '-')}</p>\n{refused}\n"
        f'<p class="summary">{" ".join(lines)}</p>\n'
        "<table><thead><tr><th>check</th><th>status</th><th>points</th><th>message</th>"
        "</tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>\n"
        f'<script type="application/json" id="{SUMMARY_ID}">{summary}</script>\n'
        "</body></html>\n"
    )


def summarize(graded: GradedSubmission, *, reveal_hidden: bool) -> dict[str, Any]:
    """What the page shows, as plain data: the score after the penalty, and each check with
    its message (``None`` for a hidden check before the due date)."""
    report = graded.grade_report
    checks = [
        {
            "name": check.name,
            "status": check.status,
            "points": check.points,
            "max_points": check.max_points,
            "visibility": check.visibility,
            "message": check.message if check.visibility == "visible" or reveal_hidden else None,
        }
        for check in report.checks
    ]
    return {
        "week": graded.week,
        "student": graded.student,
        "submitted_at": graded.submitted_at,
        "score": max(0.0, report.score - graded.penalty),
        "max_score": report.max_score,
        "penalty": graded.penalty,
        "days_late": graded.days_late,
        "refused": graded.refused,
        "checks": checks,
    }


def read_summary(page: str) -> dict[str, Any] | None:
    """The summary :func:`render_html` embedded in ``page``; ``None`` for a page without
    one (written by an older version)."""
    found = _SUMMARY.search(page)
    if found is None:
        return None
    try:
        summary = json.loads(found.group(1))
    except ValueError:
        return None
    return summary if isinstance(summary, dict) else None
