"""The week 6 graders' reference tokenisation, and the words they draw their sentences from.

These run in the grading process only, on strings the graders drew (ASCII capitals only,
so Python's ``str.lower`` and ``tf.strings.lower`` agree); the checks compare the
submission's standardisation and token ids with them.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_DELETE_PUNCTUATION = str.maketrans("", "", string.punctuation)
#: The tokens every TextVectorization vocabulary starts with: padding, then unknown words.
SPECIAL = ["", "[UNK]"]

# fmt: off
#: Lower-case ASCII words, none of them the standardised form of a compound below.
PLAIN_WORDS = (
    "film", "movie", "plot", "actor", "story", "good", "bad", "funny", "dull", "great",
    "boring", "script", "scene", "music", "director", "cast", "charm", "mess", "heart", "fun",
    "love", "hate", "drama", "comedy", "role", "ending", "tale", "wit", "pace", "cliche",
    "the", "a", "and", "of", "is", "to", "this", "but", "as", "with", "for", "that", "on",
    "characters", "acting", "performance", "screenplay", "sequel", "thriller",
    "romance", "horror", "audience", "camera", "dialogue", "moments", "laughs", "tears",
    "beautiful", "clever", "tedious", "charming", "predictable", "original", "smart", "silly",
    "warm", "cold", "slow", "fast", "long", "short", "dark", "light", "rich", "thin", "bold",
    "quiet", "loud", "sweet", "sour", "fresh", "stale", "honest", "empty", "gentle", "brutal",
    "visual", "epic", "small", "big", "odd", "rare", "true", "false", "young", "old", "final",
)
#: Words written with punctuation inside them, and what standardising makes of them:
#: deleting the mark keeps one word, replacing it by a space makes two.
COMPOUND_WORDS = (
    ("don't", "dont"), ("it's", "its"), ("co-writer", "cowriter"), ("can't", "cant"),
    ("isn't", "isnt"), ("well-made", "wellmade"), ("feel-good", "feelgood"),
    ("half-baked", "halfbaked"), ("one-liner", "oneliner"), ("b-movie", "bmovie"),
    ("doesn't", "doesnt"), ("won't", "wont"), ("so-so", "soso"), ("self-aware", "selfaware"),
    ("mid-budget", "midbudget"), ("o'brien", "obrien"), ("sci-fi", "scifi"),
    ("j.r.r.", "jrr"), ("a.k.a.", "aka"), ("re/make", "remake"),
)
#: Lower-case words with letters outside ASCII: standardising must leave them alone.
ACCENTED_WORDS = ("naïve", "café", "déjà", "über", "señor", "façade", "rôle", "fiancée")
# fmt: on


@dataclass(frozen=True)
class Words:
    """The word lists the week 6 checks draw their sentences and vocabularies from."""

    plain: tuple[str, ...] = PLAIN_WORDS
    compound: tuple[tuple[str, str], ...] = COMPOUND_WORDS
    accented: tuple[str, ...] = ACCENTED_WORDS


def standardize(text: str) -> str:
    """Lower-case and delete ASCII punctuation, as ``lower_and_strip_punctuation`` does."""
    return text.lower().translate(_DELETE_PUNCTUATION)


def token_ids(texts: Sequence[str], vocabulary: Sequence[str], sequence_length: int) -> np.ndarray:
    """What ``TextVectorization`` with ``vocabulary`` (specials included) makes of ``texts``:
    standardised, split on whitespace, unknown words as 1, padded with 0 or cut."""
    index = {token: position for position, token in enumerate(vocabulary) if position >= 2}
    rows = np.zeros((len(texts), sequence_length), dtype=np.int64)
    for row, text in enumerate(texts):
        ids = [index.get(word, 1) for word in standardize(text).split()]
        ids = ids[:sequence_length]
        rows[row, : len(ids)] = ids
    return rows
