"""benchmarks/nbgrader_comparison.py still generates its class and mirrors the week-2 graders
(fast: nothing is graded or trained)."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

from course.config import Layout
from tests.conftest import REPO, load_benchmark

WEEK = Layout(REPO).week("2")


def _grader_checks() -> list[tuple[str, int]]:
    """Each check of the week-2 graders, in order, with its points."""
    checks = []
    for path in sorted(WEEK.graders.glob("test_*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                points = [
                    decorator.args[0]
                    for decorator in node.decorator_list
                    if isinstance(decorator, ast.Call)
                    and ast.unparse(decorator.func) == "pytest.mark.points"
                ]
                assert len(points) == 1, f"{node.name} has no single points marker"
                checks.append((node.name, ast.literal_eval(points[0])))
    return checks


def test_the_class_has_forty_students_of_the_intended_kinds() -> None:
    """14 correct, 10 wrong, 6 partial, 4 broken and 6 duplicates: 34 distinct files, every
    right and wrong answer of week 2 among them, only the duplicates identical."""
    benchmark = load_benchmark("nbgrader_comparison")
    roster = benchmark.class_roster(WEEK, 40)
    assert [student.name for student in roster] == [f"student{i:03d}" for i in range(40)]
    kinds = Counter(student.kind for student in roster)
    assert kinds == {"correct": 14, "wrong": 10, "partial": 6, "broken": 4, "duplicate": 6}
    assert len(benchmark.distinct(roster)) == 34
    originals = {s.text: s for s in roster if s.kind != "duplicate"}
    assert len(originals) == 34
    for student in roster:
        if student.kind == "duplicate":
            assert originals[student.text].kind in ("correct", "wrong", "partial")
    variants = {(student.kind, student.variant) for student in roster}
    for folder, kind in (("right_answers", "correct"), ("wrong_answers", "wrong")):
        for path in sorted((REPO / "tests" / folder).glob("week02_*.py")):
            assert (kind, path.stem.removeprefix("week02_")) in variants
    assert ("correct", "reference") in variants
    assert ("partial", "stub") in variants
    for student in roster:
        if student.variant == "syntax error":
            with pytest.raises(SyntaxError):
                compile(student.text, "submission.py", "exec")
        else:
            compile(student.text, "submission.py", "exec")


def test_the_hidden_tests_mirror_the_graders_checks() -> None:
    """One hidden test cell per grader check, in order, with the same points; each compiles."""
    benchmark = load_benchmark("nbgrader_comparison")
    hidden = [(test.check, test.points) for test in benchmark.HIDDEN_TESTS]
    assert hidden == _grader_checks()
    assert sum(points for _, points in hidden) == WEEK.max_points
    for test in benchmark.HIDDEN_TESTS:
        compile(test.code, test.check, "exec")


def test_the_source_notebook_holds_the_answer_cell_and_the_hidden_tests() -> None:
    """nbgrader's source notebook: the reference in the answer cell, then the graded cells."""
    benchmark = load_benchmark("nbgrader_comparison")
    notebook = benchmark.source_notebook(WEEK)
    marked = [cell["metadata"].get("nbgrader") for cell in notebook["cells"]]
    answer = [m for m in marked if m and m["solution"]]
    assert [m["grade_id"] for m in answer] == ["answer"]
    graded = [m for m in marked if m and m["grade"]]
    assert [m["grade_id"] for m in graded] == [name for name, _ in _grader_checks()]
    assert len({cell["id"] for cell in notebook["cells"]}) == len(notebook["cells"])
    assert Path(WEEK.solution).read_text(encoding="utf-8") in [
        c["source"] for c in notebook["cells"]
    ]
