"""The course's own pretrained backbone: a small CNN trained on Fashion-MNIST classes 0-4.

Transfer learning needs a network trained on other data, and ImageNet weights cannot be
downloaded here. So the course pretrains its own: a three-block CNN that learns to tell the
five kinds of clothing apart (0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat). Week 5
reuses its features for the five classes it never saw (5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag,
9 Ankle boot).

Layers, in order: ``conv1``, ``pool1``, ``conv2``, ``pool2``, ``conv3``, ``features``
(:data:`FEATURE_LAYER`, a Flatten whose output of shape ``(None, 288)`` is where a transfer
model cuts) and ``predictions`` (:data:`CLASSIFIER_LAYER`, ``Dense(5, softmax)``). It takes
images of shape ``(28, 28, 1)`` scaled to [0, 1] (:func:`prepare_images`).

:func:`pretrained_backbone` returns ``(config_json, weights)``. The first call trains the
network (seeded; about 20-30 s on 2 CPU cores) and caches it in one ``.npz`` file in the
course cache (:func:`course.datasets._files.course_cache_dir`), with the sha256 of its
config and weights; later calls load the file, verify the sha256 (``allow_pickle=False``)
and retrain only when it is missing or does not match. ``python -m course.backbones`` warms
the cache, so that no grading run pays for the training.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from course.datasets._files import atomic_writer, course_cache_dir, sha256_of_arrays

#: The Fashion-MNIST classes the backbone is trained on.
BACKBONE_CLASSES: tuple[int, ...] = (0, 1, 2, 3, 4)
#: The classes it never sees: what a transfer model learns from a few labelled images.
HELD_OUT_CLASSES: tuple[int, ...] = (5, 6, 7, 8, 9)
INPUT_SHAPE: tuple[int, int, int] = (28, 28, 1)
#: The layer to cut at: its output, shape ``(None, 288)``, are the reusable features.
FEATURE_LAYER = "features"
#: The backbone's own classifier, which a transfer model replaces.
CLASSIFIER_LAYER = "predictions"
#: Bump when the architecture or the training recipe changes: older caches are retrained.
VERSION = 1
SEED = 0
EPOCHS = 3
BATCH_SIZE = 64

Weights = list[NDArray[np.float32]]


class BackboneWarning(UserWarning):
    """The cached backbone was unusable and is being retrained."""


def cache_path(cache_dir: Path | None = None) -> Path:
    """The cache file: ``<course cache>/backbones/fashion-clothing-v<VERSION>.npz``."""
    base = course_cache_dir() if cache_dir is None else cache_dir
    return base / "backbones" / f"fashion-clothing-v{VERSION}.npz"


def prepare_images(images: NDArray[Any]) -> NDArray[np.float32]:
    """Fashion-MNIST images ``(n, 28, 28)`` of 0-255 as the backbone's ``(n, 28, 28, 1)``
    float32 input in [0, 1]."""
    return (np.asarray(images, dtype=np.float32) / np.float32(255.0))[..., np.newaxis]


def build_backbone(num_classes: int = len(BACKBONE_CLASSES)) -> Any:
    """The backbone's architecture with fresh random weights, as a functional Keras model.

    ``num_classes`` sets the width of its classifier; only measurements change it (see
    ``benchmarks/transfer_gap.py``), the course's backbone keeps the default.
    """
    import keras

    layers = keras.layers
    inputs = keras.Input(shape=INPUT_SHAPE, name="image")
    x = layers.Conv2D(16, 3, activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(name="pool1")(x)
    x = layers.Conv2D(32, 3, activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(name="pool2")(x)
    x = layers.Conv2D(32, 3, activation="relu", name="conv3")(x)
    x = layers.Flatten(name=FEATURE_LAYER)(x)
    outputs = layers.Dense(num_classes, activation="softmax", name=CLASSIFIER_LAYER)(x)
    return keras.Model(inputs, outputs, name="fashion_clothing_backbone")


def train_backbone(
    *, seed: int = SEED, epochs: int = EPOCHS, classes: Sequence[int] = BACKBONE_CLASSES
) -> Any:
    """Train :func:`build_backbone` on the Fashion-MNIST training images of ``classes``.

    Seeds Python, numpy and Keras with ``seed`` first (the global generators of this
    process). Labels are the classes' positions in ``classes``: for the default
    :data:`BACKBONE_CLASSES`, the class numbers 0-4 themselves. Returns the trained model.
    """
    import keras

    from course.datasets import fashion_mnist

    (x_train, y_train), _ = fashion_mnist()
    order = np.asarray(sorted(classes))
    keep = np.isin(y_train, order)
    keras.utils.set_random_seed(seed)
    model = build_backbone(len(order))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(
        prepare_images(x_train[keep]),
        np.searchsorted(order, y_train[keep]).astype(np.int32),
        epochs=epochs,
        batch_size=BATCH_SIZE,
        verbose=0,
    )
    return model


def fresh_weights(weights: Sequence[NDArray[Any]], *, seed: int) -> Weights:
    """Weights shaped like ``weights`` as a freshly built backbone starts: untrained.

    Keras's defaults for ``Conv2D`` and ``Dense``: Glorot-uniform kernels (limit
    ``sqrt(6 / (fan_in + fan_out))``, the fans counting the kernel's receptive field) and
    zero biases. Drawn with numpy from ``seed``, so the same seed gives the same weights on
    every machine and without Keras. Week 5 trains a submission's model on these too, to
    measure what the pretrained weights are worth to it.
    """
    rng = np.random.default_rng(seed)
    fresh: Weights = []
    for weight in weights:
        shape = np.shape(weight)
        if len(shape) < 2:
            fresh.append(np.zeros(shape, dtype=np.float32))
            continue
        receptive_field = int(np.prod(shape[:-2]))
        fan_in, fan_out = shape[-2] * receptive_field, shape[-1] * receptive_field
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        fresh.append(rng.uniform(-limit, limit, size=shape).astype(np.float32))
    return fresh


def content_sha256(config_json: str, weights: Sequence[NDArray[Any]]) -> str:
    """The sha256 of the config's UTF-8 bytes and the weight arrays (dtypes, shapes, bytes)."""
    config = np.frombuffer(config_json.encode("utf-8"), dtype=np.uint8)
    return sha256_of_arrays([config, *weights])


def pretrained_backbone(*, cache_dir: Path | None = None) -> tuple[str, Weights]:
    """``(config_json, weights)`` of the trained backbone, from the cache or trained now.

    Concurrent callers wait on a lock while one of them trains; the others then read its
    file. A cache file that cannot be read or whose sha256 does not match is discarded
    (with a :class:`BackboneWarning`) and the backbone retrained.
    """
    path = cache_path(cache_dir)
    cached = read_cache(path)
    if cached is not None:
        return cached
    with _locked(path.with_name(path.name + ".lock")):
        cached = read_cache(path)  # another process may have trained it while we waited
        if cached is not None:
            return cached
        model = train_backbone()
        config_json = str(model.to_json())
        weights = [np.asarray(w, dtype=np.float32) for w in model.get_weights()]
        write_cache(path, config_json, weights)
    return config_json, weights


def write_cache(path: Path, config_json: str, weights: Sequence[NDArray[np.float32]]) -> str:
    """Write config, weights and their sha256 atomically to ``path``; return the sha256."""
    digest = content_sha256(config_json, weights)
    arrays = {f"weight_{index:03d}": np.asarray(w) for index, w in enumerate(weights)}
    with atomic_writer(path) as stream:
        np.savez(
            stream,
            config_json=np.array(config_json),
            sha256=np.array(digest),
            version=np.array(VERSION),
            allow_pickle=False,
            **arrays,
        )
    return digest


def read_cache(path: Path) -> tuple[str, Weights] | None:
    """The cached ``(config_json, weights)``, or None when the file is missing or unusable.

    An unusable file (unreadable, another version, a sha256 that does not match its
    content) is deleted, with a :class:`BackboneWarning` saying why.
    """
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            version = int(npz["version"])
            config_json = str(npz["config_json"])
            recorded = str(npz["sha256"])
            names = sorted(name for name in npz.files if name.startswith("weight_"))
            weights = [np.asarray(npz[name], dtype=np.float32) for name in names]
        if version != VERSION:
            raise ValueError(f"version {version}, expected {VERSION}")
        actual = content_sha256(config_json, weights)
        if actual != recorded:
            raise ValueError(f"sha256 {actual} does not match the recorded {recorded}")
    except (OSError, ValueError, KeyError, TypeError) as error:
        warnings.warn(
            f"backbone: discarding the unusable cache {path}: {error}",
            BackboneWarning,
            stacklevel=2,
        )
        path.unlink(missing_ok=True)
        return None
    return config_json, weights


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def main(argv: Sequence[str] | None = None) -> int:
    """Train and cache the backbone unless a verified copy is cached; print where it is."""
    parser = argparse.ArgumentParser(
        prog="python -m course.backbones",
        description="Pretrain the course's backbone (week 5) once and cache it.",
    )
    parser.add_argument("--cache-dir", type=Path, default=None, help="default: the course cache")
    parser.add_argument(
        "--retrain", action="store_true", help="discard the cached backbone and train it again"
    )
    arguments = parser.parse_args(argv)
    path = cache_path(arguments.cache_dir)
    if arguments.retrain:
        path.unlink(missing_ok=True)
    begin = time.monotonic()
    config_json, weights = pretrained_backbone(cache_dir=arguments.cache_dir)
    seconds = time.monotonic() - begin
    digest = content_sha256(config_json, weights)
    parameters = sum(int(w.size) for w in weights)
    print(f"backbone: {path} ({parameters:,} parameters, {seconds:.1f} s)")
    print(f"sha256 of config and weights: {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
