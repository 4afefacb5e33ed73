"""What `course check` tells a learner: parts, one banner for a module-wide failure, the
first thing to fix, the week to go on to.

The failure messages come from the grading's own writers (:func:`error_for`,
:func:`syntax_error`), so a change of their words that the banner no longer recognises fails
here.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from course.config import Layout
from course.grading.declared import syntax_error
from course.grading.results import CheckResult, GradeReport, Status
from course.grading.submission import error_for
from course.reports.terminal import Feedback, part_of, render, summarize
from course.sandbox import Outcome
from tests.conftest import REPO, TOY_STUB

FILES = ("test_1_tensors.py", "test_1_tensors.py", "test_2_gradients.py")


def _report(
    messages: list[str],
    *,
    statuses: list[Status] | None = None,
    submission: Path = Path("week01.py"),
) -> GradeReport:
    statuses = statuses or ["error"] * len(messages)
    checks = tuple(
        CheckResult(
            id=f"{file}::test_{index}",
            name=f"check {index}",
            points=1.0 if status == "passed" else 0.0,
            max_points=1.0,
            status=status,
            message=message,
        )
        for index, (file, message, status) in enumerate(zip(FILES, messages, statuses, strict=True))
    )
    return GradeReport(week="week01", submission=str(submission), checks=checks, seed=7)


def _graders(tmp_path: Path) -> Path:
    folder = tmp_path / "graders"
    folder.mkdir()
    (folder / "test_1_tensors.py").write_text(
        '"""Week 1 grader, part 1: constant tensors and ``normalize`` (exercises 1.1, 1.2).\n\n'
        'Thresholds...\n"""\n'
    )
    (folder / "test_2_gradients.py").write_text("def test_x():\n    pass\n")
    return folder


def _rendered(report: GradeReport, feedback: Feedback, width: int = 72) -> str:
    out = io.StringIO()
    render(report, feedback, console=Console(file=out, width=width, color_system=None))
    return out.getvalue()


def _not_implemented(function: str) -> str:
    outcome = Outcome(
        status="raised",
        error={
            "kind": "not_implemented",
            "type": "NotImplementedError",
            "message": "Write your solution here",
            "traceback": "",
        },
    )
    return str(error_for(outcome, action=f"{function}()"))


def test_checks_come_in_parts_titled_by_their_grader_file(tmp_path: Path) -> None:
    """test_K_topic.py is part K, titled by its docstring's first line without the "Week N
    grader, part K:" prefix and reST markup, else by the topic in its name."""
    report = _report(["", "", "wrong"], statuses=["passed", "passed", "failed"])
    feedback = summarize(report, graders=_graders(tmp_path))
    assert [(part.number, part.title, len(part.checks)) for part in feedback.parts] == [
        (1, "constant tensors and normalize (exercises 1.1, 1.2)", 2),
        (2, "gradients", 1),
    ]
    assert [(part.points, part.max_points) for part in feedback.parts] == [(2, 2), (0, 1)]
    assert part_of("test_toy.py::test_double[3]") == ("test_toy.py", None)
    text = _rendered(report, feedback)
    assert "Part 1: constant tensors and normalize (exercises 1.1, 1.2)" in text
    assert "Part 2: gradients" in text


def test_a_syntax_error_is_one_banner_naming_its_line(tmp_path: Path) -> None:
    """Every check failing with the same syntax error: the error once, above the parts,
    not under each check; the closing line names it."""
    broken = tmp_path / "week01.py"
    broken.write_text("def double(x):\n    return (x\n")
    message = syntax_error(broken)
    assert message is not None
    feedback = summarize(_report([message] * 3, submission=broken))
    assert feedback.banner is not None
    assert (feedback.banner.kind, feedback.banner.line) == ("syntax", 2)
    text = _rendered(_report([message] * 3, submission=broken), feedback)
    assert text.count("was never closed") == 2  # the banner, and the closing line
    assert "line 2: return (x" in text
    assert feedback.next_step.startswith("First to fix: your module has a syntax error")


def test_a_failed_import_is_one_banner_naming_the_students_line() -> None:
    """An import that fails (or times out) fails every check alike: one banner, the line."""
    outcome = Outcome(
        status="raised",
        error={
            "kind": "exception",
            "type": "ModuleNotFoundError",
            "message": "No module named 'tensorflow_addons'",
            "traceback": '  File "/home/ada/week01.py", line 3, in <module>\n'
            "    import tensorflow_addons\n",
        },
        during_import=True,
    )
    message = str(error_for(outcome, action="double()"))
    report = _report([message] * 3)
    feedback = summarize(report)
    assert feedback.banner is not None
    assert (feedback.banner.kind, feedback.banner.line) == ("import", 3)
    assert feedback.next_step.endswith("(your line 3)")
    text = _rendered(report, feedback)
    assert text.count("'tensorflow_addons'") == 2
    assert "line 3, in <module>" in text
    assert "/home/ada/week01.py" not in text  # the report names the file once, above
    timeout = str(
        error_for(Outcome(status="timeout", detail="took 60 s", during_import=True), action="f()")
    )
    timed_out = summarize(_report([timeout] * 3, statuses=["timeout"] * 3)).banner
    assert timed_out is not None
    assert timed_out.kind == "import"


def test_an_untouched_stub_is_one_banner_naming_its_first_raise(tmp_path: Path) -> None:
    """NotImplementedError on every check: "nothing written yet", and the line of the first
    `raise NotImplementedError` with its function and exercise; no message per row."""
    stub = tmp_path / "week01_toy.py"
    stub.write_text(TOY_STUB)
    messages = [_not_implemented("double"), _not_implemented("double"), _not_implemented("greet")]
    report = _report(messages, submission=stub)
    feedback = summarize(report)
    line = (
        TOY_STUB.splitlines().index(
            '    raise NotImplementedError("Exercise 1.1: write your solution here")'
        )
        + 1
    )
    assert feedback.banner is not None
    assert (feedback.banner.kind, feedback.banner.line) == ("not_started", line)
    assert feedback.next_step == (
        f"First to fix: line {line} of week01_toy.py (double, Exercise 1.1): replace "
        "`raise NotImplementedError(...)` with your code."
    )
    text = _rendered(report, feedback)
    assert "NotImplementedError: Write your solution here" not in text
    assert text.count("Nothing written yet") == 1


def test_the_first_check_that_did_not_pass_comes_with_its_line_and_part() -> None:
    """Without a banner, the closing line names the first check (in the graders' order)
    that did not pass, its part, the student's line and the message's first line."""
    raised = (
        "build_model() raised ValueError: Received a label value of 9\n"
        "Where it happened in your code:\n"
        '  File "/home/ada/week01.py", line 12, in build_model\n'
        "    model.fit(x, y)\n"
        '  File "/home/ada/week01.py", line 40, in helper\n'
        "    raise ValueError(...)"
    )
    report = _report(["", raised, "wrong"], statuses=["passed", "error", "failed"])
    feedback = summarize(report)
    assert feedback.banner is None
    assert feedback.first_to_fix is not None
    assert (feedback.first_to_fix.part, feedback.first_to_fix.line) == (1, 40)
    assert feedback.next_step == (
        'First to fix: part 1, "check 1" (your line 40): build_model() raised ValueError: '
        "Received a label value of 9"
    )


def test_every_check_passed_points_to_the_next_week() -> None:
    """All passed: the closing line says so and names the next week and how to start it."""
    report = _report(["", "", ""], statuses=["passed"] * 3)
    weeks = Layout(REPO).weeks
    feedback = summarize(report, next_week=weeks[1])
    assert feedback.next_step == (
        f"All 3 checks passed (3 / 3): go on to week 2, {weeks[1].title} ('course start 2')."
    )
    assert summarize(report).next_step == "All 3 checks passed (3 / 3): this week is done."


def test_a_repeated_message_is_shown_once_and_no_line_is_padded() -> None:
    """A message equal to the row above's becomes "(the same as above)"; lines fit the
    width and end without padding."""
    long = "the model's output shape should be (None, 10). Received: (None, 1). " * 3
    report = _report([long, long, long], statuses=["failed", "failed", "passed"])
    text = _rendered(report, summarize(report), width=60)
    assert text.count("(the same as above)") == 1
    for line in text.splitlines():
        assert len(line) <= 60
        assert line == line.rstrip()


@pytest.mark.parametrize("banner", [True, False])
def test_the_json_document_keeps_its_fields_and_adds_parts(tmp_path: Path, banner: bool) -> None:
    """The JSON document is the report's, plus `part` on each check, `parts`, `banner`,
    `first_to_fix` and `next_step`."""
    messages = ["same"] * 3 if banner else ["", "", "wrong"]
    statuses: list[Status] = ["failed"] * 3 if banner else ["passed", "passed", "failed"]
    report = _report(messages, statuses=statuses)
    document = summarize(report, graders=_graders(tmp_path)).document(report)
    assert set(report.to_dict()) < set(document)
    assert [check["part"] for check in document["checks"]] == [1, 1, 2]
    assert document["parts"][0] == {
        "part": 1,
        "title": "constant tensors and normalize (exercises 1.1, 1.2)",
        "file": "test_1_tensors.py",
        "points": 0 if banner else 2,
        "max_points": 2,
        "passed": 0 if banner else 2,
        "checks": 2,
    }
    assert (document["banner"] is not None) is banner
    if banner:
        assert document["banner"]["kind"] == "same_error"
    else:
        assert document["first_to_fix"]["id"] == "test_2_gradients.py::test_2"
    assert document["next_step"].startswith("First to fix:")


def test_titles_of_the_real_graders_name_their_parts() -> None:
    """Every real grader file is a numbered part whose title reads without markup."""
    for week in Layout(REPO).weeks:
        for grader in sorted(week.graders.glob("test_*.py")):
            check = CheckResult(f"{grader.name}::test_x", "x", 1.0, 1.0, "passed")
            report = GradeReport(week=week.label, submission="w.py", checks=(check,))
            (part,) = summarize(report, graders=week.graders).parts
            assert part.number is not None, grader
            assert "``" not in part.title, part.title
            assert not part.title.startswith("Week"), part.title
