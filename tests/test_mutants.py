"""course.mutants derives wrong answers from a reference solution, and the graders kill them."""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path

import pytest

from course.config import Layout
from course.mutants import OPERATORS, equivalents, mutants, solution_lines
from tests.conftest import REPO, load_benchmark

SOLUTION = textwrap.dedent(
    '''
    """A toy week."""

    import keras
    import numpy as np
    import tensorflow as tf


    def untouched(x):
        return x / 2


    def build_model():
        ### BEGIN SOLUTION
        model = keras.Sequential(
            [keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]
        )
        model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
        return model
        ### END SOLUTION


    def pipeline(ds, n):
        ### BEGIN SOLUTION
        ds = ds.shuffle(n).batch(n + 1)
        return ds.map(lambda w: (w[:-1], w[-1]))
        ### END SOLUTION


    def encode(x, y, m):
        ### BEGIN SOLUTION
        angle = np.sin(x) / np.sqrt(y)
        mask = 1 - tf.cast(tf.equal(m, 0), tf.float32)
        return tf.reduce_mean(tf.matmul(x, y), axis=-1) * mask if m == 0 else angle
        ### END SOLUTION


    class Counter(keras.metrics.Metric):
        def update_state(self, y):
            ### BEGIN SOLUTION
            self.total.assign_add(y)
            ### END SOLUTION

        def reset_state(self):
            ### BEGIN SOLUTION
            self.total.assign(0.0)
            ### END SOLUTION


    ### BEGIN SOLUTION
    @tf.function
    def step(x):
        return x
    ### END SOLUTION
    '''
)


def by_id() -> dict[str, str]:
    return {m.id: f"{m.before} -> {m.after}" for m in mutants(SOLUTION)}


def test_every_family_of_mistakes_is_made() -> None:
    """Each operator the issue names yields the mutant a student's mistake resembles."""
    found = by_id()
    expected = {
        "build_model:drop-activation:softmax": 'keras.layers.Dense(10, activation="softmax")'
        " -> keras.layers.Dense(10)",
        "build_model:swap-activation:softmax": 'keras.layers.Dense(10, activation="softmax")'
        " -> keras.layers.Dense(10, activation='sigmoid')",
        "build_model:remove-layer:Flatten": "keras.layers.Flatten() -> ",
        "build_model:flip-from_logits:sparse_categorical_crossentropy": (
            '"sparse_categorical_crossentropy" -> '
            "keras.losses.SparseCategoricalCrossentropy(from_logits=True)"
        ),
        "pipeline:drop-step:shuffle": "ds.shuffle(n) -> ds",
        "pipeline:off-by-one:+1_dropped": "n + 1 -> n",
        "pipeline:off-by-one:slice_stop+1": "-1 -> 0",
        "encode:swap-sin-cos:sin": "np.sin -> np.cos",
        "encode:drop-scaling:sqrt": "np.sqrt(y) -> y",
        "encode:drop-scaling:/_dropped": "np.sin(x) / np.sqrt(y) -> np.sin(x)",
        "encode:flip-mask:1_-_m": "1 - tf.cast(tf.equal(m, 0), tf.float32) -> "
        "tf.cast(tf.equal(m, 0), tf.float32)",
        "encode:flip-mask:equal->not_equal": "tf.equal(m, 0) -> tf.not_equal(m, 0)",
        "encode:swap-reduction:reduce_mean->reduce_sum": "tf.reduce_mean -> tf.reduce_sum",
        "encode:swap-axis:-1->0": "-1 -> 0",
        "encode:swap-arguments:matmul": "x, y -> y, x",
        "encode:flip-comparison:!=": "m == 0 -> m != 0",
        "Counter.update_state:no-accumulation:assign_add": "self.total.assign_add -> "
        "self.total.assign",
        "Counter.reset_state:forget-reset:reset_state": "self.total.assign(0.0) -> pass",
        "step:drop-tf-function:step": "@tf.function -> ",
        "build_model:drop-call:compile": 'model.compile(loss="sparse_categorical_crossentropy",'
        ' optimizer="adam") -> pass',
    }
    for identifier, change in expected.items():
        assert found.get(identifier) == change, (identifier, found.get(identifier))


def test_only_the_solution_blocks_change() -> None:
    """Code outside ``### BEGIN/END SOLUTION`` (what the stub gives) is never mutated."""
    inside = solution_lines(SOLUTION)
    assert all(mutant.line in inside for mutant in mutants(SOLUTION))
    assert not any(mutant.function == "untouched" for mutant in mutants(SOLUTION))


def test_mutants_compile_differ_and_have_unique_ids() -> None:
    """Every mutant is a different module that compiles, under an id of its own."""
    found = mutants(SOLUTION)
    assert len({m.id for m in found}) == len(found)
    assert len({m.source for m in found}) == len(found)
    for mutant in found:
        assert mutant.source != SOLUTION
        compile(mutant.source, mutant.id, "exec")


def test_families_choose_the_operators() -> None:
    """``families`` restricts the mistakes to those named."""
    found = mutants(SOLUTION, families=("trigonometry",))
    assert [m.id for m in found] == ["encode:swap-sin-cos:sin"]
    assert set(OPERATORS) >= {"activations", "from_logits", "layers", "state", "masks"}


def test_equivalent_mutants_are_read_from_grader_docstrings(tmp_path: Path) -> None:
    """An ``Equivalent mutants:`` block in a grader file's docstring records ids and reasons."""
    (tmp_path / "test_1_part.py").write_text(
        '"""Part 1.\n\nEquivalent mutants:\n'
        "    pipeline:drop-step:prefetch - prefetching changes speed, not the batches.\n"
        "    step:drop-tf-function:step - the step's result is the same\n"
        "        eagerly.\n"
        '\nMore text.\n"""\n',
        encoding="utf-8",
    )
    assert equivalents(tmp_path) == {
        "pipeline:drop-step:prefetch": "prefetching changes speed, not the batches.",
        "step:drop-tf-function:step": "the step's result is the same eagerly.",
    }


@pytest.mark.parametrize("week", Layout(REPO).weeks, ids=lambda week: week.stem)
def test_every_week_has_mutants_and_its_equivalents_exist(week: object) -> None:
    """Each reference yields mutants with unique ids; every equivalent a grader records
    names a mutant that still exists (a stale record fails here)."""
    chosen = Layout(REPO).week(week.stem)  # type: ignore[attr-defined]
    found = mutants(chosen.solution.read_text(encoding="utf-8"))
    assert len(found) >= 5
    counts = Counter(m.id for m in found)
    assert max(counts.values()) == 1
    missing = set(equivalents(chosen.graders)) - set(counts)
    assert not missing, f"{chosen.stem} records equivalents that no longer exist: {missing}"


SAMPLE = {
    "week08_time_series": [
        "seasonality:drop-scaling:/_dropped",
        "naive_forecast:off-by-one:-1_dropped",
        "windowed_dataset:off-by-one:+1_dropped",
    ],
    "week12_transformers": [
        "positional_encoding:swap-sin-cos:sin",
        "create_padding_mask:flip-mask:not_equal->equal",
        "scaled_dot_product_attention:drop-scaling:/_dropped",
    ],
}


@pytest.mark.slow
@pytest.mark.parametrize("stem", sorted(SAMPLE))
def test_a_sample_of_mutants_is_killed(stem: str) -> None:
    """CI's fast sample of the mutation run: each sampled mutant fails a check the
    reference passes (the full run is ``benchmarks/mutants.py``)."""
    benchmark = load_benchmark("mutants")
    row = benchmark.run_week(
        Layout(REPO).week(stem),
        families=(),
        only=set(SAMPLE[stem]),
        seed=3,
        jobs=2,
        timeout=600.0,
    )
    assert row["mutants"] == len(SAMPLE[stem])
    outcomes = {o["id"]: o for o in row["outcomes"]}
    for identifier in SAMPLE[stem]:
        assert outcomes[identifier]["verdict"] == "killed", outcomes[identifier]
        assert outcomes[identifier]["killed_by"]


def test_the_grader_files_that_exercise_a_change_are_found(tmp_path: Path) -> None:
    """A change to a function reaches the grader files naming it or a function using it."""
    from course.mutants import changed_definitions, exercising_files

    source = "def inner(x):\n    return x\n\n\ndef outer(x):\n    return inner(x) + 1\n"
    changed = source.replace("return x\n", "return -x\n", 1)
    (tmp_path / "test_1_inner.py").write_text('call("inner")\n', encoding="utf-8")
    (tmp_path / "test_2_outer.py").write_text('call("outer")\n', encoding="utf-8")
    (tmp_path / "test_3_other.py").write_text('call("other")\n', encoding="utf-8")
    assert changed_definitions(source, changed) == {"inner"}
    assert exercising_files(tmp_path, source, {"inner"}) == ["test_1_inner.py", "test_2_outer.py"]
    assert exercising_files(tmp_path, source, {"outer"}) == ["test_2_outer.py"]
