# %%
"""Week 3: callbacks, or how to steer ``model.fit`` while it runs.

Goal: write a callback of your own, then configure the ones Keras ships so that training
stops when it should, keeps its best model on disk, and slows its learning rate down.

Exercises:
    3.1 ``AccuracyThresholdCallback``  stop training once the accuracy reaches a threshold
    3.2 ``make_early_stopping``        stop when the validation loss stops improving
    3.3 ``make_checkpoint``            keep the best model, by validation loss, in a file
    3.4 ``make_lr_schedule``           a learning rate that halves every two epochs

Each callback is handed to ``model.fit(..., callbacks=[...])`` by the grader, on a model and
data the grader chooses. Allowed: TensorFlow, Keras and numpy. Importing this module must
not train anything, read or write files, or download anything.
"""

from __future__ import annotations

from typing import Any

import keras


# %%
class AccuracyThresholdCallback(keras.callbacks.Callback):
    """Exercise 3.1: stop training at the end of the first epoch whose accuracy is high enough.

    ``AccuracyThresholdCallback(threshold)`` keeps ``threshold`` (a float in [0, 1]). At the
    end of every epoch, when ``logs["accuracy"] >= threshold``, it sets
    ``self.model.stop_training = True``; below the threshold it leaves training alone.

    When ``logs`` has no ``"accuracy"`` key (the model was compiled without that metric), it
    raises a ``KeyError`` or ``ValueError`` whose message names the missing ``"accuracy"``
    key and says to compile the model with ``metrics=["accuracy"]``.
    """

    def __init__(self, threshold: float) -> None:
        """Exercise 3.1: call the parent's ``__init__`` and remember ``threshold``."""
        ### BEGIN SOLUTION
        super().__init__()
        self.threshold = threshold
        ### END SOLUTION

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Exercise 3.1: stop training when ``logs["accuracy"] >= self.threshold``."""
        ### BEGIN SOLUTION
        logs = logs or {}
        if "accuracy" not in logs:
            raise ValueError(
                'the logs have no "accuracy" key: compile the model with metrics=["accuracy"]'
            )
        if logs["accuracy"] >= self.threshold:
            self.model.stop_training = True
        ### END SOLUTION


# %%
def make_early_stopping() -> keras.callbacks.Callback:
    """Exercise 3.2: an ``EarlyStopping`` callback that watches the validation loss.

    It monitors ``"val_loss"``, stops after 2 to 5 epochs (``patience``) without
    improvement, and puts back the weights of the best epoch when training ends
    (``restore_best_weights=True``). Return the callback.
    """
    ### BEGIN SOLUTION
    return keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    ### END SOLUTION


# %%
def make_checkpoint(path: str) -> keras.callbacks.Callback:
    """Exercise 3.3: a ``ModelCheckpoint`` that keeps the best model in the file ``path``.

    ``path`` ends in ``.keras``. The callback saves the whole model (not only its weights)
    at the end of an epoch only when the validation loss (``"val_loss"``) is the lowest so
    far (``save_best_only=True``), so after training the file holds the model of the epoch
    with the lowest validation loss. Return the callback.
    """
    ### BEGIN SOLUTION
    return keras.callbacks.ModelCheckpoint(path, monitor="val_loss", save_best_only=True)
    ### END SOLUTION


# %%
def make_lr_schedule() -> keras.callbacks.Callback:
    """Exercise 3.4: a ``LearningRateScheduler`` whose rate halves every two epochs.

    The learning rate is 1e-3 in epochs 0 and 1, 5e-4 in epochs 2 and 3, 2.5e-4 in epochs 4
    and 5, and so on: ``1e-3 * 0.5 ** (epoch // 2)``. The schedule function may take
    ``(epoch)`` or ``(epoch, lr)`` and returns a Python float; the optimizer starts at
    Adam's default rate, 1e-3. Return the callback.
    """
    ### BEGIN SOLUTION
    return keras.callbacks.LearningRateScheduler(lambda epoch: 1e-3 * 0.5 ** (epoch // 2))
    ### END SOLUTION
