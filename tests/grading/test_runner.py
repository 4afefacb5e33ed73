"""A grading run: one result per check, whatever the submission does."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from course.config import Layout
from course.grading import runner, template
from course.grading.runner import GradingFailed, Watchdog, grade

Write = Callable[..., Path]


@pytest.fixture(autouse=True, params=["warm", "cold"])
def grading_process(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every behaviour holds for a grading process forked from the warm template (the
    suite's, see tests/conftest.py) and for a fresh ``python -m pytest``."""
    if request.param == "cold":
        monkeypatch.setattr(template, "_current", None)
    return str(request.param)


def _grade(course: Layout, submission: Path, **options: Any) -> Any:
    week = course.weeks[0]
    return grade(
        graders=week.graders, submission=submission, week=week.label, import_timeout=5, **options
    )


def test_solution_scores_full_marks_and_events_stream(toy_course: Layout) -> None:
    """Every check passes; progress events arrive in order, one per check."""
    events: list[dict[str, Any]] = []
    report = _grade(toy_course, toy_course.weeks[0].solution, on_event=events.append)
    assert report.score == report.max_score == 3
    assert [c.status for c in report.checks] == ["passed", "passed"]
    assert report.checks[0].message.startswith("double(")  # a note on a passed check
    kinds = [event["event"] for event in events]
    assert kinds[0] == "collected"
    assert kinds[-1] == "finished"
    assert kinds.count("check") == 2


def test_stub_scores_zero_with_not_implemented_messages(toy_course: Layout) -> None:
    """The stub earns nothing and every message tells the student what to replace."""
    report = _grade(toy_course, toy_course.weeks[0].assignment)
    assert report.score == 0
    assert all(c.status == "error" and "NotImplementedError" in c.message for c in report.checks)
    assert "Exercise 1.1" in report.checks[0].message


def test_wrong_answer_fails_with_the_graders_message(
    toy_course: Layout, write_submission: Write
) -> None:
    """A wrong value fails its check with expected and received; other checks still pass."""
    path = write_submission(
        "def double(x):\n    return x + 2\ndef greet(n):\n    return 'hello ' + n\n"
    )
    report = _grade(toy_course, path)
    double, greet = report.checks
    assert double.status == "failed"
    assert double.points == 0
    assert re.search(
        r"double\(-?[\d.]+\) should be -?[\d.]+\. Received: -?[\d.]+\.", double.message
    )
    assert greet.status == "passed"
    assert report.score == 1


def test_exit_at_import_earns_nothing_and_the_run_completes(
    toy_course: Layout, write_submission: Write
) -> None:
    """os._exit(0) on import: every check is an error naming the exit, results still come."""
    report = _grade(toy_course, write_submission("import os\nos._exit(0)\n"))
    assert report.score == 0
    assert len(report.checks) == 2
    assert all(c.status == "error" and "exit code 0" in c.message for c in report.checks)
    assert not report.has_internal_errors


def test_endless_loop_times_out_one_check_only(toy_course: Layout, write_submission: Write) -> None:
    """A function that never returns is a timeout for its check; the next check passes."""
    path = write_submission(
        "def double(x):\n    while True:\n        pass\ndef greet(n):\n    return 'hello ' + n\n"
    )
    report = _grade(toy_course, path)
    double, greet = report.checks
    assert double.status == "timeout"
    assert "within 5 s" in double.message
    assert greet.status == "passed"


def test_eq_overriding_result_earns_nothing(toy_course: Layout, write_submission: Write) -> None:
    """A result that claims to equal anything is refused before any comparison."""
    path = write_submission(
        "class Liar(str):\n    def __eq__(self, other):\n        return True\n"
        "def double(x):\n    return 42.0\ndef greet(n):\n    return Liar('nope')\n"
    )
    report = _grade(toy_course, path)
    greet = report.checks[1]
    assert greet.status == "error"
    assert greet.points == 0
    assert "Liar" in greet.message


def test_grader_bugs_are_flagged_internal(toy_course: Layout, write_submission: Write) -> None:
    """An exception inside the grader is not the student's fault and says so."""
    folder = toy_course.weeks[0].graders
    (folder / "test_buggy.py").write_text(
        "import pytest\n\n@pytest.mark.points(1)\n@pytest.mark.visibility('visible')\n"
        "def test_oops(submission):\n"
        "    '''a grader with a bug'''\n    raise KeyError('oops')\n"
    )
    report = _grade(toy_course, toy_course.weeks[0].solution)
    buggy = next(c for c in report.checks if c.id.endswith("test_oops"))
    assert buggy.internal
    assert buggy.status == "grader-error"
    assert "not your fault" in buggy.message
    assert report.has_internal_errors


def test_checks_without_points_are_reported(toy_course: Layout) -> None:
    """A check without a points marker is an infrastructure error, not a silent zero."""
    folder = toy_course.weeks[0].graders
    (folder / "test_pointless.py").write_text("def test_nothing(submission):\n    pass\n")
    report = _grade(toy_course, toy_course.weeks[0].solution)
    assert any("no points marker" in problem for problem in report.infrastructure_errors)


@pytest.mark.parametrize(
    ("marker", "problem"),
    [
        ("", "has no visibility marker"),
        ("@pytest.mark.visibility('hiden')\n", "has visibility 'hiden': use one of 'visible'"),
    ],
)
def test_checks_without_a_known_visibility_are_reported(
    toy_course: Layout, marker: str, problem: str
) -> None:
    """A check that does not say whether it is hidden, or says it with a typo, is an
    infrastructure error: never a hidden check shown to students by default."""
    folder = toy_course.weeks[0].graders
    (folder / "test_unsaid.py").write_text(
        f"import pytest\n\n@pytest.mark.points(1)\n{marker}def test_unsaid(submission):\n"
        "    '''a check that does not say who may see it'''\n"
    )
    report = _grade(toy_course, toy_course.weeks[0].solution)
    assert any(problem in error for error in report.infrastructure_errors), report


def test_time_limits_scale_for_slow_machines(
    toy_course: Layout, write_submission: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    """COURSE_TIME_LIMIT_SCALE multiplies each check's limit (5 s here becomes 1 s)."""
    monkeypatch.setenv("COURSE_TIME_LIMIT_SCALE", "0.2")
    path = write_submission(
        "def double(x):\n    while True:\n        pass\ndef greet(n):\n    return 'hello ' + n\n"
    )
    report = _grade(toy_course, path)
    assert report.checks[0].status == "timeout"
    assert "within 1 s" in report.checks[0].message


HANGING_GRADER = '''
import time

import pytest


@pytest.mark.points(1)
@pytest.mark.visibility("visible")
def test_hang(submission):
    """a grader that hangs"""
    while True:
        time.sleep(0.1)
'''


def test_a_hung_grader_is_stopped_and_named(
    toy_course: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A grader that never ends is stopped once it shows no progress; the error names it."""
    monkeypatch.setattr(runner, "GRADER_ALLOWANCE", 3.0)
    (toy_course.weeks[0].graders / "test_zz_hang.py").write_text(HANGING_GRADER)
    with pytest.raises(GradingFailed) as raised:
        _grade(toy_course, toy_course.weeks[0].solution, timeout=120)
    message = str(raised.value)
    assert "no progress for 3 s" in message
    assert "the grader of the check 'a grader that hangs'" in message
    assert "(2 of 3 checks done)" in message
    assert "not with the submission" in message


SLOW_DOUBLE = (
    "import time\ndef double(x):\n    time.sleep(3)\n    return 2 * x\n"
    "def greet(n):\n    return 'hello ' + n\n"
)


def test_a_slow_request_within_its_limit_is_not_taken_for_a_hang(
    toy_course: Layout, write_submission: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the submission works on a request, the watchdog allows that request's limit."""
    monkeypatch.setattr(runner, "GRADER_ALLOWANCE", 1.0)
    report = _grade(toy_course, write_submission(SLOW_DOUBLE))
    assert [check.status for check in report.checks] == ["passed", "passed"]


def test_results_written_before_a_hang_on_the_way_out_are_kept(
    toy_course: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A grading process that hangs after writing its results is stopped; the grades stand."""
    monkeypatch.setattr(runner, "GRADER_ALLOWANCE", 2.0)
    (toy_course.weeks[0].graders / "conftest.py").write_text(
        "import time\n\ndef pytest_unconfigure(config):\n    time.sleep(600)\n"
    )
    report = _grade(toy_course, toy_course.weeks[0].solution, timeout=60)
    assert report.score == report.max_score == 3
    assert report.seconds < 30


def test_an_overall_timeout_still_applies(toy_course: Layout, write_submission: Write) -> None:
    """``timeout`` bounds the whole run even while every step is within its own allowance."""
    with pytest.raises(GradingFailed, match="did not finish within 2 s"):
        _grade(toy_course, write_submission(SLOW_DOUBLE), timeout=2)


def test_the_watchdogs_deadline_follows_the_events() -> None:
    """Startup, a grader's own work and a request each get their own allowance."""
    now = [0.0]
    watchdog = Watchdog(scale=2.0, clock=lambda: now[0])
    assert watchdog.deadline == runner.STARTUP_ALLOWANCE * 2
    assert "pytest to start" in watchdog.overdue_message()
    now[0] = 10.0
    watchdog.observe({"event": "collected", "checks": [{"id": "a"}, {"id": "b"}]})
    assert watchdog.deadline == 10.0 + runner.GRADER_ALLOWANCE * 2
    watchdog.observe({"event": "started", "name": "a check"})
    watchdog.observe({"event": "request", "probe": "call", "seconds": 70.0})
    assert watchdog.deadline == 10.0 + runner.GRADER_ALLOWANCE * 2 + 70.0
    assert "to answer 'call' in the check 'a check'" in watchdog.overdue_message()
    now[0] = 50.0
    watchdog.observe({"event": "replied", "probe": "call"})
    watchdog.observe({"event": "check", "status": "passed"})
    assert watchdog.deadline == 50.0 + runner.GRADER_ALLOWANCE * 2
    assert "(1 of 2 checks done)" in watchdog.overdue_message()


def test_inputs_are_drawn_afresh_at_each_grading(
    toy_course: Layout, write_submission: Write
) -> None:
    """An answer right only on the inputs one grading used fails the next grading's: the
    checks draw their inputs from the grading's seed."""
    first = _grade(toy_course, toy_course.weeks[0].solution, seed=1)
    x = float(re.findall(r"double\((-?[\d.]+)\)", first.checks[0].message)[0])
    canned = write_submission(
        f"def double(x):\n    return {2 * x!r} if x == {x!r} else 0.0\n"
        "def greet(n):\n    return 'hello ' + n\n"
    )
    assert _grade(toy_course, canned, seed=1).score == 3
    assert _grade(toy_course, canned, seed=2).checks[0].status == "failed"


def test_a_grading_process_out_of_memory_is_stopped_and_reported(
    toy_course: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The grading process runs in a memory cgroup of its own: a grader that allocates past
    it (as a model too large to evaluate would) is stopped, and the run fails with a message
    naming the limit, instead of taking the machine's memory."""
    from course.grading import runner

    folder = toy_course.weeks[0].graders
    (folder / "test_greedy.py").write_text(
        "import pytest\n\n@pytest.mark.points(1)\n@pytest.mark.visibility('visible')\n"
        "def test_greedy(submission):\n"
        "    '''a grader that needs too much memory'''\n"
        "    hog = [b'x' * (64 << 20) for _ in range(64)]\n"
    )
    monkeypatch.setattr(runner, "GRADER_MEMORY_BYTES", 1 << 30)
    group = runner._grader_group()
    if group is None:
        pytest.skip("no control group can be made on this machine")
    group.remove()
    with pytest.raises(runner.GradingFailed, match="more than 1 GiB of memory"):
        _grade(toy_course, toy_course.weeks[0].solution)
