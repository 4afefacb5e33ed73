"""Week 3 grader, part 4: ``make_checkpoint`` (exercise 3.3).

The settings come from the callback's own attributes. For the behaviour, the worker trains a
grader-chosen Flatten-Dense(128, relu)-Dense(10, softmax) model (Adam with learning rate
0.01, sparse categorical cross-entropy) with ``make_checkpoint(path)`` for 12 epochs (batch
size 16) on 128 Fashion-MNIST training images, validated on 512 test images. So few images
overfit fast: ``val_loss`` is lowest in the middle of training and higher at the end, while
``loss`` falls every epoch, so a checkpoint that saves every epoch or watches ``loss`` leaves
the last epoch's model in the file. The worker records the weights at the end of every
epoch, then loads the file back with ``keras.models.load_model`` (in the worker: no file the
submission wrote is loaded here) and returns its weights. The file must hold exactly the
weights of the epoch with the lowest ``val_loss``, which this process computes itself: it
rebuilds the grader's model with each epoch's weights and measures the loss on the 512
validation images (the History's ``val_loss``, which the submission's callback could rewrite,
is not used). Computed so, in one process with Keras's own fit on seeds 0-4, it matched the
History's ``val_loss`` to 2.3e-7 at every epoch; two epochs whose losses computed here differ
by at most 1e-4 count as a tie (the closest best and second best of those runs differed by
1.3e-3).

Drawn afresh at each grading (``course.testing.fresh_rng``): ``path``, a ``.keras`` file in
a folder that does not exist yet (``checkpoints/run_NNN/model_NNN.keras``), so a callback
that ignores its argument fails. The images stay those the figures below were measured on
(the training itself varies with the grading's seed).

Measured on the reference solution, seeds 0-4: the lowest val_loss came in epoch 4, 6, 5, 4, 7
of 12 (0.811 to 0.912), the last epoch's val_loss was 0.962 to 1.132, and the lowest training
loss was always in epoch 12; the reloaded weights equal the best epoch's exactly. The fit
takes about 3 s.

Equivalent mutants:
    make_checkpoint:default-argument:monitor - ModelCheckpoint's default monitor is "val_loss":
        leaving it out monitors what the exercise asks.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import pytest

from course.datasets import fashion_mnist
from course.grading.reports import expect, expect_array
from course.grading.submission import Submission
from course.testing import fail, fresh_rng

pytestmark = pytest.mark.visibility("visible")

FACTORY = "make_checkpoint"
TRAINING_IMAGES = 128
VALIDATION_IMAGES = 512
EPOCHS = 12
BATCH_SIZE = 16
COMPILE_OPTIONS = {
    "optimizer": {"class_name": "Adam", "config": {"learning_rate": 0.01}},
    "loss": "sparse_categorical_crossentropy",
}
#: Keras clips probabilities to [EPSILON, 1 - EPSILON] before taking their log.
EPSILON = 1e-7
TIE = 1e-4
Split = tuple[np.ndarray, np.ndarray]


def _model_json() -> str:
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    return str(model.to_json())


def _weights(value: Any, *, what: str) -> list[np.ndarray]:
    return [expect_array(w, what=what, kinds="f") for w in expect(value, list, what=what)]


@pytest.fixture(scope="module")
def path(submission: Submission) -> str:
    """Where the checkpoint goes in this grading, relative to the worker's folder."""
    rng = fresh_rng(submission, "make_checkpoint path")
    run, model = (int(n) for n in rng.integers(0, 1_000, size=2))
    return f"checkpoints/run_{run:03d}/model_{model:03d}.keras"


@pytest.fixture(scope="module")
def validation() -> Split:
    """The 512 validation images, scaled, and their labels."""
    _, (x_test, y_test) = fashion_mnist()
    return (
        (x_test[:VALIDATION_IMAGES] / 255.0).astype("float32"),
        y_test[:VALIDATION_IMAGES].astype("int32"),
    )


@pytest.fixture(scope="module")
def settings(submission: Submission, path: str) -> dict[str, Any]:
    description = submission.callback_settings(FACTORY, path)
    chain = expect(description.get("class_chain"), list, what="the class chain")
    if "ModelCheckpoint" not in chain:
        raise fail(
            f"{FACTORY}({path!r})",
            expected="a keras.callbacks.ModelCheckpoint",
            received=f"a {chain[0] if chain else 'callback'}",
            hint="return keras.callbacks.ModelCheckpoint(path, ...).",
        )
    attributes: dict[str, Any] = expect(
        description.get("attributes"), dict, what="the callback's settings"
    )
    return attributes


@pytest.fixture(scope="module")
def training(submission: Submission, path: str, validation: Split) -> dict[str, Any]:
    """One fit with the checkpoint: weights per epoch, and the file loaded back."""
    (x_train, y_train), _ = fashion_mnist()
    report = submission.fit_with_callback(
        FACTORY,
        path,
        model_json=_model_json(),
        compile_options=COMPILE_OPTIONS,
        x=(x_train[:TRAINING_IMAGES] / 255.0).astype("float32"),
        y=y_train[:TRAINING_IMAGES].astype("int32"),
        validation=validation,
        record_weights=True,
        reload_path=path,
        epochs=EPOCHS,
        batch_size=BATCH_SIZE,
    )
    per_epoch = [
        _weights(weights, what="the weights of an epoch")
        for weights in expect(report.get("epoch_weights"), list, what="the weights per epoch")
    ]
    reloaded = expect(report.get("reloaded"), dict, what="the reloaded checkpoint")
    return {"epoch_weights": per_epoch, "reloaded": reloaded}


def validation_losses(epoch_weights: list[list[np.ndarray]], validation: Split) -> list[float]:
    """The loss on the validation images of the grader's model with each epoch's weights,
    computed here as Keras computes ``val_loss``."""
    x, y = validation
    model = keras.models.model_from_json(_model_json())
    losses = []
    for weights in epoch_weights:
        try:
            model.set_weights(weights)
        except ValueError:
            raise fail(
                "the weights recorded at the end of an epoch",
                expected="the weights of the grader's model",
                received=f"{len(weights)} arrays of shapes "
                + ", ".join(str(w.shape) for w in weights),
                hint="the callback should not change the model.",
            ) from None
        probabilities = np.asarray(model.predict(x, batch_size=512, verbose=0), dtype=np.float64)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        picked = np.clip(probabilities[np.arange(len(y)), y], EPSILON, 1.0 - EPSILON)
        losses.append(float(np.mean(-np.log(picked))))
    return losses


def _same(left: list[np.ndarray], right: list[np.ndarray]) -> bool:
    return len(left) == len(right) and all(
        a.shape == b.shape and np.array_equal(a, b) for a, b in zip(left, right, strict=True)
    )


@pytest.mark.points(1)
def test_saves_the_whole_model_to_the_given_path(settings: dict[str, Any], path: str) -> None:
    """the checkpoint saves the whole model to the path it was given"""
    filepath = settings.get("filepath")
    if filepath != path:
        raise fail(
            f"the filepath of {FACTORY}({path!r})",
            expected=repr(path),
            received=repr(filepath),
            hint="pass the path argument to ModelCheckpoint unchanged.",
        )
    if settings.get("save_weights_only") is not False:
        raise fail(
            "save_weights_only",
            expected=False,
            received=settings.get("save_weights_only"),
            hint="save the whole model (the default): a .keras file holds the architecture, "
            "the weights and the optimizer.",
        )


@pytest.mark.points(1)
def test_saves_only_the_best_model_by_validation_loss(settings: dict[str, Any]) -> None:
    """the checkpoint saves only when val_loss reaches a new low"""
    monitor = settings.get("monitor")
    if monitor != "val_loss":
        raise fail(
            "the quantity ModelCheckpoint monitors",
            expected="'val_loss'",
            received=repr(monitor),
            hint="pass monitor='val_loss': the best model is the one that does best on the "
            "validation data.",
        )
    if settings.get("save_best_only") is not True:
        raise fail(
            "save_best_only",
            expected=True,
            received=settings.get("save_best_only"),
            hint="pass save_best_only=True, otherwise every epoch overwrites the file.",
        )


@pytest.mark.points(1)
@pytest.mark.time_limit(120)
def test_checkpoint_file_reloads(training: dict[str, Any], path: str) -> None:
    """after training, the checkpoint file exists and keras.models.load_model reads it

    Self-reported: the worker opens the file (the grading process never loads a file the
    submission wrote); the next check judges what it holds."""
    reloaded = training["reloaded"]
    if reloaded.get("exists") is not True:
        raise fail(
            f"the file {path!r} after training",
            expected="a saved model",
            received="no such file",
            hint="pass the path given to make_checkpoint to ModelCheckpoint, unchanged.",
        )
    if "error" in reloaded:
        error = expect(reloaded["error"], dict, what="the loading error")
        raise fail(
            f"keras.models.load_model({path!r})",
            expected="the saved model",
            received=f"{error.get('type')}: {error.get('message')}",
            hint="save the whole model (save_weights_only=False) to the .keras path.",
        )


@pytest.mark.points(2)
@pytest.mark.time_limit(120)
def test_checkpoint_holds_the_epoch_with_the_lowest_validation_loss(
    training: dict[str, Any], path: str, validation: Split
) -> None:
    """the checkpoint file holds the weights of the epoch with the lowest val_loss"""
    reloaded = training["reloaded"]
    if reloaded.get("exists") is not True or "error" in reloaded:
        raise fail(
            f"the file {path!r} after training",
            expected="a model that keras.models.load_model reads",
            received="no such file" if reloaded.get("exists") is not True else "an unreadable file",
            hint="see the check on reloading the file.",
        )
    saved = _weights(reloaded.get("weights"), what="the reloaded weights")
    per_epoch: list[list[np.ndarray]] = training["epoch_weights"]
    if not per_epoch:
        raise fail("the number of epochs trained", expected=EPOCHS, received=0)
    val_loss = validation_losses(per_epoch, validation)
    best = int(np.argmin(val_loss))
    matches = [epoch for epoch, weights in enumerate(per_epoch) if _same(saved, weights)]
    if any(val_loss[epoch] <= val_loss[best] + TIE for epoch in matches):
        return
    received = (
        f"the model of epoch {matches[-1] + 1} (val_loss {val_loss[matches[-1]]:.4f})"
        if matches
        else "weights from none of the epochs"
    )
    raise fail(
        f"the model in {path!r}",
        expected=f"the model of epoch {best + 1}, the one with the lowest val_loss "
        f"({val_loss[best]:.4f}; val_loss per epoch, computed here from each epoch's "
        "weights: " + ", ".join(f"{value:.4f}" for value in val_loss) + ")",
        received=received,
        hint="monitor 'val_loss' with save_best_only=True, so only a new lowest val_loss "
        "overwrites the file.",
    )
