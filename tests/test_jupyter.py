"""``course check`` from inside Jupyter: the notebook's week and file are found, its saved
content is graded as ``course check`` grades it, the result reads as a table; nbgrader's
Validate, configured by ``course init``, runs the same checks. (A real JupyterLab server
drives ``%course check`` in tests/test_jupyter_server.py.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from IPython.core.error import UsageError

from course import jupyter, learner
from course.classroom.notebooks import module_to_notebook
from course.classroom.settings import write_settings
from course.config import CourseError, Layout


@pytest.fixture
def workspace(toy_course: Layout, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The toy week started in ``tmp_path/work``: its folder."""
    monkeypatch.setenv("COURSE_ROOT", str(toy_course.root))
    return learner.start(toy_course.weeks[0], tmp_path / "work").folder


def test_importing_course_loads_neither_the_magic_nor_ipython() -> None:
    """``import course`` stays cheap; the magic's module loads no IPython, notebook or
    grading machinery until it is used."""
    code = (
        "import sys, course, course.jupyter\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in "
        "('IPython', 'nbformat', 'nbgrader', 'numpy', 'tensorflow') "
        "or name == 'course.grading.runner'))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert loaded.stdout.strip() == "[]", loaded.stderr
    assert callable(__import__("course").load_ipython_extension)


def test_a_notebook_is_graded_as_the_week_its_name_says(
    workspace: Path, toy_course: Layout
) -> None:
    """The saved notebook is graded as ``course check WEEK --submission`` grades it; the
    table shows each check, the score and which file (saved when) was graded."""
    notebook = workspace / "week01_toy.ipynb"
    notebook.write_text(module_to_notebook(toy_course.weeks[0].solution.read_text()))
    result = jupyter.check(notebook=notebook, seed=7)
    assert (result.report.score, result.report.max_score, result.report.seed) == (3, 3, 7)
    assert result.file == notebook
    html = jupyter.render_html(result)
    assert html.count("<tr>") == 3  # the header and two checks
    assert "double doubles numbers" in html
    assert "week01: 3 / 3 points" in html
    text = jupyter.render_text(result)
    assert f"Graded {notebook}, as saved at " in text


def test_course_checks_refusal_is_the_error(workspace: Path) -> None:
    """What ``course check`` refuses comes back as its own message."""
    with pytest.raises(CourseError, match="unknown week '9'"):
        jupyter.check(week="9", notebook=workspace / "week01_toy.ipynb")
    elsewhere = workspace.parent / "scratch.ipynb"
    with pytest.raises(CourseError, match=r"cannot tell which week scratch\.ipynb is"):
        jupyter.check(notebook=elsewhere)


def test_the_kernels_notebook_is_found_where_jupyter_says(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JupyterLab's ``JPY_SESSION_NAME`` is absolute, or relative to the server's folder
    while the kernel runs in the notebook's; without it there is no notebook."""
    notebook = workspace / "week01_toy.ipynb"
    monkeypatch.chdir(workspace)
    monkeypatch.setenv("JPY_SESSION_NAME", str(notebook))
    assert jupyter.session_notebook() == notebook.resolve()
    monkeypatch.setenv("JPY_SESSION_NAME", "work/week01_toy/week01_toy.ipynb")
    assert jupyter.session_notebook() == notebook.resolve()
    monkeypatch.delenv("JPY_SESSION_NAME")
    assert jupyter.session_notebook() is None


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("", "usage: %course check"),
        ("grade 1", "usage: %course check"),
        ("check 1 --seed x", "--seed takes a whole number"),
        ("check 1 2", "unexpected '2'"),
    ],
)
def test_the_magic_names_what_it_accepts(line: str, problem: str) -> None:
    """A line the magic does not understand is a usage error that shows the usage."""
    with pytest.raises(UsageError, match=problem):
        jupyter.course_magic(line)


def test_nbgrader_validate_runs_the_course_checks(
    workspace: Path, toy_course: Layout, tmp_path: Path
) -> None:
    """With the ``nbgrader_config.py`` that ``course init`` writes, nbgrader's Validate
    fails the untouched stub with every failed check's message and passes a solution."""
    from nbgrader.validator import Validator
    from traitlets.config import Config

    write_settings(tmp_path, course_id="tf101", database="sqlite:///gb.db", exchange="ex")
    config = Config()
    path = tmp_path / "nbgrader_config.py"
    exec(path.read_text(), {"get_config": lambda: config, "__file__": str(path)})
    assert config.Execute.on_notebook_start is jupyter.validate_hook
    notebook = workspace / "week01_toy.ipynb"
    (failed,) = Validator(config=config).validate(str(notebook))["failed"]
    assert failed["raw_error"].splitlines() == [
        "week01: 0 / 3 points",
        "error: double doubles numbers: double() raised NotImplementedError: Exercise 1.1: "
        "write your solution here. Hint: replace the `raise NotImplementedError(...)` line "
        "with your solution.",
        "error: greet says hello: greet() raised NotImplementedError: Exercise 1.2: write "
        "your solution here. Hint: replace the `raise NotImplementedError(...)` line with "
        "your solution.",
    ]
    notebook.write_text(module_to_notebook(toy_course.weeks[0].solution.read_text()))
    assert Validator(config=config).validate(str(notebook)) == {}
