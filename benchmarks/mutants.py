"""Mutation testing of the graders: which wrong answers derived from each reference the
graders catch, and by which check.

For every week (or those named), :func:`course.mutants.mutants` derives wrong answers from
the reference solution, one mistake each (an activation dropped, ``from_logits`` flipped, a
layer removed, an off-by-one, ...). Each is graded in the sandbox like a student's file, on
the grader files that exercise the function it changes (those naming it or a function that
calls it), at the same seed as the reference. A mutant is

* **killed** when a check the reference passes fails (or errors, times out, crashes) on it;
  the report names those checks;
* **equivalent** when the week's grader docstrings record it so, with the reason
  (``Equivalent mutants:``): it changes nothing a student should be graded on;
* **surviving** otherwise: a wrong answer that scores full marks.

The kill rate is killed / (mutants - equivalent). Surviving mutants are listed with the line
they change, so a grader author can write the check that catches them.

Usage:
    python benchmarks/mutants.py [WEEK ...] [--families activations,layers] [--only ID ...]
                                 [--seed N] [--jobs N] [--sample N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from course.config import Layout, Week
from course.grading.results import GradeReport
from course.grading.runner import GradingFailed, grade
from course.grading.template import warm_grading
from course.mutants import Mutant, equivalents, exercising_files, mutants

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Outcome:
    """One mutant's grading: the checks it failed that the reference passed."""

    mutant: Mutant
    verdict: str  # killed, surviving, equivalent, not-graded
    killed_by: list[str] = field(default_factory=list)
    reason: str = ""
    seconds: float = 0.0
    files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.mutant.id,
            "operator": self.mutant.operator,
            "line": self.mutant.line,
            "change": f"{self.mutant.before} -> {self.mutant.after or '(removed)'}",
            "verdict": self.verdict,
            "killed_by": self.killed_by,
            "reason": self.reason,
            "seconds": round(self.seconds, 1),
            "files": self.files,
        }


def _top_level(function: str) -> str:
    return function.split(".")[0]


def _passed(report: GradeReport) -> set[str]:
    return {check.id for check in report.checks if check.passed}


def grade_mutant(
    week: Week,
    mutant: Mutant,
    files: list[str],
    reference: set[str],
    seed: int,
    timeout: float,
) -> Outcome:
    begin = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="course-mutant-") as folder:
        submission = Path(folder) / f"{week.stem}.py"
        submission.write_text(mutant.source, encoding="utf-8")
        try:
            report = grade(
                graders=week.graders,
                submission=submission,
                week=week.label,
                seed=seed,
                only=files,
                timeout=timeout,
            )
        except GradingFailed as error:
            return Outcome(
                mutant,
                "killed",
                ["(grading stopped)"],
                str(error)[:200],
                time.monotonic() - begin,
                files,
            )
    expected = {check_id for check_id in reference if check_id.split("::")[0] in files}
    killed_by = sorted(expected - _passed(report))
    if report.has_internal_errors:
        return Outcome(
            mutant,
            "not-graded",
            killed_by,
            "; ".join(report.infrastructure_errors)[:300],
            time.monotonic() - begin,
            files,
        )
    verdict = "killed" if killed_by else "surviving"
    return Outcome(mutant, verdict, killed_by, "", time.monotonic() - begin, files)


def _interleaved(groups: dict[str, list[Mutant]]) -> list[Mutant]:
    """One from each group in turn, until all are taken."""
    queues = [list(group) for group in groups.values()]
    order: list[Mutant] = []
    while any(queues):
        for queue in queues:
            if queue:
                order.append(queue.pop(0))
    return order


def sample(found: list[Mutant], size: int) -> list[Mutant]:
    """At most ``size`` of ``found``: each function in turn, and within a function each
    operator in turn, so that every exercise and kind of mistake is tried early."""
    if size <= 0 or len(found) <= size:
        return found
    by_function: dict[str, dict[str, list[Mutant]]] = {}
    for mutant in found:
        operators = by_function.setdefault(_top_level(mutant.function), {})
        operators.setdefault(mutant.operator, []).append(mutant)
    per_function = {name: _interleaved(groups) for name, groups in by_function.items()}
    chosen = _interleaved(per_function)[:size]
    return sorted(chosen, key=found.index)


def run_week(
    week: Week,
    *,
    families: tuple[str, ...],
    only: set[str],
    seed: int,
    jobs: int,
    timeout: float,
    size: int = 0,
) -> dict[str, object]:
    source = week.solution.read_text(encoding="utf-8")
    found = [m for m in mutants(source, families=families) if not only or m.id in only]
    found = sample(found, size)
    recorded = equivalents(week.graders)
    begin = time.monotonic()
    baseline = grade(graders=week.graders, submission=week.solution, week=week.label, seed=seed)
    reference = _passed(baseline)
    print(
        f"{week.stem}: {len(found)} mutants; reference {baseline.score:g}/{baseline.max_score:g}"
        f" at seed {seed} ({time.monotonic() - begin:.0f} s)",
        flush=True,
    )
    outcomes: list[Outcome] = []
    todo = []
    for mutant in found:
        if mutant.id in recorded:
            outcomes.append(Outcome(mutant, "equivalent", reason=recorded[mutant.id]))
            continue
        files = exercising_files(week.graders, source, {_top_level(mutant.function)})
        todo.append((mutant, files))

    def one(item: tuple[Mutant, list[str]]) -> Outcome:
        mutant, files = item
        if not files:
            return Outcome(mutant, "surviving", reason="no grader file exercises it")
        return grade_mutant(week, mutant, files, reference, seed, timeout)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for index, outcome in enumerate(pool.map(one, todo), start=1):
            outcomes.append(outcome)
            by = ", ".join(check.split("::")[-1] for check in outcome.killed_by[:2])
            print(
                f"  [{index}/{len(todo)}] {outcome.verdict:<10} {outcome.mutant.id}"
                f"{'  <- ' + by if by else ''} ({outcome.seconds:.0f} s)",
                flush=True,
            )
    outcomes.sort(key=lambda o: (o.mutant.line, o.mutant.id))
    counts = {
        verdict: sum(o.verdict == verdict for o in outcomes)
        for verdict in ("killed", "surviving", "equivalent", "not-graded")
    }
    judged = counts["killed"] + counts["surviving"]
    return {
        "week": week.stem,
        "seed": seed,
        "reference": f"{baseline.score:g}/{baseline.max_score:g}",
        "mutants": len(outcomes),
        **counts,
        "kill_rate": round(counts["killed"] / judged, 3) if judged else None,
        "seconds": round(time.monotonic() - begin, 1),
        "outcomes": [o.to_dict() for o in outcomes],
    }


def print_summary(rows: Iterable[dict[str, object]]) -> None:
    rows = list(rows)
    print()
    print(f"{'week':<26}{'mutants':>8}{'killed':>8}{'surv.':>7}{'equiv.':>8}{'rate':>7}")
    for row in rows:
        rate = row["kill_rate"]
        shown = f"{float(rate):.0%}" if isinstance(rate, float) else "-"
        print(
            f"{row['week']!s:<26}{row['mutants']!s:>8}{row['killed']!s:>8}"
            f"{row['surviving']!s:>7}{row['equivalent']!s:>8}{shown:>7}"
        )
    for row in rows:
        survivors = [o for o in row["outcomes"] if o["verdict"] == "surviving"]  # type: ignore[attr-defined]
        if survivors:
            print(f"\n{row['week']}: surviving")
            for outcome in survivors:
                print(f"  {outcome['id']}  (line {outcome['line']}: {outcome['change']})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("weeks", nargs="*", help="weeks to mutate (default: all)")
    parser.add_argument("--families", default="", help="comma-separated operator families")
    parser.add_argument("--only", nargs="*", default=[], help="mutant ids to grade")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1, help="mutants graded at once")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per grading")
    parser.add_argument(
        "--sample", type=int, default=0, help="at most N mutants a week, every operator in turn"
    )
    parser.add_argument("--json", type=Path, help="write the report here")
    args = parser.parse_args(argv)
    layout = Layout(ROOT)
    weeks = [layout.week(spec) for spec in args.weeks] if args.weeks else list(layout.weeks)
    families = tuple(name for name in args.families.split(",") if name)
    rows = []
    for week in weeks:
        rows.append(
            run_week(
                week,
                families=families,
                only=set(args.only),
                seed=args.seed,
                jobs=args.jobs,
                timeout=args.timeout,
                size=args.sample,
            )
        )
        if args.json:
            document = {"machine": platform.platform(), "python": sys.version, "weeks": rows}
            args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print_summary(rows)
    return 0


if __name__ == "__main__":
    with warm_grading():  # every grading forks from one process that imported once
        raise SystemExit(main())
