"""A learner's best scores persist between runs and only go up."""

from __future__ import annotations

from pathlib import Path

from course.grading.results import CheckResult, GradeReport
from course.progress import ProgressStore


def _report(score: float) -> GradeReport:
    check = CheckResult(id="t", name="t", points=score, max_points=4, status="passed")
    return GradeReport(week="week02", submission="s.py", checks=(check,))


def test_best_score_is_kept_and_attempts_counted(tmp_path: Path) -> None:
    """A worse later attempt does not lower the best score."""
    store = ProgressStore(tmp_path / "progress.json")
    store.record(_report(3))
    entry = store.record(_report(1))
    assert entry.best_score == 3
    assert entry.last_score == 1
    assert entry.attempts == 2
    assert ProgressStore(tmp_path / "progress.json").load()["week02"].best_score == 3


def test_a_damaged_file_is_replaced_not_fatal(tmp_path: Path) -> None:
    """A corrupt progress file reads as empty and is rewritten on the next record."""
    path = tmp_path / "progress.json"
    path.write_text("{not json")
    store = ProgressStore(path)
    assert store.load() == {}
    store.record(_report(2))
    assert store.load()["week02"].best_score == 2


def test_the_best_files_and_attempts_per_file_are_kept(tmp_path: Path) -> None:
    """Progress says which file earned the best score, and how often each file was checked;
    an entry written before files were counted still loads."""
    store = ProgressStore(tmp_path / "progress.json")
    first, second = tmp_path / "a.py", tmp_path / "b.py"
    store.record(_report(1), file=first)
    store.record(_report(3), file=second)
    entry = store.record(_report(3), file=first)
    assert entry.best_score == 3
    assert entry.best_file == str(second.resolve())
    assert entry.files == {str(first.resolve()): 2, str(second.resolve()): 1}
    assert entry.attempts == 3
    old = (
        '{"weeks": {"week03": {"week": "week03", "best_score": 2, "max_score": 4, '
        '"attempts": 5, "last_score": 2, "last_checked": "2026-01-01T00:00:00+00:00"}}}'
    )
    (tmp_path / "old.json").write_text(old)
    loaded = ProgressStore(tmp_path / "old.json").load()["week03"]
    assert (loaded.attempts, loaded.best_file, loaded.files) == (5, "", {})
