"""CLI wiring: commands, JSON output, exit codes. Behaviour is tested in the core's tests."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from course.cli import main
from course.config import Layout


@pytest.fixture
def runner(toy_course: Layout, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("COURSE_ROOT", str(toy_course.root))
    return CliRunner()


def test_help_does_not_import_tensorflow() -> None:
    """`course --help` and each command's help stay instant: no TensorFlow, no nbgrader."""
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom course.cli import main\n"
        "for args in (['--help'], ['check', '--help'], ['list', '--help'],\n"
        "             ['autograde', '--help']):\n"
        "    assert CliRunner().invoke(main, args).exit_code == 0\n"
        "heavy = ('tensorflow', 'keras', 'nbgrader', 'jupytext')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


def test_every_command_has_help() -> None:
    """Docs drift: every command documents itself."""
    for name, command in main.commands.items():
        assert command.help, f"command {name} has no help"


def test_list_shows_weeks_and_points(runner: CliRunner) -> None:
    """`course list` prints each week with its title and points."""
    result = runner.invoke(main, ["list"])
    assert result.exit_code == 0
    assert "week01_toy" in result.output
    assert "3" in result.output


def test_check_json_document_and_exit_codes(runner: CliRunner, toy_course: Layout) -> None:
    """--json prints one document; exit 0 when all pass, 1 when some fail."""
    solution = toy_course.weeks[0].solution
    passed = runner.invoke(main, ["check", "1", "--submission", str(solution), "--json"])
    assert passed.exit_code == 0, passed.output
    document = json.loads(passed.output)
    assert document["week"] == "week01"
    assert document["score"] == document["max_score"] == 3
    assert {c["status"] for c in document["checks"]} == {"passed"}
    assert set(document["checks"][0]) >= {"id", "name", "points", "max_points", "status", "message"}
    stub = runner.invoke(main, ["check", "week01", "--json"])
    assert stub.exit_code == 1
    assert json.loads(stub.output)["score"] == 0


def test_check_table_and_progress(runner: CliRunner, toy_course: Layout) -> None:
    """The table shows each check; the score lands in `course progress`."""
    solution = toy_course.weeks[0].solution
    result = runner.invoke(main, ["check", "01", "--submission", str(solution)])
    assert "double doubles numbers" in result.output
    assert "3 / 3 points" in result.output
    progress = json.loads(runner.invoke(main, ["progress", "--json"]).output)
    assert progress["weeks"][0]["best_score"] == 3
    assert progress["weeks"][0]["best_file"] == str(solution.resolve())
    assert (progress["total"], progress["max_total"]) == (3, 3)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "9"], "unknown week"),
        (["check", "1", "--submission", "missing.py"], "does not exist"),
    ],
)
def test_usage_errors_exit_2_with_a_message(
    runner: CliRunner, args: list[str], message: str
) -> None:
    """Bad input is a one-line error and exit code 2, not a traceback."""
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert message in result.output


def test_non_utf8_and_empty_submissions_are_refused(
    runner: CliRunner, tmp_path: Path, write_submission: Callable[..., Path]
) -> None:
    """Undecodable or empty files are refused before anything runs."""
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"x = '\xe9'\n")
    empty = write_submission("", name="empty.py")
    for path, message in ((latin, "not UTF-8"), (empty, "is empty")):
        result = runner.invoke(main, ["check", "1", "--submission", str(path)])
        assert result.exit_code == 2
        assert message in result.output


def test_check_table_shows_brackets_literally(
    runner: CliRunner, write_submission: Callable[..., Path]
) -> None:
    """Check messages holding `[...]` (slices, lists) are printed as written, not as markup."""
    path = write_submission(
        """
        def double(x):
            return 2 * x

        def greet(name):
            return "[bold]series[i:i + 5][/]"
        """
    )
    result = runner.invoke(main, ["check", "1", "--submission", str(path)])
    assert "[bold]series[i:i" in result.output
    assert "5][/]" in result.output


def test_check_names_missing_protections_in_one_line(
    runner: CliRunner, toy_course: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a machine without the sandbox a learner's check still grades, and one line says
    what is missing; the report ends with the seed, and --seed repeats a run exactly."""
    solution = str(toy_course.weeks[0].solution)
    monkeypatch.setenv("COURSE_SANDBOX", "local")
    result = runner.invoke(main, ["check", "1", "--submission", solution, "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "reduced isolation on this machine (missing: network" in result.output
    assert "seed 7" in result.output
    monkeypatch.delenv("COURSE_SANDBOX")
    sandboxed = runner.invoke(main, ["check", "1", "--submission", solution, "--json"])
    document = json.loads(sandboxed.output)
    assert document["missing_protections"] == []
    assert document["launcher"] == "bubblewrap"
