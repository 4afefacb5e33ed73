"""Probes about Keras models: structure, compile settings, weights, training, predictions."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import numpy as np

from course.probes import probe
from course.probes.errors import InvalidReturn
from course.probes.values import get_callable, prepare_arguments, to_plain

_PREDICT_BATCH = 512


def json_safe(value: Any) -> Any:
    """A JSON round trip: tuples become lists, unknown objects become their ``str``."""
    return json.loads(json.dumps(value, default=str))


def require_model(value: Any, *, what: str) -> Any:
    """``value`` if it is a Keras model, else :class:`InvalidReturn` naming what it was."""
    import keras

    if not isinstance(value, keras.Model):
        raise InvalidReturn(f"{what} returned a {type(value).__name__}, not a keras Model")
    return value


def _shape(getter: Any) -> Any:
    try:
        return json_safe(getter())
    except Exception:  # subclassed models and unbuilt layers have no static shapes
        return None


def describe_model(model: Any, *, predict_inputs: Any = None) -> dict[str, Any]:
    """Everything a grader may judge about ``model``, as plain data."""
    try:
        config_json: str | None = model.to_json()
    except Exception:  # subclassed models without get_config cannot be serialised
        config_json = None
    try:
        compile_config = json_safe(model.get_compile_config()) if model.compiled else None
    except Exception:
        compile_config = None
    layers = []
    for layer in model.layers:
        try:
            layer_config = json_safe(layer.get_config())
        except Exception:
            layer_config = None
        layers.append(
            {
                "class_name": type(layer).__name__,
                "name": layer.name,
                "config": layer_config,
                "output_shape": _shape(lambda layer=layer: tuple(layer.output.shape)),
                "trainable": bool(layer.trainable),
                "weight_shapes": [list(w.shape) for w in layer.weights],
            }
        )
    report: dict[str, Any] = {
        "class_name": type(model).__name__,
        "class_chain": [cls.__name__ for cls in type(model).__mro__],
        "config_json": config_json,
        "layers": layers,
        "input_shape": _shape(lambda: model.input_shape),
        "output_shape": _shape(lambda: model.output_shape),
        **_weights(model),
        "compiled": bool(model.compiled),
        "compile_config": compile_config,
        "predictions": None,
    }
    if predict_inputs is not None:
        outputs = model.predict(predict_inputs, batch_size=_PREDICT_BATCH, verbose=0)
        report["predictions"] = to_plain(outputs, what="the model's predictions")
        if not report["weights"]:  # a subclassed model makes its weights when first called
            report.update(_weights(model))
    return report


def _weights(model: Any) -> dict[str, list[Any]]:
    """The model's weight arrays, with each one's path and trainable flag in the same order."""
    return {
        "weights": [np.array(w) for w in model.get_weights()],
        "weight_names": [str(w.path) for w in model.weights],
        "weight_trainable": [bool(w.trainable) for w in model.weights],
    }


def describe_history(history: Any, *, what: str) -> dict[str, Any]:
    """The per-epoch logs of a ``keras.callbacks.History`` as plain data."""
    import keras

    if not isinstance(history, keras.callbacks.History):
        raise InvalidReturn(
            f"{what} returned a {type(history).__name__}; return the History object that "
            "model.fit(...) gives back"
        )
    logs = to_plain(dict(history.history), what="the training history")
    return {"history": logs, "epochs": [int(e) for e in history.epoch]}


@probe("model.build")
def build(
    module: ModuleType,
    *,
    builder: str,
    args: list[Any] | None = None,
    predict_inputs: Any = None,
) -> dict[str, Any]:
    """Call ``builder(*args)`` and describe the model it returns."""
    model = require_model(
        get_callable(module, builder)(
            *prepare_arguments(list(args or []), as_tensors=False, module=module)
        ),
        what=f"{builder}()",
    )
    return describe_model(model, predict_inputs=predict_inputs)


@probe("model.fit")
def fit(
    module: ModuleType,
    *,
    builder: str,
    x: Any,
    y: Any,
    fit_options: dict[str, Any],
    args: list[Any] | None = None,
    predict_inputs: Any = None,
) -> dict[str, Any]:
    """Build the submission's compiled model (``builder(*args)``) and train it on grader data
    with ``fit``."""
    built = get_callable(module, builder)(
        *prepare_arguments(list(args or []), as_tensors=False, module=module)
    )
    model = require_model(built, what=f"{builder}()")
    if not model.compiled:
        raise InvalidReturn(f"{builder}() returned a model that is not compiled; call compile()")
    history = model.fit(x, y, verbose=0, **fit_options)
    return {
        "model": describe_model(model, predict_inputs=predict_inputs),
        "history": describe_history(history, what="model.fit"),
    }


@probe("model.train")
def train(
    module: ModuleType,
    *,
    builder: str,
    trainer: str,
    x: Any,
    y: Any,
    preprocess: str | None = None,
    predict_inputs: Any = None,
) -> dict[str, Any]:
    """Run the submission's own pipeline: ``preprocess``, ``builder``, then ``trainer``."""
    if preprocess is not None:
        transform = get_callable(module, preprocess)
        x = transform(x)
        if predict_inputs is not None:
            predict_inputs = transform(predict_inputs)
    model = require_model(get_callable(module, builder)(), what=f"{builder}()")
    history = get_callable(module, trainer)(model, x, y)
    # A trainer that forgets to return its History still trained the model: describe the
    # model anyway, so only the checks about the History lose their points.
    try:
        history_report: dict[str, Any] | None = describe_history(history, what=f"{trainer}()")
        problem = None
    except InvalidReturn as error:
        history_report, problem = None, str(error)
    return {
        "model": describe_model(model, predict_inputs=predict_inputs),
        "history": history_report,
        "history_problem": problem,
    }
