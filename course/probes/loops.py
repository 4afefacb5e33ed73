"""Probes for hand-written training loops: train steps, epochs and the steps of a pipeline.

A train step is driven on a model the grader describes as plain data (its Dense layers and
weights), built here, with plain SGD and binary cross-entropy built here too, so the grader
can compute the expected update itself. Two of these objects are instrumented, without
changing what they compute:

* the optimizer refuses a ``None`` gradient with a message that explains it (a forward pass
  run outside the ``GradientTape`` block gives ``None`` for every variable, and Keras's own
  error, "No gradients provided for any variable", does not say why);
* the loss counts how often its Python code runs, in graph mode (while ``tf.function``
  traces) and in eager mode, which tells the grader how often a compiled step was traced,
  whether or not the submission returns the ``tf.function`` itself.

The steps of a ``tf.data`` pipeline are read from the graph the dataset serialises to
(``Dataset._as_serialized_graph()``: the ops tf.data actually runs, ``CacheDatasetV2``,
``ParallelMapDatasetV2``...). In TensorFlow 2.21 that graph holds every transformation,
inside ``zip`` branches and behind ``with_options`` too; when a dataset cannot be
serialised (a ``py_function`` in a map, say), the chain of Python dataset objects
(``_input_dataset``) is used instead.
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

import numpy as np

from course.probes import probe
from course.probes.errors import InvalidReturn, ProbeError
from course.probes.values import get_callable, prepare_arguments, to_plain

#: Activations a grader's model may use (its layers are built here, from plain data).
_ACTIVATIONS = frozenset({"linear", "sigmoid", "relu", "tanh"})
_DATASET_OP = re.compile(r"^_?(?P<name>[A-Za-z0-9]+?)Dataset(V\d+)?$")


class MissingGradients(ProbeError):
    """The submission passed ``None`` gradients to the optimizer."""


def recording_sequential(layers: list[Any], flags: list[str]) -> Any:
    """A ``keras.Sequential`` of ``layers`` that appends the ``training`` argument of each of
    its calls to ``flags``, as text: ``"True"``, ``"False"``, ``"None"`` (not given) or
    ``"a tensor"``. Inside a ``tf.function`` a call is recorded when it is traced."""
    import keras

    class RecordingSequential(keras.Sequential):  # type: ignore[misc]
        def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
            plain = training is None or isinstance(training, bool)
            flags.append(str(training) if plain else "a tensor")
            return super().call(inputs, training=training, mask=mask)

    return RecordingSequential(layers)


def build_dense_model(
    inputs: int, layers: list[dict[str, Any]], weights: list[Any], flags: list[str] | None = None
) -> Any:
    """A built ``Sequential`` of Dense layers with the grader's weights.

    ``layers`` holds ``{"units": int, "activation": str}`` for each layer; ``weights`` is
    what ``model.get_weights()`` would return (kernel, bias, kernel, bias...). With
    ``flags``, the model records the ``training`` argument of its calls there
    (:func:`recording_sequential`).
    """
    import keras

    stack: list[Any] = [keras.Input(shape=(int(inputs),))]
    for layer in layers:
        activation = str(layer["activation"])
        if activation not in _ACTIVATIONS:
            raise ValueError(f"unsupported activation {activation!r}")
        stack.append(keras.layers.Dense(int(layer["units"]), activation=activation))
    model = keras.Sequential(stack) if flags is None else recording_sequential(stack, flags)
    model.set_weights([np.asarray(w, dtype="float32") for w in weights])
    return model


def _checked_sgd(learning_rate: float) -> Any:
    """Plain SGD whose ``apply`` (behind ``apply_gradients`` too) refuses ``None``."""
    import keras

    class CheckedSGD(keras.optimizers.SGD):  # type: ignore[misc]
        def apply(self, grads: Any, trainable_variables: Any = None) -> Any:
            grads = list(grads)
            variables = list(trainable_variables) if trainable_variables is not None else None
            missing = [index for index, grad in enumerate(grads) if grad is None]
            if missing:
                names = variables or self._trainable_variables
                listed = ", ".join(str(names[i].path) for i in missing if i < len(names))
                raise MissingGradients(
                    f"the optimizer received None as the gradient of {len(missing)} of "
                    f"{len(grads)} variables ({listed}). tape.gradient(loss, variables) gives "
                    "None for a variable when the tape did not record how the loss depends on "
                    "it. Hint: run the forward pass, predictions = model(x, training=True) and "
                    "loss = loss_fn(y, predictions), inside the `with tf.GradientTape() as "
                    "tape:` block, then call tape.gradient(loss, model.trainable_variables) "
                    "after it."
                )
            return super().apply(grads, variables)

    return CheckedSGD(learning_rate=learning_rate)


def _counting_loss() -> Any:
    """Binary cross-entropy that counts how often its Python code runs, and in which mode."""
    import keras
    import tensorflow as tf

    class CountingBinaryCrossentropy(keras.losses.BinaryCrossentropy):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.graph_calls = 0
            self.eager_calls = 0

        def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
            if tf.executing_eagerly():
                self.eager_calls += 1
            else:
                self.graph_calls += 1
            return super().__call__(y_true, y_pred, sample_weight=sample_weight)

    return CountingBinaryCrossentropy()


def _tracing_count(function: Any) -> int | None:
    counter = getattr(function, "experimental_get_tracing_count", None)
    if counter is None:
        return None
    try:
        return int(counter())
    except Exception:  # a submission's object with a method of that name that misbehaves
        return None


@probe("loops.train_steps")
def train_steps(
    module: ModuleType,
    *,
    compiled: bool,
    inputs: int,
    layers: list[dict[str, Any]],
    weights: list[Any],
    learning_rate: float,
    batches: list[list[Any]],
) -> dict[str, Any]:
    """Train the grader's Dense model on ``batches`` with the submission's train step.

    ``batches`` holds ``[x, y]`` pairs of float32 arrays, passed as tensors. With
    ``compiled`` false, ``train_step(model, optimizer, loss_fn, x, y)`` is called for each
    batch; with ``compiled`` true, ``make_train_step(model, optimizer, loss_fn)`` is called
    once and the ``step(x, y)`` it returns for each batch. ``optimizer`` is
    ``keras.optimizers.SGD(learning_rate)``, built before the first step (so no variable is
    created while a step is traced); ``loss_fn`` is ``keras.losses.BinaryCrossentropy()``.

    Returns ``weights_before`` and ``weights_after_first`` (after the first step);
    ``losses``, what each call returned; ``graph_loss_calls`` and ``eager_loss_calls``, how
    often the loss's Python code had run, in graph and in eager mode, after each call;
    ``tracing_counts``, the step's ``experimental_get_tracing_count()`` after each call
    (``None`` when it has none); and ``training_flags``, the distinct ``training``
    arguments the model was called with (:func:`recording_sequential`).
    """
    import tensorflow as tf

    flags: list[str] = []
    model = build_dense_model(inputs, layers, weights, flags)
    optimizer = _checked_sgd(float(learning_rate))
    optimizer.build(model.trainable_variables)
    loss_fn = _counting_loss()
    weights_before = [np.array(w) for w in model.get_weights()]
    if compiled:
        step = get_callable(module, "make_train_step")(model, optimizer, loss_fn)
        if not callable(step):
            raise InvalidReturn(
                f"make_train_step() returned a {type(step).__name__}, not a function "
                "step(x, y); return the tf.function"
            )
        name = "the step from make_train_step()"
    else:
        train_step = get_callable(module, "train_step")

        def step(x: Any, y: Any) -> Any:
            return train_step(model, optimizer, loss_fn, x, y)

        name = "train_step()"
    report: dict[str, Any] = {
        "weights_before": weights_before,
        "weights_after_first": None,
        "losses": [],
        "graph_loss_calls": [],
        "eager_loss_calls": [],
        "tracing_counts": [],
    }
    for index, (x, y) in enumerate(batches):
        loss = step(tf.constant(x, dtype=tf.float32), tf.constant(y, dtype=tf.float32))
        report["losses"].append(to_plain(loss, what=f"the loss {name} returned"))
        report["graph_loss_calls"].append(loss_fn.graph_calls)
        report["eager_loss_calls"].append(loss_fn.eager_calls)
        report["tracing_counts"].append(_tracing_count(step))
        if index == 0:
            report["weights_after_first"] = [np.array(w) for w in model.get_weights()]
    report["training_flags"] = sorted(set(flags))
    return report


@probe("loops.one_epoch")
def one_epoch(
    module: ModuleType,
    *,
    epochs: list[list[Any]],
    batch_size: int,
    earlier_losses: list[float],
) -> dict[str, Any]:
    """Run ``train_one_epoch(step, dataset, loss_metric)`` once per ``[x, y]`` in ``epochs``.

    ``step`` is a stand-in that trains nothing: its "loss" is the mean of the batch's
    labels, so the grader knows every loss in advance; it records each loss it returns.
    ``dataset`` is ``from_tensor_slices((x, y)).batch(batch_size)``. One
    ``keras.metrics.Mean`` serves every epoch, as in a real loop; before the first it
    receives ``earlier_losses``, as if an earlier epoch had just ended.

    Returns ``results`` (what each call returned), ``losses`` (per epoch, the stand-in's
    losses in call order; NaN for a call made while tracing a graph) and ``metric_results``
    (``loss_metric.result()`` after each epoch).
    """
    import keras
    import tensorflow as tf

    train_one_epoch = get_callable(module, "train_one_epoch")
    recorded: list[float] = []

    def step(x: Any, y: Any) -> Any:
        loss = tf.reduce_mean(tf.cast(y, tf.float32))
        recorded.append(float(loss) if tf.executing_eagerly() else float("nan"))
        return loss

    loss_metric = keras.metrics.Mean()
    for value in earlier_losses:
        loss_metric.update_state(float(value))
    results: list[Any] = []
    losses: list[list[float]] = []
    metric_results: list[float] = []
    for x, y in epochs:
        recorded.clear()
        dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(int(batch_size))
        result = train_one_epoch(step, dataset, loss_metric)
        results.append(to_plain(result, what="the value train_one_epoch() returned"))
        losses.append(list(recorded))
        metric_results.append(float(loss_metric.result()))
    return {"results": results, "losses": losses, "metric_results": metric_results}


def _step_name(op: str) -> str:
    """``CacheDatasetV2`` (or the Python class ``_ParallelMapDataset``) as ``Cache``."""
    match = _DATASET_OP.match(op)
    return match.group("name") if match else op.lstrip("_")


def _dataset_input(node: Any, nodes: dict[str, Any]) -> Any:
    """The first input of ``node`` that is a dataset op, or ``None`` at a source."""
    for item in node.input:
        parent = nodes.get(item.split(":")[0])
        if not item.startswith("^") and parent is not None and _DATASET_OP.match(parent.op):
            return parent
    return None


def _graph_steps(dataset: Any) -> tuple[list[str], list[str]]:
    """(the path from the source to the output, following first inputs; every dataset op)."""
    import tensorflow as tf

    graph = tf.compat.v1.GraphDef()
    graph.ParseFromString(dataset._as_serialized_graph().numpy())
    nodes = {node.name: node for node in graph.node}
    output = next((node for node in graph.node if node.op == "_Retval"), None)
    path: list[str] = []
    node = _dataset_input(output, nodes) if output is not None else None
    while node is not None and len(path) < len(nodes):
        path.append(node.op)
        node = _dataset_input(node, nodes)
    steps = [node.op for node in graph.node if _DATASET_OP.match(node.op)]
    return [_step_name(op) for op in reversed(path)], [_step_name(op) for op in steps]


def _python_steps(dataset: Any) -> list[str]:
    names: list[str] = []
    node = dataset
    while node is not None and len(names) < 1_000:
        names.append(_step_name(type(node).__name__))
        node = getattr(node, "_input_dataset", None)
    return list(reversed(names))


@probe("loops.dataset_steps")
def dataset_steps(
    module: ModuleType,
    *,
    function: str,
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The transformations of the ``tf.data.Dataset`` that ``function(*args, **kwargs)``
    returns, without iterating it.

    Returns ``path``, the steps from the source to the output (``["TensorSlice",
    "ParallelMap", "Cache", "Shuffle", "Batch", "Prefetch"]``), following each step's first
    dataset input; ``steps``, every dataset op in the graph, in graph order (branches of a
    ``zip`` included); and ``source``, ``"graph"`` or, when the dataset cannot be serialised,
    ``"python"`` (then ``steps`` equals ``path``).
    """
    import tensorflow as tf

    positional = prepare_arguments(list(args or []), as_tensors=False, module=module)
    keywords = prepare_arguments(dict(kwargs or {}), as_tensors=False, module=module)
    dataset = get_callable(module, function)(*positional, **keywords)
    if not isinstance(dataset, tf.data.Dataset):
        raise InvalidReturn(
            f"{function}() returned a {type(dataset).__name__}, not a tf.data.Dataset"
        )
    try:
        path, steps = _graph_steps(dataset)
        source = "graph"
    except Exception:  # datasets with Python functions (py_function) cannot be serialised
        path = steps = _python_steps(dataset)
        source = "python"
    if not path:
        path = steps = _python_steps(dataset)
        source = "python"
    return {"path": path, "steps": steps, "source": source}
