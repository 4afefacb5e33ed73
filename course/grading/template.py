"""Warm grading processes: each grading run is a fork of a process that imported once.

A grading process (pytest with our plugin) spends its first five to seven seconds importing
pytest, the plugin, NumPy, TensorFlow and Keras, before the graders do anything. A batch of
submissions paid that once per submission. A :class:`Template` is a long-lived process that
imported all of that and ran nothing else (no TensorFlow op, no grader, no submission); each
grading run is a fresh ``fork`` of it, so it starts in milliseconds and shares the imported
pages with its siblings. Nothing of one run survives into the next: every run is a new
process of the pristine template, as a ``python -m pytest`` would be.

The template is trusted code only: it never sees a submission (the graders' runs start their
sandboxed workers as before, see :mod:`course.sandbox`). It serves the process that started
it, over a socket pair: a request carries the pytest arguments, the environment, the working
folder, the control groups to join and the file descriptors to hand over (the log, the
progress events, the exit-status pipe); the reply carries a ``pidfd`` of the new run.

Each run dies with the template and the template dies with the process that started it
(``PR_SET_PDEATHSIG``). Start a template from a thread that outlives it (the main thread).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from course.sandbox.launchers import child_setup

#: What every grading run imports before its graders do: paid once, in the template.
PRELOADED = ("numpy", "pytest", "course.grading.plugin", "course.testing")
#: Imported too for a course whose graders use TensorFlow (every week of ours).
PRELOADED_TENSORFLOW = ("tensorflow", "keras")
#: Seconds a template may take to import :data:`PRELOADED` and say it is ready.
READY_TIMEOUT = 300.0
_MESSAGE_BYTES = 1 << 20


class TemplateFailed(RuntimeError):
    """The template could not start or stopped answering; the message says why."""


class Template:
    """A warm grading process to fork grading runs from (see the module docstring)."""

    def __init__(
        self,
        *,
        python: str = sys.executable,
        tensorflow: bool = True,
        env: dict[str, str] | None = None,
    ) -> None:
        self.python = python
        #: The course's code as the template imports it: a template older than the code on
        #: disk (``course`` upgraded under a running ``course serve``) is replaced.
        self.code = code_fingerprint()
        #: The template's own output (its imports' warnings), for the message if it fails.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        environment = dict(env if env is not None else os.environ)
        environment.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        try:
            self._process = subprocess.Popen(
                [
                    python,
                    "-m",
                    "course.grading.template",
                    str(theirs.fileno()),
                    *(PRELOADED_TENSORFLOW if tensorflow else ()),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._log,
                pass_fds=(theirs.fileno(),),
                env=environment,
                preexec_fn=child_setup(os.getpid(), None, [], None),
            )
        finally:
            theirs.close()
        self._socket = ours
        self._lock = threading.Lock()
        self.runs = 0
        #: Set when a run could not be started: gradings then start cold (the runs in
        #: progress go on).
        self.failed = False
        try:
            ready, _ = self._receive(timeout=READY_TIMEOUT)
        except TemplateFailed:
            self.close()
            raise
        if ready.get("ready") is not True:
            self.close()
            raise TemplateFailed(f"the grading template did not start: {ready}")

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def run(
        self,
        arguments: Sequence[str],
        *,
        env: dict[str, str],
        cwd: Path,
        log_fd: int,
        pass_fds: dict[str, int],
        cgroup_procs: Sequence[str] = (),
    ) -> ForkedRun:
        """Start ``pytest arguments`` as a fork of the template.

        ``pass_fds`` names file descriptors to hand over; an argument ``{fd:NAME}`` becomes
        that descriptor's number in the run. The run's output goes to ``log_fd``.
        """
        status_read, status_write = os.pipe()
        names = list(pass_fds)
        request = {
            "arguments": list(arguments),
            "env": env,
            "cwd": str(cwd),
            "fds": names,
            "cgroup_procs": list(cgroup_procs),
        }
        fds = [log_fd, status_write, *(pass_fds[name] for name in names)]
        try:
            with self._lock:
                try:
                    socket.send_fds(self._socket, [json.dumps(request).encode()], fds)
                    reply, received = self._receive(timeout=30.0)
                except OSError as error:
                    message = f"the grading template stopped answering ({error})"
                    raise TemplateFailed(message) from error
        finally:
            os.close(status_write)
        if "pid" not in reply or len(received) != 1:
            for fd in received:
                os.close(fd)
            os.close(status_read)
            raise TemplateFailed(f"the grading template could not start a run: {reply}")
        self.runs += 1
        return ForkedRun(int(reply["pid"]), pidfd=received[0], status_fd=status_read)

    def _receive(self, *, timeout: float) -> tuple[dict[str, Any], list[int]]:
        readable, _, _ = select.select([self._socket], [], [], timeout)
        if not readable:
            raise TemplateFailed(f"the grading template did not answer within {timeout:g} s")
        data, fds, _, _ = socket.recv_fds(self._socket, _MESSAGE_BYTES, 4)
        if not data:
            self._log.seek(0)
            output = self._log.read().decode(errors="replace")[-3000:]
            raise TemplateFailed(f"the grading template ended. Its output ended with:\n{output}")
        return json.loads(data), fds

    def close(self) -> None:
        """Stop the template (runs in progress end with it)."""
        with contextlib.suppress(OSError):
            self._socket.close()
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self._log.close()

    def __enter__(self) -> Template:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def code_fingerprint() -> str:
    """The names, sizes and times of the ``course`` package's modules: what a template
    imported, and must match the disk to be used."""
    import hashlib

    import course

    digest = hashlib.sha256()
    package = Path(course.__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(package)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


class ForkedRun:
    """A grading run forked from a :class:`Template`, with the part of
    :class:`subprocess.Popen` the runner uses (``poll``, ``wait``, ``kill``, ``returncode``).

    It is not this process's child: its end is seen through a ``pidfd`` and its exit status
    comes through a pipe, written by the run just before it exits (a run that was killed
    writes nothing, and its status is ``-9``).
    """

    def __init__(self, pid: int, *, pidfd: int, status_fd: int) -> None:
        self.pid = pid
        self._pidfd = pidfd
        self._status_fd = status_fd
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            readable, _, _ = select.select([self._pidfd], [], [], 0)
            if readable:
                self._finish()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            readable, _, _ = select.select([self._pidfd], [], [], timeout)
            if not readable:
                raise subprocess.TimeoutExpired("grading run", timeout or 0.0)
            self._finish()
        assert self.returncode is not None
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)

    def _finish(self) -> None:
        status = b""
        with contextlib.suppress(OSError):
            while chunk := os.read(self._status_fd, 64):
                status += chunk
        os.close(self._status_fd)
        os.close(self._pidfd)
        try:
            self.returncode = int(status)
        except ValueError:
            self.returncode = -signal.SIGKILL


class _Slot:
    """The template of a :func:`warm_grading` block, started when first needed."""

    def __init__(self, python: str, *, lazy: bool, tensorflow: bool) -> None:
        self.python = python
        self.tensorflow = tensorflow
        self.template: Template | None = None
        #: Templates replaced because the course's code changed: closed with the block,
        #: so that their runs in progress end normally.
        self.retired: list[Template] = []
        self.failed = False
        if not lazy:
            self.get()

    def get(self) -> Template | None:
        if (
            self.template is not None
            and threading.current_thread() is threading.main_thread()
            and self.template.code != code_fingerprint()
        ):
            self.retired.append(self.template)
            self.template = None
        if self.template is None and not self.failed:
            # Started from the main thread only: a run's parent-death signal follows the
            # thread that started the template.
            if threading.current_thread() is not threading.main_thread():
                return None
            # A template that cannot start (no memory, an import that fails) costs nothing
            # but its warmth: every grading then starts cold.
            try:
                self.template = Template(python=self.python, tensorflow=self.tensorflow)
            except (TemplateFailed, OSError):
                self.failed = True  # grade cold from here on
        return self.template

    def close(self) -> None:
        for template in [*self.retired, *([self.template] if self.template else [])]:
            template.close()


_current: _Slot | None = None


@contextlib.contextmanager
def warm_grading(
    *, python: str = sys.executable, lazy: bool = False, tensorflow: bool = True
) -> Iterator[None]:
    """Grade with warm grading processes while the block runs: every
    :func:`course.grading.runner.grade` call inside it (any thread) forks its grading
    process from one :class:`Template`. Enter it from the main thread. ``lazy`` starts the
    template at the first grading (from the main thread) instead of now; ``tensorflow``
    (see :func:`uses_tensorflow`) has the template import TensorFlow and Keras too."""
    global _current
    previous = _current
    if previous is not None and previous.python == python and previous.tensorflow >= tensorflow:
        yield  # an enclosing block's template serves this one too (``course serve``'s)
        return
    slot = _Slot(python, lazy=lazy, tensorflow=tensorflow)
    _current = slot
    try:
        yield
    finally:
        _current = previous
        slot.close()


class _KeptSlot(_Slot):
    """The slot of a process whose gradings come from threads it does not own (a Dask
    worker's task threads): a thread of its own, alive as long as the process, starts and
    replaces the template (a run's parent-death signal follows that thread)."""

    def __init__(self, python: str, *, tensorflow: bool) -> None:
        super().__init__(python, lazy=True, tensorflow=tensorflow)
        self._requests: list[threading.Event] = []
        self._wake = threading.Condition()
        threading.Thread(target=self._keep, name="course-template", daemon=True).start()

    def get(self) -> Template | None:
        done = threading.Event()
        with self._wake:
            self._requests.append(done)
            self._wake.notify()
        done.wait()
        return self.template

    def _keep(self) -> None:
        while True:
            with self._wake:
                while not self._requests:
                    self._wake.wait()
                waiting, self._requests = self._requests, []
            try:
                if self.template is not None and self.template.code != code_fingerprint():
                    self.retired.append(self.template)
                    self.template = None
                if self.template is None and not self.failed:
                    try:
                        self.template = Template(python=self.python, tensorflow=self.tensorflow)
                    except (TemplateFailed, OSError):
                        self.failed = True
            finally:
                for done in waiting:
                    done.set()


_kept_lock = threading.Lock()


def keep_warm(*, python: str = sys.executable, tensorflow: bool = True) -> None:
    """Grade with warm grading processes from now until this process ends, from any thread
    (a Dask worker's tasks): the first grading starts the template. Does nothing inside a
    :func:`warm_grading` block, or when already kept warm."""
    global _current
    with _kept_lock:
        if _current is None:
            _current = _KeptSlot(python, tensorflow=tensorflow)


def uses_tensorflow(graders: Path) -> bool:
    """Whether a week's graders work with TensorFlow: unless its ``worker.toml`` says
    ``tensorflow = false`` (a course without it)."""
    import tomllib

    try:
        settings = tomllib.loads((graders / "worker.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True
    return settings.get("tensorflow") is not False


def current(python: str) -> Template | None:
    """The template of the enclosing :func:`warm_grading` block for ``python``, if any."""
    slot = _current
    if slot is None or slot.python != python:
        return None
    template = slot.get()
    usable = template is not None and template.alive and not template.failed
    return template if usable else None


# -- the template process -------------------------------------------------------------------


def serve(channel: socket.socket, extra: Sequence[str] = ()) -> None:
    """Import :data:`PRELOADED` and ``extra``, say so, then fork one grading run per request
    until the socket closes."""
    import gc
    import importlib

    from course.sandbox import zygote

    # The runs' sandboxed workers are forked from a zygote too (it imports while we do).
    zygote.start(tensorflow="tensorflow" in extra)
    for name in (*PRELOADED, *extra):
        importlib.import_module(name)
    # The imports' objects are never collected again: a run's collections walk only what
    # the run made, and the shared pages stay shared after the fork.
    gc.collect()
    gc.freeze()
    channel.sendall(json.dumps({"ready": True}).encode())
    while True:
        readable, _, _ = select.select([channel], [], [], 1.0)
        _reap()
        if not readable:
            continue
        data, fds, _, _ = socket.recv_fds(channel, _MESSAGE_BYTES, 16)
        if not data:
            return
        try:
            request = json.loads(data)
            pid = os.fork()
        except Exception as error:  # a malformed request or no memory to fork: say so
            for fd in fds:
                os.close(fd)
            channel.sendall(json.dumps({"error": f"{type(error).__name__}: {error}"}).encode())
            continue
        if pid == 0:
            channel.close()
            _run(request, fds)  # never returns
        for fd in fds:
            os.close(fd)
        try:
            pidfd = os.pidfd_open(pid)
        except OSError as error:  # no pidfds here (Linux before 5.3): the run cannot be watched
            os.kill(pid, signal.SIGKILL)
            channel.sendall(json.dumps({"error": f"no pidfd for the run: {error}"}).encode())
            continue
        try:
            socket.send_fds(channel, [json.dumps({"pid": pid}).encode()], [pidfd])
        finally:
            os.close(pidfd)


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass


def _run(request: dict[str, Any], fds: list[int]) -> None:
    """In the forked run: become ``python -m pytest ARGS`` in ``cwd``, then exit."""
    code = 70
    status_fd = fds[1]
    try:
        log_fd = fds[0]
        # End with the template, as the template ends with its user.
        child_setup(os.getppid(), None, [], None)()
        named = dict(zip(request["fds"], fds[2:], strict=True))
        own = str(os.getpid()).encode()
        for path in request["cgroup_procs"]:
            fd = os.open(path, os.O_WRONLY)
            try:
                os.write(fd, own)
            finally:
                os.close(fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(log_fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        arguments = [
            str(named[item[4:-1]]) if item.startswith("{fd:") and item.endswith("}") else item
            for item in request["arguments"]
        ]
        sys.argv = ["pytest", *arguments]
        sys.path[0] = request["cwd"]
        import pytest

        code = int(pytest.main(arguments))
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
            os.write(status_fd, str(code).encode())
        os._exit(code)


def main() -> None:
    """``python -m course.grading.template FD [MODULE...]``: serve the socket ``FD``."""
    channel = socket.socket(fileno=int(sys.argv[1]))
    extra = [name for name in sys.argv[2:] if name in PRELOADED_TENSORFLOW]
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        serve(channel, extra)


if __name__ == "__main__":
    main()
