"""What a student's command loads: fetch and submit are file copies, and import nothing heavy.

Each command runs as a real process under ``python -X importtime``, whose report names every
module imported. The assertions are on names, not seconds (times flake); the seconds are
measured by ``benchmarks/classroom_startup.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from course.classroom.settings import CourseSettings
from course.config import Layout, Week
from tests.conftest import load_benchmark

#: Packages a student's fetch or submit has no use for (seconds of imports between them):
#: the benchmark's list, so that what it reports and what this test forbids stay one list.
HEAVY: tuple[str, ...] = load_benchmark("classroom_startup").HEAVY
#: The grading machinery (the runner brings the sandbox and NumPy).
GRADING = ("course.grading.runner", "course.grading.template", "course.sandbox")


def imported_by(argv: list[str], env: dict[str, str]) -> set[str]:
    """The modules ``course ARGV`` imports, from ``python -X importtime``; it must succeed."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "from course.cli import main; main()", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def heavy(modules: set[str]) -> list[str]:
    """The heavy packages and grading modules among ``modules``."""
    return sorted(
        name for name in modules if name.split(".")[0] in HEAVY or name.startswith(GRADING)
    )


@pytest.fixture
def student_env(
    released: tuple[CourseSettings, Week], marked_course: Layout, tmp_path: Path
) -> dict[str, str]:
    """The environment of a student of the released toy course (the week named by number)."""
    settings, _ = released
    return dict(
        os.environ,
        COURSE_ROOT=str(marked_course.root),
        COURSE_EXCHANGE=str(settings.exchange),
        COURSE_ID=settings.course_id,
        COURSE_SUBMIT_CACHE=str(tmp_path / "cache"),
    )


def test_fetch_and_submit_import_neither_nbgrader_nor_grading(
    student_env: dict[str, str], tmp_path: Path
) -> None:
    """``course fetch`` and ``course submit`` (a module, then a notebook) import no nbgrader,
    Jupyter, SQLAlchemy, TensorFlow, NumPy, pytest or rich, and no grading machinery."""
    home = ["--student", "ada", "--dir", str(tmp_path / "ada")]
    fetched = imported_by(["fetch", "1", *home], student_env)
    assert "course.nbgrader.plain_exchange" in fetched  # the report is read
    assert heavy(fetched) == []
    folder = tmp_path / "ada" / "week01_toy"
    module, notebook = folder / "week01_toy.py", folder / "week01_toy.ipynb"
    notebook_text = notebook.read_text(encoding="utf-8")
    notebook.unlink()
    assert heavy(imported_by(["submit", "1", *home], student_env)) == []  # the module
    notebook.write_text(notebook_text, encoding="utf-8")
    module.unlink()
    assert heavy(imported_by(["submit", "1", *home], student_env)) == []  # the notebook
    cached = (tmp_path / "cache" / "tf101").iterdir()
    assert len([entry for entry in cached if not entry.name.startswith(".")]) == 2  # submissions


def test_help_imports_nothing_heavy(student_env: dict[str, str]) -> None:
    """``course --help`` loads click and the command list, nothing else of weight."""
    assert heavy(imported_by(["--help"], student_env)) == []
