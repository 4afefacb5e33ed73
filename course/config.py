"""Where things are: the course root, its weeks, and the learner's data folder.

A week is the same stem in three trees (``assignments/weekNN_topic.py``,
``solutions/weekNN_topic.py``, ``graders/weekNN_topic/``). Week metadata is read from the
files' source text (titles from the stub's docstring, points from the graders' markers)
without importing them, so listing weeks never imports TensorFlow.
"""

from __future__ import annotations

import ast
import difflib
import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

_STEM = re.compile(r"^week(\d{2})_[a-z0-9_]+$")


class CourseError(Exception):
    """A problem the user can fix; the message says what and how."""


class ClassroomError(CourseError):
    """A problem with the course directory or a command's input; the message says the fix.

    Defined here, below :mod:`course.classroom` and :mod:`course.nbgrader`, so that both
    raise the same error (the classroom re-exports it from :mod:`course.classroom.settings`).
    """


@dataclass(frozen=True)
class Week:
    """One week of the course."""

    number: int
    stem: str
    assignment: Path
    solution: Path
    graders: Path

    # Read when asked for: a command about one week parses that week's files only.
    @cached_property
    def title(self) -> str:
        """The first line of the assignment's docstring, without "Week N: "."""
        return _title(self.assignment)

    @cached_property
    def max_points(self) -> float:
        return count_points(self.graders)

    @property
    def label(self) -> str:
        """``week02``: the short name used in messages and the progress store."""
        return f"week{self.number:02d}"


@dataclass(frozen=True)
class Layout:
    """The course files under ``root``."""

    root: Path

    @property
    def assignments(self) -> Path:
        return self.root / "assignments"

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def graders(self) -> Path:
        return self.root / "graders"

    @cached_property
    def weeks(self) -> tuple[Week, ...]:
        """Every week that has a grader folder, in order."""
        found = []
        for folder in sorted(self.graders.glob("week*")):
            match = _STEM.match(folder.name)
            if not folder.is_dir() or match is None:
                continue
            stem = folder.name
            found.append(
                Week(
                    number=int(match.group(1)),
                    stem=stem,
                    assignment=self.assignments / f"{stem}.py",
                    solution=self.solutions / f"{stem}.py",
                    graders=folder,
                )
            )
        return tuple(found)

    def week(self, spec: str) -> Week:
        """The week named by ``spec``: ``2``, ``02``, ``week02``, ``week02_fashion_mnist``, or
        the start of words of its topic, else of its title, that names no other week
        (``fashion``, ``callback``, ``time series``).

        A ``spec`` that names several weeks, or none, is a :class:`CourseError` listing the
        candidates (the closest names, for a typo)."""
        text = spec.strip().lower()
        digits = re.fullmatch(r"(?:week)?0*(\d+)", text)
        for week in self.weeks:
            if text == week.stem or (digits and int(digits.group(1)) == week.number):
                return week
        words = re.sub(r"[\s_-]+", " ", text).strip()
        if len(words) >= _SHORTEST_TOPIC and not digits:
            start = re.compile(rf"\b{re.escape(words)}")
            for field in (_topic, lambda week: week.title.lower().replace("``", "")):
                matches = [week for week in self.weeks if start.search(field(week))]
                if len(matches) == 1:
                    return matches[0]
                if matches:
                    names = ", ".join(f"{week.stem} ({week.number})" for week in matches)
                    raise CourseError(
                        f"{spec!r} names several weeks: {names}. Use a week's number."
                    )
        known = ", ".join(week.stem for week in self.weeks) or "none found"
        close = difflib.get_close_matches(
            words, [_topic(week) for week in self.weeks], n=3, cutoff=0.6
        )
        guess = [week.stem for week in self.weeks if _topic(week) in close]
        hint = f" Did you mean {' or '.join(guess)}?" if guess else ""
        raise CourseError(
            f"unknown week {spec!r}.{hint} Use a number like 2, 02, week02, a full name or "
            f"a word of its topic; weeks in {self.root}: {known}"
        )

    def after(self, week: Week) -> Week | None:
        """The week that follows ``week``, None after the last."""
        return next((later for later in self.weeks if later.number > week.number), None)


#: Fewer letters than this name a week by its number only: "e" is in every topic.
_SHORTEST_TOPIC = 3


def _topic(week: Week) -> str:
    """``fashion mnist`` for ``week02_fashion_mnist``."""
    return week.stem.split("_", 1)[-1].replace("_", " ")


def find_root(start: Path | None = None) -> Path:
    """The course root: ``$COURSE_ROOT``, else the nearest folder above ``start`` (the
    current folder) with ``graders/`` and ``assignments/``, else the checkout this package
    was installed from."""
    configured = os.environ.get("COURSE_ROOT")
    if configured:
        root = Path(configured).expanduser()
        if not (root / "graders").is_dir():
            raise CourseError(f"COURSE_ROOT={configured} has no graders/ folder")
        return root
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "graders").is_dir() and (folder / "assignments").is_dir():
            return folder
    installed = Path(__file__).resolve().parent.parent
    if (installed / "graders").is_dir():
        return installed
    raise CourseError(
        "cannot find the course files (folders graders/ and assignments/): run course from "
        "the course checkout or set COURSE_ROOT"
    )


def data_home() -> Path:
    """Where the learner's own data (progress) lives: ``$COURSE_HOME``, else the XDG data
    folder (``~/.local/share/course``)."""
    configured = os.environ.get("COURSE_HOME")
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "course"


def _title(assignment: Path) -> str:
    try:
        doc = ast.get_docstring(ast.parse(assignment.read_text(encoding="utf-8")))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return assignment.stem
    first = (doc or assignment.stem).strip().splitlines()[0].rstrip(".")
    return re.sub(r"^Week \d+:\s*", "", first)


def count_points(graders: Path) -> float:
    """The sum of ``@pytest.mark.points(n)`` over the test functions in ``graders``."""
    total = 0.0
    for path in sorted(graders.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                total += _points_of(node)
    return total


def _points_of(function: ast.FunctionDef | ast.AsyncFunctionDef) -> float:
    """The function's points marker times the number of cases of its ``parametrize``
    markers (each case is a check of its own)."""
    points, cases = 0.0, 1
    for decorator in function.decorator_list:
        if not isinstance(decorator, ast.Call):
            continue
        name = ast.unparse(decorator.func)
        if (
            name.endswith("mark.points")
            and decorator.args
            and isinstance(decorator.args[0], ast.Constant)
            and isinstance(decorator.args[0].value, int | float)
        ):
            points = float(decorator.args[0].value)
        elif name.endswith("mark.parametrize") and len(decorator.args) >= 2:
            values = decorator.args[1]
            if not isinstance(values, ast.List | ast.Tuple):
                raise CourseError(
                    f"{function.name}: parametrize with a literal list, so its points can be "
                    "counted without importing the grader"
                )
            cases *= len(values.elts)
    return points * cases
