"""Hostile submissions against real weeks: forged evidence that only a TensorFlow week has.

Each attack is the week's reference solution with one exercise undone and a forgery in its
place, graded on that exercise's grader file only; after it, the reference solution scores
full marks on the same file. These grade real TensorFlow code, so they are slow.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course.config import Layout
from course.grading.results import GradeReport
from course.grading.runner import grade
from tests.conftest import REPO

pytestmark = pytest.mark.slow

_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION\n", re.M)


def attacked(week: str, changes: list[tuple[str, str]], tmp_path: Path) -> Path:
    """The week's solution with ``changes`` (each ``old`` occurring once) applied."""
    solution = Layout(REPO).week(week).solution
    source = _MARKER.sub("", solution.read_text(encoding="utf-8"))
    for old, new in changes:
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    path = tmp_path / solution.name
    path.write_text(source, encoding="utf-8")
    return path


def graded(week: str, submission: Path, grader_file: str) -> GradeReport:
    chosen = Layout(REPO).week(week)
    return grade(
        graders=chosen.graders, submission=submission, week=chosen.label, only=[grader_file]
    )


def reference_still_scores_full_marks(week: str, grader_file: str) -> None:
    chosen = Layout(REPO).week(week)
    report = graded(week, chosen.solution, grader_file)
    assert report.score == report.max_score, report.to_dict()


def test_forged_tracing_counts(tmp_path: Path) -> None:
    """Week 11: an eager step (no tf.function) with tf.executing_eagerly patched to say
    'graph' would pass as compiled and traced once. The patched TensorFlow is seen: every
    check of the file is integrity, 0 points."""
    submission = attacked(
        "week11_training_loops",
        [
            (
                "    @tf.function\n    def step(x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:",
                "    def step(x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:",
            ),
            (
                "\n# %%\ndef make_train_step(",
                "\ntf.executing_eagerly = lambda: False\n\n\ndef make_train_step(",
            ),
        ],
        tmp_path,
    )
    report = graded("week11_training_loops", submission, "test_4_compiled_step.py")
    assert report.score == 0, report.to_dict()
    assert report.integrity
    assert {check.status for check in report.checks} == {"integrity"}
    reference_still_scores_full_marks("week11_training_loops", "test_4_compiled_step.py")


def test_forged_callback_decisions(tmp_path: Path) -> None:
    """Week 3: a callback that never stops training, and a probe of the submission's making
    in the worker's registry that reports the right decisions. Flagged: no points."""
    submission = attacked(
        "week03_callbacks",
        [
            (
                '        if logs["accuracy"] >= self.threshold:\n'
                "            self.model.stop_training = True\n",
                "        pass\n",
            ),
            (
                "\n# %%\ndef make_early_stopping(",
                "\nimport sys\n"
                "_probes = sys.modules['course.probes']\n"
                "def _forged(module, *, factory, args, logs):\n"
                "    return [{'stop_training': entry['accuracy'] >= args[0]} for entry in logs]\n"
                "_probes._REGISTRY['callback.decisions'] = _forged\n"
                "\n\ndef make_early_stopping(",
            ),
        ],
        tmp_path,
    )
    report = graded("week03_callbacks", submission, "test_1_threshold_callback.py")
    assert report.score == 0, report.to_dict()
    assert report.integrity
    reference_still_scores_full_marks("week03_callbacks", "test_1_threshold_callback.py")


def test_forged_keras_class(tmp_path: Path) -> None:
    """Week 3: the same decisions forged by patching keras.callbacks.Callback (every
    callback class inherits the patch). Keras's classes are watched: no points."""
    submission = attacked(
        "week03_callbacks",
        [
            (
                '        if logs["accuracy"] >= self.threshold:\n'
                "            self.model.stop_training = True\n",
                "        super().on_epoch_end(epoch, logs)\n",
            ),
            (
                "\n# %%\ndef make_early_stopping(",
                "\ndef _stop(self, epoch, logs=None):\n"
                "    if (logs or {}).get('accuracy', 0) >= getattr(self, 'threshold', 2):\n"
                "        self.model.stop_training = True\n"
                "keras.callbacks.Callback.on_epoch_end = _stop\n"
                "\n\ndef make_early_stopping(",
            ),
        ],
        tmp_path,
    )
    report = graded("week03_callbacks", submission, "test_1_threshold_callback.py")
    assert report.score == 0, report.to_dict()
    assert any("Callback" in finding for finding in report.integrity), report.integrity
    reference_still_scores_full_marks("week03_callbacks", "test_1_threshold_callback.py")
