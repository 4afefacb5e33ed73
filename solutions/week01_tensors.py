# %%
"""Week 1: tensors and automatic differentiation.

Goal: get comfortable with TensorFlow's building blocks before using Keras for everything:
constant tensors and their dtypes, simple tensor maths, gradients with ``tf.GradientTape``,
a line fitted by hand-written gradient descent, and finally the same idea as a one-neuron
Keras model.

Exercises:
    1.1 ``make_tensors``          constants of given ranks and dtypes
    1.2 ``normalize``             min-max scaling to [0, 1]
    1.3 ``polynomial_gradient``   a first derivative with ``tf.GradientTape``
    1.4 ``second_derivative``     nested tapes
    1.5 ``fit_line``              ``tf.Variable`` and manual gradient descent
    1.6 ``build_house_price_model``  one Dense unit, SGD and mean squared error

Allowed: TensorFlow, Keras and numpy. Importing this module must not train anything.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf


# %%
def make_tensors() -> dict[str, tf.Tensor]:
    """Exercise 1.1: return three constant tensors in a dict.

    - ``"scalar"``: a rank-0 ``tf.int32`` tensor holding 7;
    - ``"vector"``: a rank-1 ``tf.float32`` tensor holding 1.0, 2.0, 3.0;
    - ``"matrix"``: a ``tf.float32`` tensor of shape (2, 3) filled with ones.
    """
    ### BEGIN SOLUTION
    return {
        "scalar": tf.constant(7, dtype=tf.int32),
        "vector": tf.constant([1.0, 2.0, 3.0], dtype=tf.float32),
        "matrix": tf.ones((2, 3), dtype=tf.float32),
    }
    ### END SOLUTION


# %%
def normalize(x: tf.Tensor | np.ndarray) -> tf.Tensor:
    """Exercise 1.2: scale ``x`` linearly to the range [0, 1].

    The smallest element becomes 0.0 and the largest 1.0: ``(x - min) / (max - min)``
    over all elements. Works for any shape and any numeric dtype; the result has the shape
    of ``x`` and dtype ``tf.float32``. When every element is equal, return zeros.
    """
    ### BEGIN SOLUTION
    x = tf.cast(x, tf.float32)
    low, high = tf.reduce_min(x), tf.reduce_max(x)
    span = high - low
    return tf.where(span > 0, (x - low) / tf.where(span > 0, span, 1.0), tf.zeros_like(x))
    ### END SOLUTION


# %%
def polynomial_gradient(x: float | tf.Tensor) -> tf.Tensor:
    """Exercise 1.3: the derivative of ``y = sum(3x**3 - 2x**2 + x)`` with respect to ``x``.

    Use ``tf.GradientTape``. ``x`` is a number or a float tensor of any shape; the result is
    a ``tf.float32`` tensor of the same shape (one derivative per element). At ``x = 2.0``
    the derivative is 29.0.
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(3 * x**3 - 2 * x**2 + x)
    return tape.gradient(y, x)
    ### END SOLUTION


# %%
def second_derivative(f: Callable[[tf.Tensor], tf.Tensor], x: float) -> tf.Tensor:
    """Exercise 1.4: the second derivative of ``f`` at the point ``x``.

    ``f`` takes and returns a scalar ``tf.float32`` tensor and is built from TensorFlow
    operations. Use two nested ``tf.GradientTape`` blocks. Return a rank-0 ``tf.float32``
    tensor.
    """
    ### BEGIN SOLUTION
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = f(x)
        dy_dx = inner.gradient(y, x)
    return outer.gradient(dy_dx, x)
    ### END SOLUTION


# %%
def fit_line(
    xs: np.ndarray, ys: np.ndarray, learning_rate: float = 0.05, steps: int = 500
) -> tuple[float, float]:
    """Exercise 1.5: fit ``y = w * x + b`` by gradient descent on the mean squared error.

    Start from ``w = b = 0`` held in ``tf.Variable`` objects; at each of ``steps`` steps,
    compute the loss under a ``tf.GradientTape`` and move both variables against their
    gradients, scaled by ``learning_rate``. Do not use Keras or a closed-form solution.
    Return ``(w, b)`` as Python floats.
    """
    ### BEGIN SOLUTION
    xs = tf.constant(xs, dtype=tf.float32)
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
    ### END SOLUTION


# %%
def build_house_price_model() -> keras.Model:
    """Exercise 1.6: a model that predicts a house price from its number of bedrooms.

    One ``Dense`` layer with a single unit on a single input feature (input shape ``(1,)``),
    compiled with the ``SGD`` optimizer and the mean squared error loss. A house costs 50k
    plus 50k per bedroom, in hundreds of thousands: trained on 1 to 6 bedrooms, the model
    should predict about 4.0 for 7 bedrooms. Return the compiled, untrained model.
    """
    ### BEGIN SOLUTION
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mean_squared_error")
    return model
    ### END SOLUTION
