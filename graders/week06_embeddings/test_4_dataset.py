"""Week 6 grader, part 4: the ``tf.data`` text pipeline (exercise 6.4).

``make_text_dataset`` receives 210 generated sentences, a ``TextVectorization`` layer built
in the worker from the grader's own 30-word vocabulary (``sequence_length=10``, so it does
not depend on exercise 6.2), and labels that are the sentences' positions (0, 1, ..., 209):
the labels that come out reveal the order, and each row of token ids in the first batch
can be matched with the sentence its label points to. The sentences are distinct, lower
case and without punctuation, 1 to 14 words long, some with a word outside the vocabulary.
The worker iterates each dataset once. With a shuffle buffer as large as the dataset, the
first batch of 32 lies entirely in the first half with probability below 2**-32 per seed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

from course.grading.reports import DatasetReport
from course.grading.submission import Submission
from course.probes.text import vectorizer_spec
from course.testing import fail

# fmt: off
WORDS = [
    "film", "movie", "plot", "actor", "story", "good", "bad", "funny", "dull", "great",
    "boring", "script", "scene", "music", "director", "cast", "charm", "mess", "heart", "fun",
    "love", "hate", "drama", "comedy", "role", "ending", "tale", "wit", "pace", "cliche",
]
# fmt: on
SPECIAL = ["", "[UNK]"]
SEQUENCE_LENGTH = 10
SENTENCES = 210
INFINITE = -1  # tf.data.INFINITE_CARDINALITY: the dataset repeats forever
#: The ``token_ids`` fixture from conftest.py: (texts, vocabulary, sequence_length) -> ids.
TokenIds = Callable[[Sequence[str], Sequence[str], int], np.ndarray]


def _sentences() -> list[str]:
    rng = np.random.default_rng(6)
    vocabulary = [*WORDS, "zzyzx", "quux"]  # the last two are outside the vocabulary
    texts: list[str] = []
    while len(texts) < SENTENCES:
        words = rng.choice(vocabulary, size=int(rng.integers(1, 15)))
        text = " ".join(str(word) for word in words)
        if text not in texts:
            texts.append(text)
    return texts


TEXTS = _sentences()
POSITIONS = np.arange(SENTENCES, dtype=np.int32)
VECTORIZER = vectorizer_spec(WORDS, SEQUENCE_LENGTH)
SHUFFLED_CALL = "make_text_dataset(texts, labels, vectorizer)"
ORDERED_CALL = "make_text_dataset(texts, labels, vectorizer, batch_size=50, shuffle=False)"


@pytest.fixture(scope="module")
def shuffled(submission: Submission) -> DatasetReport:
    """The dataset with the default arguments: batches of 32, shuffled."""
    return DatasetReport.from_plain(
        submission.probe(
            "text.dataset",
            action=SHUFFLED_CALL,
            function="make_text_dataset",
            args=[TEXTS, POSITIONS, VECTORIZER],
        )
    )


@pytest.fixture(scope="module")
def ordered(submission: Submission) -> DatasetReport:
    return DatasetReport.from_plain(
        submission.probe(
            "text.dataset",
            action=ORDERED_CALL,
            function="make_text_dataset",
            args=[TEXTS, POSITIONS, VECTORIZER],
            kwargs={"batch_size": 50, "shuffle": False},
        )
    )


def _describe_spec(spec: Any) -> str:
    if isinstance(spec, list):
        return "(" + ", ".join(_describe_spec(item) for item in spec) + ")"
    if isinstance(spec, dict) and "shape" in spec:
        shape = ", ".join("None" if d is None else str(d) for d in spec["shape"])
        return f"{spec.get('dtype')} tensors of shape ({shape})"
    if isinstance(spec, dict) and "type" in spec:
        return str(spec["type"])
    if isinstance(spec, dict):
        return "a dict with keys " + ", ".join(sorted(spec))
    return repr(spec)


def _pair_spec(report: DatasetReport, call: str) -> tuple[dict[str, Any], dict[str, Any]]:
    spec = report.element_spec
    if not (
        isinstance(spec, list)
        and len(spec) == 2
        and all(isinstance(part, dict) and isinstance(part.get("shape"), list) for part in spec)
    ):
        raise fail(
            f"each element of {call}",
            expected="a pair (token ids, labels)",
            received=_describe_spec(spec),
            hint="start from tf.data.Dataset.from_tensor_slices((texts, labels)) and map "
            "each batch to (vectorizer(x), y).",
        )
    return spec[0], spec[1]


def _labels(report: DatasetReport, call: str) -> np.ndarray:
    """Every label the dataset yielded, in order (the positions of the sentences)."""
    _pair_spec(report, call)
    targets = report.targets
    if targets is None or targets.dtype.kind not in "iu" or targets.ndim != 1:
        raise fail(
            f"the labels from {call}",
            expected="the integers passed as labels, one per sentence",
            received="no labels"
            if targets is None
            else f"{targets.dtype} of shape {targets.shape}",
            hint="keep the labels as they are: from_tensor_slices((texts, labels)).",
        )
    return targets


def _runs(sizes: list[int]) -> str:
    """``[32, 32, 18]`` as "2 batches of 32, then 1 batch of 18"."""
    if not sizes:
        return "no batches"
    runs: list[list[int]] = []
    for size in sizes:
        if runs and runs[-1][0] == size:
            runs[-1][1] += 1
        else:
            runs.append([size, 1])
    parts = [f"{count:,} batch{'es' if count > 1 else ''} of {size}" for size, count in runs[:4]]
    return ", then ".join(parts) + (", ..." if len(runs) > 4 else "")


def _first_labels(labels: np.ndarray, count: int = 8) -> str:
    head = ", ".join(str(int(label)) for label in labels[:count])
    return f"[{head}, ...]" if len(labels) > count else f"[{head}]"


@pytest.mark.points(1)
def test_dataset_element_spec(shuffled: DatasetReport) -> None:
    """make_text_dataset yields (int64 token ids, labels) batches"""
    ids, labels = _pair_spec(shuffled, SHUFFLED_CALL)
    if ids.get("dtype") != "int64" or ids.get("shape") != [None, SEQUENCE_LENGTH]:
        raise fail(
            f"the token ids in each element of {SHUFFLED_CALL}",
            expected=f"int64 tensors of shape (None, {SEQUENCE_LENGTH}): a batch of rows of "
            "token ids",
            received=_describe_spec(ids),
            hint="batch first, then map each batch of strings through the vectorizer: "
            ".batch(batch_size).map(lambda x, y: (vectorizer(x), y)).",
        )
    if labels.get("shape") != [None] or not str(labels.get("dtype")).startswith(("int", "uint")):
        raise fail(
            f"the labels in each element of {SHUFFLED_CALL}",
            expected="integer tensors of shape (None,): one label per sentence",
            received=_describe_spec(labels),
            hint="pass the labels to from_tensor_slices as they are and leave them unchanged "
            "in the map step.",
        )


@pytest.mark.points(1)
def test_dataset_batch_sizes(shuffled: DatasetReport, ordered: DatasetReport) -> None:
    """make_text_dataset makes batches of batch_size, all full except the last"""
    for report, size, call in ((shuffled, 32, SHUFFLED_CALL), (ordered, 50, ORDERED_CALL)):
        if report.cardinality == INFINITE:
            raise fail(
                call,
                expected="a dataset that ends after one pass over the sentences",
                received="an infinite dataset",
                hint="remove .repeat(): model.fit(dataset, epochs=...) starts each epoch anew.",
            )
        expected = [size] * (SENTENCES // size) + [SENTENCES % size] * bool(SENTENCES % size)
        if list(report.batch_sizes) != expected:
            raise fail(
                f"the batches of {call} for {SENTENCES} sentences",
                expected=_runs(expected),
                received=_runs(list(report.batch_sizes)),
                hint="batch once with .batch(batch_size) (the default is 32), after "
                "shuffling, without drop_remainder and without .repeat().",
            )


@pytest.mark.points(2)
def test_dataset_pairs_each_sentence_with_its_label(
    shuffled: DatasetReport, ordered: DatasetReport, token_ids: TokenIds
) -> None:
    """every sentence appears once, as its own token ids, next to its own label"""
    expected_ids = token_ids(TEXTS, SPECIAL + WORDS, SEQUENCE_LENGTH)
    for report, call in ((shuffled, SHUFFLED_CALL), (ordered, ORDERED_CALL)):
        labels = _labels(report, call)
        counts = np.bincount(labels[(labels >= 0) & (labels < SENTENCES)], minlength=SENTENCES)
        if len(labels) != SENTENCES or not np.all(counts == 1):
            missing = int(np.sum(counts == 0))
            raise fail(
                f"the sentences in {call}",
                expected=f"each of the {SENTENCES} sentences exactly once",
                received=f"{len(labels)} sentences, {missing} of them missing",
                hint="iterate over the data once: no .repeat(), .take() or drop_remainder.",
            )
        batch = report.first_batch
        if len(batch) != 2 or batch[0].ndim != 2 or len(batch[0]) != len(batch[1]):
            raise fail(
                f"the first batch of {call}",
                expected="a pair (token ids of shape (batch, 10), labels of shape (batch,))",
                received=f"{len(batch)} arrays of shapes {[part.shape for part in batch]}",
                hint="map each batch to (vectorizer(x), y).",
            )
        for row, label in zip(batch[0], batch[1].reshape(-1), strict=True):
            want = expected_ids[int(label)]
            if want.shape != row.shape or not np.array_equal(want, row):
                raise fail(
                    f"the token ids next to the label {int(label)} in the first batch of {call}",
                    expected=f"those of sentence {int(label)}, {TEXTS[int(label)]!r}: "
                    f"{want.tolist()}",
                    received=row.tolist(),
                    hint="keep each sentence with its label: shuffle the (text, label) pairs "
                    "together, and vectorize the texts with the vectorizer you were given.",
                )


@pytest.mark.points(1)
def test_dataset_shuffles_only_when_asked(shuffled: DatasetReport, ordered: DatasetReport) -> None:
    """make_text_dataset shuffles the whole dataset, and keeps the order with shuffle=False"""
    labels = _labels(ordered, ORDERED_CALL)
    count = min(len(labels), SENTENCES)
    differ = np.flatnonzero(labels[:count] != POSITIONS[:count])
    if count == 0 or len(differ):
        position = int(differ[0]) if len(differ) else 0
        raise fail(
            f"the sentences from {ORDERED_CALL}, from position {position} on",
            expected=f"in the order given: {_first_labels(POSITIONS[position:])}",
            received=_first_labels(labels[position:]),
            hint="call .shuffle(...) only when shuffle is true.",
        )
    labels = _labels(shuffled, SHUFFLED_CALL)
    if len(labels) >= SENTENCES and np.array_equal(labels[:SENTENCES], POSITIONS):
        raise fail(
            f"the order of the sentences from {SHUFFLED_CALL}",
            expected="shuffled",
            received="the order given",
            hint="when shuffle is true, call .shuffle(len(texts)) before batching.",
        )
    first = labels[:32]
    if len(first) and np.all(first < SENTENCES // 2):
        raise fail(
            f"the first batch of {SHUFFLED_CALL}",
            expected="sentences from anywhere in the dataset",
            received=f"only sentences from the first half: {_first_labels(first)}",
            hint="shuffle with a buffer as large as the dataset: .shuffle(len(texts)).",
        )
