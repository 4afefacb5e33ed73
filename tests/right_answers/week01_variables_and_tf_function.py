"""Right answer: gradients of ``tf.Variable`` inputs and a ``tf.function`` training step.

``polynomial_gradient`` and ``second_derivative`` put ``x`` in a ``tf.Variable``, which the
tapes watch without ``tape.watch``; ``fit_line`` compiles one gradient-descent step with
``@tf.function`` and moves the variables with ``assign(v - rate * grad)``; ``normalize``
uses ``tf.math.divide_no_nan`` for the constant case.

week: week01_tensors
"""

CHANGES = [
    (
        """    x = tf.cast(x, tf.float32)
    low, high = tf.reduce_min(x), tf.reduce_max(x)
    span = high - low
    return tf.where(span > 0, (x - low) / tf.where(span > 0, span, 1.0), tf.zeros_like(x))
""",
        """    x = tf.cast(tf.convert_to_tensor(x), tf.float32)
    low = tf.reduce_min(x)
    return tf.math.divide_no_nan(x - low, tf.reduce_max(x) - low)
""",
    ),
    (
        """    x = tf.convert_to_tensor(x, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(3 * x**3 - 2 * x**2 + x)
    return tape.gradient(y, x)
""",
        """    variable = tf.Variable(x, dtype=tf.float32)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(3.0 * tf.pow(variable, 3) - 2.0 * tf.square(variable) + variable)
    return tf.convert_to_tensor(tape.gradient(y, variable))
""",
    ),
    (
        """    x = tf.convert_to_tensor(x, dtype=tf.float32)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = f(x)
        dy_dx = inner.gradient(y, x)
    return outer.gradient(dy_dx, x)
""",
        """    point = tf.Variable(float(x), dtype=tf.float32)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = f(tf.identity(point))
        first = inner.gradient(y, point)
    return tf.convert_to_tensor(outer.gradient(first, point))
""",
    ),
    (
        """    xs = tf.constant(xs, dtype=tf.float32)
    ys = tf.constant(ys, dtype=tf.float32)
    w = tf.Variable(0.0)
    b = tf.Variable(0.0)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(w * xs + b - ys))
        dw, db = tape.gradient(loss, [w, b])
        w.assign_sub(learning_rate * dw)
        b.assign_sub(learning_rate * db)
    return float(w.numpy()), float(b.numpy())
""",
        """    inputs = tf.constant(xs, dtype=tf.float32)
    targets = tf.constant(ys, dtype=tf.float32)
    rate = tf.constant(learning_rate, dtype=tf.float32)
    w = tf.Variable(0.0, dtype=tf.float32)
    b = tf.Variable(0.0, dtype=tf.float32)

    @tf.function
    def step() -> None:
        with tf.GradientTape() as tape:
            errors = w * inputs + b - targets
            loss = tf.reduce_mean(errors * errors)
        grad_w, grad_b = tape.gradient(loss, [w, b])
        w.assign(w - rate * grad_w)
        b.assign(b - rate * grad_b)

    for _ in range(steps):
        step()
    return float(w.numpy()), float(b.numpy())
""",
    ),
]
