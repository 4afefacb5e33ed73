"""The plots of a feedback page, drawn from the plain data a check left
(``course.testing.show_*``): PNG images for the page to embed, so that it stands alone.

matplotlib draws them with its Agg backend, on a ``Figure`` of its own (no pyplot, no
global state, no display). Kinds: ``history`` (a Keras History: loss, then the metrics),
``curves`` (named series over one axis: a forecast against the actual values, a learning
rate per epoch), ``confusion`` (a confusion matrix), ``images`` (a captioned gallery) and
``heatmap`` (attention weights).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Inches at 100 dots per inch: a page's width for curves, less for square plots.
_WIDE = (8.0, 3.2)
_SQUARE = (5.2, 4.6)


class PlotError(ValueError):
    """A plot's data that cannot be drawn (a results file from elsewhere, say)."""


def png(plot: dict[str, Any]) -> bytes:
    """``plot`` drawn as a PNG image; :class:`PlotError` when its data is malformed."""
    from matplotlib.figure import Figure

    draw = _KINDS.get(str(plot.get("kind")))
    if draw is None:
        raise PlotError(f"unknown kind of plot {plot.get('kind')!r}")
    figure = Figure(figsize=_SQUARE if plot["kind"] in ("confusion", "heatmap") else _WIDE)
    try:
        draw(figure, plot)
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise PlotError(f"the {plot['kind']} plot's data is malformed: {error}") from None
    figure.suptitle(str(plot.get("title", "")), fontsize=11)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)  # a Figure of its own draws with Agg
    return buffer.getvalue()


def data_uri(plot: dict[str, Any]) -> str:
    """``plot`` as a ``data:image/png;base64,...`` address for an ``<img>``."""
    return "data:image/png;base64," + base64.b64encode(png(plot)).decode("ascii")


def _values(values: Any) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


def _series(axes: Axes, series: dict[str, Any]) -> None:
    for name, values in series.items():
        points = _values(values)
        x = np.arange(1, len(points) + 1)
        axes.plot(x, points, marker="o" if len(points) <= 30 else None, markersize=3, label=name)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)


def _history(figure: Figure, plot: dict[str, Any]) -> None:
    series: dict[str, Any] = plot["series"]
    losses = {k: v for k, v in series.items() if "loss" in k}
    metrics = {k: v for k, v in series.items() if k not in losses}
    panels = [(name, group) for name, group in (("loss", losses), ("metrics", metrics)) if group]
    for index, (name, group) in enumerate(panels, start=1):
        axes = figure.add_subplot(1, len(panels), index)
        _series(axes, group)
        axes.set_xlabel("epoch")
        axes.set_ylabel(name)


def _curves(figure: Figure, plot: dict[str, Any]) -> None:
    axes = figure.add_subplot()
    _series(axes, plot["series"])
    axes.set_xlabel(str(plot["x"]))
    axes.set_ylabel(str(plot["y"]))


def _confusion(figure: Figure, plot: dict[str, Any]) -> None:
    matrix = np.asarray(plot["matrix"], dtype=np.int64)
    classes = [str(name) for name in plot["classes"]]
    if matrix.shape != (len(classes), len(classes)):
        raise ValueError(f"a {matrix.shape} matrix for {len(classes)} classes")
    axes = figure.add_subplot()
    shown = axes.imshow(matrix, cmap="Blues")
    figure.colorbar(shown, ax=axes, fraction=0.046, pad=0.04)
    ticks = np.arange(len(classes))
    axes.set_xticks(ticks, classes, rotation=60, ha="right", fontsize=7)
    axes.set_yticks(ticks, classes, fontsize=7)
    axes.set_xlabel("predicted class")
    axes.set_ylabel("true class")
    if len(classes) <= 12:
        limit = matrix.max() / 2 if matrix.size else 0
        for (row, column), count in np.ndenumerate(matrix):
            colour = "white" if count > limit else "black"
            axes.text(column, row, str(count), ha="center", va="center", fontsize=6, color=colour)


def _images(figure: Figure, plot: dict[str, Any]) -> None:
    images = [np.asarray(image, dtype=np.uint8) for image in plot["images"]]
    captions = [str(caption) for caption in plot.get("captions", [])]
    if not images:
        raise ValueError("no images")
    columns = min(8, len(images))
    rows = -(-len(images) // columns)
    figure.set_size_inches(1.1 * columns, 1.3 * rows + 0.5)
    for index, image in enumerate(images):
        axes = figure.add_subplot(rows, columns, index + 1)
        grey = image.ndim == 2 or image.shape[-1] == 1
        axes.imshow(image.squeeze(-1) if image.ndim == 3 and grey else image, cmap="gray")
        axes.set_axis_off()
        if index < len(captions):
            axes.set_title(captions[index], fontsize=7)


def _heatmap(figure: Figure, plot: dict[str, Any]) -> None:
    matrix = np.array([_values(row) for row in plot["matrix"]], dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError("rows of different lengths")
    axes = figure.add_subplot()
    shown = axes.imshow(matrix, cmap="viridis", aspect="auto")
    figure.colorbar(shown, ax=axes, fraction=0.046, pad=0.04)
    for labels, set_ticks, count in (
        (plot.get("x_labels") or [], axes.set_xticks, matrix.shape[1]),
        (plot.get("y_labels") or [], axes.set_yticks, matrix.shape[0]),
    ):
        if labels and len(labels) == count and count <= 32:
            set_ticks(np.arange(count), [str(label) for label in labels], fontsize=7)
    axes.set_xlabel("attended to")
    axes.set_ylabel("attending")


_KINDS: dict[str, Callable[[Figure, dict[str, Any]], None]] = {
    "history": _history,
    "curves": _curves,
    "confusion": _confusion,
    "images": _images,
    "heatmap": _heatmap,
}
