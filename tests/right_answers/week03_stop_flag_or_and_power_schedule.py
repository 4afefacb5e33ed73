"""Right answer: the stop flag combined with ``or``, patience 4, ``pow`` in the schedule.

``AccuracyThresholdCallback`` raises a ``ValueError`` when ``"accuracy"`` is not among the
logged keys and sets ``stop_training = stop_training or reached`` (never clearing a stop
another callback asked for); ``make_early_stopping`` uses patience 4 and
``start_from_epoch=0`` spelled out; ``make_checkpoint`` names the file by keyword with
``verbose=0``; ``make_lr_schedule`` takes ``(epoch, lr)``, ignores ``lr`` and returns
``1e-3 * pow(2.0, -(epoch // 2))``.

week: week03_callbacks
"""

CHANGES = [
    (
        """        logs = logs or {}
        if "accuracy" not in logs:
            raise ValueError(
                'the logs have no "accuracy" key: compile the model with metrics=["accuracy"]'
            )
        if logs["accuracy"] >= self.threshold:
            self.model.stop_training = True
""",
        """        logged = dict(logs or {})
        if "accuracy" not in logged.keys():
            raise ValueError(
                f'expected an "accuracy" key in the logs, found {sorted(logged)}: '
                'compile the model with metrics=["accuracy"]'
            )
        reached = logged["accuracy"] >= self.threshold
        self.model.stop_training = bool(self.model.stop_training or reached)
""",
    ),
    (
        '    return keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)\n',
        """    return keras.callbacks.EarlyStopping(
        patience=4, monitor="val_loss", start_from_epoch=0, restore_best_weights=True
    )
""",
    ),
    (
        '    return keras.callbacks.ModelCheckpoint(path, monitor="val_loss", save_best_only=True)\n',
        """    checkpoint = keras.callbacks.ModelCheckpoint(
        filepath=path, save_best_only=True, monitor="val_loss", verbose=0
    )
    return checkpoint
""",
    ),
    (
        "    return keras.callbacks.LearningRateScheduler(lambda epoch: 1e-3 * 0.5 ** (epoch // 2))\n",
        "    return keras.callbacks.LearningRateScheduler(lambda epoch, lr: 1e-3 * pow(2.0, -(epoch // 2)))\n",
    ),
]
