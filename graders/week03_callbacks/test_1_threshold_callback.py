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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pytest

from course.grading.errors import SubmissionError
from course.grading.reports import expect
from course.grading.submission import Submission
from course.testing import fail, fresh_rng

pytestmark = pytest.mark.visibility("visible")

CALLBACK = "AccuracyThresholdCallback"
_NOT_IMPLEMENTED_HINT = "replace the `raise NotImplementedError(...)` line with your solution."


def _epoch_logs(accuracy: float, loss: float) -> dict[str, float]:
    """What Keras passes to ``on_epoch_end`` for a model compiled with the accuracy metric."""
    return {"loss": loss, "accuracy": accuracy}


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
    return Thresholds(
        low=_draw(rng, 0.50, 0.75), high=_draw(rng, 0.91, 0.98), loss=_draw(rng, 0.1, 1.5)
    )


def _decisions(
    submission: Submission, threshold: float, accuracies: Sequence[float], loss: float
) -> list[bool]:
    """For each accuracy, whether ``AccuracyThresholdCallback(threshold)`` stopped training."""
    logs = [_epoch_logs(accuracy, loss) for accuracy in accuracies]
    entries = submission.callback_decisions(CALLBACK, threshold, logs=logs)
    if len(entries) != len(accuracies):
        raise SubmissionError(f"expected {len(accuracies)} decisions, received {len(entries)}")
    stops = []
    for accuracy, entry in zip(accuracies, entries, strict=True):
        expect(entry, dict, what="a callback decision")
        if "error" in entry:
            error = expect(entry["error"], dict, what="the callback's error")
            text = (
                f"{CALLBACK}({threshold}).on_epoch_end with logs {_epoch_logs(accuracy, loss)} "
                f"raised {error.get('type')}: {error.get('message')}"
            )
            if error.get("type") == "NotImplementedError":
                text += f". Hint: {_NOT_IMPLEMENTED_HINT}"
            raise SubmissionError(text)
        stops.append(expect(entry.get("stop_training"), bool, what="a stop_training flag"))
    return stops


def _expect_decisions(
    submission: Submission,
    threshold: float,
    cases: Sequence[tuple[float, bool]],
    *,
    loss: float,
    hint: str,
) -> None:
    stops = _decisions(submission, threshold, [accuracy for accuracy, _ in cases], loss)
    for (accuracy, should_stop), stopped in zip(cases, stops, strict=True):
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
    hint = (
        "store the threshold in __init__ (self.threshold = threshold) and compare with "
        "self.threshold, not with a number of your own."
    )
    rng = fresh_rng(submission, "AccuracyThresholdCallback uses its threshold")
    for threshold in (thresholds.low, thresholds.high):
        below = round(threshold - _draw(rng, 0.005, 0.05), 3)
        above = round(threshold + _draw(rng, 0.005, min(0.05, 1.0 - threshold)), 3)
        _expect_decisions(
            submission,
            threshold,
            [(below, False), (above, True)],
            loss=thresholds.loss,
            hint=hint,
        )


@pytest.mark.points(1)
def test_missing_accuracy_key_is_explained(submission: Submission, thresholds: Thresholds) -> None:
    """without an "accuracy" key in the logs, the error names the key and the metric"""
    logs = {"loss": thresholds.loss}
    threshold = thresholds.high
    [entry] = submission.callback_decisions(CALLBACK, threshold, logs=[logs])
    expect(entry, dict, what="a callback decision")
    hint = (
        'check for the key first, e.g. raise ValueError(\'logs have no "accuracy" key: '
        'compile the model with metrics=["accuracy"]\').'
    )
    what = f"what {CALLBACK}({threshold}).on_epoch_end does with logs {logs}"
    if "error" not in entry:
        raise fail(
            what,
            expected="a KeyError or ValueError",
            received="no error" + (" (it stopped training)" if entry.get("stop_training") else ""),
            hint=hint,
        )
    error = expect(entry["error"], dict, what="the callback's error")
    kind, message = str(error.get("type")), str(error.get("message"))
    if kind == "NotImplementedError":
        raise SubmissionError(
            f"{CALLBACK}({threshold}).on_epoch_end raised NotImplementedError: {message}. "
            f"Hint: {_NOT_IMPLEMENTED_HINT}"
        )
    if kind not in ("KeyError", "ValueError"):
        raise fail(
            what, expected="a KeyError or ValueError", received=f"{kind}: {message}", hint=hint
        )
    if "accuracy" not in message or "metrics" not in message:
        raise fail(
            f"the message of the {kind}",
            expected='a sentence naming the missing "accuracy" key and saying to compile with '
            'metrics=["accuracy"]',
            received=repr(message),
            hint=hint,
        )
