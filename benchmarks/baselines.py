"""Thresholds against baselines: what the reference and degraded models score on each
threshold check, graded the way a student's file is.

A threshold means something only between two measurements: above what a trivial or
degraded model reaches (always the most frequent class, the naive forecast, the reference
without its key ingredient, a linear model, too little training) and below the reference's
worst seed. For each threshold check below, this script grades the reference solution and
its degraded variants (the reference with one change, written as the mutation engine's ids
or as a replacement of lines) in the sandbox, on the check's grader file only, at each seed,
and reads the figures the check measured (``course.testing.measure``: the accuracy, the
MAE, and the trivial baseline the check computes on its own labels). It prints, per check,
every variant's figures per seed and whether it passed, then the margins: the reference's
worst seed against the bar, and the best variant that must fail against the bar.

With ``--right-answers``, the correct answers of ``tests/right_answers/`` that change what
a threshold check exercises are graded beside the reference at every seed (the suite grades
each at one seed), and the margin of their worst seed is printed too.

The margins go into each grader's docstring with the command that measured them.

Usage:
    python benchmarks/baselines.py [WEEK ...] [--seeds N] [--first-seed N]
                                   [--only LABEL ...] [--right-answers] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from course.config import Layout
from course.grading.results import GradeReport
from course.grading.runner import GradingFailed, grade
from course.grading.template import warm_grading
from course.mutants import mutants

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Variant:
    """The reference solution with changes: mutation ids (``course.mutants``) and exact
    line replacements, applied in order. ``must_fail``: the threshold should fail it."""

    label: str
    mutant_ids: tuple[str, ...] = ()
    replacements: tuple[tuple[str, str], ...] = ()
    must_fail: bool = True
    #: A file of ``tests/right_answers/``: its changes replace the ones above.
    right_answer: Path | None = None

    def source(self, reference: str) -> str:
        if self.right_answer is not None:  # graded as tests/test_right_answers.py grades it
            from tests.test_wrong_answers import changed_solution, declared_week

            week = Layout(ROOT).week(declared_week(self.right_answer))
            return changed_solution(self.right_answer, week.solution)
        source = reference
        for mutant_id in self.mutant_ids:
            found = {mutant.id: mutant for mutant in mutants(source)}
            if mutant_id not in found:
                raise SystemExit(f"{self.label}: no mutant '{mutant_id}' in the solution")
            source = found[mutant_id].source
        for old, new in self.replacements:
            if source.count(old) != 1:
                raise SystemExit(f"{self.label}: {old!r} is not in the solution exactly once")
            source = source.replace(old, new)
        return source


REFERENCE = Variant("reference solution", must_fail=False)


@dataclass(frozen=True)
class Threshold:
    """One threshold check: where it is, what it measures and which way it must go."""

    week: str
    grader_file: str
    check: str
    measurement: str
    bar: float
    at_least: bool
    variants: tuple[Variant, ...]
    #: Measurements to show beside the judged one (the check's own trivial baselines).
    also: tuple[str, ...] = ()


THRESHOLDS: tuple[Threshold, ...] = (
    Threshold(
        "week02_fashion_mnist",
        "test_4_training.py",
        "test_test_accuracy",
        "accuracy",
        0.85,
        at_least=True,
        also=("majority class accuracy",),
        variants=(
            REFERENCE,
            Variant("linear: no relu on the hidden layer", ("build_model:drop-activation:relu",)),
            Variant("one epoch", replacements=(("epochs=5, verbose=2", "epochs=1, verbose=2"),)),
        ),
    ),
    Threshold(
        "week04_cnn",
        "test_3_training.py",
        "test_test_accuracy",
        "accuracy",
        0.845,
        at_least=True,
        also=("majority class accuracy",),
        variants=(
            REFERENCE,
            Variant("no convolution (an MLP)", ("build_cnn:remove-layer:Conv2D",)),
            Variant(
                "no relu after the convolution",
                ("build_cnn:drop-activation:relu",),
                must_fail=False,
            ),
            Variant("one epoch", ("train_cnn:default-argument:epochs",), must_fail=False),
        ),
    ),
    Threshold(
        "week06_embeddings",
        "test_6_training.py",
        "test_validation_accuracy",
        "accuracy",
        0.75,
        at_least=True,
        also=("majority class accuracy",),
        variants=(
            REFERENCE,
            Variant("one epoch", ("train_classifier:default-argument:epochs",)),
            Variant(
                "no hidden layer (optional)",
                ("build_classifier:remove-layer:Dense",),
                must_fail=False,
            ),
        ),
    ),
    Threshold(
        "week07_sequences",
        "test_2_classifier_training.py",
        "test_conv1d_classifier_learns_sentiment",
        "accuracy",
        0.70,
        at_least=True,
        also=("majority class accuracy",),
        variants=(
            REFERENCE,
            Variant(
                "no convolution", ("build_conv1d_classifier:remove-layer:Conv1D",), must_fail=False
            ),
            Variant(
                "linear output (no sigmoid)", ("build_conv1d_classifier:drop-activation:sigmoid",)
            ),
        ),
    ),
    Threshold(
        "week09_forecasting",
        "test_2_training.py",
        "test_dense_forecaster_learns_the_series",
        "MAE / naive MAE",
        0.98,
        at_least=False,
        also=("validation MAE",),
        variants=(
            REFERENCE,
            Variant(
                "linear: no relu", ("build_dense_forecaster:drop-activation:relu",), must_fail=False
            ),
            Variant(
                "learning rate 1e-7",
                replacements=(
                    (
                        "optimizer=keras.optimizers.SGD(learning_rate=1e-6, momentum=0.9)",
                        "optimizer=keras.optimizers.SGD(learning_rate=1e-7, momentum=0.9)",
                    ),
                ),
            ),
        ),
    ),
    Threshold(
        "week09_forecasting",
        "test_2_training.py",
        "test_recurrent_forecaster_learns_the_series",
        "MAE / naive MAE",
        0.98,
        at_least=False,
        also=("validation MAE",),
        variants=(
            REFERENCE,
            Variant(
                "no output Rescaling(100)", ("build_recurrent_forecaster:remove-layer:Rescaling#2",)
            ),
        ),
    ),
    Threshold(
        "week09_forecasting",
        "test_4_sunspots.py",
        "test_sunspot_forecaster_beats_the_naive_forecast",
        "MAE / naive MAE",
        0.98,
        at_least=False,
        also=("validation MAE",),
        variants=(
            REFERENCE,
            Variant(
                "no output Rescaling(100)",
                ("build_sunspot_forecaster:remove-layer:Rescaling#2",),
                must_fail=False,
            ),
        ),
    ),
    Threshold(
        "week13_distribution",
        "test_5_fit.py",
        "test_fit_learns_fashion_mnist",
        "accuracy",
        0.75,
        at_least=True,
        also=("majority class accuracy",),
        variants=(
            REFERENCE,
            Variant("linear: no relu", ("build_model:drop-activation:relu",), must_fail=False),
            Variant("one epoch", ("train_with_fit:default-argument:epochs",), must_fail=False),
        ),
    ),
)


@dataclass
class Run:
    variant: str
    seed: int
    status: str
    figures: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0


#: Gradings already made, by (week, grader file, source, seed): two checks of one grader
#: file (week 9's dense and recurrent forecasters) share one grading.
_graded: dict[tuple[str, str, str, int], GradeReport | str] = {}


def grade_variant(threshold: Threshold, variant: Variant, seed: int) -> Run:
    week = Layout(ROOT).week(threshold.week)
    source = variant.source(week.solution.read_text(encoding="utf-8"))
    key = (threshold.week, threshold.grader_file, source, seed)
    started = time.monotonic()
    if key not in _graded:
        with tempfile.TemporaryDirectory(prefix="baselines-") as folder:
            path = Path(folder) / f"{threshold.week}.py"
            path.write_text(source, encoding="utf-8")
            try:
                _graded[key] = grade(
                    graders=week.graders,
                    submission=path,
                    week=week.label,
                    seed=seed,
                    only=[threshold.grader_file],
                )
            except GradingFailed as error:
                _graded[key] = f"not graded: {error}"
    report = _graded[key]
    if isinstance(report, str):
        return Run(variant.label, seed, report)
    checks = {check.id.rsplit("::", 1)[-1]: check for check in report.checks}
    check = checks.get(threshold.check)
    if check is None:
        return Run(variant.label, seed, "check not run")
    return Run(
        variant.label,
        seed,
        check.status,
        dict(check.measurements),
        round(time.monotonic() - started, 1),
    )


def right_answers(threshold: Threshold) -> list[Variant]:
    """The right answers of the threshold's week that change what its grader file
    exercises, as variants that must pass."""
    from course.mutants import changed_definitions, exercising_files
    from tests.test_wrong_answers import declared_week

    week = Layout(ROOT).week(threshold.week)
    reference = week.solution.read_text(encoding="utf-8")
    found = []
    for path in sorted((ROOT / "tests" / "right_answers").glob("week*.py")):
        if declared_week(path) != threshold.week:
            continue
        variant = Variant(f"right answer: {path.stem}", must_fail=False, right_answer=path)
        changed = changed_definitions(reference, variant.source(reference))
        if threshold.grader_file in exercising_files(week.graders, reference, changed):
            found.append(variant)
    return found


def summarize(threshold: Threshold, runs: list[Run]) -> list[str]:
    direction = "at least" if threshold.at_least else "at most"
    lines = [
        "",
        f"{threshold.week} {threshold.grader_file}::{threshold.check}",
        f"  {threshold.measurement}: {direction} {threshold.bar}",
    ]
    by_variant: dict[str, list[Run]] = {}
    for run in runs:
        by_variant.setdefault(run.variant, []).append(run)
    for label, group in by_variant.items():
        cells = []
        for run in group:
            value = run.figures.get(threshold.measurement)
            shown = f"{value:.4f}" if value is not None else "-"
            cells.append(f"s{run.seed} {shown} {run.status}")
        lines.append(f"  {label:<40} " + "; ".join(cells))
        for name in threshold.also:
            values = [run.figures[name] for run in group if name in run.figures]
            if values:
                lines.append(f"  {'':<40} {name}: {min(values):.4f}-{max(values):.4f}")
    sign = 1.0 if threshold.at_least else -1.0
    reference = [
        run.figures[threshold.measurement]
        for run in by_variant.get(REFERENCE.label, [])
        if threshold.measurement in run.figures
    ]
    if reference:
        worst = min(reference, key=lambda v: sign * v)
        lines.append(f"  margin, reference's worst seed: {sign * (worst - threshold.bar):+.4f}")
    correct = [
        run.figures[threshold.measurement]
        for run in runs
        if run.variant.startswith("right answer: ") and threshold.measurement in run.figures
    ]
    if correct:
        worst = min(correct, key=lambda v: sign * v)
        lines.append(f"  margin, right answers' worst seed: {sign * (worst - threshold.bar):+.4f}")
    failing = [
        run.figures[threshold.measurement]
        for variant in threshold.variants
        if variant.must_fail
        for run in by_variant.get(variant.label, [])
        if threshold.measurement in run.figures
    ]
    if failing:
        best = max(failing, key=lambda v: sign * v)
        lines.append(f"  margin, best variant that must fail: {sign * (threshold.bar - best):+.4f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("weeks", nargs="*", help="week numbers or names (default: all)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per variant (default 3)")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument(
        "--only", nargs="*", default=(), help='variant labels to grade ("right answers": those)'
    )
    parser.add_argument(
        "--right-answers", action="store_true", help="grade the week's right answers too"
    )
    parser.add_argument("--json", type=Path, help="write every run here")
    args = parser.parse_args(argv)

    wanted = set(args.weeks)
    chosen = [
        threshold
        for threshold in THRESHOLDS
        if not wanted
        or threshold.week in wanted
        or threshold.week[4:6].lstrip("0") in wanted
        or threshold.week[4:6] in wanted
    ]
    if not chosen:
        raise SystemExit(f"no threshold check in week(s) {', '.join(sorted(wanted))}")
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    results: list[dict[str, object]] = []
    report: list[str] = [f"Python {platform.python_version()}, seeds {list(seeds)}"]
    if args.right_answers and str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # tests.test_wrong_answers reads the answer files
    for threshold in chosen:
        runs = []
        variants = list(threshold.variants)
        if args.right_answers:
            variants += right_answers(threshold)
        for variant in variants:
            chosen_by_name = variant.label in args.only or (
                variant.right_answer is not None and "right answers" in args.only
            )
            if args.only and not chosen_by_name:
                continue
            for seed in seeds:
                run = grade_variant(threshold, variant, seed)
                value = run.figures.get(threshold.measurement)
                shown = f"{value:.4f}" if value is not None else "-"
                print(
                    f"[{threshold.week} {threshold.check}] {variant.label}, seed {seed}: "
                    f"{threshold.measurement} {shown} ({run.status}, {run.seconds:.0f} s)",
                    flush=True,
                )
                runs.append(run)
                results.append(
                    {
                        "week": threshold.week,
                        "check": threshold.check,
                        "variant": variant.label,
                        "seed": seed,
                        "status": run.status,
                        "figures": run.figures,
                        "seconds": run.seconds,
                    }
                )
        report += summarize(threshold, runs)
    print("\n".join(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    with warm_grading():  # every grading forks from one process that imported once
        sys.exit(main())
