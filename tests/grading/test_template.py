"""Warm grading processes: runs forked from a template that imported once grade as a fresh
``python -m pytest`` would, and nothing of one run reaches the next."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from course.config import Layout
from course.grading import template as template_module
from course.grading.runner import grade
from course.grading.template import Template, warm_grading


@pytest.fixture(scope="module")
def template() -> Iterator[Template]:
    """The template every grading of this module forks from (its own, not the suite's)."""
    enclosing = template_module._current
    template_module._current = None
    try:
        with warm_grading():
            started = template_module.current(sys.executable)
            assert started is not None
            yield started
    finally:
        template_module._current = enclosing


def _grade(course: Layout, submission: Path, seed: int = 0) -> float:
    week = course.weeks[0]
    report = grade(graders=week.graders, submission=submission, week=week.label, seed=seed)
    return report.score


LEAKY_GRADER = '''\
import sys

import pytest


@pytest.mark.points(1)
@pytest.mark.visibility("visible")
def test_no_trace_of_an_earlier_run(submission):
    """no trace of an earlier grading run"""
    assert not hasattr(sys, "left_by_an_earlier_run")
    sys.left_by_an_earlier_run = True
    import course.testing
    course.testing.fail = None  # a grader that breaks a shared helper breaks only its own run
'''


def test_runs_are_forked_and_share_nothing(toy_course: Layout, template: Template) -> None:
    """Two gradings in a row both start from the pristine template: what the first run
    changed in its process is gone in the second."""
    (toy_course.weeks[0].graders / "test_leak.py").write_text(LEAKY_GRADER)
    runs = template.runs
    assert _grade(toy_course, toy_course.weeks[0].solution) == 4
    assert _grade(toy_course, toy_course.weeks[0].solution) == 4
    assert template.runs == runs + 2


def test_a_failed_template_falls_back_to_a_fresh_process(
    toy_course: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A template that died does not stop grading: the run starts as a fresh process."""
    monkeypatch.setattr(template_module, "_current", None)
    with warm_grading():
        started = template_module.current(sys.executable)
        assert started is not None
        os.kill(started._process.pid, signal.SIGKILL)
        started._process.wait()
        assert _grade(toy_course, toy_course.weeks[0].solution) == 3
        assert started.runs == 0


def test_a_runs_exit_status_comes_back_and_a_killed_run_reads_as_killed(
    template: Template, tmp_path: Path
) -> None:
    """A run's exit status comes back; a killed run reads as killed."""
    log = (tmp_path / "log").open("wb")
    run = template.run(
        ["--version"], env=dict(os.environ), cwd=tmp_path, log_fd=log.fileno(), pass_fds={}
    )
    assert run.wait(timeout=60) == 0
    assert "pytest" in (tmp_path / "log").read_text()
    sleeper = tmp_path / "test_sleep.py"
    sleeper.write_text("import time\n\ndef test_sleep():\n    time.sleep(600)\n")
    run = template.run(
        [str(sleeper), "-p", "no:cacheprovider"],
        env=dict(os.environ),
        cwd=tmp_path,
        log_fd=log.fileno(),
        pass_fds={},
    )
    assert run.poll() is None
    run.kill()
    assert run.wait(timeout=30) == -signal.SIGKILL
    log.close()


def test_an_enclosing_block_serves_the_inner_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch inside ``course serve`` forks from the service's template, not a new one."""
    monkeypatch.setattr(template_module, "_current", None)
    with warm_grading(lazy=True, tensorflow=False):
        outer = template_module._current
        with warm_grading(tensorflow=False):
            assert template_module._current is outer
        with warm_grading(lazy=True, tensorflow=True):  # more than the outer one imports
            assert template_module._current is not outer
        assert template_module._current is outer
    assert template_module._current is None


def test_a_run_that_cannot_start_sends_later_gradings_cold(
    toy_course: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the template cannot start a run, that grading and the later ones start fresh
    processes, and the template is no longer offered (its runs in progress go on)."""
    monkeypatch.setattr(template_module, "_current", None)
    with warm_grading(tensorflow=False):
        started = template_module.current(sys.executable)
        assert started is not None

        def broken(*args: object, **kwargs: object) -> None:
            raise template_module.TemplateFailed("no run")

        monkeypatch.setattr(started, "run", broken)
        assert _grade(toy_course, toy_course.weeks[0].solution) == 3
        assert started.failed
        assert started.alive
        assert template_module.current(sys.executable) is None


def test_a_template_that_cannot_start_leaves_grading_cold(
    toy_course: Layout, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A template whose imports fail (here: a broken pytest on its path) is reported as not
    started, and every grading of the block starts a fresh process."""
    monkeypatch.setattr(template_module, "_current", None)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "pytest.py").write_text("raise ImportError('a broken install')\n")
    block = warm_grading(tensorflow=False)
    with monkeypatch.context() as patched:
        patched.setenv("PYTHONPATH", str(broken))
        block.__enter__()
    try:
        assert template_module.current(sys.executable) is None
        assert _grade(toy_course, toy_course.weeks[0].solution) == 3
    finally:
        block.__exit__(None, None, None)


def test_a_template_older_than_the_code_is_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the course's code changes under a running service (an upgrade), the next grading
    forks from a new template, since graders may need what the old one never imported; the
    old one lives until the block ends, so its runs in progress finish."""
    monkeypatch.setattr(template_module, "_current", None)
    with warm_grading(tensorflow=False):
        first = template_module.current(sys.executable)
        assert first is not None
        assert template_module.current(sys.executable) is first  # unchanged code: kept
        monkeypatch.setattr(template_module, "code_fingerprint", lambda: "upgraded")
        second = template_module.current(sys.executable)
        assert second is not None
        assert second is not first
        assert first.alive
    assert not first.alive
    assert not second.alive


def test_a_process_kept_warm_grades_warm_from_any_thread(
    toy_course: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Dask worker's tasks run on threads it does not own: :func:`keep_warm` has a thread
    of its own start the template, and gradings from other threads fork from it."""
    import threading

    monkeypatch.setattr(template_module, "_current", None)
    template_module.keep_warm(tensorflow=False)
    slot = template_module._current
    assert slot is not None
    scores: list[float] = []
    try:
        for _ in range(2):
            thread = threading.Thread(
                target=lambda: scores.append(_grade(toy_course, toy_course.weeks[0].solution))
            )
            thread.start()
            thread.join()
        assert scores == [3, 3]
        assert slot.template is not None
        assert slot.template.runs == 2
    finally:
        slot.close()
