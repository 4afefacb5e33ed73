"""Week 6 grader, part 3: encoding the labels (exercise 6.3).

Exact answers, no thresholds, on labels drawn at each grading (``fresh_rng``): 5 to 40
labels, each "negative" or "positive" at random, both present; the expected codes are
computed here. The rejection check calls ``encode_labels`` with three lists of 1 to 6 drawn
labels, each with one label outside "negative"/"positive" put at a random place: "Positive",
"neutral" and "" every time, in a drawn order. It asks the worker which exception it raised:
a ``ValueError`` as the contract says, or a ``KeyError`` (what a dict lookup raises), both
say what went wrong. Comparing with "positive" alone (``labels == "positive"``) silently
turns "Positive" or a typo into a negative example; that fails here.
"""

from __future__ import annotations

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import check_array, fail, fresh_rng

pytestmark = pytest.mark.visibility("visible")

NAMES = ("negative", "positive")
MISTAKES = ("Positive", "neutral", "")
_ACCEPTED_ERRORS = ("ValueError", "KeyError")


@pytest.fixture(scope="module")
def labels(submission: Submission) -> list[str]:
    """5 to 40 drawn labels, both names present."""
    rng = fresh_rng(submission, "encode_labels", "values")
    codes = rng.integers(0, 2, size=int(rng.integers(5, 41)))
    codes[rng.choice(len(codes), 2, replace=False)] = [0, 1]
    return [NAMES[code] for code in codes]


def _with_mistakes(submission: Submission) -> list[tuple[list[str], str]]:
    """Three drawn lists of labels, each with one mistake at a random place, and the mistake."""
    rng = fresh_rng(submission, "encode_labels", "mistakes")
    cases = []
    for mistake in rng.permutation(MISTAKES):
        labels = [NAMES[code] for code in rng.integers(0, 2, size=int(rng.integers(1, 7)))]
        labels.insert(int(rng.integers(len(labels) + 1)), str(mistake))
        cases.append((labels, str(mistake)))
    return cases


@pytest.mark.points(1)
def test_encode_labels_values(submission: Submission, labels: list[str]) -> None:
    """encode_labels maps "negative" to 0 and "positive" to 1"""
    received = submission.call("encode_labels", labels)
    if not isinstance(received, np.ndarray | list):
        raise fail(
            "encode_labels(labels)",
            expected="an array of integers",
            received=type(received).__name__,
            hint="return np.array(codes, dtype=np.int32).",
        )
    values = np.asarray(received).reshape(-1).tolist()
    codes = [NAMES.index(label) for label in labels]
    if values != codes:
        raise fail(
            f"encode_labels({labels})",
            expected=codes,
            received=values,
            hint='"negative" is 0 and "positive" is 1, in the order of the labels.',
        )


@pytest.mark.points(1)
def test_encode_labels_dtype_and_shape(submission: Submission, labels: list[str]) -> None:
    """encode_labels returns an int32 array of shape (N,)"""
    check_array(
        submission.call("encode_labels", labels),
        f"encode_labels(labels) for {len(labels)} labels",
        dtype="int32",
        shape=(len(labels),),
        hint="return a numpy array: np.array(codes, dtype=np.int32).",
    )


@pytest.mark.points(1)
def test_encode_labels_rejects_unknown_labels(submission: Submission) -> None:
    """encode_labels raises ValueError for any other label, such as "Positive" or "neutral"."""
    for labels, mistake in _with_mistakes(submission):
        # What encode_labels returned ({"value": ...}) or raised ({"raised": ...}).
        report = submission.probe(
            "text.outcome",
            action=f"encode_labels({labels})",
            function="encode_labels",
            args=[labels],
        )
        chain = report["raised"]["class_chain"] if "raised" in report else []
        if not any(name in chain for name in _ACCEPTED_ERRORS):
            raise fail(
                f"encode_labels({labels})",
                expected=f"to raise ValueError for the label {mistake!r}",
                received=f"it raised {chain[0]}"
                if chain
                else f"it returned {np.asarray(report.get('value')).tolist()}",
                hint='check every label: anything other than "negative" or "positive" is a '
                "mistake in the data, and a silent 0 would train the model on a wrong label.",
            )
