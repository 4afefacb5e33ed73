"""Week 10 grader, part 8: a model of custom pieces, saved and loaded (exercise 10.8).

Drawn afresh at each grading (``fresh_rng(submission, "save and load")``): 100 to 300
training points ``x`` uniform in [-3, 3] on the parabola of part 5 plus normal noise
(standard deviation 0.3), and 20 to 80 inputs uniform in [-3, 3]. In the worker, in a new
folder of its private working directory: ``build_curve_model()`` is trained 2 epochs on
those points (so that its weights are not the initial ones), predicts the inputs, and is
saved with ``save_model(model, ".../curve.keras")``; then ``load_model(path)`` loads it and
the loaded model predicts the same inputs. The predictions must agree within 1e-6, and the
loaded model must be made of the submission's own classes again: its ``QuadraticLayer``
and, when the model was compiled with one, its ``HuberLoss``. Nothing here looks at the
saved file itself: only the worker opens it.

Self-reported, each check worth 1 point: saving and loading happen in the worker, so both
predictions and the classes of the loaded model are the worker's word; the grading process
loads no file it wrote.
"""

from __future__ import annotations

import re

import pytest

from course.grading.submission import Submission
from course.testing import check_close, draw_between, fail, fresh_rng

from . import replies

pytestmark = pytest.mark.visibility("visible")

BUILDER = "build_curve_model"
FILENAME = "curve.keras"
TOLERANCE = 1e-6
TRAINING_POINTS = (100, 300)  # inclusive
INPUTS = (20, 80)  # inclusive
LOAD_HINT = (
    "keras.models.load_model(filepath, custom_objects={'QuadraticLayer': QuadraticLayer, "
    "'HuberLoss': HuberLoss}), or decorate both classes with "
    "@keras.saving.register_keras_serializable()."
)


@pytest.fixture(scope="module")
def round_trip(submission: Submission) -> object:
    rng = fresh_rng(submission, "save and load")
    x = rng.uniform(-3.0, 3.0, size=(draw_between(rng, TRAINING_POINTS), 1)).astype("float32")
    y = (0.5 * x**2 - x + 2.0 + rng.normal(0.0, 0.3, size=x.shape)).astype("float32")
    inputs = rng.uniform(-3.0, 3.0, size=(draw_between(rng, INPUTS), 1)).astype("float32")
    return submission.probe(
        "custom.save_and_load",
        action=f"save_model({BUILDER}() after training, path), then load_model(path)",
        builder=BUILDER,
        saver="save_model",
        loader="load_model",
        filename=FILENAME,
        inputs=inputs,
        x=x,
        y=y,
        fit_options={"epochs": 2, "batch_size": 64},
    )


def _require_loaded(round_trip: object) -> None:
    """Fail unless save_model wrote its file and load_model read it back."""
    if not replies.field(round_trip, "saved", bool, what="the save and load report"):
        raise fail(
            f"the file save_model(model, filepath) writes, for filepath ending in {FILENAME}",
            expected="a file at filepath",
            received="no file there",
            hint="model.save(filepath): save to the path you are given, as it is.",
        )
    error = replies.value(round_trip, "load_error", what="the save and load report")
    if error is not None:
        kind = replies.field(error, "type", str, what="the load error")
        message = " ".join(replies.field(error, "message", str, what="the load error").split())
        missing = re.search(r"Could not locate class '([^']+)'", message)
        raise fail(
            "load_model(path) for the file that save_model wrote",
            expected="the saved model",
            received=f"{kind}: Keras could not find the class {missing[1]!r}"
            if missing
            else f"{kind}: {message[:300]}",
            hint=LOAD_HINT,
        )


@pytest.mark.points(1)
@pytest.mark.time_limit(120)
def test_loaded_model_predicts_the_same(round_trip: object) -> None:
    """the model that load_model reads back predicts exactly what the saved one did

    Self-reported: the worker's predictions before saving and after loading."""
    _require_loaded(round_trip)
    before = replies.array_at(round_trip, "predictions_before", what="the report")
    check_close(
        replies.array_at(round_trip, "predictions_after", what="the report"),
        before,
        f"the predictions of load_model(path) for {len(before)} inputs, within {TOLERANCE} of "
        "those of the saved model,",
        rtol=0,
        atol=TOLERANCE,
        hint="save the whole model with model.save(filepath) (not only its weights) and "
        "load it with " + LOAD_HINT,
    )


@pytest.mark.points(1)
@pytest.mark.time_limit(120)
def test_loaded_model_uses_the_custom_classes(round_trip: object) -> None:
    """the loaded model is made of your QuadraticLayer and HuberLoss again

    Self-reported: the classes of the loaded model's layers and loss, as the worker names them."""
    _require_loaded(round_trip)
    layers = [
        replies.described_class(entry, what="a layer")
        for entry in replies.field(round_trip, "layers_after", list, what="the report")
    ]
    if ("QuadraticLayer", True) not in layers:
        raise fail(
            "the layers of the loaded model",
            expected="your QuadraticLayer class among them",
            received=", ".join(name for name, _ in layers) or "none",
            hint=LOAD_HINT,
        )
    before = replies.value(round_trip, "loss_before", what="the report")
    after = replies.value(round_trip, "loss_after", what="the report")
    if isinstance(before, dict) and before.get("is_submission_class"):
        own = replies.described_class(before, what="the loss")  # its name, and True
        if not isinstance(after, dict) or replies.described_class(after, what="the loss") != own:
            raise fail(
                "the loss of the loaded model",
                expected=f"your {own[0]} class, as the saved model was compiled with",
                received=f"{after.get('class_name')} from {after.get('module')}"
                if isinstance(after, dict)
                else "no loss (the model was loaded uncompiled)",
                hint=LOAD_HINT,
            )
