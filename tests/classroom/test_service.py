"""``course serve`` and ``course submit --wait``: a submission's feedback moments after it
arrives, nothing graded twice, nothing lost across a restart."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from course.classroom.service import serve_round
from course.classroom.settings import CourseSettings
from course.classroom.student import Workspace
from course.cli import main
from course.config import Layout, Week
from course.reports.feedback import read_summary
from tests.classroom.conftest import course_command
from tests.classroom.test_workflow import CORRECT


def _submit(seat: Workspace, week: Week, text: str) -> str:
    module = seat.directory / week.stem / f"{week.stem}.py"
    if not module.exists():
        seat.fetch(week.stem)
    module.write_text(text)
    return seat.submit(week.stem).timestamp


def _summary(seat: Workspace, week: Week, timestamp: str) -> dict[str, Any] | None:
    if (seat.exchange / "tf101" / "feedback").is_dir():
        seat.fetch_feedback(week.stem)
    page = seat.directory / week.stem / "feedback" / timestamp / f"{week.stem}.html"
    return read_summary(page.read_text()) if page.is_file() else None


def test_a_round_grades_what_arrived_and_releases_its_feedback(
    released: tuple[CourseSettings, Week], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new submission is collected, graded and its page released in one round; a round
    with nothing new grades and releases nothing; a changed file is graded again."""
    from course.grading import runner

    settings, week = released
    seat = Workspace(settings.exchange, "tf101", tmp_path / "ada", "ada", tmp_path / "cache")
    first = _submit(seat, week, CORRECT)
    gradings: list[object] = []
    real_grade = runner.grade

    def counting(**kwargs: Any) -> Any:
        gradings.append(kwargs["submission"])
        return real_grade(**kwargs)

    monkeypatch.setattr(runner, "grade", counting)
    (done,) = serve_round(settings=settings, weeks=[week])
    assert [(o.student, o.status, o.score) for o in done.graded] == [("ada", "graded", 3)]
    assert done.released == ("ada",)
    summary = _summary(seat, week, first)
    assert summary is not None
    assert (summary["score"], summary["max_score"]) == (3, 3)
    assert len(gradings) == 2  # the canary, then ada's file

    (quiet,) = serve_round(settings=settings, weeks=[week])
    assert (quiet.graded, quiet.released) == ((), ())
    assert len(gradings) == 2

    time.sleep(1.1)  # nbgrader's submissions are told apart by the second
    second = _submit(seat, week, CORRECT.replace("2 * x", "0"))
    (again,) = serve_round(settings=settings, weeks=[week])
    assert [(o.student, o.score) for o in again.graded] == [("ada", 1)]
    summary = _summary(seat, week, second)
    assert summary is not None
    assert summary["score"] == 1
    failed = [check for check in summary["checks"] if check["status"] != "passed"]
    assert failed
    assert failed[0]["message"]


def test_a_result_recorded_but_not_released_is_released_after_a_restart(
    released: tuple[CourseSettings, Week], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service stopped between grading and releasing releases at its next round, without
    grading again."""
    from course.classroom import workflow

    settings, week = released
    seat = Workspace(settings.exchange, "tf101", tmp_path / "bob", "bob", tmp_path / "cache")
    stamp = _submit(seat, week, CORRECT)

    def stopped(**kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(workflow, "feedback", stopped)
    with pytest.raises(KeyboardInterrupt):
        serve_round(settings=settings, weeks=[week])
    assert _summary(seat, week, stamp) is None
    monkeypatch.undo()
    (resumed,) = serve_round(settings=settings, weeks=[week])
    assert resumed.graded == ()  # already recorded: not graded again
    assert resumed.released == ("bob",)
    summary = _summary(seat, week, stamp)
    assert summary is not None
    assert summary["score"] == 3


def test_submit_wait_prints_the_score_from_a_running_service(
    released: tuple[CourseSettings, Week], marked_course: Layout, tmp_path: Path
) -> None:
    """With 'course serve' running, 'course submit --wait' prints the score and the failed
    checks' messages once the feedback is released."""
    settings, week = released
    env = dict(os.environ, COURSE_ROOT=str(marked_course.root), COURSE_DIR=str(settings.root))
    service = course_command("serve", "--interval", "1", "--jobs", "1", env=env)
    try:
        home = tmp_path / "cyd"
        seat = Workspace(settings.exchange, "tf101", home, "cyd", tmp_path / "cache")
        seat.fetch(week.stem)
        module = home / week.stem / f"{week.stem}.py"
        module.write_text(CORRECT.replace("2 * x", "x + 1"))
        options = [
            "--exchange",
            str(settings.exchange),
            "--course",
            "tf101",
            "--student",
            "cyd",
            "--dir",
            str(home),
        ]
        result = CliRunner(
            env={
                "COURSE_ROOT": str(marked_course.root),
                "COURSE_SUBMIT_CACHE": str(tmp_path / "cache"),
            }
        ).invoke(main, ["submit", "1", "--wait", "--timeout", "240", *options])
    finally:
        service.terminate()
        output = service.communicate(timeout=60)[0].decode()
    assert result.exit_code == 0, result.output + output
    assert "Score: 1 / 3" in result.output
    assert "FAILED" in result.output
    assert "cyd: graded, 1 / 3" in output


def test_each_round_reads_course_toml_again_and_sends_extensions(
    released: tuple[CourseSettings, Week], tmp_path: Path
) -> None:
    """An extension written into course.toml while serving reaches the student's notice at
    the next round; a course.toml broken meanwhile is reported and the last good settings
    keep serving."""
    from course.classroom import notices
    from course.classroom.service import serve

    settings, week = released
    seat = Workspace(settings.exchange, "tf101", tmp_path / "ada", "ada", tmp_path / "cache")
    seat.fetch(week.stem)
    assert seat.policy(week.stem) is not None  # leaves ada's address
    toml = settings.root / "course.toml"
    good = toml.read_text()
    toml.write_text(good + f"\n[extensions.ada]\n{week.stem} = 2\n")
    rounds: list[Any] = []
    serve(settings=settings, weeks=[week], rounds=1, on_round=rounds.append)
    cache = tmp_path / "cache" / "tf101"
    assert notices.extensions_for(settings.exchange, "tf101", "ada", cache) == {week.stem: 2.0}
    assert rounds[0][0].skipped == ""

    toml.write_text(good + "\n[extensions.ada]\nbroken\n")
    serve(settings=settings, weeks=[week], rounds=1, on_round=rounds.append)
    problem = rounds[1][0]
    assert problem.week == "course.toml"
    assert "still serving with the settings read before" in problem.skipped
