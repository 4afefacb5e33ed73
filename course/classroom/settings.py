"""An instructor's course directory and its settings file, ``course.toml``.

``course init`` writes both ``course.toml`` and an ``nbgrader_config.py`` that reads it, so
``course`` and nbgrader's own tools (formgrader, ``nbgrader export``) see one course id, one
gradebook and one exchange; it also makes nbgrader's Validate button run the course's checks
(:func:`course.jupyter.validate_hook`), and its Autograde and Generate Feedback grade and
write pages as ``course`` does (:mod:`course.classroom.formgrader`). Everything here is
plain data: no nbgrader, no TensorFlow.

``course.toml``::

    [course]
    id = "tf101"                       # nbgrader's course id
    database = "sqlite:///gradebook.db" # any SQLAlchemy URL; relative SQLite paths are
                                        # resolved against the course directory
    exchange = "exchange"               # nbgrader's exchange root (shared with students)
    timezone = "UTC"

    [policy]
    grace_minutes = 15          # late by less than this: no penalty
    percent_per_day = 10        # of the score earned, per started day late
    cap_percent = 50            # the penalty never exceeds this share of the score
    submissions_per_day = 0     # 0: unlimited; otherwise later ones that day are not collected

    [deadlines]                 # week stem = ISO 8601 date and time (with its UTC offset)
    week01_tensors = "2026-12-07T23:59:00+00:00"

    [extensions.alice]          # extra days for one student, per week
    week01_tensors = 2
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from course.config import ClassroomError as ClassroomError

SETTINGS_FILE = "course.toml"
NBGRADER_CONFIG = "nbgrader_config.py"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class LatePolicy:
    """How late work loses points, and how often a student may submit."""

    grace_minutes: float = 0.0
    percent_per_day: float = 0.0
    cap_percent: float = 100.0
    submissions_per_day: int = 0
    deadlines: dict[str, dt.datetime] = field(default_factory=dict)
    #: student id -> week stem -> extra days.
    extensions: dict[str, dict[str, float]] = field(default_factory=dict)

    def due(self, week: str, student: str) -> dt.datetime | None:
        """When ``student``'s work on ``week`` is due, extension included; None: no deadline."""
        return self.for_student(week, student).deadline

    def days_late(self, week: str, student: str, submitted: dt.datetime) -> int:
        """Started days past the deadline (and its grace period): 0 when on time."""
        return self.for_student(week, student).days_late(submitted)

    def for_week(self, week: str) -> WeekPolicy:
        """The rules of ``week`` that every student may know (no extensions)."""
        return WeekPolicy(
            week=week,
            deadline=self.deadlines.get(week),
            grace_minutes=self.grace_minutes,
            percent_per_day=self.percent_per_day,
            cap_percent=self.cap_percent,
            submissions_per_day=self.submissions_per_day,
        )

    def for_student(self, week: str, student: str) -> WeekPolicy:
        """The rules of ``week`` for ``student``: the deadline moved by their extension."""
        return self.for_week(week).extended(self.extensions.get(student, {}).get(week, 0.0))

    def penalty(self, week: str, student: str, submitted: dt.datetime, score: float) -> float:
        """Points taken off ``score`` for lateness: a percent per day of it, capped."""
        percent = self.for_student(week, student).percent_off(submitted)
        return round(max(0.0, score) * percent / 100.0, 6)


#: Released with each week (``course release``): the rules a student may know, so that
#: ``course submit`` can warn about lateness and the daily limit. Extensions stay private.
POLICY_FILE = "course-policy.json"


@dataclass(frozen=True)
class WeekPolicy:
    """One week's rules as every student sees them: no extensions, nothing per student."""

    week: str
    deadline: dt.datetime | None = None
    grace_minutes: float = 0.0
    percent_per_day: float = 0.0
    cap_percent: float = 100.0
    submissions_per_day: int = 0
    #: The student's extra days, already in ``deadline`` (:meth:`extended`); ``None``: not
    #: known here (the released rules, before the student's notice arrives).
    extension_days: float | None = None

    def extended(self, days: float) -> WeekPolicy:
        """These rules for a student whose notice (:mod:`course.classroom.notices`) gives
        them ``days`` extra days on this week (0: none)."""
        deadline = None if self.deadline is None else self.deadline + dt.timedelta(days=days)
        return replace(self, deadline=deadline, extension_days=days)

    def to_json(self) -> str:
        return json.dumps(
            {
                "week": self.week,
                "deadline": None if self.deadline is None else self.deadline.isoformat(),
                "grace_minutes": self.grace_minutes,
                "percent_per_day": self.percent_per_day,
                "cap_percent": self.cap_percent,
                "submissions_per_day": self.submissions_per_day,
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> WeekPolicy:
        """Parse :meth:`to_json`'s output; anything else is a ``ValueError``."""
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("week"), str):
            raise ValueError("not a week policy")
        deadline = data.get("deadline")
        moment = None if deadline is None else dt.datetime.fromisoformat(str(deadline))
        if moment is not None and moment.tzinfo is None:
            raise ValueError("the deadline has no UTC offset")
        numbers: dict[str, float] = {}
        for key in ("grace_minutes", "percent_per_day", "cap_percent", "submissions_per_day"):
            value = data.get(key, 0)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{key} is not a number")
            numbers[key] = float(value)
        return cls(
            week=data["week"],
            deadline=moment,
            grace_minutes=numbers["grace_minutes"],
            percent_per_day=numbers["percent_per_day"],
            cap_percent=numbers["cap_percent"],
            submissions_per_day=int(numbers["submissions_per_day"]),
        )

    def describe(self, now: dt.datetime | None = None) -> list[str]:
        """The rules in sentences for a student who just fetched the week."""
        now = now or dt.datetime.now(dt.UTC)
        lines = []
        if self.deadline is None:
            lines.append("No deadline.")
        else:
            left = self.deadline - now
            when = self.deadline.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
            if left.total_seconds() <= 0:
                unless = ", unless you have an extension" if self.extension_days is None else ""
                lines.append(f"Due {when}: the deadline has passed{unless}.")
            else:
                days, rest = divmod(int(left.total_seconds()), 86_400)
                hours = rest // 3600
                lines.append(f"Due {when} (in {days} d {hours} h).")
            if self.extension_days:
                lines[-1] += f" That includes your extension of {self.extension_days:g} day(s)."
            late = []
            if self.grace_minutes:
                late.append(f"{self.grace_minutes:g} min of grace")
            if self.percent_per_day:
                late.append(
                    f"then {self.percent_per_day:g}% off per started day late, at most "
                    f"{self.cap_percent:g}%"
                )
            lines.append(
                "Late work: " + ", ".join(late) + "." if late else "Late work loses no points."
            )
        if self.submissions_per_day:
            lines.append(
                f"At most {self.submissions_per_day} submission(s) a day (UTC) are graded."
            )
        return lines

    def days_late(self, submitted: dt.datetime) -> int:
        """Started days past the deadline (and its grace period): 0 when on time."""
        if self.deadline is None:
            return 0
        late = submitted - self.deadline - dt.timedelta(minutes=self.grace_minutes)
        if late <= dt.timedelta(0):
            return 0
        return -(-late // dt.timedelta(days=1))  # ceiling: a started day counts

    def percent_off(self, submitted: dt.datetime) -> float:
        """The percent of the score that lateness costs: so much per started day, capped."""
        return min(self.cap_percent, self.percent_per_day * self.days_late(submitted))

    def warnings(self, submitted: dt.datetime, history: Sequence[dt.datetime]) -> list[str]:
        """What a student should hear after submitting at ``submitted`` (aware, any zone).

        ``history`` holds every submission of this week the student's cache remembers,
        this one included. The daily limit counts per UTC day, first submissions first,
        as ``course collect`` does.
        """
        notes = []
        limit = self.submissions_per_day
        if limit > 0:
            day = submitted.astimezone(dt.UTC).date()
            today = sorted(t for t in history if t.astimezone(dt.UTC).date() == day)
            count = max(len(today), 1)
            if count > limit:
                notes.append(
                    f"this is submission {count} of {self.week} today (UTC), and only the "
                    f"first {limit} of each day are collected: it will not be graded. The "
                    f"one graded from today is the one from "
                    f"{today[limit - 1].astimezone(dt.UTC):%H:%M:%S} UTC."
                )
            elif count == limit:
                notes.append(
                    f"that was your last submission of {self.week} that counts today: only "
                    f"the first {limit} of each UTC day are collected."
                )
        days = self.days_late(submitted)
        if self.deadline is not None and days > 0 and self.percent_per_day > 0:
            whose = (
                f"your deadline, extension of {self.extension_days:g} day(s) included"
                if self.extension_days
                else "the deadline"
            )
            unless = " unless you have an extension" if self.extension_days is None else ""
            notes.append(
                f"submitted after {whose} of {self.week} ({self.deadline.isoformat()}, "
                f"{self.grace_minutes:g} minutes' grace): {days} started day(s) late, so "
                f"{self.percent_off(submitted):g}% of the score is taken off{unless}."
            )
        return notes


@dataclass(frozen=True)
class CourseSettings:
    """A course directory and what its ``course.toml`` says."""

    root: Path
    course_id: str
    database_url: str
    exchange: Path
    timezone: str = "UTC"
    policy: LatePolicy = field(default_factory=LatePolicy)

    @property
    def settings_file(self) -> Path:
        return self.root / SETTINGS_FILE

    def directory(self, step: str, week: str, student: str | None = None) -> Path:
        """nbgrader's path scheme: ``<root>/<step>/<student>/<week>``, or ``<root>/<step>/<week>``
        for the steps that belong to no student (``source``, ``release``)."""
        return self.root / step / week if student is None else self.root / step / student / week

    @classmethod
    def load(cls, root: Path) -> CourseSettings:
        """Read ``root/course.toml``; a missing or wrong file is a :class:`ClassroomError`."""
        root = root.resolve()
        path = root / SETTINGS_FILE
        if not path.is_file():
            raise ClassroomError(
                f"{root} is not a course directory (no {SETTINGS_FILE}): run "
                f"'course init {root} --course-id ID' first, or pass --course-dir"
            )
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ClassroomError(f"{path} is not valid TOML: {error}") from error
        return cls.from_dict(root, data, source=path)

    @classmethod
    def from_dict(cls, root: Path, data: dict[str, Any], *, source: Path) -> CourseSettings:
        course = _table(data, "course", source)
        course_id = _text(course, "id", source)
        if not _ID.match(course_id):
            raise ClassroomError(
                f"{source}: course id {course_id!r} may hold letters, digits, '_', '.' and '-'"
            )
        database = _text(course, "database", source, default="sqlite:///gradebook.db")
        exchange = Path(_text(course, "exchange", source, default="exchange")).expanduser()
        policy = _table(data, "policy", source, required=False)
        return cls(
            root=root,
            course_id=course_id,
            database_url=resolve_database_url(database, root),
            exchange=exchange if exchange.is_absolute() else root / exchange,
            timezone=_text(course, "timezone", source, default="UTC"),
            policy=LatePolicy(
                grace_minutes=_number(policy, "grace_minutes", source, 0.0),
                percent_per_day=_number(policy, "percent_per_day", source, 0.0),
                cap_percent=_number(policy, "cap_percent", source, 100.0),
                submissions_per_day=int(_number(policy, "submissions_per_day", source, 0)),
                deadlines=_deadlines(_table(data, "deadlines", source, required=False), source),
                extensions=_extensions(_table(data, "extensions", source, required=False), source),
            ),
        )


def resolve_database_url(url: str, root: Path) -> str:
    """``sqlite:///relative.db`` made absolute against ``root``; other URLs unchanged."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str((root / url[len(prefix) :]).resolve())
    return url


def write_settings(
    root: Path, *, course_id: str, database: str, exchange: str, timezone: str = "UTC"
) -> None:
    """Write a new ``course.toml`` and the ``nbgrader_config.py`` that reads it."""
    if not _ID.match(course_id):
        raise ClassroomError(
            f"course id {course_id!r} may hold only letters, digits, '_', '.' and '-'"
        )
    text = (
        "# Settings of this course, read by `course` and by nbgrader_config.py.\n"
        "[course]\n"
        f"id = {_quote(course_id)}\n"
        f"database = {_quote(database)}\n"
        f"exchange = {_quote(exchange)}\n"
        f"timezone = {_quote(timezone)}\n"
        "\n[policy]\n"
        "grace_minutes = 15\n"
        "percent_per_day = 10\n"
        "cap_percent = 50\n"
        "submissions_per_day = 0\n"
        "\n[deadlines]\n"
        '# week01_tensors = "2026-12-07T23:59:00+00:00"\n'
        "\n[extensions]\n"
        "# [extensions.alice]\n"
        "# week01_tensors = 2\n"
    )
    (root / SETTINGS_FILE).write_text(text, encoding="utf-8")
    (root / NBGRADER_CONFIG).write_text(NBGRADER_CONFIG_TEXT, encoding="utf-8")


NBGRADER_CONFIG_TEXT = '''\
"""nbgrader's configuration for this course: read from course.toml, so the two agree.

Written by `course init`. Edit course.toml, not this file.
"""

import pathlib
import tomllib

_here = pathlib.Path(__file__).resolve().parent
_course = tomllib.loads((_here / "course.toml").read_text(encoding="utf-8"))["course"]
_database = _course.get("database", "sqlite:///gradebook.db")
if _database.startswith("sqlite:///") and not _database.startswith("sqlite:////"):
    _database = "sqlite:///" + str(_here / _database[len("sqlite:///"):])
_exchange = pathlib.Path(_course.get("exchange", "exchange")).expanduser()

c = get_config()  # noqa: F821 (nbgrader defines it)
c.CourseDirectory.root = str(_here)
c.CourseDirectory.course_id = _course["id"]
c.CourseDirectory.db_url = _database
c.Exchange.root = str(_exchange if _exchange.is_absolute() else _here / _exchange)
c.Exchange.timezone = _course.get("timezone", "UTC")

# nbgrader's Validate button runs this course's checks (`course check`) on the notebook and
# fails unless they all pass. Without this it would only look for nbgrader test cells, which
# our notebooks do not have, and so pass every notebook, the untouched stub included.
from course.jupyter import validate_hook  # noqa: E402

c.Execute.on_notebook_start = validate_hook

# nbgrader's Autograde (formgrader's button, `nbgrader autograde`) grades with this course's
# graders in its sandbox, as `course autograde` does, instead of running the submitted
# notebook in a kernel: the same grades, late penalty and autograded notebook (the one
# formgrader's Manual Grading shows). Generate Feedback writes `course feedback`'s page.
c.Autograde.sanitize_preprocessors = ["course.classroom.formgrader.GradeWithCourse"]
c.Autograde.autograde_preprocessors = []
c.Autograde.permissions = 644  # `course autograde` rewrites these files later
c.GenerateFeedback.preprocessors = []
c.GenerateFeedback.exporter_class = "course.classroom.formgrader.FeedbackPage"
'''


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _table(data: dict[str, Any], key: str, source: Path, *, required: bool = True) -> Any:
    value = data.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise ClassroomError(f"{source}: needs a [{key}] table")
    return value


def _text(table: dict[str, Any], key: str, source: Path, *, default: str | None = None) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value:
        raise ClassroomError(f"{source}: '{key}' must be a non-empty string")
    return value


def _number(table: dict[str, Any], key: str, source: Path, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ClassroomError(f"{source}: [policy] {key} must be a number >= 0, got {value!r}")
    return float(value)


def _deadlines(table: dict[str, Any], source: Path) -> dict[str, dt.datetime]:
    deadlines = {}
    for week, value in table.items():
        moment = value if isinstance(value, dt.datetime) else None
        if isinstance(value, str):
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                moment = None
        if moment is None or moment.tzinfo is None:
            raise ClassroomError(
                f"{source}: deadline of {week} must be a date and time with its UTC offset, "
                f'like "2026-12-07T23:59:00+00:00"; got {value!r}'
            )
        deadlines[week] = moment
    return deadlines


def _extensions(table: dict[str, Any], source: Path) -> dict[str, dict[str, float]]:
    extensions: dict[str, dict[str, float]] = {}
    for student, weeks in table.items():
        if not isinstance(weeks, dict):
            raise ClassroomError(f"{source}: [extensions.{student}] must map weeks to days")
        extensions[student] = {week: _number(weeks, week, source, 0.0) for week in weeks}
    return extensions
