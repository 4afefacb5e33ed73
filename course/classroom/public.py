"""A week's public checks: its graders with every hidden check, and all that only hidden
checks use, taken out; shipped by ``course release`` for students to run offline.

Each grader file (and each helper module and ``conftest.py`` of the week's folder) is parsed
and rewritten: a test function whose visibility is ``hidden`` (its own marker, else its
module's ``pytestmark``) is dropped, then every module-level function, class or assignment
that nothing kept refers to (by name, attribute, fixture parameter or string) is dropped,
until nothing changes. Docstrings (but each check's own, which names it) and comments go
too: a grader's docstrings record its thresholds and the margins measured around them.
What remains is the code of the visible checks and of what they use, which a student may
read like any public test.

The folder also holds ``public.json``: the week, the hidden checks' count and points (from
the grading of the stub that ``release`` runs anyway), so ``course check`` can say how many
checks run only when the work is graded.
"""

from __future__ import annotations

import ast
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from course.classroom.settings import ClassroomError

#: The folder of public checks inside a released (and fetched) week.
CHECKS_FOLDER = "checks"
#: What the public checks folder says about itself.
MANIFEST = "public.json"
#: Files of a week's grader folder copied as they are (no Python in them).
PLAIN_FILES = ("worker.toml",)


@dataclass(frozen=True)
class PublicChecks:
    """What :func:`write_public_checks` wrote."""

    folder: Path
    visible: tuple[str, ...]
    hidden: tuple[str, ...]


@dataclass(frozen=True)
class Manifest:
    """A public checks folder's ``public.json``."""

    week: str
    hidden_checks: int
    hidden_points: float

    @classmethod
    def read(cls, folder: Path) -> Manifest | None:
        """The manifest of ``folder``, or ``None`` when it has none (not public checks)."""
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            return cls(str(data["week"]), int(data["hidden_checks"]), float(data["hidden_points"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None


def write_public_checks(
    graders: Path, destination: Path, *, week: str, hidden_checks: int, hidden_points: float
) -> PublicChecks:
    """Write the public version of the grader folder ``graders`` into ``destination``."""
    sources = {path: path.read_text(encoding="utf-8") for path in sorted(graders.glob("*.py"))}
    trees = {path: ast.parse(text, filename=str(path)) for path, text in sources.items()}
    hidden: list[str] = []
    visible: list[str] = []
    for tree in trees.values():
        module_hidden = _module_visibility(tree) == "hidden"
        kept_body = []
        for node in tree.body:
            if _is_test(node):
                assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                own = _own_visibility(node)
                if own == "hidden" or (own is None and module_hidden):
                    hidden.append(node.name)
                    continue
                visible.append(node.name)
            kept_body.append(node)
        tree.body = kept_body
        _strip_docstrings(tree)  # first: a docstring naming a threshold must not keep it
    _drop_unreferenced(trees)
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    for path, tree in trees.items():
        if path.name != "__init__.py" and not tree.body:
            continue
        (destination / path.name).write_text(
            f'"""Public checks of {week} (the hidden ones run when your work is graded)."""\n\n'
            + ast.unparse(tree)
            + "\n",
            encoding="utf-8",
        )
    for name in PLAIN_FILES:
        if (graders / name).is_file():
            shutil.copyfile(graders / name, destination / name)
    manifest = {"week": week, "hidden_checks": hidden_checks, "hidden_points": hidden_points}
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    if not visible:
        raise ClassroomError(f"{graders} has no visible check: mark some checks visible")
    return PublicChecks(destination, tuple(visible), tuple(hidden))


def _is_test(node: ast.stmt) -> bool:
    return isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")


def _visibility_of(call: ast.expr) -> str | None:
    """``"hidden"`` for ``pytest.mark.visibility("hidden")``, and so on; else ``None``."""
    if (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "visibility"
        and call.args
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[0].value, str)
    ):
        return call.args[0].value
    return None


def _own_visibility(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    for decorator in node.decorator_list:
        found = _visibility_of(decorator)
        if found is not None:
            return found
    return None


def _module_visibility(tree: ast.Module) -> str | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "pytestmark" for target in node.targets
        ):
            marks = (
                node.value.elts if isinstance(node.value, ast.List | ast.Tuple) else [node.value]
            )
            for mark in marks:
                found = _visibility_of(mark)
                if found is not None:
                    return found
    return None


def _defined(node: ast.stmt) -> set[str]:
    """The module-level names ``node`` defines (empty for statements that always stay)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, ast.AnnAssign):
        targets = [node.target]
    names = {
        name.id for target in targets for name in ast.walk(target) if isinstance(name, ast.Name)
    }
    return names - {"pytestmark", "__all__"}


def _referenced(node: ast.AST) -> set[str]:
    """Every name ``node`` could refer to: names, attributes, fixture parameters, strings."""
    names: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            names.add(child.id)
        elif isinstance(child, ast.Attribute):
            names.add(child.attr)
        elif isinstance(child, ast.arg):
            names.add(child.arg)
        elif isinstance(child, ast.Constant) and isinstance(child.value, str):
            names.update(child.value.replace(",", " ").split())
        elif isinstance(child, ast.alias):
            names.add(child.asname or child.name.split(".")[0])
    return names


def _drop_unreferenced(trees: dict[Path, ast.Module]) -> None:
    """Drop module-level definitions that nothing kept refers to, until nothing changes
    (a definition's references to itself do not keep it)."""
    while True:
        referenced: set[str] = set()
        for tree in trees.values():
            for node in tree.body:
                referenced |= _referenced(node) - _defined(node)
        dropped = False
        for tree in trees.values():
            kept = []
            for node in tree.body:
                own = _defined(node)
                if own and not _is_test(node) and not own & referenced:
                    dropped = True
                    continue
                kept.append(node)
            tree.body = kept
        if not dropped:
            return


def _strip_docstrings(tree: ast.Module) -> None:
    """Remove every docstring but the checks' own (their first line names the check)."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _is_test(node):
            continue
        body = node.body
        if (
            body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            body.pop(0)
            if not body and not isinstance(node, ast.Module):
                body.append(ast.Pass())
