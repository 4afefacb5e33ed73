"""A learner's workspace: `course start` copies a week out, `course check` grades the copy
(module or notebook) and never touches the course's own files, `course progress` says which
file earned the best score."""

from __future__ import annotations

import ast
import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from course.classroom.notebooks import module_to_notebook, paired_module
from course.cli import main
from course.config import Layout


@pytest.fixture
def runner(toy_course: Layout, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("COURSE_ROOT", str(toy_course.root))
    return CliRunner()


def test_start_copies_the_week_and_never_overwrites(
    runner: CliRunner, toy_course: Layout, tmp_path: Path
) -> None:
    """The stub module and its notebook land in DIR/<week>; a second start changes nothing."""
    workspace = tmp_path / "work"
    result = runner.invoke(main, ["start", "1", "--dir", str(workspace)])
    assert result.exit_code == 0, result.output
    folder = workspace / "week01_toy"
    module, notebook = folder / "week01_toy.py", folder / "week01_toy.ipynb"
    stub = toy_course.weeks[0].assignment.read_text()
    assert module.read_text() == paired_module(stub)  # the stub's code, and its text as markdown
    assert ast.dump(ast.parse(module.read_text())) == ast.dump(ast.parse(stub))
    assert json.loads(notebook.read_text())["nbformat"] == 4
    assert "course check 1" in result.output
    module.write_text("# my work\n")
    again = runner.invoke(main, ["start", "1", "--dir", str(workspace)])
    assert again.exit_code == 2
    assert "nothing was changed" in again.output
    assert module.read_text() == "# my work\n"


def test_check_grades_the_workspace_copy_and_names_it(
    runner: CliRunner, toy_course: Layout, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run in the workspace (or in the week's folder, or with --dir), `course check` grades
    the learner's module; the course's stub is left alone."""
    week = toy_course.weeks[0]
    stub = week.assignment.read_text()
    workspace = tmp_path / "work"
    runner.invoke(main, ["start", "1", "--dir", str(workspace)])
    module = workspace / "week01_toy" / "week01_toy.py"
    module.write_text(week.solution.read_text())
    monkeypatch.chdir(workspace)
    result = runner.invoke(main, ["check", "1"])
    assert result.exit_code == 0, result.output
    assert f"Graded {module}" in result.output
    assert "3 / 3 points" in result.output
    monkeypatch.chdir(module.parent)
    inside = json.loads(runner.invoke(main, ["check", "1", "--json"]).output)
    assert (inside["submission"], inside["score"]) == (str(module), 3)
    monkeypatch.chdir(tmp_path)
    named = json.loads(runner.invoke(main, ["check", "1", "--json", "--dir", "work"]).output)
    assert named["score"] == 3
    assert week.assignment.read_text() == stub


def test_without_a_workspace_the_stub_is_graded_with_a_note(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside a workspace, the course's stub is graded and the learner is told how to get
    a copy of their own."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["check", "1"])
    assert result.exit_code == 1
    assert "course start 1" in result.output


def test_a_notebook_saved_after_the_module_is_graded(
    runner: CliRunner, toy_course: Layout, tmp_path: Path
) -> None:
    """JupyterLab without jupytext saves only the notebook: the newer of the two is graded,
    as the module its code cells make, and progress records the notebook."""
    week = toy_course.weeks[0]
    workspace = tmp_path / "work"
    runner.invoke(main, ["start", "1", "--dir", str(workspace)])
    notebook = workspace / "week01_toy" / "week01_toy.ipynb"
    notebook.write_text(module_to_notebook(week.solution.read_text()))
    later = time.time() + 5
    os.utime(notebook, (later, later))
    document = json.loads(
        runner.invoke(main, ["check", "1", "--json", "--dir", str(workspace)]).output
    )
    assert (document["submission"], document["score"]) == (str(notebook), 3)
    progress = json.loads(runner.invoke(main, ["progress", "--json"]).output)
    assert progress["weeks"][0]["best_file"] == str(notebook.resolve())
    assert progress["weeks"][0]["files"] == {str(notebook.resolve()): 1}


def test_a_broken_notebook_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    """A notebook that is not JSON is refused with what to do, exit code 2."""
    broken = tmp_path / "week01_toy.ipynb"
    broken.write_text("{not a notebook")
    result = runner.invoke(main, ["check", "1", "--submission", str(broken)])
    assert result.exit_code == 2
    assert "not a notebook" in result.output
