"""course doctor: every protection verified from inside a real sandbox."""

from __future__ import annotations

import json

from click.testing import CliRunner

from course.cli import main
from course.sandbox import LocalLauncher, seccomp
from course.sandbox.doctor import diagnose, diagnose_warm
from course.sandbox.launchers import PROTECTIONS
from tests.conftest import needs_bubblewrap


@needs_bubblewrap
def test_the_sandbox_gives_every_protection() -> None:
    """With bubblewrap every protection is active, and each says how."""
    diagnosis = diagnose()
    assert diagnosis.launcher == "bubblewrap"
    assert list(diagnosis.protections) == list(PROTECTIONS)
    assert diagnosis.missing == [], diagnosis.to_dict()
    assert "loopback" in diagnosis.protections["network"].detail


@needs_bubblewrap
def test_a_warm_worker_gives_every_protection_too() -> None:
    """A fork of a zygote (how a class's batch starts its workers) is verified from inside
    like a cold worker; its /proc showing the zygote's processes is said, not hidden."""
    diagnosis = diagnose_warm()
    assert diagnosis is not None
    assert diagnosis.launcher == "bubblewrap, warm"
    assert diagnosis.missing == [], diagnosis.to_dict()
    assert "zygote" in diagnosis.protections["processes"].detail


def test_the_local_launcher_is_seen_for_what_it_lacks() -> None:
    """Run as a plain child process, the worker sees the network, the user's files and
    other processes, and no filter: the doctor says so from inside, with the reason."""
    diagnosis = diagnose(launcher=LocalLauncher())
    missing = diagnosis.missing
    for name in ("network", "filesystem", "seccomp"):
        assert name in missing, diagnosis.to_dict()
    assert "network interfaces" in diagnosis.protections["network"].detail


@needs_bubblewrap
def test_doctor_json_has_the_documented_shape() -> None:
    """`course doctor --json`: {"protections": {name: {"active", "detail"}}}, exit code 0."""
    result = CliRunner().invoke(main, ["doctor", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert set(document["protections"]) == set(PROTECTIONS)
    for protection in document["protections"].values():
        assert protection["active"] is True
        assert protection["detail"]


def test_the_filter_compiles_and_names_real_system_calls() -> None:
    """libseccomp compiles the filter; the calls it refuses exist on this architecture."""
    program = seccomp.compile_filter()
    assert len(program) % 8 == 0  # struct sock_filter entries
    assert "ptrace" in seccomp.DENIED
    assert seccomp.available() is None
