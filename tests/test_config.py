"""Weeks are found from files, without importing them."""

from __future__ import annotations

from pathlib import Path

import pytest

from course.config import CourseError, Layout, count_points, find_root
from tests.conftest import REPO


def test_week_specs_accept_numbers_prefixes_and_stems(toy_course: Layout) -> None:
    """1, 01, week01 and the full stem all name the same week."""
    for spec in ("1", "01", "week01", "WEEK1", "week01_toy"):
        assert toy_course.week(spec).stem == "week01_toy"


def test_unknown_week_lists_the_known_ones(toy_course: Layout) -> None:
    """An unknown week is a CourseError naming the weeks that exist."""
    with pytest.raises(CourseError, match="week01_toy"):
        toy_course.week("7")


def test_a_word_of_a_topic_names_its_week() -> None:
    """`fashion`, `Fashion MNIST` and `callback` name weeks 2 and 3; a word in several
    weeks' topics or titles, or too short a word, names none and says why."""
    layout = Layout(REPO)
    for spec, stem in (
        ("fashion", "week02_fashion_mnist"),
        ("Fashion MNIST", "week02_fashion_mnist"),
        ("fashion-mnist", "week02_fashion_mnist"),
        ("callback", "week03_callbacks"),
        ("time series", "week08_time_series"),
    ):
        assert layout.week(spec).stem == stem
    with pytest.raises(CourseError, match="names several weeks: week"):
        layout.week("model")
    for spec in ("ra", "tion"):
        with pytest.raises(CourseError, match=f"unknown week '{spec}'"):
            layout.week(spec)


def test_a_misspelt_week_gets_a_suggestion() -> None:
    """A typo names no week, and the error suggests the closest topic."""
    with pytest.raises(CourseError, match=r"Did you mean week02_fashion_mnist\?"):
        Layout(REPO).week("fashon")


def test_the_week_after(toy_course: Layout) -> None:
    """`after` gives the next week, None after the last."""
    weeks = Layout(REPO).weeks
    assert Layout(REPO).after(weeks[0]) == weeks[1]
    assert toy_course.after(toy_course.weeks[0]) is None


def test_titles_and_points_come_from_source_text(toy_course: Layout) -> None:
    """The title is the stub's docstring; points are summed from the markers."""
    week = toy_course.weeks[0]
    assert week.title.startswith("toy arithmetic")
    assert week.max_points == count_points(week.graders) == 3


def test_find_root_walks_up_and_honours_course_root(
    toy_course: Layout, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The root is found from a subfolder, or taken from COURSE_ROOT."""
    monkeypatch.delenv("COURSE_ROOT", raising=False)
    assert find_root(toy_course.root / "graders" / "week01_toy") == toy_course.root
    monkeypatch.setenv("COURSE_ROOT", str(toy_course.root))
    assert find_root(tmp_path) == toy_course.root
    monkeypatch.setenv("COURSE_ROOT", str(tmp_path / "nowhere"))
    with pytest.raises(CourseError, match="no graders"):
        find_root()


def test_parametrized_checks_count_once_per_case(toy_course: Layout) -> None:
    """A parametrized check is one check per case, and its points count that often."""
    folder = toy_course.weeks[0].graders
    (folder / "test_cases.py").write_text(
        "import pytest\n\n@pytest.mark.points(2)\n"
        "@pytest.mark.parametrize('n', [1, 2, 3])\ndef test_case(submission, n):\n    pass\n"
    )
    assert count_points(folder) == 3 + 2 * 3
