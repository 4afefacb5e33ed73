"""``course generate [--check] [--force]``: every stub in ``assignments/`` made from its
solution.

The stub is what nbgrader's solution-clearing makes of the solution
(:func:`course.nbgrader.stubs.clear_solutions`); stubs are never edited by hand. With
``check``, nothing is written and the out-of-date stubs are reported instead.

A stub is rewritten only when it is what ``generate`` last wrote (its digest is in
``assignments/.generated.json``): one that somebody edited since (a learner who worked in
``assignments/``) is left alone and reported, unless ``force``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from course.config import Week

#: The digest of each stub as ``generate`` wrote it, beside the stubs.
MANIFEST = ".generated.json"


@dataclass(frozen=True)
class StubStatus:
    week: Week
    up_to_date: bool
    #: Out of date and not rewritten: edited since ``generate`` wrote it.
    edited: bool = False


def expected_stub(week: Week) -> str:
    from course.nbgrader.stubs import clear_solutions

    return clear_solutions(week.solution.read_text(encoding="utf-8"))


def stale_stubs(weeks: Iterable[Week]) -> list[Week]:
    """The weeks whose stub differs from what their solution generates (or is missing)."""
    stale = []
    for week in weeks:
        current = week.assignment.read_text(encoding="utf-8") if week.assignment.is_file() else None
        if current != expected_stub(week):
            stale.append(week)
    return stale


def generate(
    weeks: Iterable[Week], *, check: bool = False, force: bool = False
) -> list[StubStatus]:
    """Write (or, with ``check``, only compare) every week's stub; report each one. A stub
    edited since it was generated is rewritten only with ``force``."""
    statuses = []
    manifests: dict[Path, dict[str, str]] = {}
    for week in weeks:
        folder = week.assignment.parent
        written = manifests.setdefault(folder, _read_manifest(folder))
        stub = expected_stub(week)
        current = week.assignment.read_text(encoding="utf-8") if week.assignment.is_file() else None
        edited = (
            current is not None
            and current != stub
            and written.get(week.assignment.name) != _digest(current)
        )
        if current == stub:
            written[week.assignment.name] = _digest(stub)
        elif not check and (force or not edited):
            week.assignment.write_text(stub, encoding="utf-8")
            written[week.assignment.name] = _digest(stub)
            edited = False
        statuses.append(StubStatus(week, current == stub, edited=edited))
    if not check:
        for folder, written in manifests.items():
            _write_manifest(folder, written)
    return statuses


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_manifest(folder: Path) -> dict[str, str]:
    try:
        document = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in document.items()} if isinstance(document, dict) else {}


def _write_manifest(folder: Path, written: dict[str, str]) -> None:
    text = json.dumps(dict(sorted(written.items())), indent=1) + "\n"
    path = folder / MANIFEST
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
