"""The classroom commands' wiring: arguments, messages and exit codes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from course.cli import main
from course.config import Layout
from tests.classroom import zips


@pytest.fixture
def course_dir(marked_course: Layout, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COURSE_ROOT", str(marked_course.root))
    course = tmp_path / "course"
    result = CliRunner().invoke(main, ["init", str(course), "--course-id", "tf101"])
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("COURSE_DIR", str(course))
    return course


def test_autograde_before_release_says_release_first(course_dir: Path) -> None:
    """Grading a week that was never released is a usage error naming the fix."""
    result = CliRunner().invoke(main, ["autograde", "1"])
    assert result.exit_code == 2
    assert "course release" in result.output


def test_commands_outside_a_course_say_init(
    tmp_path: Path, marked_course: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Instructor commands outside a course directory point to 'course init'."""
    monkeypatch.setenv("COURSE_ROOT", str(marked_course.root))
    result = CliRunner().invoke(main, ["collect", "1", "--course-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "course init" in result.output


def test_import_zip_reports_skipped_files_and_exits_1(course_dir: Path, tmp_path: Path) -> None:
    """import-zip imports what it can, lists what it skipped, and exits 1 when it skipped."""
    archive = tmp_path / "lms.zip"
    with zipfile.ZipFile(archive, "w") as writing:
        writing.writestr("ada_week1.py", "def double(x):\n    return 2 * x\n")
        writing.writestr("notes.txt", "hi")
    result = CliRunner().invoke(main, ["import-zip", "1", str(archive)])
    assert result.exit_code == 1, result.output
    assert "ada: week01_toy.py" in result.output
    assert "skipped notes.txt: not a .py or .ipynb file" in result.output
    assert (course_dir / "submitted/ada/week01_toy/week01_toy.py").is_file()


def test_import_zip_refuses_an_unsafe_archive(course_dir: Path, tmp_path: Path) -> None:
    """An archive with a '..' path is refused whole, with exit code 2."""
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as writing:
        writing.writestr("ada.py", "x = 1\n")
        writing.writestr("../../escape.py", "x = 1\n")
    result = CliRunner().invoke(main, ["import-zip", "1", str(archive)])
    assert result.exit_code == 2
    assert "refusing path with '..'" in result.output
    assert not (course_dir / "submitted/ada").exists()


def test_import_zip_refuses_a_damaged_archive_and_keeps_earlier_imports(
    course_dir: Path, tmp_path: Path
) -> None:
    """A member with a wrong CRC is refused with exit code 2 and a message naming it (no
    traceback); the student's earlier import is kept."""
    archive = tmp_path / "lms.zip"
    archive.write_bytes(zips.build((zips.ADA, zips.ADA_TEXT)))
    assert CliRunner().invoke(main, ["import-zip", "1", str(archive)]).exit_code == 0
    archive.write_bytes(zips.damage(zips.build((zips.ADA, b"x = 2\n")), zips.ADA, "crc"))
    result = CliRunner().invoke(main, ["import-zip", "1", str(archive)])
    assert result.exit_code == 2, result.output
    assert f"Error: lms.zip: '{zips.ADA}' is damaged (Bad CRC-32" in result.output
    assert "Download the archive again from the LMS" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    module = course_dir / "submitted/ada/week01_toy/week01_toy.py"
    assert module.read_bytes() == zips.ADA_TEXT


def test_generate_check_flags_a_stale_stub(
    marked_course: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """generate --check exits 1 on an edited stub; generate leaves a stub somebody edited
    alone (exit 1, naming --force), rewrites it with --force, and rewrites a stub it wrote
    itself when the solution changes."""
    monkeypatch.setenv("COURSE_ROOT", str(marked_course.root))
    week = marked_course.weeks[0]
    stub = week.assignment
    assert CliRunner().invoke(main, ["generate"]).exit_code == 0  # records what it wrote
    stub.write_text(stub.read_text() + "# my work\n")
    result = CliRunner().invoke(main, ["generate", "--check"])
    assert result.exit_code == 1
    assert "OUT OF DATE (edited by hand)" in result.output
    refused = CliRunner().invoke(main, ["generate"])
    assert refused.exit_code == 1
    assert "--force" in refused.output
    assert stub.read_text().endswith("# my work\n")
    assert CliRunner().invoke(main, ["generate", "--force"]).exit_code == 0
    assert CliRunner().invoke(main, ["generate", "--check"]).exit_code == 0
    week.solution.write_text(week.solution.read_text() + "\n# a new line from the author\n")
    rewritten = CliRunner().invoke(main, ["generate"])
    assert rewritten.exit_code == 0, rewritten.output
    assert "written" in rewritten.output
    assert stub.read_text().endswith("# a new line from the author\n")


def test_submit_after_the_deadline_warns_with_the_penalty(
    course_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The released rules reach the student: a late submission is accepted, with a warning
    that names the penalty (on stderr, exit 0)."""
    settings = course_dir / "course.toml"
    settings.write_text(
        settings.read_text().replace(
            "[deadlines]\n", '[deadlines]\nweek01_toy = "2020-01-01T00:00:00+00:00"\n'
        )
    )
    release = CliRunner().invoke(main, ["release", "1"])
    assert release.exit_code == 0
    assert "Warning: the deadline of week01_toy (2020-01-01T00:00:00+00:00) has passed" in (
        release.stderr
    )
    monkeypatch.setenv("COURSE_EXCHANGE", str(course_dir / "exchange"))
    monkeypatch.setenv("COURSE_ID", "tf101")
    monkeypatch.setenv("COURSE_SUBMIT_CACHE", str(tmp_path / "cache"))
    home = ["--student", "ada", "--dir", str(tmp_path / "ada")]
    fetched = CliRunner().invoke(main, ["fetch", "1", *home])
    assert fetched.exit_code == 0
    module = tmp_path / "ada/week01_toy/week01_toy.py"
    assert f"Edit {module}" in fetched.output  # the file to edit, the deadline and the rules
    assert (
        "Due 2020-01-01 00:00 UTC: the deadline has passed, unless you have an extension."
        in fetched.output
    )
    assert "then 10% off per started day late, at most 50%." in fetched.output
    module.write_text("def double(x):\n    return 2 * x\n")
    result = CliRunner().invoke(main, ["submit", "1", *home])
    assert result.exit_code == 0, result.output
    assert "Submitted week01_toy at" in result.stdout  # the week by its name
    assert "Warning: submitted after the deadline of week01_toy" in result.stderr
    assert "50% of the score is taken off unless you have an extension" in result.stderr


def test_a_students_extension_reaches_only_their_own_warnings(
    course_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ada has 3 extra days on a week due yesterday, bob none. Once 'course extensions' has
    seen their addresses (left by their fetch), ada's fetch prints her own deadline and her
    submit is on time; bob's late warning is certain; cy, not yet reached, keeps the hedge."""
    import datetime as dt

    due = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).replace(microsecond=0)
    settings = course_dir / "course.toml"
    settings.write_text(
        settings.read_text().replace(
            "[deadlines]\n", f'[deadlines]\nweek01_toy = "{due.isoformat()}"\n'
        )
        + "\n[extensions.ada]\nweek01_toy = 3\n"
    )
    assert CliRunner().invoke(main, ["release", "1"]).exit_code == 0
    monkeypatch.setenv("COURSE_EXCHANGE", str(course_dir / "exchange"))
    monkeypatch.setenv("COURSE_ID", "tf101")

    def student(name: str, *command: str) -> Result:
        monkeypatch.setenv("COURSE_SUBMIT_CACHE", str(tmp_path / f"{name}-cache"))
        home = ["--student", name, "--dir", str(tmp_path / name)]
        result = CliRunner().invoke(main, [*command, "1", *home])
        assert result.exit_code == 0, result.output
        (tmp_path / name / "week01_toy/week01_toy.py").write_text(
            "def double(x):\n    return 2 * x\n"
        )
        return result

    before = student("ada", "fetch")  # no notice yet: her extension is not known here
    assert "the deadline has passed, unless you have an extension." in before.output
    student("bob", "fetch")
    sent = CliRunner().invoke(main, ["extensions"])
    assert sent.exit_code == 0, sent.output
    assert f"ada: week01_toy +3 day(s), due {due + dt.timedelta(days=3):%Y-%m-%d %H:%M} UTC" in (
        sent.output
    )
    assert "Sent 2 student(s) their own notice." in sent.output
    fetched = student("ada", "fetch")
    assert f"Due {due + dt.timedelta(days=3):%Y-%m-%d %H:%M} UTC (in 1 d 23 h)." in fetched.output
    assert "That includes your extension of 3 day(s)." in fetched.output
    assert "Warning" not in student("ada", "submit").stderr
    late = student("bob", "submit").stderr
    assert "Warning: submitted after the deadline of week01_toy" in late
    assert "10% of the score is taken off." in late
    student("cy", "fetch")
    assert "taken off unless you have an extension" in student("cy", "submit").stderr


def test_submit_refuses_code_that_does_not_parse_unless_forced(
    course_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A module with a syntax error is not handed in: the error names the file and line
    and says what --force does; with --force it is submitted."""
    assert CliRunner().invoke(main, ["release", "1"]).exit_code == 0
    monkeypatch.setenv("COURSE_EXCHANGE", str(course_dir / "exchange"))
    monkeypatch.setenv("COURSE_ID", "tf101")
    monkeypatch.setenv("COURSE_SUBMIT_CACHE", str(tmp_path / "cache"))
    home = ["--student", "ada", "--dir", str(tmp_path / "ada")]
    assert CliRunner().invoke(main, ["fetch", "1", *home]).exit_code == 0
    module = tmp_path / "ada/week01_toy/week01_toy.py"
    module.write_text("def double(x):\n    return 2 *\n")
    refused = CliRunner().invoke(main, ["submit", "1", *home])
    assert refused.exit_code == 2
    assert "week01_toy.py does not parse at line 2" in refused.output
    assert "--force" in refused.output
    assert not list((course_dir / "exchange").rglob("inbound/*ada*"))
    forced = CliRunner().invoke(main, ["submit", "1", "--force", *home])
    assert forced.exit_code == 0, forced.output
    assert list((course_dir / "exchange").rglob("inbound/*ada*"))


def test_autograde_shows_each_student_and_writes_events(course_dir: Path, tmp_path: Path) -> None:
    """Without a terminal, each student's outcome is a line with the time left; --events
    appends the same progress as JSON lines; --jobs is taken as given."""
    import datetime as dt
    import json

    from course.nbgrader.timestamps import write_timestamp

    assert CliRunner().invoke(main, ["release", "1"]).exit_code == 0
    for name, body in (("ada", "2 * x"), ("bob", "x + 1")):
        folder = course_dir / "submitted" / name / "week01_toy"
        folder.mkdir(parents=True)
        (folder / "week01_toy.py").write_text(
            f"def double(x):\n    return {body}\n\n\ndef greet(name):\n    return 'hello ' + name\n"
        )
        write_timestamp(folder, dt.datetime.now(dt.UTC))
    events = tmp_path / "events.jsonl"
    result = CliRunner().invoke(main, ["autograde", "1", "--jobs", "1", "--events", str(events)])
    assert result.exit_code == 0, result.output
    assert "week01_toy: 2 submission(s), 2 to grade, 1 at a time" in result.stderr
    assert "[1/2] ada: graded, 3 / 3" in result.stderr
    assert "left)" in result.stderr  # the time left, after the first of two
    assert "[2/2] bob: graded, 1 / 3" in result.stderr
    assert "Grading with --jobs" not in result.stderr  # given, not chosen
    kinds = [json.loads(line)["event"] for line in events.read_text().splitlines()]
    assert kinds == ["batch", "started", "done", "started", "done"]


def test_fetch_feedback_on_a_shared_account_gets_only_the_students_own_pages(
    course_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two students submit through one submission cache (one Unix account): each fetch gets
    only the asker's page, copies the newest to latest.html, names its submission and prints
    its score with the late penalty and the failed checks; a newer submission's page, once
    released, becomes latest.html, and one not graded yet is named as such."""
    import time

    from course.reports.feedback import read_summary

    settings = course_dir / "course.toml"
    settings.write_text(
        settings.read_text().replace(
            "[deadlines]\n", '[deadlines]\nweek01_toy = "2020-01-01T00:00:00+00:00"\n'
        )
    )
    assert CliRunner().invoke(main, ["release", "1"]).exit_code == 0
    monkeypatch.setenv("COURSE_EXCHANGE", str(course_dir / "exchange"))
    monkeypatch.setenv("COURSE_ID", "tf101")
    monkeypatch.setenv("COURSE_SUBMIT_CACHE", str(tmp_path / "shared-cache"))
    homes = {name: ["--student", name, "--dir", str(tmp_path / name)] for name in ("ada", "bob")}

    def submit(name: str, double: str) -> str:
        module = tmp_path / name / "week01_toy/week01_toy.py"
        module.write_text(
            f"def double(x):\n    return {double}\n\n\n"
            "def greet(name):\n    return 'hello ' + name\n"
        )
        result = CliRunner().invoke(main, ["submit", "1", *homes[name]])
        assert result.exit_code == 0, result.output
        return result.stdout.split(" at ", 1)[1].strip()

    def grade_and_release() -> None:
        for command in ("collect", "autograde", "feedback"):
            result = CliRunner().invoke(main, [command, "1"])
            assert result.exit_code == 0, result.output

    for name in homes:
        assert CliRunner().invoke(main, ["fetch", "1", *homes[name]]).exit_code == 0
    first = submit("ada", "x + 1")
    submit("bob", "2 * x")
    grade_and_release()

    feedback = tmp_path / "ada/week01_toy/feedback"
    result = CliRunner().invoke(main, ["fetch-feedback", "1", *homes["ada"]])
    assert result.exit_code == 0, result.output
    assert sorted(path.relative_to(feedback).as_posix() for path in feedback.rglob("*")) == [
        first,
        f"{first}/week01_toy.html",
        "latest.html",
    ]
    latest = feedback / "latest.html"
    summary = read_summary(latest.read_text())
    assert summary is not None
    assert summary["student"] == "ada"
    assert f"Latest, on your submission of {first}: {latest}" in result.output
    assert "FAILED double doubles numbers (0/2)" in result.output
    assert "Score: 0.5 / 3 (0.5 off for lateness)" in result.output
    bobs = CliRunner().invoke(main, ["fetch-feedback", "1", *homes["bob"]])
    assert "Score: 1.5 / 3 (1.5 off for lateness)" in bobs.output, bobs.output
    assert len(list((tmp_path / "bob/week01_toy/feedback").rglob("*/*.html"))) == 1

    time.sleep(1.1)  # nbgrader's submissions are told apart by the second
    second = submit("ada", "2 * x")
    result = CliRunner().invoke(main, ["fetch-feedback", "1", *homes["ada"]])
    assert f"Latest, on your submission of {first}" in result.output
    assert f"Your submission of {second} has no feedback yet." in result.output
    grade_and_release()
    result = CliRunner().invoke(main, ["fetch-feedback", "1", *homes["ada"]])
    assert result.exit_code == 0, result.output
    assert "Fetched 2 feedback page(s)" in result.output
    assert f"Latest, on your submission of {second}: {latest}" in result.output
    assert "Score: 1.5 / 3 (1.5 off for lateness)" in result.output
    assert "no feedback yet" not in result.output
    assert latest.read_bytes() == (feedback / second / "week01_toy.html").read_bytes()
