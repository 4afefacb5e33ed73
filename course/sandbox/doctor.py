"""``course doctor``: which protections the sandbox gives on this machine, each verified.

The launcher says what it configures (:meth:`Launcher.protections`); the doctor then starts a
real sandbox with that launcher and looks from inside (``python -m course.sandbox.doctor
--inside``, which needs no TensorFlow): the user and its capabilities, the network
interfaces, which of the course's private folders can be seen, whether the system folders
can be written, the processes visible, the limits in force and the system-call filter. A
protection is active only when the launcher configures it *and* the inside agrees.
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
import socket
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course.sandbox.launchers import PROTECTIONS, Job, Launcher, Protection
from course.sandbox.output import OutputCollector
from course.sandbox.protocol import ChannelTimeout, ProtocolError, read_frame, write_frame

_PTRACE_TRACEME = 0


@dataclass(frozen=True)
class Diagnosis:
    """The launcher's name, each protection, and how long one sandbox took to start."""

    launcher: str
    protections: dict[str, Protection]
    start_seconds: float

    @property
    def missing(self) -> list[str]:
        return [name for name, protection in self.protections.items() if not protection.active]

    def to_dict(self) -> dict[str, Any]:
        return {
            "launcher": self.launcher,
            "protections": {name: p.to_dict() for name, p in self.protections.items()},
            "start_seconds": round(self.start_seconds, 3),
        }


def diagnose(*, launcher: Launcher | None = None, private: list[Path] | None = None) -> Diagnosis:
    """Start one sandbox with ``launcher`` (default: the one grading uses) and verify each
    protection from inside. ``private``: folders the worker must not see (default: the
    user's home, the course checkout's solutions and graders, the course's data cache)."""
    from course.sandbox.process import default_launcher

    launcher = launcher or default_launcher()
    claimed = launcher.protections()
    paths = [str(path) for path in (private if private is not None else _private_folders())]
    begin = time.monotonic()
    seen, failure = _look_inside(launcher, paths)
    seconds = time.monotonic() - begin
    if seen is None:
        protections = {
            name: Protection(False, f"no sandbox could be started: {failure}") for name in claimed
        }
        return Diagnosis(launcher.name, protections, seconds)
    warm = launcher.name == "bubblewrap, warm"
    verified = {
        name: _verify(name, claimed[name], seen, paths, warm=warm)
        for name in PROTECTIONS
        if name in claimed
    }
    return Diagnosis(launcher.name, verified, seconds)


def diagnose_warm(*, private: list[Path] | None = None) -> Diagnosis | None:
    """Verify the protections of a warm worker (a fork of a zygote, as a class's batch
    starts its workers) the same way; ``None`` where no zygote can run (batches then start
    every worker cold)."""
    from course.sandbox.bubblewrap import BubblewrapLauncher, BubblewrapUnavailable
    from course.sandbox.zygote import Zygote, ZygoteLauncher

    try:
        zygote = Zygote(BubblewrapLauncher(), tensorflow=False)
    except (BubblewrapUnavailable, OSError):
        return None
    try:
        launcher = ZygoteLauncher(zygote)
        launcher.name = "bubblewrap, warm"
        _look_inside(launcher, [])  # the zygote's imports, once
        diagnosis = diagnose(launcher=launcher, private=private)
        if launcher.warm_starts < 2:
            return None
        return diagnosis
    finally:
        zygote.close()


def _verify(
    name: str, claimed: Protection, seen: dict[str, Any], private: list[str], *, warm: bool
) -> Protection:
    """``claimed`` unless what the inside saw contradicts it. A warm worker sees its
    zygote's processes in /proc (see :mod:`course.sandbox.zygote`), and is said to."""
    problem = None
    if name == "network":
        interfaces = seen["interfaces"]
        if interfaces != ["lo"]:
            problem = f"the worker sees the network interfaces {interfaces}"
    elif name == "user":
        if seen["uid"] == 0 or seen["euid"] == 0:
            problem = "the worker runs as root"
        elif seen["capabilities"] != 0:
            problem = f"the worker holds capabilities ({seen['capabilities']:#x})"
    elif name == "filesystem":
        visible = [path for path in private if path in seen["visible"]]
        if visible:
            problem = f"the worker can see {', '.join(visible)}"
        elif seen["writable"]:
            problem = f"the worker can write to {', '.join(seen['writable'])}"
    elif name == "processes":
        if seen["pid"] > 3:
            problem = f"the worker is process {seen['pid']}: it has no pid namespace of its own"
        elif seen["other_processes"] and not warm:
            problem = f"the worker sees {seen['other_processes']} processes it did not start"
    elif name == "seccomp":
        if seen["seccomp"] != 2:
            problem = "no system-call filter is loaded in the worker"
        elif not seen["ptrace_refused"]:
            problem = "ptrace is not refused"
    elif name == "memory" and seen["address_space"] is None and "cgroup" not in claimed.detail:
        problem = "no memory limit is in force in the worker"
    if problem is None:
        if warm and name == "processes":
            return Protection(
                True,
                claimed.detail + f"; /proc shows the numbers and names of its zygote "
                f"sandbox's {seen['other_processes']} other processes",
            )
        return claimed
    return Protection(False, problem + ("" if not claimed.active else f" ({claimed.detail})"))


def _private_folders() -> list[Path]:
    """Paths the worker must not see: the course's private folders, and what lies in the
    user's home beside the Python installation (which the sandbox shows, read-only)."""
    from course.config import data_home

    folders = [Path.home(), data_home(), Path.home() / ".cache" / "course", Path("/tmp")]
    try:
        from course.config import find_root

        root = find_root()
        folders += [root, root / "solutions", root / "graders"]
    except Exception:  # no course checkout here: nothing of it to hide
        pass
    shown = [Path(folder) for folder in _shown_folders()]
    private: list[Path] = []
    for folder in dict.fromkeys(path.resolve() for path in folders if path.exists()):
        around = any(folder in path.parents or folder == path for path in shown)
        if not around and folder != Path("/tmp"):  # the sandbox has a /tmp of its own
            private.append(folder)
            continue
        for entry in sorted(folder.iterdir())[:50]:  # beside what the sandbox shows
            if not any(entry == path or entry in path.parents for path in shown):
                private.append(entry)
    return list(dict.fromkeys(private))[:100]


def _shown_folders() -> list[str]:
    """Host folders the bubblewrap sandbox shows the worker (read-only)."""
    import course
    from course.sandbox.bubblewrap import WORKER_PACKAGE_PARTS, python_folders

    package = Path(course.__file__).resolve().parent
    return [*python_folders(), *(str(package / part) for part in WORKER_PACKAGE_PARTS)]


def _look_inside(launcher: Launcher, private: list[str]) -> tuple[dict[str, Any] | None, str]:
    with tempfile.TemporaryDirectory(prefix="course-doctor-") as scratch:
        placeholder = Path(scratch) / "doctor.py"
        placeholder.write_text("# course doctor: nothing to import\n")
        placeholder.chmod(0o644)
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        output_read, output_write = os.pipe()
        job = Job(
            submission=placeholder,
            read_fd=request_read,
            write_fd=reply_write,
            output_fd=output_write,
            env={"PATH": os.environ.get("PATH", os.defpath)},
            module="course.sandbox.doctor",
            options=["--inside"],
            scratch=Path(scratch) / "scratch",
        )
        try:
            launched = launcher.launch(job)
        except OSError as error:
            for fd in (request_read, request_write, reply_read, reply_write):
                os.close(fd)
            os.close(output_read)
            os.close(output_write)
            return None, str(error)
        for fd in (request_read, reply_write, output_write):
            os.close(fd)
        output = OutputCollector(output_read, limit=1 << 20)
        reason = ""
        try:
            write_frame(request_write, {"private": private})
            seen = read_frame(reply_read, timeout=60)
        except (ProtocolError, OSError) as error:
            reason = "no answer" if isinstance(error, ChannelTimeout) else str(error)
            seen = None
        finally:
            os.close(request_write)
            os.close(reply_read)
            launched.close()
            output.join()
        if not isinstance(seen, dict):
            return None, f"{reason if seen is None else 'a malformed answer'}: {output.tail()}"
        return seen, ""


# -- inside the sandbox ----------------------------------------------------------------


def inside(read_fd: int, write_fd: int) -> None:
    """What the sandbox looks like from within; sent back as one frame."""
    request = read_frame(read_fd, timeout=30)
    private = [str(path) for path in request.get("private", [])]
    status = _status_fields()
    libc = ctypes.CDLL(None, use_errno=True)
    ptrace_refused = libc.ptrace(_PTRACE_TRACEME, 0, None, None) == -1 and ctypes.get_errno() in (
        errno.EPERM,
        errno.EACCES,
    )
    writable = []
    for folder in ("/", "/usr", "/etc", sys.prefix, os.path.dirname(os.__file__)):
        try:
            with tempfile.NamedTemporaryFile(dir=folder):
                writable.append(folder)
        except OSError:
            pass
    address_space = resource.getrlimit(resource.RLIMIT_AS)[0]
    pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
    write_frame(
        write_fd,
        {
            "uid": os.getuid(),
            "euid": os.geteuid(),
            "capabilities": int(status.get("CapEff", "0"), 16),
            "seccomp": int(status.get("Seccomp", "0")),
            "no_new_privs": int(status.get("NoNewPrivs", "0")),
            "interfaces": sorted(name for _, name in socket.if_nameindex()),
            "visible": [path for path in private if os.path.exists(path)],
            "writable": writable,
            "other_processes": max(0, len(pids) - 3),
            "pid": os.getpid(),
            "ptrace_refused": ptrace_refused,
            "address_space": None if address_space == resource.RLIM_INFINITY else address_space,
        },
    )


def _status_fields() -> dict[str, str]:
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


def main(argv: list[str]) -> int:
    """``--inside --submission PATH --read-fd N --write-fd M``: run inside a sandbox."""
    import argparse

    parser = argparse.ArgumentParser(prog="course.sandbox.doctor")
    parser.add_argument("--inside", action="store_true", required=True)
    parser.add_argument("--submission")
    parser.add_argument("--read-fd", type=int, required=True)
    parser.add_argument("--write-fd", type=int, required=True)
    options = parser.parse_args(argv)
    inside(options.read_fd, options.write_fd)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
