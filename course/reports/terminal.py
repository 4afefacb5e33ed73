"""What ``course check`` tells a learner in the terminal, and adds to its JSON document.

The checks come in parts, one per grader file (``test_2_gradients.py`` is part 2, titled by
the first line of its docstring), each with its subtotal. A failure of the whole module is
said once, in a banner above the parts, instead of once per check:

* ``syntax``: the module does not parse (every check has the same "your module has a syntax
  error" message, written by the grading before anything runs);
* ``import``: importing the module failed, timed out or exited (every check has the same
  message, naming "importing your module");
* ``not_started``: an untouched stub (every check stopped at a ``NotImplementedError``): the
  banner names the first ``raise NotImplementedError`` line of the file;
* ``same_error``: every check failed with one and the same message, whatever it says.

The report ends with one line: the first thing to fix (the banner's line, else the first
check that did not pass, in the graders' order, with the line of the learner's code it
names), or, when every check passed, the week to go on to.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from course.config import Week
from course.grading.results import CheckResult, GradeReport

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

BannerKind = Literal["syntax", "import", "not_started", "same_error"]

_PART_FILE = re.compile(r"^test_(?P<number>\d+)_(?P<topic>\w+)\.py$")
_GRADER_PREFIX = re.compile(r"^Week \d+ grader, part \d+:\s*")
#: The line a message names in the learner's code: a traceback's ``line N`` (the last one is
#: where it happened), or the line that built a failing TensorFlow operation.
_WHERE = "Where it happened in your code:"
_LINE = re.compile(r"\bline (\d+)\b")
_BUILT_AT = re.compile(r"built at your line (\d+)")
_EXERCISE = re.compile(r"^(Exercise \d+\.\d+)")
_TRACEBACK_FRAME = re.compile(r'(?m)^(\s*)File "[^"]*", line (\d+), in (\S+)$')
_STATUS_NOTE = {
    "timeout": "timed out",
    "out-of-memory": "out of memory",
    "crashed": "crashed",
    "integrity": "tampering",
    "grader-error": "grader problem, not yours",
}


@dataclass(frozen=True)
class Part:
    """The checks of one grader file: ``test_2_gradients.py`` is part 2."""

    number: int | None
    title: str
    file: str
    checks: tuple[CheckResult, ...]

    @property
    def points(self) -> float:
        return round(sum(check.points for check in self.checks), 6)

    @property
    def max_points(self) -> float:
        return round(sum(check.max_points for check in self.checks), 6)

    @property
    def heading(self) -> str:
        """``Part 2: gradients with tf.GradientTape (exercises 1.3 to 1.5)``."""
        return f"Part {self.number}: {self.title}" if self.number is not None else self.title

    def to_dict(self) -> dict[str, Any]:
        return {
            "part": self.number,
            "title": self.title,
            "file": self.file,
            "points": self.points,
            "max_points": self.max_points,
            "passed": sum(check.passed for check in self.checks),
            "checks": len(self.checks),
        }


@dataclass(frozen=True)
class Banner:
    """A failure of the whole module, said once: ``message`` holds the line to fix."""

    kind: BannerKind
    headline: str
    message: str
    #: The same in one line, for the report's closing line.
    fix: str
    #: The learner's line to fix, where the message names one.
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "headline": self.headline,
            "message": self.message,
            "fix": self.fix,
            "line": self.line,
        }


@dataclass(frozen=True)
class FirstToFix:
    """What to fix first: the banner's failure, or the first check that did not pass."""

    text: str
    line: int | None = None
    check: CheckResult | None = None
    part: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.check.id if self.check else None,
            "name": self.check.name if self.check else None,
            "part": self.part,
            "line": self.line,
            "message": self.text,
        }


@dataclass(frozen=True)
class Feedback:
    """A graded week as the learner reads it."""

    parts: tuple[Part, ...]
    banner: Banner | None
    first_to_fix: FirstToFix | None
    #: The closing line: the first thing to fix, or the week to go on to.
    next_step: str

    def document(self, report: GradeReport) -> dict[str, Any]:
        """``report``'s JSON document with the parts, the banner and the next step added:
        ``part`` on each check, ``parts``, ``banner``, ``first_to_fix`` and ``next_step``."""
        document = report.to_dict()
        numbers = {check.id: part.number for part in self.parts for check in part.checks}
        for entry in document["checks"]:
            entry["part"] = numbers.get(entry["id"])
        document["parts"] = [part.to_dict() for part in self.parts]
        document["banner"] = self.banner.to_dict() if self.banner else None
        document["first_to_fix"] = self.first_to_fix.to_dict() if self.first_to_fix else None
        document["next_step"] = self.next_step
        return document


def summarize(
    report: GradeReport, *, graders: Path | None = None, next_week: Week | None = None
) -> Feedback:
    """``report`` in parts, with its banner and next step. ``graders``: the folder of the
    grader files (their docstrings title the parts); ``next_week``: the week to go on to
    when every check passed."""
    parts = tuple(_parts(report.checks, graders))
    banner = _banner(report)
    first = _first_to_fix(parts, banner)
    return Feedback(parts, banner, first, _next_step(report, first, next_week))


def part_of(check_id: str) -> tuple[str, int | None]:
    """The grader file of a check (its pytest node id) and its part number, if it has one."""
    file = Path(check_id.split("::", 1)[0]).name
    match = _PART_FILE.match(file)
    return file, int(match["number"]) if match else None


def _parts(checks: tuple[CheckResult, ...], graders: Path | None) -> Iterator[Part]:
    files: dict[str, list[CheckResult]] = {}
    for check in checks:
        files.setdefault(part_of(check.id)[0], []).append(check)
    for file, members in files.items():
        _, number = part_of(file)
        yield Part(
            number, part_title(graders / file if graders else None, file), file, tuple(members)
        )


def part_title(grader: Path | None, file: str) -> str:
    """The first line of the grader file's docstring, without "Week N grader, part K: ",
    its reST markup or its full stop; else the topic of the file's name."""
    doc = _docstring(grader) if grader is not None else None
    if doc:
        first = _GRADER_PREFIX.sub("", doc.strip().splitlines()[0]).rstrip(".")
        return first.replace("``", "")
    match = _PART_FILE.match(file)
    stem = match["topic"] if match else Path(file).stem.removeprefix("test_")
    return stem.replace("_", " ")


def _docstring(grader: Path) -> str | None:
    try:
        return ast.get_docstring(ast.parse(grader.read_text(encoding="utf-8")))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None


def _banner(report: GradeReport) -> Banner | None:
    checks = report.checks
    if len(checks) < 2 or any(check.passed or check.internal for check in checks):
        return None
    messages = {check.message for check in checks}
    if len(messages) == 1:
        message = messages.pop()
        if message.startswith(("your module has a syntax error", "your module cannot be read")):
            kind: BannerKind = "syntax"
            headline = "No check could run:"
        elif "importing your module" in message:
            kind, headline = "import", "No check could run:"
        else:
            kind, headline = "same_error", "Every check stopped at the same error:"
        line = your_line(message)
        fix = _first_line(message)
        if line is not None and f"line {line}" not in fix:
            fix = f"{fix} (your line {line})"
        return Banner(kind, headline, message, fix, line)
    if all("raised NotImplementedError" in check.message for check in checks):
        return _not_started(report.submission, checks[0])
    return None


def _not_started(submission: str, first: CheckResult) -> Banner:
    """The banner of an untouched stub: where its first ``raise NotImplementedError`` is."""
    place = first_stub_line(Path(submission))
    headline = "Nothing written yet: every check stopped at a `raise NotImplementedError(...)`."
    if place is None:
        called = re.match(r"^(?:.* from )?(\w+)\(", first.message)
        where = f"{called[1]}()" if called else "the first exercise"
        return Banner(
            "not_started",
            headline,
            f"Start with {where}: replace its `raise NotImplementedError(...)` with your code.",
            f"{where}: replace its `raise NotImplementedError(...)` with your code.",
        )
    line, function, exercise = place
    named = f"{function}, {exercise}" if exercise else function
    where = f"line {line} of {Path(submission).name} ({named})"
    return Banner(
        "not_started",
        headline,
        f"Start at {where}: replace that line with your code.",
        f"{where}: replace `raise NotImplementedError(...)` with your code.",
        line,
    )


def first_stub_line(path: Path) -> tuple[int, str, str] | None:
    """The first ``raise NotImplementedError`` in the module at ``path``: its line, the
    function it is in, and the "Exercise N.K" its docstring begins with (or ""). None for a
    notebook or a file that does not parse."""
    if path.suffix != ".py":
        return None
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    found: list[tuple[int, str, str]] = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        doc = ast.get_docstring(function) or ""
        if not doc:
            # A method's exercise heading is on its class.
            doc = next(
                (
                    ast.get_docstring(node) or ""
                    for node in ast.walk(tree)
                    if isinstance(node, ast.ClassDef) and function in node.body
                ),
                "",
            )
        exercise = _EXERCISE.match(doc)
        for node in ast.walk(function):
            if isinstance(node, ast.Raise) and _is_not_implemented(node.exc):
                found.append((node.lineno, function.name, exercise[1] if exercise else ""))
    return min(found) if found else None


def _is_not_implemented(exc: ast.expr | None) -> bool:
    target = exc.func if isinstance(exc, ast.Call) else exc
    return isinstance(target, ast.Name) and target.id == "NotImplementedError"


def your_line(message: str) -> int | None:
    """The line of the learner's code a check's message names, if any: where TensorFlow
    built the failing operation, else the last line of the traceback."""
    built = _BUILT_AT.search(message)
    if built:
        return int(built[1])
    if _WHERE not in message:
        return None
    lines = _LINE.findall(message.split(_WHERE, 1)[1])
    return int(lines[-1]) if lines else None


def _first_to_fix(parts: tuple[Part, ...], banner: Banner | None) -> FirstToFix | None:
    if banner is not None:
        return FirstToFix(banner.fix, banner.line)
    for part in parts:
        for check in part.checks:
            if not check.passed and not check.internal:
                line = your_line(check.message)
                return FirstToFix(_first_line(check.message), line, check, part.number)
    return None


def _next_step(report: GradeReport, first: FirstToFix | None, next_week: Week | None) -> str:
    if first is not None:
        if first.check is None:
            return f"First to fix: {first.text}"
        part = f"part {first.part}, " if first.part is not None else ""
        where = f" (your line {first.line})" if first.line is not None else ""
        return f'First to fix: {part}"{first.check.name}"{where}: {first.text}'
    if not report.all_passed:
        return (
            "Some checks could not run, and that is the grader's problem, not yours: tell "
            "the course staff."
        )
    done = f"All {len(report.checks)} checks passed ({report.score:g} / {report.max_score:g})"
    if next_week is None:
        return f"{done}: this week is done."
    return (
        f"{done}: go on to week {next_week.number}, {next_week.title.replace('``', '')} "
        f"('course start {next_week.number}')."
    )


def _first_line(message: str, limit: int = 240) -> str:
    line = message.strip().splitlines()[0] if message.strip() else ""
    return line if len(line) <= limit else line[: limit - 3].rstrip() + "..."


# -- the terminal --------------------------------------------------------------------------


def render(report: GradeReport, feedback: Feedback, *, console: Console) -> None:
    """Print ``feedback`` on ``report``: banner, parts with their checks, total, next step.

    Laid out here, line by line, to the console's width: a long name or message wraps under
    itself, and no line ends in padding."""
    from rich.text import Text

    width = max(console.width, 40)
    lines: list[Text] = [Text()]
    if feedback.banner is not None:
        lines.append(Text(feedback.banner.headline, style="bold red"))
        lines += _wrapped(_compact(feedback.banner.message), width, indent=2)
        lines.append(Text())
    for part in feedback.parts:
        lines += _part_lines(part, feedback.banner, width)
        lines.append(Text())
    for problem in report.infrastructure_errors:
        lines += _wrapped(f"grader problem: {problem}", width, style="red")
    if report.integrity:
        text = "integrity: your code tampered with the grading machinery: "
        lines += _wrapped(text + "; ".join(report.integrity), width, style="bold red")
    if report.missing_protections:
        lines += _wrapped(
            f"Sandbox: reduced isolation on this machine (missing: "
            f"{', '.join(report.missing_protections)}); 'course doctor' says why.",
            width,
        )
    total = Text(f"{report.week}: {report.score:g} / {report.max_score:g} points", style="bold")
    total.append(f" ({report.seconds:.1f} s, seed {report.seed})", style="")
    lines.append(total)
    style = "bold green" if report.all_passed else "bold"
    lines += _wrapped(feedback.next_step, width, style=style)
    for line in lines:
        console.print(line, soft_wrap=True)


def _part_lines(part: Part, banner: Banner | None, width: int) -> list[Text]:
    from rich.text import Text

    subtotal = f"{part.points:g} / {part.max_points:g}"
    heading = textwrap.wrap(part.heading, max(width - len(subtotal) - 2, 20)) or [""]
    first = Text(heading[0], style="bold")
    first.append(" " * max(width - len(heading[0]) - len(subtotal), 2))
    first.append(subtotal, style="green" if part.points == part.max_points else "red")
    lines = [first, *(Text(line, style="bold") for line in heading[1:])]
    points = [f"{check.points:g} / {check.max_points:g}" for check in part.checks]
    column = max(len(text) for text in points)
    previous = ""
    for check, score in zip(part.checks, points, strict=True):
        prefix = f"  {'✓' if check.passed else '✗'} {score:>{column}}  "
        name = check.name + (
            f" ({_STATUS_NOTE[check.status]})" if check.status in _STATUS_NOTE else ""
        )
        rows = _wrapped(name, width, indent=len(prefix))
        rows[0] = Text(prefix) + rows[0][len(prefix) :]
        rows[0].stylize("green" if check.passed else "red", 2, 3)
        lines += rows
        message = _shown_message(check, banner, previous)
        if message:
            lines += _wrapped(
                message, width, indent=len(prefix), style="dim" if check.passed else ""
            )
        previous = check.message
    return lines


def _wrapped(text: str, width: int, *, indent: int = 0, style: str = "") -> list[Text]:
    """``text`` wrapped to ``width``, every line indented by ``indent`` spaces (more where
    a line of ``text`` is indented itself, as a traceback's are)."""
    from rich.text import Text

    lines: list[Text] = []
    for line in text.splitlines() or [""]:
        stripped = line.lstrip()
        pad = " " * (indent + len(line) - len(stripped))
        wrapped = textwrap.wrap(
            stripped,
            max(width - len(pad), 20),
            break_long_words=True,
            break_on_hyphens=False,
        ) or [""]
        lines += [Text(pad + piece, style=style) for piece in wrapped]
    return lines


def _compact(message: str) -> str:
    """A message's traceback lines without the file's path: they are all in the learner's
    file, which the report names (``File "/home/ada/week01.py", line 137, in build_model``
    becomes ``line 137, in build_model``)."""
    return _TRACEBACK_FRAME.sub(r"\1line \2, in \3", message)


def _shown_message(check: CheckResult, banner: Banner | None, previous: str) -> str:
    """A check's message as its row shows it: nothing when the banner said it already,
    "(the same as above)" when the row above had the same."""
    if not check.message:
        return ""
    if banner is not None and (
        check.message == banner.message
        or (banner.kind == "not_started" and "raised NotImplementedError" in check.message)
    ):
        return ""
    if check.message == previous:
        return "(the same as above)"
    return _compact(check.message)
