"""Probes for custom Keras layers: build one, call it on grader inputs, report its parts.

A layer the submission defines (``TransformerBlock(32, 4, 48)``, say) cannot be rebuilt in
the grading process, where custom classes are refused. So it is built and called here, in
the worker, on inputs the grader chose, and what comes back is plain data: the outputs of
each call, the layer's parameter counts, and its sub-layers (class, settings, weights with
their paths), from which the grader recomputes the layer's output with its own numpy code.
Nothing here judges.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from course.probes import probe
from course.probes.errors import InvalidReturn
from course.probes.models import json_safe
from course.probes.values import get_callable, prepare_arguments, to_plain

#: Sub-layers reported as one unit: their own inner layers are implementation details.
OPAQUE_LAYERS = frozenset({"MultiHeadAttention"})
#: At most this many sub-layers are described (a guard against runaway nesting).
MAX_SUBLAYERS = 64


def require_layer(value: Any, *, what: str) -> Any:
    """``value`` if it is a Keras layer (a model is one too), else :class:`InvalidReturn`."""
    import keras

    if not isinstance(value, keras.layers.Layer):
        raise InvalidReturn(f"{what} returned a {type(value).__name__}, not a keras Layer")
    return value


def _config(layer: Any) -> dict[str, Any] | None:
    try:
        config = json_safe(layer.get_config())
    except Exception:  # custom layers need not be serialisable
        return None
    return config if isinstance(config, dict) else None


def _weights(layer: Any) -> list[dict[str, Any]]:
    return [
        {"path": str(w.path), "trainable": bool(w.trainable), "value": np.array(w.numpy())}
        for w in layer.weights
    ]


def describe_sublayers(layer: Any) -> list[dict[str, Any]]:
    """The layers inside ``layer``, depth first in the order they were assigned.

    Each is ``{"class_name", "class_chain", "path", "config", "weights": [{"path",
    "trainable", "value"}]}``; ``path`` names the enclosing layers. The layers inside a
    ``MultiHeadAttention`` are not listed: its weights are reported with it.
    """
    found: list[dict[str, Any]] = []

    def visit(parent: Any, prefix: str) -> None:
        # Keras 3 keeps the layers a layer tracks (attributes, lists of layers, a Sequential)
        # in ``_layers``; only models have a public ``layers``.
        for child in getattr(parent, "_layers", []):
            if len(found) >= MAX_SUBLAYERS:
                return
            name = type(child).__name__
            path = f"{prefix}{child.name}"
            found.append(
                {
                    "class_name": name,
                    "class_chain": [cls.__name__ for cls in type(child).__mro__],
                    "path": path,
                    "config": _config(child),
                    "weights": _weights(child),
                }
            )
            if name not in OPAQUE_LAYERS:
                visit(child, f"{path}/")

    visit(layer, "")
    return found


@probe("attention.layer")
def call_layer(
    module: ModuleType,
    *,
    factory: str,
    calls: list[dict[str, Any]],
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build ``factory(*args, **kwargs)`` (a Keras layer, usually a class), call it.

    ``calls`` is a list of ``{"inputs": array, "training": True | False | None, "kwargs":
    {name: array}}``; the same layer object is called once per entry, in order, with the
    arrays as tensors: ``layer(inputs, training=flag, **kwargs)`` (no ``training`` argument
    when it is None). Returns ``{"class_chain": [...], "outputs": [array, ...],
    "trainable_parameters": int, "non_trainable_parameters": int, "weights": [...],
    "sublayers": describe_sublayers(layer)}``, all after the calls (which build the layer).
    """
    import tensorflow as tf

    positional = prepare_arguments(list(args or []), as_tensors=False, module=module)
    keywords = prepare_arguments(dict(kwargs or {}), as_tensors=False, module=module)
    layer = require_layer(get_callable(module, factory)(*positional, **keywords), what=factory)
    outputs = []
    for index, request in enumerate(calls):
        inputs = tf.constant(request["inputs"])
        extra = {name: tf.constant(value) for name, value in (request.get("kwargs") or {}).items()}
        flag = request.get("training")
        if flag is not None:
            extra["training"] = bool(flag)
        output = layer(inputs, **extra)
        outputs.append(to_plain(output, what=f"the output of call {index + 1} of {factory}"))
    trainable = {id(weight) for weight in layer.trainable_weights}
    sizes = [(int(np.prod(w.shape)), id(w) in trainable) for w in layer.weights]
    return {
        "class_chain": [cls.__name__ for cls in type(layer).__mro__],
        "outputs": outputs,
        "trainable_parameters": sum(size for size, flag in sizes if flag),
        "non_trainable_parameters": sum(size for size, flag in sizes if not flag),
        "weights": _weights(layer),
        "sublayers": describe_sublayers(layer),
    }
