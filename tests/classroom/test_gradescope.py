"""course gradescope: the autograder zip, unpacked into a root laid out as Gradescope's
(``/autograder/source``, ``submission``, ``results``) and run there under bubblewrap, with
that root bound at ``/autograder`` and the course installed here standing in for
``setup.sh``'s."""

from __future__ import annotations

import ast
import importlib
import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from course.classroom import gradescope
from course.classroom.gradescope import (
    DATA,
    build_bundle,
    pinned_requirements,
    setup_script,
    week_data,
)
from course.classroom.gradescope_run import find_submission, outcome_of
from course.classroom.intake import SubmissionRefused, submission_seed
from course.cli import main
from course.config import ClassroomError, Layout
from course.grading.declared import declared_checks
from course.grading.results import CheckResult, GradeReport
from tests.conftest import REPO, needs_bubblewrap

LAYOUT = Layout(REPO)
WEEK = LAYOUT.week("1")
SCRIPTS = ("setup.sh", "run_autograder")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Week 1's autograder zip, built once (pip builds the course's wheel: seconds)."""
    path = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    build_bundle(week=WEEK, root=REPO, output=path)
    return path


@pytest.fixture(scope="module")
def wheel_python(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A Python whose ``course`` is the zip's wheel, as setup.sh installs it: a virtual
    environment over this Python's packages (the pinned dependencies), without the index."""
    folder = tmp_path_factory.mktemp("venv")
    with zipfile.ZipFile(bundle) as archive:
        wheel = next(name for name in archive.namelist() if name.startswith("wheels/"))
        archive.extract(wheel, folder)
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", str(folder / "venv")], check=True
    )
    python = str(folder / "venv/bin/python")
    install = ["-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(folder / wheel)]
    subprocess.run([python, *install], check=True)
    where = subprocess.run(
        [python, "-c", "import course; print(course.__file__)"],
        cwd=folder,  # not the checkout's folder, which -c would import it from
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(folder / "venv")), where.stdout
    return python


def gradescope_root(bundle: Path, folder: Path, files: dict[str, str]) -> Path:
    """A root laid out as Gradescope's, with ``files`` (name: text) as the submission."""
    root = folder / "autograder"
    for name in ("source", "submission", "results"):
        (root / name).mkdir(parents=True)
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
        for info in archive.infolist():  # extractall drops the modes
            (root / "source" / info.filename).chmod((info.external_attr >> 16) & 0o777)
    shutil.copy2(root / "source/run_autograder", root / "run_autograder")  # as Gradescope does
    for name, text in files.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "submission" / name).write_text(text, encoding="utf-8")
    return root


def run_autograder(root: Path, **env: str) -> tuple[dict[str, Any], str]:
    """``/autograder/run_autograder`` in a bubblewrap root of its own: the machine's folders,
    with ``root`` at ``/autograder``; results.json and what it printed for staff."""
    command = ["bwrap", "--dev-bind", "/dev", "/dev", "--proc", "/proc", "--bind", "/sys", "/sys"]
    for entry in sorted(Path("/").iterdir()):
        if entry.name in ("dev", "proc", "sys", "autograder"):
            continue
        if entry.is_symlink():
            command += ["--symlink", str(entry.readlink()), str(entry)]
        else:
            command += ["--bind", str(entry), str(entry)]
    command += ["--bind", str(root), "/autograder", "--chdir", "/autograder"]
    settings = {
        "COURSE_PYTHON": sys.executable,
        "COURSE_CACHE": str(root.parent / "cache"),
        "KERAS_HOME": str(root.parent / "keras"),
        **env,
    }
    for name, value in settings.items():
        command += ["--setenv", name, value]
    done = subprocess.run(
        [*command, "/autograder/run_autograder"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = root / "results/results.json"
    assert results.is_file(), done.stdout + done.stderr
    return json.loads(results.read_text()), done.stdout


# -- the zip ---------------------------------------------------------------------------


def test_bundle_holds_what_gradescope_runs(bundle: Path) -> None:
    """setup.sh and run_autograder at the zip's root, executable; the week's graders as they
    are in the checkout; the course's wheel; pinned requirements; the bundle's settings."""
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        modes = {info.filename: (info.external_attr >> 16) & 0o777 for info in archive.infolist()}
        settings = json.loads(archive.read("course-bundle.json"))
        graders = {
            name.removeprefix(f"graders/{WEEK.stem}/"): archive.read(name)
            for name in names
            if name.startswith("graders/")
        }
        wheels = [name for name in names if name.startswith("wheels/")]
        readme = archive.read("README.md").decode()
        wheel = archive.open(wheels[0])
        with zipfile.ZipFile(wheel) as packaged:
            packaged_names = set(packaged.namelist())
    assert {*SCRIPTS, "README.md", "requirements.txt", "course-bundle.json"} <= names
    assert all(modes[name] == 0o755 for name in SCRIPTS)
    assert graders == {
        path.relative_to(WEEK.graders).as_posix(): path.read_bytes()
        for path in WEEK.graders.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert [re.fullmatch(r"wheels/course-[\d.]+-py3-none-any\.whl", name) for name in wheels]
    assert {"course/classroom/gradescope_run.py", "course/grading/graders.ini"} <= packaged_names
    assert settings["week"] == WEEK.stem
    assert settings["max_score"] == WEEK.max_points
    assert settings["allow_reduced_isolation"] is False
    assert re.fullmatch(r"[0-9a-f]{64}", settings["seed_secret"])
    assert f"{WEEK.max_points:g} points" in readme
    assert "--allow-reduced-isolation" in readme


def test_scripts_are_valid_bash(bundle: Path, tmp_path: Path) -> None:
    """Both scripts parse, and setup.sh without its installs (course is installed here)
    says this week reads no data and ends ready."""
    root = gradescope_root(bundle, tmp_path, {})
    for name in SCRIPTS:
        checked = subprocess.run(["bash", "-n", str(root / "source" / name)], check=False)
        assert checked.returncode == 0, name
    done = subprocess.run(
        [str(root / "source/setup.sh")],
        env={
            "PATH": "/usr/bin:/bin",
            "AUTOGRADER_ROOT": str(root),
            "COURSE_GRADESCOPE_SKIP_INSTALL": "1",
            "COURSE_PYTHON": sys.executable,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "read no dataset" in done.stdout
    assert "ready" in done.stdout


def test_requirements_pin_every_package_at_its_tested_version() -> None:
    """Every dependency of pyproject.toml at its pin, with everything they need, pinned; the
    course itself comes as the wheel."""
    lines = pinned_requirements(REPO / "pyproject.toml")
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9._-]*==\S+", line) for line in lines), lines
    roots = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    for root in roots:
        name, version = re.sub(r"\[.*\]", "", root).lower().split("==")
        assert f"{name.replace('_', '-')}=={version}" in lines
    assert "psycopg-binary==" + version_of(lines, "psycopg") in lines  # an extra's package
    assert len(lines) > len(roots)
    assert not any(line.startswith("course==") for line in lines)


def version_of(lines: list[str], name: str) -> str:
    return next(line.split("==")[1] for line in lines if line.split("==")[0] == name)


@pytest.mark.parametrize(
    ("dependency", "problem"),
    [("no-such-package-here==1.0", "is not installed here"), ("click==0.0.1", "is installed")],
)
def test_requirements_refuse_what_is_not_installed_as_pinned(
    tmp_path: Path, dependency: str, problem: str
) -> None:
    """A dependency missing here, or installed at another version, is named with the fix."""
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(f'[project]\nname = "x"\ndependencies = ["{dependency}"]\n')
    with pytest.raises(ClassroomError, match=problem) as raised:
        pinned_requirements(pyproject)
    assert "setup.sh" in str(raised.value)


def test_each_week_says_which_data_setup_fetches() -> None:
    """Every week's graders' imports map to data setup.sh knows how to fetch."""
    data = {week.number: week_data(week.graders) for week in LAYOUT.weeks}
    assert data[1] == ()
    assert "fashion_mnist" in data[2]
    assert {"fashion_mnist", "cats_vs_dogs"} <= set(data[4])
    assert "course.backbones" in data[5]
    assert "monthly_sunspots" in data[9]
    assert data[8] == ()  # the generated series: made by formula, nothing to fetch
    script = setup_script(data[4])
    assert " npm" in script
    assert "cats_vs_dogs()" in script


def test_data_statements_name_real_loaders() -> None:
    """What setup.sh runs for each dataset imports names that exist and calls them."""
    for statement, _ in DATA.values():
        tree = ast.parse(statement)
        imported = tree.body[0]
        assert isinstance(imported, ast.ImportFrom)
        assert imported.module is not None
        module = importlib.import_module(imported.module)
        for alias in imported.names:
            assert callable(getattr(module, alias.name)), statement


def test_an_unknown_loader_is_refused(tmp_path: Path) -> None:
    """A grader importing a loader the bundle cannot prepare is named, with where to add it."""
    (tmp_path / "test_x.py").write_text("from course.datasets import imdb_reviews\n")
    with pytest.raises(ClassroomError, match=r"imdb_reviews.*add it to DATA"):
        week_data(tmp_path)


def test_command_writes_the_zip_and_says_what_it_holds(
    bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """course gradescope 1 --output FILE: the zip, its points, its data and the isolation
    policy; --allow-reduced-isolation is recorded in the bundle and said."""
    with zipfile.ZipFile(bundle) as archive:
        wheel = next(name for name in archive.namelist() if name.startswith("wheels/"))
        archive.extract(wheel, tmp_path)
    monkeypatch.setattr(gradescope, "build_wheel", lambda root, folder: tmp_path / wheel)
    monkeypatch.setenv("COURSE_ROOT", str(REPO))
    output = tmp_path / "out" / "week1.zip"
    result = CliRunner().invoke(main, ["gradescope", "1", "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {output}" in result.output
    assert f"{WEEK.max_points:g} points" in result.output
    assert "Grades only in the sandbox" in result.output
    reduced = CliRunner().invoke(
        main, ["gradescope", "tensors", "--output", str(output), "--allow-reduced-isolation"]
    )
    assert reduced.exit_code == 0, reduced.output
    assert "Reduced isolation allowed" in reduced.output
    with zipfile.ZipFile(output) as archive:
        assert json.loads(archive.read("course-bundle.json"))["allow_reduced_isolation"] is True
    folder = CliRunner().invoke(main, ["gradescope", "1", "--output", str(tmp_path)])
    assert folder.exit_code == 2
    assert "is a directory" in folder.output


# -- finding the submission ----------------------------------------------------------------


def test_one_file_under_any_name_is_graded(tmp_path: Path) -> None:
    """A student's one module or notebook counts whatever its name or folder."""
    (tmp_path / "in/sub").mkdir(parents=True)
    (tmp_path / "in/sub/My Work.py").write_text("x = 1\n")
    (tmp_path / "in/__MACOSX").mkdir()
    (tmp_path / "in/__MACOSX/._My Work.py").write_text("junk")
    prepared = find_submission(tmp_path / "in", stem=WEEK.stem)
    assert prepared.module == "x = 1\n"
    assert prepared.source.name == "My Work.py"


def test_the_weeks_pair_is_graded(tmp_path: Path) -> None:
    """The week's module and notebook together: the pair jupytext keeps, as intake grades it."""
    notebook = {"nbformat": 4, "cells": [{"cell_type": "code", "source": "y = 2"}]}
    (tmp_path / "in").mkdir()
    (tmp_path / f"in/{WEEK.stem}.py").write_text("x = 1\n")
    (tmp_path / f"in/{WEEK.stem}.ipynb").write_text(json.dumps(notebook))
    prepared = find_submission(tmp_path / "in", stem=WEEK.stem)
    assert prepared.module in ("x = 1\n", "y = 2\n")


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ({"notes.txt": "hi"}, "no .py module or .ipynb notebook in it (it holds: notes.txt)"),
        ({"a.py": "x = 1", "b.ipynb": "{}"}, "it holds 2 modules or notebooks (a.py, b.ipynb)"),
        ({"empty.py": ""}, "empty.py is empty"),
    ],
)
def test_anything_else_is_refused_saying_what_to_upload(
    tmp_path: Path, files: dict[str, str], problem: str
) -> None:
    """No module, two unrelated files, an empty file: refused, naming the fix."""
    (tmp_path / "in").mkdir()
    for name, text in files.items():
        (tmp_path / "in" / name).write_text(text)
    with pytest.raises(SubmissionRefused) as refused:
        find_submission(tmp_path / "in", stem=WEEK.stem)
    assert problem in refused.value.problem


def test_seed_follows_the_file_and_the_bundles_secret() -> None:
    """The same file and secret draw the same inputs; another file or secret, others."""
    seed = submission_seed("a" * 64, week=WEEK.stem, digest="0" * 64)
    assert seed == submission_seed("a" * 64, week=WEEK.stem, digest="0" * 64)
    assert seed != submission_seed("b" * 64, week=WEEK.stem, digest="0" * 64)
    assert seed != submission_seed("a" * 64, week=WEEK.stem, digest="1" * 64)
    assert 0 <= seed < 2**31


def check(name: str, **fields: Any) -> CheckResult:
    values: dict[str, Any] = {"points": 0.0, "max_points": 2.0, "status": "failed", **fields}
    return CheckResult(id=f"test_1_x.py::{name}", name=name, **values)


SETTINGS = {"week": WEEK.stem, "number": 1, "title": "tensors"}


def test_results_summarize_the_visible_checks_only() -> None:
    """The summary names the first visible check to fix, never a hidden check's message;
    hidden checks show after the due date and are counted."""
    report = GradeReport(
        week="week01",
        submission="",
        checks=(
            check("accuracy", message="held-out accuracy 0.41", visibility="hidden"),
            check("shape", points=2.0, status="passed"),
            check("dtype", message="dtype should be float32. Received: int32"),
        ),
    )
    log: list[str] = []
    outcome = outcome_of(report, settings=SETTINGS, graders=WEEK.graders, digest="d", log=log)
    document = outcome.document
    assert document["score"] == 2.0
    assert [test["visibility"] for test in document["tests"]] == [
        "after_due_date",
        "visible",
        "visible",
    ]
    assert "Week 1, tensors: 2 / 6 points." in document["output"]
    assert "dtype should be float32" in document["output"]
    assert "0.41" not in document["output"]
    assert "1 hidden checks" in document["output"]
    assert document["stdout_visibility"] == "hidden"
    assert any("graded in" in line for line in log)


def test_a_grader_failure_scores_zero_and_tells_staff() -> None:
    """A check the graders themselves failed: 0 points, "not your fault" for the student,
    the grader's error for staff."""
    report = GradeReport(
        week="week01",
        submission="",
        checks=(
            check("shape", points=2.0, status="passed"),
            check("dtype", status="grader-error", message="KeyError: 'x'", internal=True),
        ),
    )
    log: list[str] = []
    outcome = outcome_of(report, settings=SETTINGS, graders=WEEK.graders, digest="d", log=log)
    assert outcome.document["score"] == 0.0
    assert "not a problem with your work" in outcome.document["output"]
    assert "grader error in dtype: KeyError: 'x'" in log


# -- run_autograder in a Gradescope root ---------------------------------------------------


def expected_tests() -> list[tuple[str, str, float]]:
    declared = declared_checks(WEEK.graders)
    assert declared is not None
    shown = {"hidden": "after_due_date"}
    return [(c.name, shown.get(c.visibility, c.visibility), c.max_points) for c in declared]


@needs_bubblewrap
def test_a_file_that_does_not_parse_scores_zero_with_the_line(bundle: Path, tmp_path: Path) -> None:
    """Every check at 0 naming the syntax error's line; no code of it ran."""
    root = gradescope_root(bundle, tmp_path, {"answer.py": "def make_tensors(:\n    pass\n"})
    results, log = run_autograder(root)
    assert results["score"] == 0
    assert [(t["name"], t["visibility"], t["max_score"]) for t in results["tests"]] == (
        expected_tests()
    )
    assert all("syntax error" in test["output"] for test in results["tests"])
    assert "line 1: def make_tensors(:" in results["output"]
    assert results["stdout_visibility"] == "hidden"
    assert "answer.py" in log


@needs_bubblewrap
def test_without_the_sandbox_nothing_is_graded(bundle: Path, tmp_path: Path) -> None:
    """Where a protection is missing (here: the local launcher, forced), the submission is not
    run: 0 points, a message that it is not the student's fault, and for staff what is
    missing and the flag that would allow it."""
    root = gradescope_root(bundle, tmp_path, {"answer.py": "import os\nos.system('true')\n"})
    results, log = run_autograder(root, COURSE_SANDBOX="local")
    assert results["score"] == 0
    assert "not a problem with your work" in results["output"]
    assert len(results["tests"]) == len(expected_tests())
    assert "sandbox: missing filesystem: the worker can see /autograder/source" in log
    assert "--allow-reduced-isolation" in log


@needs_bubblewrap
def test_a_failed_autograder_still_writes_results(bundle: Path, tmp_path: Path) -> None:
    """When the grading cannot even start (no Python), run_autograder writes a results.json
    of 0 points with a message for the student."""
    root = gradescope_root(bundle, tmp_path, {"answer.py": "x = 1\n"})
    results, log = run_autograder(root, COURSE_PYTHON="/bin/false")
    assert results["score"] == 0
    assert "not a problem with your work" in results["output"]
    assert "without results.json" in log


@needs_bubblewrap
def test_the_solution_scores_full_marks(bundle: Path, tmp_path: Path) -> None:
    """The reference solution, uploaded under another name: every check passed, one
    Gradescope test per check with its name, points and visibility, in the sandbox."""
    root = gradescope_root(bundle, tmp_path, {"week1.py": WEEK.solution.read_text()})
    results, log = run_autograder(root)
    assert results["score"] == WEEK.max_points, log
    assert [(t["name"], t["visibility"], t["max_score"]) for t in results["tests"]] == (
        expected_tests()
    )
    assert all(test["status"] == "passed" for test in results["tests"])
    assert {"visible", "after_due_date"} == {test["visibility"] for test in results["tests"]}
    assert f"{WEEK.max_points:g} / {WEEK.max_points:g} points" in results["output"]
    assert results["extra_data"]["launcher"].startswith("bubblewrap")
    assert results["extra_data"]["missing_protections"] == []


@needs_bubblewrap
def test_the_stub_scores_zero_with_messages(
    bundle: Path, wheel_python: str, tmp_path: Path
) -> None:
    """The untouched stub, graded by the course package the zip ships: 0 points, each check
    saying what is not implemented, and the summary where to start."""
    root = gradescope_root(bundle, tmp_path, {f"{WEEK.stem}.py": WEEK.assignment.read_text()})
    results, log = run_autograder(root, COURSE_PYTHON=wheel_python)
    assert f"running {Path(wheel_python).parent.parent}" in log
    assert results["score"] == 0, log
    assert len(results["tests"]) == len(expected_tests())
    assert all(test["status"] == "failed" for test in results["tests"])
    assert all("NotImplementedError" in test["output"] for test in results["tests"])
    assert "Nothing written yet" in results["output"]
