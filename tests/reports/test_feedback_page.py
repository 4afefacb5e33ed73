"""The feedback page a student opens: parts, lateness, plots, their code with the failing
lines marked, and what a hidden check keeps back. The last tests open the page in headless
Chromium, as a person would, and look at the screenshot for the plots' colours."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from course.grading.results import CheckResult, GradeReport
from course.records import GradedSubmission
from course.reports.feedback import HIDDEN_MESSAGE, read_summary, render_html
from course.reports.plots import PlotError, png
from tests.conftest import needs_chromium, pixels_near, screenshot

CODE = '''import keras


def build_model():
    """Exercise 2.3."""
    return keras.Sequential([keras.layers.Dense(10)])


def train_model(model, x, y):
    return model.fit(x, y, epochs=99)
'''
HISTORY = {
    "kind": "history",
    "title": "Training curves",
    "series": {
        "loss": [1.2, 0.7, 0.5, 0.42, 0.38],
        "val_loss": [1.0, 0.72, 0.6, 0.55, 0.56],
        "accuracy": [0.6, 0.75, 0.81, 0.84, 0.86],
    },
}
CONFUSION = {
    "kind": "confusion",
    "title": "Confusion matrix on the test images",
    "classes": [f"class {i}" for i in range(10)],
    "matrix": (np.eye(10, dtype=int) * 90 + 1).tolist(),
}


def _check(
    test: str, status: str, *, points: float = 1.0, message: str = "", **extra: object
) -> CheckResult:
    return CheckResult(
        id=f"test_{test}",
        name=test.split("::")[1].removeprefix("test_").replace("_", " "),
        points=points if status == "passed" else 0.0,
        max_points=points,
        status=status,  # type: ignore[arg-type]
        message=message,
        **extra,  # type: ignore[arg-type]
    )


CHECKS = (
    _check("3_model.py::test_output_shape", "passed"),
    _check(
        "3_model.py::test_softmax_outputs",
        "failed",
        message="build_model() should end with a softmax. Received: a linear output.",
    ),
    _check("4_training.py::test_train_returns_history", "passed", plots=[HISTORY]),
    _check(
        "4_training.py::test_test_accuracy",
        "failed",
        points=4.0,
        message="accuracy 0.8120 on the test images, below 0.85",
        visibility="hidden",
        plots=[CONFUSION],
    ),
)


def _graded(*, days_late: int = 0, penalty: float = 0.0) -> GradedSubmission:
    report = GradeReport(week="week02", submission="week02_fashion_mnist.py", checks=CHECKS)
    return GradedSubmission(
        student="ada",
        week="week02",
        submitted_at="2026-12-07T10:00:00+00:00",
        source="week02_fashion_mnist.py",
        submission_sha256="0" * 64,
        grader_version="1",
        report=report.to_dict(),
        penalty=penalty,
        days_late=days_late,
    )


def _images(page: str) -> list[Image.Image]:
    found = re.findall(r'<img src="data:image/png;base64,([^"]+)"', page)
    return [Image.open(io.BytesIO(base64.b64decode(data))) for data in found]


def test_page_groups_checks_by_exercise_and_always_says_lateness() -> None:
    page = render_html(_graded(), title="Classifying Fashion-MNIST")
    assert "Part 3: model" in page
    assert "Part 4: training" in page
    assert "1 / 2" in page  # part 3's subtotal
    assert "on time" in page
    late = render_html(_graded(days_late=2, penalty=1.0), title="x")
    assert "2 days late: 1 point off" in late
    summary = read_summary(late)
    assert summary is not None
    assert summary["score"] == 0.0 or summary["score"] == 1.0


def test_plots_are_embedded_and_a_hidden_checks_plot_waits_for_the_due_date() -> None:
    before = render_html(_graded(), title="x")
    assert len(_images(before)) == 1  # the history; the confusion matrix is hidden
    assert "0.8120" not in before
    assert HIDDEN_MESSAGE in before
    after = render_html(_graded(), title="x", reveal_hidden=True)
    images = _images(after)
    assert len(images) == 2
    for image in images:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
        assert colours is not None
        assert len(colours) > 20, "a blank plot"


def test_code_marks_the_line_a_failing_check_names() -> None:
    page = render_html(_graded(), title="x", code=CODE)
    marked = re.findall(r'<tr id="line-(\d+)" class="marked">', page)
    assert marked == ["4"], "the def of build_model, which the failing softmax check called"
    assert '<a href="#line-4">(your line 4)</a>' in page
    traceback = CheckResult(
        id="test_4_training.py::test_fit",
        name="fit runs",
        points=0.0,
        max_points=1.0,
        status="error",
        message="train_model() raised ValueError.\nWhere it happened in your code:\n"
        '  File "week02_fashion_mnist.py", line 10, in train_model',
    )
    graded = _graded()
    report = GradeReport(week="week02", submission="w.py", checks=(traceback,))
    page = render_html(
        GradedSubmission(**{**graded.__dict__, "report": report.to_dict()}), title="x", code=CODE
    )
    assert re.findall(r'<tr id="line-(\d+)" class="marked">', page) == ["10"]


def test_a_malformed_plot_is_said_not_fatal() -> None:
    with pytest.raises(PlotError, match="unknown kind"):
        png({"kind": "pie"})
    broken = _check("4_training.py::test_history", "passed", plots=[{"kind": "confusion"}])
    report = GradeReport(week="week02", submission="w.py", checks=(broken,))
    graded = GradedSubmission(**{**_graded().__dict__, "report": report.to_dict()})
    assert "a plot could not be drawn" in render_html(graded, title="x")


@needs_chromium
def test_a_browser_shows_the_plots(tmp_path: Path) -> None:
    """Headless Chromium renders the page; its screenshot holds the training curve's blue
    and the confusion matrix's dark blue, so the plots were drawn, not broken images."""
    page = tmp_path / "week02.html"
    page.write_text(render_html(_graded(), title="x", reveal_hidden=True, code=CODE))
    image = screenshot(page, tmp_path)
    assert pixels_near(image, (31, 119, 180)) > 200, "no training curve (matplotlib's first colour)"
    assert pixels_near(image, (8, 48, 107)) > 200, "no confusion matrix (the darkest of Blues)"
