"""Wrong answer: early stopping monitors the training loss, ``"loss"``.

The grader's training loss falls every epoch, so the callback never stops and restores
the last epoch's weights.

week: week03_callbacks
fails: test_3_early_stopping.py::test_monitors_the_validation_loss
fails: test_3_early_stopping.py::test_stops_after_two_to_five_epochs_without_improvement
fails: test_3_early_stopping.py::test_restores_the_weights_of_the_best_epoch
"""

CHANGES = [
    (
        '    return keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)\n',
        '    return keras.callbacks.EarlyStopping(monitor="loss", patience=3, restore_best_weights=True)\n',
    ),
]
