"""Grading on a Dask cluster: the task that runs on a ``dask worker``.

``course autograde WEEK --scheduler tcp://HOST:PORT`` sends each distinct submission to the
cluster as one task. The submission's text travels with the task, so the workers need no
shared filesystem: only the same course installed (its graders, found as ``course check``
finds them: ``$COURSE_ROOT`` or the current folder) and the sandbox. Each task writes the
text to a private temporary folder, grades it with :func:`course.grading.runner.grade` (its
own grading process and sandboxed worker, exactly as on the instructor's machine, both
forked from the worker process's warm template and zygote:
:func:`course.grading.template.keep_warm`) and returns the report as plain data; the one
process that started the batch writes the gradebook.

A worker whose graders differ from the instructor's (another version of the course) refuses
the task instead of grading with other checks.
"""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path
from typing import Any


class WrongGraders(RuntimeError):
    """The worker's graders of the week are not the ones the batch grades with."""


def grade_text(
    *,
    week: str,
    filename: str,
    text: str,
    seed: int,
    grader_version: str,
    require_isolation: bool,
) -> dict[str, Any]:
    """Grade ``text`` (saved as ``filename``) with this machine's graders of ``week``;
    the report as :meth:`GradeReport.to_dict` gives it, plus where it was graded."""
    from course.classroom.workflow import grader_version as version_of
    from course.config import Layout, find_root
    from course.grading.runner import grade
    from course.grading.template import keep_warm, uses_tensorflow

    graded_week = Layout(find_root()).week(week)
    found = version_of(graded_week)
    if found != grader_version:
        raise WrongGraders(
            f"the graders of {week} on {socket.gethostname()} are not the instructor's "
            f"(version {found[:12]}, expected {grader_version[:12]}): install the same "
            "course on every worker"
        )
    # The worker process grades many tasks: each grading process is a fork of one warm
    # template, and each sandboxed worker a fork of its zygote, as on the instructor's machine.
    keep_warm(tensorflow=uses_tensorflow(graded_week.graders))
    with tempfile.TemporaryDirectory(prefix="course-remote-") as scratch:
        path = Path(scratch) / Path(filename).name
        path.write_text(text, encoding="utf-8")
        report = grade(
            graders=graded_week.graders,
            submission=path,
            week=graded_week.label,
            seed=seed,
            require_isolation=require_isolation,
        )
    return {
        "report": report.to_dict(),
        "seconds": report.seconds,
        "worker": f"{socket.gethostname()}:{os.getpid()}",
    }
