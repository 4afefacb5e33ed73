"""Right answers at several seeds: every file of ``tests/right_answers/`` graded as the suite
grades it (the grader files that exercise what it changes, in the sandbox), at each seed.

The suite grades each right answer at one seed of its own; a correct answer must score full
marks whatever the seed, so this grades them all at ``--seeds N`` seeds (0 to N-1 by
default) and lists every check that failed, with its message. It exits with status 1 when
one did.

Usage:
    python benchmarks/right_answers.py [WEEK ...] [--seeds N] [--first-seed N] [--only STEM ...]
                                       [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

from course.config import Layout
from course.grading.runner import GradingFailed, grade
from course.grading.template import warm_grading
from course.mutants import changed_definitions, exercising_files

ROOT = Path(__file__).resolve().parent.parent


def grade_answer(path: Path, seed: int) -> dict[str, object]:
    """One right answer at one seed: its score and the checks it failed."""
    from tests.test_wrong_answers import changed_solution, declared_week

    week = Layout(ROOT).week(declared_week(path))
    reference = week.solution.read_text(encoding="utf-8")
    source = changed_solution(path, week.solution)
    files = exercising_files(week.graders, reference, changed_definitions(reference, source))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="right-answers-") as folder:
        submission = Path(folder) / f"{week.stem}.py"
        submission.write_text(source, encoding="utf-8")
        try:
            report = grade(
                graders=week.graders, submission=submission, week=week.label, seed=seed, only=files
            )
        except GradingFailed as error:
            return {"answer": path.stem, "seed": seed, "error": str(error)}
    return {
        "answer": path.stem,
        "seed": seed,
        "score": report.score,
        "max_score": report.max_score,
        "failed": {c.id: c.message[:300] for c in report.checks if not c.passed},
        "internal": list(report.infrastructure_errors),
        "seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("weeks", nargs="*", help="week numbers or names (default: all)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--only", nargs="*", default=(), help="right answers' file stems")
    parser.add_argument("--json", type=Path, help="write every grading here")
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # tests.test_wrong_answers reads the answer files
    from tests.test_wrong_answers import declared_week

    wanted = {w.zfill(2) if w.isdigit() else w for w in args.weeks}
    answers = [
        path
        for path in sorted((ROOT / "tests" / "right_answers").glob("week*.py"))
        if (not wanted or declared_week(path) in wanted or declared_week(path)[4:6] in wanted)
        and (not args.only or path.stem in args.only)
    ]
    if not answers:
        raise SystemExit(f"no right answers for week(s) {', '.join(sorted(wanted))}")
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    print(f"Python {platform.python_version()}: {len(answers)} right answers, seeds {list(seeds)}")
    results = []
    for path in answers:
        for seed in seeds:
            result = grade_answer(path, seed)
            results.append(result)
            if "error" in result:
                verdict = f"NOT GRADED: {result['error']}"
            elif result["failed"] or result["internal"]:
                verdict = f"FAILED {result['score']:g}/{result['max_score']:g}: {result['failed']}"
            else:
                verdict = f"full marks {result['score']:g}/{result['max_score']:g}"
            print(f"{path.stem}, seed {seed}: {verdict} ({result.get('seconds', 0)} s)", flush=True)
    bad = [r for r in results if "error" in r or r.get("failed") or r.get("internal")]
    print(f"{len(results) - len(bad)} of {len(results)} gradings gave full marks")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 1 if bad else 0


if __name__ == "__main__":
    with warm_grading():  # every grading forks from one process that imported once
        sys.exit(main())
