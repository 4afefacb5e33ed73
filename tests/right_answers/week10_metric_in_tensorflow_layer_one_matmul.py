"""Right answer: the F1 metric with TensorFlow's logical ops; the layer in one matmul.

``BinaryF1Score`` reads labels and predictions as booleans, counts each kind of sample
with ``tf.logical_and`` and ``tf.math.count_nonzero`` (cast to float32), returns
``tf.where(denominator > 0, 2 TP / denominator, 0)`` and resets by assigning zeros to each
of its variables. ``QuadraticLayer`` stacks ``[x**2, x]`` along the features and multiplies
once by ``a`` stacked on ``b`` (``x**2 @ a + x @ b`` as one block product), with its
initializers given as objects.

week: week10_custom_components
"""

CHANGES = [
    (
        "import keras\n",
        "import keras\nimport tensorflow as tf\n",
    ),
    (
        "        input_dim = int(input_shape[-1])\n"
        "        self.a = self.add_weight(\n"
        '            name="a", shape=(input_dim, self.units), initializer="random_normal"\n'
        "        )\n"
        "        self.b = self.add_weight(\n"
        '            name="b", shape=(input_dim, self.units), initializer="random_normal"\n'
        "        )\n"
        '        self.c = self.add_weight(name="c", shape=(self.units,), initializer="zeros")\n',
        "        kernel_shape = (input_shape[-1], self.units)\n"
        "        self.a = self.add_weight(\n"
        '            shape=kernel_shape, initializer=keras.initializers.RandomNormal(), name="a"\n'
        "        )\n"
        "        self.b = self.add_weight(\n"
        '            shape=kernel_shape, initializer=keras.initializers.RandomNormal(), name="b"\n'
        "        )\n"
        "        self.c = self.add_weight(\n"
        '            shape=(self.units,), initializer=keras.initializers.Zeros(), name="c"\n'
        "        )\n",
    ),
    (
        "        return (\n"
        "            keras.ops.matmul(keras.ops.square(inputs), self.a)\n"
        "            + keras.ops.matmul(inputs, self.b)\n"
        "            + self.c\n"
        "        )\n",
        "        features = keras.ops.concatenate([keras.ops.square(inputs), inputs], axis=-1)\n"
        "        kernel = keras.ops.concatenate([self.a, self.b], axis=0)\n"
        "        return keras.ops.matmul(features, kernel) + self.c\n",
    ),
    (
        '        actual = keras.ops.reshape(keras.ops.cast(y_true, "float32"), (-1,))\n'
        '        predicted = keras.ops.cast(keras.ops.reshape(y_pred, (-1,)) > self.threshold, "float32")\n'
        "        self.true_positives.assign_add(keras.ops.sum(actual * predicted))\n"
        "        self.false_positives.assign_add(keras.ops.sum((1.0 - actual) * predicted))\n"
        "        self.false_negatives.assign_add(keras.ops.sum(actual * (1.0 - predicted)))\n",
        "        actual = tf.reshape(tf.cast(y_true, tf.float32) > 0.5, [-1])\n"
        "        predicted = tf.reshape(y_pred > self.threshold, [-1])\n"
        "\n"
        "        def count(condition: Any) -> Any:\n"
        "            return tf.cast(tf.math.count_nonzero(condition), tf.float32)\n"
        "\n"
        "        self.true_positives.assign_add(count(tf.logical_and(actual, predicted)))\n"
        "        self.false_positives.assign_add(count(tf.logical_and(~actual, predicted)))\n"
        "        self.false_negatives.assign_add(count(tf.logical_and(actual, ~predicted)))\n",
    ),
    (
        "        twice = 2.0 * self.true_positives\n"
        "        return keras.ops.divide_no_nan(twice, twice + self.false_positives + self.false_negatives)\n",
        "        twice = 2.0 * tf.convert_to_tensor(self.true_positives)\n"
        "        denominator = twice + self.false_positives + self.false_negatives\n"
        "        safe = tf.maximum(denominator, 1.0)\n"
        "        return tf.where(denominator > 0.0, twice / safe, tf.zeros_like(twice))\n",
    ),
    (
        "        for count in (self.true_positives, self.false_positives, self.false_negatives):\n"
        "            count.assign(0.0)\n",
        "        self.true_positives.assign(tf.zeros(()))\n"
        "        self.false_positives.assign(tf.zeros(()))\n"
        "        self.false_negatives.assign(tf.zeros(()))\n",
    ),
]
