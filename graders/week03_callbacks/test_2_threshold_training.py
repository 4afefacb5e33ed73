"""Week 3 grader, part 2: ``AccuracyThresholdCallback(0.85)`` in a real ``fit`` (exercise 3.1).

The grader chooses everything but the callback: a Flatten-Dense(128, relu)-Dense(10, softmax)
model (its JSON built here), compiled with Adam, sparse categorical cross-entropy and the
accuracy metric, trained with ``fit(epochs=10, batch_size=64)`` on the first 20,000
Fashion-MNIST training images, scaled to [0, 1] here. The worker trains and returns the
history and the final weights; the grading process rebuilds its own model with those weights
and measures the accuracy on the same images itself.

Measured on the reference solution, seeds 0-4 (2 CPU cores): training stopped after epoch
3, 3, 4, 3, 3 of 10, each time at the first epoch with accuracy >= 0.85. The accuracy logged
for the stopping epoch was 0.8518 to 0.8612 (min/max); the epoch before it logged 0.8350 to
0.8497 (seed 2 logged 0.8497 in epoch 3 and went on, as it should), and epoch 1 at most
0.7763, so a callback that stops at once fails. The final weights, evaluated here on the
20,000 images, reach 0.8628 to 0.8754: a margin of at least 0.0128 over 0.85. The fit takes
about 4 s of the week's 16-24 s wall time (the whole week, reference solution, one grading
run per seed, worker start included).

Nothing here is drawn per grading, on purpose: the 20,000 images, the model and the threshold
0.85 are what the figures above were measured with (the training itself varies with the
grading's seed); part 1 draws fresh thresholds and accuracies for the callback's rule.

Self-reported: the accuracy logged at the end of each epoch, and so the epoch training
stopped at, exist only in the worker. They are a running mean over the epoch's batches, which
the grading process cannot recompute from the final weights, and a callback can rewrite the
``logs`` it is given before ``History`` records them. The stopping check is therefore worth
1 point; the final weights are judged here, on the images, by the model rebuilt here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from course.grading.reports import expect, expect_array
from course.grading.submission import Submission
from course.testing import check_accuracy, fail, show_curve

from .callbacks import grader_model, images, set_weights

pytestmark = pytest.mark.visibility("visible")

THRESHOLD = 0.85
EPOCHS = 10
EXAMPLES = 20_000


@dataclass(frozen=True)
class Training:
    """What one fit with the submission's callback returned."""

    accuracies: list[float]
    weights: list[np.ndarray]


@pytest.fixture(scope="module")
def training(submission: Submission) -> Training:
    x, y = images(EXAMPLES)
    report = submission.fit_with_callback(
        "AccuracyThresholdCallback",
        THRESHOLD,
        model_json=grader_model().to_json(),
        compile_options={
            "optimizer": "adam",
            "loss": "sparse_categorical_crossentropy",
            "metrics": ["accuracy"],
        },
        x=x,
        y=y,
        epochs=EPOCHS,
        batch_size=64,
    )
    history = expect(report.get("history"), dict, what="the training history")
    return Training(
        accuracies=[
            float(expect(value, (int, float), what="an accuracy"))
            for value in expect(history.get("accuracy"), list, what="the accuracy history")
        ],
        weights=[
            expect_array(w, what="a weight array", kinds="f")
            for w in expect(report.get("weights"), list, what="the final weights")
        ],
    )


@pytest.mark.points(1)
@pytest.mark.time_limit(120)
def test_stops_at_the_first_epoch_reaching_the_threshold(training: Training) -> None:
    """a real fit on Fashion-MNIST stops at the end of the first epoch with accuracy >= 0.85

    Self-reported: the accuracy of each epoch as the worker's History logged it."""
    accuracies = training.accuracies
    show_curve(
        {"accuracy": accuracies, "threshold": [THRESHOLD] * len(accuracies)},
        title=f"Training accuracy per epoch (AccuracyThresholdCallback({THRESHOLD}))",
        x_label="epoch",
        y_label="accuracy",
    )
    reached = [epoch for epoch, value in enumerate(accuracies, start=1) if value >= THRESHOLD]
    if not reached or reached[0] != len(accuracies):
        raise fail(
            f"the epoch where training stops with AccuracyThresholdCallback({THRESHOLD})",
            expected=f"epoch {reached[0]}, the first with accuracy >= {THRESHOLD}"
            if reached
            else f"the first epoch with accuracy >= {THRESHOLD}, within {EPOCHS} epochs",
            received=f"epoch {len(accuracies)} (accuracy per epoch: "
            + ", ".join(f"{accuracy:.4f}" for accuracy in accuracies)
            + ")",
            hint="in on_epoch_end, set self.model.stop_training = True once "
            "logs['accuracy'] >= self.threshold, and only then; do not change the model, its "
            "weights or its optimizer.",
        )


@pytest.mark.visibility("hidden")
@pytest.mark.points(1)
@pytest.mark.time_limit(120)
def test_final_weights_reach_the_threshold(training: Training) -> None:
    """the weights training ended with classify the training images with accuracy >= 0.85"""
    x, y = images(EXAMPLES)
    model = grader_model()
    set_weights(model, training.weights, what="the weights after training")
    check_accuracy(
        np.asarray(model.predict(x, batch_size=1024, verbose=0)),
        y,
        at_least=THRESHOLD,
        what=f"the {EXAMPLES:,} training images, with the weights training ended with",
        hint="stop training only once logs['accuracy'] >= self.threshold, and do not change "
        "the model's weights in the callback.",
    )
