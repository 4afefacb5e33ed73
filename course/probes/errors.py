"""Errors a probe raises inside the worker when a submission breaks the contract."""

from __future__ import annotations


class ProbeError(Exception):
    """A submission broke the assignment's contract in a way a probe detected.

    ``kind`` travels to the grading process, which writes the student-facing message.
    """

    kind = "contract"


class MissingName(ProbeError):
    """The submission does not define a name the assignment asks for."""

    kind = "missing"


class InvalidReturn(ProbeError):
    """A submission's function returned something other than what its contract says."""

    kind = "invalid_return"


class UnknownProbe(ProbeError):
    """The grading process asked for a probe this worker does not have (a grader bug)."""

    kind = "internal"
