"""Run a submission in its own worker process and exchange plain data with it.

This module knows how to start, talk to, time out and kill a worker; it knows nothing about
checks or points. Every request ends in an :class:`Outcome`, never in an exception from the
submission: the caller decides what a failure is worth.

The worker imports the submission once, right after it starts, and says whether that worked.
When the import itself crashes, hangs or raises, that outcome is remembered and returned for
every later request without starting another process: a module that calls ``os._exit`` or
loops forever at import time costs one time limit, not one per check.

A week whose exercises need several TensorFlow devices (``tf.distribute``) asks for
``logical_cpus``: the worker then splits the CPU into that many logical devices before it
imports the submission, since TensorFlow fixes its devices at its first op.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, Protocol

from course.sandbox.protocol import (
    ChannelClosed,
    ChannelTimeout,
    ProtocolError,
    read_frame,
    write_frame,
)

Status = Literal["ok", "raised", "timeout", "exited", "broken"]

#: Environment variables passed through to the worker; everything else is dropped.
_PASSED_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES")
_OUTPUT_TAIL_CHARS = 2_000


@dataclass(frozen=True)
class Outcome:
    """What happened to one request: a value, or how and why it did not come back."""

    status: Status
    value: Any = None
    #: For ``raised``: ``kind``, ``type``, ``message`` and ``traceback`` from the worker.
    error: Mapping[str, str] = field(default_factory=dict)
    #: For ``timeout``, ``exited`` and ``broken``: a sentence saying what happened.
    detail: str = ""
    #: The last lines the submission printed (stdout and stderr together).
    output_tail: str = ""
    #: True when the failure happened while importing the submission.
    during_import: bool = False
    seconds: float = 0.0


class Launcher(Protocol):
    """Starts the worker process. A hardened launcher (other uid, no network, seccomp,
    resource limits) implements the same method and is passed to :class:`Worker`."""

    def launch(
        self,
        argv: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str],
        pass_fds: Sequence[int],
        output: IO[bytes],
    ) -> subprocess.Popen[bytes]: ...


class LocalLauncher:
    """Start the worker as a child process in its own session, without core dumps.

    On Linux the worker also gets ``SIGKILL`` when its parent dies (``PR_SET_PDEATHSIG``), so
    a grading process that is itself killed (a hung grader stopped by the runner) leaves no
    worker behind. The signal follows the *thread* that started the worker: start workers
    from a thread that outlives them (the grading process starts them from its main thread).
    """

    def launch(
        self,
        argv: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str],
        pass_fds: Sequence[int],
        output: IO[bytes],
    ) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env),
            pass_fds=tuple(pass_fds),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_child_setup(os.getpid()),
        )


_PR_SET_PDEATHSIG = 1


def _child_setup(parent: int) -> Callable[[], None]:
    """What the worker's process runs between fork and exec: no core dumps, and (Linux) die
    with ``parent``. Everything it needs is looked up before the fork."""
    import resource

    prctl = _prctl()

    def setup() -> None:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if prctl is not None:
            prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != parent:  # the parent died before the signal was armed
                os._exit(1)

    return setup


def _prctl() -> Callable[[int, int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        function: Callable[[int, int], int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return function


class Worker:
    """One submission's worker: started on first use, restarted after a crash or time-out."""

    def __init__(
        self,
        submission: Path,
        *,
        workdir: Path,
        import_timeout: float = 120.0,
        launcher: Launcher | None = None,
        python: str = sys.executable,
        logical_cpus: int | None = None,
    ) -> None:
        self.submission = submission.resolve()
        self.workdir = workdir
        self.import_timeout = import_timeout
        #: Logical CPU devices TensorFlow gets in the worker; ``None`` leaves TensorFlow alone.
        self.logical_cpus = logical_cpus
        self._launcher = launcher or LocalLauncher()
        self._python = python
        self._process: subprocess.Popen[bytes] | None = None
        self._to_worker = -1
        self._from_worker = -1
        self._import_failure: Outcome | None = None
        self._log_path = workdir / "output.log"
        self._ready = False
        self._spawned_at = 0.0
        #: How many worker processes were started (restarts after crashes included).
        self.started = 0

    @property
    def pid(self) -> int | None:
        """The running worker process's id; ``None`` before it starts or after it ends."""
        return self._process.pid if self._process is not None else None

    def longest_wait(self, timeout: float) -> float:
        """The longest a :meth:`request` with ``timeout`` can take: the import too, when the
        worker has not (re)started and answered yet."""
        settled = self._ready or self._import_failure is not None
        return timeout + (0.0 if settled else self.import_timeout)

    def request(self, probe: str, args: Mapping[str, Any], *, seed: int, timeout: float) -> Outcome:
        """Ask the worker to run ``probe`` with ``args``; wait at most ``timeout`` seconds."""
        begin = time.monotonic()
        if self._import_failure is not None:
            return self._import_failure
        if self._process is None:
            self._spawn()
        if not self._ready:
            failure = self._await_ready()
            if failure is not None:
                return failure
        message = {"probe": probe, "args": dict(args), "seed": seed}
        try:
            write_frame(self._to_worker, message)
            reply = read_frame(self._from_worker, timeout=timeout)
        except ChannelTimeout:
            self._kill()
            return self._failure("timeout", f"did not finish within {timeout:g} s", begin=begin)
        except (ChannelClosed, BrokenPipeError):
            code = self._reap()
            return self._failure("exited", _describe_exit(code), begin=begin)
        except ProtocolError as error:
            self._kill()
            return self._failure("broken", f"sent a malformed reply ({error})", begin=begin)
        return self._outcome_from_reply(reply, begin=begin)

    def close(self) -> None:
        """Stop the worker if it runs; the :class:`Worker` can still be used afterwards."""
        if self._process is not None and self._process.poll() is None:
            try:
                write_frame(self._to_worker, {"probe": "__shutdown__"})
                self._process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._kill()

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- process management -------------------------------------------------------------

    def start(self) -> None:
        """Start the worker now, without waiting for it to import the submission.

        Lets the caller overlap the worker's start (a TensorFlow import, seconds) with its
        own work. :meth:`request` starts the worker itself when needed.
        """
        if self._process is None and self._import_failure is None:
            self._spawn()

    def _spawn(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "tmp").mkdir(exist_ok=True)
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        argv = [
            self._python,
            "-I",
            "-m",
            "course.sandbox.worker",
            "--submission",
            str(self.submission),
            "--read-fd",
            str(request_read),
            "--write-fd",
            str(reply_write),
        ]
        if self.logical_cpus is not None:
            argv += ["--logical-cpus", str(self.logical_cpus)]
        self._spawned_at = time.monotonic()
        try:
            with open(self._log_path, "ab") as output:
                self._process = self._launcher.launch(
                    argv,
                    cwd=self.workdir,
                    env=self._environment(),
                    pass_fds=(request_read, reply_write),
                    output=output,
                )
        finally:
            os.close(request_read)
            os.close(reply_write)
        self._to_worker, self._from_worker = request_write, reply_read
        self._ready = False
        self.started += 1

    def _await_ready(self) -> Outcome | None:
        """Wait for the worker's first message: did importing the submission work?"""
        begin = self._spawned_at
        remaining = self.import_timeout - (time.monotonic() - begin)
        try:
            hello = read_frame(self._from_worker, timeout=max(0.0, remaining))
        except ChannelTimeout:
            self._kill()
            failure = self._failure(
                "timeout",
                f"importing the module did not finish within {self.import_timeout:g} s",
                begin=begin,
                during_import=True,
            )
        except ChannelClosed:
            code = self._reap()
            failure = self._failure(
                "exited",
                _describe_exit(code) + " while the module was being imported",
                begin=begin,
                during_import=True,
            )
        except ProtocolError as error:
            self._kill()
            failure = self._failure(
                "broken",
                f"sent a malformed first message ({error})",
                begin=begin,
                during_import=True,
            )
        else:
            if isinstance(hello, dict) and hello.get("ok") is True:
                self._ready = True
                return None
            failure = self._outcome_from_reply(hello, begin=begin, during_import=True)
            self._kill()
        self._import_failure = failure
        return failure

    def _environment(self) -> dict[str, str]:
        env = {name: os.environ[name] for name in _PASSED_ENVIRONMENT if name in os.environ}
        env.setdefault("PATH", os.defpath)
        env.update(
            HOME=str(self.workdir),
            TMPDIR=str(self.workdir / "tmp"),
            PYTHONHASHSEED="0",
            PYTHONDONTWRITEBYTECODE="1",
            PYTHONUNBUFFERED="1",
            TF_CPP_MIN_LOG_LEVEL="2",
            KERAS_BACKEND="tensorflow",
        )
        return env

    def _kill(self) -> None:
        process, self._process = self._process, None
        for fd in (self._to_worker, self._from_worker):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._to_worker = self._from_worker = -1
        if process is None:
            return
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                process.kill()
        process.wait()

    def _reap(self) -> int | None:
        process = self._process
        code: int | None = None
        if process is not None:
            try:
                code = process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                code = None
        self._kill()
        return code

    # -- outcomes -----------------------------------------------------------------------

    def _outcome_from_reply(
        self, reply: Any, *, begin: float, during_import: bool = False
    ) -> Outcome:
        seconds = time.monotonic() - begin
        if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
            self._kill()
            return self._failure("broken", "sent a reply of the wrong shape", begin=begin)
        if reply["ok"]:
            return Outcome(status="ok", value=reply.get("value"), seconds=seconds)
        error = reply.get("error")
        fields = ("kind", "type", "message", "traceback")
        if not isinstance(error, dict) or not all(isinstance(error.get(f), str) for f in fields):
            self._kill()
            return self._failure("broken", "sent an error of the wrong shape", begin=begin)
        return Outcome(
            status="raised",
            error={f: error[f] for f in fields},
            output_tail=self._output_tail(),
            during_import=during_import,
            seconds=seconds,
        )

    def _failure(
        self, status: Status, detail: str, *, begin: float, during_import: bool = False
    ) -> Outcome:
        return Outcome(
            status=status,
            detail=detail,
            output_tail=self._output_tail(),
            during_import=during_import,
            seconds=time.monotonic() - begin,
        )

    def _output_tail(self) -> str:
        try:
            with open(self._log_path, "rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - _OUTPUT_TAIL_CHARS))
                return log.read().decode("utf-8", errors="replace").strip()
        except OSError:
            return ""


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"was killed by {name}"
    return f"ended the process (exit code {code})"
