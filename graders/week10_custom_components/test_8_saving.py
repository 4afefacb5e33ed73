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
from typing import Any

import numpy as np
import pytest

from course.grading.reports import expect
from course.grading.submission import Submission
from course.testing import fail, fresh_rng

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
    points = int(rng.integers(TRAINING_POINTS[0], TRAINING_POINTS[1] + 1))
    x = rng.uniform(-3.0, 3.0, size=(points, 1)).astype("float32")
    y = (0.5 * x**2 - x + 2.0 + rng.normal(0.0, 0.3, size=x.shape)).astype("float32")
    count = int(rng.integers(INPUTS[0], INPUTS[1] + 1))
    inputs = rng.uniform(-3.0, 3.0, size=(count, 1)).astype("float32")
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
        message = replies.field(error, "message", str, what="the load error")
        missing = re.search(r"Could not locate class '([^']+)'", message)
        raise fail(
            "load_model(path) for the file that save_model wrote",
            expected="the saved model",
            received=f"{kind}: Keras could not find the class {missing.group(1)!r}"
            if missing
            else f"{kind}: {' '.join(message.split())[:300]}",
            hint=LOAD_HINT,
        )


def _classes(value: object, *, what: str) -> list[dict[str, Any]]:
    return [
        {
            "class_name": replies.field(entry, "class_name", str, what=what),
            "is_submission_class": replies.field(entry, "is_submission_class", bool, what=what),
        }
        for entry in expect(value, list, what=what)
    ]


@pytest.mark.points(1)
@pytest.mark.time_limit(120)
def test_loaded_model_predicts_the_same(round_trip: object) -> None:
    """the model that load_model reads back predicts exactly what the saved one did

    Self-reported: the worker's predictions before saving and after loading."""
    _require_loaded(round_trip)
    before = replies.array(
        replies.value(round_trip, "predictions_before", what="the report"), what="predictions"
    )
    after = replies.array(
        replies.value(round_trip, "predictions_after", what="the report"),
        what="the loaded model's predictions",
    )
    if after.shape != before.shape or not np.allclose(after, before, rtol=0, atol=TOLERANCE):
        worst = float(np.max(np.abs(after - before))) if after.shape == before.shape else None
        raise fail(
            f"the predictions of load_model(path) for {len(before)} inputs",
            expected=f"those of the saved model, within {TOLERANCE}",
            received=f"shape {after.shape}"
            if worst is None
            else f"a difference of up to {worst:.3g}",
            hint="save the whole model with model.save(filepath) (not only its weights) and "
            "load it with " + LOAD_HINT,
        )


@pytest.mark.points(1)
@pytest.mark.time_limit(120)
def test_loaded_model_uses_the_custom_classes(round_trip: object) -> None:
    """the loaded model is made of your QuadraticLayer and HuberLoss again

    Self-reported: the classes of the loaded model's layers and loss, as the worker names them."""
    _require_loaded(round_trip)
    layers = _classes(replies.value(round_trip, "layers_after", what="the report"), what="a layer")
    names = ", ".join(layer["class_name"] for layer in layers) or "none"
    if not any(
        layer["class_name"] == "QuadraticLayer" and layer["is_submission_class"] for layer in layers
    ):
        raise fail(
            "the layers of the loaded model",
            expected="your QuadraticLayer class among them",
            received=names,
            hint=LOAD_HINT,
        )
    loss_before = replies.value(round_trip, "loss_before", what="the report")
    loss_after = replies.value(round_trip, "loss_after", what="the report")
    if isinstance(loss_before, dict) and loss_before.get("is_submission_class"):
        name = replies.field(loss_before, "class_name", str, what="the loss")
        same = (
            isinstance(loss_after, dict)
            and loss_after.get("class_name") == name
            and loss_after.get("is_submission_class") is True
        )
        if not same:
            received = (
                "no loss (the model was loaded uncompiled)"
                if not isinstance(loss_after, dict)
                else f"{loss_after.get('class_name')} from {loss_after.get('module')}"
            )
            raise fail(
                "the loss of the loaded model",
                expected=f"your {name} class, as the saved model was compiled with",
                received=received,
                hint=LOAD_HINT,
            )
