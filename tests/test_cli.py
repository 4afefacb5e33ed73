"""CLI wiring: commands, JSON output, exit codes. Behaviour is tested in the core's tests."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from course.cli import main
from course.config import Layout
from tests.conftest import REPO


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


def test_check_untouched_stub_is_one_banner_and_a_closing_line(runner: CliRunner) -> None:
    """An untouched stub: one banner naming the first `raise NotImplementedError` line, the
    checks without a message each, the total, then what to fix first."""
    result = runner.invoke(main, ["check", "1"])
    assert result.exit_code == 1, result.output
    assert result.output.count("Nothing written yet") == 1
    assert "raised NotImplementedError" not in result.output
    assert "double doubles numbers" in result.output
    lines = result.output.rstrip().splitlines()
    assert lines[-2].startswith("First to fix: line 7 of week01_toy.py (double, Exercise 1.1)")


def test_check_json_adds_parts_banner_and_next_step(runner: CliRunner, toy_course: Layout) -> None:
    """--json keeps the report's fields and adds the part of each check, the parts, the
    banner, the first thing to fix and the closing line."""
    solution = str(toy_course.weeks[0].solution)
    document = json.loads(
        runner.invoke(main, ["check", "1", "--submission", solution, "--json"]).output
    )
    assert {"week", "score", "checks", "seed"} <= set(document)
    assert [check["part"] for check in document["checks"]] == [None, None]
    assert document["parts"][0]["title"] == "toy"
    assert (document["banner"], document["first_to_fix"]) == (None, None)
    assert document["next_step"] == "All 2 checks passed (3 / 3): this week is done."


def test_check_names_a_week_by_a_word_of_its_topic(runner: CliRunner) -> None:
    """`course check toy` grades week01_toy, as `course check 1` does."""
    result = runner.invoke(main, ["check", "toy", "--json"])
    assert json.loads(result.output)["week"] == "week01"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "9", "--json"], "unknown week '9'"),
        (["check", "1", "--submission", "missing.py", "--json"], "does not exist"),
        (["check", "--json"], "Missing argument 'WEEK'"),
        (["progress", "--json", "--no-such-option"], "No such option"),
    ],
)
def test_json_usage_errors_are_json(runner: CliRunner, args: list[str], message: str) -> None:
    """With --json, a usage error is one JSON object on stdout, exit code 2."""
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["exit_code"] == 2
    assert message in document["error"]


# -- course check on the real course's week 1 -------------------------------------------------


@pytest.fixture
def real_course(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("COURSE_ROOT", str(REPO))
    return CliRunner()


def test_check_real_stub_is_one_banner_and_checks_in_parts(real_course: CliRunner) -> None:
    """Week 1's untouched stub: one banner with the line of its first `raise
    NotImplementedError`, the checks one line each under their parts with subtotals."""
    stub = REPO / "assignments" / "week01_tensors.py"
    first_raise = (
        stub.read_text()
        .splitlines()
        .index('    raise NotImplementedError("Write your solution here")')
    )
    result = real_course.invoke(main, ["check", "1", "--submission", str(stub)])
    assert result.exit_code == 1, result.output
    output = result.output
    assert output.count("Nothing written yet") == 1
    assert f"Start at line {first_raise + 1} of week01_tensors.py" in output
    assert "(make_tensors, Exercise 1.1)" in output
    assert "NotImplementedError: Write your solution here" not in output
    headings = [line for line in output.splitlines() if line.startswith("Part ")]
    assert [heading.split(":")[0] for heading in headings] == ["Part 1", "Part 2", "Part 3"]
    assert "(exercises 1.3 to 1.5)" in headings[1]
    assert headings[2].endswith("0 / 4")
    assert len(output.splitlines()) < 40


def test_check_keras_error_is_short_and_names_the_students_line(
    real_course: CliRunner, tmp_path: Path
) -> None:
    """A Keras call in the student's code that raises: the message keeps TensorFlow's one-line
    cause and the student's line, not the frames through Keras."""
    solution = (REPO / "solutions" / "week01_tensors.py").read_text()
    right = '    model.compile(optimizer="sgd", loss="mean_squared_error")\n'
    wrong = (
        '    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")\n'
        "    model.fit(np.ones((6, 1)), np.full((6,), 9), epochs=1, verbose=0)\n"
    )
    assert right in solution
    path = tmp_path / "week01_tensors.py"
    path.write_text(solution.replace(right, wrong))
    fit_line = path.read_text().splitlines().index(wrong.splitlines()[1]) + 1
    result = real_course.invoke(main, ["check", "1", "--submission", str(path), "--json"])
    document = json.loads(result.output)
    failed = [check for check in document["checks"] if check["status"] != "passed"]
    assert [check["part"] for check in failed] == [3, 3, 3]
    message = failed[0]["message"]
    assert "Received a label value of 9 which is outside the valid range" in message
    assert f"line {fit_line}, in build_house_price_model" in message
    assert "Detected at node" not in message
    assert "site-packages" not in message
    assert len(message) < 500, message
    assert document["first_to_fix"]["line"] == fit_line
    assert document["banner"] is None


def test_list_keeps_week_names_whole_and_shows_no_markup(monkeypatch: pytest.MonkeyPatch) -> None:
    """At 80 columns every week's name is whole (it is what to type) and the titles read
    without reStructuredText's backticks."""
    from tests.conftest import REPO

    monkeypatch.setenv("COURSE_ROOT", str(REPO))
    result = CliRunner().invoke(main, ["list"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    for week in Layout(REPO).weeks:
        assert week.stem in result.output
    assert "`" not in result.output
    assert "…" not in result.output


def test_check_html_writes_the_feedback_page(
    runner: CliRunner, toy_course: Layout, tmp_path: Path
) -> None:
    """--html writes the page a class's student gets: the parts, the plot the check drew,
    and the graded code with the failing function's line marked."""
    half = tmp_path / "week01_toy.py"
    half.write_text(
        toy_course.weeks[0].solution.read_text().replace('"hello " + name', '"hi " + name')
    )
    page = tmp_path / "report" / "week01.html"
    page.parent.mkdir()
    result = runner.invoke(main, ["check", "1", "--submission", str(half), "--html", str(page)])
    assert result.exit_code == 1, result.output
    text = page.read_text()
    assert "By exercise" in text
    assert "data:image/png;base64," in text
    assert re.search(r'class="marked"><td class="number">\d+</td><td>def greet', text)
    unwritable = runner.invoke(
        main, ["check", "1", "--submission", str(half), "--html", str(tmp_path / "no" / "p.html")]
    )
    assert unwritable.exit_code == 2
    assert "cannot write the feedback page" in unwritable.output
