"""Each student's extensions reach only them (course.classroom.notices): addresses students
can leave but not list, notices only the holder of an address can find."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from course.classroom import notices
from course.config import ClassroomError

NOBODY = 65534


def test_a_notice_reaches_the_student_who_left_the_address(tmp_path: Path) -> None:
    """Before any notice nothing is known (None, not "no extension"); after publishing, a
    student with an extension reads it and one without reads an empty table; taking the
    extension back empties the notice."""
    exchange, ada, bob = tmp_path / "exchange", tmp_path / "ada-cache", tmp_path / "bob-cache"
    assert notices.register(exchange, "tf101", "ada", ada) is None  # no addresses folder yet
    notices.publish(exchange, "tf101", {})
    address = notices.register(exchange, "tf101", "ada", ada)
    assert address is not None
    assert notices.register(exchange, "tf101", "ada", ada) == address  # kept, not renewed
    notices.register(exchange, "tf101", "bob", bob)
    assert notices.extensions_for(exchange, "tf101", "ada", ada) is None

    sent = notices.publish(exchange, "tf101", {"ada": {"week02": 2.0}, "cy": {"week02": 1.0}})
    assert sent == notices.Published(sent=("ada", "bob"), waiting=("cy",))
    assert notices.extensions_for(exchange, "tf101", "ada", ada) == {"week02": 2.0}
    assert notices.extensions_for(exchange, "tf101", "bob", bob) == {}
    course = exchange / "tf101"
    assert (course / "addresses").stat().st_mode & 0o777 == 0o733
    assert (course / "notices").stat().st_mode & 0o777 == 0o711
    assert (course / "notices" / f"{address}.json").stat().st_mode & 0o777 == 0o644
    assert (ada / ".course-address-ada").stat().st_mode & 0o777 == 0o600

    notices.publish(exchange, "tf101", {})
    assert notices.extensions_for(exchange, "tf101", "ada", ada) == {}


def test_a_notice_for_another_student_is_not_theirs(tmp_path: Path) -> None:
    """A notice is read only under the name it was written for, and a damaged one reads as
    unknown, never as an extension."""
    exchange, cache = tmp_path / "exchange", tmp_path / "cache"
    notices.publish(exchange, "tf101", {})
    address = notices.register(exchange, "tf101", "ada", cache)
    notice = exchange / "tf101/notices" / f"{address}.json"
    notice.write_text(json.dumps({"student": "bob", "extensions": {"week02": 9}}))
    assert notices.extensions_for(exchange, "tf101", "ada", cache) is None
    notice.write_text("{not json")
    assert notices.extensions_for(exchange, "tf101", "ada", cache) is None
    notice.write_text('["ada"]')  # JSON, but not a notice
    assert notices.extensions_for(exchange, "tf101", "ada", cache) is None


needs_root = pytest.mark.skipif(
    os.getuid() != 0 or shutil.which("setpriv") is None,
    reason="needs root and setpriv to act as another login",
)


@needs_root
def test_an_address_under_another_students_name_gets_no_notice(tmp_path: Path) -> None:
    """An address file owned by a login other than the one it names (and not the
    instructor's) is a forgery: publishing skips it, so no one harvests another's notice."""
    exchange = tmp_path / "exchange"
    notices.publish(exchange, "tf101", {})
    forged = exchange / "tf101/addresses" / f"ada+{'a' * 32}"
    forged.touch()
    os.chown(forged, NOBODY, NOBODY)
    sent = notices.publish(exchange, "tf101", {"ada": {"week02": 3.0}})
    assert sent.sent == ()
    assert not (exchange / "tf101/notices" / f"{'a' * 32}.json").exists()


@needs_root
def test_another_login_can_neither_list_addresses_nor_notices(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """As another Unix login: the address and notice folders cannot be listed, an address
    can still be left, and a notice is read only by knowing its name."""
    shared = Path(tempfile.mkdtemp(prefix="course-exchange-"))  # pytest's are private
    shared.chmod(0o755)
    exchange = shared / "exchange"
    request.addfinalizer(lambda: shutil.rmtree(shared))
    notices.publish(exchange, "tf101", {"ada": {"week02": 2.0}})
    address = notices.register(exchange, "tf101", "ada", tmp_path / "cache")
    notices.publish(exchange, "tf101", {"ada": {"week02": 2.0}})

    def as_nobody(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command],
            capture_output=True,
            text=True,
            check=False,
        )

    for folder in ("addresses", "notices"):
        listed = as_nobody("ls", str(exchange / "tf101" / folder))
        assert listed.returncode != 0
        assert "Permission denied" in listed.stderr
    read = as_nobody("cat", str(exchange / "tf101/notices" / f"{address}.json"))
    assert read.returncode == 0
    assert '"week02": 2.0' in read.stdout
    left = as_nobody("touch", str(exchange / "tf101/addresses" / f"nobody+{'b' * 32}"))
    assert left.returncode == 0, left.stderr


@needs_root
def test_an_address_folder_made_by_a_student_is_refused(tmp_path: Path) -> None:
    """A student who made the address folder first could list everyone's addresses, so the
    instructor's side refuses to use it, naming the fix."""
    addresses = tmp_path / "exchange/tf101/addresses"
    addresses.mkdir(parents=True)
    os.chown(addresses, NOBODY, NOBODY)
    with pytest.raises(ClassroomError, match="belongs to another login"):
        notices.publish(tmp_path / "exchange", "tf101", {})
