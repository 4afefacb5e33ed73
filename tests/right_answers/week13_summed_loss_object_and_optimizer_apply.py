"""Right answer: a summing Keras loss object, ``optimizer.apply``, the step's pieces named.

``compute_loss`` calls ``keras.losses.SparseCategoricalCrossentropy(from_logits=True,
reduction="sum")`` and divides the replica's sum by the global batch size; the replica step
takes its ``x`` and ``y`` as one pair, updates with Keras 3's ``optimizer.apply(gradients,
variables)``, and the per-replica losses are summed with ``strategy.reduce("SUM", ...)``,
the reduce operation given by name; the model is built with ``Sequential.add`` in the
scope.

week: week13_distribution
"""

CHANGES = [
    (
        "        model = keras.Sequential(\n"
        "            [\n"
        "                keras.Input(shape=(28, 28)),\n"
        "                keras.layers.Flatten(),\n"
        '                keras.layers.Dense(128, activation="relu"),\n'
        "                keras.layers.Dense(10),\n"
        "            ]\n"
        "        )\n",
        "        model = keras.Sequential()\n"
        "        model.add(keras.Input(shape=(28, 28)))\n"
        "        model.add(keras.layers.Flatten())\n"
        '        model.add(keras.layers.Dense(128, activation="relu"))\n'
        "        model.add(keras.layers.Dense(10))\n",
    ),
    (
        "    per_example_loss = keras.losses.sparse_categorical_crossentropy(\n"
        "        labels, logits, from_logits=True\n"
        "    )\n"
        "    return tf.nn.compute_average_loss(per_example_loss, global_batch_size=global_batch_size)\n",
        '    summed = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="sum")\n'
        "    return summed(labels, logits) / global_batch_size\n",
    ),
    (
        "    def replica_step(x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:\n"
        "        with tf.GradientTape() as tape:\n"
        "            logits = model(x, training=True)\n"
        "            loss = compute_loss(y, logits, global_batch_size)\n"
        "        gradients = tape.gradient(loss, model.trainable_variables)\n"
        "        optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))\n"
        "        return loss\n"
        "\n"
        "    per_replica_losses = strategy.run(replica_step, args=batch)\n"
        "    return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica_losses, axis=None)\n",
        "    def replica_step(pair: tuple[tf.Tensor, tf.Tensor]) -> tf.Tensor:\n"
        "        features, labels = pair\n"
        "        variables = model.trainable_variables\n"
        "        with tf.GradientTape() as tape:\n"
        "            loss = compute_loss(labels, model(features, training=True), global_batch_size)\n"
        "        optimizer.apply(tape.gradient(loss, variables), variables)\n"
        "        return loss\n"
        "\n"
        "    per_replica_losses = strategy.run(replica_step, args=(tuple(batch),))\n"
        '    return strategy.reduce("SUM", per_replica_losses, axis=None)\n',
    ),
]
