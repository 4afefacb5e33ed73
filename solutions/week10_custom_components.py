# %%
"""Week 10: custom components: losses, layers, metrics and models of your own, saved and loaded.

Goal: go past the built-in pieces of Keras. Write the Huber loss twice (as a closure that
captures its threshold, then as a ``keras.losses.Loss`` subclass that can be saved), a layer
with weights of its own, a metric that accumulates counts over batches, a Functional model
with two named outputs and a loss for each, a subclassed ``keras.Model``, and save a model
made of custom pieces to a ``.keras`` file and load it back.

Data: the graders generate every input themselves: arrays of errors for the losses, of
features for the layers and models, of labels and scores for the metric, and, for exercise
10.5, 1,000 generated points of a parabola of which one in ten is an outlier far above it.

Exercises:
    10.1  ``make_huber_loss``        the Huber loss as a function, its threshold in a closure
    10.2  ``HuberLoss``              the same loss as a ``keras.losses.Loss`` subclass
    10.3  ``QuadraticLayer``         a layer with weights ``a``, ``b``, ``c``: x²·a + x·b + c
    10.4  ``BinaryF1Score``          a metric that counts over every batch it is shown
    10.5  ``build_curve_model``      ``QuadraticLayer`` trained with ``HuberLoss``
    10.6  ``build_two_head_model``   a Functional model with the outputs "value", "is_positive"
    10.7  ``WideAndDeepModel``       a subclassed ``keras.Model``
    10.8  ``save_model``, ``load_model``   a ``.keras`` file, custom classes included

Write the losses, the layer and the metric with ``keras.ops`` (or TensorFlow) so that they
work on tensors inside ``model.fit``. Allowed: TensorFlow, Keras, numpy and the standard
library. Importing this module must not train anything, read files or download anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras

# -- Losses ---------------------------------------------------------------------------------
#
# The Huber loss of an error ``e = y_true - y_pred`` is quadratic for small errors and
# linear for large ones, so a few outliers pull a model much less than with the squared
# error. With a ``threshold`` t, element by element:
#
#     0.5 * e**2               where |e| <= t
#     t * (|e| - 0.5 * t)      where |e| >  t
#
# (both are 0.5 * t**2 at |e| = t, so the loss is continuous).


# %%
def make_huber_loss(threshold: float = 1.0) -> Callable[[Any, Any], Any]:
    """Exercise 10.1: a Huber loss function for ``threshold``, made by a closure.

    Return a function ``huber(y_true, y_pred)`` that Keras accepts as a loss
    (``model.compile(loss=make_huber_loss(2.0))``). It computes the Huber loss above for
    every element, with the ``threshold`` given to ``make_huber_loss``, then averages over
    the last axis: for ``y_true`` and ``y_pred`` of shape ``(batch, k)`` it returns one
    loss per sample, shape ``(batch,)``, as Keras's own loss functions do (Keras then
    averages them over the batch). ``y_true`` may have another dtype than ``y_pred``: cast
    it to ``y_pred.dtype`` first.
    """

    ### BEGIN SOLUTION
    def huber(y_true: Any, y_pred: Any) -> Any:
        error = keras.ops.cast(y_true, y_pred.dtype) - y_pred
        small = keras.ops.abs(error) <= threshold
        squared = 0.5 * keras.ops.square(error)
        linear = threshold * (keras.ops.abs(error) - 0.5 * threshold)
        return keras.ops.mean(keras.ops.where(small, squared, linear), axis=-1)

    return huber
    ### END SOLUTION


# %%
class HuberLoss(keras.losses.Loss):
    """Exercise 10.2: the Huber loss as a ``keras.losses.Loss`` subclass.

    ``HuberLoss(threshold=2.0)`` is a loss object: calling it, ``loss(y_true, y_pred)``,
    returns the mean loss over the batch (a scalar), and it can be saved with a model and
    rebuilt from its configuration. Keras's ``Loss.__call__`` does the averaging: your
    ``call`` returns one loss per sample, as ``make_huber_loss``'s function does.
    """

    def __init__(self, threshold: float = 1.0, name: str = "huber_loss", **kwargs: Any) -> None:
        """Keep ``threshold``; pass ``name`` and the other keyword arguments (``reduction``,
        ``dtype``) on to ``super().__init__``."""
        ### BEGIN SOLUTION
        super().__init__(name=name, **kwargs)
        self.threshold = threshold
        ### END SOLUTION

    def call(self, y_true: Any, y_pred: Any) -> Any:
        """The Huber loss of each sample, averaged over the last axis: shape ``(batch,)``."""
        ### BEGIN SOLUTION
        error = keras.ops.cast(y_true, y_pred.dtype) - y_pred
        absolute = keras.ops.abs(error)
        per_element = keras.ops.where(
            absolute <= self.threshold,
            0.5 * keras.ops.square(error),
            self.threshold * (absolute - 0.5 * self.threshold),
        )
        return keras.ops.mean(per_element, axis=-1)
        ### END SOLUTION

    def get_config(self) -> dict[str, Any]:
        """``super().get_config()`` plus ``"threshold"``, so that
        ``HuberLoss.from_config(loss.get_config())`` is the same loss."""
        ### BEGIN SOLUTION
        return {**super().get_config(), "threshold": self.threshold}
        ### END SOLUTION


# -- A layer --------------------------------------------------------------------------------


# %%
class QuadraticLayer(keras.layers.Layer):
    """Exercise 10.3: a layer that computes ``x**2 @ a + x @ b + c``, ``units`` outputs.

    For inputs ``x`` of shape ``(batch, input_dim)`` the output has shape ``(batch,
    units)``: ``keras.ops.matmul(keras.ops.square(x), a) + keras.ops.matmul(x, b) + c``.
    The layer learns three weights, created in ``build`` (only there is ``input_dim``
    known) with ``self.add_weight`` and exactly these names:

        a   shape (input_dim, units), initializer "random_normal"
        b   shape (input_dim, units), initializer "random_normal"
        c   shape (units,),           initializer "zeros"

    all trainable. ``get_config`` returns ``super().get_config()`` plus ``"units"``, so that
    ``QuadraticLayer.from_config(layer.get_config())`` builds the same layer.
    """

    def __init__(self, units: int = 1, **kwargs: Any) -> None:
        """Keep ``units``; pass the other keyword arguments (``name``...) to ``super``."""
        ### BEGIN SOLUTION
        super().__init__(**kwargs)
        self.units = units
        ### END SOLUTION

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        """Create ``a``, ``b`` and ``c`` for inputs of ``input_shape`` (``(batch,
        input_dim)``)."""
        ### BEGIN SOLUTION
        input_dim = int(input_shape[-1])
        self.a = self.add_weight(
            name="a", shape=(input_dim, self.units), initializer="random_normal"
        )
        self.b = self.add_weight(
            name="b", shape=(input_dim, self.units), initializer="random_normal"
        )
        self.c = self.add_weight(name="c", shape=(self.units,), initializer="zeros")
        ### END SOLUTION

    def call(self, inputs: Any) -> Any:
        """``inputs**2 @ a + inputs @ b + c``, shape ``(batch, units)``."""
        ### BEGIN SOLUTION
        return (
            keras.ops.matmul(keras.ops.square(inputs), self.a)
            + keras.ops.matmul(inputs, self.b)
            + self.c
        )
        ### END SOLUTION

    def get_config(self) -> dict[str, Any]:
        """The layer's settings: ``super().get_config()`` and ``"units"``."""
        ### BEGIN SOLUTION
        return {**super().get_config(), "units": self.units}
        ### END SOLUTION


# -- A metric -------------------------------------------------------------------------------


# %%
class BinaryF1Score(keras.metrics.Metric):
    """Exercise 10.4: the F1 score of binary predictions, over every batch seen so far.

    ``y_true`` holds labels 0 and 1, ``y_pred`` scores between 0 and 1, both of shape
    ``(batch, 1)`` or ``(batch,)``; a score above ``threshold`` (``y_pred > threshold``)
    predicts 1. The F1 score is ``2 * TP / (2 * TP + FP + FN)`` with the true positives,
    false positives and false negatives counted over *all* the samples given to
    ``update_state`` since the last ``reset_state``: not an average of per-batch scores.
    Keep the three counts in variables made with ``self.add_variable(shape=(),
    initializer="zeros", name=...)``. ``result()`` is 0.0 while there is nothing to count
    (no positive label and no positive prediction); ``reset_state()`` sets every count
    back to 0. ``sample_weight`` may be ignored.
    """

    def __init__(self, threshold: float = 0.5, name: str = "binary_f1", **kwargs: Any) -> None:
        """Keep ``threshold``, pass ``name`` and ``kwargs`` to ``super``, create the counts."""
        ### BEGIN SOLUTION
        super().__init__(name=name, **kwargs)
        self.threshold = threshold
        self.true_positives = self.add_variable(
            shape=(), initializer="zeros", name="true_positives"
        )
        self.false_positives = self.add_variable(
            shape=(), initializer="zeros", name="false_positives"
        )
        self.false_negatives = self.add_variable(
            shape=(), initializer="zeros", name="false_negatives"
        )
        ### END SOLUTION

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the true positives, false positives and false negatives of this batch."""
        ### BEGIN SOLUTION
        actual = keras.ops.reshape(keras.ops.cast(y_true, "float32"), (-1,))
        predicted = keras.ops.cast(keras.ops.reshape(y_pred, (-1,)) > self.threshold, "float32")
        self.true_positives.assign_add(keras.ops.sum(actual * predicted))
        self.false_positives.assign_add(keras.ops.sum((1.0 - actual) * predicted))
        self.false_negatives.assign_add(keras.ops.sum(actual * (1.0 - predicted)))
        ### END SOLUTION

    def result(self) -> Any:
        """``2 TP / (2 TP + FP + FN)`` over everything counted, 0.0 when that is 0 / 0."""
        ### BEGIN SOLUTION
        twice = 2.0 * self.true_positives
        return keras.ops.divide_no_nan(twice, twice + self.false_positives + self.false_negatives)
        ### END SOLUTION

    def reset_state(self) -> None:
        """Set every count back to 0 (Keras calls this at the start of each epoch)."""
        ### BEGIN SOLUTION
        for count in (self.true_positives, self.false_positives, self.false_negatives):
            count.assign(0.0)
        ### END SOLUTION


# -- Models ---------------------------------------------------------------------------------


# %%
def build_curve_model() -> keras.Model:
    """Exercise 10.5: a model that fits a parabola ``y = p x² + q x + r`` to noisy points.

    Input: one number per sample (``keras.Input(shape=(1,))``); one ``QuadraticLayer(1)``,
    output shape ``(batch, 1)``: its three weights are the parabola's p, q and r. Compile
    with ``keras.optimizers.Adam(learning_rate=0.02)`` and ``loss=HuberLoss(threshold=1.0)``
    and return the compiled, untrained model.

    The grader trains it for 30 epochs (batch size 64) on 1,000 generated points, one in
    ten of them an outlier 4 to 8 above the curve, and compares the fitted curve with the
    true one: the squared error would let the outliers lift the whole curve, the Huber loss
    barely notices them.
    """
    ### BEGIN SOLUTION
    model = keras.Sequential([keras.Input(shape=(1,)), QuadraticLayer(1)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.02), loss=HuberLoss(1.0))
    return model
    ### END SOLUTION


# %%
def build_two_head_model(input_dim: int) -> keras.Model:
    """Exercise 10.6: one trunk, two heads: a Functional model with two named outputs.

    Input ``keras.Input(shape=(input_dim,))``; a trunk of two ``Dense(32,
    activation="relu")`` layers; on top of it two heads, each a Dense layer named after its
    output:

        "value"         Dense(1), no activation: a number to regress
        "is_positive"   Dense(1, activation="sigmoid"): the probability of a yes/no label

    Build ``keras.Model(inputs, outputs)`` with the outputs as a list ``[value,
    is_positive]`` or a dict ``{"value": value, "is_positive": is_positive}``. Compile with
    ``optimizer="adam"``, one loss per output, given by name, ``loss={"value": "mse",
    "is_positive": "binary_crossentropy"}``, and the metrics of each output,
    ``metrics={"value": ["mae"], "is_positive": ["accuracy"]}``. Keras sorts the outputs
    of a dict by name, so a *list* of losses would not follow the order you wrote: use dicts.
    """
    ### BEGIN SOLUTION
    inputs = keras.Input(shape=(input_dim,))
    trunk = keras.layers.Dense(32, activation="relu")(inputs)
    trunk = keras.layers.Dense(32, activation="relu")(trunk)
    value = keras.layers.Dense(1, name="value")(trunk)
    is_positive = keras.layers.Dense(1, activation="sigmoid", name="is_positive")(trunk)
    model = keras.Model(inputs, {"value": value, "is_positive": is_positive})
    model.compile(
        optimizer="adam",
        loss={"value": "mse", "is_positive": "binary_crossentropy"},
        metrics={"value": ["mae"], "is_positive": ["accuracy"]},
    )
    return model
    ### END SOLUTION


# %%
class WideAndDeepModel(keras.Model):
    """Exercise 10.7: a subclassed model: the input goes both through a deep path and
    straight to the output ("wide and deep", Cheng et al. 2016).

    ``__init__`` creates the layers: ``hidden1`` and ``hidden2``, both ``Dense(units,
    activation="relu")``, and ``output_layer``, ``Dense(1)``. ``call(inputs)`` runs
    ``inputs`` (shape ``(batch, input_dim)``) through ``hidden1`` then ``hidden2``, joins
    the input and that result, ``keras.layers.concatenate([inputs, deep])``, shape
    ``(batch, input_dim + units)``, and returns ``output_layer`` of the join, shape
    ``(batch, 1)``. Once called, the model's trainable variables are the kernels and biases
    of the three Dense layers.
    """

    def __init__(self, units: int = 30, **kwargs: Any) -> None:
        """Pass ``kwargs`` to ``super().__init__``, then create the three layers."""
        ### BEGIN SOLUTION
        super().__init__(**kwargs)
        self.units = units
        self.hidden1 = keras.layers.Dense(units, activation="relu")
        self.hidden2 = keras.layers.Dense(units, activation="relu")
        self.output_layer = keras.layers.Dense(1)
        ### END SOLUTION

    def call(self, inputs: Any) -> Any:
        """``output_layer(concatenate([inputs, hidden2(hidden1(inputs))]))``."""
        ### BEGIN SOLUTION
        deep = self.hidden2(self.hidden1(inputs))
        return self.output_layer(keras.layers.concatenate([inputs, deep]))
        ### END SOLUTION


# -- Saving ---------------------------------------------------------------------------------


# %%
def save_model(model: keras.Model, filepath: str) -> None:
    """Exercise 10.8: save ``model`` whole (layers, weights, compile settings) to
    ``filepath``, a path ending in ``.keras``."""
    ### BEGIN SOLUTION
    model.save(filepath)
    ### END SOLUTION


# %%
def load_model(filepath: str) -> keras.Model:
    """Exercise 10.8: load the model that ``save_model`` wrote to ``filepath``.

    The file names the classes of its layers and loss (``QuadraticLayer``, ``HuberLoss``),
    but Keras only rebuilds classes it knows: either pass them to
    ``keras.models.load_model(filepath, custom_objects={...})``, or register them where
    they are defined with the decorator ``@keras.saving.register_keras_serializable()``.
    The loaded model predicts exactly what the saved one did, with layers and loss of your
    own classes.
    """
    ### BEGIN SOLUTION
    custom_objects = {"QuadraticLayer": QuadraticLayer, "HuberLoss": HuberLoss}
    return keras.models.load_model(filepath, custom_objects=custom_objects)
    ### END SOLUTION
