"""Result types: one :class:`CheckResult` per check, one :class:`GradeReport` per grading run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

#: ``passed`` and ``failed`` judge the answer; ``error`` (the code raised or ended the
#: process), ``timeout`` (wall-clock or CPU time), ``out-of-memory`` and ``crashed`` (a signal
#: ended it) say why there was no answer; ``integrity``: the submission tampered with the
#: grading machinery, so the check's evidence cannot be trusted; ``grader-error``: the grader
#: or the sandbox failed, and the student is not to blame.
Status = Literal[
    "passed",
    "failed",
    "error",
    "timeout",
    "out-of-memory",
    "crashed",
    "integrity",
    "grader-error",
]
Visibility = Literal["visible", "hidden", "after_due_date", "after_published"]
STATUSES: tuple[Status, ...] = get_args(Status)
VISIBILITIES: tuple[Visibility, ...] = get_args(Visibility)


def check_title(doc: str | None, fallback: str) -> str:
    """A check's name: the first line of its test's docstring, else ``fallback``."""
    text = (doc or "").strip()
    return text.splitlines()[0].rstrip(".") if text else fallback


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: its points and a message written for the student."""

    id: str
    name: str
    points: float
    max_points: float
    status: Status
    message: str = ""
    visibility: Visibility = "visible"
    seconds: float = 0.0
    #: True when the grader itself failed: the student is not to blame and staff must look.
    internal: bool = False
    #: The figures the check measured (``course.testing.measure``), by name: a test accuracy,
    #: an MAE. Data for benchmarks and class statistics; the message says them to the student.
    measurements: dict[str, float] = field(default_factory=dict)
    #: The data of the plots the check's feedback shows (``course.testing.show_*``): plain
    #: JSON that ``course.reports.plots`` draws; shown under the check's visibility rules.
    plots: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        return cls(**data)


@dataclass(frozen=True)
class GradeReport:
    """All checks of one week on one submission, in the order the grader declares them."""

    week: str
    submission: str
    checks: tuple[CheckResult, ...]
    seconds: float = 0.0
    #: Problems outside any check (a grader file that does not import, say).
    infrastructure_errors: tuple[str, ...] = field(default_factory=tuple)
    #: What the submission did to the grading machinery, when it tampered (see
    #: :mod:`course.sandbox.integrity`); empty for an honest submission.
    integrity: tuple[str, ...] = field(default_factory=tuple)
    #: How the worker was isolated: the launcher's name and the protections it lacked.
    launcher: str = ""
    missing_protections: tuple[str, ...] = field(default_factory=tuple)
    #: The most memory the submission's worker used at once, where the sandbox measures it.
    peak_memory: int | None = None
    #: The seed the checks drew their inputs from.
    seed: int = 0

    @property
    def score(self) -> float:
        return round(sum(check.points for check in self.checks), 6)

    @property
    def max_score(self) -> float:
        return round(sum(check.max_points for check in self.checks), 6)

    @property
    def all_passed(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)

    @property
    def has_internal_errors(self) -> bool:
        return bool(self.infrastructure_errors) or any(c.internal for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """The ``course check --json`` document."""
        return {
            "week": self.week,
            "submission": self.submission,
            "score": self.score,
            "max_score": self.max_score,
            "seconds": round(self.seconds, 3),
            "checks": [check.to_dict() for check in self.checks],
            "infrastructure_errors": list(self.infrastructure_errors),
            "integrity": list(self.integrity),
            "launcher": self.launcher,
            "missing_protections": list(self.missing_protections),
            "peak_memory": self.peak_memory,
            "seed": self.seed,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, seconds: float | None = None) -> GradeReport:
        """The report :meth:`to_dict` wrote (older documents lack the sandbox fields)."""
        return cls(
            week=data["week"],
            submission=data["submission"],
            checks=tuple(CheckResult.from_dict(check) for check in data["checks"]),
            seconds=data.get("seconds", 0.0) if seconds is None else seconds,
            infrastructure_errors=tuple(data.get("infrastructure_errors", ())),
            integrity=tuple(data.get("integrity", ())),
            launcher=data.get("launcher", ""),
            missing_protections=tuple(data.get("missing_protections", ())),
            peak_memory=data.get("peak_memory"),
            seed=data.get("seed", 0),
        )

    def to_gradescope(self) -> dict[str, Any]:
        """The same results in Gradescope's ``results.json`` format."""
        return {
            "score": self.score,
            "execution_time": round(self.seconds, 3),
            "tests": [
                {
                    "name": check.name,
                    "number": str(index),
                    "score": check.points,
                    "max_score": check.max_points,
                    "status": "passed" if check.passed else "failed",
                    "output": _gradescope_output(check),
                    "visibility": _GRADESCOPE_VISIBILITY.get(check.visibility, check.visibility),
                }
                for index, check in enumerate(self.checks, start=1)
            ],
        }


#: Our hidden check counts at once and shows its message after the due date: Gradescope's
#: "after_due_date". (Gradescope's "hidden" would keep it from the student for good.)
_GRADESCOPE_VISIBILITY = {"hidden": "after_due_date"}


def _gradescope_output(check: CheckResult) -> str:
    """The check's message, with its status when it is neither passed nor failed."""
    if check.status in ("passed", "failed"):
        return check.message
    return f"{check.message} (status: {check.status})"
