"""Right answer: ``logs.get`` and a KeyError, patience 2, a schedule that halves its ``lr``.

``AccuracyThresholdCallback`` reads the accuracy with ``logs.get("accuracy")`` and raises a
``KeyError`` naming the key and the metric when it is ``None``, and stores the threshold as
a float; ``make_early_stopping`` spells out ``mode="min"``, ``min_delta=0`` and patience 2;
``make_checkpoint`` spells out ``mode="min"`` and ``save_weights_only=False``;
``make_lr_schedule`` takes ``(epoch, lr)`` and halves the rate it is given at the start of
every even epoch after the first (the optimizer starts at Adam's 1e-3, as the contract fixes).

week: week03_callbacks
"""

CHANGES = [
    (
        """        super().__init__()
        self.threshold = threshold
""",
        """        super().__init__()
        self.threshold = float(threshold)
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
        """        accuracy = (logs or {}).get("accuracy")
        if accuracy is None:
            raise KeyError(
                'no "accuracy" in the logs of this epoch: '
                'compile the model with metrics=["accuracy"]'
            )
        if float(accuracy) >= self.threshold:
            self.model.stop_training = True
""",
    ),
    (
        '    return keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)\n',
        """    return keras.callbacks.EarlyStopping(
        monitor="val_loss", mode="min", min_delta=0, patience=2, restore_best_weights=True
    )
""",
    ),
    (
        '    return keras.callbacks.ModelCheckpoint(path, monitor="val_loss", save_best_only=True)\n',
        """    return keras.callbacks.ModelCheckpoint(
        filepath=path,
        monitor="val_loss",
        mode="min",
        save_best_only=True,
        save_weights_only=False,
    )
""",
    ),
    (
        "    return keras.callbacks.LearningRateScheduler(lambda epoch: 1e-3 * 0.5 ** (epoch // 2))\n",
        """    def halve_every_second_epoch(epoch: int, lr: float) -> float:
        if epoch > 0 and epoch % 2 == 0:
            return float(lr) / 2
        return float(lr)

    return keras.callbacks.LearningRateScheduler(halve_every_second_epoch)
""",
    ),
]
