"""Shared fixtures: the real course checkout and a small generated course without TensorFlow."""

from __future__ import annotations

import contextlib
import importlib.util
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import numpy as np
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

from course.testing import check, check_close, fresh_rng, note, show_curve

pytestmark = pytest.mark.visibility("visible")


@pytest.mark.points(2)
@pytest.mark.time_limit(5)
def test_double(submission):
    """double doubles numbers"""
    x = round(float(fresh_rng(submission, "double").uniform(-100, 100)), 3)
    check_close(submission.call("double", x), 2 * x, f"double({x})")
    note(f"double({x}) is {2 * x}")
    xs = [-2.0, -1.0, 0.0, 1.0, 2.0]
    doubled = [submission.call("double", v) for v in xs]
    show_curve({"2x": [2 * v for v in xs], "double(x)": doubled}, title="double(x) for x from -2",
               x_label="x + 3", y_label="value")


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


needs_bubblewrap = pytest.mark.skipif(
    shutil.which("bwrap") is None, reason="bubblewrap is not installed (./setup.sh installs it)"
)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="needs Debian's chromium (setup.sh installs it)"
)


def screenshot(page: Path, folder: Path, *, height: int = 2600) -> np.ndarray:
    """``page`` as headless Chromium shows it 1,200 pixels wide: an RGB array."""
    from PIL import Image

    assert CHROMIUM is not None
    shot = folder / f"{page.stem}-screenshot.png"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",  # the browser runs as root in CI; it opens only our own file
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={folder / 'chromium-profile'}",
            f"--window-size=1200,{height}",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return np.asarray(Image.open(shot).convert("RGB"), dtype=np.int16)


def pixels_near(image: np.ndarray, colour: tuple[int, int, int], *, tolerance: int = 12) -> int:
    """How many pixels of ``image`` are within ``tolerance`` of ``colour`` in each channel."""
    return int(np.sum(np.all(np.abs(image - np.array(colour)) <= tolerance, axis=-1)))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running_jupyter(
    module: str, root: Path, folder: Path, *, startup: float = 90.0
) -> Iterator[tuple[str, str]]:
    """``python -m MODULE`` (``jupyterlab``, or ``jupyter server``'s ``jupyter``) serving
    ``root`` on a free port with a token, its log in ``folder``: ``(url, token)`` once its
    REST API answers; stopped on exit. Set the JUPYTER_* folders before calling."""
    import json
    import os
    import time
    import urllib.error
    import urllib.request
    import uuid

    token, port = uuid.uuid4().hex, free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", *module.split()]
    log_path = folder / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                *command,
                "--no-browser",
                "--ip=127.0.0.1",
                f"--port={port}",
                "--port-retries=0",
                "--allow-root",  # harmless as any other user; needed as root (a container)
                f"--IdentityProvider.token={token}",
                f"--ServerApp.root_dir={root}",
            ],
            cwd=root,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=os.environ.copy(),
        )
        try:
            deadline = time.monotonic() + startup
            status = urllib.request.Request(
                url + "/api/status", headers={"Authorization": f"token {token}"}
            )
            while True:
                assert process.poll() is None, log_path.read_text()
                try:
                    with urllib.request.urlopen(status, timeout=10) as answer:
                        json.loads(answer.read())
                    break
                except (urllib.error.URLError, ConnectionError):
                    assert time.monotonic() < deadline, log_path.read_text()
                    time.sleep(0.25)
            yield url, token
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
