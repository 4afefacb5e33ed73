"""The hardened launcher: each worker in a bubblewrap sandbox of its own.

What the worker gets (see the README's "Security model"):

* new user, pid, network, ipc, uts and mount namespaces: no network interface but its own
  loopback, its own ``/proc``, and every process of the sandbox killed when the worker ends
  (the kernel ends a pid namespace with its first process), however it forked or detached;
* an unprivileged user: as root, bubblewrap builds the sandbox and ``setpriv`` then drops to
  uid/gid 65534 with no capabilities and ``no_new_privs``; as another user, the sandbox is an
  unprivileged user namespace and the worker keeps that user's uid, without capabilities;
* a filesystem of its own, built from an empty root: the system (``/usr``) and the Python
  environment read-only, the submission file and the grader's inputs read-only, private
  ``tmpfs`` folders of capped size as the only writable places (``/scratch`` and ``/tmp``).
  Nothing of the course is there: not its solutions, graders, gradebook, exchange,
  datasets or caches, nor the user's home; label files that system packages ship
  (``/usr/share/datasets``, scikit-learn's bundled datasets) are hidden;
* limits (memory and processes by cgroup where possible, the rest by ``setrlimit``) and a
  system-call filter (:mod:`course.sandbox.seccomp`).
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import site
import subprocess
import sys
import tempfile
from dataclasses import replace
from functools import cache
from pathlib import Path

import course
from course.sandbox import seccomp
from course.sandbox.launchers import (
    Job,
    Launched,
    Protection,
    cgroup_problem,
    child_setup,
    make_group,
)
from course.sandbox.limits import MIB, Limits

SCRATCH = "/scratch"
SUBMISSION_FOLDER = "/submission"
INPUTS = "/inputs"
#: The user the worker runs as when the grading process is root: ``nobody``.
UNPRIVILEGED_ID = 65534
#: What of the course package the worker needs: the worker, its protocol and the probes.
WORKER_PACKAGE_PARTS = ("__init__.py", "sandbox", "probes")
#: System folders that are either links into /usr (merged /usr) or folders to show read-only.
SYSTEM_ROOTS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
#: Files of /etc the dynamic linker and Python may read; nothing else of /etc is shown.
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "nsswitch.conf")
#: Label-bearing data that system packages install, hidden from the worker.
HIDDEN_SYSTEM_DATA = ("/usr/share/datasets",)
#: ``(package, folder inside it)``: bundled datasets with labels, hidden from the worker.
HIDDEN_PACKAGE_DATA = (("sklearn", "datasets/data"), ("sklearn", "datasets/images"))


class BubblewrapUnavailable(RuntimeError):
    """bubblewrap cannot build a sandbox here; the message says why and what to install."""


class BubblewrapLauncher:
    """Starts each worker in its own bubblewrap sandbox (see the module docstring)."""

    name = "bubblewrap"

    def __init__(self, limits: Limits | None = None, *, bwrap: str | None = None) -> None:
        self.limits = limits or Limits()
        found = bwrap or shutil.which("bwrap")
        if found is None:
            raise BubblewrapUnavailable(
                "bubblewrap (bwrap) is not installed; on Debian or Ubuntu: apt-get install "
                "bubblewrap"
            )
        self.bwrap = found
        self.privileged = os.geteuid() == 0
        problem = smoke_test(self.bwrap, self.privileged)
        if problem is not None:
            raise BubblewrapUnavailable(problem)
        self._filter = _seccomp_filter()

    @property
    def seccomp_filter(self) -> bytes | None:
        """The compiled system-call filter every worker gets (``None`` without libseccomp)."""
        return self._filter

    def inputs_folder(self, workdir: Path) -> Path:
        return workdir / "inputs"

    # -- what it protects ------------------------------------------------------------

    def protections(self) -> dict[str, Protection]:
        group = cgroup_problem(self.limits)
        if self.privileged:
            user = Protection(
                True,
                f"uid/gid {UNPRIVILEGED_ID} (nobody) without capabilities, no_new_privs "
                "(bubblewrap as root, then setpriv)",
            )
        else:
            user = Protection(
                True,
                f"this user's uid {os.geteuid()} inside an unprivileged user namespace, "
                "without capabilities",
            )
        tasks = (
            f"at most {self.limits.tasks} processes and threads (pids cgroup)"
            if group is None
            else f"at most {self.limits.tasks} processes per user id (setrlimit; {group})"
        )
        memory = (
            Protection(
                True,
                f"{_mib(self.limits.memory_bytes)} cgroup memory limit, scratch files included",
            )
            if group is None
            else Protection(
                True, f"{_mib(self.limits.memory_bytes)} address-space limit (setrlimit); {group}"
            )
        )
        return {
            "network": Protection(True, "own network namespace: no interface but its loopback"),
            "user": user,
            "filesystem": Protection(
                True,
                "own mount namespace: system and Python read-only, the submission read-only, "
                f"a {_mib(self.limits.scratch_bytes)} private scratch tmpfs; nothing of the "
                "course, its data or the user's home",
            ),
            "processes": Protection(
                True, "own pid namespace: every process ends with the worker; " + tasks
            ),
            "memory": memory,
            "seccomp": Protection(
                self._filter is not None,
                f"{len(seccomp.DENIED)} system calls refused (ptrace, mount, bpf...), no new "
                "namespaces"
                if self._filter is not None
                else _seccomp_problem() or "no filter",
            ),
        }

    # -- starting a worker -----------------------------------------------------------

    def launch(self, job: Job) -> Launched:
        group = make_group(self.limits)
        rlimits = self.limits.rlimits(memory_by_rlimit=group is None, tasks_by_rlimit=group is None)
        filter_read = -1
        if self._filter is not None:
            filter_read, filter_write = os.pipe()
            os.write(filter_write, self._filter)
            os.close(filter_write)
        submission = f"{SUBMISSION_FOLDER}/{job.submission.name}"
        job = replace(job, submission=_readable_copy(job))
        argv = self.command(job, seccomp_fd=filter_read) + job.argv(submission=submission)
        env = dict(
            job.env,
            HOME=f"{SCRATCH}/home",
            TMPDIR=f"{SCRATCH}/tmp",
            COURSE_SCRATCH=SCRATCH,
        )
        try:
            process = subprocess.Popen(
                argv,
                cwd="/",
                env=env,
                pass_fds=tuple(fd for fd in (job.read_fd, job.write_fd, filter_read) if fd >= 0),
                stdin=subprocess.DEVNULL,
                stdout=job.output_fd,
                stderr=job.output_fd,
                start_new_session=True,
                preexec_fn=child_setup(os.getpid(), self.limits, rlimits, group),
            )
        except BaseException:
            if group is not None:
                group.remove()
            raise
        finally:
            if filter_read >= 0:
                os.close(filter_read)
        return Launched(
            process=process,
            limits=self.limits,
            group=group,
            inputs_inside=INPUTS if job.inputs is not None else None,
            submission_inside=submission,
            signals_as_exit_codes=True,
        )

    def command(self, job: Job | None, *, seccomp_fd: int = -1) -> list[str]:
        """The ``bwrap`` command line up to (not including) the worker's own argv.

        Without a ``job``, the sandbox of a zygote (:mod:`course.sandbox.zygote`): no
        submission, and user namespaces allowed, since each of its forks builds its own
        sandbox inside (and applies the system-call filter itself).
        """
        argv = [
            self.bwrap,
            "--unshare-pid",
            "--unshare-net",
            "--unshare-ipc",
            "--unshare-uts",
            "--unshare-cgroup-try",
            "--hostname",
            "sandbox",
            "--die-with-parent",
            "--new-session",
        ]
        if not self.privileged:
            argv += [
                "--unshare-user",
                "--uid",
                str(UNPRIVILEGED_ID),
                "--gid",
                str(UNPRIVILEGED_ID),
                *(["--disable-userns"] if job is not None else []),
                "--cap-drop",
                "ALL",
            ]
        argv += _filesystem(job, self.limits)
        if seccomp_fd >= 0:
            argv += ["--seccomp", str(seccomp_fd)]
        argv += ["--chdir", SCRATCH, "--"]
        if self.privileged:
            argv += [
                "/usr/bin/setpriv",
                f"--reuid={UNPRIVILEGED_ID}",
                f"--regid={UNPRIVILEGED_ID}",
                "--clear-groups",
                "--inh-caps=-all",
                "--bounding-set=-all",
                "--no-new-privs",
            ]
        return argv


def _readable_copy(job: Job) -> Path:
    """The submission copied where the unprivileged worker can read it (the original may be
    private to its owner); the copy keeps the original's name."""
    folder = (job.scratch or Path(tempfile.mkdtemp(prefix="course-submission-"))) / "submission"
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / job.submission.name
    copy.unlink(missing_ok=True)
    shutil.copyfile(job.submission, copy)
    copy.chmod(0o444)
    return copy


def _system() -> list[str]:
    """``/usr`` read-only, and the folders that merged-``/usr`` systems link into it."""
    argv = ["--ro-bind", "/usr", "/usr"]
    for root in SYSTEM_ROOTS:
        path = Path(root)
        if path.is_symlink():
            argv += ["--symlink", os.readlink(path), root]
        elif path.is_dir():
            argv += ["--ro-bind", root, root]
    return argv


def _filesystem(job: Job | None, limits: Limits) -> list[str]:
    argv = _system()
    folders = _Folders(argv)
    folders.make("/etc")
    for name in ETC_FILES:
        if os.path.lexists(f"/etc/{name}"):
            argv += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    skeleton = _skeleton()
    for name in ("passwd", "group", "hosts"):
        argv += ["--ro-bind", str(skeleton / name), f"/etc/{name}"]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    argv += ["--perms", "1777", "--size", str(64 * MIB), "--tmpfs", "/dev/shm"]
    for device in _gpu_devices():
        argv += ["--dev-bind", device, device]
    if _gpu_devices():
        argv += ["--ro-bind", "/sys", "/sys"]
    # A private /tmp first: a Python environment or a course checkout under /tmp on the host
    # is then shown inside it, read-only, and nothing else of the host's /tmp is.
    argv += ["--perms", "1777", "--size", str(limits.scratch_bytes), "--tmpfs", "/tmp"]
    folders.made("/tmp")
    for folder in python_folders():
        folders.bind(folder)
    package = Path(course.__file__).resolve().parent
    if not any(_inside(package, Path(folder)) for folder in python_folders()):
        for part in WORKER_PACKAGE_PARTS:
            folders.bind(str(package / part))
    for folder in hidden_data():
        argv += ["--perms", "0555", "--size", "4096", "--tmpfs", folder, "--remount-ro", folder]
    argv += ["--perms", "1777", "--size", str(limits.scratch_bytes), "--tmpfs", SCRATCH]
    folders.make(SUBMISSION_FOLDER)
    if job is None:  # a zygote's: each fork mounts its own submission and inputs
        folders.make(INPUTS)
        return argv
    argv += ["--ro-bind", str(job.submission), f"{SUBMISSION_FOLDER}/{job.submission.name}"]
    if job.inputs is not None:
        argv += ["--ro-bind", str(job.inputs), INPUTS]
    return argv


def zygote_command(
    launcher: BubblewrapLauncher, *, python: str, inputs_root: Path
) -> tuple[list[str], dict[str, str], list[str]]:
    """The command line and environment of a zygote in ``launcher``'s sandbox, and the
    folders under ``/tmp`` it shows read-only (each fork shows them again in its own /tmp).
    ``inputs_root`` (every worker's grader inputs) is shown read-only at the same path."""
    from course.sandbox.process import worker_environment

    argv = launcher.command(None)
    separator = argv.index("--")
    root = str(inputs_root.resolve())
    shown = ["--perms", "0755", "--dir", str(Path(root).parent), "--ro-bind", root, root]
    argv[separator:separator] = shown
    targets = [argv[index + 2] for index, item in enumerate(argv) if item == "--ro-bind"]
    kept = [path for path in targets if path.startswith("/tmp/") and path != root]
    argv += [python, "-I", "-m", "course.sandbox.forks", "--inputs-root", root]
    env = dict(
        worker_environment(),
        HOME=f"{SCRATCH}/home",
        TMPDIR=f"{SCRATCH}/tmp",
        COURSE_SCRATCH=SCRATCH,
    )
    return argv, env, kept


class _Folders:
    """Adds bubblewrap operations that bind a path, making each folder above it first with
    mode 0755 (bubblewrap's own would be 0700, closed to the unprivileged worker)."""

    def __init__(self, argv: list[str]) -> None:
        self._argv = argv
        self._made: set[str] = {"/"}

    def made(self, folder: str) -> None:
        """``folder`` exists already (a tmpfs mounted there)."""
        self._made.add(folder)

    def make(self, folder: str) -> None:
        path = Path(folder)
        for parent in [*reversed(path.parents), path]:
            name = str(parent)
            if name not in self._made:
                self._argv += ["--perms", "0755", "--dir", name]
                self._made.add(name)

    def bind(self, path: str) -> None:
        self.make(str(Path(path).parent))
        self._argv += ["--ro-bind", path, path]
        self._made.add(path)


@cache
def python_folders() -> tuple[str, ...]:
    """The Python installation and its packages, outermost folders only, outside /usr."""
    candidates = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        os.path.dirname(os.path.realpath(sys.executable)),
        *site.getsitepackages(),
    }
    folders = sorted(
        str(Path(path).resolve()) for path in candidates if path and os.path.isdir(path)
    )
    outermost: list[str] = []
    for folder in folders:
        if _inside(Path(folder), Path("/usr")):
            continue
        if any(_inside(Path(folder), Path(kept)) for kept in outermost):
            continue
        outermost.append(folder)
    return tuple(outermost)


@cache
def hidden_data() -> tuple[str, ...]:
    """Folders of labelled data the system or installed packages ship, which exist here."""
    found = [folder for folder in HIDDEN_SYSTEM_DATA if os.path.isdir(folder)]
    for package, relative in HIDDEN_PACKAGE_DATA:
        try:
            spec = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            continue
        if spec is None or not spec.submodule_search_locations:
            continue
        folder = Path(next(iter(spec.submodule_search_locations))) / relative
        if folder.is_dir():
            found.append(str(folder.resolve()))
    return tuple(found)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


@cache
def _gpu_devices() -> tuple[str, ...]:
    """NVIDIA device files, passed through so that TensorFlow finds a GPU as it would."""
    try:
        names = sorted(os.listdir("/dev"))
    except OSError:
        return ()
    return tuple(f"/dev/{name}" for name in names if name.startswith("nvidia"))


@cache
def _skeleton() -> Path:
    """A folder with the worker's /etc/passwd, /etc/group and /etc/hosts."""
    folder = Path(tempfile.mkdtemp(prefix="course-sandbox-etc-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    user = UNPRIVILEGED_ID
    (folder / "passwd").write_text(
        f"root:x:0:0:root:/root:/usr/sbin/nologin\n"
        f"student:x:{user}:{user}:student:{SCRATCH}/home:/usr/sbin/nologin\n"
    )
    (folder / "group").write_text(f"root:x:0:\nstudent:x:{user}:\n")
    (folder / "hosts").write_text("127.0.0.1 localhost sandbox\n::1 localhost\n")
    for path in folder.iterdir():
        path.chmod(0o644)
    folder.chmod(0o755)
    return folder


@cache
def _seccomp_filter() -> bytes | None:
    try:
        return seccomp.compile_filter()
    except seccomp.SeccompUnavailable:
        return None


def _seccomp_problem() -> str | None:
    return seccomp.available()


@cache
def smoke_test(bwrap: str, privileged: bool) -> str | None:
    """Start an empty sandbox once: ``None`` when it works, else what bubblewrap said."""
    argv = [bwrap, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
    if not privileged:
        argv += ["--unshare-user"]
    argv += [*_system(), "--proc", "/proc", "--dev", "/dev", "--", "/usr/bin/true"]
    try:
        result = subprocess.run(argv, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bubblewrap could not start a sandbox: {error}"
    if result.returncode != 0:
        said = result.stderr.decode(errors="replace").strip()
        hint = (
            " (unprivileged user namespaces may be disabled: sysctl "
            "kernel.unprivileged_userns_clone=1, or run as root)"
            if not privileged
            else ""
        )
        return f"bubblewrap could not start a sandbox: {said or result.returncode}{hint}"
    return None


def _mib(count: int) -> str:
    return f"{count / MIB:,.0f} MiB" if count < 1 << 30 else f"{count / (1 << 30):g} GiB"
