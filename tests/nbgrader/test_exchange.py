"""Feedback through nbgrader's exchange: a student fetches the pages of their own
submissions only, even when students share one submission cache (one Unix account)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from course.nbgrader import exchange
from course.nbgrader.exchange import Place, notebook_hash

WEEK = "week01_toy"
#: Three submissions in one shared cache, oldest first within each student.
ADA_OLD, BOB, ADA_NEW = (
    "2026-01-05 10:00:00.000001 UTC",
    "2026-01-05 10:00:00.000002 UTC",
    "2026-01-06 09:00:00.000000 UTC",
)


def _cache_submission(cache: Path, student: str, stamp: str, *, notebook: bool) -> str:
    """A submission as submit leaves it in the cache; returns its secret."""
    folder = cache / "tf101" / f"{student}+{WEEK}+{stamp}"
    folder.mkdir(parents=True)
    (folder / (f"{WEEK}.ipynb" if notebook else f"{WEEK}.py")).write_text("{}")
    secret = f"secret of {student} at {stamp}"
    (folder / "submission_secret.txt").write_text(secret)
    (folder / "timestamp.txt").write_text(stamp)
    return secret


def _release(exchange_root: Path, secret: str, page: str) -> None:
    """A page released as ``course feedback`` does, under nbgrader's key."""
    released = exchange_root / "tf101" / "feedback"
    released.mkdir(parents=True, exist_ok=True)
    (released / f"{notebook_hash(secret, WEEK)}.html").write_text(page)


@pytest.mark.parametrize("notebook", [True, False], ids=["notebook", "module"])
def test_a_shared_cache_yields_only_the_asking_students_pages(
    tmp_path: Path, notebook: bool
) -> None:
    """With ada's and bob's submissions in one cache and both graded, ada's fetch copies
    only her pages, oldest first, and lists her submissions (the ungraded one too); pages
    found by nbgrader (a notebook) and by the module lookup are alike."""
    cache, root = tmp_path / "cache", tmp_path / "exchange"
    _release(root, _cache_submission(cache, "ada", ADA_OLD, notebook=notebook), "ada old")
    _release(root, _cache_submission(cache, "bob", BOB, notebook=notebook), "bob")
    _cache_submission(cache, "ada", ADA_NEW, notebook=notebook)  # not graded yet
    place = Place(root, "tf101", WEEK, "ada", assignment_dir=tmp_path / "ada", cache=cache)

    fetched = exchange.fetch_feedback(place)

    feedback = tmp_path / "ada" / WEEK / "feedback"
    assert [(page.timestamp, page.path) for page in fetched.pages] == [
        (ADA_OLD, feedback / ADA_OLD / f"{WEEK}.html")
    ]
    assert fetched.submissions == (ADA_OLD, ADA_NEW)
    assert [path.relative_to(feedback) for path in feedback.rglob("*.html")] == [
        Path(ADA_OLD, f"{WEEK}.html")
    ]
    assert (feedback / ADA_OLD / f"{WEEK}.html").read_text() == "ada old"
    assert sorted(path.name for path in (cache / "tf101").iterdir()) == [
        f"ada+{WEEK}+{ADA_OLD}",
        f"ada+{WEEK}+{ADA_NEW}",
        f"bob+{WEEK}+{BOB}",
    ]  # the cache itself is left as it was


def test_pages_are_found_where_links_cannot_be_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the cache's view cannot hold links, it holds copies, with the same result."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("links are not allowed here")

    monkeypatch.setattr(Path, "symlink_to", refuse)
    cache, root = tmp_path / "cache", tmp_path / "exchange"
    _release(root, _cache_submission(cache, "ada", ADA_OLD, notebook=True), "ada")
    _release(root, _cache_submission(cache, "bob", BOB, notebook=True), "bob")
    place = Place(root, "tf101", WEEK, "ada", assignment_dir=tmp_path / "ada", cache=cache)

    fetched = exchange.fetch_feedback(place)

    assert [page.path.read_text() for page in fetched.pages] == ["ada"]


def test_nothing_submitted_from_here_fetches_nothing(tmp_path: Path) -> None:
    """A student with no submission in the cache (a fresh cache, another machine) gets no
    pages and no error, even when other students' pages are released."""
    cache, root = tmp_path / "cache", tmp_path / "exchange"
    _release(root, _cache_submission(cache, "bob", BOB, notebook=True), "bob")
    place = Place(root, "tf101", WEEK, "ada", assignment_dir=tmp_path / "ada", cache=cache)

    fetched = exchange.fetch_feedback(place)

    assert (fetched.pages, fetched.submissions) == ((), ())
    assert not (tmp_path / "ada").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another account needs root")
def test_the_owner_check_runs_only_where_students_have_accounts(tmp_path: Path) -> None:
    """Submissions all owned by the collecting account (one machine for the class) skip
    nbgrader's owner check, which would call every student a cheat; one owned by another
    account (students with accounts of their own) turns it on."""
    inbound = tmp_path / "exchange" / "tf101" / "inbound"
    for student in ("ada", "bob"):
        (inbound / f"{student}+{WEEK}+2026-01-05 10:00:00.000001 UTC").mkdir(parents=True)
    place = Place(tmp_path / "exchange", "tf101", WEEK)
    assert not exchange._owners_tell_students_apart(place)
    os.chown(inbound / f"bob+{WEEK}+2026-01-05 10:00:00.000001 UTC", 65534, 65534)
    assert exchange._owners_tell_students_apart(place)
