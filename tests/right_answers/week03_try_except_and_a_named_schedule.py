"""Right answer: ``try``/``except`` around the lookup, patience 5, a one-argument schedule.

``AccuracyThresholdCallback`` stores the threshold before calling the parent's
``__init__``, looks the accuracy up in a ``try`` block and turns a missing key (or missing
logs) into a ``KeyError`` whose message names ``"accuracy"`` and
``metrics=["accuracy"]``; ``make_early_stopping`` uses patience 5 with ``verbose=1``;
``make_checkpoint`` passes everything by keyword with ``save_freq="epoch"``;
``make_lr_schedule`` hands the scheduler a named function of ``epoch`` alone,
``0.001 / 2 ** (epoch // 2)``.

week: week03_callbacks
"""

CHANGES = [
    (
        """        super().__init__()
        self.threshold = threshold
""",
        """        self.threshold = threshold
        super().__init__()
""",
    ),
    (
        """        logs = logs or {}
        if "accuracy" not in logs:
            raise ValueError(
                'the logs have no "accuracy" key: compile the model with metrics=["accuracy"]'
            )
        if logs["accuracy"] >= self.threshold:
            self.model.stop_training = True
""",
        """        try:
            accuracy = logs["accuracy"]  # type: ignore[index]
        except (KeyError, TypeError) as missing:
            message = 'the key "accuracy" is missing: compile the model with metrics=["accuracy"]'
            raise KeyError(message) from missing
        if accuracy >= self.threshold:
            self.model.stop_training = True
""",
    ),
    (
        '    return keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)\n',
        """    early_stopping = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=5, verbose=1, restore_best_weights=True
    )
    return early_stopping
""",
    ),
    (
        '    return keras.callbacks.ModelCheckpoint(path, monitor="val_loss", save_best_only=True)\n',
        """    return keras.callbacks.ModelCheckpoint(
        filepath=path, monitor="val_loss", save_best_only=True, save_freq="epoch"
    )
""",
    ),
    (
        "    return keras.callbacks.LearningRateScheduler(lambda epoch: 1e-3 * 0.5 ** (epoch // 2))\n",
        """    def schedule(epoch: int) -> float:
        return 0.001 / 2 ** (epoch // 2)

    return keras.callbacks.LearningRateScheduler(schedule)
""",
    ),
]
