"""The red team's arena: a course to attack, and the witnesses that check nothing escaped.

Every attack is a submission graded through the real runner (grading process, plugin,
sandboxed worker). Each one turns what it tries into points: its ``double`` answers honestly
only when the attack *worked* (it read a file it should not see, reached the network, wrote
outside its scratch folder...), so "the attack earned nothing" is "the score stayed at what
the submission honestly earns". Around each grading the :class:`Arena` checks, whatever the
attack: the grading process survived and reported; the grading process's secret (a canary
in its environment) appears nowhere in the report, the output or any connection; a
loopback listener received nothing; no file appeared outside the scratch folder; no process
the attack started is still alive; and the reference solution, graded next, scores full
marks.

Bombs are bounded (6 GiB of memory, 400 processes, 1 GiB of files, 300 MB of output, 60 s
of life for a detached process) so that a broken sandbox cannot harm the machine.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from course.config import Layout
from course.grading.results import GradeReport
from course.grading.runner import grade
from tests.conftest import REPO

#: Marks every process an attack starts (in its command line) and every file it writes.
TOKEN_PREFIX = "REDTEAM"


class _Server:
    """A listening socket served on a thread: counts connections, keeps what they send."""

    def __init__(self, server: socket.socket) -> None:
        self.server = server
        self.server.listen(16)
        self.server.settimeout(0.2)
        self.connections = 0
        self.received = b""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.server.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            connection.settimeout(1)
            try:
                while chunk := connection.recv(65536):
                    self.received += chunk
            except OSError:
                pass
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.server.close()


class Listener(_Server):
    """A TCP server on 127.0.0.1 that records every connection and every byte sent to it."""

    def __init__(self) -> None:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        self.port = server.getsockname()[1]
        super().__init__(server)


class AbstractListener(_Server):
    """A listener on an abstract Unix socket (shared by every process of one network
    namespace, invisible from any other)."""

    def __init__(self, name: str) -> None:
        self.name = name
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind("\0" + name)
        super().__init__(server)


@dataclass
class Arena:
    """A toy course to attack and everything that watches the attack."""

    course: Layout
    tmp: Path
    secret: str
    token: str
    listener: Listener
    abstract: AbstractListener
    watched_files: dict[Path, tuple[int, int]] = field(default_factory=dict)
    started: float = field(default_factory=time.time)

    @property
    def week(self):  # type: ignore[no-untyped-def]
        return self.course.weeks[0]

    def places(self) -> dict[str, str]:
        """Host paths and names an attack source may refer to as ``__NAME__``."""
        import site

        from course.config import data_home

        return {
            "__TOKEN__": self.token,
            "__SECRET_NAME__": "COURSE_REDTEAM_SECRET",
            "__PORT__": str(self.listener.port),
            "__ABSTRACT__": self.abstract.name,
            "__SOLUTION__": str(self.week.solution),
            "__GRADERS__": str(self.week.graders),
            "__REPO__": str(REPO),
            "__COURSE_PACKAGE__": str(REPO / "course"),
            "__SITE_PACKAGES__": site.getsitepackages()[0],
            "__HOME__": str(Path.home()),
            "__PROGRESS__": str(data_home() / "progress.json"),
            "__HOST_TMP__": str(self.tmp),
        }

    def write(self, source: str, *, name: str = "attack") -> Path:
        for key, value in self.places().items():
            source = source.replace(key, value)
        path = self.tmp / "submissions" / f"{name}_{self.token}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
        return path

    def grade(self, source: str, *, seed: int = 0, name: str = "attack") -> GradeReport:
        """Grade ``source`` (with ``__NAME__`` places filled in) in the sandbox."""
        return grade(
            graders=self.week.graders,
            submission=self.write(source, name=name),
            week=self.week.label,
            seed=seed,
            import_timeout=60,
        )

    def contained(self, report: GradeReport, *, honest_points: float = 0.0) -> None:
        """Every witness at once: see the module docstring."""
        assert report.checks, "the grading process reported no checks"
        assert not report.infrastructure_errors, report.infrastructure_errors
        assert report.score <= honest_points, (
            f"the attack earned {report.score} points; honestly {honest_points}: "
            + json.dumps(report.to_dict()["checks"], indent=1)
        )
        document = json.dumps(report.to_dict())
        assert self.secret not in document, "the grading process's secret reached the report"
        self.listener_heard_nothing()
        self.no_process_left()
        self.no_file_outside_scratch()
        reference = grade(
            graders=self.week.graders,
            submission=self.week.solution,
            week=self.week.label,
            import_timeout=60,
        )
        assert reference.score == reference.max_score, reference.to_dict()

    def listener_heard_nothing(self) -> None:
        assert self.listener.connections == 0, "the attack reached a loopback listener"
        assert self.secret.encode() not in self.listener.received
        assert self.abstract.connections == 0, "the attack reached an abstract Unix socket"

    def no_process_left(self, seconds: float = 10.0) -> None:
        """No process whose command line carries the attack's token is alive (after the
        kernel had a moment to reap what the sandbox's end killed)."""
        deadline = time.monotonic() + seconds
        while True:
            alive = self.processes()
            if not alive or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        for pid in alive:  # do not leave them to the next test, whatever the verdict
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        assert not alive, f"processes of the attack outlived it: {alive}"

    def processes(self) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                command = (entry / "cmdline").read_bytes()
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if self.token.encode() in command and state != "Z":
                found.append(int(entry.name))
        return found

    def no_file_outside_scratch(self) -> None:
        """Nothing named after the token anywhere the attack could have written, and the
        course's own files unchanged."""
        for folder in _written_places(self):
            if not folder.is_dir():
                continue
            try:
                names = os.listdir(folder)
            except OSError:
                continue
            leaked = [name for name in names if self.token in name]
            assert not leaked, f"the attack wrote {leaked} into {folder}"
        for path, (size, mtime) in self.watched_files.items():
            stat = path.stat()
            assert (stat.st_size, stat.st_mtime_ns) == (size, mtime), f"{path} was changed"


def _written_places(arena: Arena) -> list[Path]:
    import site
    import tempfile

    from course.config import data_home

    return [
        Path("/"),
        Path("/tmp"),
        Path("/var/tmp"),
        Path("/dev/shm"),
        Path(tempfile.gettempdir()),
        Path.home(),
        data_home(),
        REPO,
        REPO / "course",
        REPO / "graders",
        REPO / "solutions",
        arena.week.graders,
        arena.week.solution.parent,
        arena.tmp,
        Path(site.getsitepackages()[0]),
    ]


def _watched_files(arena: Arena) -> dict[Path, tuple[int, int]]:
    """The attacked course's files, the worker's code and the import-time hooks of this
    Python (``.pth`` files): none may change."""
    import site

    files = [
        *sorted(arena.week.graders.glob("*")),
        arena.week.solution,
        *sorted((REPO / "course" / "sandbox").glob("*.py")),
        *sorted((REPO / "course" / "probes").glob("*.py")),
        *sorted(Path(site.getsitepackages()[0]).glob("*.pth")),
    ]
    watched = {}
    for path in files:
        if "__pycache__" in path.parts or not path.is_file():
            continue
        stat = path.stat()
        watched[path] = (stat.st_size, stat.st_mtime_ns)
    return watched


@pytest.fixture
def arena(toy_course: Layout, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Arena]:
    """A fresh arena per attack, with a secret in the grading process's environment."""
    secret = f"s3cret-{secrets.token_hex(16)}"
    monkeypatch.setenv("COURSE_REDTEAM_SECRET", secret)
    token = f"{TOKEN_PREFIX}{secrets.token_hex(6)}"
    listener = Listener()
    abstract = AbstractListener(f"course-redteam-{token}")
    ground = Arena(toy_course, tmp_path, secret, token, listener, abstract)
    ground.watched_files = _watched_files(ground)
    try:
        yield ground
    finally:
        listener.close()
        abstract.close()
        for pid in ground.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The red team needs the sandbox: say so plainly where it cannot run."""
    if sys.platform != "linux":
        for item in items:
            if "redteam" in str(item.fspath):
                item.add_marker(pytest.mark.skip(reason="the sandbox is Linux-only"))
