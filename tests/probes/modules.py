"""Submission modules for the probes' unit tests, made in this process from source text."""

from __future__ import annotations

import textwrap
from types import ModuleType


def module_from_source(source: str) -> ModuleType:
    """A module named ``submission`` whose code is ``source`` (dedented), as the worker
    would import it; tracebacks name ``submission.py``."""
    made = ModuleType("submission")
    exec(compile(textwrap.dedent(source), "submission.py", "exec"), made.__dict__)
    return made
