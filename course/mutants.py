"""Mutants of a reference solution: wrong answers derived by the mistakes students make.

A grader is only as good as the wrong answers it catches. :func:`mutants` reads a week's
reference solution and, inside its ``### BEGIN/END SOLUTION`` blocks (the code a student
writes), applies one small change at a time, each shaped like a real mistake: an activation
dropped or swapped, ``from_logits`` flipped, a layer argument left at its default, a layer or
a pipeline step removed, padding changed, an off-by-one in a slice or a window, another axis,
a flipped mask or comparison, another reduction, a scale factor forgotten, a metric that
never resets or never accumulates, sin and cos swapped, a flag flipped, two arguments
swapped, ``@tf.function`` dropped, a call made for its effect left out. Each
:class:`Mutant` is the whole module's source with that one change, spliced into the
original text so everything else is untouched.

Grading the mutants and reporting which checks kill them is ``benchmarks/mutants.py``'s
work; a mutant that changes nothing a student should be graded on is recorded as
*equivalent* in the docstring of one of the week's grader files (:func:`equivalents`)::

    Equivalent mutants:
        make_dataset:drop-step:prefetch - prefetching changes speed, not the batches.

Reads source text only: nothing here imports TensorFlow or the solution.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "OPERATORS",
    "Mutant",
    "changed_definitions",
    "equivalents",
    "exercising_files",
    "mutants",
    "solution_lines",
]

_BEGIN = re.compile(r"^[ \t]*### BEGIN SOLUTION[ \t]*$")
_END = re.compile(r"^[ \t]*### END SOLUTION[ \t]*$")
_EQUIVALENT_HEADING = re.compile(r"^[ \t]*Equivalent mutants[^\n]*:[ \t]*$", re.M)
_EQUIVALENT_LINE = re.compile(r"^\s+(?P<id>[\w.]+:[\w-]+:\S+)\s+-\s+(?P<reason>.+)$")


@dataclass(frozen=True)
class Mutant:
    """One wrong answer: the reference solution with one change.

    ``id`` is stable while the solution's code keeps its shape:
    ``<function>:<operator>:<what changed>``, with ``#2``, ``#3`` for repeats.
    """

    id: str
    function: str
    operator: str
    line: int
    before: str
    after: str
    source: str

    @property
    def description(self) -> str:
        after = self.after if self.after.strip() else "(removed)"
        return f"line {self.line}, {self.function}: {self.before} -> {after}"


@dataclass(frozen=True)
class _Edit:
    """Replace the text between two (line, column) positions with ``text``."""

    start: tuple[int, int]
    end: tuple[int, int]
    text: str
    operator: str
    detail: str
    #: What the report shows changed, where it is not the whole replaced text.
    shown: tuple[str, str] | None = None


Operator = Callable[[ast.AST, "_Context"], Iterator[_Edit]]


@dataclass(frozen=True)
class _Context:
    lines: list[str]
    imports_keras: bool

    def text(self, node: ast.AST) -> str:
        return ast.get_source_segment("".join(self.lines), node) or ast.unparse(node)


def solution_lines(source: str) -> set[int]:
    """The 1-based line numbers inside ``### BEGIN/END SOLUTION`` blocks."""
    inside, lines = False, set()
    for number, line in enumerate(source.splitlines(), start=1):
        if _BEGIN.match(line):
            inside = True
        elif _END.match(line):
            inside = False
        elif inside:
            lines.add(number)
    return lines


def _span(node: ast.AST) -> tuple[tuple[int, int], tuple[int, int]]:
    """Where ``node``'s text starts and ends: (line, UTF-8 column) pairs."""
    line: int = getattr(node, "lineno", 1)
    column: int = getattr(node, "col_offset", 0)
    end_line = getattr(node, "end_lineno", None) or line
    end_column = getattr(node, "end_col_offset", None)
    return (line, column), (end_line, column if end_column is None else end_column)


def _replace(node: ast.AST, text: str, operator: str, detail: str) -> _Edit:
    start, end = _span(node)
    return _Edit(start, end, text, operator, detail)


def _called_name(call: ast.Call) -> str:
    """``Dense`` for ``keras.layers.Dense(...)``, ``relu`` for ``tf.nn.relu(...)``."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _with_keywords(call: ast.Call, keywords: list[ast.keyword]) -> str:
    clone = ast.Call(func=call.func, args=call.args, keywords=keywords)
    return ast.unparse(clone)


def _constant(node: ast.AST) -> object:
    return node.value if isinstance(node, ast.Constant) else None


# --- operators ---------------------------------------------------------------------------

_ACTIVATION_SWAPS = {
    "relu": "sigmoid",
    "softmax": "sigmoid",
    "sigmoid": "relu",
    "tanh": "relu",
    "gelu": "relu",
    "elu": "sigmoid",
}
_ACTIVATION_CALLS = {"relu", "softmax", "sigmoid", "tanh", "gelu", "elu"}


def _activations(node: ast.AST, context: _Context) -> Iterator[_Edit]:
    """Drop or swap an activation: a keyword argument, an Activation layer, a function call."""
    if not isinstance(node, ast.Call):
        return
    for keyword in node.keywords:
        value = _constant(keyword.value)
        if keyword.arg != "activation" or not isinstance(value, str):
            continue
        others = [k for k in node.keywords if k is not keyword]
        yield _replace(node, _with_keywords(node, others), "drop-activation", value)
        if value in _ACTIVATION_SWAPS:
            swapped = ast.keyword("activation", ast.Constant(_ACTIVATION_SWAPS[value]))
            keywords = [swapped if k is keyword else k for k in node.keywords]
            yield _replace(node, _with_keywords(node, keywords), "swap-activation", f"{value}")
    name = _called_name(node)
    if name == "Activation" and node.args and isinstance(_constant(node.args[0]), str):
        value = str(_constant(node.args[0]))
        if value in _ACTIVATION_SWAPS:
            argument = node.args[0]
            yield _replace(argument, repr(_ACTIVATION_SWAPS[value]), "swap-activation", value)
    elif name in _ACTIVATION_CALLS and len(node.args) == 1 and not node.keywords:
        yield _replace(node, context.text(node.args[0]), "drop-activation", f"{name}()")


_CROSSENTROPIES = {"SparseCategoricalCrossentropy", "CategoricalCrossentropy", "BinaryCrossentropy"}
_LOSS_STRINGS = {
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "binary_crossentropy": "BinaryCrossentropy",
}


def _from_logits(node: ast.AST, context: _Context) -> Iterator[_Edit]:
    """Flip ``from_logits``, or say ``from_logits=True`` where the loss gets probabilities."""
    if isinstance(node, ast.Call) and _called_name(node) in _CROSSENTROPIES:
        flags = [k for k in node.keywords if k.arg == "from_logits"]
        if flags and isinstance(_constant(flags[0].value), bool):
            return  # flipped by _flags
        keywords = [*node.keywords, ast.keyword("from_logits", ast.Constant(True))]
        yield _replace(node, _with_keywords(node, keywords), "flip-from_logits", "added")
    elif (
        context.imports_keras
        and isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in _LOSS_STRINGS
    ):
        loss = f"keras.losses.{_LOSS_STRINGS[node.value]}(from_logits=True)"
        yield _replace(node, loss, "flip-from_logits", node.value)


_KEYWORDS_WITH_DEFAULTS = {
    "padding",
    "strides",
    "return_sequences",
    "mask_zero",
    "use_bias",
    "dropout",
    "recurrent_dropout",
    "pool_size",
    "epsilon",
    "momentum",
    "output_mode",
    "output_sequence_length",
    "max_tokens",
    "standardize",
    "split",
    "ngrams",
    "drop_remainder",
    "reshuffle_each_iteration",
    "epochs",
    "learning_rate",
    "validation_data",
    "validation_split",
    "callbacks",
    "monitor",
    "patience",
    "restore_best_weights",
    "save_best_only",
    "mode",
    "min_delta",
    "keepdims",
    "transpose_b",
    "label_mode",
    "interpolation",
    "crop_to_aspect_ratio",
    "num_oov_indices",
    "oov_token",
    "reduction",
    "delta",
    "name",
    "dtype",
    "trainable",
    "training",
    "persistent",
    "shift",
    "stride",
    "seed",
}


def _keyword_defaults(node: ast.AST, context: _Context) -> Iterator[_Edit]:
    """Leave a named argument at its default (``padding='same'`` dropped, ``epochs`` dropped)."""
    if not isinstance(node, ast.Call):
        return
    for keyword in node.keywords:
        if keyword.arg not in _KEYWORDS_WITH_DEFAULTS or keyword.arg in {"name", "dtype"}:
            continue
        others = [k for k in node.keywords if k is not keyword]
        yield _replace(node, _with_keywords(node, others), "default-argument", keyword.arg)


def _flags(node: ast.AST, context: _Context) -> Iterator[_Edit]:
    """Flip a boolean keyword (``shuffle``, ``from_logits``, ``return_sequences``, ...) or a
    boolean attribute set in place (``layer.trainable = False``)."""
    if isinstance(node, ast.keyword) and isinstance(_constant(node.value), bool):
        flipped = not _constant(node.value)
        yield _replace(node.value, repr(flipped), f"flip-{node.arg}", repr(flipped))
    elif (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Attribute)
        and isinstance(_constant(node.value), bool)
    ):
        flipped = not _constant(node.value)
        yield _replace(node.value, repr(flipped), f"flip-{node.targets[0].attr}", repr(flipped))


_STRING_SWAPS = {
    "same": "valid",
    "valid": "same",
    "causal": "valid",
    "pre": "post",
    "post": "pre",
    "min": "max",
    "max": "min",
    "val_loss": "loss",
    "loss": "val_loss",
    "int": "binary",
    "sparse_categorical_crossentropy": "categorical_crossentropy",
    "categorical_crossentropy": "sparse_categorical_crossentropy",
}


def _strings(node: ast.AST, context: _Context) -> Iterator[_Edit]:
    """Padding ``same``/``valid``, ``pre``/``post`` truncation, ``min``/``max`` mode, a
    monitored ``val_loss`` that becomes ``loss``: a string argument with a plausible twin."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        twin = _STRING_SWAPS.get(node.value)
        if twin is not None:
            yield _replace(node, repr(twin), "swap-string", f"{node.value}->{twin}")


_LAYER_CALLS = re.compile(r"^[A-Z]\w*$")


def _remove_layers(node: ast.AST, context: _Context) -> Iterator[_Edit]:
    """Remove a layer: an element of ``Sequential([...])``, a ``model.add(...)`` line, or a
    functional ``x = Layer(...)(x)`` line."""
    if isinstance(node, ast.Call) and _called_name(node) == "Sequential" and node.args:
        layers = node.args[0]
        if isinstance(layers, ast.List) and len(layers.elts) > 1:
            for index, element in enumerate(layers.elts):
                kept = [e for e in layers.elts if e is not element]
                text = "[" + ", ".join(context.text(e) for e in kept) + "]"
                start, end = _span(layers)
                shown = (context.text(element), "")
                yield _Edit(start, end, text, "remove-layer", _layer_name(element, index), shown)
    elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        call = node.value
        if _called_name(call) == "add" and call.args:
            yield _replace(node, "pass", "remove-layer", _layer_name(call.args[0], 0))
    elif isinstance(node, ast.Assign) and len(node.targets) == 1:
        target, value = node.targets[0], node.value
        if not (isinstance(target, ast.Name) and isinstance(value, ast.Call)):
            return
        if not (isinstance(value.func, ast.Call) and _LAYER_CALLS.match(_called_name(value.func))):
            return
        if any(isinstance(a, ast.Name) and a.id == target.id for a in value.args):
            yield _replace(node, "pass", "remove-layer", _called_name(value.func))


def _layer_name(node: ast.AST, index: int) -> str:
    if isinstance(node, ast.Call) and _called_name(node):
        return _called_name(node)
    return f"element{index}"


_PIPELINE_STEPS = {
    "shuffle",
    "batch",
    "prefetch",
    "cache",
    "map",
    "repeat",
    "filter",
    "padded_batch",
    "unbatch",
    "flat_map",
    "window",
    "take",
    "skip",
}


def _pipeline_steps(node: ast.AST, context: _Context) -> Iterator[_Edit]:
    """Remove one step of a ``tf.data`` chain (``.shuffle(...)``, ``.batch(...)``, ...)."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _PIPELINE_STEPS
    ):
        yield _replace(node, context.text(node.func.value), "drop-step", node.func.attr)


def _off_by_one(node: ast.AST, context: _Context) -> Iterator[_Edit]:
    """``n + 1`` becomes ``n``, ``n - 1`` becomes ``n``; a slice's bound moves by one."""
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Add | ast.Sub)
        and _constant(node.right) == 1
        and not isinstance(_constant(node.right), bool)
    ):
        sign = "+" if isinstance(node.op, ast.Add) else "-"
        yield _replace(node, context.text(node.left), "off-by-one", f"{sign}1 dropped")
    elif isinstance(node, ast.Slice):
        for bound, name in ((node.lower, "start"), (node.upper, "stop")):
            if bound is not None and not (
                isinstance(bound, ast.BinOp) and _constant(bound.right) == 1
            ):
                number = _constant(bound)
                if isinstance(number, int) and not isinstance(number, bool):
                    text = str(number + 1)
                elif (
                    isinstance(bound, ast.UnaryOp)
                    and isinstance(bound.op, ast.USub)
                    and isinstance(_constant(bound.operand), int)
                ):
                    text = str(1 - int(_constant(bound.operand)))  # type: ignore[call-overload]
                else:
                    text = f"({context.text(bound)}) + 1"
                yield _replace(bound, text, "off-by-one", f"slice {name}+1")


def _axes(node: ast.AST, context: _Context) -> Iterator[_Edit]:
    """Another axis: ``axis=-1`` becomes ``axis=0``, ``axis=0`` becomes ``axis=-1``."""
    if isinstance(node, ast.keyword) and node.arg in {"axis", "perm"}:
        value = node.value
        if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
            value = ast.Constant(-(_constant(value.operand) or 0))  # type: ignore[operator]
        number = _constant(value)
        if isinstance(number, int) and not isinstance(number, bool):
            other = -1 if number == 0 else 0
            yield _replace(node.value, str(other), "swap-axis", f"{number}->{other}")


_COMPARISON_SWAPS: dict[type[ast.cmpop], str] = {
    ast.Eq: "!=",
    ast.NotEq: "==",
    ast.Lt: "<=",
    ast.LtE: "<",
    ast.Gt: ">=",
    ast.GtE: ">",
}
_MASK_CALLS = {"equal": "not_equal", "not_equal": "equal", "greater": "less", "less": "greater"}


def _masks(node: ast.AST, context: _Context) -> Iterator[_Edit]:
    """Flip a mask or a comparison: ``1 - m`` becomes ``m``, ``==`` becomes ``!=``, ``<``
    becomes ``<=``, ``tf.equal`` becomes ``tf.not_equal``, ``logical_not(m)`` becomes ``m``."""
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        swapped = _COMPARISON_SWAPS.get(type(node.ops[0]))
        if swapped is not None:
            text = f"{context.text(node.left)} {swapped} {context.text(node.comparators[0])}"
            yield _replace(node, text, "flip-comparison", swapped)
    elif (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Sub)
        and _constant(node.left) in (1, 1.0)
        and not isinstance(_constant(node.left), bool)
    ):
        yield _replace(node, context.text(node.right), "flip-mask", "1 - m")
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        name = node.func.attr
        if name in _MASK_CALLS:
            func = ast.Attribute(value=node.func.value, attr=_MASK_CALLS[name])
            text = ast.unparse(ast.Call(func=func, args=node.args, keywords=node.keywords))
            yield _replace(node, text, "flip-mask", f"{name}->{_MASK_CALLS[name]}")
        elif name == "logical_not" and len(node.args) == 1:
            yield _replace(node, context.text(node.args[0]), "flip-mask", "logical_not")


_REDUCTIONS = {
    "reduce_mean": "reduce_sum",
    "reduce_sum": "reduce_mean",
    "mean": "sum",
    "sum": "mean",
    "reduce_max": "reduce_mean",
    "max": "mean",
    "argmax": "argmin",
}


def _reductions(node: ast.AST, context: _Context) -> Iterator[_Edit]:
    """Another reduction: mean and sum swapped, max taken as the mean, ``ReduceOp.SUM`` and
    ``ReduceOp.MEAN`` swapped, ``argmax`` as ``argmin``."""
    if isinstance(node, ast.Attribute) and node.attr in _REDUCTIONS:
        text = f"{context.text(node.value)}.{_REDUCTIONS[node.attr]}"
        yield _replace(node, text, "swap-reduction", f"{node.attr}->{_REDUCTIONS[node.attr]}")
    elif isinstance(node, ast.Attribute) and node.attr in {"SUM", "MEAN"}:
        other = "MEAN" if node.attr == "SUM" else "SUM"
        yield _replace(
            node, f"{context.text(node.value)}.{other}", "swap-reduction", f"{node.attr}->{other}"
        )


_ROOTS = {"sqrt", "rsqrt"}


def _scaling(node: ast.AST, context: _Context) -> Iterator[_Edit]:
    """Forget a scale factor: ``a / b`` becomes ``a``, ``a * 0.5`` becomes ``a``,
    ``sqrt(v)`` becomes ``v``."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        yield _replace(node, context.text(node.left), "drop-scaling", "/ dropped")
    elif (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Mult)
        and isinstance(_constant(node.right), int | float)
        and not isinstance(_constant(node.right), bool)
    ):
        yield _replace(node, context.text(node.left), "drop-scaling", "* dropped")
    elif isinstance(node, ast.Call) and _called_name(node) in _ROOTS and len(node.args) == 1:
        yield _replace(node, context.text(node.args[0]), "drop-scaling", _called_name(node))


def _trigonometry(node: ast.AST, context: _Context) -> Iterator[_Edit]:
    """``sin`` and ``cos`` swapped."""
    if isinstance(node, ast.Attribute) and node.attr in {"sin", "cos"}:
        other = "cos" if node.attr == "sin" else "sin"
        yield _replace(node, f"{context.text(node.value)}.{other}", "swap-sin-cos", node.attr)


def _state(node: ast.AST, context: _Context) -> Iterator[_Edit]:
    """Stateful mistakes: a ``reset_state`` that resets nothing, an ``assign_add`` that
    overwrites instead of accumulating."""
    if isinstance(node, ast.FunctionDef) and node.name in {"reset_state", "reset_states"}:
        body = [s for s in node.body if not _is_docstring(s)]
        if body:
            first, last = body[0], body[-1]
            start, _ = _span(first)
            _, end = _span(last)
            yield _Edit(start, end, "pass", "forget-reset", node.name)
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"assign_add", "assign_sub"}
    ):
        text = f"{context.text(node.func.value)}.assign"
        yield _replace(node.func, text, "no-accumulation", node.func.attr)


def _is_docstring(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(_constant(statement.value), str)


_ORDERED_PAIRS = re.compile(r"^(matmul|\w*loss\w*|\w*_fn|subtract|divide|pow|split\w*)$")


def _arguments(node: ast.AST, context: _Context) -> Iterator[_Edit]:
    """Two positional arguments swapped where order matters (``matmul(a, b)``,
    ``loss(y_true, y_pred)``)."""
    if (
        isinstance(node, ast.Call)
        and len(node.args) >= 2
        and _ORDERED_PAIRS.match(_called_name(node))
        and all(isinstance(a, ast.Name | ast.Attribute | ast.Subscript) for a in node.args[:2])
    ):
        first, second = node.args[0], node.args[1]
        start, _ = _span(first)
        _, end = _span(second)
        text = f"{context.text(second)}, {context.text(first)}"
        yield _Edit(start, end, text, "swap-arguments", _called_name(node))


def _decorators(node: ast.AST, context: _Context) -> Iterator[_Edit]:
    """``@tf.function`` dropped: the step runs eagerly."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if isinstance(target, ast.Attribute) and target.attr == "function":
                start, end = _span(decorator)
                yield _Edit((start[0], start[1] - 1), end, "", "drop-tf-function", node.name)


def _calls(node: ast.AST, context: _Context) -> Iterator[_Edit]:
    """A call made for its effect left out: ``tape.watch(x)``, ``optimizer.apply_gradients(...)``,
    ``metric.update_state(...)``, ``model.fit(...)`` (``model.add`` is a removed layer)."""
    if (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and _called_name(node.value) not in {"add", "print", "__init__", ""}
    ):
        yield _replace(node, "pass", "drop-call", _called_name(node.value))


OPERATORS: dict[str, Operator] = {
    "activations": _activations,
    "from_logits": _from_logits,
    "defaults": _keyword_defaults,
    "flags": _flags,
    "strings": _strings,
    "layers": _remove_layers,
    "pipeline": _pipeline_steps,
    "off-by-one": _off_by_one,
    "axes": _axes,
    "masks": _masks,
    "reductions": _reductions,
    "scaling": _scaling,
    "trigonometry": _trigonometry,
    "state": _state,
    "arguments": _arguments,
    "decorators": _decorators,
    "calls": _calls,
}
"""Each family of mistakes and the operator that makes them; ``mutants(families=...)``
chooses some."""


# --- applying them -----------------------------------------------------------------------


def _enclosing(tree: ast.Module) -> dict[int, str]:
    """Each line's function: ``build_model`` or ``F1Score.update_state``."""
    owners: dict[int, str] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                end = child.end_lineno or child.lineno
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                for line in range(first, end + 1):
                    owners[line] = name
                visit(child, f"{name}.")

    visit(tree, "")
    return owners


def _offset(lines: list[str], line: int, column: int) -> int:
    """Character offset of an AST position (its column counts UTF-8 bytes)."""
    text = lines[line - 1]
    prefix = text.encode("utf-8")[:column].decode("utf-8", errors="ignore")
    return sum(len(item) for item in lines[: line - 1]) + len(prefix)


def mutants(source: str, *, families: tuple[str, ...] = ()) -> list[Mutant]:
    """Every mutant of ``source`` (a reference solution), in source order, each compiling.

    Only code inside the ``### BEGIN/END SOLUTION`` blocks changes; ``families`` (keys of
    :data:`OPERATORS`) restricts the kinds of mistakes. Changes that give the same module
    twice are kept once.
    """
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    inside = solution_lines(source)
    owners = _enclosing(tree)
    context = _Context(
        lines=lines,
        imports_keras=bool(re.search(r"^import keras$|^from keras ", source, re.M)),
    )
    names = list(families or OPERATORS)
    ranked: list[tuple[int, _Edit]] = []
    for node in ast.walk(tree):
        for rank, name in enumerate(names):
            ranked.extend((rank, e) for e in OPERATORS[name](node, context) if e.start[0] in inside)
    # Where two operators make the same module, the more specific one (listed first) names it.
    ranked.sort(key=lambda item: (item[1].start, item[1].end, item[0], item[1].operator))
    edits = [edit for _, edit in ranked]

    seen: set[str] = {source}
    counts: Counter[str] = Counter()
    found: list[Mutant] = []
    for edit in edits:
        begin, end = _offset(lines, *edit.start), _offset(lines, *edit.end)
        mutated = source[:begin] + edit.text + source[end:]
        if mutated in seen:
            continue
        try:
            compile(mutated, "<mutant>", "exec", dont_inherit=True)
        except SyntaxError:
            continue
        seen.add(mutated)
        function = owners.get(edit.start[0], "<module>")
        key = f"{function}:{edit.operator}:{edit.detail.replace(' ', '_')}"
        counts[key] += 1
        identifier = key if counts[key] == 1 else f"{key}#{counts[key]}"
        before, after = edit.shown or (source[begin:end], edit.text)
        found.append(
            Mutant(
                id=identifier,
                function=function,
                operator=edit.operator,
                line=edit.start[0],
                before=" ".join(before.split()),
                after=" ".join(after.split()),
                source=mutated,
            )
        )
    return found


def equivalents(graders: Path) -> dict[str, str]:
    """The mutants a week's grader files record as equivalent, with their reasons.

    Read from each ``test_*.py``'s module docstring, under a line ``Equivalent mutants:``:
    one indented ``<mutant id> - <reason>`` entry each, the reason going on over more deeply
    indented lines; the list ends at a blank line or a line indented less.
    """
    recorded: dict[str, str] = {}
    for path in sorted(graders.glob("test_*.py")):
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        heading = _EQUIVALENT_HEADING.search(docstring)
        if heading is None:
            continue
        entry_indent, last = -1, ""
        for line in docstring[heading.end() :].splitlines()[1:]:
            indent = len(line) - len(line.lstrip())
            match = _EQUIVALENT_LINE.match(line)
            if match is not None and entry_indent in (-1, indent):
                entry_indent, last = indent, match["id"]
                recorded[last] = match["reason"].strip()
            elif last and line.strip() and indent > entry_indent:
                recorded[last] += " " + line.strip()
            else:
                break
    return recorded


def _definitions(source: str) -> dict[str, ast.AST]:
    tree = ast.parse(source)
    return {
        node.name: node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }


def changed_definitions(original: str, changed: str) -> set[str]:
    """The top-level functions and classes whose code differs between two versions of a
    module (added ones included)."""
    before, after = _definitions(original), _definitions(changed)
    return {
        name
        for name, node in after.items()
        if name not in before or ast.dump(node) != ast.dump(before[name])
    }


def _users(source: str) -> dict[str, set[str]]:
    """For each top-level function or class of ``source``: itself and every top-level one
    that uses it, directly or through others."""
    definitions = _definitions(source)
    uses = {
        name: {
            child.id
            for child in ast.walk(node)
            if isinstance(child, ast.Name) and child.id in definitions and child.id != name
        }
        for name, node in definitions.items()
    }
    reach: dict[str, set[str]] = {}
    for name in definitions:
        found, frontier = {name}, [name]
        while frontier:
            current = frontier.pop()
            for user, used in uses.items():
                if current in used and user not in found:
                    found.add(user)
                    frontier.append(user)
        reach[name] = found
    return reach


def exercising_files(graders: Path, source: str, names: set[str]) -> list[str]:
    """The grader files (``test_*.py`` names in ``graders``) that exercise any of ``names``
    (top-level functions or classes of ``source``): those naming it or a function of
    ``source`` that uses it. Graders reach a submission's functions by name, so a file
    that names none of them cannot see a change to them."""
    users = _users(source)
    reached = set().union(*(users.get(name, {name}) for name in names)) if names else set()
    chosen = []
    for path in sorted(graders.glob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        if any(re.search(rf"\b{re.escape(name)}\b", text) for name in reached):
            chosen.append(path.name)
    return chosen
