"""The worker process: hostile submissions end in an Outcome, never in the caller's crash."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from course.sandbox import Worker

Write = Callable[..., Path]
pytestmark = pytest.mark.usefixtures("worker_start")


def _worker(path: Path, tmp_path: Path, **options: float) -> Worker:
    return Worker(path, workdir=tmp_path / "worker", tensorflow=False, **options)  # type: ignore[arg-type]


def test_values_cross_as_plain_data(write_submission: Write, tmp_path: Path) -> None:
    """A function's return value comes back as numbers and arrays."""
    path = write_submission("import numpy as np\ndef f(x):\n    return {'y': x * 2, 'n': 3}\n")
    with _worker(path, tmp_path) as worker:
        outcome = worker.request(
            "call", {"function": "f", "args": [np.arange(3)]}, seed=0, timeout=10
        )
    assert outcome.status == "ok"
    np.testing.assert_array_equal(outcome.value["y"], [0, 2, 4])
    assert outcome.value["n"] == 3


def test_exit_on_import_is_reported_once(write_submission: Write, tmp_path: Path) -> None:
    """os._exit(0) at import ends every request as 'exited' without restarting each time."""
    path = write_submission("import os\nos._exit(0)\n")
    with _worker(path, tmp_path) as worker:
        first = worker.request("call", {"function": "f"}, seed=0, timeout=10)
        second = worker.request("call", {"function": "g"}, seed=0, timeout=10)
        assert worker.started == 1
    assert first.status == second.status == "exited"
    assert first.during_import
    assert "exit code 0" in first.detail


def test_endless_loop_at_import_times_out_once(write_submission: Write, tmp_path: Path) -> None:
    """A module that never finishes importing costs one import time limit in all."""
    path = write_submission("while True:\n    pass\n")
    with _worker(path, tmp_path, import_timeout=1.0) as worker:
        begin = time.monotonic()
        first = worker.request("call", {"function": "f"}, seed=0, timeout=10)
        second = worker.request("call", {"function": "f"}, seed=0, timeout=10)
        elapsed = time.monotonic() - begin
    assert first.status == second.status == "timeout"
    assert elapsed < 5


def test_endless_loop_in_a_function_is_killed_and_the_worker_restarts(
    write_submission: Write, tmp_path: Path
) -> None:
    """A hanging call times out; the next request gets a fresh worker and succeeds."""
    path = write_submission(
        "print('about to loop')\ndef spin():\n    while True:\n        pass\n"
        "def ok():\n    return 1\n"
    )
    with _worker(path, tmp_path) as worker:
        hung = worker.request("call", {"function": "spin"}, seed=0, timeout=1)
        fine = worker.request("call", {"function": "ok"}, seed=0, timeout=10)
        assert worker.started == 2
    assert hung.status == "timeout"
    assert "about to loop" in hung.output_tail
    assert fine.status == "ok"
    assert fine.value == 1


def test_objects_overriding_eq_are_refused(write_submission: Write, tmp_path: Path) -> None:
    """An object that claims to equal everything never reaches the grader."""
    path = write_submission(
        "class Liar:\n    def __eq__(self, other):\n        return True\n"
        "def answer():\n    return Liar()\n"
        "class Sneaky(float):\n    def __eq__(self, other):\n        return True\n"
        "def number():\n    return Sneaky(1.0)\n"
    )
    with _worker(path, tmp_path) as worker:
        for function in ("answer", "number"):
            outcome = worker.request("call", {"function": function}, seed=0, timeout=10)
            assert outcome.status == "raised"
            assert outcome.error["kind"] == "invalid_return"


def test_exceptions_keep_only_the_submissions_frames(
    write_submission: Write, tmp_path: Path
) -> None:
    """A raised exception names its type and message and points into the student's file."""
    path = write_submission("def f():\n    return 1 / 0\n")
    with _worker(path, tmp_path) as worker:
        outcome = worker.request("call", {"function": "f"}, seed=0, timeout=10)
    assert outcome.status == "raised"
    assert outcome.error["type"] == "ZeroDivisionError"
    assert str(path) in outcome.error["traceback"]
    assert "course/probes" not in outcome.error["traceback"]


def test_missing_names_and_syntax_errors_are_described(
    write_submission: Write, tmp_path: Path
) -> None:
    """A missing function and a module that does not parse get their own kinds."""
    good = write_submission("x = 1\n", name="good.py")
    broken = write_submission("def f(:\n", name="broken.py")
    with _worker(good, tmp_path) as worker:
        missing = worker.request("call", {"function": "build_model"}, seed=0, timeout=10)
    with Worker(broken, workdir=tmp_path / "other", tensorflow=False) as worker:
        syntax = worker.request("call", {"function": "f"}, seed=0, timeout=10)
    assert missing.error["kind"] == "missing"
    assert "build_model" in missing.error["message"]
    assert syntax.error["kind"] == "syntax"
    assert syntax.during_import


def test_the_worker_does_not_inherit_the_callers_environment(
    write_submission: Write, tmp_path: Path, monkeypatch: object
) -> None:
    """Secrets in the grading process's environment are not visible to the submission."""
    import os

    os.environ["COURSE_TEST_SECRET"] = "s3cret"
    try:
        path = write_submission("import os\ndef peek():\n    return dict(os.environ)\n")
        with _worker(path, tmp_path) as worker:
            outcome = worker.request("call", {"function": "peek"}, seed=0, timeout=10)
    finally:
        del os.environ["COURSE_TEST_SECRET"]
    assert outcome.status == "ok"
    assert "COURSE_TEST_SECRET" not in outcome.value
    assert outcome.value["HOME"] == "/scratch/home"


def test_long_messages_keep_their_end(write_submission: Write, tmp_path: Path) -> None:
    """TensorFlow states the cause last: a long message keeps its end, without colour codes."""
    path = write_submission(
        "def f():\n    raise ValueError('\\x1b[1m' + 'x' * 5000 + ' the real cause')\n"
    )
    with _worker(path, tmp_path) as worker:
        outcome = worker.request("call", {"function": "f"}, seed=0, timeout=10)
    message = outcome.error["message"]
    assert message.endswith("the real cause")
    assert len(message) <= 2_100
    assert "\x1b" not in message


def test_logical_cpus_are_set_up_before_the_submission_is_imported(
    write_submission: Write, tmp_path: Path
) -> None:
    """With logical_cpus=2 TensorFlow in the worker sees two CPU devices; by default one."""
    path = write_submission(
        "import tensorflow as tf\n"
        "def cpus():\n"
        "    return [d.name for d in tf.config.list_logical_devices('CPU')]\n"
    )
    with Worker(path, workdir=tmp_path / "split", logical_cpus=2) as worker:
        split = worker.request("call", {"function": "cpus"}, seed=0, timeout=60)
    with Worker(path, workdir=tmp_path / "plain", tensorflow=False) as worker:
        plain = worker.request("call", {"function": "cpus"}, seed=0, timeout=60)
    assert split.status == plain.status == "ok", (split, plain)
    assert split.value == ["/device:CPU:0", "/device:CPU:1"]
    assert plain.value == ["/device:CPU:0"]


def test_longest_wait_counts_the_import_until_the_worker_answers(
    write_submission: Write, tmp_path: Path
) -> None:
    """Before the worker has imported the submission a request may also wait for the import."""
    path = write_submission("def f():\n    return 1\n")
    with _worker(path, tmp_path, import_timeout=30.0) as worker:
        assert worker.longest_wait(10) == 40
        assert worker.request("call", {"function": "f"}, seed=0, timeout=10).status == "ok"
        assert worker.longest_wait(10) == 10


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_busy_worker_dies_with_the_process_that_started_it(
    write_submission: Write, tmp_path: Path
) -> None:
    """A caller killed with SIGKILL mid-request (no chance to clean up) leaves no worker."""
    path = write_submission("import time\ndef wait():\n    print('busy')\n    time.sleep(600)\n")
    script = (
        "import threading, time\nfrom pathlib import Path\nfrom course.sandbox import Worker\n"
        f"worker = Worker(Path({str(path)!r}), workdir=Path({str(tmp_path / 'w')!r}), "
        "tensorflow=False)\n"
        "worker.start()\nprint(worker.pid, flush=True)\n"
        "threading.Thread(target=worker.request, args=('call', {'function': 'wait'}),"
        " kwargs={'seed': 0, 'timeout': 600}, daemon=True).start()\n"
        "while 'busy' not in worker._output.text():\n    time.sleep(0.05)\n"
        "print('busy', flush=True)\ntime.sleep(600)\n"
    )
    caller = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert caller.stdout is not None
    pid = int(caller.stdout.readline())
    assert caller.stdout.readline().strip() == "busy"
    caller.kill()
    caller.wait()
    _wait_until(lambda: not _alive(pid))
    assert not _alive(pid)


def _wait_until(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs and is not a zombie waiting for init to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_a_sandbox_that_cannot_start_is_never_the_students_fault(
    write_submission: Write, tmp_path: Path
) -> None:
    """A worker that ends before its boot message (here: no Python at all) is 'unavailable',
    which a grader reports as its own error, not as the submission's."""
    from course.grading.errors import GraderError
    from course.grading.submission import error_for

    path = write_submission("def f():\n    return 1\n")
    with Worker(path, workdir=tmp_path / "w", python="/bin/false", tensorflow=False) as worker:
        outcome = worker.request("call", {"function": "f"}, seed=0, timeout=10)
    assert outcome.status == "unavailable", outcome
    with pytest.raises(GraderError, match="not your fault"):
        error_for(outcome, action="f()")


def test_limits_end_in_their_own_outcomes(write_submission: Write, tmp_path: Path) -> None:
    """Output past the limit and a file past the size limit each say which limit it was."""
    from course.sandbox import Limits, default_launcher

    launcher = default_launcher()
    launcher.limits = Limits(output_bytes=1 << 20, file_bytes=1 << 20)
    path = write_submission(
        "def chatty():\n    while True:\n        print('x' * 1000)\n"
        "def big():\n    open('big', 'wb').write(b'x' * (2 << 20))\n"
    )
    with Worker(path, workdir=tmp_path / "w", launcher=launcher, tensorflow=False) as worker:
        chatty = worker.request("call", {"function": "chatty"}, seed=0, timeout=30)
        big = worker.request("call", {"function": "big"}, seed=0, timeout=30)
    assert chatty.status == "limit", chatty
    assert "printed more than 1 MiB" in chatty.detail
    assert "left out" in chatty.output_tail or len(chatty.output_tail) <= 2_000
    assert big.status == "raised", big
    assert "file size" in big.error["message"]


def test_without_cgroups_memory_and_processes_fall_back_to_rlimits(
    write_submission: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where no control group can be made, the address-space limit still ends a memory bomb
    in out_of_memory, and the per-user process limit still stops a fork bomb."""
    from course.sandbox import Limits, cgroups, default_launcher

    def unavailable(**_: object) -> None:
        raise cgroups.CgroupUnavailable("not here")

    monkeypatch.setattr(cgroups.ControlGroup, "create", unavailable)
    launcher = default_launcher()
    launcher.limits = Limits(memory_bytes=1 << 30, tasks=64)
    assert "setrlimit" in launcher.protections()["memory"].detail
    path = write_submission(
        "import os, time\n"
        "def hog():\n    return len([b'x' * (64 << 20) for _ in range(64)])\n"
        "def forks():\n"
        "    started = 0\n"
        "    for _ in range(200):\n"
        "        try:\n"
        "            pid = os.fork()\n"
        "        except OSError:\n"
        "            break\n"
        "        if pid == 0:\n"
        "            time.sleep(30)\n"
        "            os._exit(0)\n"
        "        started += 1\n"
        "    return started\n"
    )
    with Worker(path, workdir=tmp_path / "w", launcher=launcher, tensorflow=False) as worker:
        hog = worker.request("call", {"function": "hog"}, seed=0, timeout=60)
        forks = worker.request("call", {"function": "forks"}, seed=0, timeout=60)
    assert hog.status == "out_of_memory", hog
    assert forks.status == "ok", forks
    assert forks.value < 64
