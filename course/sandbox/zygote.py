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

:class:`ZygoteLauncher` is the :class:`~course.sandbox.launchers.Launcher` that uses one;
anything it cannot do warm (the zygote died, another Python) it does cold, through the
:class:`~course.sandbox.bubblewrap.BubblewrapLauncher` it wraps. A zygote is started by a
warm grading template (:mod:`course.grading.template`) and shared by the grading runs forked
from it: each request carries a fresh socket pair for its reply, so concurrent runs never
read each other's answers.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
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
from typing import TYPE_CHECKING, Any

from course.sandbox.launchers import Job, Launched, Protection, child_setup, make_group
from course.sandbox.limits import MIB, Limits

if TYPE_CHECKING:
    from course.sandbox.bubblewrap import BubblewrapLauncher

#: What a fork may run: the worker, and ``course doctor``'s look from inside.
FORKED_MODULES = ("course.sandbox.worker", "course.sandbox.doctor")
#: Seconds a launch waits for its fork's first word: a zygote still importing TensorFlow
#: answers once it is ready.
HELLO_TIMEOUT = 180.0
_MESSAGE_BYTES = 1 << 22
_CLONE_NEWNS = 0x00020000
_CLONE_NEWIPC = 0x08000000
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWPID = 0x20000000
_CLONE_NEWNET = 0x40000000
_MS_RDONLY = 0x1
_MS_NOSUID = 0x2
_MS_NODEV = 0x4
_MS_REMOUNT = 0x20
_MS_BIND = 0x1000
_MS_MOVE = 0x2000
_MS_REC = 0x4000
_MS_PRIVATE = 0x40000
_PR_SET_PDEATHSIG = 1
_PR_SET_DUMPABLE = 4
_PR_CAPBSET_DROP = 24
_PR_SET_NO_NEW_PRIVS = 38
_PR_CAP_AMBIENT = 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SIOCGIFFLAGS = 0x8913
_SIOCSIFFLAGS = 0x8914
_IFF_UP = 0x1


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
        data, ancillary, _, _ = channel.recvmsg(_MESSAGE_BYTES, space)
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


# -- the zygote's side, inside its sandbox --------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``python -I -m course.sandbox.zygote --control-fd N --filter-fd M --keep JSON``."""
    import argparse
    import gc

    parser = argparse.ArgumentParser(prog="course.sandbox.zygote")
    parser.add_argument("--control-fd", type=int, required=True)
    parser.add_argument("--filter-fd", type=int, default=-1)
    parser.add_argument("--keep", default="[]")
    parser.add_argument("--inputs-root", required=True)
    parser.add_argument("--no-tensorflow", action="store_true")
    options = parser.parse_args(argv)
    _prctl(_PR_SET_DUMPABLE, 0)  # no worker may read the zygote's memory
    seccomp_filter = b""
    if options.filter_fd >= 0:
        with os.fdopen(options.filter_fd, "rb") as stream:
            seccomp_filter = stream.read()
    from course.probes import load_all
    from course.sandbox import worker

    load_all()
    if not options.no_tensorflow:
        worker.watched_objects()  # imports TensorFlow and Keras
    gc.collect()
    gc.freeze()
    settings = _Settings(
        seccomp_filter=seccomp_filter,
        keep=[str(path) for path in json.loads(options.keep)],
        inputs_root=options.inputs_root,
    )
    control = socket.socket(fileno=options.control_fd)
    children: dict[int, tuple[int, socket.socket]] = {}  # pidfd: (pid, reply socket)
    while True:
        readable, _, _ = select.select([control.fileno(), *children], [], [])
        for pidfd in [fd for fd in readable if fd in children]:
            pid, reply = children.pop(pidfd)
            try:
                _, status = os.waitpid(pid, 0)
                code = os.waitstatus_to_exitcode(status)
            except ChildProcessError:
                code = -signal.SIGKILL
            with contextlib.suppress(OSError):
                reply.sendall(json.dumps({"code": code}).encode())
            reply.close()
            os.close(pidfd)
        if control.fileno() not in readable:
            continue
        try:
            data, fds, _, _ = socket.recv_fds(control, _MESSAGE_BYTES, 8)
        except OSError:
            return 0
        if not data:
            return 0
        if len(fds) != 1:
            for fd in fds:
                os.close(fd)
            continue
        reply = socket.socket(fileno=fds[0])
        try:
            request = json.loads(data)
            pid = os.fork()
        except Exception:  # a malformed request, or no memory to fork: the launch goes cold
            reply.close()
            continue
        if pid == 0:
            owned = [control.fileno(), *children]
            owned += [sock.fileno() for _, sock in children.values()]
            _child(request, reply, owned, settings)  # never returns
        children[os.pidfd_open(pid)] = (pid, reply)


class _Settings:
    def __init__(self, *, seccomp_filter: bytes, keep: list[str], inputs_root: str) -> None:
        self.seccomp_filter = seccomp_filter
        #: Read-only folders under /tmp (a Python environment there) shown again in the
        #: worker's fresh /tmp.
        self.keep = keep
        self.inputs_root = inputs_root


def _child(
    request: dict[str, Any], reply: socket.socket, owned: list[int], settings: _Settings
) -> None:
    """The fork: enter its own namespaces, say hello, get its control group, submission and
    channels, build its sandbox, then become a worker whose first process is the init of
    its own pid namespace."""
    code = 71
    try:
        for fd in owned:
            with contextlib.suppress(OSError):
                os.close(fd)
        os.setsid()
        parent = os.getppid()
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:
            os._exit(1)
        _enter_namespaces()
        credentials = struct.pack("3i", os.getpid(), os.getuid(), os.getgid())
        reply.sendmsg([b"hello"], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, credentials)])
        reply.settimeout(60)
        data, fds, _, _ = socket.recv_fds(reply, _MESSAGE_BYTES, 4)
        if not data or len(fds) != 4:
            os._exit(1)
        reply.close()
        read_fd, write_fd, output_fd, text_fd = fds
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        os.close(output_fd)
        with os.fdopen(text_fd, "rb") as stream:
            text = stream.read()
        details = json.loads(data)
        limits = Limits(**request["limits"])
        _build_filesystem(details, text, limits, settings)
        _loopback_up()
        init = os.fork()
        if init == 0:
            _init(request, (read_fd, write_fd), limits, settings)  # never returns
        os.close(read_fd)
        os.close(write_fd)
        code = _exit_code(_wait_for(init))
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


def _init(
    request: dict[str, Any], fds: tuple[int, int], limits: Limits, settings: _Settings
) -> None:
    """Process 1 of the worker's pid namespace: reaps what the worker leaves behind and
    ends (ending the namespace) with the worker's exit code."""
    code = 72
    try:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        worker = os.fork()
        if worker == 0:
            _become_worker(request, fds, limits, settings)  # never returns
        for fd in fds:
            os.close(fd)
        while True:
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:
                break
            if pid == worker:
                code = _exit_code(status)
                break
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


def _become_worker(
    request: dict[str, Any], fds: tuple[int, int], limits: Limits, settings: _Settings
) -> None:
    code = 73
    try:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        os.chdir("/scratch")
        os.environ.clear()
        os.environ.update(request["env"])
        limits.apply_rlimits([(int(kind), int(value)) for kind, value in request["rlimits"]])
        _drop_privileges(settings.seccomp_filter)
        import importlib

        module = str(request["argv"][0])
        if module not in FORKED_MODULES:
            raise ValueError(f"the zygote runs only {FORKED_MODULES}, not {module}")
        arguments = [str(item) for item in request["argv"][1:]]
        for flag, fd in zip(("--read-fd", "--write-fd"), fds, strict=True):
            arguments[arguments.index(flag) + 1] = str(fd)
        sys.argv = [module, *arguments]
        code = importlib.import_module(module).main(arguments)
    except SystemExit as error:
        code = error.code if isinstance(error.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _enter_namespaces() -> None:
    """A user namespace mapping this user to itself (for the rights to build the rest), then
    mount, pid, ipc and network namespaces of the worker's own."""
    uid, gid = os.geteuid(), os.getegid()
    # Writing one's own maps needs a dumpable process. Nothing of a submission is in this
    # one yet (it comes after), and it is not dumpable again before the next step.
    _prctl(_PR_SET_DUMPABLE, 1)
    try:
        _unshare(_CLONE_NEWUSER)
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    finally:
        _prctl(_PR_SET_DUMPABLE, 0)
    _unshare(_CLONE_NEWNS | _CLONE_NEWPID | _CLONE_NEWIPC | _CLONE_NEWNET)


def _build_filesystem(
    details: dict[str, Any], text: bytes, limits: Limits, settings: _Settings
) -> None:
    from course.sandbox.bubblewrap import INPUTS, SCRATCH, SUBMISSION_FOLDER

    _mount("none", "/", None, _MS_REC | _MS_PRIVATE)
    flags = _MS_NOSUID | _MS_NODEV
    if details["inputs"] is not None:
        name = os.path.basename(str(details["inputs"]))
        _mount(f"{settings.inputs_root}/{name}", INPUTS, None, _MS_BIND)
        _mount("none", INPUTS, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | flags)
    # Every other worker's inputs are covered.
    _mount("tmpfs", settings.inputs_root, "tmpfs", flags | _MS_RDONLY, "size=4096,mode=0555")
    _mount("tmpfs", SCRATCH, "tmpfs", flags, f"size={limits.scratch_bytes},mode=1777")
    # The folders shown read-only under /tmp are moved aside, /tmp is made anew, and they
    # are moved back.
    aside = []
    for index, folder in enumerate(settings.keep):
        hold = f"{SCRATCH}/.keep{index}"
        os.mkdir(hold)
        _mount(folder, hold, None, _MS_BIND | _MS_REC)
        aside.append((hold, folder))
    _mount("tmpfs", "/tmp", "tmpfs", flags, f"size={limits.scratch_bytes},mode=1777")
    for hold, folder in aside:
        os.makedirs(folder, mode=0o755, exist_ok=True)
        _mount(hold, folder, None, _MS_MOVE)
        os.rmdir(hold)
    _mount("tmpfs", "/dev/shm", "tmpfs", flags, f"size={64 * MIB},mode=1777")
    size = max(len(text) + 65536, 1 << 20)
    _mount("tmpfs", SUBMISSION_FOLDER, "tmpfs", flags, f"size={size},mode=0755")
    path = f"{SUBMISSION_FOLDER}/{os.path.basename(str(details['name']))}"
    with open(path, "wb") as stream:
        stream.write(text)
    os.chmod(path, 0o444)
    _mount("none", SUBMISSION_FOLDER, None, _MS_REMOUNT | _MS_RDONLY | flags)


def _loopback_up() -> None:
    """The new network namespace's loopback, up (as bubblewrap leaves a cold worker's)."""
    import fcntl

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        request = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(probe, _SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(probe, _SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | _IFF_UP))


def _drop_privileges(seccomp_filter: bytes) -> None:
    """No capabilities (in the worker's user namespace either), ``no_new_privs``, and the
    system-call filter."""
    for capability in range(64):
        if _prctl(_PR_CAPBSET_DROP, capability) != 0:
            if ctypes.get_errno() == errno.EINVAL:  # past the last capability
                break
            _checked(-1, "dropping capabilities")
    _prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL)
    header = struct.pack("Ii", 0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
    data = ctypes.create_string_buffer(24)  # two empty __user_cap_data_struct
    _checked(_libc().syscall(_SYS_CAPSET, ctypes.c_char_p(header), data), "capset")
    _checked(_prctl(_PR_SET_NO_NEW_PRIVS, 1), "no_new_privs")
    if seccomp_filter:
        count = len(seccomp_filter) // 8
        buffer = ctypes.create_string_buffer(seccomp_filter, len(seccomp_filter))
        program = struct.pack("@HP", count, ctypes.addressof(buffer))
        _checked(_prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.c_char_p(program)), "seccomp")


_SYS_CAPSET = 126 if os.uname().machine == "x86_64" else 91


def _exit_code(status: int) -> int:
    """A worker's wait status as an exit code: ``128 + N`` for a signal ``N`` (the way
    bubblewrap reports it)."""
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1


def _wait_for(pid: int) -> int:
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except InterruptedError:
            continue


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _prctl(option: int, *arguments: int | ctypes.c_char_p) -> int:
    values = [
        value if isinstance(value, ctypes.c_char_p) else ctypes.c_ulong(value)
        for value in arguments
    ]
    values += [ctypes.c_ulong(0)] * (4 - len(values))
    return int(_libc().prctl(ctypes.c_int(option), *values))


def _unshare(flags: int) -> None:
    _checked(_libc().unshare(ctypes.c_int(flags)), "unshare")


def _mount(source: str, target: str, kind: str | None, flags: int, data: str = "") -> None:
    result = _libc().mount(
        source.encode(),
        target.encode(),
        kind.encode() if kind else None,
        ctypes.c_ulong(flags),
        data.encode() if data else None,
    )
    _checked(result, f"mount {target}")


def _checked(result: int, what: str) -> None:
    if result != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"{what}: {os.strerror(number)}")


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        sys.exit(main())
