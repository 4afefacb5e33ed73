"""Wrong answer: the learning rate halves every epoch instead of every two epochs.

week: week03_callbacks
fails: test_5_learning_rate_schedule.py::test_learning_rate_halves_every_two_epochs
"""

CHANGES = [
    (
        "    return keras.callbacks.LearningRateScheduler(lambda epoch: 1e-3 * 0.5 ** (epoch // 2))\n",
        "    return keras.callbacks.LearningRateScheduler(lambda epoch: 1e-3 * 0.5**epoch)\n",
    ),
]
