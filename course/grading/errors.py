"""Exceptions a check ends with. Each one decides the check's status.

* :class:`CheckFailed` (an ``AssertionError``): the submission ran but is wrong -> ``failed``;
* :class:`SubmissionError`: the submission raised, crashed or returned garbage -> ``error``;
* :class:`SubmissionTimeout`: it did not finish within the check's time limit -> ``timeout``;
* anything else escaping a check is a bug in the grader -> ``error``, flagged internal.
"""

from __future__ import annotations


class CheckFailed(AssertionError):
    """The submission's answer is wrong; the message says what, and how to fix it."""


class SubmissionError(Exception):
    """The submission's code raised, crashed the worker, or returned malformed data."""

    status = "error"


class SubmissionTimeout(SubmissionError):
    """The submission's code did not finish within the check's time limit."""

    status = "timeout"


class GraderError(Exception):
    """The grader or the platform failed; the student is not to blame."""
