"""``course check`` from inside Jupyter: the ``%course`` magic and nbgrader's Validate button.

In a notebook (``%load_ext course`` loads :func:`load_ipython_extension`)::

    %course check        # the notebook this kernel runs: JupyterLab tells the kernel its path
    %course check 2      # as week 2; without a notebook path, week 2's file in this folder

grades the notebook's *saved* content (save it first: the table says when it was saved) and
shows the result as a table. The grading is ``course check WEEK --submission NOTEBOOK
--json`` run in the notebook's folder, in a process of its own: the same file choice,
checks (a class's public checks where the week was fetched) and seeds as the command, and
no TensorFlow (nor the graders) in the kernel.

The course's ``nbgrader_config.py`` (``course init``) makes nbgrader's Validate button
truthful with :func:`validate_hook`: our notebooks have no nbgrader test cells, so
nbgrader's own Validate would pass any notebook, the untouched stub included. The hook runs
the same checks on the notebook Validate reads and adds their result as one nbgrader test
cell, which fails, with every failed check's message, unless all passed.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from datetime import datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course.config import CourseError

if TYPE_CHECKING:
    from course.grading.results import GradeReport

USAGE = "usage: %course check [WEEK] [--seed N]"
_STEM = re.compile(r"^week\d{2}_[a-z0-9_]+$")
#: ``course check``, run with the kernel's own Python.
_COURSE = "from course.cli import main; main(prog_name='course')"
#: The id of the test cell :func:`validate_hook` adds for nbgrader's Validate.
VALIDATE_CELL_ID = "course-checks"


@dataclasses.dataclass(frozen=True)
class NotebookCheck:
    """What ``course check`` said about one file."""

    report: GradeReport
    #: The file graded, and when it was last saved (``None``: a file the check chose).
    file: Path
    saved: datetime | None
    #: Checks that run only when the work is graded (a class's week), when known.
    hidden_checks: int = 0


def check(
    *,
    week: str | None = None,
    notebook: Path | None = None,
    directory: Path | None = None,
    seed: int | None = None,
) -> NotebookCheck:
    """Grade ``notebook`` (default: the kernel's own, :func:`session_notebook`) as ``week``
    (default: named by the notebook's file or folder), with ``course check`` run in
    ``directory`` (default: the notebook's folder). With neither notebook nor a kernel's
    notebook, grade ``week``'s file in ``directory`` (default: the current folder) as
    ``course check WEEK`` run there would.

    Raises :class:`CourseError` with ``course check``'s own message when it cannot grade.
    """
    notebook = notebook if notebook is not None else session_notebook()
    if week is None:
        week = week_of(notebook) if notebook is not None else None
        if week is None:
            named = notebook.name if notebook is not None else "this kernel's notebook"
            raise CourseError(
                f"cannot tell which week {named} is: name the notebook or its folder after "
                "the week (weekNN_topic), or give the week: %course check WEEK"
            )
    if directory is not None:
        folder = directory
    else:
        folder = notebook.parent if notebook is not None else Path.cwd()
    arguments = ["check", week, "--json"]
    if notebook is not None:
        arguments += ["--submission", str(notebook)]
    if seed is not None:
        arguments += ["--seed", str(seed)]
    completed = subprocess.run(
        [sys.executable, "-c", _COURSE, *arguments],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        document = json.loads(completed.stdout)
    except json.JSONDecodeError:
        document = None
    if not isinstance(document, dict) or "checks" not in document:
        # Its message: {"error": ...} with --json, else "Error: ..." on stderr.
        error = document.get("error") if isinstance(document, dict) else None
        message = str(error or completed.stderr.strip() or completed.stdout.strip())
        raise CourseError(message.removeprefix("Error: ") or "course check failed")
    report = _report(document)
    graded = folder / report.submission  # as course check named it, from its folder
    saved = datetime.fromtimestamp(graded.stat().st_mtime) if graded.is_file() else None
    return NotebookCheck(report, graded, saved, int(document.get("hidden_checks") or 0))


def _report(document: dict[str, Any]) -> GradeReport:
    """``course check --json``'s report; keys this version does not know are left out."""
    from course.grading.results import CheckResult, GradeReport

    known = {field.name for field in dataclasses.fields(CheckResult)}
    checks = tuple(
        CheckResult.from_dict({key: value for key, value in check.items() if key in known})
        for check in document["checks"]
    )
    return dataclasses.replace(GradeReport.from_dict({**document, "checks": []}), checks=checks)


def session_notebook() -> Path | None:
    """The notebook this kernel runs, where the front end says: JupyterLab (and Jupyter
    Server 2) in ``JPY_SESSION_NAME``, which IPython also puts in ``__session__``; VS Code
    in ``__vsc_ipynb_file__``. ``None`` outside a notebook's kernel."""
    names = [os.environ.get("JPY_SESSION_NAME", "")]
    shell = _shell()
    if shell is not None:
        names += [str(shell.user_ns.get(key, "")) for key in ("__session__", "__vsc_ipynb_file__")]
    for name in filter(None, names):
        path = Path(name).expanduser()
        # Jupyter Server gives a path relative to its root when the client sends no name;
        # the kernel runs in the notebook's folder.
        for candidate in (path, Path.cwd() / path, Path.cwd() / path.name):
            if candidate.suffix == ".ipynb" and candidate.is_file():
                return candidate.resolve()
    return None


def week_of(notebook: Path) -> str | None:
    """The week a notebook's name (``week02_fashion_mnist.ipynb``) or its folder's names."""
    for name in (notebook.stem, notebook.parent.name):
        if _STEM.match(name.lower()):
            return name
    return None


_COLOURS = {"passed": "#1a7f37", "failed": "#cf222e", "error": "#cf222e", "timeout": "#9a6700"}


def render_html(result: NotebookCheck) -> str:
    """The result as an HTML table with the score under it."""
    report = result.report
    rows = "".join(
        "<tr>"
        f"<td>{escape(check.name)}</td>"
        f'<td style="text-align:right;white-space:nowrap">{check.points:g} / '
        f"{check.max_points:g}</td>"
        f'<td style="color:{_COLOURS.get(check.status, "inherit")}">{check.status}</td>'
        f'<td style="text-align:left;white-space:pre-wrap">{escape(message)}</td>'
        "</tr>"
        for check, message in zip(report.checks, _messages(report), strict=True)
    )
    notes = "".join(f"<p>{escape(line)}</p>" for line in _notes(result))
    return (
        '<table class="course-check">'
        "<thead><tr><th>check</th><th>points</th><th>status</th><th>message</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        f"<p><strong>{escape(_score(report))}</strong> {escape(_timing(report))}</p>"
        f"<p>{escape(_graded(result))}</p>{notes}"
    )


def render_text(result: NotebookCheck) -> str:
    """The same as plain text, for front ends without HTML; messages of failed checks."""
    report = result.report
    lines = [
        f"{check.status:>8}  {check.points:g} / {check.max_points:g}  {check.name}"
        + (f"\n          {message}" if message and not check.passed else "")
        for check, message in zip(report.checks, _messages(report), strict=True)
    ]
    lines += [f"{_score(report)} {_timing(report)}", _graded(result)]
    return "\n".join([*lines, *_notes(result)])


def _messages(report: GradeReport) -> list[str]:
    """Each check's message; one its predecessor showed already reads as such."""
    previous = [None, *report.checks[:-1]]
    return [
        "(the same as above)"
        if before is not None and check.message and check.message == before.message
        else check.message
        for check, before in zip(report.checks, previous, strict=True)
    ]


def _score(report: GradeReport) -> str:
    return f"{report.week}: {report.score:g} / {report.max_score:g} points"


def _timing(report: GradeReport) -> str:
    return f"({report.seconds:.1f} s, seed {report.seed})"


def _graded(result: NotebookCheck) -> str:
    saved = f", as saved at {result.saved:%H:%M:%S}" if result.saved else ""
    return f"Graded {result.file}{saved}."


def _notes(result: NotebookCheck) -> list[str]:
    report = result.report
    notes = [f"grader problem: {problem}" for problem in report.infrastructure_errors]
    if report.integrity:
        notes.append(
            "integrity: your code tampered with the grading machinery: "
            + "; ".join(report.integrity)
        )
    if result.hidden_checks:
        notes.append(f"{result.hidden_checks} hidden checks run when your work is graded.")
    return notes


def _shell() -> Any:
    """The running IPython shell, if any; IPython is not imported for it."""
    module = sys.modules.get("IPython")
    return module.get_ipython() if module is not None else None


def course_magic(line: str) -> None:
    """``%course check [WEEK] [--seed N]``: grade this notebook's saved content."""
    from IPython.core.error import UsageError
    from IPython.display import display

    words = shlex.split(line)
    if not words or words[0] != "check":
        raise UsageError(USAGE)
    week, seed = _check_arguments(words[1:])
    # Replaced by the table: a TensorFlow week's checks take a minute or more.
    shown = display({"text/plain": "course check: grading..."}, raw=True, display_id=True)
    try:
        result = check(week=week, seed=seed)
    except CourseError as error:
        shown.update({"text/plain": ""}, raw=True)
        raise UsageError(str(error)) from None
    shown.update({"text/html": render_html(result), "text/plain": render_text(result)}, raw=True)


def _check_arguments(words: list[str]) -> tuple[str | None, int | None]:
    from IPython.core.error import UsageError

    week: str | None = None
    seed: int | None = None
    rest = iter(words)
    for word in rest:
        if word == "--seed":
            value = next(rest, "")
            if not value.lstrip("-").isdigit():
                raise UsageError(f"--seed takes a whole number. {USAGE}")
            seed = int(value)
        elif week is None and not word.startswith("-"):
            week = word
        else:
            raise UsageError(f"unexpected {word!r}. {USAGE}")
    return week, seed


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%course`` (``%load_ext course`` calls this through ``course``)."""
    ipython.register_magic_function(course_magic, magic_kind="line", magic_name="course")


def validate_hook(notebook: Any, **_: Any) -> None:
    """nbgrader's ``Execute.on_notebook_start``: when nbgrader validates (not when it
    autogrades), grade the notebook with ``course check`` and append the result as a test
    cell, failed unless every check passed.

    The cell holds its outputs already and is tagged ``skip-execution``, so the kernel
    never runs it and nbgrader's per-cell time limit does not apply to the grading.
    nbgrader's Validate runs in the notebook's folder; the notebook is graded as the saved
    file there that holds the same code (the one Validate read), else as a copy.
    """
    if os.environ.get("NBGRADER_EXECUTION") != "validate":
        return
    # nbgrader may execute a notebook again (Execute.execute_retries): one cell of ours.
    notebook.cells = [
        cell
        for cell in notebook.cells
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") != VALIDATE_CELL_ID
    ]
    from nbformat import writes
    from nbformat.v4 import new_code_cell, new_output

    from course.classroom.notebooks import notebook_to_module

    text = writes(notebook)
    cell = new_code_cell(
        "%course check  # nbgrader's Validate: this course's checks, run on the saved notebook",
        metadata={
            "tags": ["skip-execution"],
            "nbgrader": {
                "grade": True,
                "solution": False,
                "locked": True,
                "grade_id": VALIDATE_CELL_ID,
                "points": 0,
                "schema_version": 3,
            },
        },
    )
    folder = Path.cwd()
    try:
        with tempfile.TemporaryDirectory(prefix="course-validate-") as scratch:
            saved = _saved_file(folder, notebook_to_module(text))
            if saved is None:  # not saved as it is: grade a copy, as the folder's week
                saved = Path(scratch) / f"{folder.name}.ipynb"
                saved.write_text(text, encoding="utf-8")
            result = check(week=week_of(saved), notebook=saved, directory=folder)
    except CourseError as error:
        failure = f"course check could not grade this notebook: {error}"
    else:
        failed = [check for check in result.report.checks if not check.passed]
        problems = [*result.report.infrastructure_errors, *result.report.integrity]
        failure = (
            "\n".join(
                [
                    _score(result.report),
                    *(f"{check.status}: {check.name}: {check.message}" for check in failed),
                    *problems,
                ]
            )
            if failed or problems or not result.report.checks
            else ""
        )
        cell.outputs.append(new_output("stream", name="stdout", text=render_text(result)))
    if failure:
        cell.outputs.append(
            new_output(
                "error",
                ename="ChecksFailed",
                evalue=failure.splitlines()[0],
                traceback=failure.splitlines(),
            )
        )
    notebook.cells.append(cell)


def _saved_file(folder: Path, module: str) -> Path | None:
    """The notebook in ``folder`` whose code is ``module``, the week-named one first."""
    from course.classroom.notebooks import NotebookError, notebook_to_module

    candidates = sorted(folder.glob("*.ipynb"), key=lambda path: week_of(path) is None)
    for path in candidates:
        try:
            if notebook_to_module(path.read_text(encoding="utf-8")) == module:
                return path
        except (OSError, UnicodeDecodeError, NotebookError):
            continue
    return None
