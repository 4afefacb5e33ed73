"""Probes about plain values: call a submission's function and return what it returned."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from course.probes import probe
from course.probes.errors import InvalidReturn, MissingName
from course.probes.markers import CALL_KEY, FUNCTION_KEY, MODEL_KEY

_ALLOWED_ARRAY_KINDS = frozenset("biufcUS")


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and, when the submission loaded it, TensorFlow/Keras."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    if "tensorflow" in sys.modules or "keras" in sys.modules:
        import keras

        keras.utils.set_random_seed(seed)


def get_name(module: ModuleType, name: str) -> Any:
    """The attribute ``name`` of the submission, or :class:`MissingName` saying it is absent."""
    try:
        return getattr(module, name)
    except AttributeError:
        raise MissingName(
            f"your module does not define {name!r}; keep the names from the assignment"
        ) from None


def get_callable(module: ModuleType, name: str) -> Callable[..., Any]:
    """Like :func:`get_name`, and the attribute must be callable."""
    value = get_name(module, name)
    if not callable(value):
        raise MissingName(f"{name!r} in your module is a {type(value).__name__}, not a function")
    return value  # type: ignore[no-any-return]


def to_plain(value: Any, *, what: str = "the return value") -> Any:
    """Convert tensors, variables and arrays into numpy arrays, containers into lists and dicts.

    Anything else (a model, a custom class, a subclass of ``float``...) is refused with
    :class:`InvalidReturn`, so only plain data can leave the worker.
    """
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, np.ndarray | np.generic):
        array = np.array(value)
        if array.dtype.kind not in _ALLOWED_ARRAY_KINDS:
            raise InvalidReturn(f"{what} is an array of dtype {array.dtype}, not numbers")
        return array
    if _is_tensor_like(value):
        try:
            array = np.array(value.numpy())
        except Exception as error:
            raise InvalidReturn(f"{what} could not be converted to numbers: {error}") from error
        return to_plain(array, what=what)
    if isinstance(value, list | tuple):
        return [to_plain(item, what=f"{what}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, dict):
        plain: dict[str, Any] = {}
        for key, item in value.items():
            if type(key) is not str:
                raise InvalidReturn(f"{what} has a key {key!r} that is not a string")
            plain[key] = to_plain(item, what=f"{what}[{key!r}]")
        return plain
    raise InvalidReturn(
        f"{what} is a {type(value).__name__}; expected a tensor, an array, a number, a string, "
        "or a list/tuple/dict of those"
    )


def _is_tensor_like(value: Any) -> bool:
    tensorflow = sys.modules.get("tensorflow")
    if tensorflow is not None and isinstance(value, tensorflow.Tensor | tensorflow.Variable):
        return True
    keras = sys.modules.get("keras")
    return keras is not None and isinstance(value, keras.Variable)


def build_function(spec: dict[str, Any]) -> Callable[[Any], Any]:
    """A TensorFlow-differentiable function described by plain data chosen by the grader."""
    import tensorflow as tf

    kind = spec.get("kind")
    if kind == "polynomial":
        coefficients = [float(c) for c in spec["coefficients"]]

        def polynomial(x: Any) -> Any:
            return tf.add_n([c * x**power for power, c in enumerate(coefficients)])

        return polynomial
    if kind in ("sin", "exp", "tanh"):
        return getattr(tf.math, str(kind))  # type: ignore[no-any-return]
    raise ValueError(f"unknown function spec {spec!r}")


def build_keras_model(spec: dict[str, Any]) -> Any:
    """The grader's model from its JSON config and weights, built in the worker."""
    import keras

    model = keras.models.model_from_json(spec["config_json"])
    model.set_weights(list(spec["weights"]))
    return model


def prepare_arguments(value: Any, *, as_tensors: bool, module: ModuleType) -> Any:
    """Turn grader arguments into what the submission is called with.

    Arrays pass as they are (or as ``tf.Tensor`` with ``as_tensors``); the markers of
    :mod:`course.probes.markers` for a function, a Keras model and a call (on the submission
    ``module``) are built here in the worker.
    """
    if isinstance(value, dict):
        if set(value) == {FUNCTION_KEY}:
            return build_function(value[FUNCTION_KEY])
        if set(value) == {MODEL_KEY}:
            return build_keras_model(value[MODEL_KEY])
        if set(value) == {CALL_KEY}:
            spec = value[CALL_KEY]
            target = get_callable(module, spec["function"])
            args = prepare_arguments(
                list(spec.get("args") or []), as_tensors=as_tensors, module=module
            )
            kwargs = prepare_arguments(
                dict(spec.get("kwargs") or {}), as_tensors=as_tensors, module=module
            )
            return target(*args, **kwargs)
        return {
            key: prepare_arguments(item, as_tensors=as_tensors, module=module)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [prepare_arguments(item, as_tensors=as_tensors, module=module) for item in value]
    if as_tensors and isinstance(value, np.ndarray):
        import tensorflow as tf

        return tf.constant(value)
    return value


@probe("call")
def call(
    module: ModuleType,
    *,
    function: str,
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    as_tensors: bool = False,
) -> Any:
    """Call ``module.function(*args, **kwargs)`` and return its result as plain data."""
    target = get_callable(module, function)
    positional = prepare_arguments(list(args or []), as_tensors=as_tensors, module=module)
    keywords = prepare_arguments(dict(kwargs or {}), as_tensors=as_tensors, module=module)
    return to_plain(target(*positional, **keywords), what=f"the value returned by {function}()")
