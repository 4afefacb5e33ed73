"""Exceptions a check ends with. Each one decides the check's status.

* :class:`CheckFailed` (an ``AssertionError``): the submission ran but is wrong -> ``failed``;
* :class:`SubmissionError`: the submission raised, crashed or returned garbage -> ``error``
  (:class:`MalformedData`: a reply the grader cannot read);
* :class:`SubmissionTimeout`: it did not finish within the check's time limit -> ``timeout``;
* :class:`SubmissionOutOfMemory`: it reached its memory limit -> ``out-of-memory``;
* :class:`SubmissionCrashed`: a signal ended its process (a native crash) -> ``crashed``;
* :class:`IntegrityViolation`: it tampered with the grading machinery -> ``integrity``;
* :class:`GraderError`, and anything else escaping a check, is the grader's or the
  platform's fault -> ``grader-error``.
"""

from __future__ import annotations


class CheckFailed(AssertionError):
    """The submission's answer is wrong; the message says what, and how to fix it."""


class SubmissionError(Exception):
    """The submission's code raised, crashed the worker, or returned malformed data."""

    status = "error"


class MalformedData(SubmissionError):
    """The worker's reply does not have the form the probe promises (the submission shares
    the worker's process, so it can patch what the probe reports)."""


class SubmissionTimeout(SubmissionError):
    """The submission's code did not finish within the check's time limit."""

    status = "timeout"


class SubmissionOutOfMemory(SubmissionError):
    """The submission's code reached the sandbox's memory limit."""

    status = "out-of-memory"


class SubmissionCrashed(SubmissionError):
    """A signal ended the process running the submission (a native crash, an abort)."""

    status = "crashed"


class IntegrityViolation(SubmissionError):
    """The submission tampered with the grading machinery; the check's evidence came from
    inside its worker and cannot be trusted."""

    status = "integrity"


class GraderError(Exception):
    """The grader or the platform failed; the student is not to blame."""
