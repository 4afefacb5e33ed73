"""Starting a worker process: what to run (:class:`Job`), how (a :class:`Launcher`), and the
protections each launcher gives.

:class:`~course.sandbox.bubblewrap.BubblewrapLauncher` is the default wherever bubblewrap
runs: namespaces, an unprivileged user, a filesystem of its own, limits and a system-call
filter. :class:`LocalLauncher` only starts the worker as a child process with resource
limits; it is what remains on a machine without bubblewrap, and every protection it lacks
is reported (:func:`Launcher.protections`, ``course doctor``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from course.sandbox.cgroups import CgroupUnavailable, ControlGroup
from course.sandbox.limits import Limits

#: Every protection ``course doctor`` reports, in order.
PROTECTIONS = ("network", "user", "filesystem", "processes", "memory", "seccomp")


@dataclass(frozen=True)
class Protection:
    """Whether one protection is in force, and a sentence saying how or why not."""

    active: bool
    detail: str

    def to_dict(self) -> dict[str, object]:
        return {"active": self.active, "detail": self.detail}


@dataclass(frozen=True)
class Job:
    """One worker to start: the submission, the worker's own options and its channels."""

    submission: Path
    #: File descriptors the worker reads requests from and writes replies to.
    read_fd: int
    write_fd: int
    #: Where the worker's standard output and error go (the write end of a pipe).
    output_fd: int
    env: Mapping[str, str]
    options: Sequence[str] = ()
    #: A folder of grader-provided inputs (image folders...), shown read-only to the worker.
    inputs: Path | None = None
    #: A host folder the local launcher uses as the worker's scratch space.
    scratch: Path | None = None
    python: str = sys.executable
    #: The module run as the worker (``course doctor`` runs its own look inside).
    module: str = "course.sandbox.worker"

    def argv(self, *, submission: str) -> list[str]:
        return [
            self.python,
            "-I",
            "-m",
            self.module,
            "--submission",
            submission,
            "--read-fd",
            str(self.read_fd),
            "--write-fd",
            str(self.write_fd),
            *self.options,
        ]


class Process(Protocol):
    """What :class:`Launched` uses of a worker's process: a :class:`subprocess.Popen`, or a
    worker forked by a zygote (:class:`course.sandbox.zygote.ForkedWorker`)."""

    pid: int
    returncode: int | None

    def poll(self) -> int | None: ...

    def wait(self, timeout: float | None = None) -> int: ...

    def kill(self) -> None: ...


@dataclass
class Launched:
    """A started worker: its process, and what is needed to stop and judge it."""

    process: Process
    limits: Limits
    group: ControlGroup | None = None
    #: Where the worker sees the job's inputs folder (``None``: where the host sees it).
    inputs_inside: str | None = None
    #: Where the worker sees the submission (``None``: where the host sees it).
    submission_inside: str | None = None
    #: The process reports a signal ``N`` that ended the worker as exit code ``128 + N``
    #: (bubblewrap does: the worker is its child).
    signals_as_exit_codes: bool = False
    _closed: bool = field(default=False, repr=False)

    def exit_code(self) -> int | None:
        """How the worker ended, like :attr:`subprocess.Popen.returncode`: negative for a
        signal; ``None`` while it runs."""
        code = self.process.poll()
        if code is not None and self.signals_as_exit_codes and 128 < code < 128 + 65:
            return -(code - 128)
        return code

    def stop(self) -> None:
        """Kill every process of the sandbox, however it forked or detached."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
        if self.group is not None:
            self.group.kill()
        self.process.wait()

    def limit_reached(self) -> str | None:
        """Which limit ended the worker, if one did: ``memory``, ``cpu`` or ``file_size``."""
        if self.group is not None and self.group.oom_killed():
            return "memory"
        code = self.exit_code()
        if code is not None and code < 0:
            if -code == signal.SIGXCPU:
                return "cpu"
            if -code == signal.SIGXFSZ:
                return "file_size"
        return None

    def peak_memory(self) -> int | None:
        return self.group.peak_memory() if self.group is not None else None

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.stop()
        if self.group is not None:
            self.group.remove()


class Launcher(Protocol):
    """Starts workers. Implementations say which protections they give."""

    name: str
    limits: Limits

    def launch(self, job: Job) -> Launched: ...

    def protections(self) -> dict[str, Protection]: ...

    def inputs_folder(self, workdir: Path) -> Path:
        """Where a worker of ``workdir`` gets its grader inputs folder."""
        ...


class LocalLauncher:
    """The worker as a child process: its own session, resource limits, a control group
    when one can be made, and (Linux) ``SIGKILL`` when the process that started it dies.

    It has no namespaces and no system-call filter: the worker can read what this user can
    read and reach the network. Use it only where bubblewrap cannot run.
    """

    name = "local"

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()

    def protections(self) -> dict[str, Protection]:
        group_problem = cgroup_problem(self.limits)
        missing = "not isolated: the worker runs as a plain child process (install bubblewrap)"
        return {
            "network": Protection(False, missing),
            "user": Protection(
                os.geteuid() != 0,
                "runs as this user" if os.geteuid() != 0 else "runs as root: " + missing,
            ),
            "filesystem": Protection(False, missing),
            "processes": Protection(
                group_problem is None,
                "a pids cgroup holds every process the worker starts"
                if group_problem is None
                else f"detached processes may outlive the worker ({group_problem})",
            ),
            "memory": Protection(
                True,
                "memory cgroup limit"
                if group_problem is None
                else "address-space limit (setrlimit); " + group_problem,
            ),
            "seccomp": Protection(False, missing),
        }

    def inputs_folder(self, workdir: Path) -> Path:
        return workdir / "inputs"

    def launch(self, job: Job) -> Launched:
        scratch = job.scratch or Path.cwd()
        scratch.mkdir(parents=True, exist_ok=True)
        (scratch / "tmp").mkdir(exist_ok=True)
        env = dict(job.env, HOME=str(scratch), TMPDIR=str(scratch / "tmp"))
        group = make_group(self.limits)
        rlimits = self.limits.rlimits(
            memory_by_rlimit=group is None, tasks_by_rlimit=group is None and os.geteuid() != 0
        )
        process = subprocess.Popen(
            job.argv(submission=str(job.submission)),
            cwd=scratch,
            env=env,
            pass_fds=(job.read_fd, job.write_fd),
            stdin=subprocess.DEVNULL,
            stdout=job.output_fd,
            stderr=job.output_fd,
            start_new_session=True,
            preexec_fn=child_setup(os.getpid(), self.limits, rlimits, group),
        )
        return Launched(process=process, limits=self.limits, group=group)


def make_group(limits: Limits) -> ControlGroup | None:
    """A control group for one worker, or ``None`` where none can be made."""
    try:
        return ControlGroup.create(memory_bytes=limits.memory_bytes, tasks=limits.tasks)
    except CgroupUnavailable:
        return None


def cgroup_problem(limits: Limits) -> str | None:
    """Why no control group can be made here, or ``None`` when one can."""
    try:
        group = ControlGroup.create(memory_bytes=limits.memory_bytes, tasks=limits.tasks)
    except CgroupUnavailable as error:
        return f"no control group: {error}"
    group.remove()
    return None


_PR_SET_PDEATHSIG = 1


def child_setup(
    parent: int,
    limits: Limits | None,
    rlimits: list[tuple[int, int]],
    group: ControlGroup | None,
) -> Callable[[], None]:
    """What the launched process runs between fork and exec: join the control group, lower
    its limits (none without ``limits``), and (Linux) die with ``parent``. Everything is
    looked up before the fork.

    The signal follows the *thread* that started the process: start workers from a thread
    that outlives them (the grading process starts them from its main thread).
    """
    prctl = prctl_function()
    procs = [str(folder / "cgroup.procs").encode() for folder in group.folders()] if group else []

    def setup() -> None:
        pid = str(os.getpid()).encode()
        for path in procs:
            fd = os.open(path, os.O_WRONLY)
            try:
                os.write(fd, pid)
            finally:
                os.close(fd)
        if limits is not None:
            limits.apply_rlimits(rlimits)
        if prctl is not None:
            prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != parent:  # the parent died before the signal was armed
                os._exit(1)

    return setup


def prctl_function() -> Callable[[int, int], int] | None:
    """libc's ``prctl`` on Linux, else ``None``."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        function: Callable[[int, int], int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return function
