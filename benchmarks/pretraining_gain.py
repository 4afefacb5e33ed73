"""What the pretrained weights are worth to each week-5 model, measured by the grader itself.

Week 5's check ``test_pretrained_weights_make_the_difference`` runs the submission's
``build_transfer_model`` and ``train_transfer_model`` twice, with the same seed: once on the
course's pretrained backbone, once on the same layers with fresh, untrained weights
(``course.backbones.fresh_weights``). It scores both on the 5,000 test images of the
held-out classes and asks the first to beat the second by at least ``MIN_GAIN``. A model that
transfers gains a lot; a model trained from scratch, or one that does not use the backbone,
gains nothing, however well it does on its own.

This script grades ``graders/week05_transfer/test_4_training.py`` (the real grading run:
worker process, probes, rebuilt models) on the reference solution and on each week-5 wrong
answer in ``tests/wrong_answers/`` that changes the transfer model, once per seed, and reads
both accuracies from the check's message. It prints, per model and seed, the accuracy with
the pretrained backbone, with the untrained one, and the gain, then the margins: the
reference's worst gain over ``MIN_GAIN``, and for each wrong answer how far its best seed
stays from passing the check (which also asks for the accuracy threshold, ``THRESHOLD``,
with the pretrained backbone).

Usage: python benchmarks/pretraining_gain.py [--seeds N] [--only NAME ...] [--json PATH]
(about 25 s per model and seed on 2 cores: two trainings, two worker start-ups).
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WEEK = "week05_transfer"
GRADER_FILE = "test_4_training.py"
CHECK = "test_pretrained_weights_make_the_difference"
REFERENCE = "reference solution"
_FIGURES = re.compile(r"(\d\.\d{4}) with the course's backbone, (\d\.\d{4}) when")


@dataclass(frozen=True)
class Run:
    """One grading run of one model at one seed."""

    seed: int
    pretrained: float
    untrained: float
    held_out_passed: bool
    gain_passed: bool

    @property
    def gain(self) -> float:
        return round(self.pretrained - self.untrained, 4)


def grader_constants() -> tuple[float, float]:
    """``(THRESHOLD, MIN_GAIN)`` as the grader defines them."""
    # The week folder is a package (its graders import their helpers relatively), so the
    # grader is imported as a module of it, as a grading run does.
    graders = str(ROOT / "graders")
    if graders not in sys.path:
        sys.path.insert(0, graders)
    module = importlib.import_module(f"{WEEK}.{Path(GRADER_FILE).stem}")
    return float(module.THRESHOLD), float(module.MIN_GAIN)


def submissions() -> dict[str, str]:
    """The reference solution and each wrong answer that changes the transfer model, as
    source text, by name."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from course.config import Layout
    from tests.test_wrong_answers import WRONG_ANSWERS, changed_solution, expectations

    solution = Layout(ROOT).week(WEEK).solution
    sources = {REFERENCE: solution.read_text(encoding="utf-8")}
    for path in WRONG_ANSWERS:
        week, fails = expectations(path)
        if week == WEEK and any(
            check.startswith(("test_2_transfer_model.py", GRADER_FILE)) for check in fails
        ):
            sources[path.stem] = changed_solution(path, solution)
    return sources


def figures(message: str) -> tuple[float, float]:
    """``(pretrained, untrained)`` accuracies from the gain check's message."""
    found = _FIGURES.search(message)
    if found is None:
        raise ValueError(f"no accuracies in the check's message: {message!r}")
    return float(found.group(1)), float(found.group(2))


def grade_once(source: str, seed: int) -> Run:
    from course.config import Layout
    from course.grading.runner import grade

    week = Layout(ROOT).week(WEEK)
    with tempfile.TemporaryDirectory(prefix="pretraining-gain-") as folder:
        path = Path(folder) / f"{WEEK}.py"
        path.write_text(source, encoding="utf-8")
        report = grade(
            graders=week.graders, submission=path, week=week.label, seed=seed, only=[GRADER_FILE]
        )
    checks = {check.id.rsplit("::", 1)[-1]: check for check in report.checks}
    gain_check = checks[CHECK]
    if gain_check.status not in ("passed", "failed"):
        raise RuntimeError(f"seed {seed}: the gain check ended '{gain_check.status}': {gain_check}")
    pretrained, untrained = figures(gain_check.message)
    return Run(
        seed=seed,
        pretrained=pretrained,
        untrained=untrained,
        held_out_passed=checks["test_held_out_accuracy"].passed,
        gain_passed=gain_check.passed,
    )


def measure(seeds: int, names: list[str] | None = None) -> dict[str, list[Run]]:
    sources = submissions()
    unknown = set(names or ()) - set(sources)
    if unknown:
        raise SystemExit(f"unknown model(s): {', '.join(sorted(unknown))}; known: {list(sources)}")
    runs: dict[str, list[Run]] = {}
    for name, source in sources.items():
        if names and name not in names:
            continue
        runs[name] = []
        for seed in range(seeds):
            run = grade_once(source, seed)
            runs[name].append(run)
            print(
                f"  {name:32} seed {seed}: {run.pretrained:.4f} pretrained, "
                f"{run.untrained:.4f} untrained, gain {run.gain:+.4f}",
                flush=True,
            )
    return runs


def report(runs: dict[str, list[Run]], threshold: float, min_gain: float) -> dict[str, Any]:
    """Per model: its figures and whether each check passed on every seed; the margins."""
    print(f"\nheld-out accuracy threshold {threshold:.3f}, minimum gain {min_gain:.3f}")
    rows: dict[str, Any] = {}
    for name, model_runs in runs.items():
        gains = [run.gain for run in model_runs]
        rows[name] = {
            "pretrained": [run.pretrained for run in model_runs],
            "untrained": [run.untrained for run in model_runs],
            "gain": gains,
            "held_out_passed": [run.held_out_passed for run in model_runs],
            "gain_passed": [run.gain_passed for run in model_runs],
        }
        print(
            f"  {name:32} pretrained {min(rows[name]['pretrained']):.3f}-"
            f"{max(rows[name]['pretrained']):.3f}  untrained {min(rows[name]['untrained']):.3f}-"
            f"{max(rows[name]['untrained']):.3f}  gain {min(gains):+.3f} to {max(gains):+.3f}"
        )
    summary: dict[str, Any] = {"threshold": threshold, "min_gain": min_gain, "models": rows}
    if REFERENCE in runs:
        margin = min(run.gain for run in runs[REFERENCE]) - min_gain
        summary["reference_margin"] = round(margin, 4)
        print(f"  the reference's worst gain is {margin:+.3f} over the minimum")
    summary["failure_margins"] = {
        name: failure_margin(model_runs, threshold, min_gain)
        for name, model_runs in runs.items()
        if name != REFERENCE
    }
    for name, margin in summary["failure_margins"].items():
        print(f"  {name} fails the gain check on every seed by at least {margin:+.3f}")
    return summary


def failure_margin(runs: list[Run], threshold: float, min_gain: float) -> float:
    """How far the model's best seed stays from passing the gain check, which asks for
    ``threshold`` accuracy and ``min_gain`` gain: negative when some seed passes."""
    return round(min(max(threshold - run.pretrained, min_gain - run.gain) for run in runs), 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (default 5)")
    parser.add_argument("--only", nargs="+", help="measure only these models (names as printed)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    options = parser.parse_args()
    threshold, min_gain = grader_constants()
    begin = time.monotonic()
    summary = report(measure(options.seeds, options.only), threshold, min_gain)
    print(f"\n{time.monotonic() - begin:.0f} s")
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        document = {"machine": platform.platform(), "seeds": options.seeds, **summary}
        options.json.write_text(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
