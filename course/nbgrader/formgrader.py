"""The autograded notebook that nbgrader's formgrader shows for one graded submission.

``course autograde`` grades the submitted module, not a notebook, and keeps the result in
``results.json``. formgrader lists a submission for manual grading only when
``autograded/<student>/<week>/<week>.ipynb`` exists, and shows a score box for each cell
whose nbgrader metadata names a grade cell of the gradebook. So each recorded submission
also gets that notebook, written from the result:

* a heading: the student, when it was submitted, the score after the late penalty;
* the graded code as one code cell, the :data:`~course.nbgrader.gradebook.SUBMISSION`
  solution cell (formgrader's comment box on the whole submission);
* one code cell per check, the check's grade cell (its score box, its points, a comment
  box), its output the check's status and message (hidden checks' included: this page is
  the instructor's);
* the late penalty's grade cell (:data:`~course.nbgrader.gradebook.LATE_PENALTY`), worth
  0, its grade minus the penalty: an instructor waives it by giving 0.

The notebook is only a view: nothing reads scores back from it. Plain nbformat JSON; no
nbgrader import.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from course.nbgrader.gradebook import LATE_PENALTY, SUBMISSION, cell_name
from course.records import GradedSubmission

#: nbgrader's cell metadata format.
SCHEMA_VERSION = 3


def graded_notebook(graded: GradedSubmission, *, code: str | None) -> dict[str, Any]:
    """The notebook of ``graded`` (see the module docstring); ``code``: the graded module,
    ``None`` when nothing was graded (a refused submission)."""
    report = graded.grade_report
    final = max(0.0, report.score - graded.penalty)
    lines = [
        f"# {graded.week}: {graded.student}",
        "",
        f"Submitted {graded.submitted_at or 'at an unknown time'}; graded by `course "
        f"autograde` at {graded.graded_at}. Score after the late penalty: **{final:g} / "
        f"{report.max_score:g}** ({report.score:g} earned"
        + (f", {graded.penalty:g} off for {graded.days_late} day(s) late" if graded.penalty else "")
        + ").",
        "",
        "Change a check's points in its box (extra credit beside it) and type comments below "
        "it; `course feedback` and `course export` use them.",
    ]
    if graded.refused:
        lines += ["", f"**Not graded:** {graded.refused}"]
    cells: list[dict[str, Any]] = [_markdown("\n".join(lines))]
    cells.append(
        _code(
            code if code is not None else f"# Nothing was graded: {graded.refused}",
            grade_id=SUBMISSION,
            solution=True,
        )
    )
    for check in report.checks:
        hidden = check.visibility == "hidden"
        cells.append(
            _code(
                f"# Check: {check.name}"
                + (" (hidden from the student until the due date)" if hidden else "")
                + f"\n# {check.id}",
                grade_id=cell_name(check.id),
                points=check.max_points,
                solution=True,
                output=f"{check.status}: {check.points:g} / {check.max_points:g}\n"
                + (check.message or ""),
            )
        )
    late = (
        f"**Late penalty:** {graded.days_late} started day(s) late, {graded.penalty:g} points "
        "off. Give 0 here to waive it."
        if graded.penalty
        else f"**Late penalty:** none ({'on time' if graded.days_late <= 0 else 'no penalty'})."
    )
    cells.append(_markdown(late, grade_id=LATE_PENALTY, points=0.0))
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def write_graded_notebook(path: Path, graded: GradedSubmission, *, code: str | None) -> None:
    """Write :func:`graded_notebook` to ``path``, replacing any file there at once (nbgrader
    leaves its autograded files read-only)."""
    text = json.dumps(graded_notebook(graded, code=code), indent=1, ensure_ascii=False)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text + "\n", encoding="utf-8")
    os.replace(temporary, path)


def _metadata(
    grade_id: str, *, points: float | None, solution: bool, grade: bool
) -> dict[str, Any]:
    nbgrader: dict[str, Any] = {
        "grade": grade,
        "solution": solution,
        "locked": not solution,
        "grade_id": grade_id,
        "schema_version": SCHEMA_VERSION,
    }
    if points is not None:
        nbgrader["points"] = points
    return {"nbgrader": nbgrader}


def _markdown(text: str, *, grade_id: str = "", points: float | None = None) -> dict[str, Any]:
    metadata = _metadata(grade_id, points=points, solution=False, grade=True) if grade_id else {}
    return {
        "cell_type": "markdown",
        "id": _cell_id(grade_id or "heading"),
        "metadata": metadata,
        "source": text,
    }


def _code(
    source: str,
    *,
    grade_id: str,
    solution: bool,
    points: float | None = None,
    output: str | None = None,
) -> dict[str, Any]:
    outputs = (
        [] if output is None else [{"output_type": "stream", "name": "stdout", "text": output}]
    )
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": _cell_id(grade_id),
        "metadata": _metadata(grade_id, points=points, solution=solution, grade=points is not None),
        "outputs": outputs,
        "source": source,
    }


def _cell_id(name: str) -> str:
    """nbformat 4.5's cell id: 1-64 of letters, digits, ``-`` and ``_``."""
    return "c" + hashlib.sha256(name.encode()).hexdigest()[:16]
