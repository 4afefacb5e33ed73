"""The whole class workflow through the CLI, on SQLite and on a real PostgreSQL server:
init -> release -> fetch -> submit (a correct, a partial and a broken submission) ->
collect -> autograde -> feedback -> export, checked in the gradebook, in `nbgrader
export`'s CSV and in the feedback pages."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from course.cli import main
from course.config import Layout
from course.nbgrader import gradebook
from tests.conftest import CHROMIUM, pixels_near, screenshot

WEEK = "week01_toy"
STUB_LINE = '# YOUR CODE HERE\n    raise NotImplementedError("Write your solution here")'


def invoke(runner: CliRunner, *args: str) -> Result:
    result = runner.invoke(main, list(args), catch_exceptions=False)
    return result


def answer(text: str, *bodies: str) -> str:
    """The stub with its solution blocks replaced by ``bodies``, in order."""
    for body in bodies:
        assert STUB_LINE in text
        text = text.replace(STUB_LINE, body, 1)
    return text


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return "sqlite:///gradebook.db"
    return str(request.getfixturevalue("postgres_url"))


def test_init_to_export(
    marked_course: Layout,
    database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three students through every step; scores agree in gradebook, CSVs and feedback."""
    monkeypatch.setenv("COURSE_ROOT", str(marked_course.root))
    course = tmp_path / "course"
    exchange = tmp_path / "exchange"
    runner = CliRunner()

    result = invoke(
        runner,
        "init",
        str(course),
        "--course-id",
        "tf101",
        "--database",
        database,
        "--exchange",
        str(exchange),
    )
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("COURSE_DIR", str(course))
    result = invoke(runner, "release", "1")
    assert result.exit_code == 0, result.output
    assert "2 checks, 3 points" in result.output

    monkeypatch.setenv("COURSE_EXCHANGE", str(exchange))
    monkeypatch.setenv("COURSE_ID", "tf101")
    homes = {name: tmp_path / "students" / name for name in ("ada", "bob", "cyd")}
    for name, home in homes.items():
        monkeypatch.setenv("COURSE_SUBMIT_CACHE", str(home / ".cache"))
        result = invoke(runner, "fetch", WEEK, "--student", name, "--dir", str(home))
        assert result.exit_code == 0, result.output
        assert {p.name for p in (home / WEEK).iterdir()} == {
            f"{WEEK}.py",
            f"{WEEK}.ipynb",
            "course-policy.json",
            "checks",
        }

    # ada: the module, all correct; the paired notebook stays the untouched stub but is older.
    module = homes["ada"] / WEEK / f"{WEEK}.py"
    notebook = homes["ada"] / WEEK / f"{WEEK}.ipynb"
    module.write_text(answer(module.read_text(), "return 2 * x", 'return "hello " + name'))
    stamp = notebook.stat().st_mtime
    import os

    os.utime(notebook, (stamp - 60, stamp - 60))
    # bob: the notebook, half right, with IPython lines that must not run.
    (homes["bob"] / WEEK / f"{WEEK}.py").unlink()
    notebook = homes["bob"] / WEEK / f"{WEEK}.ipynb"
    document = json.loads(notebook.read_text())
    code = [cell for cell in document["cells"] if cell["cell_type"] == "code"]
    sources = ["".join(cell["source"]) for cell in code]
    sources = [answer(text, "return 2 * x") if "def double" in text else text for text in sources]
    sources = [
        answer(text, "return 'hi ' + name") if "def greet" in text else text for text in sources
    ]
    sources[0] = "%matplotlib inline\n!rm -rf ~\n" + sources[0]
    for cell, text in zip(code, sources, strict=True):
        cell["source"] = text
    notebook.write_text(json.dumps(document))
    # cyd: a module that does not even parse.
    (homes["cyd"] / WEEK / f"{WEEK}.ipynb").unlink()
    (homes["cyd"] / WEEK / f"{WEEK}.py").write_text("def double(x:\n    return\n")

    for name, home in homes.items():
        monkeypatch.setenv("COURSE_SUBMIT_CACHE", str(home / ".cache"))
        forced = ["--force"] if name == "cyd" else []  # submit refuses what does not parse
        result = invoke(runner, "submit", WEEK, *forced, "--student", name, "--dir", str(home))
        assert result.exit_code == 0, result.output

    result = invoke(runner, "collect", "1")
    assert result.exit_code == 0, result.output
    assert "ada, bob, cyd" in result.output
    # One machine, one account: nbgrader's owner check would call each student a cheat.
    assert "cheating attempt" not in result.output
    result = invoke(runner, "autograde", "1")
    assert result.exit_code == 0, result.output
    assert "ada: graded, 3 / 3" in result.output
    assert "bob: graded, 2 / 3" in result.output
    assert "cyd: graded, 0 / 3" in result.output

    settings_url = _database_url(course)
    stored = {row.student: row for row in gradebook.stored_grades(settings_url, "tf101", WEEK)}
    assert {name: row.score for name, row in stored.items()} == {"ada": 3, "bob": 2, "cyd": 0}
    assert stored["bob"].scores == {"test_toy.py::test_double": 2, "test_toy.py::test_greet": 0}
    rows_before = _row_counts(settings_url)

    # Grading again changes nothing and adds no rows, with or without --force.
    result = invoke(runner, "autograde", "1")
    assert "ada: unchanged, 3 / 3" in result.output, result.output
    result = invoke(runner, "autograde", "1", "--force")
    assert "bob: graded, 2 / 3" in result.output, result.output
    assert _row_counts(settings_url) == rows_before

    result = invoke(runner, "feedback", "1")
    assert result.exit_code == 0, result.output
    page = (course / "feedback" / "bob" / WEEK / f"{WEEK}.html").read_text()
    assert "Score: <b>2 / 3</b>" in page
    assert "hello ada" in page  # the failed check's message
    assert "on time" in page
    # bob's graded code (made from his notebook), the line of his failing greet marked.
    assert "return &#x27;hi &#x27; + name" in page
    assert re.search(r'class="marked"><td class="number">\d+</td><td>def greet', page)
    if CHROMIUM is not None:  # the plot the toy check drew, as a browser shows the page
        shown = screenshot(course / "feedback" / "bob" / WEEK / f"{WEEK}.html", tmp_path)
        # the second curve (matplotlib's orange) lies on the first: the same values
        assert pixels_near(shown, (255, 127, 14)) > 100, "no plot on bob's feedback page"
    monkeypatch.setenv("COURSE_SUBMIT_CACHE", str(homes["ada"] / ".cache"))
    result = invoke(runner, "fetch-feedback", WEEK, "--student", "ada", "--dir", str(homes["ada"]))
    assert result.exit_code == 0, result.output
    assert "Score: 3 / 3" in result.output
    fetched = list((homes["ada"] / WEEK / "feedback").rglob("*/*.html"))  # latest.html aside
    assert len(fetched) == 1
    assert "Score: <b>3 / 3</b>" in fetched[0].read_text()
    latest = homes["ada"] / WEEK / "feedback" / "latest.html"
    assert latest.read_bytes() == fetched[0].read_bytes()

    result = invoke(runner, "export")
    assert result.exit_code == 0, result.output
    with (course / "exports" / f"{WEEK}.csv").open() as handle:
        exported = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert exported["bob"]["double doubles numbers"] == "2"  # a check's column: its name
    assert {name: row["score"] for name, row in exported.items()} == {
        "ada": "3",
        "bob": "2",
        "cyd": "0",
    }
    results = json.loads((course / "exports/gradescope" / WEEK / "bob/results.json").read_text())
    assert results["score"] == 2
    assert len(results["tests"]) == 2

    # nbgrader's own export reads the same gradebook through nbgrader_config.py.
    nbgrader_csv = tmp_path / "nbgrader.csv"
    subprocess.run(
        [sys.executable, "-m", "nbgrader", "export", "--to", str(nbgrader_csv)],
        cwd=course,
        check=True,
        capture_output=True,
        timeout=300,
    )
    with nbgrader_csv.open() as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert {name: float(rows[name]["score"]) for name in ("ada", "bob", "cyd")} == {
        "ada": 3.0,
        "bob": 2.0,
        "cyd": 0.0,
    }
    assert {float(row["max_score"]) for row in rows.values()} == {3.0}
    shutil.rmtree(exchange)


def _database_url(course: Path) -> str:
    from course.classroom.settings import CourseSettings

    return CourseSettings.load(course).database_url


def _row_counts(url: str) -> dict[str, int]:
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    tables = ["student", "submitted_assignment", "submitted_notebook", "grade", "grade_cells"]
    with engine.connect() as connection:
        counts = {
            table: connection.execute(sqlalchemy.text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in tables
        }
    engine.dispose()
    return counts
