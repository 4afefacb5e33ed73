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


BUILD_MODEL_BODY = """    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
"""


def test_forged_oversized_config_is_refused_before_allocating(tmp_path: Path) -> None:
    """Week 2: a model whose to_json() describes Embedding(800000, 1000) (3.2 GB of
    weights once built) is refused by the grading process before it allocates anything:
    the checks that rebuild it fail with the reason, and the grading process stays small."""
    import resource

    forged = (
        "class Forged(keras.Sequential):\n"
        "    def to_json(self, **kwargs):\n"
        "        small = keras.Sequential([keras.Input((4,)), keras.layers.Embedding(8, 10)])\n"
        "        text = small.to_json()\n"
        "        text = text.replace('\"input_dim\": 8', '\"input_dim\": 800000')\n"
        "        return text.replace('\"output_dim\": 10', '\"output_dim\": 1000')\n\n\n"
    )
    submission = attacked(
        "week02_fashion_mnist",
        [
            ("    model = keras.Sequential(\n", "    model = Forged(\n"),
            ("\n# %%\ndef build_model(", "\n" + forged + "def build_model("),
        ],
        tmp_path,
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    report = graded("week02_fashion_mnist", submission, "test_3_model.py")
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    refused = [check for check in report.checks if "800,000,000 parameters" in check.message]
    assert refused, report.to_dict()
    assert all(check.points == 0 for check in refused)
    assert not report.has_internal_errors, report.to_dict()
    assert peak_mib < 2_500 or before // 1024 >= 2_500, f"a child process peaked at {peak_mib} MiB"
    reference_still_scores_full_marks("week02_fashion_mnist", "test_3_model.py")


def test_lambda_layer_never_runs_in_the_grading_process(tmp_path: Path) -> None:
    """Week 2: a Lambda layer whose function would leave a file behind if the grading
    process ever deserialised and ran it. The config is refused before Keras sees it: the
    checks that rebuild the model fail, and no file appears."""
    marker = tmp_path / "lambda-ran-here"
    lambda_layer = (
        "            keras.layers.Lambda(\n"
        f"                lambda x: (__import__('pathlib').Path({str(marker)!r}).touch(), x)[1]\n"
        "            ),\n"
    )
    submission = attacked(
        "week02_fashion_mnist",
        [
            (
                '            keras.layers.Dense(10, activation="softmax"),\n',
                '            keras.layers.Dense(10, activation="softmax"),\n' + lambda_layer,
            )
        ],
        tmp_path,
    )
    report = graded("week02_fashion_mnist", submission, "test_3_model.py")
    assert any("Lambda" in check.message for check in report.checks), report.to_dict()
    assert report.score < report.max_score
    assert not marker.exists(), "the Lambda layer's code ran in the grading process"
    reference_still_scores_full_marks("week02_fashion_mnist", "test_3_model.py")
