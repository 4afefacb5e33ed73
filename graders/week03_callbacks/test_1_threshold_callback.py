"""Week 3 grader, part 1: the decisions of ``AccuracyThresholdCallback`` (exercise 3.1).

The worker builds a fresh callback for every ``logs`` dict the grader chose, attaches it to a
tiny model and calls ``on_epoch_end`` once, as ``model.fit`` would; it reports whether
``stop_training`` was set, or the error the callback raised. Exact answers, no thresholds of
the grader's own: the accuracies sit on both sides of the callback's threshold, at it, and
for two other thresholds (0.6 and 0.95) so that a hard-coded 0.85 fails. A strict ``>``
fails only the check at the threshold itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from course.grading.errors import SubmissionError
from course.grading.reports import expect
from course.grading.submission import Submission
from course.testing import fail

CALLBACK = "AccuracyThresholdCallback"
_NOT_IMPLEMENTED_HINT = "replace the `raise NotImplementedError(...)` line with your solution."


def _epoch_logs(accuracy: float) -> dict[str, float]:
    """What Keras passes to ``on_epoch_end`` for a model compiled with the accuracy metric."""
    return {"loss": 0.45, "accuracy": accuracy}


def _decisions(submission: Submission, threshold: float, accuracies: Sequence[float]) -> list[bool]:
    """For each accuracy, whether ``AccuracyThresholdCallback(threshold)`` stopped training."""
    logs = [_epoch_logs(accuracy) for accuracy in accuracies]
    entries = submission.callback_decisions(CALLBACK, threshold, logs=logs)
    if len(entries) != len(accuracies):
        raise SubmissionError(f"expected {len(accuracies)} decisions, received {len(entries)}")
    stops = []
    for accuracy, entry in zip(accuracies, entries, strict=True):
        expect(entry, dict, what="a callback decision")
        if "error" in entry:
            error = expect(entry["error"], dict, what="the callback's error")
            text = (
                f"{CALLBACK}({threshold}).on_epoch_end with logs {_epoch_logs(accuracy)} "
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
    hint: str,
) -> None:
    stops = _decisions(submission, threshold, [accuracy for accuracy, _ in cases])
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
def test_stops_at_exactly_the_threshold(submission: Submission) -> None:
    """training stops when the accuracy equals the threshold"""
    for threshold in (0.85, 0.6):
        _expect_decisions(
            submission,
            threshold,
            [(threshold, True)],
            hint="reaching the threshold counts: compare logs['accuracy'] >= self.threshold "
            "(>=, not >, and the threshold given to __init__).",
        )


@pytest.mark.points(1)
def test_stops_above_the_threshold(submission: Submission) -> None:
    """training stops when the accuracy is above the threshold"""
    _expect_decisions(
        submission,
        0.85,
        [(0.9, True), (0.97, True), (1.0, True)],
        hint="in on_epoch_end, set self.model.stop_training = True when "
        "logs['accuracy'] >= self.threshold.",
    )


@pytest.mark.points(1)
def test_continues_below_the_threshold(submission: Submission) -> None:
    """training goes on while the accuracy is below the threshold"""
    _expect_decisions(
        submission,
        0.85,
        [(0.8499, False), (0.5, False), (0.0, False)],
        hint="only stop when logs['accuracy'] >= self.threshold; otherwise leave "
        "self.model.stop_training alone.",
    )


@pytest.mark.points(2)
def test_uses_the_threshold_it_was_given(submission: Submission) -> None:
    """the callback compares with its own threshold, not a fixed 0.85"""
    hint = (
        "store the threshold in __init__ (self.threshold = threshold) and compare with "
        "self.threshold, not with 0.85."
    )
    _expect_decisions(submission, 0.6, [(0.59, False), (0.7, True)], hint=hint)
    _expect_decisions(submission, 0.95, [(0.9, False), (0.96, True)], hint=hint)


@pytest.mark.points(1)
def test_missing_accuracy_key_is_explained(submission: Submission) -> None:
    """without an "accuracy" key in the logs, the error names the key and the metric"""
    logs = {"loss": 0.45}
    [entry] = submission.callback_decisions(CALLBACK, 0.85, logs=[logs])
    expect(entry, dict, what="a callback decision")
    hint = (
        'check for the key first, e.g. raise ValueError(\'logs have no "accuracy" key: '
        'compile the model with metrics=["accuracy"]\').'
    )
    what = f"what {CALLBACK}(0.85).on_epoch_end does with logs {logs}"
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
            f"{CALLBACK}(0.85).on_epoch_end raised NotImplementedError: {message}. "
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
