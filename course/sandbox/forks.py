"""Inside a zygote's sandbox: the zygote's loop, and each fork's own sandbox.

The grading process's side (:class:`course.sandbox.zygote.Zygote`) starts this module in a
bubblewrap sandbox as ``python -I -m course.sandbox.forks``; see :mod:`course.sandbox.zygote`
for what each fork gets. This module runs the worker layer's code (it imports the probes and
TensorFlow before any fork), never the grading process's.
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
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from course.sandbox.limits import MIB, Limits
from course.sandbox.zygote import FORKED_MODULES, MESSAGE_BYTES

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
            data, fds, _, _ = socket.recv_fds(control, MESSAGE_BYTES, 8)
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
            _child(request, reply, owned, settings)
        children[os.pidfd_open(pid)] = (pid, reply)


class _Settings:
    def __init__(self, *, seccomp_filter: bytes, keep: list[str], inputs_root: str) -> None:
        self.seccomp_filter = seccomp_filter
        #: Read-only folders under /tmp (a Python environment there) shown again in the
        #: worker's fresh /tmp.
        self.keep = keep
        self.inputs_root = inputs_root


def _exit_with(work: Callable[[], int], *, failed: int) -> NoReturn:
    """Run ``work`` in a forked process and end the process with its exit code; ``failed``
    (and the traceback on the standard error) if it raises. Never returns to the code that
    forked, whatever happens."""
    code = failed
    try:
        code = work()
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


def _child(
    request: dict[str, Any], reply: socket.socket, owned: list[int], settings: _Settings
) -> NoReturn:
    """The fork: enter its own namespaces, say hello, get its control group, submission and
    channels, build its sandbox, then become a worker whose first process is the init of
    its own pid namespace."""

    def work() -> int:
        for fd in owned:
            with contextlib.suppress(OSError):
                os.close(fd)
        os.setsid()
        parent = os.getppid()
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:
            return 1
        _enter_namespaces()
        credentials = struct.pack("3i", os.getpid(), os.getuid(), os.getgid())
        reply.sendmsg([b"hello"], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, credentials)])
        reply.settimeout(60)
        data, fds, _, _ = socket.recv_fds(reply, MESSAGE_BYTES, 4)
        if not data or len(fds) != 4:
            return 1
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
            _init(request, (read_fd, write_fd), limits, settings)
        os.close(read_fd)
        os.close(write_fd)
        return _exit_code(_wait_for(init))

    _exit_with(work, failed=71)


def _init(
    request: dict[str, Any], fds: tuple[int, int], limits: Limits, settings: _Settings
) -> NoReturn:
    """Process 1 of the worker's pid namespace: reaps what the worker leaves behind and
    ends (ending the namespace) with the worker's exit code."""

    def work() -> int:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        worker = os.fork()
        if worker == 0:
            _become_worker(request, fds, limits, settings)
        for fd in fds:
            os.close(fd)
        while True:
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:
                return 72
            if pid == worker:
                return _exit_code(status)

    _exit_with(work, failed=72)


def _become_worker(
    request: dict[str, Any], fds: tuple[int, int], limits: Limits, settings: _Settings
) -> NoReturn:
    """The worker: its own folder, environment and limits, no privileges, then the module
    the request names (the worker, or ``course doctor``'s look from inside)."""

    def work() -> int:
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
        return int(importlib.import_module(module).main(arguments))

    _exit_with(work, failed=73)


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
