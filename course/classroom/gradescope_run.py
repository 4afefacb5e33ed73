"""What runs in Gradescope's container for each submission: ``run_autograder`` calls
``python -m course.classroom.gradescope_run --root /autograder``.

It finds the one module or notebook in ``/autograder/submission``, makes it the week's
module (:func:`course.classroom.intake.prepare`), checks the sandbox from inside it (as
``course doctor`` does), grades it with the graders in ``/autograder/source`` and writes
``/autograder/results/results.json`` (:meth:`GradeReport.to_gradescope
<course.grading.results.GradeReport.to_gradescope>`, with a summary for the student and,
in ``extra_data``, how it was graded). Whatever goes wrong, it writes a results.json: 0
points and a message for the student, the details on standard output, which Gradescope
shows to staff only. Built by :mod:`course.classroom.gradescope`.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

import course
from course.classroom.gradescope import BUNDLE_FILE
from course.classroom.intake import Prepared, SubmissionRefused, prepare, submission_seed
from course.grading.declared import declared_checks, errored, syntax_error
from course.grading.results import GradeReport

#: Who a refusal names: the student reads it about their own upload.
_YOU = "your submission"
NOT_YOUR_FAULT = (
    "This is not a problem with your work: the course staff can see why in the autograder "
    "output and will run it again."
)


class Outcome:
    """A results.json document and the lines for staff (its standard output)."""

    def __init__(self, document: dict[str, Any], log: list[str]) -> None:
        self.document = {**document, "stdout_visibility": "hidden"}
        self.log = log


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.classroom.gradescope_run")
    parser.add_argument("--root", type=Path, default=Path("/autograder"))
    root = parser.parse_args(argv).root
    results = root / "results" / "results.json"
    try:
        outcome = grade_submission(root=root)
    except Exception:  # never end without a results.json
        outcome = Outcome(
            {"score": 0.0, "output": f"Your submission could not be graded. {NOT_YOUR_FAULT}"},
            ["The autograder failed:", traceback.format_exc()],
        )
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(outcome.document, indent=2) + "\n", encoding="utf-8")
    for line in outcome.log:
        print(line)
    print(f"results.json: {outcome.document['score']:g} points")
    return 0


def grade_submission(*, root: Path) -> Outcome:
    """Grade the submission in Gradescope's folder ``root``: its results.json document."""
    source = root / "source"
    settings = json.loads((source / BUNDLE_FILE).read_text(encoding="utf-8"))
    stem, label = settings["week"], settings["label"]
    graders = source / "graders" / stem
    package = Path(course.__file__).parent
    log = [f"course {settings['course_version']} autograder for {stem}, running {package}"]
    with tempfile.TemporaryDirectory(prefix="course-gradescope-") as scratch:
        try:
            prepared = find_submission(root / "submission", stem=stem)
        except SubmissionRefused as refusal:
            return _refused(refusal.problem, graders=graders, label=label, log=log)
        module = Path(scratch) / "graded" / f"{stem}.py"
        module.parent.mkdir()
        module.write_text(prepared.module, encoding="utf-8")
        digest = hashlib.sha256(prepared.module.encode("utf-8")).hexdigest()
        seed = submission_seed(settings["seed_secret"], week=stem, digest=digest)
        log.append(f"submission: {prepared.source.name} (module sha256 {digest}), seed {seed}")
        allowed = bool(settings["allow_reduced_isolation"])
        if syntax_error(module) is None:  # code of it will run: only in the sandbox
            missing = _missing_protections(private=[source, root / "results"])
            if missing:
                log += [f"sandbox: missing {name}: {detail}" for name, detail in missing.items()]
                if not allowed:
                    log.append(SANDBOX_REFUSED.format(number=settings["number"]))
                    problem = (
                        "the autograder could not start its sandbox on this server, so none "
                        f"of your code ran. {NOT_YOUR_FAULT}"
                    )
                    return _refused(problem, graders=graders, label=label, log=log)
                log.append("graded all the same: the bundle allows reduced isolation")
        from course.grading.runner import GradingFailed, grade

        try:
            report = grade(
                graders=graders,
                submission=module,
                week=label,
                seed=seed,
                require_isolation=not allowed,
            )
        except GradingFailed as error:
            log.append(f"grading failed: {error}")
            return Outcome(
                {"score": 0.0, "output": f"Your submission could not be graded. {NOT_YOUR_FAULT}"},
                log,
            )
        return outcome_of(report, settings=settings, graders=graders, digest=digest, log=log)


def find_submission(folder: Path, *, stem: str) -> Prepared:
    """The module to grade from Gradescope's submission ``folder``: its one ``.py`` or
    ``.ipynb`` file under any name, or the week's jupytext pair (``<stem>.py`` and
    ``<stem>.ipynb``); anything else is a :class:`SubmissionRefused` saying what to upload."""
    found: list[Path] = []
    for directory, folders, files in os.walk(folder):  # links are never followed
        folders[:] = [name for name in folders if not name.startswith((".", "__"))]
        for name in sorted(files):
            path = Path(directory) / name
            if (
                path.suffix in (".py", ".ipynb")
                and not name.startswith(".")
                and not path.is_symlink()
            ):
                found.append(path)
    upload = f"upload {stem}.py or {stem}.ipynb"
    if not found:
        present = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        held = f" (it holds: {', '.join(present[:10])})" if present else ""
        raise SubmissionRefused(_YOU, f"no .py module or .ipynb notebook in it{held}: {upload}")
    if len(found) == 1:  # under any name: prepare looks for that name
        return prepare(found[0].parent, week=found[0].stem, student=_YOU)
    pair = {path.name for path in found} == {f"{stem}.py", f"{stem}.ipynb"}
    if pair and found[0].parent == found[1].parent:
        return prepare(found[0].parent, week=stem, student=_YOU)
    names = ", ".join(str(path.relative_to(folder)) for path in found[:10])
    raise SubmissionRefused(
        _YOU, f"it holds {len(found)} modules or notebooks ({names}): {upload} alone"
    )


def _missing_protections(*, private: list[Path]) -> dict[str, str]:
    """The protections a sandbox started here lacks, each verified from inside it."""
    from course.sandbox.doctor import diagnose

    diagnosis = diagnose(private=private)
    return {name: diagnosis.protections[name].detail for name in diagnosis.missing}


def outcome_of(
    report: GradeReport, *, settings: dict[str, Any], graders: Path, digest: str, log: list[str]
) -> Outcome:
    """``report`` as Gradescope's results.json: one test per check, the score (0 when the
    graders failed), a summary of the visible checks for the student; ``log`` gets the rest."""
    from course.reports.terminal import summarize

    visible = tuple(check for check in report.checks if check.visibility == "visible")
    hidden = len(report.checks) - len(visible)
    feedback = summarize(dataclasses.replace(report, checks=visible), graders=graders)
    lines = [
        f"Week {settings['number']}, {settings['title']}: "
        f"{report.score:g} / {report.max_score:g} points."
    ]
    document = report.to_gradescope()
    if report.has_internal_errors:
        document["score"] = 0.0
        lines.append(f"Some checks could not run on your submission. {NOT_YOUR_FAULT}")
        log += [f"grader error: {error}" for error in report.infrastructure_errors]
        log += [f"grader error in {c.name}: {c.message}" for c in report.checks if c.internal]
    elif feedback.banner is not None:
        lines += [feedback.banner.headline, feedback.banner.message]
    elif feedback.first_to_fix is not None:
        lines.append(feedback.next_step)
    if hidden:
        lines.append(f"{hidden} hidden checks: their results appear after the due date.")
    if report.integrity:
        log.append("INTEGRITY: the submission tampered with the grading machinery: ")
        log += [f"  {note}" for note in report.integrity]
    log.append(
        f"graded in {report.seconds:.1f} s; launcher: {report.launcher or 'unknown'}; "
        f"missing protections: {', '.join(report.missing_protections) or 'none'}"
    )
    document["output"] = "\n".join(lines)
    document["extra_data"] = {
        "week": settings["week"],
        "sha256": digest,
        "seed": report.seed,
        "launcher": report.launcher,
        "missing_protections": list(report.missing_protections),
        "integrity": list(report.integrity),
    }
    return Outcome(document, log)


def _refused(problem: str, *, graders: Path, label: str, log: list[str]) -> Outcome:
    """0 points on every check the graders declare, each saying why."""
    log.append(f"not graded: {problem}")
    checks = errored(declared_checks(graders) or (), f"Not graded: {problem}")
    document = GradeReport(week=label, submission="", checks=checks).to_gradescope()
    document.update(score=0.0, output=f"Your submission was not graded: {problem}")
    return Outcome(document, log)


SANDBOX_REFUSED = (
    "No submission is graded here without the sandbox: Gradescope's container does not give "
    "bubblewrap what it needs (see above). Rebuild the bundle with 'course gradescope {number} "
    "--allow-reduced-isolation' to grade without these protections; its README.md says what "
    "that gives up."
)


if __name__ == "__main__":
    sys.exit(main())
