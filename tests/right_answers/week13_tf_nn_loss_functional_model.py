"""Right answer: the loss from ``tf.nn`` summed by hand, a Functional model, devices by type.

``compute_loss`` takes each example's cross-entropy from
``tf.nn.sparse_softmax_cross_entropy_with_logits`` and divides its sum by the global batch
size itself instead of calling ``tf.nn.compute_average_loss``; ``build_model`` builds the
same layers as a Functional ``keras.Model`` in the strategy's scope; ``make_strategy``
lists all logical devices once and keeps the GPUs, else the CPUs, by ``device_type``.

week: week13_distribution
"""

CHANGES = [
    (
        '    devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")\n'
        "    return tf.distribute.MirroredStrategy(devices=[device.name for device in devices])\n",
        "    logical = tf.config.list_logical_devices()\n"
        '    gpus = [device.name for device in logical if device.device_type == "GPU"]\n'
        '    cpus = [device.name for device in logical if device.device_type == "CPU"]\n'
        "    return tf.distribute.MirroredStrategy(devices=gpus or cpus)\n",
    ),
    (
        "        model = keras.Sequential(\n"
        "            [\n"
        "                keras.Input(shape=(28, 28)),\n"
        "                keras.layers.Flatten(),\n"
        '                keras.layers.Dense(128, activation="relu"),\n'
        "                keras.layers.Dense(10),\n"
        "            ]\n"
        "        )\n",
        "        images = keras.Input(shape=(28, 28))\n"
        "        hidden = keras.layers.Flatten()(images)\n"
        '        hidden = keras.layers.Dense(128, activation="relu")(hidden)\n'
        "        model = keras.Model(images, keras.layers.Dense(10)(hidden))\n",
    ),
    (
        "    per_example_loss = keras.losses.sparse_categorical_crossentropy(\n"
        "        labels, logits, from_logits=True\n"
        "    )\n"
        "    return tf.nn.compute_average_loss(per_example_loss, global_batch_size=global_batch_size)\n",
        "    per_example_loss = tf.nn.sparse_softmax_cross_entropy_with_logits(\n"
        "        labels=tf.cast(labels, tf.int64), logits=logits\n"
        "    )\n"
        "    return tf.reduce_sum(per_example_loss) / tf.cast(global_batch_size, per_example_loss.dtype)\n",
    ),
]
