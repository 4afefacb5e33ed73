"""The week 7 graders' model helpers: reading a model's structure, training a submitted
model in the worker and rebuilding it here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from course.grading.reports import LayerReport, ModelReport, TrainingReport
from course.grading.submission import Submission
from course.testing import rebuilt_model

if TYPE_CHECKING:
    import keras

#: Layers without weights that a model may add anywhere; they do not change the structure.
PASSIVE_LAYERS = frozenset({"InputLayer", "Dropout", "SpatialDropout1D", "Activation"})


def layer_kind(layer: LayerReport) -> str:
    """``LSTM``, or ``Bidirectional(LSTM)`` for a wrapper, from the layer's config."""
    if layer.class_name == "Bidirectional":
        inner = (layer.config or {}).get("layer")
        name = inner.get("class_name") if isinstance(inner, dict) else None
        return f"Bidirectional({name or '?'})"
    return layer.class_name


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


def train(
    submission: Submission,
    builder: str,
    args: Sequence[object],
    *,
    x: np.ndarray,
    y: np.ndarray,
    **fit_options: object,
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


def rebuild(report: ModelReport, *, what: str) -> keras.Model:
    """The submitted model rebuilt here from its config and weights, or a failed check."""
    return rebuilt_model(
        report,
        what=what,
        hint="build the model from keras.layers only, as the docstring lists them.",
    )
