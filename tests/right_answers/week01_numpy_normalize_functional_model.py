"""Right answer: tensors from numpy arrays, normalize in numpy, a functional house model.

``make_tensors`` converts numpy arrays (``tf.convert_to_tensor`` and ``tf.fill``);
``normalize`` computes the scaling in float64 numpy with ``np.divide(..., where=...)`` and
only then makes a ``tf.float32`` tensor of it; the house model is a functional
``keras.Model`` compiled with ``keras.optimizers.SGD(learning_rate=0.01)`` and a
``keras.losses.MeanSquaredError()`` object.

week: week01_tensors
"""

CHANGES = [
    (
        """    return {
        "scalar": tf.constant(7, dtype=tf.int32),
        "vector": tf.constant([1.0, 2.0, 3.0], dtype=tf.float32),
        "matrix": tf.ones((2, 3), dtype=tf.float32),
    }
""",
        """    scalar = tf.convert_to_tensor(np.int32(7))
    vector = tf.convert_to_tensor(np.array([1, 2, 3], dtype=np.float32))
    matrix = tf.fill([2, 3], np.float32(1.0))
    return {"matrix": matrix, "vector": vector, "scalar": scalar}
""",
    ),
    (
        """    x = tf.cast(x, tf.float32)
    low, high = tf.reduce_min(x), tf.reduce_max(x)
    span = high - low
    return tf.where(span > 0, (x - low) / tf.where(span > 0, span, 1.0), tf.zeros_like(x))
""",
        """    values = np.asarray(x, dtype=np.float64)
    shifted = values - values.min()
    span = shifted.max()
    scaled = np.divide(shifted, span, out=np.zeros_like(shifted), where=span > 0)
    return tf.constant(scaled, dtype=tf.float32)
""",
    ),
    (
        """    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mean_squared_error")
""",
        """    bedrooms = keras.Input(shape=(1,), name="bedrooms")
    price = keras.layers.Dense(units=1, name="price")(bedrooms)
    model = keras.Model(inputs=bedrooms, outputs=price)
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.01),
        loss=keras.losses.MeanSquaredError(),
    )
""",
    ),
]
