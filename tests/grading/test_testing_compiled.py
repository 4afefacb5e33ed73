"""course.testing.check_compiled: the loss, from_logits against the output, the metric."""

from __future__ import annotations

from typing import Any

import pytest

from course.grading.errors import CheckFailed
from course.grading.reports import ModelReport
from course.probes.models import describe_model
from course.testing import check_compiled, check_loss, output_activation

keras = pytest.importorskip("keras")


def _report(activation: str | None, **compile_args: Any) -> ModelReport:
    layers: list[Any] = [keras.Input((4,)), keras.layers.Dense(3, activation=activation)]
    model = keras.Sequential(layers)
    if compile_args:
        model.compile(optimizer="adam", **compile_args)
    return ModelReport.from_plain(describe_model(model))


def _failure(report: ModelReport, **kwargs: Any) -> str:
    with pytest.raises(CheckFailed) as failed:
        check_compiled(report, what="the model from build_model()", **kwargs)
    return str(failed.value)


@pytest.mark.parametrize(
    "loss",
    [
        "sparse_categorical_crossentropy",
        "SparseCategoricalCrossentropy",
        keras.losses.SparseCategoricalCrossentropy(),
        keras.losses.sparse_categorical_crossentropy,
    ],
    ids=["string", "class name", "object", "function"],
)
def test_the_loss_is_recognised_however_it_is_given(loss: Any) -> None:
    """A string, a class name, a loss object and a loss function all pass."""
    report = _report("softmax", loss=loss, metrics=["accuracy"])
    check_compiled(report, loss="sparse_categorical_crossentropy")


def test_an_uncompiled_model_fails_naming_compile() -> None:
    """A model that was never compiled fails with the compile call to add."""
    message = _failure(_report("softmax"), loss="sparse_categorical_crossentropy")
    assert "should be compiled" in message
    assert "model.compile" in message


def test_another_loss_fails_naming_both() -> None:
    """A categorical loss where integer labels need the sparse one fails naming both."""
    report = _report("softmax", loss="categorical_crossentropy", metrics=["accuracy"])
    message = _failure(report, loss="sparse_categorical_crossentropy")
    assert "sparse categorical cross-entropy" in message
    assert "Received: categorical_crossentropy" in message


def test_from_logits_with_a_softmax_output_fails() -> None:
    """from_logits=True on a softmax output applies softmax twice: the check names it."""
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    message = _failure(
        _report("softmax", loss=loss, metrics=["accuracy"]),
        loss="sparse_categorical_crossentropy",
    )
    assert message.startswith("from_logits in the loss of the model from build_model()")
    assert "already applies softmax" in message


@pytest.mark.parametrize(
    ("loss", "received"),
    [
        ("sparse_categorical_crossentropy", "False (the default)"),
        (keras.losses.SparseCategoricalCrossentropy(), "False"),
    ],
)
def test_raw_scores_without_from_logits_fail(loss: Any, received: str) -> None:
    """Where the model should end in raw scores, a loss that reads them as probabilities
    fails, saying to pass from_logits=True (or add the softmax); elsewhere the missing
    softmax is the output check's to name, so the loss check passes."""
    report = _report(None, loss=loss, metrics=["accuracy"])
    check_loss(report, loss="sparse_categorical_crossentropy")
    with pytest.raises(CheckFailed) as failed:
        check_loss(report, loss="sparse_categorical_crossentropy", raw_scores=True)
    message = str(failed.value)
    assert "should be True, since the last layer outputs raw scores" in message
    assert f"Received: {received}" in message
    assert "SparseCategoricalCrossentropy(from_logits=True)" in message


def test_from_logits_with_raw_scores_passes() -> None:
    """from_logits=True on a linear output is right: the loss applies softmax itself."""
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    check_compiled(
        _report(None, loss=loss, metrics=["accuracy"]), loss="sparse_categorical_crossentropy"
    )


def test_a_metric_that_compares_outputs_with_labels_fails() -> None:
    """keras.metrics.Accuracy() compares outputs with labels, not classes: the check says so."""
    report = _report(
        "softmax", loss="sparse_categorical_crossentropy", metrics=[keras.metrics.Accuracy()]
    )
    assert "Accuracy()" in _failure(report, loss="sparse_categorical_crossentropy")


def test_no_accuracy_metric_fails_unless_none_is_asked() -> None:
    """Without an accuracy metric the check fails, unless ``accuracy=False``."""
    report = _report("sigmoid", loss="binary_crossentropy")
    assert "includes accuracy" in _failure(report, loss="binary_crossentropy")
    check_compiled(report, loss="binary_crossentropy", accuracy=False)


def test_output_activation_reads_the_last_layer() -> None:
    """The last layer's activation, from a Dense argument or a Softmax layer."""
    assert output_activation(_report("softmax")) == "softmax"
    assert output_activation(_report(None)) == "linear"
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Softmax()])
    assert output_activation(ModelReport.from_plain(describe_model(model))) == "softmax"


def test_the_optimizer_and_its_learning_rate_are_checked() -> None:
    """check_optimizer names the optimizer and the learning rate the exercise asks for."""
    from course.testing import check_optimizer

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
    report = ModelReport.from_plain(describe_model(model))
    check_optimizer(report, "adam", learning_rate=0.01)
    with pytest.raises(CheckFailed, match=r"Received: 0\.01"):
        check_optimizer(report, "adam", learning_rate=0.001)
    with pytest.raises(CheckFailed, match="the optimizer of the model should be SGD"):
        check_optimizer(report, "sgd")


def test_layer_arguments_are_read_from_the_config_activation_layers_included() -> None:
    """check_layer_arguments compares the arguments an exercise names, in layer order; a
    ReLU layer after a linear Dense counts as its activation."""
    from course.testing import check_layer_arguments

    def report(*layers: Any) -> ModelReport:
        model = keras.Sequential([keras.Input((4,)), *layers])
        return ModelReport.from_plain(describe_model(model))

    named = [{"units": 10, "activation": "relu"}, {"units": 1, "activation": "linear"}]
    check_layer_arguments(
        report(keras.layers.Dense(10, activation="relu"), keras.layers.Dense(1)), "Dense", named
    )
    check_layer_arguments(
        report(keras.layers.Dense(10), keras.layers.ReLU(), keras.layers.Dense(1)), "Dense", named
    )
    with pytest.raises(CheckFailed, match="the activation of Dense layer 1 of the model"):
        check_layer_arguments(report(keras.layers.Dense(10), keras.layers.Dense(1)), "Dense", named)
    with pytest.raises(CheckFailed, match="the Dense layers of the model should be 2"):
        check_layer_arguments(report(keras.layers.Dense(1)), "Dense", named)


def test_optimizer_settings_name_a_missing_momentum() -> None:
    """check_optimizer's settings read the optimizer's config: SGD without its momentum
    fails, naming the setting and what the exercise asks for."""
    from course.testing import check_optimizer

    layers: list[Any] = [keras.Input((4,)), keras.layers.Dense(1)]
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e-6, momentum=0.9), loss="mse")
    report = ModelReport.from_plain(describe_model(model))
    check_optimizer(report, "sgd", learning_rate=1e-6, settings={"momentum": 0.9})
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e-6), loss="mse")
    plain = ModelReport.from_plain(describe_model(model))
    with pytest.raises(CheckFailed, match=r"the momentum of the optimizer .* should be 0\.9"):
        check_optimizer(plain, "sgd", learning_rate=1e-6, settings={"momentum": 0.9})


@pytest.mark.parametrize(
    "loss", ["mse", "mean_squared_error", keras.losses.MeanSquaredError(), keras.losses.Huber()]
)
def test_a_loss_among_several_allowed_passes_by_any_of_its_names(loss: Any) -> None:
    """check_loss takes the losses an exercise allows; Keras's short names count."""
    check_loss(_report(None, loss=loss), loss=("mean_squared_error", "huber"))


def test_a_loss_outside_those_allowed_names_them_all() -> None:
    with pytest.raises(CheckFailed) as failed:
        check_loss(_report(None, loss="mae"), loss=("mean_squared_error", "huber"))
    assert "should be mean squared error or Huber" in str(failed.value)
    assert "loss='mean_squared_error'" in str(failed.value)
