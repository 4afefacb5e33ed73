"""Argument forms built in the worker: grader functions, submission calls, grader models."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from course.grading.submission import Submission
from course.probes.markers import call_spec, function_spec, model_spec
from course.sandbox import Worker

Write = Callable[..., Path]


@pytest.fixture
def submission_for(tmp_path: Path):  # type: ignore[no-untyped-def]
    workers: list[Worker] = []

    def make(path: Path) -> Submission:
        worker = Worker(path, workdir=tmp_path / f"worker{len(workers)}")
        workers.append(worker)
        return Submission(worker)

    yield make
    for worker in workers:
        worker.close()


def test_call_spec_passes_a_result_that_never_leaves_the_worker(
    write_submission: Write, submission_for: Callable[[Path], Submission]
) -> None:
    """An object the grader could not receive (a closure) is handed from one call to the next."""
    path = write_submission(
        "def make_adder(n):\n    return lambda x: x + n\ndef apply(f, x):\n    return f(x)\n"
    )
    submission = submission_for(path)
    assert submission.call("apply", call_spec("make_adder", 10), 5) == 15


def test_function_spec_builds_a_differentiable_function(
    write_submission: Write, submission_for: Callable[[Path], Submission]
) -> None:
    """A grader-chosen polynomial arrives as a callable the submission can evaluate."""
    path = write_submission("def at(f, x):\n    return float(f(x))\n")
    submission = submission_for(path)
    value = submission.call("at", function_spec("polynomial", coefficients=[1.0, 0.0, 2.0]), 3.0)
    assert value == pytest.approx(19.0)


def test_model_spec_rebuilds_the_graders_model_in_the_worker(
    write_submission: Write, submission_for: Callable[[Path], Submission]
) -> None:
    """A grader model (config and weights) reaches the submission as a Keras model."""
    keras = pytest.importorskip("keras")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, use_bias=False)])
    model.set_weights([np.array([[2.0], [3.0]], dtype="float32")])
    path = write_submission(
        "import numpy as np\n"
        "def predict(model, x):\n    return model.predict(np.asarray(x), verbose=0)\n"
    )
    submission = submission_for(path)
    x = np.array([[1.0, 1.0]], dtype="float32")
    result = submission.call("predict", model_spec(model.to_json(), model.get_weights()), x)
    np.testing.assert_allclose(result, [[5.0]])
