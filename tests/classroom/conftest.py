"""Fixtures for the classroom tests: a toy course with solution markers, course directories
on SQLite and on a real PostgreSQL server, and students with their own folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from course.classroom import workflow
from course.classroom.generate import generate
from course.classroom.settings import CourseSettings
from course.config import Layout, Week
from tests.conftest import TOY_GRADER

TOY_SOLUTION = '''\
# %%
"""Week 1: toy arithmetic (a generated course for the platform's own tests)."""


# %%
def double(x: float) -> float:
    """Exercise 1.1: return 2 * x."""
    ### BEGIN SOLUTION
    return 2 * x
    ### END SOLUTION


# %%
def greet(name: str) -> str:
    """Exercise 1.2: return "hello NAME"."""
    ### BEGIN SOLUTION
    return "hello " + name
    ### END SOLUTION
'''


@pytest.fixture
def marked_course(tmp_path: Path) -> Layout:
    """A one-week toy course whose stub is generated from a marked solution."""
    root = tmp_path / "toy-course"
    for folder in ("assignments", "solutions", "graders/week01_toy"):
        (root / folder).mkdir(parents=True)
    (root / "solutions/week01_toy.py").write_text(TOY_SOLUTION)
    (root / "graders/week01_toy/test_toy.py").write_text(TOY_GRADER)
    (root / "graders/week01_toy/worker.toml").write_text("tensorflow = false\n")
    generate(Layout(root).weeks)
    return Layout(root)


@pytest.fixture(scope="session")
def initialized(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A course directory made once by ``workflow.init`` (seconds: nbgrader's gradebook and
    its migrations), with its exchange beside it; tests get copies (:func:`copy_course`)."""
    base = tmp_path_factory.mktemp("initialized")
    workflow.init(
        root=base / "course",
        course_id="tf101",
        database="sqlite:///gradebook.db",
        exchange=str(base / "exchange"),
    )
    return base


def copy_course(initialized: Path, target: Path) -> CourseSettings:
    """A copy of the initialized course at ``target/course``, its exchange at
    ``target/exchange``, as ``workflow.init`` would have made them there."""
    shutil.copytree(initialized / "course", target / "course", symlinks=True)
    if (initialized / "exchange").exists():
        shutil.copytree(initialized / "exchange", target / "exchange", symlinks=True)
    else:
        (target / "exchange").mkdir()
    settings_file = target / "course" / "course.toml"
    text = settings_file.read_text(encoding="utf-8")
    old = f'exchange = "{initialized / "exchange"}"'
    assert old in text, "course.toml no longer names its exchange as the copy expects"
    settings_file.write_text(text.replace(old, f'exchange = "{target / "exchange"}"'))
    return CourseSettings.load(target / "course")


@pytest.fixture
def released(
    marked_course: Layout, tmp_path: Path, initialized: Path
) -> tuple[CourseSettings, Week]:
    """A course directory on SQLite with the toy week released."""
    settings = copy_course(initialized, tmp_path)
    week = marked_course.weeks[0]
    workflow.release(settings=settings, week=week)
    return settings, week


def _postgres_binaries() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return candidates[-1].parent if candidates else None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL server on a Unix socket; yields a URL without a database.

    Uses ``$COURSE_TEST_POSTGRES_URL`` when set (a server you run). Otherwise starts one from
    the installed PostgreSQL binaries (Debian's ``postgresql`` package; ``.ci/run`` installs
    it), as the ``postgres`` user when running as root. Skips when neither is available,
    unless ``$COURSE_REQUIRE_POSTGRES`` is set (CI), where it fails instead.
    """
    configured = os.environ.get("COURSE_TEST_POSTGRES_URL")
    if configured:
        yield configured.rstrip("/")
        return
    binaries = _postgres_binaries()
    if binaries is None:
        message = "PostgreSQL is not installed (apt-get install postgresql)"
        if os.environ.get("COURSE_REQUIRE_POSTGRES"):
            pytest.fail(message)
        pytest.skip(message)
    # Not under pytest's temporary folder: the postgres user must be able to enter it.
    base = Path(tempfile.mkdtemp(prefix="course-postgres-"))
    data, socket = base / "data", base / "socket"
    socket.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:
        prefix = ["runuser", "-u", "postgres", "--"]
        base.chmod(0o755)
        shutil.chown(base, "postgres")
        shutil.chown(socket, "postgres")
    port = str(20000 + os.getpid() % 20000)

    def run(*argv: str) -> None:
        subprocess.run([*prefix, *argv], check=True, capture_output=True, timeout=120)

    run(str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    run(
        str(binaries / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(base / "log"),
        "-w",
        "-o",
        f"-k {socket} -p {port} -c listen_addresses=''",
        "start",
    )
    try:
        yield f"postgresql+psycopg://postgres@/?host={socket}&port={port}"
    finally:
        subprocess.run(
            [*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
            capture_output=True,
            timeout=120,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database on the test server; dropped afterwards."""
    import sqlalchemy

    name = f"course_{uuid.uuid4().hex[:12]}"
    base, _, query = postgres_server.partition("?")
    admin = sqlalchemy.create_engine(
        f"{base.rstrip('/')}/postgres" + (f"?{query}" if query else ""),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{base.rstrip('/')}/{name}" + (f"?{query}" if query else "")
    finally:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def course_command(*argv: str, env: dict[str, str], **options: Any) -> subprocess.Popen[bytes]:
    """``course ARGV...`` as a real process of its own (output on its stdout pipe)."""
    return subprocess.Popen(
        [sys.executable, "-c", "from course.cli import main; main()", *argv],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        **options,
    )
