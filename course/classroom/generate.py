"""``course generate [--check]``: every stub in ``assignments/`` made from its solution.

The stub is what nbgrader's solution-clearing makes of the solution
(:func:`course.nbgrader.stubs.clear_solutions`); stubs are never edited by hand. With
``check``, nothing is written and the out-of-date stubs are reported instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from course.config import Week


@dataclass(frozen=True)
class StubStatus:
    week: Week
    up_to_date: bool


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


def generate(weeks: Iterable[Week], *, check: bool = False) -> list[StubStatus]:
    """Write (or, with ``check``, only compare) every week's stub; report each one."""
    statuses = []
    for week in weeks:
        stub = expected_stub(week)
        current = week.assignment.read_text(encoding="utf-8") if week.assignment.is_file() else None
        if current != stub and not check:
            week.assignment.write_text(stub, encoding="utf-8")
        statuses.append(StubStatus(week, current == stub))
    return statuses
