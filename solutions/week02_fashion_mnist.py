# %%
"""Week 2: classifying Fashion-MNIST with a dense network.

Goal: a first classifier trained on real data, end to end. Fashion-MNIST (Zalando, 2017)
holds 70,000 grayscale 28x28 photos of clothing in 10 classes (T-shirt/top, trouser,
pullover, dress, coat, sandal, shirt, sneaker, bag, ankle boot). These are the official
files, the split ``keras.datasets.fashion_mnist.load_data()`` returns: 60,000 training
images and 10,000 test images. You write the whole pipeline: scale the pixels, feed them
through ``tf.data``, build and compile a small dense network, and train it.

Exercises:
    2.1 ``normalize_images``  uint8 pixels to float32 in [0, 1]
    2.2 ``make_dataset``      a shuffled, batched, prefetched ``tf.data.Dataset``
    2.3 ``build_model``       a compiled model: 28x28 image in, 10 class probabilities out
    2.4 ``train_model``       fit for at most 5 epochs and return the History

Data: the grader gives your functions the training split only (60,000 images and their
labels). It keeps the 10,000 test images to itself, divides them by 255 and measures your
trained model's accuracy on them: at least 0.85 is required. To try your code, load the
training split with ``course.datasets.fashion_mnist()`` (offline) or
``keras.datasets.fashion_mnist.load_data()``; both return ``(train, test)`` pairs.

Budget: at most 250,000 parameters, and training must finish within two minutes on two CPU
cores (a Flatten layer, one hidden Dense layer and Adam take about 10 seconds).

The grader rebuilds your trained model from its config and weights and tests it itself, so
build it from the standard layers of ``keras.layers`` (no ``Lambda`` layer, no layer or
model class of your own): a model it cannot rebuild fails the checks that run it.

Allowed: TensorFlow, Keras and numpy. Importing this module must not train anything or
download anything.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf


# %%
def normalize_images(images: np.ndarray) -> np.ndarray:
    """Exercise 2.1: scale uint8 pixel values (0-255) to float32 values in [0, 1].

    ``images`` is a uint8 array of shape (N, 28, 28). Divide every pixel by 255, so that 0
    stays 0.0 and 255 becomes 1.0, whatever the image's own darkest and brightest pixels are.
    Return a float32 array of the same shape (numpy division alone gives float64).
    """
    ### BEGIN SOLUTION
    return (images / 255.0).astype(np.float32)
    ### END SOLUTION


# %%
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
    if shuffle:
        dataset = dataset.shuffle(buffer_size=len(x))
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
    ### END SOLUTION


# %%
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


# %%
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
