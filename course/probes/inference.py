"""Probes about models built from any argument form: call them, look inside, train them.

The builders here receive their arguments through :func:`~course.probes.values.prepare_arguments`
with the submission module, so a grader may pass a model of its own (``model_spec``: a
pretrained backbone, say) or the result of another of the submission's functions
(``call_spec``: ``fine_tune(build_transfer_model(backbone, 5), "conv3")``).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from course.probes import probe
from course.probes.models import describe_history, describe_model, require_model
from course.probes.values import get_callable, prepare_arguments, to_plain


def build_model(
    module: ModuleType, builder: str, args: list[Any] | None, kwargs: dict[str, Any] | None
) -> Any:
    """``builder(*args, **kwargs)`` with every argument form built; it must return a model."""
    positional = prepare_arguments(list(args or []), as_tensors=False, module=module)
    keywords = prepare_arguments(dict(kwargs or {}), as_tensors=False, module=module)
    return require_model(
        get_callable(module, builder)(*positional, **keywords), what=f"{builder}()"
    )


def _output_shape(layer: Any) -> Any:
    try:
        return [None if d is None else int(d) for d in layer.output.shape]
    except Exception:  # a layer called several times, or never, has no single output
        return None


def leaf_layers(model: Any) -> list[dict[str, Any]]:
    """Every layer of ``model`` in order, nested models opened up, as plain data.

    ``path`` names the enclosing models (``"functional/conv1"``). The parameters of a layer
    count as trainable when the optimizer would update them, that is when they are among
    ``model.trainable_weights``; a nested model that is frozen freezes its layers.
    """
    import keras

    trainable = {id(weight) for weight in model.trainable_weights}
    entries: list[dict[str, Any]] = []

    def visit(layer: Any, prefix: str) -> None:
        if isinstance(layer, keras.Model):
            for child in layer.layers:
                visit(child, f"{prefix}{layer.name}/")
            return
        sizes = [(int(np.prod(w.shape)), id(w) in trainable) for w in layer.weights]
        entries.append(
            {
                "name": str(layer.name),
                "path": f"{prefix}{layer.name}",
                "class_name": type(layer).__name__,
                "output_shape": _output_shape(layer),
                "trainable_parameters": sum(size for size, flag in sizes if flag),
                "non_trainable_parameters": sum(size for size, flag in sizes if not flag),
                "weights": [np.array(w.numpy()) for w in layer.weights],
            }
        )

    for layer in model.layers:
        visit(layer, "")
    return entries


def describe_for_grading(model: Any) -> dict[str, Any]:
    """:func:`~course.probes.models.describe_model`, each weight flagged trainable when the
    optimizer would update it (not only by its own ``trainable`` flag)."""
    report = describe_model(model)
    trainable = {id(weight) for weight in model.trainable_weights}
    report["weight_trainable"] = [id(weight) in trainable for weight in model.weights]
    return report


@probe("model.call")
def call_model(
    module: ModuleType,
    *,
    builder: str,
    inputs: Any,
    training: list[bool | None],
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the model once, then call it on ``inputs`` once per entry of ``training``.

    ``True`` or ``False`` calls ``model(inputs, training=flag)``, as a training step or
    ``predict`` does; ``None`` calls ``model(inputs)`` without the argument. Returns
    ``{"outputs": [array, ...]}``, one array per call, in order.
    """
    import tensorflow as tf

    model = build_model(module, builder, args, kwargs)
    tensor = tf.constant(inputs)
    outputs = []
    for flag in training:
        output = model(tensor) if flag is None else model(tensor, training=bool(flag))
        outputs.append(to_plain(output, what=f"the output of the model from {builder}()"))
    return {"outputs": outputs}


@probe("model.inspect")
def inspect(
    module: ModuleType,
    *,
    builder: str,
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the model and describe it: ``{"model": ..., "layers": [...]}``.

    ``model`` is :func:`describe_for_grading`; ``layers`` is :func:`leaf_layers`, which
    looks inside nested models (a frozen backbone used as one layer, say).
    """
    model = build_model(module, builder, args, kwargs)
    return {"model": describe_for_grading(model), "layers": leaf_layers(model)}


@probe("model.build_and_train")
def build_and_train(
    module: ModuleType,
    *,
    builder: str,
    trainer: str,
    x: Any,
    y: Any,
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the model from ``builder(*args, **kwargs)``, then ``trainer(model, x, y)``.

    Returns the model after training (:func:`describe_for_grading`) and the History the
    trainer returned, in the shape of the ``model.train`` probe's reply.
    """
    model = build_model(module, builder, args, kwargs)
    history = get_callable(module, trainer)(model, x, y)
    return {
        "model": describe_for_grading(model),
        "history": describe_history(history, what=f"{trainer}()"),
    }
