"""Week 6 grader, part 4: the ``tf.data`` text pipeline (exercise 6.4).

``make_text_dataset`` receives sentences, a ``TextVectorization`` layer built in the worker
from the grader's own vocabulary (so it does not depend on exercise 6.2), and labels that
are the sentences' positions (0, 1, ..., N - 1): the labels that come out reveal the order,
and each row of token ids in the first batch can be matched with the sentence its label
points to. Drawn at each grading (``fresh_rng``): the vocabulary, 20 to 40 words of
reference.py's list; ``sequence_length`` from 6 to 14; N from 150 to 320 sentences, never a
multiple of 32; the sentences, distinct, lower case and without punctuation, each 1 to
``sequence_length + 4`` words long (so some are cut, most padded) from the vocabulary and
two words outside it; and the ``batch_size`` of the unshuffled call, from 20 to 80 (not
32, and not a divisor of N, so both calls end with a short batch). The expected token ids
are computed here (reference.py). The worker iterates each dataset once. With a shuffle
buffer as large as the dataset, the first batch of 32 lies entirely in the first half with
probability below 4e-11 (C(N // 2, 32) / C(N, 32) for N >= 150). Whether the pipeline
prefetches is self-reported: the worker lists the dataset's transformations (prefetching
changes no element, so nothing else can show it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from course.grading.reports import DatasetReport
from course.grading.submission import Submission
from course.probes.text import vectorizer_spec
from course.testing import check_prefetches, fail, fresh_rng

from .reference import Words, token_ids

pytestmark = pytest.mark.visibility("visible")

SPECIAL = ["", "[UNK]"]
DEFAULT_BATCH = 32
INFINITE = -1  # tf.data.INFINITE_CARDINALITY: the dataset repeats forever


@dataclass(frozen=True)
class Draw:
    """One grading's sentences, vocabulary, sequence length and batch size."""

    texts: list[str]
    words: list[str]
    sequence_length: int
    batch_size: int

    @property
    def count(self) -> int:
        return len(self.texts)

    @property
    def positions(self) -> np.ndarray:
        return np.arange(self.count, dtype=np.int32)

    @property
    def shuffled_call(self) -> str:
        return "make_text_dataset(texts, labels, vectorizer)"

    @property
    def ordered_call(self) -> str:
        return (
            f"make_text_dataset(texts, labels, vectorizer, batch_size={self.batch_size}, "
            "shuffle=False)"
        )


def _draw(rng: np.random.Generator, words: Words) -> Draw:
    pool = rng.permutation(words.plain)
    size = int(rng.integers(20, 41))
    vocabulary = [str(word) for word in pool[:size]]
    drawn_from = [*vocabulary, *(str(word) for word in pool[size : size + 2])]  # 2 unknown
    sequence_length = int(rng.integers(6, 15))
    count = int(rng.integers(150, 321))
    if count % DEFAULT_BATCH == 0:
        count += 1
    batch_size = int(rng.choice([b for b in range(20, 81) if count % b and b != DEFAULT_BATCH]))
    texts: list[str] = []
    while len(texts) < count:
        chosen = rng.choice(drawn_from, size=int(rng.integers(1, sequence_length + 5)))
        text = " ".join(str(word) for word in chosen)
        if text not in texts:
            texts.append(text)
    return Draw(texts, vocabulary, sequence_length, batch_size)


@pytest.fixture(scope="module")
def drawn(submission: Submission, words: Words) -> Draw:
    return _draw(fresh_rng(submission, "make_text_dataset"), words)


@pytest.fixture(scope="module")
def shuffled(submission: Submission, drawn: Draw) -> DatasetReport:
    """The dataset with the default arguments: batches of 32, shuffled."""
    return DatasetReport.from_plain(
        submission.probe(
            "text.dataset",
            action=drawn.shuffled_call,
            function="make_text_dataset",
            args=[
                drawn.texts,
                drawn.positions,
                vectorizer_spec(drawn.words, drawn.sequence_length),
            ],
        )
    )


@pytest.fixture(scope="module")
def ordered(submission: Submission, drawn: Draw) -> DatasetReport:
    return DatasetReport.from_plain(
        submission.probe(
            "text.dataset",
            action=drawn.ordered_call,
            function="make_text_dataset",
            args=[
                drawn.texts,
                drawn.positions,
                vectorizer_spec(drawn.words, drawn.sequence_length),
            ],
            kwargs={"batch_size": drawn.batch_size, "shuffle": False},
        )
    )


def _describe_spec(spec: object) -> str:
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
def test_dataset_element_spec(shuffled: DatasetReport, drawn: Draw) -> None:
    """make_text_dataset yields (int64 token ids, labels) batches"""
    call, length = drawn.shuffled_call, drawn.sequence_length
    ids, labels = _pair_spec(shuffled, call)
    if ids.get("dtype") != "int64" or ids.get("shape") != [None, length]:
        raise fail(
            f"the token ids in each element of {call}",
            expected=f"int64 tensors of shape (None, {length}): a batch of rows of token ids",
            received=_describe_spec(ids),
            hint="batch first, then map each batch of strings through the vectorizer: "
            ".batch(batch_size).map(lambda x, y: (vectorizer(x), y)).",
        )
    if labels.get("shape") != [None] or not str(labels.get("dtype")).startswith(("int", "uint")):
        raise fail(
            f"the labels in each element of {call}",
            expected="integer tensors of shape (None,): one label per sentence",
            received=_describe_spec(labels),
            hint="pass the labels to from_tensor_slices as they are and leave them unchanged "
            "in the map step.",
        )


@pytest.mark.points(1)
def test_dataset_batch_sizes(shuffled: DatasetReport, ordered: DatasetReport, drawn: Draw) -> None:
    """make_text_dataset makes batches of batch_size, all full except the last"""
    count = drawn.count
    for report, size, call in (
        (shuffled, DEFAULT_BATCH, drawn.shuffled_call),
        (ordered, drawn.batch_size, drawn.ordered_call),
    ):
        if report.cardinality == INFINITE:
            raise fail(
                call,
                expected="a dataset that ends after one pass over the sentences",
                received="an infinite dataset",
                hint="remove .repeat(): model.fit(dataset, epochs=...) starts each epoch anew.",
            )
        expected = [size] * (count // size) + [count % size] * bool(count % size)
        if list(report.batch_sizes) != expected:
            raise fail(
                f"the batches of {call} for {count} sentences",
                expected=_runs(expected),
                received=_runs(list(report.batch_sizes)),
                hint="batch once with .batch(batch_size) (the default is 32), after "
                "shuffling, without drop_remainder and without .repeat().",
            )


@pytest.mark.points(2)
def test_dataset_pairs_each_sentence_with_its_label(
    shuffled: DatasetReport, ordered: DatasetReport, drawn: Draw
) -> None:
    """every sentence appears once, as its own token ids, next to its own label"""
    expected_ids = token_ids(drawn.texts, SPECIAL + drawn.words, drawn.sequence_length)
    count = drawn.count
    for report, call in ((shuffled, drawn.shuffled_call), (ordered, drawn.ordered_call)):
        labels = _labels(report, call)
        counts = np.bincount(labels[(labels >= 0) & (labels < count)], minlength=count)
        if len(labels) != count or not np.all(counts == 1):
            missing = int(np.sum(counts == 0))
            raise fail(
                f"the sentences in {call}",
                expected=f"each of the {count} sentences exactly once",
                received=f"{len(labels)} sentences, {missing} of them missing",
                hint="iterate over the data once: no .repeat(), .take() or drop_remainder.",
            )
        batch = report.first_batch
        if len(batch) != 2 or batch[0].ndim != 2 or len(batch[0]) != len(batch[1]):
            raise fail(
                f"the first batch of {call}",
                expected=f"a pair (token ids of shape (batch, {drawn.sequence_length}), labels of "
                "shape (batch,))",
                received=f"{len(batch)} arrays of shapes {[part.shape for part in batch]}",
                hint="map each batch to (vectorizer(x), y).",
            )
        for row, label in zip(batch[0], batch[1].reshape(-1), strict=True):
            want = expected_ids[int(label)]
            if want.shape != row.shape or not np.array_equal(want, row):
                raise fail(
                    f"the token ids next to the label {int(label)} in the first batch of {call}",
                    expected=f"those of sentence {int(label)}, {drawn.texts[int(label)]!r}: "
                    f"{want.tolist()}",
                    received=row.tolist(),
                    hint="keep each sentence with its label: shuffle the (text, label) pairs "
                    "together, and vectorize the texts with the vectorizer you were given.",
                )


@pytest.mark.points(1)
def test_dataset_shuffles_only_when_asked(
    shuffled: DatasetReport, ordered: DatasetReport, drawn: Draw
) -> None:
    """make_text_dataset shuffles the whole dataset, and keeps the order with shuffle=False"""
    positions = drawn.positions
    labels = _labels(ordered, drawn.ordered_call)
    count = min(len(labels), drawn.count)
    differ = np.flatnonzero(labels[:count] != positions[:count])
    if count == 0 or len(differ):
        position = int(differ[0]) if len(differ) else 0
        raise fail(
            f"the sentences from {drawn.ordered_call}, from position {position} on",
            expected=f"in the order given: {_first_labels(positions[position:])}",
            received=_first_labels(labels[position:]),
            hint="call .shuffle(...) only when shuffle is true.",
        )
    labels = _labels(shuffled, drawn.shuffled_call)
    if len(labels) >= drawn.count and np.array_equal(labels[: drawn.count], positions):
        raise fail(
            f"the order of the sentences from {drawn.shuffled_call}",
            expected="shuffled",
            received="the order given",
            hint="when shuffle is true, call .shuffle(len(texts)) before batching.",
        )
    first = labels[:DEFAULT_BATCH]
    if len(first) and np.all(first < drawn.count // 2):
        raise fail(
            f"the first batch of {drawn.shuffled_call}",
            expected="sentences from anywhere in the dataset",
            received=f"only sentences from the first half: {_first_labels(first)}",
            hint="shuffle with a buffer as large as the dataset: .shuffle(len(texts)).",
        )


@pytest.mark.points(1)
def test_dataset_prefetches(shuffled: DatasetReport, ordered: DatasetReport, drawn: Draw) -> None:
    """make_text_dataset ends its pipeline with prefetch (as the worker reports it)"""
    check_prefetches([(shuffled, drawn.shuffled_call), (ordered, drawn.ordered_call)])
