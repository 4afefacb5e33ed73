"""Grading a class: several submissions at once, identical files graded once, progress as
events, and a batch killed half-way that resumes to the same gradebook."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from course.classroom import workflow
from course.classroom.settings import CourseSettings
from course.config import Layout, Week
from course.nbgrader import gradebook
from tests.classroom.conftest import course_command
from tests.classroom.test_workflow import CORRECT, hand_in

HALF_RIGHT = CORRECT.replace("2 * x", "x + 1")
#: Slow enough to stop a batch between two gradings.
SLOW = "import time\ntime.sleep(2)\n"


def _grades(settings: CourseSettings, week: Week) -> dict[str, tuple[float, float]]:
    return {
        row.student: (row.raw_score, row.score)
        for row in gradebook.stored_grades(settings.database_url, settings.course_id, week.stem)
    }


def test_a_parallel_batch_grades_identical_files_once(
    released: tuple[CourseSettings, Week], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two jobs at once; three students handing in the same file cost one grading (the
    canary aside), and each gets the result, under their own file; events say so."""
    from course.grading import runner

    settings, week = released
    now = dt.datetime.now(dt.UTC)
    for name in ("ada", "bob", "cyd"):
        hand_in(settings, week, name, CORRECT, now)
    hand_in(settings, week, "dan", HALF_RIGHT, now)
    graded: list[Path] = []
    real_grade = runner.grade

    def counting(**kwargs: Any) -> Any:
        graded.append(Path(kwargs["submission"]))
        return real_grade(**kwargs)

    monkeypatch.setattr(runner, "grade", counting)
    events: list[dict[str, Any]] = []
    outcomes = workflow.autograde(settings=settings, week=week, jobs=2, on_event=events.append)
    assert [(o.student, o.status, o.score) for o in outcomes] == [
        ("ada", "graded", 3),
        ("bob", "graded", 3),
        ("cyd", "graded", 3),
        ("dan", "graded", 1),
    ]
    assert len(graded) == 3  # the canary, one of the three identical files, dan's
    assert _grades(settings, week) == {
        "ada": (3, 3),
        "bob": (3, 3),
        "cyd": (3, 3),
        "dan": (1, 1),
    }
    for name in ("ada", "bob", "cyd"):
        results = workflow.load_results(settings.root / "autograded" / name / week.stem)
        assert results is not None
        assert name in str(results.grade_report.submission)  # their own file, not another's
    batch = events[0]
    assert batch["event"] == "batch"
    assert (batch["students"], batch["to_grade"], batch["distinct"], batch["jobs"]) == (4, 4, 2, 2)
    done = [event for event in events if event["event"] == "done"]
    assert sorted(event["student"] for event in done) == ["ada", "bob", "cyd", "dan"]
    assert [event["index"] for event in done] == [1, 2, 3, 4]
    again = workflow.autograde(settings=settings, week=week, jobs=2)
    assert {o.status for o in again} == {"unchanged"}


def _autograde(course: Path, root: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, COURSE_ROOT=str(root), COURSE_DIR=str(course))
    return course_command("autograde", "1", "--jobs", "1", *extra, env=env, start_new_session=True)


def _events(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")]


def test_a_batch_killed_half_way_resumes_to_the_same_gradebook(
    released: tuple[CourseSettings, Week], marked_course: Layout, tmp_path: Path
) -> None:
    """kill -9 after the first student is recorded; the re-run grades only the others and
    the gradebook equals that of a batch that was never stopped (same seeds, no duplicate
    or missing rows)."""
    settings, week = released
    now = dt.datetime.now(dt.UTC)
    names = ["ada", "bob", "cyd", "dan"]
    for index, name in enumerate(names):
        text = (CORRECT if index % 2 == 0 else HALF_RIGHT) + f"\n{SLOW}# {name}\n"
        hand_in(settings, week, name, text, now)
    # The same course, copied before grading: graded once without a stop, for comparison.
    whole = tmp_path / "whole"
    shutil.copytree(settings.root, whole, symlinks=True)
    uninterrupted = _autograde(whole, marked_course.root)
    out, _ = uninterrupted.communicate(timeout=600)
    assert uninterrupted.returncode == 0, out

    events = tmp_path / "events.jsonl"
    stopped = _autograde(settings.root, marked_course.root, "--events", str(events))
    deadline = time.monotonic() + 300
    while not any(e["event"] == "done" for e in _events(events)):
        assert stopped.poll() is None, "the batch ended before it could be stopped"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(stopped.pid, signal.SIGKILL)
    stopped.wait()
    recorded = {e["student"] for e in _events(events) if e["event"] == "done"}
    assert 1 <= len(recorded) < len(names)

    resumed = tmp_path / "resumed.jsonl"
    assert _autograde(settings.root, marked_course.root, "--events", str(resumed)).wait(600) == 0
    started_again = {e["student"] for e in _events(resumed) if e["event"] == "started"}
    assert started_again == set(names) - recorded  # nothing saved is graded again
    expected = _grades(CourseSettings.load(whole), week)
    assert _grades(settings, week) == expected
    assert len(expected) == len(names)
    assert expected["ada"] == (3, 3)
    assert expected["bob"] == (1, 1)


def test_default_jobs_follow_the_cores_and_the_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two cores and 3 GiB per job: the scarcer of the two decides, and the reason says so."""
    from course.classroom import progress

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)))
    monkeypatch.setattr(progress, "_available_memory", lambda: 64 << 30)
    assert progress.default_jobs() == (4, "8 cores, 64 GiB available")
    monkeypatch.setattr(progress, "_available_memory", lambda: 7 << 30)
    assert progress.default_jobs()[0] == 2
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert progress.default_jobs()[0] == 1
