"""Warm workers: forks of a zygote, each in a sandbox of its own that nothing outlives."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from course.sandbox import Worker
from course.sandbox.zygote import Zygote, ZygoteLauncher

Write = Callable[..., Path]

#: A submission that reports what its sandbox looks like from inside.
LOOK_AROUND = """
import os, socket

def status(name):
    for line in open("/proc/self/status"):
        if line.startswith(name + ":"):
            return line.split(":", 1)[1].strip()

def look():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        loopback = True
    return {
        "uid": os.getuid(),
        "capabilities": status("CapEff"),
        "seccomp": status("Seccomp"),
        "no_new_privs": status("NoNewPrivs"),
        "interfaces": sorted(line.split(":")[0].strip()
                             for line in open("/proc/net/dev").readlines()[2:]),
        "loopback": loopback,
        "cwd": os.getcwd(),
        "scratch": sorted(os.listdir("/scratch")),
        "tmp": sorted(name for name in os.listdir("/tmp")),
        "shm": sorted(os.listdir("/dev/shm")),
        "submission": sorted(os.listdir("/submission")),
    }

def leave_traces():
    for folder in ("/scratch", "/tmp", "/dev/shm"):
        with open(os.path.join(folder, "left-behind"), "w") as stream:
            stream.write("from the previous worker")
    return True

def read_inputs(root):
    seen = sorted(os.listdir("/inputs"))
    try:
        others = sorted(os.listdir(root))
    except OSError as error:
        others = [type(error).__name__]
    return {"inputs": seen, "root": others}
"""


def _warm(zygote: Zygote, path: Path, workdir: Path) -> Worker:
    return Worker(path, workdir=workdir, launcher=ZygoteLauncher(zygote), tensorflow=False)


def _call(worker: Worker, function: str, *args: Any, timeout: float = 30) -> Any:
    outcome = worker.request(
        "call", {"function": function, "args": list(args)}, seed=0, timeout=timeout
    )
    assert outcome.status == "ok", outcome
    return outcome.value


def test_a_warm_worker_is_sandboxed_like_a_cold_one(
    plain_zygote: Zygote, write_submission: Write, tmp_path: Path
) -> None:
    """No capabilities, no_new_privs, the system-call filter, its own loopback only, an
    empty scratch folder and the submission alone in its folder."""
    path = write_submission(LOOK_AROUND)
    with Worker(path, workdir=tmp_path / "cold", tensorflow=False) as cold:
        expected = _call(cold, "look")
    with _warm(plain_zygote, path, tmp_path / "warm") as warm:
        seen = _call(warm, "look")
        assert warm.launcher.warm_starts == 1  # type: ignore[attr-defined]
    assert seen == expected
    assert int(seen["capabilities"], 16) == 0
    assert seen["seccomp"] == "2"
    assert seen["no_new_privs"] == "1"
    assert seen["interfaces"] == ["lo"]
    assert seen["uid"] != 0


def test_nothing_of_one_worker_reaches_the_next(
    plain_zygote: Zygote, write_submission: Write, tmp_path: Path
) -> None:
    """What a worker writes into its scratch folder, /tmp or /dev/shm is gone for the next
    fork of the same zygote."""
    path = write_submission(LOOK_AROUND)
    with _warm(plain_zygote, path, tmp_path / "first") as first:
        assert _call(first, "leave_traces") is True
        assert "left-behind" in _call(first, "look")["scratch"]
    with _warm(plain_zygote, path, tmp_path / "second") as second:
        seen = _call(second, "look")
    assert "left-behind" not in seen["scratch"] + seen["tmp"] + seen["shm"]


def test_a_worker_sees_its_own_inputs_only(
    plain_zygote: Zygote, write_submission: Write, tmp_path: Path
) -> None:
    """Each worker's grader inputs are in its /inputs; the folder with every worker's
    inputs is covered."""
    path = write_submission(LOOK_AROUND)
    with (
        _warm(plain_zygote, path, tmp_path / "a") as first,
        _warm(plain_zygote, path, tmp_path / "b") as second,
    ):
        (first.inputs / "mine.txt").write_text("a")
        (second.inputs / "theirs.txt").write_text("b")
        _call(second, "look")
        seen = _call(first, "read_inputs", str(plain_zygote.inputs_root))
    assert seen["inputs"] == ["mine.txt"]
    assert seen["root"] in ([], ["PermissionError"], ["FileNotFoundError"])


def test_a_worker_cannot_touch_a_sibling(
    plain_zygote: Zygote, write_submission: Write, tmp_path: Path
) -> None:
    """A worker forked beside another one can neither signal it (its pid is outside the
    worker's pid namespace, and a pidfd made from /proc is refused) nor read its memory or
    environment through /proc."""
    victim = write_submission("def alive():\n    return 'still here'\n", name="victim.py")
    attacker = write_submission(
        "import os, signal\n"
        "def attack():\n"
        "    done = []\n"
        "    for entry in os.listdir('/proc'):\n"
        "        if not entry.isdigit() or int(entry) == os.getpid():\n"
        "            continue\n"
        "        for name in ('mem', 'environ'):\n"
        "            try:\n"
        "                open(f'/proc/{entry}/{name}', 'rb').read(1)\n"
        "                done.append(f'read {entry}/{name}')\n"
        "            except OSError:\n"
        "                pass\n"
        "        try:\n"
        "            fd = os.open(f'/proc/{entry}', os.O_RDONLY | os.O_DIRECTORY)\n"
        "            signal.pidfd_send_signal(fd, signal.SIGKILL)\n"
        "            done.append(f'signalled {entry}')\n"
        "        except OSError:\n"
        "            pass\n"
        "    return done\n",
        name="attacker.py",
    )
    with _warm(plain_zygote, victim, tmp_path / "victim") as target:
        assert _call(target, "alive") == "still here"
        with _warm(plain_zygote, attacker, tmp_path / "attacker") as hostile:
            assert _call(hostile, "attack") == []
        assert _call(target, "alive") == "still here"
    assert plain_zygote.alive


def test_a_dead_zygote_leaves_workers_cold(write_submission: Write, tmp_path: Path) -> None:
    """When the zygote has ended, a launch starts the worker cold and it still answers."""
    from course.sandbox.bubblewrap import BubblewrapLauncher

    zygote = Zygote(BubblewrapLauncher(), tensorflow=False)
    path = write_submission("def f():\n    return 1\n")
    try:
        os.killpg(zygote._process.pid, 9)
        deadline = time.monotonic() + 10
        while zygote.alive and time.monotonic() < deadline:
            time.sleep(0.05)
        launcher = ZygoteLauncher(zygote)
        with Worker(path, workdir=tmp_path / "w", launcher=launcher, tensorflow=False) as worker:
            assert _call(worker, "f") == 1
        assert (launcher.warm_starts, launcher.cold_starts) == (0, 1)
    finally:
        zygote.close()


def test_warm_workers_start_in_a_fraction_of_a_second(
    plain_zygote: Zygote, write_submission: Write, tmp_path: Path
) -> None:
    """Once the zygote is ready, a worker answers its first request in well under a second
    (generous here for a loaded machine; ``benchmarks/grading_overhead.py`` measures it)."""
    path = write_submission("def f():\n    return 1\n")
    with _warm(plain_zygote, path, tmp_path / "ready") as worker:
        _call(worker, "f", timeout=120)  # waits for the zygote's imports, once
    begin = time.monotonic()
    with _warm(plain_zygote, path, tmp_path / "timed") as worker:
        _call(worker, "f")
    assert time.monotonic() - begin < 3.0


@pytest.mark.usefixtures("worker_start")
def test_a_killed_worker_leaves_no_process(write_submission: Write, tmp_path: Path) -> None:
    """A request that times out kills the worker and every process it started."""
    path = write_submission(
        "import subprocess, sys, time\n"
        "def spawn_and_hang():\n"
        "    code = 'import time; time.sleep(300)  # ZYGOTE-ORPHAN'\n"
        "    subprocess.Popen([sys.executable, '-c', code], start_new_session=True)\n"
        "    time.sleep(300)\n"
    )
    with Worker(path, workdir=tmp_path / "w", tensorflow=False) as worker:
        outcome = worker.request("call", {"function": "spawn_and_hang"}, seed=0, timeout=3)
    assert outcome.status == "timeout", outcome
    time.sleep(0.5)
    survivors = []
    for entry in Path("/proc").iterdir():
        try:
            if b"ZYGOTE-ORPHAN" in (entry / "cmdline").read_bytes():
                survivors.append(entry.name)
        except OSError:
            continue
    assert survivors == []
