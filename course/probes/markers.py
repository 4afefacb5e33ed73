"""Argument markers: the plain-data forms of things only the worker can build.

A grader cannot send a function, a Keras model or a ``tf.distribute`` strategy across the
boundary, only JSON and numpy arrays. So it sends a one-key dict whose key is a marker, and
the worker builds the object there (:func:`course.probes.values.prepare_arguments`, the
text probes' arguments, :func:`course.probes.distribution.with_strategy`):

* ``{"__function__": {"kind": ..., ...}}``: a differentiable function (:func:`function_spec`);
* ``{"__call__": {"function": name, "args": [...], "kwargs": {...}}}``: what the submission's
  own function returns, computed in the worker (:func:`call_spec`);
* ``{"__keras_model__": {"config_json": str, "weights": [arrays]}}``: a grader's Keras model
  (:func:`model_spec`);
* ``{"__text_vectorization__": {"vocabulary": [...], "sequence_length": n}}``: a
  ``TextVectorization`` layer with the grader's vocabulary (:func:`vectorizer_spec`);
* ``{"__grading_strategy__": True}`` (:data:`STRATEGY`): the grader's ``MirroredStrategy``.

Both sides import this module: the grading process to write markers, the worker to read
them. It imports neither TensorFlow nor anything else of ``course``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

FUNCTION_KEY = "__function__"
CALL_KEY = "__call__"
MODEL_KEY = "__keras_model__"
VECTORIZER_KEY = "__text_vectorization__"
STRATEGY_KEY = "__grading_strategy__"
#: Every marker key; a dict whose only key is one of these is built by the worker.
MARKER_KEYS = frozenset({FUNCTION_KEY, CALL_KEY, MODEL_KEY, VECTORIZER_KEY, STRATEGY_KEY})

#: An argument the worker replaces with the grader's strategy before the call.
STRATEGY: dict[str, Any] = {STRATEGY_KEY: True}


def marker_of(value: Any) -> str | None:
    """The marker key of ``value`` when it is a marker (a dict with that key only), else None."""
    if isinstance(value, dict) and len(value) == 1:
        (key,) = value
        if key in MARKER_KEYS:
            return str(key)
    return None


def function_spec(kind: str, **parameters: Any) -> dict[str, Any]:
    """A function the worker builds for the submission to receive, e.g. a polynomial."""
    return {FUNCTION_KEY: {"kind": kind, **parameters}}


def call_spec(function: str, /, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """An argument computed in the worker: what the submission's ``function`` returns.

    ``submission.call("generate", call_spec("build_model"), "seed")`` passes the model that
    ``build_model()`` returns to ``generate``, without it ever leaving the worker.
    """
    return {CALL_KEY: {"function": function, "args": list(args), "kwargs": kwargs}}


def model_spec(config_json: str, weights: Sequence[np.ndarray]) -> dict[str, Any]:
    """An argument the worker rebuilds as a Keras model: a grader-chosen backbone, say."""
    return {MODEL_KEY: {"config_json": config_json, "weights": list(weights)}}


def vectorizer_spec(vocabulary: list[str], sequence_length: int) -> dict[str, Any]:
    """An argument the worker builds as ``TextVectorization(vocabulary=..., ...)``.

    ``vocabulary`` excludes the padding token ``''`` and ``'[UNK]'``, which Keras adds in
    front; the layer uses Keras's default standardisation and whitespace split.
    """
    return {VECTORIZER_KEY: {"vocabulary": list(vocabulary), "sequence_length": sequence_length}}
