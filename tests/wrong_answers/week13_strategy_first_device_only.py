"""Wrong answer: ``make_strategy`` mirrors over the first device only.

``tf.distribute.MirroredStrategy(devices=[devices[0].name])``: still a MirroredStrategy, but
with one replica, on ``CPU:0``, where the grading machine offers two logical CPUs.

week: week13_distribution
fails: test_1_strategy.py::test_strategy_uses_every_device
"""

CHANGES = [
    (
        "    return tf.distribute.MirroredStrategy(devices=[device.name for device in devices])\n",
        "    return tf.distribute.MirroredStrategy(devices=[devices[0].name])\n",
    ),
]
