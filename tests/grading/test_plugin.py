"""The plugin: per-week worker settings (``worker.toml`` in a grader folder), and the
figures a check measures reaching its result."""

from __future__ import annotations

from pathlib import Path

import pytest

from course.config import Layout
from course.grading.plugin import worker_settings
from course.grading.runner import grade

CPUS_SUBMISSION = """
import tensorflow as tf


def cpus():
    return len(tf.config.list_logical_devices("CPU"))
"""

CPUS_GRADER = """
import pytest

from course.testing import check

pytestmark = pytest.mark.visibility("visible")


@pytest.mark.points(1)
@pytest.mark.time_limit(60)
def test_cpus(submission):
    \"\"\"the worker sees two logical CPUs\"\"\"
    found = submission.call("cpus")
    check(found == 2, f"expected 2 logical CPUs. Received: {found}.")
"""


def test_no_settings_file_means_no_settings(tmp_path: Path) -> None:
    """A grader folder without worker.toml leaves the worker as it is."""
    assert worker_settings(tmp_path) == {}


def test_logical_cpus_are_read(tmp_path: Path) -> None:
    """``logical_cpus = 2`` becomes the Worker's keyword argument."""
    (tmp_path / "worker.toml").write_text("# two devices for tf.distribute\nlogical_cpus = 2\n")
    assert worker_settings(tmp_path) == {"logical_cpus": 2}


@pytest.mark.parametrize(
    "text",
    ["logical_cpu = 2\n", "logical_cpus = 0\n", "logical_cpus = '2'\n", "logical_cpus = true\n"],
)
def test_unknown_keys_and_bad_values_are_usage_errors(tmp_path: Path, text: str) -> None:
    """A misspelt setting or a count that is not a positive integer stops the run."""
    (tmp_path / "worker.toml").write_text(text)
    with pytest.raises(pytest.UsageError, match=r"worker\.toml"):
        worker_settings(tmp_path)


def test_a_weeks_worker_gets_its_logical_cpus(toy_course: Layout, tmp_path: Path) -> None:
    """Graded through the runner, a week with worker.toml has its CPUs split in the worker."""
    week = toy_course.weeks[0]
    for old in week.graders.glob("test_*.py"):
        old.unlink()
    (week.graders / "test_cpus.py").write_text(CPUS_GRADER)
    (week.graders / "worker.toml").write_text("logical_cpus = 2\n")
    submission = tmp_path / "cpus.py"
    submission.write_text(CPUS_SUBMISSION)
    report = grade(graders=week.graders, submission=submission, week=week.label)
    assert not report.has_internal_errors, report.infrastructure_errors
    assert [(c.status, c.message) for c in report.checks] == [("passed", "")]


MEASURING_GRADER = """
import pytest

from course.testing import check, measure, note

pytestmark = pytest.mark.visibility("visible")


@pytest.mark.points(1)
def test_measures(submission):
    \"\"\"a check that measures two figures\"\"\"
    note(f"MAE {measure('MAE', 5.25):.2f}")
    measure("MAE / naive MAE", 0.875)


@pytest.mark.points(1)
def test_measures_and_fails(submission):
    \"\"\"a failing check keeps its figure; the next check starts with none\"\"\"
    measure("accuracy", 0.5)
    check(False, "too low")


@pytest.mark.points(1)
def test_measures_nothing(submission):
    \"\"\"a check that measures nothing\"\"\"
"""


def test_measurements_reach_each_checks_result(toy_course: Layout, tmp_path: Path) -> None:
    """What a check measured is data in its result, through the runner and its JSON, and
    belongs to that check only; a passing check's note still reaches its message."""
    week = toy_course.weeks[0]
    for old in week.graders.glob("test_*.py"):
        old.unlink()
    (week.graders / "test_measures.py").write_text(MEASURING_GRADER)
    submission = tmp_path / "any.py"
    submission.write_text("x = 1\n")
    report = grade(graders=week.graders, submission=submission, week=week.label)
    assert [(c.status, c.measurements) for c in report.checks] == [
        ("passed", {"MAE": 5.25, "MAE / naive MAE": 0.875}),
        ("failed", {"accuracy": 0.5}),
        ("passed", {}),
    ]
    assert report.checks[0].message == "MAE 5.25"
