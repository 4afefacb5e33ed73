"""Right answer: ``keras.ops`` scaling, a persistent tape in ``fit_line``, ``Sequential.add``.

``normalize`` works with ``keras.ops`` (``ops.min``, ``ops.max``, ``ops.where``) and a
Python ``if`` on the span; ``make_tensors`` builds the vector with ``tf.range`` and the
matrix with ``tf.ones_like``; ``fit_line`` takes each variable's gradient from one
persistent tape, with the error averaged by ``tf.reduce_mean`` over a squared difference
written out; the house model is built with ``Sequential.add`` and compiled with
``SGD(learning_rate=0.02)`` (well within SGD's stable range on 1-6 bedrooms) and
``loss="mse"``.

week: week01_tensors
"""

CHANGES = [
    (
        """        "vector": tf.constant([1.0, 2.0, 3.0], dtype=tf.float32),
        "matrix": tf.ones((2, 3), dtype=tf.float32),
""",
        """        "vector": tf.range(1, 4, dtype=tf.float32),
        "matrix": tf.ones_like(tf.zeros([2, 3]), dtype=tf.float32),
""",
    ),
    (
        """    x = tf.cast(x, tf.float32)
    low, high = tf.reduce_min(x), tf.reduce_max(x)
    span = high - low
    return tf.where(span > 0, (x - low) / tf.where(span > 0, span, 1.0), tf.zeros_like(x))
""",
        """    x = keras.ops.cast(keras.ops.convert_to_tensor(x), "float32")
    low = keras.ops.min(x)
    span = keras.ops.max(x) - low
    if float(span) == 0.0:
        return tf.zeros_like(x)
    return tf.convert_to_tensor(keras.ops.divide(x - low, span))
""",
    ),
    (
        """    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(w * xs + b - ys))
        dw, db = tape.gradient(loss, [w, b])
        w.assign_sub(learning_rate * dw)
        b.assign_sub(learning_rate * db)
""",
        """    for _ in range(steps):
        with tf.GradientTape(persistent=True) as tape:
            difference = (w * xs + b) - ys
            loss = tf.reduce_mean(difference**2)
        dw = tape.gradient(loss, w)
        db = tape.gradient(loss, b)
        del tape
        w.assign_sub(learning_rate * dw)
        b.assign_sub(learning_rate * db)
""",
    ),
    (
        """    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mean_squared_error")
""",
        """    model = keras.Sequential()
    model.add(keras.Input(shape=(1,)))
    model.add(keras.layers.Dense(1))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.02), loss="mse")
""",
    ),
]
