"""A student's feedback page for one graded week: one self-contained HTML file.

What it shows, top to bottom:

* the score after any late penalty, and always the lateness (on time, or the days late and
  the points they cost);
* a failure of the whole module said once (a syntax error, an import that failed, an
  untouched stub), and the first thing to fix;
* the score by exercise (one part per grader file), then each part's checks with status,
  points and message, and under them the plots its checks left (``course.testing.show_*``:
  training curves, a confusion matrix, misclassified examples, a forecast against the
  actual series, attention weights), drawn with matplotlib and embedded as PNG;
* the student's code with line numbers, the lines the failing checks name marked (a
  traceback's line, or the ``def`` of the function a failing check called) and linked from
  the checks.

A hidden check (``visibility("hidden")``: one judged on what the grader keeps to itself, such
as a threshold on held-out data) shows its points always, and its message and plots only once
the student's due date has passed (``reveal_hidden``). ``course check --html`` writes the same
page for a learner.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any

from course.grading.results import CheckResult
from course.records import Adjustments, GradedSubmission
from course.reports.terminal import Part, your_line
from course.reports.terminal import summarize as summarize_parts

#: The id of the page's machine-readable summary (``course submit --wait`` reads it).
SUMMARY_ID = "course-feedback"
_SUMMARY = re.compile(
    rf'<script type="application/json" id="{SUMMARY_ID}">(.*?)</script>', re.DOTALL
)
_CALLED = re.compile(r"\b([A-Za-z_]\w*)\(")

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 64rem; color: #222;
       padding: 0 1rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .4rem .6rem; text-align: left;
         vertical-align: top; }
td.points, th.points { white-space: nowrap; text-align: right; }
.passed { color: #1a7f37; } .failed, .error, .timeout, .crashed, .integrity,
.out-of-memory { color: #cf222e; } .grader-error { color: #9a6700; }
.summary { font-size: 1.25rem; margin: 1rem 0; }
.meta { color: #555; }
pre { white-space: pre-wrap; margin: 0; font-family: ui-monospace, monospace; font-size: .85rem; }
.box { padding: .6rem .8rem; border: 1px solid; border-radius: 4px; margin: 1rem 0; }
.refused, .banner { background: #fff8c5; border-color: #d4a72c; }
.fix { background: #ddf4ff; border-color: #54aeff; }
.remark { background: #f6f0ff; border-color: #8250df; }
figure { margin: 1rem 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: .9rem; }
table.code td { border: 0; padding: 0 .6rem; font-family: ui-monospace, monospace;
                font-size: .85rem; white-space: pre; }
table.code td.number { color: #888; text-align: right; user-select: none; width: 1%; }
table.code tr.marked { background: #ffebe9; }
table.code td.why { color: #cf222e; font-family: system-ui, sans-serif; white-space: normal; }
"""

HIDDEN_MESSAGE = "(a hidden check: its message is shown after the due date)"


def render_html(
    graded: GradedSubmission,
    *,
    title: str,
    reveal_hidden: bool = False,
    code: str | None = None,
    graders: Path | None = None,
    adjustments: Adjustments | None = None,
) -> str:
    """The feedback page of ``graded`` (see the module docstring). ``code``: the submitted
    file's text, shown with the failing lines marked; ``graders``: the week's grader folder,
    whose docstrings title the parts; ``adjustments``: what an instructor changed by hand
    (:func:`adjusted`), their comment on the whole submission shown under the score."""
    from course.reports import plots

    if adjustments:
        graded = adjusted(graded, adjustments)
    report = graded.grade_report
    feedback = summarize_parts(report, graders=graders)
    shown = {check.id: check.visibility == "visible" or reveal_hidden for check in report.checks}
    marked = _marked_lines(report.checks, shown, code)
    line_of = {check_id: line for line, ids in marked.items() for check_id in ids}

    body = [
        f"<h1>{escape(graded.week)}: {escape(title)}</h1>",
        f'<p class="meta">Student: {escape(graded.student)} &middot; submitted: '
        f"{escape(graded.submitted_at or 'unknown')} &middot; file: "
        f"{escape(graded.source or '-')} &middot; {escape(_lateness(graded))}</p>",
    ]
    if graded.refused:
        body.append(
            f'<p class="box refused">Your submission could not be graded: '
            f"{escape(graded.refused)}</p>"
        )
    body.append(f'<p class="summary">{_score_line(graded)}</p>')
    overall = (adjustments.comments.get("") if adjustments else None) or ""
    if overall:
        body.append(
            f'<div class="box remark"><b>Your instructor\'s comment</b><pre>{escape(overall)}'
            "</pre></div>"
        )
    if feedback.banner is not None:
        body.append(
            f'<div class="box banner"><b>{escape(feedback.banner.headline)}</b>'
            f"<pre>{escape(feedback.banner.message)}</pre></div>"
        )
    first = feedback.first_to_fix
    if first is not None and (first.check is None or shown[first.check.id]):
        where = f' (<a href="#line-{first.line}">line {first.line}</a>)' if first.line else ""
        body.append(f'<p class="box fix">First to fix: {escape(first.text)}{where}</p>')
    body.append(_parts_table(feedback.parts))
    for part in feedback.parts:
        body.extend(_part_section(part, shown, line_of, plots))
    if code is not None:
        body.append(_code_section(code, marked, {c.id: c.name for c in report.checks}))
    summary = json.dumps(summarize(graded, reveal_hidden=reveal_hidden)).replace("</", "<\\/")
    body.append(f'<script type="application/json" id="{SUMMARY_ID}">{summary}</script>')
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(graded.week)}: feedback for {escape(graded.student)}</title>"
        f"<style>{_STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def adjusted(graded: GradedSubmission, adjustments: Adjustments) -> GradedSubmission:
    """``graded`` as the instructor left it in formgrader: each changed check's points
    (extra credit included) and a sentence in its message saying so, their comment on a
    check after its message (shown under the check's visibility rules), and the late
    penalty they set."""
    report = graded.grade_report
    checks = []
    for check in report.checks:
        notes = []
        points = adjustments.scores.get(check.id, check.points)
        if points != check.points:
            notes.append(f"Your instructor changed the points from {check.points:g} to {points:g}.")
        comment = adjustments.comments.get(check.id, "")
        if comment:
            notes.append(f"Your instructor's comment: {comment}")
        message = "\n\n".join([check.message, *notes] if check.message else notes)
        checks.append(dataclasses.replace(check, points=points, message=message))
    penalty = graded.penalty if adjustments.penalty is None else adjustments.penalty
    return dataclasses.replace(
        graded,
        report=dataclasses.replace(report, checks=tuple(checks)).to_dict(),
        penalty=penalty,
    )


def _lateness(graded: GradedSubmission) -> str:
    if graded.days_late <= 0:
        return "on time"
    days = f"{graded.days_late} day{'s' if graded.days_late != 1 else ''} late"
    points = f"{graded.penalty:g} point{'s' if graded.penalty != 1 else ''}"
    return f"{days}: {points} off" if graded.penalty else f"{days}, no penalty"


def _score_line(graded: GradedSubmission) -> str:
    report = graded.grade_report
    final = max(0.0, report.score - graded.penalty)
    line = f"Score: <b>{final:g} / {report.max_score:g}</b>"
    if graded.penalty:
        line += f" ({report.score:g} earned, {graded.penalty:g} off for lateness)"
    return line


def _anchor(part: Part) -> str:
    return f"part-{part.number}" if part.number is not None else "part-" + part.file


def _parts_table(parts: tuple[Part, ...]) -> str:
    rows = []
    for part in parts:
        earned = sum(check.points for check in part.checks)
        total = sum(check.max_points for check in part.checks)
        failed = sum(not check.passed for check in part.checks)
        status = "passed" if not failed else "failed"
        said = "all passed" if not failed else f"{failed} of {len(part.checks)} not passed"
        rows.append(
            f'<tr><td><a href="#{_anchor(part)}">{escape(part.heading)}</a></td>'
            f'<td class="{status}">{said}</td>'
            f'<td class="points">{earned:g} / {total:g}</td></tr>'
        )
    return (
        "<h2>By exercise</h2><table><thead><tr><th>part</th><th>checks</th>"
        '<th class="points">points</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"
    )


def _part_section(
    part: Part, shown: dict[str, bool], line_of: dict[str, int], plots: Any
) -> Iterator[str]:
    earned = sum(check.points for check in part.checks)
    total = sum(check.max_points for check in part.checks)
    yield f'<h2 id="{_anchor(part)}">{escape(part.heading)}: {earned:g} / {total:g}</h2>'
    rows = []
    for check in part.checks:
        message = check.message if shown[check.id] else HIDDEN_MESSAGE
        line = line_of.get(check.id)
        link = f' <a href="#line-{line}">(your line {line})</a>' if line else ""
        rows.append(
            f"<tr><td>{escape(check.name)}</td>"
            f'<td class="{escape(check.status)}">{escape(check.status)}</td>'
            f'<td class="points">{check.points:g} / {check.max_points:g}</td>'
            f"<td><pre>{escape(message)}</pre>{link}</td></tr>"
        )
    yield (
        "<table><thead><tr><th>check</th><th>status</th>"
        '<th class="points">points</th><th>message</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table>"
    )
    for check in part.checks:
        if not shown[check.id]:
            continue
        for plot in check.plots:
            try:
                source = plots.data_uri(plot)
            except plots.PlotError as error:
                yield f'<p class="meta">(a plot could not be drawn: {escape(str(error))})</p>'
                continue
            caption = escape(str(plot.get("title", "")))
            yield (
                f'<figure><img src="{source}" alt="{caption}">'
                f"<figcaption>{caption} &middot; from the check "
                f"&ldquo;{escape(check.name)}&rdquo;</figcaption></figure>"
            )


def _marked_lines(
    checks: tuple[CheckResult, ...], shown: dict[str, bool], code: str | None
) -> dict[int, list[str]]:
    """The lines of ``code`` to mark, each with the failing checks that name it: the line a
    check's message names, else the ``def`` of the function a failing check called."""
    if code is None:
        return {}
    definitions = _definitions(code)
    count = len(code.splitlines())
    marked: dict[int, list[str]] = {}
    for check in checks:
        if check.passed or check.internal or not shown[check.id]:
            continue
        line = your_line(check.message)
        if line is None:
            called = _CALLED.search(check.message)
            line = definitions.get(called[1]) if called else None
        if line is not None and 1 <= line <= count:
            marked.setdefault(line, []).append(check.id)
    return marked


def _definitions(code: str) -> dict[str, int]:
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return {}
    return {
        node.name: node.lineno
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }


def _code_section(code: str, marked: dict[int, list[str]], names: dict[str, str]) -> str:
    rows = []
    for number, text in enumerate(code.splitlines(), start=1):
        ids = marked.get(number, [])
        why = "; ".join(names[check_id] for check_id in ids)
        kind = ' class="marked"' if ids else ""
        rows.append(
            f'<tr id="line-{number}"{kind}>'
            f'<td class="number">{number}</td><td>{escape(text)}</td>'
            f'<td class="why">{escape(why)}</td></tr>'
        )
    return (
        '<h2>Your code</h2><p class="meta">Marked: the lines the failing checks name.</p>'
        '<table class="code"><tbody>' + "".join(rows) + "</tbody></table>"
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
