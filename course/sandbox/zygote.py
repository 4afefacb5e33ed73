"""Warm sandboxed workers: each worker is a fork of a sandboxed process that imported once.

A cold worker spends about eight seconds importing TensorFlow before it reads a line of the
submission. A *zygote* is a worker process started in a bubblewrap sandbox like any other
(no network, an unprivileged user, nothing of the course), which imports what every worker
imports (TensorFlow, Keras, the probes), runs no op and no submission, and then forks one
worker per request. Each fork builds a sandbox of its own *inside* the zygote's before any
of the submission runs:

* new user, mount, pid, ipc and network namespaces: its own loopback, its own System V
  objects, and every process it starts ends with it;
* fresh private ``tmpfs`` folders for ``/scratch``, ``/tmp`` and ``/dev/shm`` (what an
  earlier worker wrote is not there), the submission on a read-only ``tmpfs`` of its own and
  only its own grader inputs, read-only (the folder holding every worker's inputs is covered);
* its own control group (the grading process moves it there, by the process id the kernel
  reports), its own resource limits, no capabilities, ``no_new_privs`` and the same
  system-call filter as a cold worker (:mod:`course.sandbox.seccomp`).

One difference from a cold worker remains: ``/proc`` is the zygote's, so a worker sees the
*numbers and names* of the processes of its zygote's sandbox (the zygote and the other
workers of the same batch), as a cold worker sees its own. It can neither read their memory,
files or environment (every worker and the zygote are not dumpable) nor signal them (they
are outside its pid namespace, and ``pidfd_send_signal`` is refused).

The zygote's own code, which runs inside its sandbox, is :mod:`course.sandbox.forks`.
:class:`ZygoteLauncher` is the :class:`~course.sandbox.launchers.Launcher` that uses one;
anything it cannot do warm (the zygote died, another Python) it does cold, through the
:class:`~course.sandbox.bubblewrap.BubblewrapLauncher` it wraps. A zygote is started by a
warm grading template (:mod:`course.grading.template`) and shared by the grading runs forked
from it: each request carries a fresh socket pair for its reply, so concurrent runs never
read each other's answers.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from course.sandbox.launchers import Job, Launched, Protection, child_setup, make_group
from course.sandbox.limits import Limits

if TYPE_CHECKING:
    from course.sandbox.bubblewrap import BubblewrapLauncher

#: What a fork may run: the worker, and ``course doctor``'s look from inside.
FORKED_MODULES = ("course.sandbox.worker", "course.sandbox.doctor")
#: Seconds a launch waits for its fork's first word: a zygote still importing TensorFlow
#: answers once it is ready.
HELLO_TIMEOUT = 180.0
MESSAGE_BYTES = 1 << 22


class ZygoteFailed(RuntimeError):
    """The zygote could not fork a worker; the launch goes cold."""


# -- the grading process's side -------------------------------------------------------------


class Zygote:
    """A running zygote: its bubblewrap process and the socket requests go through."""

    def __init__(
        self, launcher: BubblewrapLauncher, *, python: str = sys.executable, tensorflow: bool = True
    ) -> None:
        from course.sandbox.bubblewrap import zygote_command

        self.launcher = launcher
        self.python = python
        self.tensorflow = tensorflow
        self.failed = False
        #: Where each worker's grader inputs are written (the zygote sees it read-only).
        self.inputs_root = Path(_private_folder("course-zygote-inputs-"))
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        filter_read = -1
        seccomp_filter = launcher.seccomp_filter
        if seccomp_filter is not None:
            filter_read, filter_write = os.pipe()
            os.write(filter_write, seccomp_filter)
            os.close(filter_write)
        argv, env, kept = zygote_command(launcher, python=python, inputs_root=self.inputs_root)
        argv += ["--control-fd", str(theirs.fileno()), "--filter-fd", str(filter_read)]
        argv += ["--keep", json.dumps(kept)]
        if not tensorflow:
            argv.append("--no-tensorflow")
        try:
            self._process = subprocess.Popen(
                argv,
                cwd="/",
                env=env,
                pass_fds=tuple(fd for fd in (theirs.fileno(), filter_read) if fd >= 0),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=child_setup(os.getpid(), None, [], None),
            )
        finally:
            theirs.close()
            if filter_read >= 0:
                os.close(filter_read)
        self._socket = ours
        # Watched through a pidfd: the grading runs forked from this process share the
        # zygote, and only this process may wait for it.
        self._pidfd = os.pidfd_open(self._process.pid)

    @property
    def alive(self) -> bool:
        if self.failed:
            return False
        ended, _, _ = select.select([self._pidfd], [], [], 0)
        return not ended

    def fork(self, job: Job, *, limits: Limits, rlimits: list[tuple[int, int]]) -> ForkedWorker:
        """Ask for one worker of ``job``; :class:`ZygoteFailed` when none comes.

        The request through the zygote holds nothing of the submission: its text and
        channels go straight to the fork (:meth:`ForkedWorker.go`) once the fork has its own
        user namespace and cannot be read by another.
        """
        from course.sandbox.bubblewrap import SCRATCH, SUBMISSION_FOLDER

        if job.inputs is not None and job.inputs.resolve().parent != self.inputs_root:
            raise ZygoteFailed("the job's inputs are not in the zygote's inputs folder")
        submission = f"{SUBMISSION_FOLDER}/{job.submission.name}"
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        mine.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        request = {
            "argv": job.argv(submission=submission)[3:],  # after ``python -I -m``
            "env": dict(
                job.env, HOME=f"{SCRATCH}/home", TMPDIR=f"{SCRATCH}/tmp", COURSE_SCRATCH=SCRATCH
            ),
            "limits": asdict(limits),
            "rlimits": rlimits,
        }
        try:
            socket.send_fds(self._socket, [json.dumps(request).encode()], [theirs.fileno()])
        except OSError as error:
            mine.close()
            self.failed = True
            raise ZygoteFailed(f"the zygote stopped answering ({error})") from error
        finally:
            theirs.close()
        try:
            return ForkedWorker.receive(mine, timeout=HELLO_TIMEOUT)
        except ZygoteFailed:
            # A fork that cannot build its sandbox here (no nested user namespaces...) would
            # fail the same way each time: every later worker starts cold.
            mine.close()
            self.failed = True
            raise

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._socket.close()
        if self._process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._process.pid, signal.SIGKILL)
            self._process.kill()
        self._process.wait()
        with contextlib.suppress(OSError):
            os.close(self._pidfd)
        import shutil

        shutil.rmtree(self.inputs_root, ignore_errors=True)


class ForkedWorker:
    """A worker forked by a zygote, with the part of :class:`subprocess.Popen` that
    :class:`~course.sandbox.launchers.Launched` uses (``pid``, ``poll``, ``wait``, ``kill``,
    ``returncode``).

    It is not this process's child: ``pid`` is its number here (the kernel translates the
    one it sent), it is signalled through a ``pidfd``, and its exit status comes from the
    zygote, its parent, over the request's own socket.
    """

    def __init__(self, pid: int, channel: socket.socket) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._channel = channel
        self._pidfd = os.pidfd_open(pid)

    @classmethod
    def receive(cls, channel: socket.socket, *, timeout: float) -> ForkedWorker:
        """Wait for the fork's hello (its pid, in the kernel's credentials)."""
        readable, _, _ = select.select([channel], [], [], timeout)
        if not readable:
            raise ZygoteFailed(f"the zygote did not fork a worker within {timeout:g} s")
        space = socket.CMSG_SPACE(struct.calcsize("3i"))
        data, ancillary, _, _ = channel.recvmsg(MESSAGE_BYTES, space)
        pid = None
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = struct.unpack("3i", payload[: struct.calcsize("3i")])[0]
        if not data or pid is None or pid <= 0:
            raise ZygoteFailed(f"the zygote did not fork a worker: {data[:200]!r}")
        return cls(pid, channel)

    def go(self, job: Job, cgroup_procs: list[str]) -> None:
        """Move the fork into its control groups, then hand it the submission and its
        channels: it builds its sandbox and becomes the worker."""
        own = str(self.pid).encode()
        for path in cgroup_procs:
            fd = os.open(path, os.O_WRONLY)
            try:
                os.write(fd, own)
            finally:
                os.close(fd)
        text = os.memfd_create("submission", os.MFD_CLOEXEC)
        try:
            os.write(text, job.submission.read_bytes())
            os.lseek(text, 0, os.SEEK_SET)
            details = {
                "name": job.submission.name,
                "inputs": job.inputs.name if job.inputs is not None else None,
            }
            fds = [job.read_fd, job.write_fd, job.output_fd, text]
            socket.send_fds(self._channel, [json.dumps(details).encode()], fds)
        finally:
            os.close(text)

    def poll(self) -> int | None:
        if self.returncode is None:
            self._settle(0.0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self._settle(timeout)
        if self.returncode is None:
            raise subprocess.TimeoutExpired("worker", timeout or 0.0)
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError, OSError):
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)

    def _settle(self, timeout: float | None) -> None:
        readable, _, _ = select.select([self._channel], [], [], timeout)
        if not readable:
            return
        try:
            data = self._channel.recv(4096)
        except OSError:
            data = b""
        try:
            code = int(json.loads(data)["code"]) if data else -signal.SIGKILL
        except (ValueError, KeyError, TypeError):
            code = -signal.SIGKILL
        self.returncode = code
        self.close()

    def close(self) -> None:
        self._channel.close()
        with contextlib.suppress(OSError):
            os.close(self._pidfd)
        self._pidfd = -1


class ZygoteLauncher:
    """Starts workers as forks of a zygote (see the module docstring); anything it cannot
    start warm it starts cold with the bubblewrap launcher it wraps."""

    name = "bubblewrap"

    def __init__(self, zygote: Zygote) -> None:
        import copy

        self.zygote = zygote
        #: The cold launcher, this launcher's own (its limits may be changed).
        self.cold = copy.copy(zygote.launcher)
        #: How many workers were started warm and cold.
        self.warm_starts = 0
        self.cold_starts = 0

    @property
    def limits(self) -> Limits:
        return self.cold.limits

    @limits.setter
    def limits(self, limits: Limits) -> None:
        self.cold.limits = limits

    def protections(self) -> dict[str, Protection]:
        return dict(self.cold.protections())

    def inputs_folder(self, workdir: Path) -> Path:
        """A folder for one worker's grader inputs, inside the zygote's inputs folder."""
        if not self.zygote.alive:
            return self.cold.inputs_folder(workdir)
        return Path(_private_folder("inputs-", parent=self.zygote.inputs_root))

    def launch(self, job: Job) -> Launched:
        from course.sandbox.bubblewrap import INPUTS, SUBMISSION_FOLDER

        warm = (
            self.zygote.alive
            and job.python == self.zygote.python
            and job.module in FORKED_MODULES
            and (
                job.module != "course.sandbox.worker"
                or ("--no-tensorflow" in job.options) == (not self.zygote.tensorflow)
            )
        )
        if warm:
            group = make_group(self.limits)
            rlimits = self.limits.rlimits(
                memory_by_rlimit=group is None, tasks_by_rlimit=group is None
            )
            try:
                forked = self.zygote.fork(job, limits=self.limits, rlimits=rlimits)
                folders = group.folders() if group is not None else []
                procs = [str(folder / "cgroup.procs") for folder in folders]
                try:
                    forked.go(job, procs)
                except OSError:
                    forked.kill()
                    forked.close()
                    raise
            except (ZygoteFailed, OSError):
                if group is not None:
                    group.remove()
            else:
                self.warm_starts += 1
                return Launched(
                    process=forked,
                    limits=self.limits,
                    group=group,
                    inputs_inside=INPUTS if job.inputs is not None else None,
                    submission_inside=f"{SUBMISSION_FOLDER}/{job.submission.name}",
                    signals_as_exit_codes=True,
                )
        self.cold_starts += 1
        return self.cold.launch(job)


def _private_folder(prefix: str, *, parent: Path | None = None) -> str:
    """A new folder only its owner writes; the sandbox's user may read it."""
    import tempfile

    folder = tempfile.mkdtemp(prefix=prefix, dir=parent)
    os.chmod(folder, 0o755)
    return folder


_inherited: Zygote | None = None


def current() -> Zygote | None:
    """The zygote this process may fork workers from: the one its warm template started."""
    zygote = _inherited
    return zygote if zygote is not None and zygote.alive else None


def start(python: str = sys.executable, *, tensorflow: bool = True) -> Zygote | None:
    """Start the zygote the grading runs forked from this process will use, where the
    bubblewrap sandbox runs; ``None`` where it does not."""
    global _inherited
    from course.sandbox.bubblewrap import BubblewrapLauncher, BubblewrapUnavailable

    if os.environ.get("COURSE_SANDBOX", "") == "local" or not hasattr(os, "pidfd_open"):
        return None
    try:
        _inherited = Zygote(BubblewrapLauncher(), python=python, tensorflow=tensorflow)
    except (BubblewrapUnavailable, OSError):
        return None
    return _inherited
