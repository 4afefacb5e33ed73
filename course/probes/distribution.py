"""Probes about ``tf.distribute``: a strategy, distributed datasets, variables made in a
strategy's scope, one distributed training step, and ``fit`` under a strategy.

Only ``distribution.strategy`` looks at the submission's own strategy. Every other probe
hands the submission the grader's strategy, a ``MirroredStrategy`` over every logical CPU of
the worker (:func:`grading_strategy`; two when the week's ``worker.toml`` asks for them), so
those checks see two replicas on any machine, with GPUs or without, and do not depend on the
submission's ``make_strategy``. Grader arguments name it with :data:`STRATEGY`.
"""

from __future__ import annotations

import functools
import re
from types import ModuleType
from typing import Any

import numpy as np

from course.probes import probe
from course.probes.errors import InvalidReturn, ProbeError
from course.probes.loops import recording_sequential
from course.probes.markers import STRATEGY as STRATEGY  # week 13's graders import it here
from course.probes.models import describe_model, require_model
from course.probes.values import get_callable, prepare_arguments, to_plain


class StrategyUnavailable(ProbeError):
    """The worker has fewer than two logical CPUs: the week's ``worker.toml`` is missing."""

    kind = "internal"


@functools.cache
def grading_strategy() -> Any:
    """A ``MirroredStrategy`` over every logical CPU of this process, made once."""
    import tensorflow as tf

    cpus = [device.name for device in tf.config.list_logical_devices("CPU")]
    if len(cpus) < 2:
        raise StrategyUnavailable(
            f"the worker has {len(cpus)} logical CPU; the grader folder needs a worker.toml "
            "with logical_cpus = 2"
        )
    return tf.distribute.MirroredStrategy(devices=cpus)


def device_name(name: str) -> str:
    """``CPU:0`` for ``/job:localhost/replica:0/task:0/device:CPU:0`` or ``/cpu:0``."""
    match = re.search(r"(?:device:)?([A-Za-z_]+):(\d+)$", name)
    return f"{match.group(1).upper()}:{match.group(2)}" if match else name


def with_strategy(value: Any, strategy: Any) -> Any:
    """``value`` with every :data:`STRATEGY` marker replaced by ``strategy``."""
    if isinstance(value, dict) and value == STRATEGY:
        return strategy
    if isinstance(value, list):
        return [with_strategy(item, strategy) for item in value]
    if isinstance(value, dict):
        return {key: with_strategy(item, strategy) for key, item in value.items()}
    return value


def _call(module: ModuleType, function: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    strategy = grading_strategy()
    positional = prepare_arguments(
        with_strategy(list(args), strategy), as_tensors=False, module=module
    )
    keywords = prepare_arguments(
        with_strategy(dict(kwargs), strategy), as_tensors=False, module=module
    )
    return get_callable(module, function)(*positional, **keywords)


def describe_variables(variables: Any, strategy: Any) -> list[dict[str, Any]]:
    """Each variable's path, the class of the TensorFlow variable behind it (``MirroredVariable``
    when it was created in a ``MirroredStrategy``'s scope) and its number of copies."""
    described = []
    for variable in variables:
        inner = getattr(variable, "value", variable)
        try:
            copies = len(strategy.experimental_local_results(inner))
        except Exception:  # not a variable at all
            copies = 0
        described.append(
            {
                "path": str(getattr(variable, "path", getattr(variable, "name", "?"))),
                "kind": type(inner).__name__,
                "copies": copies,
            }
        )
    return described


@probe("distribution.strategy")
def describe_strategy(module: ModuleType, *, function: str) -> dict[str, Any]:
    """Call ``function()`` (no arguments) and describe the strategy it returns.

    Returns ``class_chain`` (class names, most derived first), ``replicas``
    (``num_replicas_in_sync``), ``devices`` (``CPU:0``, ``GPU:1``...; ``None`` when the
    strategy does not say), and ``machine``: the logical ``gpus`` and ``cpus`` this worker sees.
    """
    import tensorflow as tf

    strategy = get_callable(module, function)()
    if not isinstance(strategy, tf.distribute.Strategy):
        raise InvalidReturn(
            f"{function}() returned a {type(strategy).__name__}, not a tf.distribute strategy"
        )
    try:
        devices: list[str] | None = [device_name(str(d)) for d in strategy.extended.worker_devices]
    except (AttributeError, RuntimeError, NotImplementedError):  # the default strategy
        devices = None
    return {
        "class_chain": [cls.__name__ for cls in type(strategy).__mro__],
        "replicas": int(strategy.num_replicas_in_sync),
        "devices": devices,
        "machine": {
            "gpus": [device_name(d.name) for d in tf.config.list_logical_devices("GPU")],
            "cpus": [device_name(d.name) for d in tf.config.list_logical_devices("CPU")],
        },
    }


@probe("distribution.call")
def call(
    module: ModuleType,
    *,
    function: str,
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
) -> Any:
    """``function(*args, **kwargs)`` with :data:`STRATEGY` markers replaced by the grader's
    strategy; the return value as plain data."""
    value = _call(module, function, list(args or []), dict(kwargs or {}))
    return to_plain(value, what=f"the value returned by {function}()")


@probe("distribution.dataset")
def describe_dataset(
    module: ModuleType,
    *,
    function: str,
    args: list[Any] | None = None,
    max_steps: int = 50,
) -> dict[str, Any]:
    """Iterate the ``(x, y)`` dataset that ``function(*args)`` returns, at most ``max_steps``
    elements, and give every element's share of each replica.

    Returns ``class_chain``, ``distributed`` (a ``tf.distribute.DistributedDataset``),
    ``replicas`` (of the grader's strategy) and ``steps``: per element, ``x`` and ``y``, one
    array per part (one per replica for a distributed dataset; one part for a plain one).
    """
    import tensorflow as tf

    strategy = grading_strategy()
    dataset = _call(module, function, list(args or []), {})
    if not isinstance(dataset, tf.distribute.DistributedDataset | tf.data.Dataset):
        raise InvalidReturn(
            f"{function}() returned a {type(dataset).__name__}, not a dataset: return "
            "strategy.experimental_distribute_dataset(...)"
        )
    steps = []
    for index, element in enumerate(dataset):
        if index >= max_steps:
            break
        if not isinstance(element, tuple | list) or len(element) != 2:
            raise InvalidReturn(
                f"each element of the dataset from {function}() should be a pair (x, y); "
                f"received a {type(element).__name__}"
            )
        x, y = element
        steps.append(
            {
                "x": to_plain(list(strategy.experimental_local_results(x)), what="x"),
                "y": to_plain(list(strategy.experimental_local_results(y)), what="y"),
            }
        )
    return {
        "class_chain": [cls.__name__ for cls in type(dataset).__mro__],
        "distributed": isinstance(dataset, tf.distribute.DistributedDataset),
        "replicas": int(strategy.num_replicas_in_sync),
        "steps": steps,
    }


@probe("distribution.model")
def describe_model_in_scope(
    module: ModuleType, *, builder: str, args: list[Any] | None = None
) -> dict[str, Any]:
    """Build ``builder(*args)`` (pass :data:`STRATEGY`) and say where its variables live.

    Returns ``model`` (:func:`~course.probes.models.describe_model`), ``variables`` and
    ``optimizer_variables`` (:func:`describe_variables`), ``optimizer`` (its class name, or
    ``None`` when the model is not compiled), ``optimizer_built``, ``replicas`` (of the
    grader's strategy) and ``same_strategy`` (the model's ``distribute_strategy`` is the
    grader's).
    """
    strategy = grading_strategy()
    model = require_model(_call(module, builder, list(args or []), {}), what=f"{builder}()")
    optimizer = getattr(model, "optimizer", None)
    return {
        "model": describe_model(model),
        "variables": describe_variables(model.weights, strategy),
        "optimizer": None if optimizer is None else type(optimizer).__name__,
        "optimizer_built": bool(getattr(optimizer, "built", False)),
        "optimizer_variables": describe_variables(getattr(optimizer, "variables", []), strategy),
        "replicas": int(strategy.num_replicas_in_sync),
        "same_strategy": getattr(model, "distribute_strategy", None) is strategy,
    }


@probe("distribution.step")
def distributed_step(
    module: ModuleType,
    *,
    function: str,
    weights: list[Any],
    x: Any,
    y: Any,
    learning_rate: float,
) -> dict[str, Any]:
    """One training step of the submission's ``function`` on a grader-chosen model and batch.

    The grader's model is ``Dense(hidden, tanh)`` then ``Dense(classes)`` (logits), its sizes
    read from ``weights`` (kernel, bias, kernel, bias). The model and ``SGD(learning_rate)``
    (built) are created in the grader's strategy's scope; ``(x, y)`` becomes one element of a
    distributed dataset (a global batch of ``len(x)``, split across the replicas), and the
    worker calls ``function(strategy, model, optimizer, batch, len(x))``.

    Returns ``weights`` after the step, ``loss`` (what the function returned, plain),
    ``loss_kind``: ``"per_replica"`` when it returned one value per replica instead, and
    ``training_flags``: the distinct ``training`` arguments the model was called with.
    """
    import keras
    import tensorflow as tf

    strategy = grading_strategy()
    kernel, _, output_kernel, _ = (np.asarray(w) for w in weights)
    flags: list[str] = []
    with strategy.scope():
        model = recording_sequential(
            [
                keras.Input(shape=(kernel.shape[0],)),
                keras.layers.Dense(kernel.shape[1], activation="tanh"),
                keras.layers.Dense(output_kernel.shape[1]),
            ],
            flags,
        )
        model.set_weights([np.asarray(w, dtype="float32") for w in weights])
        optimizer = keras.optimizers.SGD(learning_rate=learning_rate)
        optimizer.build(model.trainable_variables)
    global_batch = len(x)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(global_batch)
    batch = next(iter(strategy.experimental_distribute_dataset(dataset)))
    loss = get_callable(module, function)(strategy, model, optimizer, batch, global_batch)
    if isinstance(loss, tf.distribute.DistributedValues):
        plain_loss, kind = None, "per_replica"
    else:
        plain_loss, kind = to_plain(loss, what=f"the loss returned by {function}()"), "value"
    return {
        "weights": [np.array(w) for w in model.get_weights()],
        "loss": plain_loss,
        "loss_kind": kind,
        "training_flags": sorted(set(flags)),
    }


@probe("distribution.fit")
def fit(module: ModuleType, *, function: str, args: list[Any]) -> dict[str, Any]:
    """Call ``function(*args)`` (pass :data:`STRATEGY`), which trains and returns a model.

    Returns ``model`` (:func:`~course.probes.models.describe_model`: its config and weights,
    which the grader rebuilds to evaluate it itself), ``iterations`` (the optimizer's step
    count; ``None`` without an optimizer) and ``variables`` (:func:`describe_variables`).
    """
    strategy = grading_strategy()
    model = require_model(_call(module, function, list(args), {}), what=f"{function}()")
    optimizer = getattr(model, "optimizer", None)
    iterations = None
    if optimizer is not None:
        iterations = int(np.asarray(to_plain(optimizer.iterations, what="iterations")))
    return {
        "model": describe_model(model),
        "iterations": iterations,
        "variables": describe_variables(model.weights, strategy),
    }
