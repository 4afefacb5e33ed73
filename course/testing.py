"""Checks for grader authors: short calls that fail with a message written for a student.

Every message follows one pattern, "<what> should be <expected>. Received: <received>.
Hint: <how to fix it>", so a grader reads like its contract::

    report = submission.model("build_model")
    check_output_shape(report, (None, 10), hint="the last Dense layer needs one unit per class")
    check_parameter_count(report, at_most=250_000)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar, cast

import numpy as np

from course.grading import notes
from course.grading.errors import CheckFailed
from course.grading.rebuild import NotRebuildable, rebuild_model
from course.grading.reports import DatasetReport, ModelReport

__all__ = [
    "INFINITE",
    "PLOT_LIMITS",
    "CheckFailed",
    "accuracy_of",
    "check",
    "check_accuracy",
    "check_accuracy_metric",
    "check_array",
    "check_batch_sizes",
    "check_binary_accuracy",
    "check_close",
    "check_compiled",
    "check_each_once",
    "check_in_order",
    "check_input_shape",
    "check_layer_arguments",
    "check_layers_present",
    "check_loss",
    "check_optimizer",
    "check_output_shape",
    "check_parameter_count",
    "check_prefetches",
    "check_shuffled",
    "describe_error",
    "describe_spec",
    "draw_between",
    "fail",
    "format_batches",
    "format_head",
    "format_shape",
    "fresh_rng",
    "measure",
    "note",
    "output_activation",
    "pair_spec",
    "positions_of",
    "predictions_of",
    "rebuilt_model",
    "show_confusion",
    "show_curve",
    "show_heatmap",
    "show_history",
    "show_images",
    "show_mistakes",
]


def fresh_rng(submission: Any, *purpose: str | int) -> np.random.Generator:
    """A random generator for inputs drawn afresh at each grading: seeded from the
    grading's seed (``submission.seed``: random for ``course check``, secret for a class)
    and ``purpose`` (the check's own name, say), so each check draws its own stream and a
    submission cannot know the inputs beforehand. A fixed seed reproduces them."""
    import hashlib

    label = "\0".join(str(part) for part in purpose).encode()
    digest = hashlib.sha256(int(submission.seed).to_bytes(8, "big", signed=True) + label)
    return np.random.default_rng(int.from_bytes(digest.digest()[:8], "big"))


def note(message: str) -> None:
    """Tell the student something about this check even when it passes (a measured
    accuracy, say); it is added to the check's message."""
    notes.add(message)


def measure(name: str, value: float) -> float:
    """Keep a figure this check measured (``measure("test accuracy", 0.8712)``) as data in
    its result, and return it. The student reads figures in the message (:func:`note`,
    :func:`fail`); ``benchmarks/baselines.py`` reads these to put a threshold's margins on
    record, and the class statistics use them. Measure in the grading process where it can;
    a figure only the worker knows is self-reported, and its name should say so."""
    notes.measure(name, value)
    return value


_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def fail(what: str, *, expected: Any, received: Any, hint: str = "") -> CheckFailed:
    """The exception for a wrong answer; ``raise fail(...)`` in a grader."""
    message = f"{what} should be {expected}. Received: {received}."
    if hint:
        message += f" Hint: {hint}"
    return CheckFailed(message)


def describe_error(error: Exception) -> str:
    """An error raised in the grading process (say, by a rebuilt model), for a message: its
    type and the first 200 characters, on one line, without terminal colour codes."""
    text = " ".join(_ANSI_ESCAPE.sub("", str(error)).split())
    return f"{type(error).__name__}: {text[:200]}"


def check(condition: bool, message: str) -> None:
    """Fail with ``message`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailed(message)


def format_shape(shape: Sequence[int | None] | None) -> str:
    """``(None, 10)`` as Keras prints it; ``unknown`` when there is no static shape."""
    if shape is None:
        return "unknown"
    inner = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def check_array(
    value: Any,
    what: str,
    *,
    dtype: str | None = None,
    shape: Sequence[int | None] | None = None,
    kind: str = "",
    hint: str = "",
) -> np.ndarray:
    """``value`` must be an array (a tensor, once it crossed over) of ``dtype`` and ``shape``,
    its dtype of one of the NumPy kinds in ``kind`` (``"f"`` floats, ``"iu"`` integers,
    ``"biuf"`` numbers, ``"b"`` booleans, ``"U"`` strings) where the exact dtype is free.

    ``None`` in ``shape`` accepts any size along that axis.
    """
    if type(value) is not np.ndarray:
        raise fail(what, expected="a tensor or array", received=type(value).__name__, hint=hint)
    if dtype is not None and value.dtype != np.dtype(dtype):
        raise fail(f"the dtype of {what}", expected=dtype, received=value.dtype, hint=hint)
    if shape is not None:
        matches = value.ndim == len(shape) and all(
            expected is None or expected == actual
            for expected, actual in zip(shape, value.shape, strict=False)
        )
        if not matches:
            raise fail(
                f"the shape of {what}",
                expected=format_shape(shape),
                received=format_shape(value.shape),
                hint=hint,
            )
    if kind and value.dtype.kind not in kind:
        raise fail(
            f"the dtype of {what}",
            expected=_kind_names(kind),
            received=f"an array of {value.dtype}",
            hint=hint,
        )
    return value


def _kind_names(kind: str) -> str:
    if {"i", "f"} <= set(kind):
        return "numbers"
    names = {"b": "booleans", "i": "integers", "u": "integers", "f": "floats", "U": "strings"}
    return " or ".join(dict.fromkeys(names.get(letter, letter) for letter in kind))


def check_close(
    received: Any,
    expected: Any,
    what: str,
    *,
    atol: float = 1e-5,
    rtol: float = 1e-5,
    hint: str = "",
) -> None:
    """``received`` must equal ``expected`` within tolerance, element by element."""
    try:
        actual = np.asarray(received, dtype="float64")
    except (TypeError, ValueError):
        raise fail(what, expected="numbers", received=type(received).__name__, hint=hint) from None
    target = np.asarray(expected, dtype="float64")
    if actual.shape != target.shape:
        raise fail(
            f"the shape of {what}",
            expected=format_shape(target.shape),
            received=format_shape(actual.shape),
            hint=hint,
        )
    if not np.allclose(actual, target, atol=atol, rtol=rtol, equal_nan=False):
        raise fail(what, expected=_short(target), received=_short(actual), hint=hint)


def check_output_shape(
    report: ModelReport, expected: Sequence[int | None], *, hint: str = ""
) -> None:
    """The model's output shape, batch dimension included, e.g. ``(None, 10)``."""
    if report.output_shape is None or tuple(report.output_shape) != tuple(expected):
        raise fail(
            "the model's output shape",
            expected=format_shape(expected),
            received=format_shape(report.output_shape),
            hint=hint,
        )


def check_input_shape(
    report: ModelReport, expected: Sequence[int | None], *, hint: str = ""
) -> None:
    """The model's input shape, batch dimension included, e.g. ``(None, 28, 28)``."""
    if report.input_shape is None or tuple(report.input_shape) != tuple(expected):
        raise fail(
            "the model's input shape",
            expected=format_shape(expected),
            received=format_shape(report.input_shape),
            hint=hint,
        )


def check_parameter_count(
    report: ModelReport,
    *,
    at_most: int | None = None,
    at_least: int | None = None,
    exactly: int | None = None,
    hint: str = "",
) -> int:
    """The parameters counted from the model's weight arrays; returns the count. A model
    with layers but no weight at all was never built, and the message says so."""
    count = report.parameter_count
    if count == 0 and report.layers and (exactly or at_least):
        raise fail(
            "the number of parameters",
            expected=f"{exactly or at_least:,}",
            received="0: the model has no weights yet, since it was never built",
            hint="start the model with keras.Input(shape=...), so that Keras makes its "
            "weights when you build it.",
        )
    if exactly is not None and count != exactly:
        raise fail(
            "the number of parameters", expected=f"{exactly:,}", received=f"{count:,}", hint=hint
        )
    if at_most is not None and count > at_most:
        raise fail(
            "the number of parameters",
            expected=f"at most {at_most:,}",
            received=f"{count:,}",
            hint=hint,
        )
    if at_least is not None and count < at_least:
        raise fail(
            "the number of parameters",
            expected=f"at least {at_least:,}",
            received=f"{count:,}",
            hint=hint,
        )
    return count


def check_layers_present(report: ModelReport, required: Iterable[str], *, hint: str = "") -> None:
    """Every class name in ``required`` is the class of at least one layer."""
    present = set(report.layer_classes)
    missing = [name for name in required if name not in present]
    if missing:
        raise fail(
            "the model's layers",
            expected="to include " + ", ".join(missing),
            received=", ".join(report.layer_classes) or "no layers",
            hint=hint,
        )


REBUILD_HINT = (
    "use only layers from keras.layers, in keras.Sequential or a Functional keras.Model: no "
    "Lambda layer (Rescaling, Reshape or Activation do its usual jobs), no layer class or "
    "subclass of keras.Model of your own."
)


def rebuilt_model(report: ModelReport, *, what: str, hint: str = REBUILD_HINT) -> Any:
    """The model of ``report`` rebuilt in the grading process from its config and weights
    (``course.grading.rebuild``), for a grader that evaluates the model itself. Fails when
    it cannot be rebuilt (a Lambda layer, a custom class, a subclassed model, one too
    large): the grader then has no model of its own to judge, and never takes the
    submission's word for its outputs instead."""
    try:
        return rebuild_model(report.config_json, report.weights)
    except NotRebuildable as error:
        raise fail(
            what,
            expected="a model of standard Keras layers, which the grader rebuilds from its "
            "config and weights to evaluate it itself",
            received=str(error),
            hint=hint,
        ) from None


def predictions_of(
    model: Any,
    inputs: Any,
    *,
    what: str,
    expected: str = "able to predict the inputs the grader chose",
    hint: str = "",
    batch_size: int | None = None,
    rebuild_hint: str = REBUILD_HINT,
) -> np.ndarray:
    """``model.predict(inputs)`` as an array, run in the grading process on inputs the
    grader chose: ``model`` is a model rebuilt here, or a :class:`ModelReport` that
    :func:`rebuilt_model` rebuilds first (failing as it does, with ``what`` and
    ``rebuild_hint``). A model that cannot predict them (an input shape that does not fit,
    say) fails: ``what`` should be ``expected``, received the error, and the ``hint``."""
    if isinstance(model, ModelReport):
        model = rebuilt_model(model, what=what, hint=rebuild_hint)
    try:
        return np.asarray(model.predict(inputs, batch_size=batch_size, verbose=0))
    except Exception as error:
        raise fail(what, expected=expected, received=describe_error(error), hint=hint) from None


_LOSS_WORDS = {
    "sparse_categorical_crossentropy": "sparse categorical cross-entropy",
    "categorical_crossentropy": "categorical cross-entropy",
    "binary_crossentropy": "binary cross-entropy",
    "mean_squared_error": "mean squared error",
    "mean_absolute_error": "mean absolute error",
    "huber": "Huber",
}
#: Keras's other names for the same losses, as ``ModelReport.loss_name`` spells them.
_LOSS_ALIASES = {
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "huber_loss": "huber",
    "bce": "binary_crossentropy",
}
_ACCURACY_METRICS = {
    "sparse_categorical_crossentropy": ("accuracy", "acc", "sparse_categorical_accuracy"),
    "categorical_crossentropy": ("accuracy", "acc", "categorical_accuracy"),
    "binary_crossentropy": ("accuracy", "acc", "binary_accuracy"),
}
_SQUASHING = ("softmax", "sigmoid")
#: Layers that only apply an activation, and the activation each applies.
_ACTIVATION_LAYERS = {"ReLU": "relu", "Softmax": "softmax"}


def _applied_activation(layer: Any) -> str | None:
    """The activation ``layer`` applies: an activation layer's own, or its ``activation``
    argument (a serialised one read by name); ``None`` for a layer that has neither."""
    if layer.class_name in _ACTIVATION_LAYERS:
        return _ACTIVATION_LAYERS[layer.class_name]
    config = layer.config or {}
    if layer.class_name != "Activation" and "activation" not in config:
        return None
    activation = config.get("activation")
    if isinstance(activation, dict):
        activation = activation.get("config", {}).get("name") or activation.get("class_name")
    return "linear" if activation is None else str(activation)


def output_activation(report: ModelReport) -> str | None:
    """The activation the model's last layer applies (``softmax``, ``sigmoid``, ``linear``,
    ...), read from its config; ``None`` when there is no layer to read."""
    return _applied_activation(report.layers[-1]) if report.layers else None


def check_compiled(
    report: ModelReport,
    *,
    loss: str,
    accuracy: bool = True,
    what: str = "the model",
    compile_hint: str = "",
) -> None:
    """:func:`check_loss`, then (with ``accuracy``) :func:`check_accuracy_metric`."""
    check_loss(report, loss=loss, what=what, compile_hint=compile_hint)
    if accuracy:
        check_accuracy_metric(report, loss=loss, what=what)


def check_loss(
    report: ModelReport,
    *,
    loss: str | Sequence[str],
    what: str = "the model",
    compile_hint: str = "",
    raw_scores: bool = False,
) -> None:
    """The model is compiled with ``loss`` (a snake_case name, or several the exercise
    allows, the first named in hints; given as a string, a class or a function alike, and
    by Keras's short names: ``"mse"`` is ``mean_squared_error``), with ``from_logits``
    agreeing with its output: a softmax or sigmoid output with ``from_logits=True`` fails,
    as the loss would apply it twice. Where the exercise's model ends in raw scores
    (``raw_scores``), a cross-entropy without ``from_logits=True`` on a last layer with no
    activation fails too, as it would read them as probabilities; elsewhere a missing
    softmax or sigmoid is the output check's to name, not this one's.

    Self-reported: the compile settings are the worker's description of the model.
    """
    allowed = (loss,) if isinstance(loss, str) else tuple(loss)
    words = " or ".join(_LOSS_WORDS.get(name, name.replace("_", " ")) for name in allowed)
    if not report.compiled:
        raise fail(
            what,
            expected="compiled",
            received="a model that is not compiled",
            hint=compile_hint
            or f"call model.compile(...) with loss='{allowed[0]}' before returning it.",
        )
    name = _LOSS_ALIASES.get(report.loss_name or "", report.loss_name)
    if name not in allowed:
        raise fail(
            f"the loss of {what}",
            expected=words,
            received=report.loss_name or "no recognisable loss",
            hint=compile_hint or f"compile with loss='{allowed[0]}'.",
        )
    compiled_loss = (report.compile_config or {}).get("loss")
    config = compiled_loss.get("config") if isinstance(compiled_loss, dict) else None
    from_logits = config.get("from_logits") if isinstance(config, dict) else None
    activation = output_activation(report)
    if from_logits is True and activation in _SQUASHING:
        raise fail(
            f"from_logits in the loss of {what}",
            expected=f"False, since the last layer already applies {activation}",
            received="True",
            hint=f"from_logits=True expects raw scores; with a {activation} output, leave it out.",
        )
    crossentropy = str(name).endswith("crossentropy")
    if raw_scores and crossentropy and from_logits is not True and activation == "linear":
        squash = "sigmoid" if name == "binary_crossentropy" else "softmax"
        raise fail(
            f"from_logits in the loss of {what}",
            expected="True, since the last layer outputs raw scores (no activation)",
            received="False" if from_logits is False else "False (the default)",
            hint=f"either end with activation='{squash}', or compile with "
            f"keras.losses.{str(name).title().replace('_', '')}(from_logits=True).",
        )


def check_accuracy_metric(report: ModelReport, *, loss: str, what: str = "the model") -> None:
    """The model reports an accuracy that suits ``loss`` while it trains;
    ``keras.metrics.Accuracy()`` (outputs equal to labels) fails with the reason.

    Self-reported: the compile settings are the worker's description of the model.
    """
    accepted = _ACCURACY_METRICS.get(loss, ("accuracy", "acc"))
    metrics = (report.compile_config or {}).get("metrics")
    if "Accuracy" in _class_names(metrics) and loss in _ACCURACY_METRICS:
        raise fail(
            f"the accuracy metric of {what}",
            expected="one that compares the predicted class with the label",
            received="keras.metrics.Accuracy(), which checks that the outputs equal the labels",
            hint="write metrics=['accuracy'].",
        )
    if not set(report.metric_names) & set(accepted):
        raise fail(
            f"the metrics of {what}",
            expected="a list that includes accuracy",
            received=", ".join(report.metric_names) or "no metrics",
            hint="pass metrics=['accuracy'] to model.compile.",
        )


def check_optimizer(
    report: ModelReport,
    name: str,
    *,
    learning_rate: float | None = None,
    settings: Mapping[str, float] | None = None,
    what: str = "the model",
    hint: str = "",
) -> None:
    """The model is compiled with the optimizer ``name`` (lower case: ``adam``, ``sgd``)
    and, when given, ``learning_rate`` and the other numeric ``settings`` of its config
    (``{"momentum": 0.9}``), each to a relative 1e-4.

    Self-reported: the compile settings are the worker's description of the model.
    """
    if report.optimizer_name != name:
        raise fail(
            f"the optimizer of {what}",
            expected=name.capitalize() if name != "sgd" else "SGD",
            received=report.optimizer_name or "none",
            hint=hint,
        )
    rate = report.learning_rate
    if learning_rate is not None and (
        rate is None or not np.isclose(rate, learning_rate, rtol=1e-4)
    ):
        raise fail(
            f"the learning rate of {what}",
            expected=f"{learning_rate:g}",
            received="unknown" if rate is None else f"{rate:.4g}",
            hint=hint,
        )
    optimizer = (report.compile_config or {}).get("optimizer")
    config = (optimizer.get("config") if isinstance(optimizer, dict) else None) or {}
    for setting, wanted in (settings or {}).items():
        value = config.get(setting)
        number = None if isinstance(value, bool) else value
        if not isinstance(number, int | float) or not np.isclose(number, wanted, rtol=1e-4, atol=0):
            raise fail(
                f"the {setting} of the optimizer of {what}",
                expected=f"{wanted:g}",
                received="not set" if value is None else repr(value),
                hint=hint,
            )


def _effective_activation(layers: Sequence[Any], index: int) -> str:
    """The activation applied after layer ``index``: its own, or when it has none (linear),
    that of an ``Activation``/``ReLU``/``Softmax`` layer right after it."""
    own = _applied_activation(layers[index]) or "linear"
    if own != "linear" or index + 1 >= len(layers):
        return own
    following = layers[index + 1]
    if following.class_name in _ACTIVATION_LAYERS or following.class_name == "Activation":
        return _applied_activation(following) or "linear"
    return "linear"


def check_layer_arguments(
    report: ModelReport,
    layer_class: str,
    expected: Sequence[Mapping[str, Any]],
    *,
    what: str = "the model",
    hint: str = "",
) -> None:
    """The ``layer_class`` layers of the model, in order, have the arguments an exercise
    names: one mapping per layer, e.g. ``[{"units": 10, "activation": "relu"}, ...]``.

    Self-reported: read from the layers' configs as the worker describes them (the configs
    the grader rebuilds the model from where it evaluates it); a check built on this alone
    says so and is worth 1 point. An
    activation may also be written as an ``Activation``, ``ReLU`` or ``Softmax`` layer right
    after a linear one: ``Dense(10)`` then ``ReLU()`` is ``Dense(10, activation="relu")``.
    """
    indices = [i for i, layer in enumerate(report.layers) if layer.class_name == layer_class]
    if len(indices) != len(expected):
        raise fail(
            f"the {layer_class} layers of {what}",
            expected=f"{len(expected)}",
            received=f"{len(indices)}",
            hint=hint,
        )
    for number, (index, wanted) in enumerate(zip(indices, expected, strict=True), start=1):
        config = report.layers[index].config or {}
        for key, value in wanted.items():
            received = (
                _effective_activation(report.layers, index)
                if key == "activation"
                else config.get(key)
            )
            same = (
                isinstance(received, int | float)
                and isinstance(value, int | float)
                and bool(np.isclose(received, value, rtol=1e-6))
            )
            if not same and received != value:
                raise fail(
                    f"the {key} of {layer_class} layer {number} of {what}",
                    expected=repr(value),
                    received=repr(received),
                    hint=hint,
                )


def _class_names(metrics: Any) -> set[str]:
    """The class names of the metric objects in a compile config's ``metrics``, however
    nested (one list per output, a dict per output name)."""
    if isinstance(metrics, dict) and "class_name" in metrics:
        return {str(metrics["class_name"])}
    if isinstance(metrics, dict):
        return {name for group in metrics.values() for name in _class_names(group)}
    if isinstance(metrics, list):
        return {name for item in metrics for name in _class_names(item)}
    return set()


def accuracy_of(predictions: np.ndarray, labels: np.ndarray, *, what: str) -> float:
    """Top-1 accuracy of class scores ``predictions`` against integer ``labels``; fails
    (naming ``what`` was predicted) unless there is one row of scores per label."""
    if predictions.ndim != 2 or predictions.shape[0] != labels.shape[0]:
        raise fail(
            f"the predictions on {what}",
            expected=f"one row of class scores per image, shape ({labels.shape[0]}, classes)",
            received=format_shape(predictions.shape),
        )
    return float(np.mean(np.argmax(predictions, axis=1) == labels))


def _majority_share(labels: np.ndarray) -> float:
    """The accuracy of always predicting the most frequent of ``labels``: the trivial
    baseline every accuracy threshold must sit well above (recorded as a measurement)."""
    values = np.asarray(labels).reshape(-1)
    if values.size == 0:
        return 0.0
    _, counts = np.unique(values, return_counts=True)
    return float(counts.max() / values.size)


def check_accuracy(
    predictions: np.ndarray, labels: np.ndarray, *, at_least: float, what: str, hint: str = ""
) -> float:
    """Top-1 accuracy of class scores ``predictions`` against integer ``labels``."""
    accuracy = measure("accuracy", accuracy_of(predictions, labels, what=what))
    measure("majority class accuracy", _majority_share(labels))
    if not accuracy >= at_least:
        raise fail(
            f"the accuracy on {what}",
            expected=f"at least {at_least:.3f}",
            received=f"{accuracy:.4f}",
            hint=hint,
        )
    note(f"accuracy on {what}: {accuracy:.4f} (needed: at least {at_least:.3f})")
    return accuracy


def check_binary_accuracy(
    scores: np.ndarray,
    labels: np.ndarray,
    *,
    at_least: float,
    what: str,
    hint: str = "",
    history: Mapping[str, Sequence[float]] | None = None,
) -> float:
    """Accuracy of sigmoid ``scores`` (above 0.5: class 1) against 0/1 ``labels``.

    ``what`` names the accuracy in the message (``"the accuracy of ..."``); with the
    training ``history``, the message also lists the training accuracy of each epoch.
    """
    positive = np.asarray(labels).reshape(-1) == 1
    accuracy = measure(
        "accuracy", float(np.mean((np.asarray(scores).reshape(-1) > 0.5) == positive))
    )
    measure("majority class accuracy", _majority_share(positive.astype("int64")))
    if not accuracy >= at_least:
        received = f"{accuracy:.4f}"
        if history is not None:
            logged = history.get("accuracy") or history.get("acc") or ()
            per_epoch = ", ".join(f"{value:.3f}" for value in logged) or "not logged"
            received += f" (training accuracy per epoch: {per_epoch})"
        raise fail(what, expected=f"at least {at_least:.2f}", received=received, hint=hint)
    return accuracy


def _short(array: np.ndarray) -> str:
    if array.ndim == 0:
        return f"{float(array):.6g}"
    text = np.array2string(
        array, threshold=12, separator=", ", formatter={"float_kind": lambda v: f"{v:.6g}"}
    )
    return text if len(text) < 300 else text[:297] + "..."


def check_prefetches(pipelines: Iterable[tuple[DatasetReport, str]]) -> None:
    """Each ``(dataset, the call that built it)`` has a ``prefetch`` step.

    Self-reported: the worker lists the dataset's transformations (prefetching changes no
    element, so nothing the grading process computes can show it).
    """
    for report, call in pipelines:
        if "PrefetchDataset" not in report.transformations:
            steps = [name.removesuffix("Dataset") for name in reversed(report.transformations)]
            raise fail(
                f"the pipeline that {call} builds",
                expected="one with a .prefetch(tf.data.AUTOTUNE) step, usually its last",
                received=" -> ".join(steps) or "no steps",
                hint="end the pipeline with .prefetch(tf.data.AUTOTUNE), so the next batch is "
                "prepared while the model trains on this one.",
            )


# Datasets whose labels are the examples' positions (0, 1, ..., N - 1): the labels that come
# out of a pipeline reveal its order, its batches and which examples it lost or repeated.

INFINITE = -1
"""``tf.data.INFINITE_CARDINALITY``: the cardinality of a dataset that repeats forever."""


def describe_spec(spec: object) -> str:
    """A dataset's element spec, as the worker reports it, in words for a message."""
    if isinstance(spec, list):
        return "(" + ", ".join(describe_spec(item) for item in spec) + ")"
    if isinstance(spec, dict) and isinstance(spec.get("shape"), list):
        return f"{spec.get('dtype')} tensors of shape {format_shape(spec['shape'])}"
    if isinstance(spec, dict) and "type" in spec:
        return str(spec["type"])
    if isinstance(spec, dict):
        return "a dict with keys " + ", ".join(sorted(spec))
    return repr(spec)


def pair_spec(
    report: DatasetReport, call: str, *, pair: str, hint: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The element spec of a dataset of pairs, ``(inputs, targets)``; fails naming ``pair``
    (say "a pair (images, labels)") when the elements are anything else."""
    spec = report.element_spec
    if not (
        isinstance(spec, list)
        and len(spec) == 2
        and all(isinstance(part, dict) and isinstance(part.get("shape"), list) for part in spec)
    ):
        raise fail(
            f"each element of {call}", expected=pair, received=describe_spec(spec), hint=hint
        )
    return spec[0], spec[1]


def format_batches(sizes: Sequence[int]) -> str:
    """``[32, 32, 32, 4]`` as "3 batches of 32, then 1 batch of 4"."""
    runs: list[list[int]] = []
    for size in sizes:
        if runs and runs[-1][0] == size:
            runs[-1][1] += 1
        else:
            runs.append([size, 1])
    parts = [f"{count:,} batch{'es' if count > 1 else ''} of {size}" for size, count in runs[:4]]
    return (", then ".join(parts) or "no batches") + (", ..." if len(runs) > 4 else "")


def format_head(values: np.ndarray, count: int = 8) -> str:
    """The first ``count`` integers of ``values``, as ``[3, 1, 4, ...]``."""
    head = ", ".join(str(int(value)) for value in values[:count])
    return f"[{head}, ...]" if len(values) > count else f"[{head}]"


def check_batch_sizes(report: DatasetReport, call: str, *, count: int, size: int, of: str) -> None:
    """The dataset ends, and groups its ``count`` ``of`` (say "examples") in batches of
    ``size``, all full but the last."""
    if report.cardinality == INFINITE:
        raise fail(
            call,
            expected=f"a dataset that ends after one pass over the {of}",
            received="an infinite dataset",
            hint="remove .repeat(): model.fit(dataset, epochs=...) starts each epoch anew.",
        )
    expected = [size] * (count // size) + [count % size] * bool(count % size)
    if list(report.batch_sizes) != expected:
        raise fail(
            f"the batches of {call} for {count:,} {of}",
            expected=format_batches(expected),
            received=format_batches(report.batch_sizes),
            hint="batch once with .batch(batch_size), after shuffling, without drop_remainder "
            "and without .repeat().",
        )


def check_each_once(positions: np.ndarray, call: str, *, count: int, of: str, hint: str) -> None:
    """The labels a dataset yielded hold each position from 0 to ``count - 1`` once."""
    inside = positions[(positions >= 0) & (positions < count)]
    counts = np.bincount(inside, minlength=count)
    if len(positions) != count or not np.all(counts == 1):
        raise fail(
            f"the {of} from {call}",
            expected=f"each of the {count:,} {of} exactly once",
            received=f"{len(positions):,} {of}: {int(np.sum(counts == 0)):,} missing and "
            f"{int(np.sum(counts > 1)):,} repeated",
            hint=hint,
        )


def check_in_order(positions: np.ndarray, call: str, *, count: int, order: str, hint: str) -> None:
    """The labels a dataset yielded are the positions 0, 1, ... in order (``order`` names
    it: "the order of x"). Only the order is judged: missing or repeated examples are
    :func:`check_each_once`'s."""
    expected = np.arange(count)
    shared = min(len(positions), count)
    differ = np.flatnonzero(positions[:shared] != expected[:shared])
    if shared == 0 or len(differ):
        start = int(differ[0]) if len(differ) else 0
        raise fail(
            f"the examples from {call}, from position {start} on",
            expected=f"in {order}: {format_head(expected[start:])}",
            received=format_head(positions[start:]),
            hint=hint,
        )


def check_shuffled(
    positions: np.ndarray,
    call: str,
    *,
    count: int,
    first_batch: int,
    order: str,
    hint: str,
    buffer_hint: str,
) -> None:
    """The labels a dataset yielded are not in ``order`` (0, 1, ...: ``hint`` says how to
    shuffle), and its first batch (``first_batch`` labels) holds some of the second half (a
    buffer smaller than the data only mixes neighbours: ``buffer_hint``)."""
    if len(positions) >= count and np.array_equal(positions[:count], np.arange(count)):
        raise fail(
            f"the order of the examples from {call}",
            expected="shuffled",
            received=f"{order}: {format_head(positions)}",
            hint=hint,
        )
    first = positions[:first_batch]
    if len(first) and int(first.max()) < count // 2:
        raise fail(
            f"the first batch of {call}",
            expected=f"drawn from all {count:,} examples, some from the second half",
            received=f"only examples up to {int(first.max())}: {format_head(first)}",
            hint=buffer_hint,
        )


def positions_of(report: DatasetReport, call: str, *, pair: str, hint: str) -> np.ndarray:
    """Every label a dataset of pairs yielded, in order: the integer positions the grader
    passed as labels, one per example (see :func:`pair_spec` for ``pair``)."""
    pair_spec(report, call, pair=pair, hint=hint)
    targets = report.targets
    if targets is None or targets.dtype.kind not in "iu" or targets.ndim != 1:
        raise fail(
            f"the labels from {call}",
            expected="the integers passed as labels, one per example",
            received="no labels"
            if targets is None
            else f"{targets.dtype} of shape {targets.shape}",
            hint=hint,
        )
    return targets


# Plots for the student's feedback page. Each ``show_*`` leaves plain data on the current
# check's result (``course.reports.plots`` draws it); the page shows it under the check's
# visibility rules, so a hidden check's plot waits for the due date like its message.

#: The most points a curve keeps, the most classes a confusion matrix, images a gallery and
#: cells a side of a heatmap: enough to read, small enough for a results file.
PLOT_LIMITS = {"points": 2_000, "classes": 20, "images": 16, "side": 64}


_Show = TypeVar("_Show", bound=Callable[..., None])


def _never_fails(show: _Show) -> _Show:
    """A plot is a courtesy: data it cannot draw (the submission's, malformed) leaves no
    plot, and never fails or errors the check that asked for it."""

    @functools.wraps(show)
    def shown(*args: Any, **kwargs: Any) -> None:
        try:
            show(*args, **kwargs)
        except (TypeError, ValueError, OverflowError, IndexError):
            return

    return cast(_Show, shown)


def _numbers(values: Any) -> list[float | None]:
    """At most ``PLOT_LIMITS["points"]`` values, rounded; ``None`` for a NaN or an infinity
    (JSON has no spelling for them; the plot leaves a gap)."""
    array = np.asarray(values, dtype=np.float64).reshape(-1)[: PLOT_LIMITS["points"]]
    return [round(float(v), 6) if np.isfinite(v) else None for v in array]


@_never_fails
def show_history(
    history: Mapping[str, Sequence[float] | np.ndarray], *, title: str = "Training"
) -> None:
    """The training curves of a Keras History's ``history`` (loss and each metric per
    epoch, with their ``val_`` twins): drawn as a loss panel and a metrics panel."""
    series = {str(name): _numbers(values) for name, values in history.items() if values}
    if series:
        notes.plot({"kind": "history", "title": title, "series": series})


@_never_fails
def show_curve(
    series: Mapping[str, Sequence[float] | np.ndarray], *, title: str, x_label: str, y_label: str
) -> None:
    """Named curves over one axis: a forecast against the actual series, a learning rate
    per epoch."""
    kept = {str(name): _numbers(values) for name, values in series.items()}
    notes.plot({"kind": "curves", "title": title, "x": x_label, "y": y_label, "series": kept})


@_never_fails
def show_confusion(
    labels: np.ndarray, predicted: np.ndarray, *, classes: Sequence[str], title: str
) -> None:
    """The confusion matrix of integer ``predicted`` classes against the true ``labels``
    (rows: true class, columns: predicted), for at most 20 classes."""
    count = len(classes)
    if count > PLOT_LIMITS["classes"]:
        return
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    predicted = np.asarray(predicted, dtype=np.int64).reshape(-1)
    inside = (labels >= 0) & (labels < count) & (predicted >= 0) & (predicted < count)
    matrix = np.zeros((count, count), dtype=np.int64)
    np.add.at(matrix, (labels[inside], predicted[inside]), 1)
    notes.plot(
        {"kind": "confusion", "title": title, "classes": list(classes), "matrix": matrix.tolist()}
    )


@_never_fails
def show_images(images: np.ndarray, *, captions: Sequence[str], title: str) -> None:
    """A gallery of at most 16 images (greyscale or RGB, values in [0, 1] or [0, 255]),
    each with its caption: misclassified examples, say."""
    shown = np.asarray(images, dtype=np.float64)[: PLOT_LIMITS["images"]]
    if shown.ndim not in (3, 4) or not len(shown):
        return
    if float(np.nanmax(shown)) > 1.0:
        shown = shown / 255.0
    pixels = np.clip(np.round(np.nan_to_num(shown) * 255), 0, 255).astype(np.uint8)
    notes.plot(
        {
            "kind": "images",
            "title": title,
            "images": pixels.tolist(),
            "captions": [str(caption) for caption in captions[: len(pixels)]],
        }
    )


@_never_fails
def show_heatmap(
    matrix: np.ndarray,
    *,
    title: str,
    x_labels: Sequence[str] = (),
    y_labels: Sequence[str] = (),
) -> None:
    """A matrix as a heatmap, at most 64 by 64 (attention weights: rows attend to columns)."""
    side = PLOT_LIMITS["side"]
    values = np.asarray(matrix, dtype=np.float64)
    if values.ndim != 2:
        return
    values = values[:side, :side]
    notes.plot(
        {
            "kind": "heatmap",
            "title": title,
            "matrix": [_numbers(row) for row in values],
            "x_labels": [str(label) for label in x_labels[: values.shape[1]]],
            "y_labels": [str(label) for label in y_labels[: values.shape[0]]],
        }
    )


@_never_fails
def show_mistakes(
    scores: np.ndarray,
    labels: np.ndarray,
    *,
    classes: Sequence[str],
    images: np.ndarray | None = None,
    on: str = "the test images",
) -> None:
    """A classifier's confusion matrix ``on`` some examples, from its class ``scores`` (one
    row per example: probabilities or logits; one column of sigmoid scores for two classes)
    and the true ``labels``; with ``images``, the first 16 it got wrong, captioned "true as
    predicted"."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels).reshape(-1).astype(np.int64)
    if scores.ndim == 1 or (scores.ndim == 2 and scores.shape[1] == 1 and len(classes) == 2):
        predicted = (scores.reshape(-1) > 0.5).astype(np.int64)
    elif scores.ndim == 2 and scores.shape[1] == len(classes):
        predicted = np.argmax(scores, axis=1)
    else:
        return  # the accuracy check says what is wrong with the predictions
    if len(predicted) != len(labels):
        return
    show_confusion(labels, predicted, classes=classes, title=f"Confusion matrix on {on}")
    if images is not None:
        wrong = np.flatnonzero(predicted != labels)[: PLOT_LIMITS["images"]]
        show_images(
            np.asarray(images)[wrong],
            captions=[f"{classes[labels[i]]} as {classes[predicted[i]]}" for i in wrong],
            title=f"Some of {on} the model got wrong (true class as predicted class)",
        )


def draw_between(rng: np.random.Generator, bounds: tuple[int, int]) -> int:
    """An integer drawn from ``rng`` in the inclusive range ``bounds`` (both ends can come)."""
    return int(rng.integers(bounds[0], bounds[1] + 1))
