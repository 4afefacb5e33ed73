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
    from course.grading.runner import GradingFailed

    try:
        return function(**kwargs)
    except CourseError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    except GradingFailed as error:
        click.echo(f"Error: grading could not run: {error}", err=True)
        sys.exit(EXIT_ERROR)
