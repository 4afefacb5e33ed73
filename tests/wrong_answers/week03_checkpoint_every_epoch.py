"""Wrong answer: the checkpoint saves every epoch (no ``save_best_only=True``).

The file ends with the last epoch's model, whose val_loss is not the lowest.

week: week03_callbacks
fails: test_4_checkpoint.py::test_saves_only_the_best_model_by_validation_loss
fails: test_4_checkpoint.py::test_checkpoint_holds_the_epoch_with_the_lowest_validation_loss
"""

CHANGES = [
    (
        '    return keras.callbacks.ModelCheckpoint(path, monitor="val_loss", save_best_only=True)\n',
        '    return keras.callbacks.ModelCheckpoint(path, monitor="val_loss")\n',
    ),
]
