"""course.testing's accuracy checks: the figure, the message when it is too low, and the
measurements they keep."""

from __future__ import annotations

import numpy as np
import pytest

from course.grading import notes
from course.grading.errors import CheckFailed
from course.testing import check_accuracy, check_binary_accuracy, measure


def test_binary_accuracy_reads_sigmoid_scores_of_either_shape() -> None:
    """Scores above 0.5 mean class 1; (n,) and (n, 1) give the same accuracy."""
    labels = np.array([1, 0, 1, 0])
    scores = np.array([0.9, 0.2, 0.4, 0.6])
    assert check_binary_accuracy(scores, labels, at_least=0.5, what="x") == 0.5
    assert check_binary_accuracy(scores[:, None], labels, at_least=0.5, what="x") == 0.5


def test_binary_accuracy_below_the_bar_lists_the_training_epochs() -> None:
    """The failure names the bar, the figure and the training accuracy of each epoch."""
    with pytest.raises(CheckFailed) as failed:
        check_binary_accuracy(
            np.array([0.1, 0.9]),
            np.array([1, 0]),
            at_least=0.7,
            what="the accuracy of the model",
            history={"accuracy": [0.51, 0.62]},
        )
    message = str(failed.value)
    assert "at least 0.70" in message
    assert "0.0000 (training accuracy per epoch: 0.510, 0.620)" in message


def test_accuracy_checks_record_the_figure_and_the_majority_baseline() -> None:
    """Both checks keep the accuracy and the most frequent class's share as measurements,
    passing or failing: the trivial baseline a threshold must clear is on record."""
    notes.take_measurements()
    check_binary_accuracy(
        np.array([0.9, 0.8, 0.7, 0.1]), np.array([1, 1, 0, 1]), at_least=0.5, what="x"
    )
    assert notes.take_measurements() == {"accuracy": 0.5, "majority class accuracy": 0.75}
    with pytest.raises(CheckFailed):
        check_accuracy(
            np.eye(3)[[0, 0, 0, 0, 1]], np.array([2, 2, 2, 1, 0]), at_least=0.9, what="x"
        )
    assert notes.take_measurements() == {"accuracy": 0.0, "majority class accuracy": 0.6}


def test_a_measurement_that_is_not_finite_is_left_out() -> None:
    """JSON has no NaN: the figure stays in the message, not in the measurements."""
    notes.take_measurements()
    assert np.isnan(measure("loss", float("nan")))
    assert measure("MAE", 5.5) == 5.5
    assert notes.take_measurements() == {"MAE": 5.5}
