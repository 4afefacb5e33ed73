"""Shared by the week 7 graders: the grader's own text pipeline and model helpers.

The graders never import the submission, so they carry their own copy of the contract:
``split_words`` (the helper the assignment gives), the vocabulary, n-grams and pre-padding.
They prepare every dataset with it, so a mistake in one exercise cannot spoil the checks of
another; the submission's versions are judged against literal expected values elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pytest

from course.grading.reports import LayerReport, ModelReport, TrainingReport
from course.grading.submission import Submission
from course.testing import rebuilt_model

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
#: Layers without weights that a model may add anywhere; they do not change the structure.
PASSIVE_LAYERS = frozenset({"InputLayer", "Dropout", "SpatialDropout1D", "Activation"})


class TextPipeline:
    """The grader's reference text pipeline: the contract of exercises 7.5 to 7.8."""

    @staticmethod
    def split_words(line: str) -> list[str]:
        return _WORD.findall(line.lower())

    @staticmethod
    def vocabulary(lines: Sequence[str]) -> dict[str, int]:
        """Word -> id from 1, most frequent first, ties in order of first appearance."""
        counts: dict[str, int] = {}
        for line in lines:
            for word in TextPipeline.split_words(line):
                counts[word] = counts.get(word, 0) + 1
        ranked = sorted(counts, key=lambda word: -counts[word])
        return {word: index for index, word in enumerate(ranked, start=1)}

    @staticmethod
    def ids(line: str, vocabulary: Mapping[str, int]) -> list[int]:
        return [vocabulary[w] for w in TextPipeline.split_words(line) if w in vocabulary]

    @staticmethod
    def ngrams(lines: Sequence[str], vocabulary: Mapping[str, int]) -> list[list[int]]:
        sequences: list[list[int]] = []
        for line in lines:
            ids = TextPipeline.ids(line, vocabulary)
            sequences.extend(ids[:end] for end in range(2, len(ids) + 1))
        return sequences

    @staticmethod
    def pad(sequences: Sequence[Sequence[int]], length: int | None = None) -> np.ndarray:
        """Pre-pad (and pre-truncate) to ``length``, by default the longest sequence."""
        width = max(map(len, sequences)) if length is None else length
        padded = np.zeros((len(sequences), width), dtype="int32")
        for row, sequence in enumerate(sequences):
            kept = list(sequence)[-width:] if width else []
            if kept:
                padded[row, width - len(kept) :] = kept
        return padded


@pytest.fixture(scope="session")
def text() -> type[TextPipeline]:
    """The grader's text pipeline (``text.vocabulary(lines)``, ``text.ngrams(...)``...)."""
    return TextPipeline


class ModelTools:
    """Structure, training and rebuilding helpers shared by the model checks."""

    @staticmethod
    def layer_kind(layer: LayerReport) -> str:
        """``LSTM``, or ``Bidirectional(LSTM)`` for a wrapper, from the layer's config."""
        if layer.class_name == "Bidirectional":
            inner = (layer.config or {}).get("layer")
            name = inner.get("class_name") if isinstance(inner, dict) else None
            return f"Bidirectional({name or '?'})"
        return layer.class_name

    @staticmethod
    def structural_layers(report: ModelReport) -> list[LayerReport]:
        """The layers of ``report`` without the passive ones (dropout, activations, input)."""
        return [layer for layer in report.layers if layer.class_name not in PASSIVE_LAYERS]

    @staticmethod
    def final_activation(report: ModelReport) -> str | None:
        """The activation applied last: an ``Activation`` layer's, else the last layer's."""
        for layer in reversed(report.layers):
            if layer.class_name in ("Dropout", "SpatialDropout1D", "InputLayer"):
                continue
            if layer.class_name == "Softmax":
                return "softmax"
            activation = (layer.config or {}).get("activation")
            return activation if isinstance(activation, str) else None
        return None

    @staticmethod
    def train(
        submission: Submission,
        builder: str,
        args: Sequence[Any],
        *,
        x: np.ndarray,
        y: np.ndarray,
        **fit_options: Any,
    ) -> TrainingReport:
        """``builder(*args)`` trained in the worker with ``fit(x, y, **fit_options)``."""
        call = f"{builder}({', '.join(map(repr, args))})"
        value = submission.probe(
            "sequences.fit",
            action=f"training the model from {call}",
            builder=builder,
            args=list(args),
            x=x,
            y=y,
            fit_options=fit_options,
        )
        return TrainingReport.from_plain(value)

    @staticmethod
    def rebuild(report: ModelReport, *, what: str) -> Any:
        """The submitted model rebuilt here from its config and weights, or a failed check."""
        return rebuilt_model(
            report,
            what=what,
            hint="build the model from keras.layers only, as the docstring lists them.",
        )


@pytest.fixture(scope="session")
def tools() -> type[ModelTools]:
    """Model helpers (``tools.layer_kind(layer)``, ``tools.train(...)``...)."""
    return ModelTools
