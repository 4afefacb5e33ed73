"""The training-loop probes: train steps on a grader model, epochs, pipeline steps.

The probes run here in-process on small modules built in the test (a worker would only add
its start-up time); they judge nothing, so the tests check what they record.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from course.probes import loops
from course.probes.errors import InvalidReturn

tf = pytest.importorskip("tensorflow")

LAYERS = [{"units": 2, "activation": "linear"}, {"units": 1, "activation": "sigmoid"}]
WEIGHTS = [
    np.array([[0.8, 0.1], [-0.4, 0.5], [0.6, -0.3]], dtype="float32"),
    np.array([0.1, -0.1], dtype="float32"),
    np.array([[-0.5], [0.4]], dtype="float32"),
    np.array([0.05], dtype="float32"),
]
_generator = np.random.default_rng(0)
X = _generator.normal(size=(8, 3)).astype("float32")
Y = (_generator.random((8, 1)) > 0.5).astype("float32")


def _module(**functions: Callable[..., Any]) -> types.ModuleType:
    module = types.ModuleType("submission")
    for name, function in functions.items():
        setattr(module, name, function)
    return module


def _train_step(model: Any, optimizer: Any, loss_fn: Any, x: Any, y: Any) -> Any:
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
    return loss


def _run(module: types.ModuleType, *, compiled: bool, batches: list[Any]) -> dict[str, Any]:
    return loops.train_steps(  # type: ignore[no-any-return]
        module,
        compiled=compiled,
        inputs=3,
        layers=LAYERS,
        weights=WEIGHTS,
        learning_rate=0.5,
        batches=batches,
    )


def _sgd_expected() -> list[np.ndarray]:
    w = [v.astype("float64") for v in WEIGHTS]
    hidden = X @ w[0] + w[1]
    p = 1 / (1 + np.exp(-(hidden @ w[2] + w[3])))
    d = (p - Y) / len(X)
    d_hidden = d @ w[2].T
    grads = [X.T @ d_hidden, d_hidden.sum(0), hidden.T @ d, d.sum(0)]
    return [v - 0.5 * g for v, g in zip(w, grads, strict=True)]


def test_train_step_is_driven_eagerly_with_plain_sgd() -> None:
    """train_step gets the grader's model and SGD; the probe records weights and losses."""
    report = _run(_module(train_step=_train_step), compiled=False, batches=[[X, Y]] * 3)
    for received, expected in zip(report["weights_after_first"], _sgd_expected(), strict=True):
        np.testing.assert_allclose(received, expected, atol=1e-6)
    assert len(report["losses"]) == 3
    assert report["eager_loss_calls"] == [1, 2, 3]
    assert report["graph_loss_calls"] == [0, 0, 0]


def test_compiled_step_traces_are_counted() -> None:
    """A tf.function made once traces once per shape; one made per call traces every call."""

    def make_once(model: Any, optimizer: Any, loss_fn: Any) -> Any:
        return tf.function(lambda x, y: _train_step(model, optimizer, loss_fn, x, y))

    def make_per_call(model: Any, optimizer: Any, loss_fn: Any) -> Any:
        return lambda x, y: tf.function(_train_step)(model, optimizer, loss_fn, x, y)

    batches = [[X, Y]] * 3 + [[X[:5], Y[:5]]]
    once = _run(_module(make_train_step=make_once), compiled=True, batches=batches)
    assert once["graph_loss_calls"] == [1, 1, 1, 2]
    assert once["tracing_counts"] == [1, 1, 1, 2]
    for received, expected in zip(once["weights_after_first"], _sgd_expected(), strict=True):
        np.testing.assert_allclose(received, expected, atol=1e-6)
    per_call = _run(_module(make_train_step=make_per_call), compiled=True, batches=batches)
    assert per_call["graph_loss_calls"] == [1, 2, 3, 4]
    assert per_call["tracing_counts"] == [None] * 4


def test_missing_gradients_are_explained() -> None:
    """A forward pass outside the tape gives None gradients: the error says why."""

    def outside(model: Any, optimizer: Any, loss_fn: Any, x: Any, y: Any) -> Any:
        with tf.GradientTape() as tape:
            pass
        loss = loss_fn(y, model(x))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
        return loss

    with pytest.raises(loops.MissingGradients, match=r"inside the `with tf\.GradientTape"):
        _run(_module(train_step=outside), compiled=False, batches=[[X, Y]])


def test_one_epoch_feeds_crafted_losses_to_one_metric() -> None:
    """The stand-in step's losses are the batch label means; the metric is shared."""

    def resets(step: Any, dataset: Any, metric: Any) -> float:
        metric.reset_state()
        for x, y in dataset:
            metric.update_state(step(x, y))
        return float(metric.result())

    def never_resets(step: Any, dataset: Any, metric: Any) -> float:
        for x, y in dataset:
            metric.update_state(step(x, y))
        return float(metric.result())

    features = np.zeros((4, 2), dtype="float32")
    epochs = [
        [features, np.array([[3.0], [3.0], [5.0], [5.0]], dtype="float32")],
        [features, np.array([[1.0], [1.0], [1.0], [1.0]], dtype="float32")],
    ]
    arguments = {"epochs": epochs, "batch_size": 2, "earlier_losses": [10.0]}
    right = loops.one_epoch(_module(train_one_epoch=resets), **arguments)
    assert right == {
        "results": [4.0, 1.0],
        "losses": [[3.0, 5.0], [1.0, 1.0]],
        "metric_results": [4.0, 1.0],
    }
    wrong = loops.one_epoch(_module(train_one_epoch=never_resets), **arguments)
    assert wrong["results"] == pytest.approx([6.0, 4.0])


def _pipeline(x: Any, y: Any, shuffle: bool = False) -> Any:
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).map(lambda a, b: (a, b)).cache()
    if shuffle:
        dataset = dataset.shuffle(len(x))
    return dataset.batch(2).prefetch(1).with_options(tf.data.Options())


def test_dataset_steps_come_from_the_graph() -> None:
    """Every transformation is named, in order from the source, options included."""
    module = _module(make_dataset=_pipeline)
    report = loops.dataset_steps(
        module,
        function="make_dataset",
        args=[np.zeros((4, 2)), np.arange(4)],
        kwargs={"shuffle": True},
    )
    assert report["source"] == "graph"
    assert report["path"] == [
        "TensorSlice",
        "Map",
        "Cache",
        "Shuffle",
        "Batch",
        "Prefetch",
        "Options",
    ]


def test_dataset_steps_see_inside_zip_branches() -> None:
    """A cache in a zipped branch is off the main path but among the steps."""

    def zipped(x: Any, y: Any) -> Any:
        features = tf.data.Dataset.from_tensor_slices(x)
        labels = tf.data.Dataset.from_tensor_slices(y).cache()
        return tf.data.Dataset.zip((features, labels)).batch(2)

    report = loops.dataset_steps(
        _module(make_dataset=zipped), function="make_dataset", args=[np.zeros((4, 2)), np.arange(4)]
    )
    assert report["path"] == ["TensorSlice", "Zip", "Batch"]
    assert "Cache" in report["steps"]


def test_dataset_steps_fall_back_to_python_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    """When a dataset cannot be serialised, the chain of Python datasets is read instead."""

    def unserialisable(dataset: Any) -> Any:
        raise ValueError("cannot serialise")

    monkeypatch.setattr(loops, "_graph_steps", unserialisable)
    report = loops.dataset_steps(
        _module(make_dataset=_pipeline),
        function="make_dataset",
        args=[np.zeros((4, 2)), np.arange(4)],
    )
    assert report["source"] == "python"
    assert report["path"] == ["TensorSlice", "Map", "Cache", "Batch", "Prefetch", "Options"]


def test_dataset_steps_refuse_other_values() -> None:
    """A function that returns something else than a dataset is told so."""
    with pytest.raises(InvalidReturn, match=r"not a tf\.data\.Dataset"):
        loops.dataset_steps(
            _module(make_dataset=lambda x, y: [x, y]), function="make_dataset", args=[1, 2]
        )
