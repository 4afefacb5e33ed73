"""Shared by the week 6 graders: the reference tokenisation the checks compare against.

These run in the grading process only, on strings the graders chose (ASCII capitals only,
so Python's ``str.lower`` and ``tf.strings.lower`` agree). Fixtures hand the functions to
the checks, because grader modules cannot import each other.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence

import numpy as np
import pytest

_DELETE_PUNCTUATION = str.maketrans("", "", string.punctuation)
TokenIds = Callable[[Sequence[str], Sequence[str], int], np.ndarray]


def reference_standardize(text: str) -> str:
    """Lower-case and delete ASCII punctuation, as ``lower_and_strip_punctuation`` does."""
    return text.lower().translate(_DELETE_PUNCTUATION)


def reference_token_ids(
    texts: Sequence[str], vocabulary: Sequence[str], sequence_length: int
) -> np.ndarray:
    """What ``TextVectorization`` with ``vocabulary`` (specials included) makes of ``texts``:
    standardised, split on whitespace, unknown words as 1, padded with 0 or cut."""
    index = {token: position for position, token in enumerate(vocabulary) if position >= 2}
    rows = np.zeros((len(texts), sequence_length), dtype=np.int64)
    for row, text in enumerate(texts):
        ids = [index.get(word, 1) for word in reference_standardize(text).split()]
        ids = ids[:sequence_length]
        rows[row, : len(ids)] = ids
    return rows


@pytest.fixture(scope="session")
def token_ids() -> TokenIds:
    """``token_ids(texts, vocabulary, sequence_length)``: the reference token ids."""
    return reference_token_ids
