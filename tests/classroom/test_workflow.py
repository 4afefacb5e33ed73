"""The instructor's steps on their own, on SQLite: policy, refusals, LMS zips, limits."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest

from course.classroom import workflow
from course.classroom.generate import generate, stale_stubs
from course.classroom.settings import (
    POLICY_FILE,
    ClassroomError,
    CourseSettings,
    WeekPolicy,
    write_settings,
)
from course.classroom.student import Workspace
from course.config import Layout, Week
from course.nbgrader import gradebook
from course.nbgrader.timestamps import TIMESTAMP_FILE, read_timestamp, write_timestamp
from tests.classroom import zips

STUB_LINE = '# YOUR CODE HERE\n    raise NotImplementedError("Write your solution here")'
CORRECT = """\
def double(x):
    return 2 * x


def greet(name):
    return "hello " + name
"""


def hand_in(settings: CourseSettings, week: Week, name: str, text: str, when: dt.datetime) -> None:
    folder = settings.root / "submitted" / name / week.stem
    folder.mkdir(parents=True)
    (folder / f"{week.stem}.py").write_text(text)
    write_timestamp(folder, when)


def with_policy(settings: CourseSettings, text: str) -> CourseSettings:
    path = settings.settings_file
    path.write_text(path.read_text().replace("[deadlines]\n", "[deadlines]\n" + text, 1))
    return CourseSettings.load(settings.root)


def test_late_penalty_lands_in_nbgraders_columns(released: tuple[CourseSettings, Week]) -> None:
    """A submission two started days late loses 20 % of its score, stored by nbgrader."""
    settings, week = released
    settings = with_policy(settings, 'week01_toy = "2026-12-07T23:59:00+00:00"\n')
    due = dt.datetime(2026, 12, 7, 23, 59, tzinfo=dt.UTC)
    hand_in(settings, week, "ada", CORRECT, due - dt.timedelta(hours=1))
    hand_in(settings, week, "bob", CORRECT, due + dt.timedelta(days=1, hours=2))
    outcomes = {o.student: o for o in workflow.autograde(settings=settings, week=week)}
    assert outcomes["ada"].penalty == 0
    assert outcomes["bob"].penalty == pytest.approx(0.6)
    stored = {
        r.student: r for r in gradebook.stored_grades(settings.database_url, "tf101", week.stem)
    }
    assert stored["bob"].raw_score == 3
    assert stored["bob"].score == pytest.approx(2.4)
    assert stored["ada"].score == 3


def test_refused_and_crashing_submissions_do_not_stop_the_batch(
    released: tuple[CourseSettings, Week], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty file is recorded as zero with its reason; a grading crash records nothing
    for that student; everyone else is graded."""
    settings, week = released
    now = dt.datetime.now(dt.UTC)
    hand_in(settings, week, "ada", CORRECT, now)
    hand_in(settings, week, "bob", "", now)
    hand_in(settings, week, "cyd", CORRECT.replace("2 * x", "x + x"), now)
    from course.grading import runner

    real_grade = runner.grade

    def flaky(**kwargs: object) -> object:
        if "cyd" in str(kwargs["submission"]):
            raise runner.GradingFailed("the grading process was killed")
        return real_grade(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "grade", flaky)
    outcomes = {o.student: o for o in workflow.autograde(settings=settings, week=week)}
    assert outcomes["ada"].status == "graded"
    assert outcomes["ada"].score == 3
    assert outcomes["bob"].status == "refused"
    assert "is empty" in outcomes["bob"].message
    assert outcomes["cyd"].status == "failed"
    assert "killed" in outcomes["cyd"].message
    stored = {
        r.student: r for r in gradebook.stored_grades(settings.database_url, "tf101", week.stem)
    }
    assert set(stored) == {"ada", "bob"}
    assert stored["bob"].score == 0
    results = workflow.load_results(settings.root / "autograded" / "bob" / week.stem)
    assert results is not None
    assert "is empty" in results.refused


def test_a_failed_write_leaves_nothing_half_written(
    released: tuple[CourseSettings, Week], monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the database refuses the commit, no row of that submission remains."""
    import sqlalchemy.exc
    from sqlalchemy.orm import Session

    settings, week = released

    real_commit = Session.commit

    def refuse(self: Session) -> None:
        if any(type(item).__name__ == "Grade" for item in self.new):
            raise sqlalchemy.exc.OperationalError("COMMIT", {}, Exception("disk full"))
        real_commit(self)

    monkeypatch.setattr(Session, "commit", refuse)
    with pytest.raises(ClassroomError, match="nothing was written"):
        gradebook.record(
            settings.database_url,
            "tf101",
            week=week.stem,
            student="ada",
            timestamp=None,
            scores={"test_toy.py::test_double": 2.0},
            penalty=0.0,
        )
    monkeypatch.undo()
    assert gradebook.stored_grades(settings.database_url, "tf101", week.stem) == []


def test_unknown_checks_are_refused_before_writing(released: tuple[CourseSettings, Week]) -> None:
    """Scores for checks the gradebook does not know mean the graders changed: re-release."""
    settings, week = released
    with pytest.raises(ClassroomError, match="course release"):
        gradebook.record(
            settings.database_url,
            "tf101",
            week=week.stem,
            student="ada",
            timestamp=None,
            scores={"test_new.py::test_x": 1.0},
            penalty=0.0,
        )
    assert gradebook.stored_grades(settings.database_url, "tf101", week.stem) == []


def test_import_zip_maps_lms_names_and_reports_the_rest(
    released: tuple[CourseSettings, Week], tmp_path: Path
) -> None:
    """LMS file names map to student ids; strays and duplicates are reported, not fatal."""
    settings, week = released
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Ada Lovelace_1001_assignsubmission_file_week01.py", CORRECT)
        archive.writestr("Bob Byte_1002_assignsubmission_file_w1.py", "x = 1\n")
        archive.writestr("Bob Byte_1002_assignsubmission_file_w1b.py", "x = 2\n")
        archive.writestr("Zed Unknown_1003_file.py", "x = 3\n")
        archive.writestr("readme.txt", "hi")
    path = tmp_path / "lms.zip"
    path.write_bytes(buffer.getvalue())
    names = tmp_path / "names.csv"
    names.write_text("name,student_id\nAda Lovelace,ada\nBob Byte,bob\n")
    imported, problems = workflow.import_zip(
        settings=settings, week=week, archive=path, names=workflow.read_names(names)
    )
    assert [item.student for item in imported] == ["ada"]
    reported = " | ".join(f"{p.file}: {p.problem}" for p in problems)
    assert "bob: several files" in reported
    assert "Zed Unknown_1003_file.py: matches no student" in reported
    assert "readme.txt: not a .py or .ipynb file" in reported
    outcomes = workflow.autograde(settings=settings, week=week)
    assert [(o.student, o.score) for o in outcomes] == [("ada", 3.0)]


@pytest.fixture
def course(tmp_path: Path) -> tuple[CourseSettings, Week]:
    """A course directory (no gradebook) and a week: all that import_zip touches."""
    root = tmp_path / "course"
    root.mkdir()
    write_settings(root, course_id="tf101", database="sqlite:///gradebook.db", exchange="x")
    toy = tmp_path / "toy-course"
    week = Week(
        number=1,
        stem="week01_toy",
        assignment=toy / "assignments/week01_toy.py",
        solution=toy / "solutions/week01_toy.py",
        graders=toy / "graders/week01_toy",
    )
    return CourseSettings.load(root), week


def import_bytes(
    settings: CourseSettings, week: Week, data: bytes, **options: Any
) -> tuple[list[workflow.Imported], list[workflow.ImportProblem]]:
    path = settings.root.parent / "lms.zip"
    path.write_bytes(data)
    return workflow.import_zip(settings=settings, week=week, archive=path, **options)


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (hidden ones too) and its bytes."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("how", [*sorted(zips.DAMAGE), "truncated"])
def test_damaged_archive_changes_nothing(course: tuple[CourseSettings, Week], how: str) -> None:
    """A damaged member (or a cut-short archive) refuses the whole import with a message
    naming it, and every earlier import stays as it was, byte for byte."""
    settings, week = course
    good = zips.build((zips.ADA, zips.ADA_TEXT), ("bob_w1.py", b"y = 2\n"))
    import_bytes(settings, week, good)
    before = files_under(settings.root / "submitted")
    assert before[f"ada/{week.stem}/{week.stem}.py"] == zips.ADA_TEXT
    newer = zips.build((zips.ADA, zips.ADA_TEXT.replace(b"2", b"3")), ("bob_w1.py", b"y = 3\n"))
    if how == "truncated":
        damaged, problem = newer[: len(newer) // 2], "is not a readable zip file"
    else:
        damaged, problem = zips.damage(newer, zips.ADA, how), zips.DAMAGE[how]
    with pytest.raises(ClassroomError, match=problem) as refused:
        import_bytes(settings, week, damaged)
    assert ("lms.zip" if how == "truncated" else f"lms.zip: '{zips.ADA}'") in str(refused.value)
    assert files_under(settings.root / "submitted") == before


def test_reimport_replaces_the_whole_folder(course: tuple[CourseSettings, Week]) -> None:
    """Importing again replaces a student's folder whole (a notebook replaces a module) and
    leaves no temporary folder behind."""
    settings, week = course
    import_bytes(settings, week, zips.build((zips.ADA, zips.ADA_TEXT)))
    notebook = b'{"nbformat": 4, "cells": [{"cell_type": "code", "source": "x = 2"}]}'
    when = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    imported, problems = import_bytes(
        settings, week, zips.build(("ada_w1.ipynb", notebook)), submitted_at=when
    )
    folder = settings.root / "submitted/ada" / week.stem
    assert (imported, problems) == ([workflow.Imported("ada", folder / f"{week.stem}.ipynb")], [])
    assert sorted(files_under(settings.root / "submitted")) == sorted(
        f"ada/{week.stem}/{name}"
        for name in (workflow.SECRET_FILE, f"{week.stem}.ipynb", TIMESTAMP_FILE)
    )
    assert (folder / f"{week.stem}.ipynb").read_bytes() == notebook
    assert read_timestamp(folder) == when


def test_failed_write_keeps_the_earlier_import(
    course: tuple[CourseSettings, Week], monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the new folder cannot be put in place, the student keeps the earlier import,
    the file is reported, and the other students are imported."""
    settings, week = course
    import_bytes(settings, week, zips.build((zips.ADA, zips.ADA_TEXT)))
    before = files_under(settings.root / "submitted")
    rename = os.rename

    def failing_rename(source: Path, target: Path) -> None:
        if Path(source).name.startswith(f".{week.stem}.importing-") and "ada" in str(source):
            raise OSError(28, "No space left on device")
        rename(source, target)

    monkeypatch.setattr("course.classroom.workflow.os.rename", failing_rename)
    imported, problems = import_bytes(
        settings, week, zips.build((zips.ADA, b"x = 2\n"), ("bob_w1.py", b"y = 2\n"))
    )
    assert [item.student for item in imported] == ["bob"]
    assert [problem.file for problem in problems] == [zips.ADA]
    assert "No space left on device" in problems[0].problem
    assert "earlier import, if any, is kept" in problems[0].problem
    after = files_under(settings.root / "submitted")
    assert {name: data for name, data in after.items() if name.startswith("ada/")} == before


def test_interrupted_import_is_never_graded_and_is_undone(
    course: tuple[CourseSettings, Week],
) -> None:
    """A folder an interrupted import left under a temporary name is not a submission; the
    next import puts the old folder back and deletes the half-written one."""
    settings, week = course
    import_bytes(settings, week, zips.build((zips.ADA, zips.ADA_TEXT)))
    submitted = settings.root / "submitted"
    before = files_under(submitted)
    ada = submitted / "ada"
    (ada / week.stem).rename(ada / f".{week.stem}.replaced-0123")  # stopped between renames
    (ada / f".{week.stem}.importing-0123").mkdir()
    (ada / f".{week.stem}.importing-0123" / f"{week.stem}.py").write_text("x = 'half")
    (submitted / ".hidden" / week.stem).mkdir(parents=True)
    assert workflow.submitted_folders(settings, week.stem) == []
    import_bytes(settings, week, zips.build(("bob_w1.py", b"y = 2\n")))
    (submitted / ".hidden" / week.stem).rmdir()
    assert {n: d for n, d in files_under(submitted).items() if n.startswith("ada/")} == before
    assert [name for name, _ in workflow.submitted_folders(settings, week.stem)] == ["ada", "bob"]


def test_oversized_or_undated_file_is_skipped(
    course: tuple[CourseSettings, Week], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file over the per-file limit, or with no valid date in the zip (and no
    --submitted-at), is reported and skipped; the others are imported."""
    settings, week = course
    monkeypatch.setattr(workflow, "MAX_FILE_BYTES", 100)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zips.ADA, zips.ADA_TEXT)
        archive.writestr(zipfile.ZipInfo("bob_w1.py", date_time=(1980, 0, 0, 0, 0, 0)), "y = 2")
        archive.writestr("cy_w1.py", "z = 3\n")
    imported, problems = import_bytes(settings, week, buffer.getvalue())
    assert [item.student for item in imported] == ["cy"]
    assert [(p.file, p.problem) for p in problems] == [
        (
            "ada_week1.py",
            "ada: 320 bytes; a submission may have at most 100: ask for a smaller file",
        ),
        (
            "bob_w1.py",
            "bob: its time in the zip, (1980, 0, 0, 0, 0, 0), is no date: give --submitted-at",
        ),
    ]
    when = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    imported, _ = import_bytes(settings, week, buffer.getvalue(), submitted_at=when)
    assert [item.student for item in imported] == ["bob", "cy"]


def test_per_day_limit_collects_the_last_allowed_submission(
    released: tuple[CourseSettings, Week], tmp_path: Path
) -> None:
    """With a limit of 2 a day, a third submission that day is not collected, and the
    student is told so when they submit it (the rules travel with the released week)."""
    settings, week = released
    text = settings.settings_file.read_text().replace(
        "submissions_per_day = 0", "submissions_per_day = 2"
    )
    settings.settings_file.write_text(text)
    settings = CourseSettings.load(settings.root)
    workflow.release(settings=settings, week=week)
    outbound = settings.exchange / "tf101" / "outbound" / week.stem
    assert WeekPolicy.from_json((outbound / POLICY_FILE).read_text()).submissions_per_day == 2
    home = tmp_path / "ada-home"
    seat = Workspace(settings.exchange, "tf101", home, "ada", home / ".cache")
    seat.fetch(week.stem)
    module = home / week.stem / f"{week.stem}.py"
    stub = module.read_text()
    receipts = []
    for body in ("return 2 * x", "return 2 * x", "return 0"):
        module.write_text(stub.replace(STUB_LINE, body, 1))
        receipts.append(seat.submit(week.stem))
    assert receipts[0].warnings == ()
    assert "last submission of week01_toy that counts today" in receipts[1].warnings[0]
    assert "will not be graded" in receipts[2].warnings[0]
    assert workflow.collect(settings=settings, week=week) == ["ada"]
    collected = (settings.root / "submitted/ada" / week.stem / f"{week.stem}.py").read_text()
    assert "return 2 * x" in collected
    assert "return 0" not in collected


def test_student_submit_refuses_an_empty_file(
    released: tuple[CourseSettings, Week], tmp_path: Path
) -> None:
    """course submit checks the file before anything reaches the exchange."""
    settings, week = released
    home = tmp_path / "bob-home"
    seat = Workspace(settings.exchange, "tf101", home, "bob", home / ".cache")
    seat.fetch(week.stem)
    (home / week.stem / f"{week.stem}.py").write_text("")
    (home / week.stem / f"{week.stem}.ipynb").unlink()
    with pytest.raises(ClassroomError, match=r"not submitted: week01_toy\.py is empty"):
        seat.submit(week.stem)
    assert not list((settings.exchange / "tf101" / "inbound").iterdir())


def test_release_refuses_a_stale_stub(marked_course: Layout, tmp_path: Path) -> None:
    """A stub edited by hand (or an unregenerated solution) is not released."""
    settings = workflow.init(
        root=tmp_path / "c",
        course_id="tf101",
        database="sqlite:///gradebook.db",
        exchange="exchange",
    )
    week = marked_course.weeks[0]
    week.assignment.write_text(week.assignment.read_text() + "\n# edited by hand\n")
    assert stale_stubs([week]) == [week]
    with pytest.raises(ClassroomError, match="course generate"):
        workflow.release(settings=settings, week=week)
    assert generate([week])[0].edited  # an edited stub is not overwritten without --force
    assert stale_stubs([week]) == [week]
    generate([week], force=True)
    assert stale_stubs([week]) == []


def test_init_refuses_an_existing_course(tmp_path: Path) -> None:
    """init never overwrites a course."""
    workflow.init(root=tmp_path, course_id="tf101", database="sqlite:///gb.db", exchange="exchange")
    with pytest.raises(ClassroomError, match="already holds a course"):
        workflow.init(
            root=tmp_path, course_id="tf101", database="sqlite:///gb.db", exchange="exchange"
        )


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    """A PostgreSQL URL with no server names the setting to fix."""
    with pytest.raises(ClassroomError, match=r"\[course\] database"):
        workflow.init(
            root=tmp_path,
            course_id="tf101",
            database="postgresql+psycopg://nobody@127.0.0.1:1/none",
            exchange="exchange",
        )


def test_student_submit_names_a_missing_week_folder(
    released: tuple[CourseSettings, Week], tmp_path: Path
) -> None:
    """Submitting from the wrong folder says which folder was looked for and how to fix it."""
    settings, week = released
    seat = Workspace(settings.exchange, "tf101", tmp_path / "elsewhere", "bob")
    with pytest.raises(ClassroomError, match=r"no folder .*elsewhere/week01_toy; fetch the week"):
        seat.submit(week.stem)
