"""Grading a class on a real Dask cluster: a scheduler and two workers started with the
``dask`` commands, the submissions' text sent with the tasks, the gradebook written here."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from course.classroom import workflow
from course.classroom.remote import WrongGraders, grade_text
from course.classroom.settings import ClassroomError, CourseSettings
from course.config import Layout, Week
from tests.classroom.test_workflow import CORRECT, hand_in


def _dask(*argv: str, env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "dask", *argv],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture
def cluster(marked_course: Layout, tmp_path: Path) -> Iterator[str]:
    """A scheduler and two single-thread workers, each with the toy course installed
    (``COURSE_ROOT``) and its own working folder; yields the scheduler's address."""
    from distributed import Client

    env = dict(os.environ, COURSE_ROOT=str(marked_course.root))
    addresses = tmp_path / "scheduler.json"
    processes = [
        _dask(
            "scheduler",
            "--scheduler-file",
            str(addresses),
            "--port",
            "0",
            "--no-dashboard",
            env=env,
            cwd=tmp_path,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not addresses.is_file() or not addresses.read_text().strip():
            assert time.monotonic() < deadline, "the Dask scheduler did not start"
            time.sleep(0.2)
        address = json.loads(addresses.read_text())["address"]
        for name in ("one", "two"):
            folder = tmp_path / f"worker-{name}"
            folder.mkdir()
            processes.append(
                _dask(
                    "worker",
                    address,
                    "--nthreads",
                    "1",
                    "--name",
                    name,
                    "--no-dashboard",
                    "--local-directory",
                    str(folder),
                    env=env,
                    cwd=folder,
                )
            )
        with Client(address, timeout=30) as client:  # type: ignore[no-untyped-call]
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def test_a_batch_is_graded_on_the_cluster_and_recorded_here(
    released: tuple[CourseSettings, Week], cluster: str
) -> None:
    """Each distinct file is one task; both workers grade; the results land in this
    course's gradebook and results files as a local batch's would."""
    settings, week = released
    now = dt.datetime.now(dt.UTC)
    slow = "\nimport time\ntime.sleep(1)\n"
    texts = {
        "ada": CORRECT + slow,
        "bob": CORRECT.replace("2 * x", "x + 1") + slow,
        "cyd": CORRECT + slow + "# cyd\n",
        "dan": CORRECT + slow,  # the same file as ada's: graded once
        "eve": CORRECT.replace("2 * x", "x * 3") + slow,
    }
    for name, text in texts.items():
        hand_in(settings, week, name, text, now)
    events: list[dict[str, Any]] = []
    outcomes = workflow.autograde(
        settings=settings, week=week, scheduler=cluster, on_event=events.append
    )
    assert {(o.student, o.status, o.score) for o in outcomes} == {
        ("ada", "graded", 3),
        ("bob", "graded", 1),
        ("cyd", "graded", 3),
        ("dan", "graded", 3),
        ("eve", "graded", 1),
    }
    done = [event for event in events if event["event"] == "done"]
    workers = {event["worker"] for event in done}
    assert len(workers) == 2, workers  # both workers graded
    assert events[0]["distinct"] == 4
    results = workflow.load_results(settings.root / "autograded" / "dan" / week.stem)
    assert results is not None
    assert results.grade_report.score == 3
    again = workflow.autograde(settings=settings, week=week, scheduler=cluster)
    assert {o.status for o in again} == {"unchanged"}


def test_a_worker_with_other_graders_refuses_the_task(
    marked_course: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker whose course differs from the instructor's says so instead of grading."""
    monkeypatch.setenv("COURSE_ROOT", str(marked_course.root))
    with pytest.raises(WrongGraders, match="install the same course on every worker"):
        grade_text(
            week="week01_toy",
            filename="week01_toy.py",
            text=CORRECT,
            seed=1,
            grader_version="0" * 64,
            require_isolation=False,
        )


def test_an_unreachable_scheduler_is_a_clear_error(
    released: tuple[CourseSettings, Week], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong address names the scheduler and how to start one."""
    monkeypatch.setattr(workflow, "SCHEDULER_TIMEOUT", 3.0)
    settings, week = released
    hand_in(settings, week, "ada", CORRECT, dt.datetime.now(dt.UTC))
    with pytest.raises(ClassroomError, match="could not reach the Dask scheduler"):
        workflow.autograde(settings=settings, week=week, scheduler="tcp://127.0.0.1:9")
