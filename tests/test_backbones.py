"""The course's pretrained backbone: its architecture, its cache, and its training."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from course import backbones
from course.backbones import (
    CLASSIFIER_LAYER,
    FEATURE_LAYER,
    BackboneWarning,
    cache_path,
    content_sha256,
    pretrained_backbone,
    read_cache,
    write_cache,
)

CONFIG = '{"class_name": "Functional", "config": {}}'


def _weights() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.normal(size=(3, 3)).astype(np.float32), np.zeros(3, dtype=np.float32)]


def test_cache_path_is_in_the_course_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """$COURSE_CACHE decides where the backbone is kept; the file name carries the version."""
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path))
    path = cache_path()
    assert path.parent == tmp_path / "backbones"
    assert path.name == f"fashion-clothing-v{backbones.VERSION}.npz"


def test_prepare_images_scales_and_adds_a_channel() -> None:
    """uint8 images (n, 28, 28) become float32 (n, 28, 28, 1) in [0, 1]."""
    images = np.array([np.full((28, 28), 255, dtype=np.uint8), np.zeros((28, 28), np.uint8)])
    prepared = backbones.prepare_images(images)
    assert prepared.shape == (2, 28, 28, 1)
    assert prepared.dtype == np.float32
    assert prepared.max() == 1.0
    assert prepared.min() == 0.0


def test_cache_round_trip(tmp_path: Path) -> None:
    """What write_cache stores, read_cache returns, with the sha256 of the content."""
    path = tmp_path / "backbone.npz"
    digest = write_cache(path, CONFIG, _weights())
    assert digest == content_sha256(CONFIG, _weights())
    cached = read_cache(path)
    assert cached is not None
    config_json, weights = cached
    assert config_json == CONFIG
    assert len(weights) == 2
    for saved, original in zip(weights, _weights(), strict=True):
        np.testing.assert_array_equal(saved, original)
    with np.load(path, allow_pickle=False) as npz:  # plain arrays only, nothing pickled
        assert str(npz["sha256"]) == digest


def test_a_missing_cache_reads_as_none(tmp_path: Path) -> None:
    """No file, no backbone, and no warning."""
    assert read_cache(tmp_path / "absent.npz") is None


def test_tampered_cache_is_discarded(tmp_path: Path) -> None:
    """Weights that do not match the recorded sha256 are deleted, with a warning."""
    path = tmp_path / "backbone.npz"
    write_cache(path, CONFIG, _weights())
    with np.load(path, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    arrays["weight_000"] = arrays["weight_000"] + np.float32(1.0)
    np.savez(path, allow_pickle=False, **arrays)
    with pytest.warns(BackboneWarning, match="sha256"):
        assert read_cache(path) is None
    assert not path.exists()


def test_unreadable_or_outdated_cache_is_discarded(tmp_path: Path) -> None:
    """A file that is not an npz, or one of another version, is deleted, with a warning."""
    path = tmp_path / "backbone.npz"
    path.write_bytes(b"not a zip file")
    with pytest.warns(BackboneWarning):
        assert read_cache(path) is None
    assert not path.exists()
    write_cache(path, CONFIG, _weights())
    with np.load(path, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    arrays["version"] = np.array(backbones.VERSION + 1)
    np.savez(path, allow_pickle=False, **arrays)
    with pytest.warns(BackboneWarning, match="version"):
        assert read_cache(path) is None


def test_architecture_cuts_at_the_feature_layer() -> None:
    """The features are (None, 288) and the old classifier has one unit per clothing class."""
    pytest.importorskip("keras")
    model = backbones.build_backbone()
    assert [layer.name for layer in model.layers[1:]] == [
        "conv1",
        "pool1",
        "conv2",
        "pool2",
        "conv3",
        FEATURE_LAYER,
        CLASSIFIER_LAYER,
    ]
    assert tuple(model.get_layer(FEATURE_LAYER).output.shape) == (None, 288)
    assert tuple(model.output_shape) == (None, len(backbones.BACKBONE_CLASSES))


def test_fresh_weights_start_as_keras_starts_a_new_backbone() -> None:
    """Glorot-uniform kernels with the bound Keras's own initial weights keep, zero biases."""
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    built = [np.asarray(w) for w in backbones.build_backbone().get_weights()]
    fresh = backbones.fresh_weights(built, seed=3)
    assert [w.shape for w in fresh] == [w.shape for w in built]
    for mine, keras_own in zip(fresh, built, strict=True):
        assert mine.dtype == np.float32
        if mine.ndim == 1:
            assert not mine.any()
            assert not keras_own.any()
            continue
        # Both within one bound and reaching near it: the same fans, the same distribution.
        bound = max(np.abs(mine).max(), np.abs(keras_own).max())
        for weights in (mine, keras_own):
            assert np.abs(weights).max() >= 0.9 * bound


def test_fresh_weights_depend_on_the_seed_alone() -> None:
    """The same seed gives the same weights, another seed others; the input values are
    not used, only their shapes."""
    shapes = [np.ones((3, 3, 1, 16)), np.ones(16), np.ones((288, 5)), np.ones(5)]
    first = backbones.fresh_weights(shapes, seed=1)
    again = backbones.fresh_weights([s * 7 for s in shapes], seed=1)
    other = backbones.fresh_weights(shapes, seed=2)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])
    limit = np.sqrt(6.0 / (9 * 1 + 9 * 16))
    assert np.abs(first[0]).max() <= limit


def test_training_labels_the_classes_by_their_position(monkeypatch: pytest.MonkeyPatch) -> None:
    """train_backbone(classes=...) trains a classifier of that width on labels 0..n-1."""
    pytest.importorskip("keras")
    images = np.random.default_rng(0).integers(0, 256, size=(40, 28, 28)).astype(np.uint8)
    labels = np.repeat(np.arange(10, dtype=np.uint8), 4)
    monkeypatch.setattr(
        "course.datasets.fashion_mnist", lambda: ((images, labels), (images, labels))
    )
    seen: dict[str, Any] = {}
    build = backbones.build_backbone

    def recording_build(num_classes: int = len(backbones.BACKBONE_CLASSES)) -> Any:
        model = build(num_classes)
        fit = model.fit

        def recording_fit(x: Any, y: Any, **options: Any) -> Any:
            seen["labels"] = np.asarray(y)
            return fit(x, y, **options)

        model.fit = recording_fit
        return model

    monkeypatch.setattr(backbones, "build_backbone", recording_build)
    model = backbones.train_backbone(classes=(9, 5, 7), epochs=1)
    assert tuple(model.output_shape) == (None, 3)
    # Class 5 is label 0, 7 is 1 and 9 is 2, in the order of the training images.
    kept = labels[np.isin(labels, (5, 7, 9))]
    np.testing.assert_array_equal(seen["labels"], np.searchsorted([5, 7, 9], kept))


def test_pretrained_backbone_trains_once_then_reads_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first call trains and caches; the next ones load the file without training."""
    pytest.importorskip("keras")
    calls: list[int] = []

    def fake_training(**_: Any) -> Any:
        calls.append(1)
        return backbones.build_backbone()  # untrained: the cache logic is what is tested

    monkeypatch.setattr(backbones, "train_backbone", fake_training)
    config_json, weights = pretrained_backbone(cache_dir=tmp_path)
    again_config, again_weights = pretrained_backbone(cache_dir=tmp_path)
    assert calls == [1]
    assert cache_path(tmp_path).is_file()
    assert again_config == config_json
    for loaded, trained in zip(again_weights, weights, strict=True):
        np.testing.assert_array_equal(loaded, trained)


def test_main_reports_the_cached_backbone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m course.backbones` prints where the backbone is and its sha256."""
    digest = write_cache(cache_path(tmp_path), CONFIG, _weights())
    assert backbones.main(["--cache-dir", str(tmp_path)]) == 0
    output = capsys.readouterr().out
    assert str(cache_path(tmp_path)) in output
    assert digest in output


@pytest.mark.slow
def test_trained_backbone_knows_the_clothing_classes() -> None:
    """Trained for real (about 25 s), it classifies test images of classes 0-4 well."""
    from course.datasets import fashion_mnist

    model = backbones.train_backbone()
    _, (x_test, y_test) = fashion_mnist()
    keep = np.isin(y_test, backbones.BACKBONE_CLASSES)
    predictions = model.predict(backbones.prepare_images(x_test[keep]), verbose=0)
    accuracy = float(np.mean(predictions.argmax(axis=1) == y_test[keep]))
    assert accuracy >= 0.85, accuracy
