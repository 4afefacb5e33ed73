"""course.toml: reading it, refusing a wrong one, and the late policy's arithmetic."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from course.classroom.settings import ClassroomError, CourseSettings, LatePolicy, write_settings

DUE = dt.datetime(2026, 12, 7, 23, 59, tzinfo=dt.UTC)


def policy(**overrides: object) -> LatePolicy:
    values: dict[str, object] = {
        "grace_minutes": 15,
        "percent_per_day": 10,
        "cap_percent": 50,
        "deadlines": {"week01": DUE},
        "extensions": {"ada": {"week01": 2}},
    }
    values.update(overrides)
    return LatePolicy(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("late_by", "days"),
    [
        (dt.timedelta(minutes=-1), 0),
        (dt.timedelta(minutes=15), 0),  # inside the grace period
        (dt.timedelta(minutes=16), 1),  # a started day counts
        (dt.timedelta(days=1, minutes=15), 1),
        (dt.timedelta(days=1, minutes=16), 2),
        (dt.timedelta(days=30), 30),
    ],
)
def test_days_late_count_started_days_after_grace(late_by: dt.timedelta, days: int) -> None:
    """Days late are started days after the deadline plus the grace period."""
    assert policy().days_late("week01", "bob", DUE + late_by) == days


def test_penalty_is_a_capped_percent_of_the_score() -> None:
    """10 % of the earned score per day, never more than the 50 % cap."""
    late = policy()
    assert late.penalty("week01", "bob", DUE + dt.timedelta(hours=1), 20) == 2
    assert late.penalty("week01", "bob", DUE + dt.timedelta(days=3, hours=1), 20) == 8
    assert late.penalty("week01", "bob", DUE + dt.timedelta(days=20), 20) == 10
    assert late.penalty("week01", "bob", DUE + dt.timedelta(days=20), 0) == 0


def test_extension_moves_one_students_deadline() -> None:
    """ada's two extra days make her on time when bob is late."""
    moment = DUE + dt.timedelta(days=1)
    assert policy().penalty("week01", "ada", moment, 20) == 0
    assert policy().penalty("week01", "bob", moment, 20) == 2


def test_no_deadline_no_penalty() -> None:
    """A week without a deadline is never late."""
    assert policy().days_late("week02", "bob", DUE + dt.timedelta(days=99)) == 0


def test_written_settings_load_back(tmp_path: Path) -> None:
    """course init's files load; relative SQLite paths and exchanges resolve in the course."""
    write_settings(tmp_path, course_id="tf101", database="sqlite:///gb.db", exchange="ex")
    settings = CourseSettings.load(tmp_path)
    assert settings.course_id == "tf101"
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'gb.db'}"
    assert settings.exchange == tmp_path.resolve() / "ex"
    assert settings.policy.grace_minutes == 15
    assert (tmp_path / "nbgrader_config.py").is_file()


def test_nbgrader_config_reads_the_same_settings(tmp_path: Path) -> None:
    """nbgrader_config.py, run as nbgrader runs it, agrees with course.toml."""
    from traitlets.config import Config

    write_settings(tmp_path, course_id="tf101", database="sqlite:///gb.db", exchange="ex")
    config = Config()
    namespace = {"get_config": lambda: config, "__file__": str(tmp_path / "nbgrader_config.py")}
    exec((tmp_path / "nbgrader_config.py").read_text(), namespace)
    settings = CourseSettings.load(tmp_path)
    assert config.CourseDirectory.course_id == "tf101"
    assert config.CourseDirectory.db_url == settings.database_url
    assert config.Exchange.root == str(settings.exchange)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[course\nid=1", "not valid TOML"),
        ("[policy]\n", r"needs a \[course\] table"),
        ('[course]\nid = "bad id!"\n', "may hold letters"),
        ('[course]\nid = "x"\n[policy]\npercent_per_day = -1\n', "must be a number >= 0"),
        ('[course]\nid = "x"\n[deadlines]\nweek01 = "2026-12-07"\n', "UTC offset"),
        ('[course]\nid = "x"\n[extensions]\nada = 2\n', "must map weeks to days"),
    ],
)
def test_wrong_settings_name_the_problem(tmp_path: Path, text: str, problem: str) -> None:
    """A wrong course.toml is refused with a message that names the fix."""
    (tmp_path / "course.toml").write_text(text)
    with pytest.raises(ClassroomError, match=problem):
        CourseSettings.load(tmp_path)


def test_missing_settings_say_run_init(tmp_path: Path) -> None:
    """A folder without course.toml points to 'course init'."""
    with pytest.raises(ClassroomError, match="course init"):
        CourseSettings.load(tmp_path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23 07:54:42.306136 UTC", dt.datetime(2026, 11, 23, 7, 54, 42, 306136, dt.UTC)),
        ("2026-11-23T08:54:42+01:00", dt.datetime(2026, 11, 23, 7, 54, 42, tzinfo=dt.UTC)),
        ("yesterday", None),
    ],
)
def test_nbgrader_timestamps_are_read_as_utc(
    tmp_path: Path, text: str, expected: dt.datetime | None
) -> None:
    """timestamp.txt in nbgrader's format (or ISO 8601) is read as UTC; nonsense is None."""
    from course.classroom.workflow import read_timestamp

    (tmp_path / "timestamp.txt").write_text(text)
    assert read_timestamp(tmp_path) == expected
