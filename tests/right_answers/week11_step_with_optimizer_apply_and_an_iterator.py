"""Right answer: ``optimizer.apply``, a step wrapped by ``tf.function(...)``, an explicit iterator.

``train_step`` lists the variables once, computes the loss inside the tape and updates
with Keras 3's ``optimizer.apply(gradients, variables)`` instead of ``apply_gradients(zip(...))``;
``make_train_step`` defines a plain closure and compiles it with ``tf.function(step,
reduce_retracing=True)`` once (a smaller last batch reuses a shape-relaxed graph);
``train_one_epoch`` walks the dataset with ``iter``/``next`` until ``StopIteration``.

week: week11_training_loops
"""

CHANGES = [
    (
        "    with tf.GradientTape() as tape:\n"
        "        predictions = model(x, training=True)\n"
        "        loss = loss_fn(y, predictions)\n"
        "    gradients = tape.gradient(loss, model.trainable_variables)\n"
        "    optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))\n"
        "    return loss\n",
        "    variables = model.trainable_variables\n"
        "    with tf.GradientTape() as tape:\n"
        "        loss = loss_fn(y, model(x, training=True))\n"
        "    optimizer.apply(tape.gradient(loss, variables), variables)\n"
        "    return loss\n",
    ),
    (
        "    @tf.function\n"
        "    def step(x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:\n"
        "        return train_step(model, optimizer, loss_fn, x, y)\n"
        "\n"
        "    return step\n",
        "    def step(x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:\n"
        "        return train_step(model, optimizer, loss_fn, x, y)\n"
        "\n"
        "    return tf.function(step, reduce_retracing=True)\n",
    ),
    (
        "    loss_metric.reset_state()\n"
        "    for x, y in dataset:\n"
        "        loss_metric.update_state(step(x, y))\n"
        "    return float(loss_metric.result())\n",
        "    loss_metric.reset_state()\n"
        "    batches = iter(dataset)\n"
        "    while True:\n"
        "        try:\n"
        "            x, y = next(batches)\n"
        "        except StopIteration:\n"
        "            break\n"
        "        loss = step(x, y)\n"
        "        loss_metric.update_state(loss)\n"
        "    return float(loss_metric.result().numpy())\n",
    ),
]
