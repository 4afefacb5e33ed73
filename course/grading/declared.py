"""The checks a week's grader files declare, read from their source without running them,
and the verdict on a submission that does not even parse.

A file that does not parse cannot pass any check, and finding that out needs no grading
process, no worker and no TensorFlow: :func:`unparsable_report` answers in milliseconds with
the report a full grading would have given (every check an error naming the line). It needs
each check's id, name, points and visibility, which :func:`declared_checks` reads the way the
plugin does (:mod:`course.grading.plugin`): ``test_*`` functions of ``test_*.py`` files in
file-name order, named by their docstring's first line. Grader files it cannot read exactly
(a class of tests, a ``parametrize``, a marker that is not a literal) make it answer
``None``, and the caller grades in full.
"""

from __future__ import annotations

import ast
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from course.grading.results import (
    VISIBILITIES,
    CheckResult,
    GradeReport,
    Visibility,
    check_title,
)


@dataclass(frozen=True)
class DeclaredCheck:
    """One check as its grader file declares it."""

    id: str
    name: str
    max_points: float
    visibility: Visibility


def _marker(expression: ast.expr, name: str) -> ast.Call | None:
    """``expression`` when it is ``pytest.mark.<name>(...)``."""
    if isinstance(expression, ast.Call) and ast.unparse(expression.func) == f"pytest.mark.{name}":
        return expression
    return None


def _literal(call: ast.Call) -> object:
    """The marker's first argument, when it is a literal; raises ValueError otherwise."""
    if not call.args or not isinstance(call.args[0], ast.Constant):
        raise ValueError("not a literal")
    return call.args[0].value


def _visibility(value: object) -> Visibility:
    for known in VISIBILITIES:
        if value == known:
            return known
    raise ValueError(f"unknown visibility {value!r}")


def _checks_of(path: Path) -> list[DeclaredCheck]:
    """The checks of one grader file; ValueError when they cannot be read exactly."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module_visibility: Visibility | None = None
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            raise ValueError(f"{path.name} has a class of tests")
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "pytestmark" for target in node.targets
        ):
            marker = _marker(node.value, "visibility")
            if marker is None:
                raise ValueError(f"{path.name}: pytestmark is not one visibility marker")
            module_visibility = _visibility(_literal(marker))
    checks = []
    for node in tree.body:
        if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test_")):
            continue
        points: float | None = None
        visibility = module_visibility
        for decorator in node.decorator_list:
            if _marker(decorator, "parametrize") is not None:
                raise ValueError(f"{node.name} is parametrized")
            if (marker := _marker(decorator, "points")) is not None:
                value = _literal(marker)
                if not isinstance(value, int | float):
                    raise ValueError(f"{node.name}: points {value!r}")
                points = float(value)
            elif (marker := _marker(decorator, "visibility")) is not None:
                visibility = _visibility(_literal(marker))
        if points is None or visibility is None:
            raise ValueError(f"{node.name} does not declare its points and visibility")
        name = check_title(ast.get_docstring(node, clean=False), node.name)
        checks.append(DeclaredCheck(f"{path.name}::{node.name}", name, points, visibility))
    return checks


def declared_checks(graders: Path, only: Sequence[str] = ()) -> list[DeclaredCheck] | None:
    """Every check of the grader files in ``graders`` (or of the files named in ``only``),
    in the order a grading reports them; None when a file cannot be read exactly."""
    paths = [graders / name for name in only] or sorted(graders.glob("test_*.py"))
    try:
        return [check for path in paths for check in _checks_of(path)]
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None


def syntax_error(submission: Path) -> str | None:
    """What keeps ``submission`` from parsing, written for the student; None when it parses.

    The same words a grading's worker uses for a syntax error, with the line."""
    try:
        source = submission.read_bytes()
        compile(source, submission.name, "exec", dont_inherit=True)
    except SyntaxError as error:
        text = f"your module has a syntax error: {error}"
        if error.lineno is not None:
            text += (
                f"\nWhere it happened in your code:\n  line {error.lineno}: "
                f"{(error.text or '').strip()}"
            )
        return text
    except ValueError as error:  # null bytes
        return f"your module cannot be read as Python source: {error}"
    return None


def errored(checks: Sequence[DeclaredCheck], message: str) -> tuple[CheckResult, ...]:
    """Every one of ``checks`` at 0 points, an error saying ``message``: what a submission
    that no check could judge (it does not parse, it was refused) scores."""
    return tuple(
        CheckResult(
            id=check.id,
            name=check.name,
            points=0.0,
            max_points=check.max_points,
            status="error",
            message=message,
            visibility=check.visibility,
        )
        for check in checks
    )


def unparsable_report(
    *, graders: Path, submission: Path, week: str, seed: int, only: Sequence[str] = ()
) -> GradeReport | None:
    """The report of a submission that does not parse, every check an error naming why; None
    when the submission parses or the graders cannot be read without running them."""
    begin = time.monotonic()
    problem = syntax_error(submission)
    if problem is None:
        return None
    checks = declared_checks(graders, only)
    if checks is None:
        return None
    return GradeReport(
        week=week,
        submission=str(submission),
        checks=errored(checks, problem),
        seconds=time.monotonic() - begin,
        launcher="none: the file does not parse, so no code of it ran",
        seed=seed,
    )
