"""Week 10 grader, part 6: a Functional model with two named outputs (exercise 10.6).

Drawn afresh at each grading (``fresh_rng(submission, "two heads")``): the input width,
from 3 to 10 (``INPUT_DIM``, inclusive), the number of samples, from 24 to 80
(``SAMPLES``), standard normal inputs, and the targets: a standard normal number for
"value" and a 0/1 label (one chance in two) for "is_positive". The worker builds
``build_two_head_model(input_dim)``, predicts the samples and evaluates the compiled model
on them in one batch, with those targets. Keras reports one loss per output
(``value_loss``, ``is_positive_loss``) and the metrics of each output (``value_mae``...);
the grader recomputes each of them from the returned predictions with numpy: the squared
error for "value", the binary cross-entropy for "is_positive", the mean absolute error and
the accuracy. These targets are random: they judge which loss and metric each output has,
not how good the untrained model is.

Self-reported, every check worth 1 point: the output names, the predictions and
``model.evaluate`` all come from the worker; the grader checks that they agree with its own
formulas, which shows which loss and metric each output was compiled with, but it does not
run the model itself. The trunk's check reads the layers' configs as the worker describes
them: the Dense layers other than the two heads must be two ``Dense(32)`` applying relu
(a trunk without it is a linear model, whatever its width, and no random target shows it),
and the layer named "is_positive" must apply sigmoid (a relu there can stay within 0 and 1
on the drawn inputs, and the loss recomputed from its predictions agrees), with a loss that
does not take logits (``from_logits=True`` on a sigmoid output: Keras's TensorFlow backend
recovers the logits and warns, so ``evaluate`` shows nothing; other backends apply sigmoid
twice).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import check_array, check_layer_arguments, draw_between, fail, fresh_rng

from . import reference, replies

pytestmark = pytest.mark.visibility("visible")

BUILDER = "build_two_head_model"
INPUT_DIM = (3, 10)  # inclusive
SAMPLES = (24, 80)  # inclusive
NAMES = ("value", "is_positive")
LOSSES = {"value": "mean squared error", "is_positive": "binary cross-entropy"}
METRICS = {"value": "mean absolute error", "is_positive": "accuracy"}
#: The grader's formulas, by the name the messages give them: the losses, then the metrics.
FORMULAS = {
    "mean squared error": reference.mean_squared_error,
    "mean absolute error": reference.mean_absolute_error,
    "binary cross-entropy": reference.binary_crossentropy,
    "accuracy": reference.binary_accuracy,
}
COMPILE_HINT = (
    "model.compile(optimizer='adam', loss={'value': 'mse', 'is_positive': "
    "'binary_crossentropy'}, metrics={'value': ['mae'], 'is_positive': ['accuracy']}): dicts "
    "keyed by output name, since Keras sorts the outputs of a dict by name."
)


class Heads:
    """The probe's reply, validated: output names, predictions by name, evaluation; and the
    grader's inputs and targets."""

    def __init__(self, reply: object, x: np.ndarray, targets: dict[str, np.ndarray]) -> None:
        self.x, self.targets = x, targets
        self.call = f"{BUILDER}({x.shape[1]})"
        what = f"the description of {self.call}"
        self.names = [str(name) for name in replies.field(reply, "output_names", list, what=what)]
        predictions = replies.field(reply, "predictions", dict, what=what)
        self.predictions = {
            str(name): replies.array(value, what=f"the predictions of output {name!r}")
            for name, value in predictions.items()
        }
        self.compiled = replies.field(reply, "compiled", bool, what=what)
        evaluation = replies.field(reply, "evaluation", (dict, type(None)), what=what) or {}
        self.evaluation = {
            str(key): replies.scalar(value, what=f"the evaluation's {key}")
            for key, value in evaluation.items()
        }

    def require_names(self) -> None:
        """Fail unless the outputs are "value" and "is_positive"."""
        if sorted(self.names) != sorted(NAMES):
            raise fail(
                f"the output names of {self.call}",
                expected=" and ".join(repr(n) for n in NAMES),
                received=", ".join(repr(n) for n in self.names) or "none",
                hint="keras.Model(inputs, {'value': value, 'is_positive': is_positive}), each "
                "head a Dense layer named after its output (name='value', name='is_positive').",
            )


@pytest.fixture(scope="module")
def heads(submission: Submission) -> Heads:
    rng = fresh_rng(submission, "two heads")
    input_dim, samples = draw_between(rng, INPUT_DIM), draw_between(rng, SAMPLES)
    x = rng.normal(size=(samples, input_dim)).astype("float32")
    targets = {
        "value": rng.normal(size=(samples, 1)).astype("float32"),
        "is_positive": (rng.random((samples, 1)) < 0.5).astype("float32"),
    }
    reply = submission.probe(
        "custom.heads",
        action=f"{BUILDER}({input_dim}), its predictions and model.evaluate",
        builder=BUILDER,
        args=[input_dim],
        inputs=x,
        targets=targets,
    )
    return Heads(reply, x, targets)


@pytest.mark.points(1)
@pytest.mark.time_limit(60)
def test_two_head_model_trunk(submission: Submission) -> None:
    """the trunk is two Dense(32) applying relu; is_positive applies sigmoid, its loss too"""
    input_dim = int(fresh_rng(submission, "two heads trunk").integers(3, 11))
    report = submission.model(BUILDER, input_dim)
    trunk = dataclasses.replace(
        report, layers=tuple(layer for layer in report.layers if layer.name not in NAMES)
    )
    check_layer_arguments(
        trunk,
        "Dense",
        [{"units": 32, "activation": "relu"}] * 2,
        what=f"the trunk of {BUILDER}({input_dim}), below the 'value' and 'is_positive' heads",
        hint='two keras.layers.Dense(32, activation="relu") between the Input and the heads: '
        "without relu the trunk is linear, and so is everything it can learn.",
    )
    head = next((layer for layer in report.layers if layer.name == "is_positive"), None)
    activation = None if head is None else (head.config or {}).get("activation")
    if activation != "sigmoid":
        raise fail(
            f"the activation of the 'is_positive' head of {BUILDER}({input_dim})",
            expected="'sigmoid': a probability for binary cross-entropy",
            received="no layer named 'is_positive'" if head is None else repr(activation),
            hint='keras.layers.Dense(1, activation="sigmoid", name="is_positive").',
        )
    losses = (report.compile_config or {}).get("loss")
    loss = losses.get("is_positive") if isinstance(losses, dict) else None
    config = loss.get("config") if isinstance(loss, dict) else None
    if isinstance(config, dict) and config.get("from_logits") is True:
        raise fail(
            f"from_logits in the loss of the 'is_positive' output of {BUILDER}({input_dim})",
            expected="False, since the head already applies sigmoid",
            received="True",
            hint="from_logits=True expects raw scores and would apply sigmoid twice (Keras's "
            "TensorFlow backend spots it and warns, other backends do not): give the loss as "
            "'binary_crossentropy'.",
        )


@pytest.mark.points(1)
@pytest.mark.time_limit(60)
def test_two_head_model_outputs(heads: Heads) -> None:
    """build_two_head_model has two outputs, "value" and "is_positive", one number each

    Self-reported: the output names and the shapes and range of the worker's predictions."""
    heads.require_names()
    for name in NAMES:
        check_array(
            heads.predictions.get(name),
            f"the predictions of the {name!r} output for {len(heads.x)} samples",
            shape=(len(heads.x), 1),
            hint="each head is a Dense(1) layer on top of the shared trunk.",
        )
    probabilities = heads.predictions["is_positive"]
    if probabilities.min() < 0.0 or probabilities.max() > 1.0:
        raise fail(
            "the predictions of the 'is_positive' output",
            expected="probabilities between 0 and 1",
            received=f"values from {probabilities.min():.3f} to {probabilities.max():.3f}",
            hint="Dense(1, activation='sigmoid', name='is_positive').",
        )


def _close(value: float, expected: float) -> bool:
    return bool(np.isclose(value, expected, rtol=1e-3, atol=1e-4))


def _check_evaluation(heads: Heads, kinds: dict[str, str], *, losses: bool) -> None:
    """For each output ``name``, ``model.evaluate`` reports its loss (``name_loss``), or
    with ``losses`` false one of its metrics, equal to the grader's ``kinds[name]``."""
    if not heads.compiled:
        raise fail(
            f"the model from {heads.call}",
            expected="compiled",
            received="not compiled",
            hint=COMPILE_HINT,
        )
    heads.require_names()
    for name in NAMES:
        target, prediction = heads.targets[name], heads.predictions[name]
        computed = {kind: formula(target, prediction) for kind, formula in FORMULAS.items()}
        reported = {
            key: value
            for key, value in heads.evaluation.items()
            if key.startswith(f"{name}_") and (key == f"{name}_loss") == losses
        }
        expected = computed[kinds[name]]
        if not any(_close(value, expected) for value in reported.values()):
            shown = [
                f"{key} = {value:.5g}"
                + "".join(
                    f", which is the {kind}" for kind in computed if _close(value, computed[kind])
                )
                for key, value in reported.items()
            ]
            raise fail(
                f"the {'loss' if losses else 'metrics'} of the {name!r} output in model.evaluate",
                expected=f"its {kinds[name]}, {expected:.5g}",
                received="; ".join(shown) or "no such entry",
                hint=COMPILE_HINT,
            )


@pytest.mark.points(1)
@pytest.mark.time_limit(60)
def test_two_head_model_has_one_loss_per_output(heads: Heads) -> None:
    """each output has its own loss: squared error for "value", cross-entropy for "is_positive\"

    Self-reported: the worker's ``model.evaluate``, against the loss recomputed here from the
    worker's predictions and the grader's targets."""
    _check_evaluation(heads, LOSSES, losses=True)


@pytest.mark.points(1)
@pytest.mark.time_limit(60)
def test_two_head_model_has_metrics_per_output(heads: Heads) -> None:
    """ "value" reports its mean absolute error and "is_positive" its accuracy

    Self-reported: the worker's ``model.evaluate``, against the metrics recomputed here from
    the worker's predictions and the grader's targets."""
    _check_evaluation(heads, METRICS, losses=False)
