"""Shared fixtures: the real course checkout and a small generated course without TensorFlow."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from course.config import Layout
from course.grading.template import warm_grading

REPO = Path(__file__).resolve().parent.parent


def load_benchmark(name: str) -> ModuleType:
    """The script ``benchmarks/<name>.py`` as a module, for the tests that keep it running."""
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # a dataclass in the script looks its module up there
    spec.loader.exec_module(module)
    return module


TOY_STUB = '''
"""Week 1: toy arithmetic (a generated course for the platform's own tests)."""


def double(x: float) -> float:
    """Exercise 1.1: return 2 * x."""
    raise NotImplementedError("Exercise 1.1: write your solution here")


def greet(name: str) -> str:
    """Exercise 1.2: return "hello NAME"."""
    raise NotImplementedError("Exercise 1.2: write your solution here")
'''

TOY_SOLUTION = '''
"""Week 1: toy arithmetic (a generated course for the platform's own tests)."""


def double(x: float) -> float:
    """Exercise 1.1: return 2 * x."""
    return 2 * x


def greet(name: str) -> str:
    """Exercise 1.2: return "hello NAME"."""
    return "hello " + name
'''

TOY_GRADER = '''
import pytest

from course.testing import check, check_close, fresh_rng, note

pytestmark = pytest.mark.visibility("visible")


@pytest.mark.points(2)
@pytest.mark.time_limit(5)
def test_double(submission):
    """double doubles numbers"""
    x = round(float(fresh_rng(submission, "double").uniform(-100, 100)), 3)
    check_close(submission.call("double", x), 2 * x, f"double({x})")
    note(f"double({x}) is {2 * x}")


@pytest.mark.points(1)
@pytest.mark.time_limit(5)
def test_greet(submission):
    """greet says hello"""
    received = submission.call("greet", "ada")
    check(received == "hello ada", f"greet('ada') should be 'hello ada'. Received: {received!r}.")
'''


@pytest.fixture(scope="session", autouse=True)
def warm_grading_processes() -> Iterator[None]:
    """Every grading in the suite forks its grading process from one warm template (started
    at the first grading), as a class's batch does: each saves a TensorFlow import."""
    with warm_grading(lazy=True):
        yield


@pytest.fixture
def toy_course(tmp_path: Path) -> Layout:
    """A one-week course whose checks run in well under a second, without TensorFlow."""
    root = tmp_path / "toy-course"
    for folder in ("assignments", "solutions", "graders/week01_toy"):
        (root / folder).mkdir(parents=True)
    (root / "assignments/week01_toy.py").write_text(TOY_STUB)
    (root / "solutions/week01_toy.py").write_text(TOY_SOLUTION)
    (root / "graders/week01_toy/test_toy.py").write_text(TOY_GRADER)
    # The toy course needs no TensorFlow: its worker starts in a fraction of a second.
    (root / "graders/week01_toy/worker.toml").write_text("tensorflow = false\n")
    return Layout(root)


@pytest.fixture
def write_submission(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a submission module from source text; returns its path."""

    def write(source: str, name: str = "submission.py") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(source))
        return path

    return write


@pytest.fixture(autouse=True)
def _private_course_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test's progress file out of the real home folder."""
    monkeypatch.setenv("COURSE_HOME", str(tmp_path / "course-home"))
