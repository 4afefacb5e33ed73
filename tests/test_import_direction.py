"""Dependencies inside ``course/`` point one way (STYLE.md, "Layers"), read from the source.

``cli → classroom → {nbgrader, reports} → {grading results, config}``; grading drives the
sandbox, never the reverse; the probes, run by the sandbox's worker, import nothing else of
``course`` but their specs, and grading reads only those TensorFlow-free specs and argument
markers; no module of the sandbox but its worker reaches TensorFlow. Every ``course`` import
counts: at the top, inside functions and under ``if TYPE_CHECKING``, relative ones resolved.
Nothing here imports the modules it reads; imports by name at run time (``importlib``,
``python -m``) are not seen.
"""

from __future__ import annotations

import ast
import functools
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "course"

#: The layer of each module: the longest of these names that is the module or a package
#: holding it. ``course`` itself (``course/__init__.py``, the version) is below everything.
MEMBERS: dict[str, str] = {
    "course.cli": "cli",
    "course.cli_common": "cli",
    "course.jupyter": "cli",  # the same front end in Jupyter: %course check, Validate
    "course.classroom.commands": "cli",  # the classroom's click commands
    "course.classroom": "classroom",
    "course.api": "api",
    "course.testing": "testing",
    "course.nbgrader": "nbgrader",
    "course.reports": "reports",
    "course.progress": "progress",
    "course.learner": "learner",
    "course.records": "records",
    "course.grading": "grading",
    "course.grading.results": "grading results",
    "course.sandbox": "sandbox",
    "course.sandbox.worker": "worker",
    "course.sandbox.forks": "worker",  # inside a zygote's sandbox, with the probes
    "course.probes": "probes",
    # What each probe takes and answers, and the argument markers: read by both sides.
    "course.probes.specs": "probe specs",
    "course.probes.schema": "probe specs",
    "course.probes.markers": "probe specs",
    "course.backbones": "backbones",
    "course.datasets": "datasets",
    "course.mutants": "mutants",
    "course.config": "config",
}

#: The layers each layer builds on: it may import them and, through them, what they build on.
BUILDS_ON: dict[str, tuple[str, ...]] = {
    "cli": ("classroom", "api", "learner"),
    "learner": ("classroom", "config"),  # a learner's workspace: start, locate, notebooks
    "classroom": ("nbgrader", "reports", "grading"),
    "api": ("grading", "progress"),
    "testing": ("grading",),  # the checks grader authors write with
    "nbgrader": ("records", "config"),
    "reports": ("records", "config"),
    "progress": ("grading results",),
    "records": ("grading results",),
    "grading": ("sandbox", "grading results", "probe specs"),
    "worker": ("sandbox", "probes"),  # runs inside the sandbox, with TensorFlow
    "sandbox": ("config",),
    "probes": ("probe specs",),
    "probe specs": (),
    "backbones": ("datasets",),
    "datasets": (),
    "mutants": ("config",),
    "grading results": (),
    "config": (),
}

#: What ``course/__init__.py`` may import, inside the function that a tool calls by name:
#: IPython's ``%load_ext course`` calls ``course.load_ipython_extension``.
ENTRY_POINTS = frozenset({"course.jupyter"})

#: Packages that must not import one another in a circle, however the layers are drawn.
ACYCLIC_PACKAGES = ("course.classroom", "course.nbgrader", "course.reports")


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int

    def __str__(self) -> str:
        return f"{self.importer} imports {self.imported} (line {self.line})"


def module_names(root: Path) -> dict[str, Path]:
    """Every module under ``root`` (a package folder) by dotted name."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def import_statements(path: Path) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement of the file, wherever it is (functions, ``if`` blocks...)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node


def course_imports(root: Path) -> list[Import]:
    """Every import of a module of ``root``'s package, resolved to the module imported."""
    modules = module_names(root)
    found = []
    for name, path in modules.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in import_statements(path):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = package[: len(package) - node.level + 1] if node.level else []
                source = ".".join([*base, *([node.module] if node.module else [])])
                # ``from course.nbgrader import exchange`` imports the module exchange.
                targets = [
                    f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
                    for alias in node.names
                ]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    found.append(Import(name, target, node.lineno))
    return sorted(set(found), key=lambda i: (i.importer, i.line, i.imported))


def layer_of(module: str) -> str | None:
    """The module's layer; ``None`` for ``course`` itself."""
    if module == PACKAGE.name:
        return None
    owners = [prefix for prefix in MEMBERS if module == prefix or module.startswith(prefix + ".")]
    if not owners:
        raise LookupError(
            f"{module} has no layer: add it (or its package) to MEMBERS in {__name__}, "
            "below the layers that import it and above those it imports"
        )
    return MEMBERS[max(owners, key=len)]


def below(layer: str) -> set[str]:
    """Every layer ``layer`` builds on, directly or through others."""
    reached: set[str] = set()
    waiting = list(BUILDS_ON[layer])
    while waiting:
        current = waiting.pop()
        if current not in reached:
            reached.add(current)
            waiting.extend(BUILDS_ON[current])
    return reached


def wrong_way(imports: Iterable[Import]) -> list[str]:
    """A sentence for each import that is not from a layer to one it builds on."""
    problems = []
    for item in imports:
        source, target = layer_of(item.importer), layer_of(item.imported)
        if target is None or source == target:
            continue
        if source is None:
            if item.imported in ENTRY_POINTS:
                continue
            problems.append(f"{item}: {PACKAGE.name}/__init__.py may import nothing of it")
            continue
        if target in below(source):
            continue
        allowed = ", ".join(sorted(below(source))) or f"nothing else of {PACKAGE.name}"
        if source in below(target):
            problems.append(
                f"{item}: the wrong way ({source} → {target}). Allowed: {target} → {source}, "
                f"never the reverse. {source} may import: {allowed}"
            )
        else:
            problems.append(
                f"{item}: sideways ({source} → {target}); neither layer builds on the other. "
                f"{source} may import: {allowed}"
            )
    return problems


def package_cycles(imports: Iterable[Import], packages: Iterable[str]) -> list[str]:
    """Each circle of imports between ``packages``, with the imports that close it."""
    packages = tuple(packages)

    def package(module: str) -> str | None:
        return next((p for p in packages if module == p or module.startswith(p + ".")), None)

    edges: dict[str, dict[str, Import]] = {p: {} for p in packages}
    for item in imports:
        source, target = package(item.importer), package(item.imported)
        if source and target and source != target:
            edges[source].setdefault(target, item)
    cycles = []

    def walk(path: list[str]) -> None:
        """Circles through ``path``, each found once: from its first package in order."""
        for target in edges[path[-1]]:
            if target == path[0]:
                circle = [*path, path[0]]
                evidence = "; ".join(str(edges[a][b]) for a, b in itertools.pairwise(circle))
                cycles.append(f"{' → '.join(circle)}: {evidence}")
            elif target not in path and target > path[0]:
                walk([*path, target])

    for start in packages:
        walk([start])
    return cycles


def tensorflow_users(root: Path) -> set[str]:
    """The modules of ``root``'s package that import TensorFlow or Keras themselves."""
    users = set()
    for name, path in module_names(root).items():
        for node in import_statements(path):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                names = [] if node.level else [node.module or ""]
            if any(imported.split(".")[0] in ("tensorflow", "keras") for imported in names):
                users.add(name)
    return users


def reachable(start: str, imports: Mapping[str, set[str]]) -> set[str]:
    """Every module ``start`` imports, directly or through others."""
    reached: set[str] = set()
    waiting = [start]
    while waiting:
        for target in imports.get(waiting.pop(), set()) - reached:
            reached.add(target)
            waiting.append(target)
    return reached


@functools.cache
def imports_of_course() -> list[Import]:
    return course_imports(PACKAGE)


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of course it imports. The entry points that ``course`` imports
    for a tool are left out: only that tool's call imports them, never an import of course."""
    graph: dict[str, set[str]] = {}
    for item in imports_of_course():
        if item.importer == PACKAGE.name and item.imported in ENTRY_POINTS:
            continue
        graph.setdefault(item.importer, set()).add(item.imported)
    return graph


def test_every_module_has_a_layer() -> None:
    """Every module of course/ belongs to a layer of the table."""
    missing = []
    for module in module_names(PACKAGE):
        try:
            layer_of(module)
        except LookupError as error:
            missing.append(str(error))
    assert not missing, "\n".join(missing)


def test_the_layer_table_points_one_way() -> None:
    """Each layer builds only on known layers and never, through others, on itself."""
    assert set(MEMBERS.values()) == set(BUILDS_ON)
    assert {layer for names in BUILDS_ON.values() for layer in names} <= set(BUILDS_ON)
    circular = [layer for layer in BUILDS_ON if layer in below(layer)]
    assert not circular, f"layers that build on themselves: {circular}"


def test_imports_point_down_the_layers() -> None:
    """No module imports a layer above its own or beside it."""
    problems = wrong_way(imports_of_course())
    assert not problems, "imports that point the wrong way:\n" + "\n".join(problems)


def test_classroom_nbgrader_and_reports_import_no_circle() -> None:
    """classroom, nbgrader and reports never import one another in a circle."""
    cycles = package_cycles(imports_of_course(), ACYCLIC_PACKAGES)
    assert not cycles, "import cycles between packages:\n" + "\n".join(cycles)


def test_only_the_sandboxs_worker_reaches_tensorflow() -> None:
    """The sandbox runs jobs without TensorFlow; only its worker (in the job) imports it."""
    graph = import_graph()
    users = tensorflow_users(PACKAGE)
    assert "course.sandbox.worker" in users  # the check below can see an import
    problems = [
        f"{module} reaches {', '.join(sorted(found))}, which import TensorFlow or Keras"
        for module in module_names(PACKAGE)
        if layer_of(module) == "sandbox"
        and (found := ({module} | reachable(module, graph)) & users)
    ]
    assert not problems, "\n".join(problems)


def test_the_worker_imports_only_what_bubblewrap_shows_it() -> None:
    """The worker sees only the parts of course/ that bubblewrap binds into its sandbox."""
    source = (PACKAGE / "sandbox" / "bubblewrap.py").read_text(encoding="utf-8")
    (parts,) = (
        ast.literal_eval(node.value)
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign)
        and [getattr(target, "id", "") for target in node.targets] == ["WORKER_PACKAGE_PARTS"]
    )
    shown = [f"{PACKAGE.name}.{part}" for part in parts if part != "__init__.py"]
    hidden = sorted(
        module
        for module in reachable("course.sandbox.worker", import_graph())
        if module != PACKAGE.name
        and not any(module == s or module.startswith(s + ".") for s in shown)
    )
    assert not hidden, f"the worker reaches {hidden}; bubblewrap shows it only {parts}"


def test_a_wrong_way_import_and_a_circle_are_reported(tmp_path: Path) -> None:
    """The checks above can fail: a made-up package with a wrong-way import and a circle."""
    root = tmp_path / "course"
    files = {
        "__init__.py": "",
        "nbgrader/__init__.py": "",
        "nbgrader/exchange.py": "def f():\n    from course.classroom import workflow\n",
        "reports/feedback.py": "from ..nbgrader import exchange\n",
        "classroom/workflow.py": "from course.reports.feedback import render\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    imports = course_imports(root)
    assert [str(i) for i in imports] == [
        "course.classroom.workflow imports course.reports.feedback (line 1)",
        "course.nbgrader.exchange imports course.classroom.workflow (line 2)",
        "course.reports.feedback imports course.nbgrader.exchange (line 1)",
    ]
    problems = wrong_way(imports)
    assert len(problems) == 2
    assert problems[0].startswith(
        "course.nbgrader.exchange imports course.classroom.workflow (line 2): the wrong way "
        "(nbgrader → classroom). Allowed: classroom → nbgrader, never the reverse"
    )
    assert "sideways (reports → nbgrader)" in problems[1]
    (cycle,) = package_cycles(imports, ACYCLIC_PACKAGES)
    assert cycle.startswith("course.classroom → course.reports → course.nbgrader → course.")


def test_the_sandbox_and_the_probes_stay_at_the_bottom() -> None:
    """The sandbox builds on config only, its worker adds the probes, the probes build on
    their specs only, and the specs on nothing."""
    assert below("sandbox") == {"config"}
    assert below("worker") == {"sandbox", "probes", "probe specs", "config"}
    assert below("probes") == {"probe specs"}
    assert below("probe specs") == set()


def test_the_probe_specs_never_reach_tensorflow() -> None:
    """The grading process imports the probes' specs and markers: they import no TensorFlow."""
    graph = import_graph()
    users = tensorflow_users(PACKAGE)
    problems = [
        f"{module} reaches {', '.join(sorted(found))}, which import TensorFlow or Keras"
        for module in module_names(PACKAGE)
        if layer_of(module) == "probe specs"
        and (found := ({module} | reachable(module, graph)) & users)
    ]
    assert not problems, "\n".join(problems)
