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

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from course.grading.reports import expect, expect_array
from course.grading.submission import Submission
from course.testing import fail, fresh_rng

from .callbacks import callback_settings, check_setting, grader_model, images, set_weights

pytestmark = pytest.mark.visibility("visible")

FACTORY = "make_checkpoint"
VALIDATION_IMAGES = 512
EPOCHS = 12
#: Keras clips probabilities to [EPSILON, 1 - EPSILON] before taking their log.
EPSILON = 1e-7
TIE = 1e-4


def _weights(value: Any, *, what: str) -> list[np.ndarray]:
    return [expect_array(w, what=what, kinds="f") for w in expect(value, list, what=what)]


@pytest.fixture(scope="module")
def path(submission: Submission) -> str:
    """Where the checkpoint goes in this grading, relative to the worker's folder."""
    rng = fresh_rng(submission, "make_checkpoint path")
    run, model = (int(n) for n in rng.integers(0, 1_000, size=2))
    return f"checkpoints/run_{run:03d}/model_{model:03d}.keras"


@pytest.fixture(scope="module")
def settings(submission: Submission, path: str) -> dict[str, Any]:
    hint = "return keras.callbacks.ModelCheckpoint(path, ...)."
    return callback_settings(submission, FACTORY, path, kind="ModelCheckpoint", hint=hint)


@dataclass(frozen=True)
class Training:
    """One fit with the checkpoint: the weights at the end of each epoch, and the file
    loaded back in the worker (``exists``, and its ``weights`` or the loading ``error``)."""

    epoch_weights: list[list[np.ndarray]]
    reloaded: dict[str, Any]


@pytest.fixture(scope="module")
def training(submission: Submission, path: str) -> Training:
    x, y = images(128)
    report = submission.fit_with_callback(
        FACTORY,
        path,
        model_json=grader_model().to_json(),
        compile_options={
            "optimizer": {"class_name": "Adam", "config": {"learning_rate": 0.01}},
            "loss": "sparse_categorical_crossentropy",
        },
        x=x,
        y=y,
        validation=images(VALIDATION_IMAGES, test=True),
        record_weights=True,
        reload_path=path,
        epochs=EPOCHS,
        batch_size=16,
    )
    return Training(
        epoch_weights=[
            _weights(weights, what="the weights of an epoch")
            for weights in expect(report.get("epoch_weights"), list, what="the weights per epoch")
        ],
        reloaded=expect(report.get("reloaded"), dict, what="the reloaded checkpoint"),
    )


def validation_losses(epoch_weights: list[list[np.ndarray]]) -> list[float]:
    """The loss on the validation images of the grader's model with each epoch's weights,
    computed here as Keras computes ``val_loss``."""
    x, y = images(VALIDATION_IMAGES, test=True)
    model = grader_model()
    losses = []
    for weights in epoch_weights:
        set_weights(model, weights, what="the weights recorded at the end of an epoch")
        probabilities = np.asarray(model.predict(x, batch_size=512, verbose=0), dtype=np.float64)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        picked = np.clip(probabilities[np.arange(len(y)), y], EPSILON, 1.0 - EPSILON)
        losses.append(float(np.mean(-np.log(picked))))
    return losses


@pytest.mark.points(1)
def test_saves_the_whole_model_to_the_given_path(settings: dict[str, Any], path: str) -> None:
    """the checkpoint saves the whole model to the path it was given"""
    check_setting(
        settings,
        "filepath",
        path,
        what=f"the filepath of {FACTORY}({path!r})",
        hint="pass the path argument to ModelCheckpoint unchanged.",
    )
    check_setting(
        settings,
        "save_weights_only",
        False,
        hint="save the whole model (the default): a .keras file holds the architecture, "
        "the weights and the optimizer.",
    )


@pytest.mark.points(1)
def test_saves_only_the_best_model_by_validation_loss(settings: dict[str, Any]) -> None:
    """the checkpoint saves only when val_loss reaches a new low"""
    check_setting(
        settings,
        "monitor",
        "val_loss",
        hint="pass monitor='val_loss': the best model is the one that does best on the "
        "validation data.",
    )
    check_setting(
        settings,
        "save_best_only",
        True,
        hint="pass save_best_only=True, otherwise every epoch overwrites the file.",
    )


def _saved_weights(training: Training, path: str) -> list[np.ndarray]:
    """The weights of the model in the file, as the worker loaded it back."""
    if training.reloaded.get("exists") is not True:
        raise fail(
            f"the file {path!r} after training",
            expected="a saved model",
            received="no such file",
            hint="pass the path given to make_checkpoint to ModelCheckpoint, unchanged.",
        )
    if "error" in training.reloaded:
        error = expect(training.reloaded["error"], dict, what="the loading error")
        raise fail(
            f"keras.models.load_model({path!r})",
            expected="the saved model",
            received=f"{error.get('type')}: {error.get('message')}",
            hint="save the whole model (save_weights_only=False) to the .keras path.",
        )
    return _weights(training.reloaded.get("weights"), what="the reloaded weights")


@pytest.mark.points(1)
@pytest.mark.time_limit(120)
def test_checkpoint_file_reloads(training: Training, path: str) -> None:
    """after training, the checkpoint file exists and keras.models.load_model reads it

    Self-reported: the worker opens the file (the grading process never loads a file the
    submission wrote); the next check judges what it holds."""
    _saved_weights(training, path)


@pytest.mark.points(2)
@pytest.mark.time_limit(120)
def test_checkpoint_holds_the_epoch_with_the_lowest_validation_loss(
    training: Training, path: str
) -> None:
    """the checkpoint file holds the weights of the epoch with the lowest val_loss"""
    saved, per_epoch = _saved_weights(training, path), training.epoch_weights
    if not per_epoch:
        raise fail("the number of epochs trained", expected=EPOCHS, received=0)
    val_loss = validation_losses(per_epoch)
    best = int(np.argmin(val_loss))
    matches = [
        epoch
        for epoch, weights in enumerate(per_epoch)
        if len(saved) == len(weights) and all(map(np.array_equal, saved, weights))
    ]
    if any(val_loss[epoch] <= val_loss[best] + TIE for epoch in matches):
        return
    raise fail(
        f"the model in {path!r}",
        expected=f"the model of epoch {best + 1}, the one with the lowest val_loss "
        f"({val_loss[best]:.4f}; val_loss per epoch, computed here from each epoch's "
        "weights: " + ", ".join(f"{value:.4f}" for value in val_loss) + ")",
        received=f"the model of epoch {matches[-1] + 1} (val_loss {val_loss[matches[-1]]:.4f})"
        if matches
        else "weights from none of the epochs",
        hint="monitor 'val_loss' with save_best_only=True, so only a new lowest val_loss "
        "overwrites the file.",
    )
