"""Week 3 grader, part 1: the decisions of ``AccuracyThresholdCallback`` (exercise 3.1).

The worker builds a fresh callback for every ``logs`` dict the grader chose, attaches it to a
tiny model and calls ``on_epoch_end`` once, as ``model.fit`` would; it reports whether
``stop_training`` was set, or the error the callback raised. The grader knows the rule, so
every decision is judged against its own answer. Exact answers, no thresholds of the
grader's own.

Drawn afresh at each grading (``course.testing.fresh_rng``), thresholds and accuracies with
three decimals, and each log's loss:

* at the threshold: a low threshold in [0.50, 0.75] and a high one in [0.91, 0.98], each
  with an accuracy exactly equal to it; a strict ``>`` fails only this check;
* above and below: a threshold in [0.60, 0.85] with accuracies in [0.86, 1.0) and 1.0, and
  a threshold in [0.86, 0.99] with accuracies in (0.0, 0.85) and 0.0;
* its own threshold: the low threshold with accuracies 0.005-0.05 below it (go on) and
  above it (stop), the high threshold likewise. No fixed number can answer all four (the
  low threshold's "stop" is at most 0.80, the high one's "go on" at least 0.86), so a
  threshold written into the callback fails here. In the checks above and below, every
  accuracy lies on the same side of 0.85 (the real fit's threshold, part 2) as of its
  threshold, so a callback that compares with 0.85 fails only this check and the one at
  the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from course.grading.errors import SubmissionError
from course.grading.reports import expect
from course.grading.submission import Submission
from course.testing import fail, fresh_rng

pytestmark = pytest.mark.visibility("visible")

CALLBACK = "AccuracyThresholdCallback"
#: An accuracy logged at the end of an epoch, and whether the callback should stop training.
Case = tuple[float, bool]


def _draw(rng: np.random.Generator, low: float, high: float) -> float:
    """A number with three decimals in [low, high]."""
    return round(float(rng.uniform(low, high)), 3)


@dataclass(frozen=True)
class Thresholds:
    """The two thresholds drawn for this grading, and the loss every log reports."""

    low: float
    high: float
    loss: float


@pytest.fixture(scope="module")
def thresholds(submission: Submission) -> Thresholds:
    rng = fresh_rng(submission, "AccuracyThresholdCallback thresholds")
    return Thresholds(_draw(rng, 0.50, 0.75), _draw(rng, 0.91, 0.98), _draw(rng, 0.1, 1.5))


def _error(entry: Any, threshold: float, logs: dict[str, float]) -> tuple[str, str] | None:
    """The ``(type, message)`` of the error ``on_epoch_end(logs)`` raised, if it raised one;
    the stub's NotImplementedError is the student's to replace, not a wrong answer."""
    expect(entry, dict, what="a callback decision")
    if "error" not in entry:
        return None
    error = expect(entry["error"], dict, what="the callback's error")
    kind, message = str(error.get("type")), str(error.get("message"))
    if kind == "NotImplementedError":
        raise SubmissionError(
            f"{CALLBACK}({threshold}).on_epoch_end with logs {logs} raised {kind}: {message}. "
            "Hint: replace the `raise NotImplementedError(...)` line with your solution."
        )
    return kind, message


def _expect_decisions(
    submission: Submission, threshold: float, cases: list[Case], *, loss: float, hint: str
) -> None:
    """``AccuracyThresholdCallback(threshold)``, fresh for each ``(accuracy, should_stop)``,
    stops training after an epoch that logged that accuracy exactly when it should."""
    logs = [{"loss": loss, "accuracy": accuracy} for accuracy, _ in cases]
    entries = submission.callback_decisions(CALLBACK, threshold, logs=logs)
    if len(entries) != len(logs):
        raise SubmissionError(f"expected {len(logs)} decisions, received {len(entries)}")
    for log, (accuracy, should_stop), entry in zip(logs, cases, entries, strict=True):
        error = _error(entry, threshold, log)
        if error is not None:
            raise SubmissionError(
                f"{CALLBACK}({threshold}).on_epoch_end with logs {log} raised {error[0]}: "
                f"{error[1]}"
            )
        stopped = expect(entry.get("stop_training"), bool, what="a stop_training flag")
        if stopped != should_stop:
            raise fail(
                f"model.stop_training after {CALLBACK}({threshold}) sees "
                f"logs['accuracy'] = {accuracy}",
                expected=should_stop,
                received=stopped,
                hint=hint,
            )


@pytest.mark.points(2)
def test_stops_at_exactly_the_threshold(submission: Submission, thresholds: Thresholds) -> None:
    """training stops when the accuracy equals the threshold"""
    for threshold in (thresholds.low, thresholds.high):
        _expect_decisions(
            submission,
            threshold,
            [(threshold, True)],
            loss=thresholds.loss,
            hint="reaching the threshold counts: compare logs['accuracy'] >= self.threshold "
            "(>=, not >, and the threshold given to __init__).",
        )


@pytest.mark.points(1)
def test_stops_above_the_threshold(submission: Submission, thresholds: Thresholds) -> None:
    """training stops when the accuracy is above the threshold"""
    rng = fresh_rng(submission, "AccuracyThresholdCallback above the threshold")
    _expect_decisions(
        submission,
        _draw(rng, 0.60, 0.85),
        [(_draw(rng, 0.86, 0.999), True), (_draw(rng, 0.86, 0.999), True), (1.0, True)],
        loss=thresholds.loss,
        hint="in on_epoch_end, set self.model.stop_training = True when "
        "logs['accuracy'] >= self.threshold.",
    )


@pytest.mark.points(1)
def test_continues_below_the_threshold(submission: Submission, thresholds: Thresholds) -> None:
    """training goes on while the accuracy is below the threshold"""
    rng = fresh_rng(submission, "AccuracyThresholdCallback below the threshold")
    _expect_decisions(
        submission,
        _draw(rng, 0.86, 0.99),
        [(_draw(rng, 0.001, 0.849), False), (_draw(rng, 0.001, 0.849), False), (0.0, False)],
        loss=thresholds.loss,
        hint="only stop when logs['accuracy'] >= self.threshold; otherwise leave "
        "self.model.stop_training alone.",
    )


@pytest.mark.points(2)
def test_uses_the_threshold_it_was_given(submission: Submission, thresholds: Thresholds) -> None:
    """the callback compares with its own threshold, not a fixed number"""
    rng = fresh_rng(submission, "AccuracyThresholdCallback uses its threshold")
    for threshold in (thresholds.low, thresholds.high):
        below = round(threshold - _draw(rng, 0.005, 0.05), 3)
        above = round(threshold + _draw(rng, 0.005, min(0.05, 1.0 - threshold)), 3)
        _expect_decisions(
            submission,
            threshold,
            [(below, False), (above, True)],
            loss=thresholds.loss,
            hint="store the threshold in __init__ (self.threshold = threshold) and compare with "
            "self.threshold, not with a number of your own.",
        )


@pytest.mark.points(1)
def test_missing_accuracy_key_is_explained(submission: Submission, thresholds: Thresholds) -> None:
    """without an "accuracy" key in the logs, the error names the key and the metric"""
    logs, threshold = {"loss": thresholds.loss}, thresholds.high
    [entry] = submission.callback_decisions(CALLBACK, threshold, logs=[logs])
    error = _error(entry, threshold, logs)
    hint = (
        'check for the key first, e.g. raise ValueError(\'logs have no "accuracy" key: '
        'compile the model with metrics=["accuracy"]\').'
    )
    what = f"what {CALLBACK}({threshold}).on_epoch_end does with logs {logs}"
    if error is None or error[0] not in ("KeyError", "ValueError"):
        stopped = " (it stopped training)" if error is None and entry.get("stop_training") else ""
        raise fail(
            what,
            expected="a KeyError or ValueError",
            received=f"{error[0]}: {error[1]}" if error else f"no error{stopped}",
            hint=hint,
        )
    if "accuracy" not in error[1] or "metrics" not in error[1]:
        raise fail(
            f"the message of the {error[0]}",
            expected='a sentence naming the missing "accuracy" key and saying to compile with '
            'metrics=["accuracy"]',
            received=repr(error[1]),
            hint=hint,
        )
