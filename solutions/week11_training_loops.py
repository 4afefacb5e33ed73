# %%
"""Week 11: custom training loops with tf.GradientTape and tf.function.

Goal: write by hand what ``model.fit`` does for you. A training step records the forward
pass on a ``tf.GradientTape``, takes the gradients of the loss with respect to the model's
trainable variables and lets the optimizer apply them; ``tf.function`` compiles that step
into a graph, traced once and reused for every batch of the same shape; an epoch loops over
a ``tf.data`` pipeline and keeps a running mean of the loss in a Keras metric; and the whole
loop trains a tumour classifier whose features are standardised with the statistics of the
training set only.

Exercises:
    11.1 ``standardize``        scale two sets of features with the TRAINING set's statistics
    11.2 ``make_dataset``       map, cache, (shuffle), batch and prefetch with ``tf.data``
    11.3 ``train_step``         one gradient-descent step with ``tf.GradientTape``
    11.4 ``make_train_step``    the same step compiled with ``tf.function``, traced once
    11.5 ``train_one_epoch``    one pass over a dataset, with the loss metric reset first
    11.6 ``train_classifier``   the whole custom loop: standardise, train, predict

Data: the Wisconsin diagnostic breast-cancer data (W. N. Street, W. H. Wolberg and O. L.
Mangasarian, 1993): 569 tumours, each described by 30 measurements of the cell nuclei in a
digitised image of a fine-needle aspirate. scikit-learn ships it:
``sklearn.datasets.load_breast_cancer(return_X_y=True)`` works offline. In this week, label
1 means malignant (212 tumours) and 0 benign (357); scikit-learn's own ``target`` counts the
other way round (0 = malignant), so the graders use ``1 - target``. The grader splits the
tumours at random into 400 for training and 169 for validation. ``train_classifier`` sees
the training features and labels and the validation features only; the grader keeps the
validation labels and computes the F1 score of your predictions itself.

Contract for exercises 11.3 to 11.5: ``model`` is a built Keras model with one sigmoid output
(shape ``(batch, 1)``), ``optimizer`` a Keras optimizer, ``loss_fn`` a Keras loss object
(``keras.losses.BinaryCrossentropy()``: call it as ``loss_fn(y_true, y_pred)``), ``x`` a
float32 batch of shape ``(batch, features)`` and ``y`` a float32 batch of labels of shape
``(batch, 1)``, as ``make_dataset`` yields them. The graders pass their own small models,
plain SGD and data, and compare the new weights with the update they compute themselves.

Allowed: TensorFlow, Keras, numpy and the standard library. Importing this module must not
train anything, read files or download anything.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf

TrainStep = Callable[[tf.Tensor, tf.Tensor], tf.Tensor]


# %%
def standardize(train: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exercise 11.1: standardise ``train`` and ``other`` with the statistics of ``train``.

    ``train`` has shape ``(n, features)`` and ``other`` (validation or test features) shape
    ``(m, features)``. Compute the mean and the standard deviation of every column (every
    feature) of ``train`` only (``axis=0``; numpy's default ``std``, ``ddof=0``), then
    return ``((train - mean) / std, (other - mean) / std)`` as float32 arrays of the input
    shapes. The training columns then have mean 0 and standard deviation 1; the other set's
    columns generally do not, and must not be forced to: a model only ever learns the
    training set's scale, and at prediction time the statistics of unseen data are unknown.
    """
    ### BEGIN SOLUTION
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    return (
        ((train - mean) / std).astype(np.float32),
        ((other - mean) / std).astype(np.float32),
    )
    ### END SOLUTION


# %%
def make_dataset(
    features: np.ndarray, labels: np.ndarray, batch_size: int = 32, shuffle: bool = False
) -> tf.data.Dataset:
    """Exercise 11.2: a ``tf.data`` pipeline of ``(features, labels)`` batches.

    ``features`` has shape ``(n, f)`` (any float dtype), ``labels`` shape ``(n,)`` (any
    integer dtype). In this order:

    1. ``tf.data.Dataset.from_tensor_slices((features, labels))``;
    2. ``.map(...)`` a function that casts the features to float32 and turns each label into
       a float32 tensor of shape ``(1,)`` (``tf.reshape(tf.cast(label, tf.float32), (1,))``),
       so that a batch of labels has the shape ``(batch, 1)`` of the model's output;
    3. ``.cache()``: the mapped examples are kept in memory after the first epoch;
    4. when ``shuffle`` is true, ``.shuffle(len(features))``. It must come after the cache:
       a shuffle before it would be cached too, and every epoch would repeat the first
       epoch's order;
    5. ``.batch(batch_size)`` (the last batch holds the rest);
    6. ``.prefetch(tf.data.AUTOTUNE)``.

    Each example appears once per pass, with its own label; with ``shuffle=False`` in the
    order of ``features``.
    """

    ### BEGIN SOLUTION
    def to_float32(example: tf.Tensor, label: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        return tf.cast(example, tf.float32), tf.reshape(tf.cast(label, tf.float32), (1,))

    dataset = tf.data.Dataset.from_tensor_slices((features, labels))
    dataset = dataset.map(to_float32, num_parallel_calls=tf.data.AUTOTUNE).cache()
    if shuffle:
        dataset = dataset.shuffle(len(features))
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
    ### END SOLUTION


# %%
def train_step(
    model: keras.Model,
    optimizer: keras.optimizers.Optimizer,
    loss_fn: keras.losses.Loss,
    x: tf.Tensor,
    y: tf.Tensor,
) -> tf.Tensor:
    """Exercise 11.3: one gradient-descent step on the batch ``(x, y)``; return its loss.

    Inside ``with tf.GradientTape() as tape:`` run the forward pass:
    ``predictions = model(x, training=True)`` and ``loss = loss_fn(y, predictions)``. After
    the block, ``tape.gradient(loss, model.trainable_variables)`` gives one gradient per
    trainable variable (all of them, every layer's); ``optimizer.apply_gradients(zip(
    gradients, model.trainable_variables))`` updates the variables. With plain SGD and
    learning rate ``lr``, every variable ``w`` becomes ``w - lr * dloss/dw``.

    Return the loss, a scalar tensor, as computed before the update. The tape only records
    what runs inside its block: a forward pass outside it gives gradients of ``None``.
    """
    ### BEGIN SOLUTION
    with tf.GradientTape() as tape:
        predictions = model(x, training=True)
        loss = loss_fn(y, predictions)
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
    return loss
    ### END SOLUTION


# %%
def make_train_step(
    model: keras.Model, optimizer: keras.optimizers.Optimizer, loss_fn: keras.losses.Loss
) -> TrainStep:
    """Exercise 11.4: ``train_step`` for this model, optimizer and loss, compiled.

    Return a function ``step(x, y)`` that does what ``train_step(model, optimizer, loss_fn,
    x, y)`` does and returns the loss, compiled into a TensorFlow graph with ``tf.function``.
    Create the ``tf.function`` once, here, and return it (or a function that calls it): it
    is traced (its Python code run to build the graph) on the first call, and every later
    batch of the same shape and dtype reuses that graph. A ``tf.function`` created inside
    ``step``, or arguments that change from call to call as Python numbers, trace the step
    again and again, which is slower than no ``tf.function`` at all.
    """

    ### BEGIN SOLUTION
    @tf.function
    def step(x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
        return train_step(model, optimizer, loss_fn, x, y)

    return step
    ### END SOLUTION


# %%
def train_one_epoch(
    step: TrainStep, dataset: tf.data.Dataset, loss_metric: keras.metrics.Mean
) -> float:
    """Exercise 11.5: one pass over ``dataset``; return the mean loss of the epoch.

    ``step(x, y)`` trains on one batch and returns its loss (``make_train_step`` gives such
    a function); ``dataset`` yields ``(x, y)`` batches; ``loss_metric`` is a
    ``keras.metrics.Mean`` that the caller uses for every epoch, so it still holds the
    previous epoch's losses: start with ``loss_metric.reset_state()``. Then, for every batch
    in order, call ``step`` once and pass its loss to ``loss_metric.update_state(loss)``.
    Return ``float(loss_metric.result())``, the mean of this epoch's batch losses.
    """
    ### BEGIN SOLUTION
    loss_metric.reset_state()
    for x, y in dataset:
        loss_metric.update_state(step(x, y))
    return float(loss_metric.result())
    ### END SOLUTION


# %%
def train_classifier(
    train_features: np.ndarray,
    train_labels: np.ndarray,
    validation_features: np.ndarray,
    epochs: int = 20,
) -> tuple[dict[str, list[float]], np.ndarray]:
    """Exercise 11.6: the whole custom training loop, from raw features to predictions.

    ``train_features`` (shape ``(n, 30)``, float64, raw measurements of very different
    scales) and ``train_labels`` (shape ``(n,)``, 1 = malignant, 0 = benign) are the
    training set; ``validation_features`` (shape ``(m, 30)``) are tumours whose labels the
    grader keeps. Steps:

    1. ``standardize`` both feature sets with the training statistics;
    2. ``make_dataset`` from the standardised training set, shuffled, batches of 32;
    3. build a small model: ``keras.Input(shape=(30,))``, one or two hidden ``Dense`` layers
       of 8 to 32 ``relu`` units and ``Dense(1, activation="sigmoid")``; an optimizer (Adam
       with learning rate 0.01 works well) and ``keras.losses.BinaryCrossentropy()``;
    4. ``make_train_step``, one ``keras.metrics.Mean`` for the loss, then ``epochs`` calls
       of ``train_one_epoch``.

    Return ``(history, probabilities)``: ``history`` is ``{"loss": [...]}`` with the mean
    training loss of each epoch (``epochs`` Python floats, in order) and ``probabilities``
    the trained model's predicted probability of malignancy for every validation tumour, a
    float array of shape ``(m, 1)`` or ``(m,)``. The grader trains for 20 epochs, which takes
    a few seconds, and expects an F1 score of at least 0.90 for the malignant class.
    """
    ### BEGIN SOLUTION
    train_x, validation_x = standardize(train_features, validation_features)
    dataset = make_dataset(train_x, train_labels, batch_size=32, shuffle=True)
    model = keras.Sequential(
        [
            keras.Input(shape=(train_x.shape[1],)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    step = make_train_step(
        model, keras.optimizers.Adam(learning_rate=0.01), keras.losses.BinaryCrossentropy()
    )
    loss_metric = keras.metrics.Mean()
    history: dict[str, list[float]] = {"loss": []}
    for _ in range(epochs):
        history["loss"].append(train_one_epoch(step, dataset, loss_metric))
    probabilities = np.asarray(model(validation_x, training=False))
    return history, probabilities
    ### END SOLUTION
