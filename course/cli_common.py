"""What every ``course`` command shares: exit codes, and turning user errors into messages."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

EXIT_PASSED = 0
#: Some checks failed, or some submissions were refused or failed.
EXIT_FAILED = EXIT_PROBLEMS = 1
EXIT_ERROR = 2


def run(function: Callable[..., Any], **kwargs: Any) -> Any:
    """Call the core; errors a user can fix become ``Error: ...`` and exit code 2."""
    from course.config import CourseError

    try:
        return function(**kwargs)
    except CourseError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    except Exception as error:
        if not _grading_failed(error):
            raise
        click.echo(f"Error: grading could not run: {error}", err=True)
        sys.exit(EXIT_ERROR)


def _grading_failed(error: Exception) -> bool:
    """Whether ``error`` is the grading runner's ``GradingFailed``.

    Only the runner raises it, so a command that never loaded the runner cannot have met it:
    asked of ``sys.modules`` rather than imported, the runner (with the sandbox and NumPy
    under it, 0.3 s) stays out of the commands that do not grade, such as fetch and submit.
    """
    runner = sys.modules.get("course.grading.runner")
    return runner is not None and isinstance(error, runner.GradingFailed)
