"""Probes for custom components: losses, layers, metrics, models and their saved files.

A submission's own classes cannot be rebuilt in the grading process (the rebuild allow-list
refuses them), so these probes exercise them here, in the worker, on inputs the grader chose,
and return only numbers, names and shapes: loss values, weights after ``build``, layer
outputs, metric results after each ``update_state``, per-output losses, predictions before
and after a save and load. The grader computes what they should be with its own numpy
references.
"""

from __future__ import annotations

import os
import tempfile
from types import ModuleType
from typing import Any

import numpy as np

from course.probes import probe
from course.probes.errors import InvalidReturn
from course.probes.models import json_safe, require_model
from course.probes.values import get_callable, prepare_arguments, to_plain

_PREDICT_BATCH = 512
#: How much of an exception's message a reply carries.
_ERROR = 4_000


def _class_chain(value: Any) -> list[str]:
    return [cls.__name__ for cls in type(value).__mro__]


def _tensor(array: Any) -> Any:
    import tensorflow as tf

    return tf.constant(np.asarray(array, dtype="float32"))


def _variables(variables: Any, *, with_values: bool = False) -> list[dict[str, Any]]:
    """Name, path, shape, trainable flag (and value) of each variable, in order."""
    described = []
    for variable in variables:
        entry: dict[str, Any] = {
            "name": str(variable.name),
            "path": str(getattr(variable, "path", variable.name)),
            "shape": [int(d) for d in variable.shape],
            "trainable": bool(variable.trainable),
        }
        if with_values:
            entry["value"] = np.asarray(variable.numpy(), dtype="float64")
        described.append(entry)
    return described


def _describe_class(value: Any, module: ModuleType) -> dict[str, Any]:
    """The class of ``value``: its name, module, and whether it is the submission's own."""
    cls = type(value)
    return {
        "class_name": cls.__name__,
        "module": str(cls.__module__),
        "is_submission_class": getattr(module, cls.__name__, None) is cls,
    }


def _describe_loss(loss: Any, module: ModuleType) -> dict[str, Any] | None:
    """A compiled model's ``loss``: a string as itself, an object by its class."""
    if loss is None:
        return None
    if isinstance(loss, str):
        return {"class_name": "str", "module": "builtins", "is_submission_class": False}
    return _describe_class(loss, module)


@probe("custom.loss")
def loss(
    module: ModuleType,
    *,
    factory: str,
    cases: list[list[Any]],
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    round_trip: bool = False,
) -> dict[str, Any]:
    """Make a loss with ``factory(*args, **kwargs)`` and call it on each case.

    ``factory`` is a function returning a loss function (a closure) or a
    ``keras.losses.Loss`` class; each case is ``[y_true, y_pred]`` or ``[y_true, y_pred,
    sample_weight]``, float32 arrays passed as tensors (the weights as ``sample_weight=``).
    Returns ``class_chain`` (of what the factory made), ``is_loss_object`` (an instance of
    ``keras.losses.Loss``), ``values`` (what each call returned) and, with ``round_trip``,
    ``config`` (``get_config()``, JSON-safe) and ``round_trip_values``: the cases again,
    with the loss ``type(loss).from_config(loss.get_config())`` rebuilt.
    """
    import keras

    made = get_callable(module, factory)(
        *prepare_arguments(list(args or []), as_tensors=False, module=module),
        **prepare_arguments(dict(kwargs or {}), as_tensors=False, module=module),
    )
    if not callable(made):
        raise InvalidReturn(
            f"{factory}() returned a {type(made).__name__}; it should give a loss you can "
            "call as loss(y_true, y_pred)"
        )
    report: dict[str, Any] = {
        "class_chain": _class_chain(made),
        "is_loss_object": isinstance(made, keras.losses.Loss),
        "values": [
            to_plain(_call_loss(made, case), what=f"the loss from {factory}()") for case in cases
        ],
        "config": None,
        "round_trip_values": None,
    }
    if round_trip:
        if not isinstance(made, keras.losses.Loss):
            raise InvalidReturn(
                f"{factory}() made a {type(made).__name__}, not a keras.losses.Loss; only a "
                "Loss object has get_config() and from_config()"
            )
        config = made.get_config()
        if not isinstance(config, dict):
            raise InvalidReturn(f"get_config() returned a {type(config).__name__}, not a dict")
        report["config"] = json_safe(config)
        rebuilt = type(made).from_config(config)
        report["round_trip_values"] = [
            to_plain(_call_loss(rebuilt, case), what="the rebuilt loss") for case in cases
        ]
    return report


def _call_loss(loss: Any, case: list[Any]) -> Any:
    """``loss(y_true, y_pred)``, with ``sample_weight=`` when the case has a third array."""
    y_true, y_pred, *weights = case
    if weights:
        return loss(_tensor(y_true), _tensor(y_pred), sample_weight=_tensor(weights[0]))
    return loss(_tensor(y_true), _tensor(y_pred))


@probe("custom.layer")
def layer(
    module: ModuleType,
    *,
    name: str,
    input_shape: list[int | None],
    kwargs: dict[str, Any] | None = None,
    inputs: Any = None,
    round_trip: bool = False,
) -> dict[str, Any]:
    """Make the layer ``name(**kwargs)`` and ``build`` it for ``input_shape``.

    Returns ``class_chain`` and ``weights_after_build`` (name, path, shape, trainable of
    each weight, in order). With ``inputs``, the layer is then called on them (a float32
    tensor): ``outputs`` and ``weights`` (the same, with each weight's ``value``, read after
    the call). With ``round_trip``: ``config`` (``get_config()``, JSON-safe) and
    ``rebuilt_weights``, the weights of ``type(layer).from_config(config)`` built for the
    same shape.
    """
    import keras

    made = get_callable(module, name)(**dict(kwargs or {}))
    if not isinstance(made, keras.layers.Layer):
        raise InvalidReturn(f"{name}(...) made a {type(made).__name__}, not a keras Layer")
    shape = tuple(None if d is None else int(d) for d in input_shape)
    made.build(shape)
    report: dict[str, Any] = {
        "class_chain": _class_chain(made),
        "weights_after_build": _variables(made.weights),
        "outputs": None,
        "weights": None,
        "config": None,
        "rebuilt_weights": None,
    }
    if inputs is not None:
        outputs = made(_tensor(inputs))
        report["outputs"] = to_plain(outputs, what=f"the output of {name}")
        report["weights"] = _variables(made.weights, with_values=True)
    if round_trip:
        config = made.get_config()
        if not isinstance(config, dict):
            raise InvalidReturn(f"get_config() returned a {type(config).__name__}, not a dict")
        report["config"] = json_safe(config)
        rebuilt = type(made).from_config(config)
        rebuilt.build(shape)
        report["rebuilt_weights"] = _variables(rebuilt.weights)
    return report


@probe("custom.metric")
def metric(
    module: ModuleType,
    *,
    name: str,
    steps: list[dict[str, Any]],
    kwargs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Make the metric ``name(**kwargs)`` and drive it through ``steps``.

    Each step is ``{"update": [y_true, y_pred]}`` (``update_state`` on float32 tensors) or
    ``{"reset": true}`` (``reset_state()``). Returns ``class_chain`` and ``results``: what
    ``result()`` returned after each step.
    """
    import keras

    made = get_callable(module, name)(**dict(kwargs or {}))
    if not isinstance(made, keras.metrics.Metric):
        raise InvalidReturn(f"{name}(...) made a {type(made).__name__}, not a keras Metric")
    results = []
    for step in steps:
        if "update" in step:
            y_true, y_pred = step["update"]
            made.update_state(_tensor(y_true), _tensor(y_pred))
        else:
            made.reset_state()
        results.append(to_plain(made.result(), what=f"{name}.result()"))
    return {"class_chain": _class_chain(made), "results": results}


@probe("custom.subclassed")
def subclassed(
    module: ModuleType,
    *,
    name: str,
    inputs: Any,
    kwargs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Make the model ``name(**kwargs)`` and call it once on ``inputs`` (a float32 tensor).

    Returns ``class_chain``, ``outputs`` and ``trainable_variables`` (name, path, shape of
    each, in order, after the call).
    """
    import keras

    model = get_callable(module, name)(**dict(kwargs or {}))
    if not isinstance(model, keras.Model):
        raise InvalidReturn(f"{name}(...) made a {type(model).__name__}, not a keras Model")
    outputs = model(_tensor(inputs))
    return {
        "class_chain": _class_chain(model),
        "outputs": to_plain(outputs, what=f"the output of {name}"),
        "trainable_variables": _variables(model.trainable_variables),
    }


def _outputs_by_name(outputs: Any, names: list[str], *, what: str) -> dict[str, Any]:
    if isinstance(outputs, dict):
        return {str(key): to_plain(value, what=what) for key, value in outputs.items()}
    if isinstance(outputs, list | tuple):
        return {
            name: to_plain(value, what=what) for name, value in zip(names, outputs, strict=False)
        }
    return {names[0] if names else "output": to_plain(outputs, what=what)}


@probe("custom.heads")
def heads(
    module: ModuleType,
    *,
    builder: str,
    inputs: Any,
    targets: dict[str, Any],
    args: list[Any] | None = None,
) -> dict[str, Any]:
    """Build a model with several outputs and evaluate it on grader-generated targets.

    Returns ``output_names`` (``model.output_names``), ``predictions`` (one array per output,
    by name), ``compiled`` and ``evaluation``: ``model.evaluate(inputs, targets,
    return_dict=True)`` in one batch (every loss and metric by its Keras name, such as
    ``value_loss``), or ``None`` when the model is not compiled or its output names are not
    the keys of ``targets``.
    """
    built = get_callable(module, builder)(
        *prepare_arguments(list(args or []), as_tensors=False, module=module)
    )
    model = require_model(built, what=f"{builder}()")
    names = [str(name) for name in getattr(model, "output_names", None) or []]
    outputs = model.predict(inputs, batch_size=_PREDICT_BATCH, verbose=0)
    report: dict[str, Any] = {
        "output_names": names,
        "predictions": _outputs_by_name(outputs, names, what="the model's predictions"),
        "compiled": bool(model.compiled),
        "evaluation": None,
    }
    if model.compiled and set(names) == set(targets):
        evaluation = model.evaluate(
            inputs, dict(targets), batch_size=len(inputs), return_dict=True, verbose=0
        )
        report["evaluation"] = {
            str(key): float(np.asarray(value)) for key, value in evaluation.items()
        }
    return report


@probe("custom.save_and_load")
def save_and_load(
    module: ModuleType,
    *,
    builder: str,
    saver: str,
    loader: str,
    inputs: Any,
    filename: str = "model.keras",
    args: list[Any] | None = None,
    x: Any = None,
    y: Any = None,
    fit_options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build a model, train it (when ``x`` and ``y`` are given), save it, load it back.

    The model from ``builder(*args)`` is fitted with ``fit(x, y, **fit_options)``, predicts
    ``inputs``, and is saved with ``saver(model, path)``, ``path`` being ``filename`` in a
    new folder of the worker's private working directory; when the file is there,
    ``loader(path)`` loads it and the loaded model predicts ``inputs`` again.

    Returns ``saved`` (whether the file exists), ``predictions_before``,
    ``predictions_after`` (``None`` when nothing was saved or loaded), for the model before
    and after: the class of each layer and of the compiled loss (``class_name``, ``module``,
    ``is_submission_class``: the very class the submission defines), and ``load_error``
    (``type`` and ``message``) when ``loader`` raised an exception.
    """
    built = get_callable(module, builder)(
        *prepare_arguments(list(args or []), as_tensors=False, module=module)
    )
    model = require_model(built, what=f"{builder}()")
    if x is not None and y is not None:
        model.fit(x, y, verbose=0, **dict(fit_options or {}))
    before = model.predict(inputs, batch_size=_PREDICT_BATCH, verbose=0)
    folder = tempfile.mkdtemp(prefix="saved-", dir=os.getcwd())
    path = os.path.join(folder, os.path.basename(filename))
    get_callable(module, saver)(model, path)
    report: dict[str, Any] = {
        "saved": os.path.isfile(path),
        "predictions_before": to_plain(before, what="the model's predictions"),
        "predictions_after": None,
        "layers_before": [_describe_class(item, module) for item in model.layers],
        "loss_before": _describe_loss(getattr(model, "loss", None), module),
        "layers_after": None,
        "loss_after": None,
        "load_error": None,
    }
    if not report["saved"]:
        return report
    load = get_callable(module, loader)
    try:
        loaded = load(path)
    except Exception as error:  # Keras's own deserialisation errors, mostly: "Could not
        # locate class ...". The grader turns them into a message with a hint.
        report["load_error"] = {"type": type(error).__name__, "message": str(error)[:_ERROR]}
        return report
    loaded = require_model(loaded, what=f"{loader}()")
    after = loaded.predict(inputs, batch_size=_PREDICT_BATCH, verbose=0)
    report["predictions_after"] = to_plain(after, what="the loaded model's predictions")
    report["layers_after"] = [_describe_class(item, module) for item in loaded.layers]
    report["loss_after"] = _describe_loss(getattr(loaded, "loss", None), module)
    return report
