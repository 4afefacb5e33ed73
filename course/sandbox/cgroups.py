"""Control groups: a memory and process limit around one sandbox, and what happened in it.

A :class:`ControlGroup` is made for each worker, below the cgroup this process runs in, with
``memory`` (a hard limit; the kernel kills the sandbox when it is reached, and counts the
kill) and ``pids`` (a limit on processes and threads together). Both cgroup v2 (one unified
hierarchy) and v1 (a hierarchy per controller) are supported. Memory the sandbox writes into
its own ``tmpfs`` scratch space is charged to the same limit.

Creating cgroups needs write access to the hierarchy: root, or a subtree systemd delegated
to the user. :func:`ControlGroup.create` raises :class:`CgroupUnavailable` with the reason
otherwise, and the launcher falls back to resource limits (``setrlimit``).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

_counter = itertools.count()


class CgroupUnavailable(RuntimeError):
    """No cgroup with the memory and pids controllers can be made here; the message says why."""


@dataclass(frozen=True)
class _Mounts:
    unified: Path | None
    memory_v1: Path | None
    pids_v1: Path | None


def _mounts() -> _Mounts:
    unified = memory = pids = None
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        fields = line.split()
        if "-" not in fields:
            continue
        separator = fields.index("-")
        kind, options = fields[separator + 1], fields[separator + 3].split(",")
        mountpoint = Path(fields[4])
        if kind == "cgroup2":
            unified = mountpoint
        elif kind == "cgroup":
            if "memory" in options:
                memory = mountpoint
            if "pids" in options:
                pids = mountpoint
    return _Mounts(unified, memory, pids)


def _own_paths() -> dict[str, str]:
    """This process's cgroup per controller (``""`` for the unified hierarchy)."""
    paths: dict[str, str] = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return paths
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            paths[controller] = path
    return paths


class ControlGroup:
    """A cgroup (v2) or a pair of cgroups (v1 ``memory`` and ``pids``) for one sandbox."""

    def __init__(self, *, version: int, folders: dict[str, Path]) -> None:
        self.version = version
        self._folders = folders

    @property
    def mechanism(self) -> str:
        """How the limits are enforced, for ``course doctor``."""
        return f"cgroup v{self.version}"

    @classmethod
    def create(cls, *, memory_bytes: int, tasks: int) -> ControlGroup:
        """A new cgroup limited to ``memory_bytes`` of memory and ``tasks`` processes/threads."""
        mounts, own = _mounts(), _own_paths()
        name = f"course-sandbox-{os.getpid()}-{next(_counter)}"
        problems = []
        if mounts.memory_v1 is not None and mounts.pids_v1 is not None:
            try:
                return cls._create_v1(mounts, own, name, memory_bytes=memory_bytes, tasks=tasks)
            except OSError as error:
                problems.append(f"cgroup v1: {error.strerror or error} ({error.filename})")
        if mounts.unified is not None:
            try:
                return cls._create_v2(mounts.unified, own, name, memory_bytes, tasks)
            except (OSError, CgroupUnavailable) as error:
                problems.append(f"cgroup v2: {error}")
        if not problems:
            problems.append("no cgroup hierarchy with the memory and pids controllers is mounted")
        raise CgroupUnavailable("; ".join(problems))

    @classmethod
    def _create_v1(
        cls, mounts: _Mounts, own: dict[str, str], name: str, *, memory_bytes: int, tasks: int
    ) -> ControlGroup:
        assert mounts.memory_v1 is not None
        assert mounts.pids_v1 is not None
        memory = mounts.memory_v1 / own.get("memory", "/").lstrip("/") / name
        pids = mounts.pids_v1 / own.get("pids", "/").lstrip("/") / name
        memory.mkdir()
        try:
            pids.mkdir()
        except OSError:
            memory.rmdir()
            raise
        group = cls(version=1, folders={"memory": memory, "pids": pids})
        try:
            (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
            swap = memory / "memory.memsw.limit_in_bytes"
            if swap.exists():  # no swapping around the limit either
                with contextlib.suppress(OSError):
                    swap.write_text(str(memory_bytes))
            (pids / "pids.max").write_text(str(tasks))
        except OSError:
            group.remove()
            raise
        return group

    @classmethod
    def _create_v2(
        cls, root: Path, own: dict[str, str], name: str, memory_bytes: int, tasks: int
    ) -> ControlGroup:
        candidates = [root / own.get("", "/").lstrip("/"), root]
        for parent in dict.fromkeys(candidates):
            control = parent / "cgroup.subtree_control"
            try:
                enabled = control.read_text().split()
                missing = [c for c in ("memory", "pids") if c not in enabled]
                if missing:
                    control.write_text(" ".join(f"+{c}" for c in missing))
            except OSError:
                continue
            folder = parent / name
            folder.mkdir()
            group = cls(version=2, folders={"memory": folder, "pids": folder})
            try:
                (folder / "memory.max").write_text(str(memory_bytes))
                with contextlib.suppress(OSError):
                    (folder / "memory.swap.max").write_text("0")
                (folder / "pids.max").write_text(str(tasks))
            except OSError:
                group.remove()
                raise
            return group
        raise CgroupUnavailable(
            "cannot enable the memory and pids controllers below " + str(candidates[0])
        )

    def folders(self) -> list[Path]:
        """The cgroup's folders: one (v2) or one per controller (v1)."""
        return list(dict.fromkeys(self._folders.values()))

    def add(self, pid: int) -> None:
        """Move the process ``pid`` (and so every process it starts later) into the cgroup."""
        for folder in self.folders():
            (folder / "cgroup.procs").write_text(str(pid))

    def oom_killed(self) -> bool:
        """Whether the kernel killed a process here for reaching the memory limit."""
        folder = self._folders["memory"]
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            for line in (folder / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill" and int(value) > 0:
                    return True
        except (OSError, ValueError):
            return False
        return False

    def peak_memory(self) -> int | None:
        """The most memory the sandbox used at once, in bytes, where the kernel says."""
        folder = self._folders["memory"]
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        try:
            return int((folder / name).read_text())
        except (OSError, ValueError):
            return None

    def pids(self) -> list[int]:
        """The processes in the cgroup now."""
        found: set[int] = set()
        for folder in self._folders.values():
            with contextlib.suppress(OSError, ValueError):
                found.update(int(line) for line in (folder / "cgroup.procs").read_text().split())
        return sorted(found)

    def kill(self) -> None:
        """``SIGKILL`` every process in the cgroup, however it was started."""
        if self.version == 2:
            with contextlib.suppress(OSError):
                (self._folders["pids"] / "cgroup.kill").write_text("1")
                return
        for _ in range(50):
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)

    def remove(self) -> None:
        """Kill what is left and delete the cgroup (retried while the kernel reaps)."""
        self.kill()
        for folder in self.folders():
            for _ in range(100):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.01)
