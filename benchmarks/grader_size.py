"""How large the graders are, week by week, at two revisions: lines of code apart from
docstrings (which hold the thresholds' measurements and the equivalent mutants' records),
checks, and hand-written ``raise fail(...)`` blocks.

Usage: python benchmarks/grader_size.py [BEFORE [AFTER]]

``BEFORE`` and ``AFTER`` are git revisions (``AFTER`` defaults to the working tree; without
``BEFORE`` only the working tree is counted). A line counts as code when it is not blank,
not a comment and not inside a docstring; ``code/check`` is code lines per check.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ("lines", "code", "docstring", "checks", "raise_fail")


def sources(revision: str | None) -> Iterator[tuple[str, str]]:
    """(path, text) of every grader module at ``revision`` (``None``: the working tree)."""
    if revision is None:
        for path in sorted((ROOT / "graders").rglob("*.py")):
            yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")
        return
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-tree", "-r", "--name-only", revision, "graders"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in listed:
        if name.endswith(".py"):
            shown = subprocess.run(
                ["git", "-C", str(ROOT), "show", f"{revision}:{name}"],
                capture_output=True,
                text=True,
                check=True,
            )
            yield name, shown.stdout


def measure(text: str) -> Counter[str]:
    """The counts of one module (see the module docstring)."""
    tree = ast.parse(text)
    documented: set[int] = set()
    counts: Counter[str] = Counter()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                documented.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            counts["checks"] += 1
        if (
            isinstance(node, ast.Raise)
            and isinstance(node.exc, ast.Call)
            and isinstance(node.exc.func, ast.Name)
            and node.exc.func.id == "fail"
        ):
            counts["raise_fail"] += 1
    for number, line in enumerate(text.splitlines(), start=1):
        counts["lines"] += 1
        stripped = line.strip()
        if number in documented:
            counts["docstring"] += 1
        elif stripped and not stripped.startswith("#"):
            counts["code"] += 1
    return counts


def by_week(revision: str | None) -> dict[str, Counter[str]]:
    weeks: dict[str, Counter[str]] = {}
    for name, text in sources(revision):
        parts = Path(name).parts
        week = parts[1] if len(parts) > 2 else "(shared)"
        weeks.setdefault(week, Counter()).update(measure(text))
    return weeks


def table(before: dict[str, Counter[str]] | None, after: dict[str, Counter[str]]) -> str:
    """One row per week: each column as ``before -> after`` when there is a before."""
    weeks = sorted(set(after) | set(before or {}))
    total_before: Counter[str] = Counter()
    total_after: Counter[str] = Counter()
    rows = []
    for week in [*weeks, "total"]:
        if week == "total":
            old, new = total_before, total_after
        else:
            old, new = (before or {}).get(week, Counter()), after.get(week, Counter())
            total_before.update(old)
            total_after.update(new)
        cells = [
            f"{old[column]:,} -> {new[column]:,}" if before is not None else f"{new[column]:,}"
            for column in COLUMNS
        ]
        per_check = new["code"] / new["checks"] if new["checks"] else 0.0
        rows.append([week, *cells, f"{per_check:.1f}"])
    header = ["week", *COLUMNS, "code/check"]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *rows]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", nargs="?", help="a git revision to compare with")
    parser.add_argument("after", nargs="?", help="a git revision (default: the working tree)")
    arguments = parser.parse_args(argv)
    before = by_week(arguments.before) if arguments.before else None
    print(table(before, by_week(arguments.after)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
