"""Wrong answer: make_dataset always shuffles, with a buffer of 1,000, and never prefetches.

Training still reaches the accuracy threshold; the dataset checks name each shortcut.

week: week02_fashion_mnist
fails: test_2_dataset.py::test_dataset_shuffles
fails: test_2_dataset.py::test_dataset_keeps_order
fails: test_2_dataset.py::test_dataset_prefetches
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf


def normalize_images(images: np.ndarray) -> np.ndarray:
    """Exercise 2.1: scale uint8 pixel values (0-255) to float32 values in [0, 1].

    ``images`` is a uint8 array of shape (N, 28, 28). Divide every pixel by 255, so that 0
    stays 0.0 and 255 becomes 1.0, whatever the image's own darkest and brightest pixels are.
    Return a float32 array of the same shape (numpy division alone gives float64).
    """
    ### BEGIN SOLUTION
    return (images / 255.0).astype(np.float32)
    ### END SOLUTION


def make_dataset(
    x: np.ndarray, y: np.ndarray, batch_size: int = 32, shuffle: bool = True
) -> tf.data.Dataset:
    """Exercise 2.2: a ``tf.data.Dataset`` of ``(images, labels)`` batches.

    ``x`` holds N images of shape (28, 28), ``y`` their N integer labels. Build the dataset
    with ``tf.data.Dataset.from_tensor_slices((x, y))``. When ``shuffle`` is true, shuffle
    the examples with a buffer as large as the dataset (``len(x)``), so that every order is
    possible; when it is false, keep the order of ``x``. Then group the examples into
    batches of ``batch_size`` (every batch full except the last, which holds the rest) and
    end with ``prefetch(tf.data.AUTOTUNE)``. Each example appears exactly once, with its own
    label.
    """
    ### BEGIN SOLUTION
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    return dataset.shuffle(buffer_size=1_000).batch(batch_size)
    ### END SOLUTION


def build_model() -> keras.Model:
    """Exercise 2.3: a compiled classifier for 28x28 images and 10 classes.

    The input has shape ``(28, 28)`` (one normalised image; flatten it inside the model) and
    the output 10 class probabilities: a last ``Dense(10, activation="softmax")`` layer. At
    most 250,000 parameters. Compile it with an optimizer of your choice (``"adam"`` works
    well), the loss ``"sparse_categorical_crossentropy"`` (the labels are the integers 0-9)
    and ``metrics=["accuracy"]``. Return the compiled, untrained model.
    """
    ### BEGIN SOLUTION
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
    ### END SOLUTION


def train_model(
    model: keras.Model, x_train: np.ndarray, y_train: np.ndarray
) -> keras.callbacks.History:
    """Exercise 2.4: train ``model`` on the training split; return the ``History``.

    ``model`` comes from ``build_model()``, ``x_train`` from ``normalize_images`` (float32,
    shape (N, 28, 28)) and ``y_train`` holds the N integer labels. Feed the data through
    ``make_dataset`` and call ``model.fit`` for at most 5 epochs; return the
    ``keras.callbacks.History`` that ``fit`` returns.
    """
    ### BEGIN SOLUTION
    dataset = make_dataset(x_train, y_train, batch_size=64)
    return model.fit(dataset, epochs=5, verbose=2)
    ### END SOLUTION
