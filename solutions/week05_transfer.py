# %%
"""Week 5: augmentation and transfer learning.

Goal: make more of few images. Random augmentation shows a model a slightly different image
every epoch, and only while it trains. Transfer learning reuses what a network learned on
other images: keep its feature layers, frozen, and train a new head for the new classes;
then, optionally, fine-tune the top of the old network slowly.

The pretrained network is the course's own backbone (no ImageNet weights here): a small CNN
trained on the Fashion-MNIST clothing classes 0-4 (T-shirt/top, Trouser, Pullover, Dress,
Coat). Its layers are ``conv1``, ``pool1``, ``conv2``, ``pool2``, ``conv3``, ``features``
(a Flatten, output shape ``(None, 288)``) and ``predictions`` (its old ``Dense(5)``
classifier). Your transfer model learns the five classes it never saw (Sandal, Shirt,
Sneaker, Bag, Ankle boot, relabelled 0-4) from only 10 labelled images of each. Images are
float32 arrays of shape ``(n, 28, 28, 1)`` with values in [0, 1].

Exercises:
    5.1 ``build_augmentation``    random flips, rotations, zooms and shifts, in training only
    5.2 ``build_transfer_model``  the frozen backbone cut at ``features``, and a new head
    5.3 ``fine_tune``             unfreeze the top of the backbone; recompile with a low rate
    5.4 ``train_transfer_model``  train the new head on 50 labelled images

The grader hands you the backbone as a Keras model; you can get it yourself with
``course.backbones.pretrained_backbone()`` (``keras.models.model_from_json(config)`` and
``set_weights(weights)``) to try things out. Allowed: TensorFlow, Keras and numpy. Importing
this module must not train anything, read or write files, or download anything.
"""

from __future__ import annotations

import keras
import numpy as np

#: The backbone layer to cut at: its output are the features the new head learns from.
FEATURE_LAYER = "features"


# %%
def build_augmentation() -> keras.Model:
    """Exercise 5.1: a model of random augmentation layers for ``(28, 28, 1)`` images.

    Return a ``keras.Sequential`` that starts with ``keras.Input(shape=(28, 28, 1))`` and
    applies, in this order, ``RandomFlip("horizontal")``, ``RandomRotation`` (up to 5% of a
    full turn, ``0.05``), ``RandomZoom(0.1)`` and ``RandomTranslation(0.1, 0.1)``.

    Called with ``training=True`` (as ``fit`` calls it) it returns a new random variant of
    each image, shape unchanged; called with ``training=False`` (as ``predict`` and
    ``evaluate`` call it) it returns its input unchanged. Do not force ``training=True`` on
    the layers. (Called plainly, ``model(images)``, outside ``fit``, Keras's random layers
    do augment: they are meant to work in a ``tf.data`` pipeline too.)
    """
    ### BEGIN SOLUTION
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            keras.layers.RandomFlip("horizontal"),
            keras.layers.RandomRotation(0.05),
            keras.layers.RandomZoom(0.1),
            keras.layers.RandomTranslation(0.1, 0.1),
        ],
        name="augmentation",
    )
    ### END SOLUTION


# %%
def build_transfer_model(backbone: keras.Model, num_classes: int) -> keras.Model:
    """Exercise 5.2: a classifier for ``num_classes`` new classes on the frozen backbone.

    ``backbone`` is the pretrained functional model described above. Keep its layers from
    the input up to and including ``FEATURE_LAYER`` (output shape ``(None, 288)``), with
    their pretrained weights, frozen (``trainable = False``); drop its old classifier. On
    top, put a new head: one ``keras.layers.Dense(num_classes, activation="softmax")``
    (a ``Dropout`` before it is allowed). Only the head's parameters are trainable:
    ``288 * num_classes + num_classes`` of them.

    One way: ``keras.Model(backbone.input, head(backbone.get_layer(FEATURE_LAYER).output))``.

    Compile it with the Adam optimizer (learning rate 1e-3), the loss
    ``"sparse_categorical_crossentropy"`` (labels are integers ``0 .. num_classes - 1``) and
    ``metrics=["accuracy"]``, and return it. The model takes images of shape
    ``(n, 28, 28, 1)`` and returns ``(n, num_classes)`` probabilities.
    """
    ### BEGIN SOLUTION
    backbone.trainable = False
    features = backbone.get_layer(FEATURE_LAYER).output
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="head")(features)
    model = keras.Model(backbone.input, outputs, name="transfer")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model
    ### END SOLUTION


# %%
def fine_tune(model: keras.Model, first_trainable_layer: str) -> keras.Model:
    """Exercise 5.3: unfreeze the top of the backbone in ``model`` and recompile it.

    ``model`` is what ``build_transfer_model`` returns; ``first_trainable_layer`` names one
    of its backbone layers, e.g. ``"conv3"``. Make that layer and every layer after it
    trainable (the rest of the backbone and the new head); keep every backbone layer before
    it frozen. Then compile again, so that the change takes effect, with a learning rate
    at most 1e-4 (``keras.optimizers.Adam(learning_rate=1e-5)``; a high rate would wreck the
    pretrained weights), the same loss and ``metrics=["accuracy"]``. Return the model.
    """
    ### BEGIN SOLUTION
    trainable = False
    for layer in model.layers:
        trainable = trainable or layer.name == first_trainable_layer
        layer.trainable = trainable
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-5),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model
    ### END SOLUTION


# %%
def train_transfer_model(
    model: keras.Model, x: np.ndarray, y: np.ndarray
) -> keras.callbacks.History:
    """Exercise 5.4: train the model from ``build_transfer_model`` on a few labelled images.

    ``x`` holds the images, float32 of shape ``(n, 28, 28, 1)`` in [0, 1] (the grader gives
    10 images of each new class, n = 50); ``y`` their labels, int32 ``0 .. 4``. Train with
    ``model.fit`` for at most 30 epochs (30 epochs with ``batch_size=8`` work well: a new
    head on good features learns fast) and return the ``History`` that ``fit`` returns.
    The grader then measures the accuracy on the 5,000 official test images of these classes.
    It also runs ``build_transfer_model`` and this function a second time, on the same
    backbone layers with fresh, untrained weights: the pretrained weights should make a clear
    difference. (They do for a frozen backbone. On these easy classes a network trained from
    scratch on the 50 images does about as well as transfer, so accuracy alone would not
    show whether your model transfers anything; this comparison does.)
    """
    ### BEGIN SOLUTION
    return model.fit(x, y, epochs=30, batch_size=8, verbose=0)
    ### END SOLUTION
