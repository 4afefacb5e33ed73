"""Week 5 grader, part 3: ``fine_tune(model, first_trainable_layer)`` (exercise 5.3).

In the worker, the submission's own ``build_transfer_model(backbone, num_classes)`` builds
the model and ``fine_tune`` receives it, twice, each time with another first trainable
layer. Drawn afresh at each grading (``course.testing.fresh_rng``): ``num_classes`` (2 to
12) and the two layers, among the backbone's ``conv1``, ``pool1``, ``conv2``, ``pool2`` and
``conv3``, chosen so that they unfreeze different sets of weighted layers (``pool1``
unfreezes what ``conv2`` does): a hard-coded layer fails at least one of them. The worker
describes the result, nested models opened up; here a layer counts as trainable when the
optimizer would update its parameters.

Expected: every backbone layer with weights from ``first_trainable_layer`` on is trainable,
every one before it frozen, the new head trainable; and the model is compiled again with a
learning rate of at most 1e-4 (Adam at 1e-5 in the reference solution), so that fine-tuning
nudges the pretrained weights instead of overwriting them. A model that is not recompiled
keeps the 1e-3 of ``build_transfer_model`` and fails the second check.
"""

from __future__ import annotations

import pytest

from course.grading.submission import Submission, call_spec
from course.testing import check_compiled, fail, fresh_rng

from .models import Backbone, Inspection, inspect_model

pytestmark = pytest.mark.visibility("visible")

MAX_LEARNING_RATE = 1e-4
#: The backbone layers fine_tune may be asked to unfreeze from: those before the cut, whose
#: own weights or whose followers' weights can be trained.
CANDIDATES = ("conv1", "pool1", "conv2", "pool2", "conv3")


def _unfrozen(backbone: Backbone, first: str) -> tuple[str, ...]:
    """The backbone layers with weights that ``fine_tune(model, first)`` makes trainable."""
    start = backbone.layer_names.index(first)
    return tuple(name for name in backbone.kept_layers[start:] if backbone.layer_weights[name])


@pytest.fixture(scope="module")
def fine_tuned(submission: Submission, backbone: Backbone) -> dict[str, Inspection]:
    """The fine-tuned model's description for each of two first trainable layers, drawn for
    this grading so that they unfreeze different layers."""
    rng = fresh_rng(submission, "fine_tune layers")
    first = str(rng.choice(CANDIDATES))
    others = [
        name for name in CANDIDATES if _unfrozen(backbone, name) != _unfrozen(backbone, first)
    ]
    classes = int(fresh_rng(submission, "fine_tune classes").integers(2, 13))
    return {
        layer: inspect_model(
            submission,
            "fine_tune",
            call_spec("build_transfer_model", backbone.spec, classes),
            layer,
            action=f"fine_tune(build_transfer_model(backbone, {classes}), {layer!r})",
        )
        for layer in (first, str(rng.choice(others)))
    }


@pytest.mark.points(3)
def test_unfreezes_from_the_given_layer(
    fine_tuned: dict[str, Inspection], backbone: Backbone
) -> None:
    """the backbone layers from first_trainable_layer on, and the head, become trainable"""
    for first, inspection in fine_tuned.items():
        frozen = backbone.layer_names[: backbone.layer_names.index(first)]
        weighted = [layer.name for layer in inspection.layers if layer.parameters]
        expected = [name for name in weighted if name not in frozen]
        received = [layer.name for layer in inspection.layers if layer.trainable_parameters]
        if received != expected:
            raise fail(
                f"the trainable layers after fine_tune(model, {first!r})",
                expected=f"{', '.join(expected) or 'none'} (the backbone from {first!r} on, "
                "and the head)",
                received=", ".join(received) or "none",
                hint=f"set layer.trainable = True for {first!r} and every layer after it, "
                "and False for the backbone layers before it; then compile again.",
            )


@pytest.mark.points(2)
def test_recompiles_with_a_low_learning_rate(fine_tuned: dict[str, Inspection]) -> None:
    """fine_tune compiles again, for integer labels, with a learning rate of at most 1e-4"""
    model = next(iter(fine_tuned.values())).model
    hint = (
        "compile again after changing trainable, with a small rate: "
        "model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-5), "
        "loss='sparse_categorical_crossentropy', metrics=['accuracy'])."
    )
    check_compiled(
        model,
        loss="sparse_categorical_crossentropy",
        what="the model fine_tune returns",
        compile_hint=hint,
    )
    rate = model.learning_rate
    if rate is None or not 0 < rate <= MAX_LEARNING_RATE:
        raise fail(
            "the learning rate the model is compiled with after fine_tune",
            expected=f"a number above 0 and at most {MAX_LEARNING_RATE:g}",
            received="no plain number" if rate is None else f"{rate:g}",
            hint=hint
            + (
                " 1e-3 is the rate build_transfer_model compiled with: did you compile again?"
                if rate is not None and abs(rate - 1e-3) < 1e-9
                else " A high rate wrecks the pretrained features in a few steps."
            ),
        )
