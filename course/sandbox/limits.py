"""The resources one sandboxed worker may use, and how each is enforced.

Memory and processes are limited by a control group where one can be made (see
:mod:`course.sandbox.cgroups`), else by ``setrlimit`` (address space, and processes per user
id); CPU time, open files and the size of a file by ``setrlimit``; the scratch space by the
size of its ``tmpfs``; output by the collector that reads it (:mod:`course.sandbox.output`).

Each limit, when reached, ends in its own outcome with a sentence a student understands
(:func:`describe`).
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass, replace
from typing import Any

GIB = 1 << 30
MIB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """What a worker may use. The defaults fit every week of the course on 2 CPU cores with
    margin (``benchmarks/sandbox_cost.py`` reports each week's peak) and stop a runaway
    submission long before it hurts the machine."""

    #: Resident memory of every process in the sandbox together, its scratch files included.
    #: The heaviest week's reference peaks at about 0.7 GiB.
    memory_bytes: int = 4 * GIB
    #: CPU time of each process (TensorFlow's threads count towards their process).
    cpu_seconds: int = 3_600
    #: Processes and threads together; TensorFlow starts a few per core.
    tasks: int = 256 + 8 * (os.cpu_count() or 2)
    open_files: int = 1_024
    #: The largest file the submission may write.
    file_bytes: int = 256 * MIB
    #: Its private scratch folder (and ``/tmp``) in all.
    scratch_bytes: int = 512 * MIB
    #: Output (stdout and stderr) in all before the worker is stopped.
    output_bytes: int = 16 * MIB

    def scaled(self, **changes: Any) -> Limits:
        return replace(self, **changes)

    def rlimits(self, *, memory_by_rlimit: bool, tasks_by_rlimit: bool) -> list[tuple[int, int]]:
        """``(resource, value)`` pairs to set in the worker before it starts."""
        limits = [
            (resource.RLIMIT_CORE, 0),
            (resource.RLIMIT_NOFILE, self.open_files),
            (resource.RLIMIT_FSIZE, self.file_bytes),
        ]
        if memory_by_rlimit:
            limits.append((resource.RLIMIT_AS, self.memory_bytes))
        if tasks_by_rlimit:
            limits.append((resource.RLIMIT_NPROC, self.tasks))
        return limits

    def apply_rlimits(self, pairs: list[tuple[int, int]]) -> None:
        """Set ``pairs`` and the CPU limit on the calling process (between fork and exec).

        CPU time has a soft limit (``SIGXCPU``, which ends Python) and a hard one ten
        seconds later (``SIGKILL``) for a process that ignores the first.
        """
        for kind, value in pairs:
            _lower(kind, value, value)
        _lower(resource.RLIMIT_CPU, self.cpu_seconds, self.cpu_seconds + 10)


def _lower(kind: int, soft: int, hard: int) -> None:
    """Lower a limit, never raising one above what this process already has."""
    _, current_hard = resource.getrlimit(kind)
    if current_hard != resource.RLIM_INFINITY:
        hard = min(hard, current_hard)
    soft = min(soft, hard)
    resource.setrlimit(kind, (soft, hard))


def describe(reason: str, limits: Limits) -> str:
    """A sentence for a student: why the worker was stopped."""
    sentences = {
        "memory": f"used more than {_size(limits.memory_bytes)} of memory (files it wrote "
        "into its scratch folder count too)",
        "cpu": f"used more than {limits.cpu_seconds:,} s of CPU time",
        "output": f"printed more than {_size(limits.output_bytes)} of output",
        "file_size": f"wrote a file larger than {_size(limits.file_bytes)}",
    }
    return sentences.get(reason, reason)


def _size(count: int) -> str:
    if count >= GIB and count % GIB == 0:
        return f"{count // GIB} GiB"
    return f"{count / MIB:g} MiB"
