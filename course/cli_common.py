"""What every ``course`` command shares: exit codes, and turning user errors into messages."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click

EXIT_PASSED = 0
#: Some checks failed, or some submissions were refused or failed.
EXIT_FAILED = EXIT_PROBLEMS = 1
EXIT_ERROR = 2


def run(function: Callable[..., Any], **kwargs: Any) -> Any:
    """Call the core; errors a user can fix become ``Error: ...`` and exit code 2 (with
    ``--json``, the JSON object ``{"error": ..., "exit_code": 2}`` on stdout)."""
    from course.config import CourseError

    try:
        return function(**kwargs)
    except CourseError as error:
        fail(str(error))
    except Exception as error:
        if not _grading_failed(error):
            raise
        fail(f"grading could not run: {error}")


def fail(message: str, *, exit_code: int = EXIT_ERROR) -> NoReturn:
    """End the command with ``message``: ``Error: ...`` on stderr, or, when the command was
    given ``--json``, one JSON object on stdout, so that a program reading it still reads
    JSON."""
    if wants_json():
        click.echo(json.dumps({"error": message, "exit_code": exit_code}))
    else:
        click.echo(f"Error: {message}", err=True)
    sys.exit(exit_code)


def wants_json() -> bool:
    """Whether the running command was given ``--json`` (its ``as_json`` parameter)."""
    context = click.get_current_context(silent=True)
    if context is None:
        return False
    # ``meta`` is shared by a context and its parents: the group's finding reaches here.
    return context.params.get("as_json") is True or bool(context.meta.get(_JSON_ASKED))


#: Set by :class:`JsonAwareGroup` when a command line holds ``--json``.
_JSON_ASKED = "course.json_asked"


class JsonAwareGroup(click.Group):
    """A group whose commands' usage errors (a missing argument, an unknown option) come as
    JSON, like :func:`fail`'s, when the command line holds ``--json``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[_JSON_ASKED] = "--json" in args
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            if not ctx.meta.get(_JSON_ASKED):
                raise
            click.echo(json.dumps({"error": error.format_message(), "exit_code": error.exit_code}))
            sys.exit(error.exit_code)


def _grading_failed(error: Exception) -> bool:
    """Whether ``error`` is the grading runner's ``GradingFailed``.

    Only the runner raises it, so a command that never loaded the runner cannot have met it:
    asked of ``sys.modules`` rather than imported, the runner (with the sandbox and NumPy
    under it, 0.3 s) stays out of the commands that do not grade, such as fetch and submit.
    """
    runner = sys.modules.get("course.grading.runner")
    return runner is not None and isinstance(error, runner.GradingFailed)
