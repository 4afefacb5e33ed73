"""course.testing's accuracy checks: the figure, and the message when it is too low."""

from __future__ import annotations

import numpy as np
import pytest

from course.grading.errors import CheckFailed
from course.testing import check_binary_accuracy


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
