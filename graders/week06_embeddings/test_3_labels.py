"""Week 6 grader, part 3: encoding the labels (exercise 6.3).

Exact answers: golden values, no thresholds. The rejection check calls ``encode_labels``
with a list that holds one label outside "negative"/"positive" and asks the worker which
exception it raised: a ``ValueError`` as the contract says, or a ``KeyError`` (what a dict
lookup raises), both say what went wrong. Comparing with "positive" alone (``labels ==
"positive"``) silently turns "Positive" or a typo into a negative example; that fails here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.grading.reports import expect
from course.grading.submission import Submission
from course.testing import check_array, fail

LABELS = ["positive", "negative", "negative", "positive", "positive", "negative"]
CODES = [1, 0, 0, 1, 1, 0]
UNKNOWN = [
    ["positive", "negative", "Positive"],
    ["negative", "neutral"],
    ["positive", ""],
]
_ACCEPTED_ERRORS = ("ValueError", "KeyError")


@pytest.mark.points(1)
def test_encode_labels_values(submission: Submission) -> None:
    """encode_labels maps "negative" to 0 and "positive" to 1"""
    received = submission.call("encode_labels", LABELS)
    if not isinstance(received, np.ndarray | list):
        raise fail(
            "encode_labels(labels)",
            expected="an array of integers",
            received=type(received).__name__,
            hint="return np.array(codes, dtype=np.int32).",
        )
    values = np.asarray(received).reshape(-1).tolist()
    if values != CODES:
        raise fail(
            f"encode_labels({LABELS})",
            expected=CODES,
            received=values,
            hint='"negative" is 0 and "positive" is 1, in the order of the labels.',
        )


@pytest.mark.points(1)
def test_encode_labels_dtype_and_shape(submission: Submission) -> None:
    """encode_labels returns an int32 array of shape (N,)"""
    check_array(
        submission.call("encode_labels", LABELS),
        f"encode_labels(labels) for {len(LABELS)} labels",
        dtype="int32",
        shape=(len(LABELS),),
        hint="return a numpy array: np.array(codes, dtype=np.int32).",
    )


@pytest.mark.points(1)
def test_encode_labels_rejects_unknown_labels(submission: Submission) -> None:
    """encode_labels raises ValueError for any other label, such as "Positive" or "neutral"."""
    for labels in UNKNOWN:
        report = expect(
            submission.probe(
                "text.outcome",
                action=f"encode_labels({labels})",
                function="encode_labels",
                args=[labels],
            ),
            dict,
            what="the outcome of encode_labels()",
        )
        raised: Any = report.get("raised")
        chain = raised.get("class_chain", []) if isinstance(raised, dict) else []
        if not any(name in chain for name in _ACCEPTED_ERRORS):
            received = (
                f"it raised {chain[0]}"
                if chain
                else f"it returned {np.asarray(report.get('value')).tolist()}"
            )
            raise fail(
                f"encode_labels({labels})",
                expected=f"to raise ValueError for the label {labels[-1]!r}",
                received=received,
                hint='check every label: anything other than "negative" or "positive" is a '
                "mistake in the data, and a silent 0 would train the model on a wrong label.",
            )
