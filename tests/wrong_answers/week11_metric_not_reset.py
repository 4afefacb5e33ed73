"""Wrong answer: ``train_one_epoch`` never resets the loss metric.

Each epoch reports the running mean of every loss since the metric was made, so the
second epoch's figure is contaminated by the first.

week: week11_training_loops
fails: test_5_one_epoch.py::test_epoch_returns_its_own_mean_loss
"""

CHANGES = [
    ("    loss_metric.reset_state()\n", ""),
]
