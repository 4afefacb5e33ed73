"""course.testing's plots: what a check leaves for its feedback page is plain, bounded data
that course.reports.plots can draw."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from course.grading import notes
from course.reports.plots import png
from course.testing import (
    PLOT_LIMITS,
    show_confusion,
    show_curve,
    show_heatmap,
    show_history,
    show_images,
)


def test_confusion_counts_true_classes_by_row() -> None:
    notes.take_plots()
    show_confusion(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 0]), classes="abc", title="t")
    (plot,) = notes.take_plots()
    assert plot["matrix"] == [[1, 1, 0], [0, 1, 0], [1, 0, 0]]
    assert plot["classes"] == ["a", "b", "c"]


def test_plots_are_json_and_bounded() -> None:
    notes.take_plots()
    show_history({"loss": [1.0, float("nan"), 0.5], "val_loss": []}, title="t")
    show_curve({"lr": np.arange(5000)}, title="t", x_label="epoch", y_label="rate")
    show_images(np.full((40, 8, 8), 255), captions=[str(i) for i in range(40)], title="t")
    show_heatmap(np.ones((100, 100)), title="t")
    show_confusion(np.zeros(3), np.zeros(3), classes=[str(i) for i in range(30)], title="t")
    history, curve, images, heatmap = notes.take_plots()  # no confusion of 30 classes
    assert history["series"] == {"loss": [1.0, None, 0.5]}
    assert len(curve["series"]["lr"]) == PLOT_LIMITS["points"]
    assert len(images["images"]) == PLOT_LIMITS["images"]
    assert images["images"][0][0][0] == 255
    assert len(heatmap["matrix"]) == PLOT_LIMITS["side"]
    for plot in (history, curve, images, heatmap):
        assert json.loads(json.dumps(plot, allow_nan=False)) == plot
        assert png(plot).startswith(b"\x89PNG")


def test_data_that_cannot_be_drawn_leaves_no_plot_and_no_error() -> None:
    """A submission's malformed values never fail the check that wanted to plot them."""
    notes.take_plots()
    replied: Any = [1e-3, "x"]  # what a submission's schedule might return
    show_curve({"rates": replied}, title="t", x_label="epoch", y_label="rate")
    show_confusion(np.array([0, 1]), np.array([None, 1]), classes="ab", title="t")
    show_images(np.array(["a", "b"]), captions=["a"], title="t")
    assert notes.take_plots() == []
