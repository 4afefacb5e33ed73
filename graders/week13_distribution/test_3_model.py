"""Week 13 grader, part 3: a model built in the strategy's scope (exercise 13.4).

The worker calls ``build_model(strategy)`` with the grader's MirroredStrategy over its two
logical CPUs, and returns the model's description (layers, output shape, compile settings)
and, for every variable of the model and of its optimizer, the class of the TensorFlow
variable behind it and its number of copies (``strategy.experimental_local_results``). A
variable created in the scope is a ``MirroredVariable`` with one copy per replica (2); one
created outside it is a plain ``ResourceVariable`` (1 copy). Nothing is trained here; exact
answers, no thresholds. Other widths and layers pass, as long as the output has 10 logits
per image.

Self-reported, every check worth 1 point: the classes and copies of the variables, whether
the optimizer is built, and the compile settings are the worker's description of the model
(part 5 rebuilds and evaluates a trained one here). Nothing is drawn: ``build_model`` takes
only the strategy.
"""

from __future__ import annotations

from typing import Any

import pytest

from course.grading.reports import ModelReport, expect
from course.grading.submission import Submission
from course.probes.distribution import STRATEGY
from course.testing import (
    check_layer_arguments,
    check_loss,
    check_optimizer,
    check_output_shape,
    fail,
)

from . import replies
from .replies import REPLICAS

pytestmark = pytest.mark.visibility("visible")

_SCOPE_HINT = (
    "create the model, compile it and build its optimizer inside `with strategy.scope():`."
)


@pytest.fixture(scope="module")
def built(submission: Submission) -> dict[str, Any]:
    """The worker's description of ``build_model(strategy)``, its fields type-checked."""
    value = replies.probe(
        submission,
        "distribution.model",
        action="build_model(strategy)",
        builder="build_model",
        args=[STRATEGY],
    )
    value["model"] = ModelReport.from_plain(value.get("model"))
    for key in ("variables", "optimizer_variables"):
        for variable in expect(value.get(key), list, what=key):
            for field, kind in (("path", str), ("kind", str), ("copies", int)):
                expect(expect(variable, dict, what="a variable").get(field), kind, what=field)
    expect(value.get("optimizer_built"), bool, what="the optimizer's built flag")
    if value.get("optimizer") is not None:
        expect(value["optimizer"], str, what="the optimizer's class")
    return value


def _unmirrored(variables: list[dict[str, Any]], copies: int) -> str:
    """The first three of ``variables`` that do not have ``copies`` copies, or nothing."""
    wrong = [
        f"{v['path']} ({v['kind']}, {v['copies']} cop{'y' if v['copies'] == 1 else 'ies'})"
        for v in variables
        if v["copies"] != copies
    ]
    return ", ".join(wrong[:3]) + (f" and {len(wrong) - 3} more" if len(wrong) > 3 else "")


@pytest.mark.points(1)
def test_model_variables_are_mirrored(built: dict[str, Any]) -> None:
    """the model's variables are MirroredVariables, one copy on each replica

    Self-reported: each variable's class and number of copies, as the worker finds them."""
    variables = built["variables"]
    if not variables:
        raise fail(
            "the variables of the model from build_model(strategy)",
            expected="the weights of its layers",
            received="none",
            hint="start the model with keras.Input(shape=(28, 28)) so that it is built.",
        )
    wrong = _unmirrored(variables, REPLICAS)
    if wrong:
        raise fail(
            f"each variable of the model (the strategy has {REPLICAS} replicas)",
            expected=f"a MirroredVariable with {REPLICAS} copies",
            received=wrong,
            hint=_SCOPE_HINT,
        )


@pytest.mark.points(1)
def test_optimizer_is_built_in_the_same_scope(built: dict[str, Any]) -> None:
    """the optimizer's variables exist already, mirrored like the model's

    Self-reported: the optimizer's built flag and its variables' classes and copies."""
    if built["optimizer"] is None:
        raise fail(
            "the model from build_model(strategy)",
            expected="compiled, with an optimizer",
            received="a model that is not compiled",
            hint="model.compile(optimizer=keras.optimizers.Adam(), ...) inside the scope.",
        )
    trainable = sum(built["model"].weight_trainable)
    if not built["optimizer_built"]:
        raise fail(
            f"the {built['optimizer']} optimizer of the model from build_model(strategy)",
            expected=f"built: its variables (for Adam, 2 per trainable weight: {2 * trainable}) "
            "created in the scope",
            received="not built yet (Keras would create them at the first training step, "
            "inside strategy.run in a custom loop, where that fails)",
            hint="model.optimizer.build(model.trainable_variables) inside the scope, after "
            "compile.",
        )
    copies = {v["copies"] for v in built["variables"]}
    expected = copies.pop() if len(copies) == 1 else REPLICAS
    wrong = _unmirrored(built["optimizer_variables"], expected)
    if wrong:
        raise fail(
            "each variable of the optimizer",
            expected=f"{expected} copies, like the model's variables",
            received=wrong,
            hint=_SCOPE_HINT,
        )


@pytest.mark.points(1)
def test_model_layers(built: dict[str, Any]) -> None:
    """build_model's model is Flatten, Dense(128, relu), Dense(10) (logits)

    Self-reported: the layers' configs, as the worker describes them."""
    check_layer_arguments(
        built["model"],
        "Dense",
        [{"units": 128, "activation": "relu"}, {"units": 10, "activation": "linear"}],
        what="the model from build_model(strategy)",
        hint='keras.Input(shape=(28, 28)), Flatten(), Dense(128, activation="relu"), '
        "Dense(10): without the ReLU the two Dense layers make one linear map.",
    )


@pytest.mark.points(1)
def test_model_is_compiled_for_ten_classes(built: dict[str, Any]) -> None:
    """build_model's model outputs 10 logits and is compiled with Adam and sparse CE

    Self-reported: the output shape and compile settings, as the worker describes them."""
    report: ModelReport = built["model"]
    check_output_shape(report, (None, 10), hint="end with keras.layers.Dense(10): one per class.")
    hint = (
        "model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses."
        "SparseCategoricalCrossentropy(from_logits=True), metrics=['accuracy']) inside the scope."
    )
    what = "the model from build_model(strategy)"
    check_loss(
        report,
        loss="sparse_categorical_crossentropy",
        what=what,
        compile_hint=hint,
        raw_scores=True,
    )
    check_optimizer(report, "adam", what=what, hint=hint)
