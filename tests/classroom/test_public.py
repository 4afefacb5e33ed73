"""Public checks: a release ships the visible checks (and only what they use) for students
to run offline; a fetched week's `course check` runs those alone and counts the hidden ones."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from course.classroom import workflow
from course.classroom.public import CHECKS_FOLDER, Manifest, write_public_checks
from course.cli import main
from course.config import Layout, Week
from tests.classroom.conftest import copy_course
from tests.conftest import REPO

HIDDEN_GRADER = '''
"""Hidden: the secret threshold is SECRET_THRESHOLD (measured margins: 0.123456)."""
import pytest

from course.testing import check

SECRET_THRESHOLD = 0.123456


def _secret_helper(value):
    return value > SECRET_THRESHOLD


@pytest.mark.visibility("hidden")
@pytest.mark.points(5)
def test_secret_threshold(submission):
    """the secret threshold holds"""
    check(_secret_helper(submission.call("double", 1.0)), "below the secret threshold")
'''


def _released_text(folder: Path) -> str:
    return "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in folder.rglob("*")
        if path.is_file()
    )


def test_a_fetched_week_runs_its_public_checks_only(
    marked_course: Layout, tmp_path: Path, initialized: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The release holds no hidden check, no secret threshold, no grader docstring and no
    solution; in the student's fetched folder `course check` runs the public checks alone
    (even with the whole course installed) and says how many hidden checks there are."""
    week = marked_course.weeks[0]
    (week.graders / "test_secret.py").write_text(HIDDEN_GRADER)
    settings = copy_course(initialized, tmp_path)
    released = workflow.release(settings=settings, week=week)
    assert (released.public_checks, released.hidden_checks) == (2, 1)
    text = _released_text(settings.directory("release", week.stem))
    for secret in ("SECRET_THRESHOLD", "0.123456", "test_secret_threshold", "_secret_helper"):
        assert secret not in text
    assert '"hello " + name' not in text  # the solution's code
    monkeypatch.setenv("COURSE_EXCHANGE", str(tmp_path / "exchange"))
    monkeypatch.setenv("COURSE_ID", "tf101")
    monkeypatch.setenv("COURSE_SUBMIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("COURSE_ROOT", str(marked_course.root))  # the full course, too
    home = ["--student", "ada", "--dir", str(tmp_path / "ada")]
    assert CliRunner().invoke(main, ["fetch", "1", *home]).exit_code == 0
    folder = tmp_path / "ada" / week.stem
    assert Manifest.read(folder / CHECKS_FOLDER) == Manifest(week.stem, 1, 5.0)
    (folder / f"{week.stem}.py").write_text(week.solution.read_text())
    monkeypatch.chdir(folder)
    document = json.loads(CliRunner().invoke(main, ["check", "1", "--json"]).output)
    assert document["hidden_checks"] == 1
    assert (document["score"], document["max_score"]) == (3, 3)
    assert not [check for check in document["checks"] if "secret" in check["id"]]
    # A student's machine: no graders, no solutions, no course checkout at all.
    shutil.rmtree(marked_course.root)
    monkeypatch.delenv("COURSE_ROOT")
    monkeypatch.chdir(tmp_path / "ada")
    shown = CliRunner().invoke(main, ["check", "1"])
    assert shown.exit_code == 0, shown.output
    assert "1 hidden checks run when your work is graded." in shown.output


@pytest.mark.parametrize("week", Layout(REPO).weeks, ids=lambda week: week.stem)
def test_public_checks_of_every_week_hold_nothing_hidden(week: Week, tmp_path: Path) -> None:
    """For each week: the public files keep every visible check and drop every hidden one,
    the constants and helpers only hidden checks use, and the graders' docstrings."""
    public = write_public_checks(
        week.graders, tmp_path / "checks", week=week.stem, hidden_checks=0, hidden_points=0
    )
    kept_tests: set[str] = set()
    text = ""
    for path in public.folder.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        text += source
        tree = ast.parse(source)
        kept_tests |= {
            node.name
            for node in tree.body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test")
        }
    assert kept_tests == set(public.visible)
    for name in public.hidden:
        assert name not in text
    for path in week.graders.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstring = ast.get_docstring(tree)
        if docstring and len(docstring) > 80:
            assert docstring.splitlines()[0] not in text, path.name
        visible_code = "\n".join(
            ast.unparse(node)
            for node in tree.body
            if not (isinstance(node, ast.FunctionDef) and node.name in public.hidden)
        )
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in public.hidden:
                for name in {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}:
                    if name.isupper() and name not in visible_code:
                        assert name not in text, f"{path.name}: {name} (a hidden threshold)"
