"""course.testing is the one vocabulary grader authors use: its ``__all__`` is complete."""

from __future__ import annotations

import ast
from pathlib import Path

import course.testing
from tests.conftest import REPO


def _public_definitions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_"):
            names.add(node.name)
    return names


def test_all_lists_every_public_helper() -> None:
    """Every public function or class defined in course/testing.py is in ``__all__``, and
    everything in ``__all__`` exists."""
    defined = _public_definitions(Path(course.testing.__file__))
    exported = set(course.testing.__all__)
    assert defined <= exported, f"missing from __all__: {sorted(defined - exported)}"
    assert all(hasattr(course.testing, name) for name in exported)


def test_graders_import_only_what_course_testing_exports() -> None:
    """A grader that imports a name from course.testing imports one the module exports, so
    the vocabulary cannot grow behind ``__all__``'s back."""
    exported = set(course.testing.__all__)
    strays: dict[str, set[str]] = {}
    for path in sorted((REPO / "graders").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "course.testing":
                names = {alias.name for alias in node.names} - exported
                if names:
                    strays[str(path.relative_to(REPO))] = names
    assert not strays, strays
