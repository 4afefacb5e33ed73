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

import numpy as np
import pytest

from course.grading.reports import DatasetReport
from course.grading.submission import Submission
from course.probes.text import vectorizer_spec
from course.testing import (
    check_batch_sizes,
    check_each_once,
    check_in_order,
    check_prefetches,
    check_shuffled,
    describe_spec,
    fail,
    fresh_rng,
    pair_spec,
    positions_of,
)

from .reference import SPECIAL, Words, token_ids

pytestmark = pytest.mark.visibility("visible")

DEFAULT_BATCH = 32
SHUFFLED_CALL = "make_text_dataset(texts, labels, vectorizer)"
PAIR = "a pair (token ids, labels)"
PAIR_HINT = (
    "start from tf.data.Dataset.from_tensor_slices((texts, labels)), map each batch to "
    "(vectorizer(x), y) and keep the labels as they are."
)


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
    def ordered_call(self) -> str:
        return (
            f"make_text_dataset(texts, labels, vectorizer, batch_size={self.batch_size}, "
            "shuffle=False)"
        )


@pytest.fixture(scope="module")
def drawn(submission: Submission, words: Words) -> Draw:
    rng = fresh_rng(submission, "make_text_dataset")
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


def _dataset(submission: Submission, drawn: Draw, call: str, **kwargs: object) -> DatasetReport:
    spec = vectorizer_spec(drawn.words, drawn.sequence_length)
    positions = np.arange(drawn.count, dtype=np.int32)
    return DatasetReport.from_plain(
        submission.probe(
            "text.dataset",
            action=call,
            function="make_text_dataset",
            args=[drawn.texts, positions, spec],
            kwargs=kwargs,
        )
    )


@pytest.fixture(scope="module")
def shuffled(submission: Submission, drawn: Draw) -> DatasetReport:
    """The dataset with the default arguments: batches of 32, shuffled."""
    return _dataset(submission, drawn, SHUFFLED_CALL)


@pytest.fixture(scope="module")
def ordered(submission: Submission, drawn: Draw) -> DatasetReport:
    return _dataset(
        submission, drawn, drawn.ordered_call, batch_size=drawn.batch_size, shuffle=False
    )


def _labels(report: DatasetReport, call: str) -> np.ndarray:
    """Every label the dataset yielded, in order (the positions of the sentences)."""
    return positions_of(report, call, pair=PAIR, hint=PAIR_HINT)


@pytest.mark.points(1)
def test_dataset_element_spec(shuffled: DatasetReport, drawn: Draw) -> None:
    """make_text_dataset yields (int64 token ids, labels) batches"""
    call, length = SHUFFLED_CALL, drawn.sequence_length
    ids, labels = pair_spec(shuffled, call, pair=PAIR, hint=PAIR_HINT)
    if ids.get("dtype") != "int64" or ids.get("shape") != [None, length]:
        raise fail(
            f"the token ids in each element of {call}",
            expected=f"int64 tensors of shape (None, {length}): a batch of rows of token ids",
            received=describe_spec(ids),
            hint="batch first, then map each batch of strings through the vectorizer: "
            ".batch(batch_size).map(lambda x, y: (vectorizer(x), y)).",
        )
    if labels.get("shape") != [None] or not str(labels.get("dtype")).startswith(("int", "uint")):
        raise fail(
            f"the labels in each element of {call}",
            expected="integer tensors of shape (None,): one label per sentence",
            received=describe_spec(labels),
            hint="pass the labels to from_tensor_slices as they are and leave them unchanged "
            "in the map step.",
        )


@pytest.mark.points(1)
def test_dataset_batch_sizes(shuffled: DatasetReport, ordered: DatasetReport, drawn: Draw) -> None:
    """make_text_dataset makes batches of batch_size, all full except the last"""
    for report, size, call in (
        (shuffled, DEFAULT_BATCH, SHUFFLED_CALL),
        (ordered, drawn.batch_size, drawn.ordered_call),
    ):
        check_batch_sizes(report, call, count=drawn.count, size=size, of="sentences")


@pytest.mark.points(2)
def test_dataset_pairs_each_sentence_with_its_label(
    shuffled: DatasetReport, ordered: DatasetReport, drawn: Draw
) -> None:
    """every sentence appears once, as its own token ids, next to its own label"""
    expected_ids = token_ids(drawn.texts, SPECIAL + drawn.words, drawn.sequence_length)
    count = drawn.count
    for report, call in ((shuffled, SHUFFLED_CALL), (ordered, drawn.ordered_call)):
        check_each_once(
            _labels(report, call),
            call,
            count=count,
            of="sentences",
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
    check_in_order(
        _labels(ordered, drawn.ordered_call),
        drawn.ordered_call,
        count=drawn.count,
        order="the order given",
        hint="call .shuffle(...) only when shuffle is true.",
    )
    check_shuffled(
        _labels(shuffled, SHUFFLED_CALL),
        SHUFFLED_CALL,
        count=drawn.count,
        first_batch=DEFAULT_BATCH,
        order="the order given",
        hint="when shuffle is true, call .shuffle(len(texts)) before batching.",
        buffer_hint="shuffle with a buffer as large as the dataset: .shuffle(len(texts)).",
    )


@pytest.mark.points(1)
def test_dataset_prefetches(shuffled: DatasetReport, ordered: DatasetReport, drawn: Draw) -> None:
    """make_text_dataset ends its pipeline with prefetch (as the worker reports it)"""
    check_prefetches([(shuffled, SHUFFLED_CALL), (ordered, drawn.ordered_call)])
