"""Probes about Keras callbacks: their decisions, settings and effect on a real ``fit``.

Callbacks are driven the way ``model.fit`` drives them, on a tiny model the probe builds,
with ``logs`` the grader chose. The grader then compares the decisions with the contract.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any

import numpy as np

from course.probes import probe
from course.probes.errors import InvalidReturn
from course.probes.models import json_safe
from course.probes.values import get_callable, prepare_arguments, to_plain

_DESCRIBED_ATTRIBUTES = (
    "monitor",
    "mode",
    "patience",
    "min_delta",
    "baseline",
    "restore_best_weights",
    "start_from_epoch",
    "filepath",
    "save_best_only",
    "save_weights_only",
    "save_freq",
)


def _make_callback(module: ModuleType, factory: str, args: list[Any] | None) -> Any:
    import keras

    callback = get_callable(module, factory)(
        *prepare_arguments(list(args or []), as_tensors=False, module=module)
    )
    if not isinstance(callback, keras.callbacks.Callback):
        raise InvalidReturn(
            f"{factory}(...) gave a {type(callback).__name__}, not a keras.callbacks.Callback"
        )
    return callback


def _tiny_model(learning_rate: float = 0.01) -> Any:
    import keras

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=learning_rate), loss="mse")
    return model


def _fill_weights(model: Any, value: float) -> None:
    model.set_weights([np.full(w.shape, value, dtype="float32") for w in model.get_weights()])


def _error(error: Exception) -> dict[str, str]:
    return {"type": type(error).__name__, "message": str(error)[:500]}


@probe("callback.describe")
def describe(module: ModuleType, *, factory: str, args: list[Any] | None = None) -> dict[str, Any]:
    """The callback's class chain and the settings that Keras's own callbacks expose."""
    callback = _make_callback(module, factory, args)
    attributes = {
        name: json_safe(getattr(callback, name))
        for name in _DESCRIBED_ATTRIBUTES
        if hasattr(callback, name)
    }
    return {
        "class_chain": [cls.__name__ for cls in type(callback).__mro__],
        "attributes": attributes,
    }


@probe("callback.decisions")
def decisions(
    module: ModuleType,
    *,
    factory: str,
    logs: list[dict[str, Any]],
    args: list[Any] | None = None,
) -> list[dict[str, Any]]:
    """For each ``logs`` dict, a fresh callback's ``stop_training`` decision at epoch end."""
    results: list[dict[str, Any]] = []
    model = _tiny_model()
    for epoch, epoch_logs in enumerate(logs):
        callback = _make_callback(module, factory, args)
        callback.set_model(model)
        model.stop_training = False
        try:
            callback.on_epoch_end(epoch, dict(epoch_logs))
        except Exception as error:
            results.append({"error": _error(error)})
            continue
        results.append({"stop_training": bool(model.stop_training)})
    return results


@probe("callback.early_stopping")
def early_stopping(
    module: ModuleType,
    *,
    factory: str,
    logs: list[dict[str, float]],
    args: list[Any] | None = None,
) -> dict[str, Any]:
    """Drive the callback through ``logs`` epoch by epoch, as ``fit`` would.

    Before epoch ``i`` ends, every weight of the model is set to ``i``; after training ends,
    the value of the weights says which epoch's weights the callback left in place.
    """
    model = _tiny_model()
    callback = _make_callback(module, factory, args)
    callback.set_model(model)
    callback.on_train_begin({})
    stopped_after: int | None = None
    for epoch, epoch_logs in enumerate(logs):
        callback.on_epoch_begin(epoch, {})
        _fill_weights(model, float(epoch))
        callback.on_epoch_end(epoch, dict(epoch_logs))
        if model.stop_training:
            stopped_after = epoch
            break
    callback.on_train_end({})
    final = model.get_weights()[0]
    return {"stopped_after_epoch": stopped_after, "weights_from_epoch": float(final.flat[0])}


@probe("callback.learning_rates")
def learning_rates(
    module: ModuleType,
    *,
    factory: str,
    epochs: int,
    initial_learning_rate: float,
    args: list[Any] | None = None,
) -> list[float]:
    """The optimizer's learning rate after the callback's ``on_epoch_begin`` for each epoch."""
    model = _tiny_model(initial_learning_rate)
    callback = _make_callback(module, factory, args)
    callback.set_model(model)
    callback.on_train_begin({})
    rates = []
    for epoch in range(epochs):
        callback.on_epoch_begin(epoch, {})
        rates.append(float(np.array(model.optimizer.learning_rate)))
        callback.on_epoch_end(epoch, {"loss": 1.0, "learning_rate": rates[-1]})
    return rates


@probe("callback.fit")
def fit(
    module: ModuleType,
    *,
    factory: str,
    model_json: str,
    compile_options: dict[str, Any],
    x: Any,
    y: Any,
    fit_options: dict[str, Any],
    validation: list[Any] | None = None,
    record_weights: bool = False,
    reload_path: str | None = None,
    args: list[Any] | None = None,
) -> dict[str, Any]:
    """Train a grader-chosen model with the submission's callback; report what happened.

    With ``record_weights``, the weights at the end of every epoch come back too; with
    ``reload_path``, the file there is loaded back with ``keras.models.load_model`` and its
    weights come back (or the error that loading raised).
    """
    import keras

    class WeightRecorder(keras.callbacks.Callback):  # type: ignore[misc]  # Keras is untyped
        def __init__(self) -> None:
            super().__init__()
            self.per_epoch: list[list[np.ndarray]] = []

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            self.per_epoch.append([np.array(w) for w in self.model.get_weights()])

    callback = _make_callback(module, factory, args)
    model = keras.models.model_from_json(model_json)
    model.compile(**compile_options)
    recorder = WeightRecorder()
    validation_data = tuple(validation) if validation is not None else None
    history = model.fit(
        x,
        y,
        validation_data=validation_data,
        callbacks=[callback, recorder],
        verbose=0,
        **fit_options,
    )
    result: dict[str, Any] = {
        "history": to_plain(dict(history.history), what="the training history"),
        "epochs_run": len(history.epoch),
        "weights": [np.array(w) for w in model.get_weights()],
        "epoch_weights": recorder.per_epoch if record_weights else None,
        "reloaded": None,
    }
    if reload_path is not None:
        if not os.path.exists(reload_path):
            result["reloaded"] = {"exists": False}
        else:
            try:
                loaded = keras.models.load_model(reload_path)
                reloaded: dict[str, Any] = {
                    "exists": True,
                    "weights": [np.array(w) for w in loaded.get_weights()],
                }
            except Exception as error:
                reloaded = {"exists": True, "error": _error(error)}
            result["reloaded"] = reloaded
    return result
