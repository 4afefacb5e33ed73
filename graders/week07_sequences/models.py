"""The week 7 graders' model helpers: drawing a builder's sizes, reading a model's
structure, training a submitted model in the worker."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from course.grading.reports import LayerReport, ModelReport, TrainingReport
from course.grading.submission import Submission
from course.testing import check_array, predictions_of

#: Layers without weights that a model may add anywhere; they do not change the structure.
PASSIVE_LAYERS = frozenset({"InputLayer", "Dropout", "SpatialDropout1D", "Activation"})


#: What to change when a submitted model cannot be rebuilt here.
REBUILD_HINT = "build the model from keras.layers only, as the docstring lists them."


def draw_sizes(
    rng: np.random.Generator, vocabulary_sizes: tuple[int, int], lengths: tuple[int, int]
) -> list[tuple[int, int]]:
    """Two (vocabulary size, sequence length) pairs from the inclusive ranges given, the two
    sizes different and the two lengths different, so that sizes written into a model fail."""
    drawn = [
        rng.choice(np.arange(low, high + 1), 2, replace=False)
        for low, high in (vocabulary_sizes, lengths)
    ]
    return [(int(v), int(n)) for v, n in zip(*drawn, strict=True)]


def structural_layers(report: ModelReport) -> list[LayerReport]:
    """The layers of ``report`` without the passive ones (dropout, activations, input)."""
    return [layer for layer in report.layers if layer.class_name not in PASSIVE_LAYERS]


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


def trained_outputs(
    submission: Submission,
    builder: str,
    args: Sequence[object],
    *,
    x: np.ndarray,
    y: np.ndarray,
    inputs: np.ndarray,
    outputs: int,
    hint: str = "",
    **fit_options: object,
) -> tuple[np.ndarray, dict[str, tuple[float, ...]]]:
    """``builder(*args)`` trained in the worker with ``fit(x, y, **fit_options)``, then
    rebuilt here: its ``outputs`` values for each row of ``inputs``, and its training history."""
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
    trained = TrainingReport.from_plain(value)
    scores = predictions_of(
        trained.model,
        inputs,
        what=f"the trained model from {call}",
        batch_size=1_024,
        rebuild_hint=REBUILD_HINT,
    )
    what = f"the output of the trained {call} for {len(inputs):,} sequences"
    return check_array(scores, what, shape=(len(inputs), outputs), hint=hint), trained.history
