"""Run a submission in its own worker process and exchange plain data with it.

This module knows how to start, talk to, time out and kill a worker; it knows nothing about
checks or points. Every request ends in an :class:`Outcome`, never in an exception from the
submission: the caller decides what a failure is worth.

The worker is started by a :class:`~course.sandbox.launchers.Launcher`: by default the
bubblewrap sandbox (:func:`default_launcher`). It first sends a *boot* message, before it
imports anything of the submission; a worker that ends before that is a sandbox that could
not start (``unavailable``, the grader's problem, never the student's). Then it imports the
submission once and says whether that worked. When the import itself crashes, hangs or
raises, that outcome is remembered and returned for every later request without starting
another process: a module that calls ``os._exit`` or loops forever at import time costs one
time limit, not one per check.

The worker's output reaches this process through a pipe only
(:class:`~course.sandbox.output.OutputCollector`); its scratch files stay in the sandbox.

A week whose exercises need several TensorFlow devices (``tf.distribute``) asks for
``logical_cpus``: the worker then splits the CPU into that many logical devices before it
imports the submission, since TensorFlow fixes its devices at its first op.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from course.sandbox.launchers import Job, Launched, Launcher
from course.sandbox.limits import describe
from course.sandbox.output import OutputCollector
from course.sandbox.protocol import (
    KEY_BYTES,
    ChannelClosed,
    ChannelTimeout,
    ForgedFrame,
    ProtocolError,
    read_signed,
    write_frame,
)

#: ``ok``: a value. ``raised``: the submission raised. ``timeout``: no answer in time (or
#: its CPU time ran out). ``exited``: it ended the process. ``crashed``: a signal ended it.
#: ``out_of_memory``: it reached its memory limit. ``limit``: another limit stopped it
#: (output, file size). ``broken``: it sent garbage. ``unavailable``: the sandbox itself
#: could not start.
Status = Literal[
    "ok",
    "raised",
    "timeout",
    "exited",
    "crashed",
    "out_of_memory",
    "limit",
    "broken",
    "unavailable",
]

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
    #: For the other failures: a sentence saying what happened.
    detail: str = ""
    #: The last lines the submission printed (stdout and stderr together).
    output_tail: str = ""
    #: True when the failure happened while importing the submission.
    during_import: bool = False
    seconds: float = 0.0
    #: Every integrity finding the worker has reported so far (see
    #: :mod:`course.sandbox.integrity`): the submission tampered with the grading machinery.
    integrity: tuple[str, ...] = ()


def default_launcher() -> Launcher:
    """The bubblewrap sandbox where it can run; else the local launcher (see
    :func:`course.sandbox.doctor.diagnose` for what that leaves out).

    ``COURSE_SANDBOX=local`` forces the local launcher (for debugging the graders only).
    """
    from course.sandbox.bubblewrap import BubblewrapLauncher, BubblewrapUnavailable
    from course.sandbox.launchers import LocalLauncher

    if os.environ.get("COURSE_SANDBOX", "") == "local":
        return LocalLauncher()
    from course.sandbox import zygote

    warm = zygote.current()
    if warm is not None:
        return zygote.ZygoteLauncher(warm)
    try:
        return BubblewrapLauncher()
    except BubblewrapUnavailable:
        return LocalLauncher()


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
        tensorflow: bool = True,
    ) -> None:
        self.submission = submission.resolve()
        #: Whether the worker imports TensorFlow before the submission (and watches Keras's
        #: classes against tampering); a course without TensorFlow turns it off.
        self.tensorflow = tensorflow
        self.workdir = workdir
        self.import_timeout = import_timeout
        #: Logical CPU devices TensorFlow gets in the worker; ``None`` leaves TensorFlow alone.
        self.logical_cpus = logical_cpus
        self.launcher = launcher if launcher is not None else default_launcher()
        self._python = python
        self._launched: Launched | None = None
        self._inputs: Path | None = None
        self._output: OutputCollector | None = None
        self._stopped_for: str | None = None
        self._last_limit: str | None = None
        self._submission_inside: str | None = None
        self._key = b""
        self._to_worker = -1
        self._from_worker = -1
        self._import_failure: Outcome | None = None
        self._ready = False
        self._booted = False
        self._spawned_at = 0.0
        #: How many worker processes were started (restarts after crashes included).
        self.started = 0
        #: The most memory a worker of this submission used, where the sandbox measures it.
        self.peak_memory: int | None = None
        #: What the submission did to the grading machinery, as its workers reported it.
        self.integrity: list[str] = []

    @property
    def pid(self) -> int | None:
        """The running worker's process id (the sandbox's outermost process, seen from
        here); ``None`` before it starts or after it ends."""
        return self._launched.process.pid if self._launched is not None else None

    @property
    def inputs(self) -> Path:
        """A folder for grader-provided inputs: the worker sees it read-only, at
        :meth:`inside`. Write into it before the worker starts or between requests."""
        if self._inputs is None:
            self._inputs = self.launcher.inputs_folder(self.workdir)
        self._inputs.mkdir(parents=True, exist_ok=True)
        return self._inputs

    def inside(self, path: Path) -> str:
        """Where the worker sees ``path``, a file or folder inside :attr:`inputs`."""
        relative = path.resolve().relative_to(self.inputs.resolve())
        base = self._inputs_inside()
        return str(Path(base) / relative) if str(relative) != "." else base

    def _inputs_inside(self) -> str:
        from course.sandbox.bubblewrap import INPUTS, BubblewrapLauncher
        from course.sandbox.zygote import ZygoteLauncher

        if isinstance(self.launcher, BubblewrapLauncher | ZygoteLauncher):
            return INPUTS
        return str(self.inputs.resolve())

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
        if self._launched is None:
            self._spawn()
        if not self._ready:
            failure = self._await_ready()
            if failure is not None:
                return failure
        message = {"probe": probe, "args": dict(args), "seed": seed}
        try:
            write_frame(self._to_worker, message)
            reply = self._read(timeout)
        except ForgedFrame as error:
            return self._forged(error, begin=begin)
        except ChannelTimeout:
            self._kill()
            if self._stopped_for is None:
                return self._failure("timeout", f"did not finish within {timeout:g} s", begin=begin)
            return self._ended(None, begin=begin)
        except (ChannelClosed, BrokenPipeError):
            return self._ended(self._reap(), begin=begin)
        except ProtocolError as error:
            self._kill()
            return self._failure("broken", f"sent a malformed reply ({error})", begin=begin)
        return self._outcome_from_reply(reply, begin=begin)

    def close(self) -> None:
        """Stop the worker if it runs; the :class:`Worker` can still be used afterwards."""
        launched = self._launched
        if launched is not None and launched.process.poll() is None and self._ready:
            try:
                write_frame(self._to_worker, {"probe": "__shutdown__"})
                launched.process.wait(timeout=5)
            except Exception:  # it is killed below either way
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
        if self._launched is None and self._import_failure is None:
            self._spawn()

    def _spawn(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        output_read, output_write = os.pipe()
        options: list[str] = []
        if self.logical_cpus is not None:
            options += ["--logical-cpus", str(self.logical_cpus)]
        if not self.tensorflow:
            options += ["--no-tensorflow"]
        job = Job(
            submission=self.submission,
            read_fd=request_read,
            write_fd=reply_write,
            output_fd=output_write,
            env=self._environment(),
            options=options,
            inputs=self.inputs,
            scratch=self.workdir / "scratch",
            python=self._python,
        )
        self._stopped_for = self._last_limit = None
        self._spawned_at = time.monotonic()
        try:
            self._launched = self.launcher.launch(job)
        except BaseException:
            for fd in (request_write, reply_read, output_read):
                os.close(fd)
            raise
        finally:
            for fd in (request_read, reply_write, output_write):
                os.close(fd)
        self._submission_inside = self._launched.submission_inside
        self._output = OutputCollector(
            output_read, limit=self.launcher.limits.output_bytes, on_overflow=self._overflowed
        )
        self._to_worker, self._from_worker = request_write, reply_read
        self._ready = self._booted = False
        self.started += 1
        # The worker reads its signing key before anything of the submission runs.
        self._key = secrets.token_bytes(KEY_BYTES)
        with contextlib.suppress(OSError):  # the worker already ended: the first read says how
            write_frame(self._to_worker, {"key": self._key.hex()})

    def _overflowed(self) -> None:
        """Called from the output thread: the worker printed more than its limit."""
        self._stopped_for = "output"
        launched = self._launched
        if launched is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(launched.process.pid, signal.SIGKILL)

    def _await_ready(self) -> Outcome | None:
        """Wait for the worker's boot message, then for its word on the import."""
        begin = self._spawned_at
        failure: Outcome | None = None
        while failure is None and not self._ready:
            remaining = self.import_timeout - (time.monotonic() - begin)
            try:
                message = self._read(max(0.0, remaining))
            except ForgedFrame as error:
                failure = self._forged(error, begin=begin)
                failure = Outcome(
                    status=failure.status,
                    detail=failure.detail,
                    during_import=True,
                    seconds=failure.seconds,
                    integrity=failure.integrity,
                )
            except ChannelTimeout:
                self._kill()
                what = "importing the module" if self._booted else "starting the sandbox"
                failure = self._failure(
                    "timeout" if self._booted else "unavailable",
                    f"{what} did not finish within {self.import_timeout:g} s",
                    begin=begin,
                    during_import=True,
                )
            except ChannelClosed:
                code = self._reap()
                if not self._booted:
                    failure = self._unavailable(code, begin=begin)
                else:
                    ended = self._ended(code, begin=begin)
                    detail = ended.detail + " while the module was being imported"
                    failure = Outcome(
                        status=ended.status,
                        detail=detail,
                        output_tail=ended.output_tail,
                        during_import=True,
                        seconds=ended.seconds,
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
                if not self._booted:
                    if isinstance(message, dict) and message.get("boot") is True:
                        self._booted = True
                        continue
                    self._kill()
                    failure = self._failure(
                        "unavailable", "the worker did not boot", begin=begin, during_import=True
                    )
                elif isinstance(message, dict) and message.get("ok") is True:
                    self._ready = True
                else:
                    failure = self._outcome_from_reply(message, begin=begin, during_import=True)
                    self._kill()
        if failure is not None and failure.status != "unavailable":
            self._import_failure = failure
        return failure

    def _unavailable(self, code: int | None, *, begin: float) -> Outcome:
        said = self._output_tail()
        return Outcome(
            status="unavailable",
            detail=f"the sandbox ({self.launcher.name}) could not start the worker "
            f"(exit code {code})" + (f": {said}" if said else ""),
            during_import=True,
            seconds=time.monotonic() - begin,
        )

    def _environment(self) -> dict[str, str]:
        return worker_environment()

    def _kill(self) -> None:
        launched, self._launched = self._launched, None
        for fd in (self._to_worker, self._from_worker):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._to_worker = self._from_worker = -1
        if launched is None:
            return
        launched.stop()
        peak = launched.peak_memory()
        if peak is not None:
            self.peak_memory = max(peak, self.peak_memory or 0)
        self._last_limit = launched.limit_reached()
        launched.close()
        if self._output is not None:
            self._output.join(timeout=2.0)

    def _reap(self) -> int | None:
        launched = self._launched
        code: int | None = None
        if launched is not None:
            try:
                launched.process.wait(timeout=10)
                code = launched.exit_code()
            except Exception:  # it is killed below
                code = None
        self._kill()
        return code

    # -- outcomes -----------------------------------------------------------------------

    def _ended(self, code: int | None, *, begin: float) -> Outcome:
        """The outcome of a worker that ended (or was stopped) during a request."""
        reason = self._stopped_for or self._last_limit
        limits = self.launcher.limits
        if reason == "memory":
            return self._failure("out_of_memory", describe("memory", limits), begin=begin)
        if reason == "cpu":
            return self._failure("timeout", describe("cpu", limits), begin=begin)
        if reason in ("output", "file_size"):
            return self._failure("limit", describe(reason, limits), begin=begin)
        if code is not None and code < 0 and -code != signal.SIGKILL:
            return self._failure("crashed", _describe_exit(code), begin=begin)
        return self._failure("exited", _describe_exit(code), begin=begin)

    def _read(self, timeout: float) -> Any:
        """One signed reply; its trailer's integrity findings are recorded."""
        value, trailer = read_signed(self._from_worker, key=self._key, timeout=timeout)
        for finding in trailer.splitlines()[:50]:
            text = finding.strip()[:500]
            if text and text not in self.integrity:
                self.integrity.append(text)
        return value

    def _forged(self, error: ForgedFrame, *, begin: float) -> Outcome:
        """Someone other than the worker's own code wrote to its reply channel."""
        finding = f"wrote a forged reply into the worker's channel ({error})"
        if finding not in self.integrity:
            self.integrity.append(finding)
        self._kill()
        failure = self._failure("broken", f"sent {error}", begin=begin)
        return Outcome(
            status=failure.status,
            detail=failure.detail,
            output_tail=failure.output_tail,
            seconds=failure.seconds,
            integrity=tuple(self.integrity),
        )

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
        if error["kind"] == "out_of_memory":
            return Outcome(
                status="out_of_memory",
                detail=describe("memory", self.launcher.limits),
                output_tail=self._output_tail(),
                during_import=during_import,
                seconds=seconds,
            )
        return Outcome(
            status="raised",
            error={f: self._host_paths(error[f]) for f in fields},
            output_tail=self._output_tail(),
            during_import=during_import,
            seconds=seconds,
        )

    def _host_paths(self, text: str) -> str:
        """``text`` with the submission's path in the sandbox replaced by its path here."""
        inside = self._submission_inside
        return text.replace(inside, str(self.submission)) if inside else text

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
        return self._output.tail(_OUTPUT_TAIL_CHARS) if self._output is not None else ""


def worker_environment() -> dict[str, str]:
    """What a worker's environment holds: a few variables of this one, and fixed settings."""
    env = {name: os.environ[name] for name in _PASSED_ENVIRONMENT if name in os.environ}
    env.setdefault("PATH", os.defpath)
    env.update(
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
        TF_CPP_MIN_LOG_LEVEL="2",
        KERAS_BACKEND="tensorflow",
    )
    return env


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
