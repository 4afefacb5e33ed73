"""How much the course's pretrained backbone buys on week 5's held-out classes.

Could week 5's accuracy check separate a transfer model from one trained from scratch?
This script measures whether any accuracy threshold can (none can: the grader's gain check,
measured by ``benchmarks/pretraining_gain.py``, does the separating instead). It trains
each kind of model below on the first SHOTS training images of each held-out class
(5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot), once per seed, and reports the
accuracy on those classes' 5,000 official test images. Every model gets the same images,
in the same order, as the grader's.

* transfer          - the reference solution: frozen pretrained backbone cut at 'features',
                      a Dense head, Adam 1e-3, 30 epochs, batch 8 (the exercise's recipe);
* transfer, lr 1e-2 - the same model, its head trained at a higher learning rate;
* transfer at pool2 - cut two layers earlier (more general features), head at 1e-2;
* scratch, lr 1e-3 / 3e-3 - the backbone's architecture with random weights, every layer
                      trainable, a new head: what "training from scratch" means here;
* random frozen     - a random backbone, frozen as the exercise asks (clone_model's mistake);
* pixels, Dense     - the head put on the input (a wrong cut), the exercise's recipe;
* pixels, logistic  - scikit-learn's logistic regression on the raw pixels, for the ceiling a
                      linear model of the pixels reaches when it is trained to convergence;
* oracle, lr 1e-2 / oracle at pool2 - the two best transfer recipes on an *oracle* backbone:
                      the same architecture and training, but on all ten classes, so it has
                      seen the 30,000 labelled training images of the held-out classes too.
                      No backbone pretrained on other data can be expected to give these
                      classes better features, so the oracle bounds what any pretraining
                      could buy at this number of labelled images.

The last lines compare the worst transfer seed with the best seed of each other model, and
the oracle's worst seed with the best from-scratch seed (the headroom: the largest margin any
pretraining could leave a threshold). A threshold needs the first above the second, by
several standard errors of the accuracy on 5,000 images (about 0.005 each).

Usage: python benchmarks/transfer_gap.py [--seeds N] [--shots K ...] [--no-oracle] [--json PATH]
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
GRADER = ROOT / "graders" / "week05_transfer" / "test_4_training.py"
TRANSFER = ("transfer", "transfer, lr 1e-2", "transfer at pool2")
ORACLE = ("oracle, lr 1e-2", "oracle at pool2")
SCRATCH = ("scratch, lr 1e-3", "scratch, lr 3e-3")


def grader_module() -> Any:
    """The week-5 training grader, for its data split (one definition of 'held out')."""
    # The week folder is a package (its graders import their helpers relatively), so the
    # grader is imported as a module of it, as a grading run does.
    if str(GRADER.parent.parent) not in sys.path:
        sys.path.insert(0, str(GRADER.parent.parent))
    return importlib.import_module(f"{GRADER.parent.name}.{GRADER.stem}")


def models(
    config_json: str,
    weights: list[np.ndarray],
    classes: int,
    oracle: tuple[str, list[np.ndarray]] | None = None,
) -> dict[str, Any]:
    """Builders for every kind of model measured: name -> (build(), learning rate).

    ``oracle``, the config and weights of a backbone trained on all ten classes, adds the
    :data:`ORACLE` rows.
    """
    import keras

    from course.backbones import FEATURE_LAYER

    def on_backbone(
        *,
        pretrained: bool,
        frozen: bool,
        cut: str = FEATURE_LAYER,
        source: tuple[str, list[np.ndarray]] = (config_json, weights),
    ) -> Any:
        backbone = keras.models.model_from_json(source[0])
        if pretrained:
            backbone.set_weights(source[1])
        backbone.trainable = not frozen
        features = keras.layers.Flatten()(backbone.get_layer(cut).output)
        head = keras.layers.Dense(classes, activation="softmax")(features)
        return keras.Model(backbone.input, head)

    def on_pixels() -> Any:
        inputs = keras.Input((28, 28, 1))
        head = keras.layers.Dense(classes, activation="softmax")(keras.layers.Flatten()(inputs))
        return keras.Model(inputs, head)

    builders = {
        "transfer": (lambda: on_backbone(pretrained=True, frozen=True), 1e-3),
        "transfer, lr 1e-2": (lambda: on_backbone(pretrained=True, frozen=True), 1e-2),
        "transfer at pool2": (
            lambda: on_backbone(pretrained=True, frozen=True, cut="pool2"),
            1e-2,
        ),
        "scratch, lr 1e-3": (lambda: on_backbone(pretrained=False, frozen=False), 1e-3),
        "scratch, lr 3e-3": (lambda: on_backbone(pretrained=False, frozen=False), 3e-3),
        "random frozen": (lambda: on_backbone(pretrained=False, frozen=True), 1e-3),
        "pixels, Dense": (on_pixels, 1e-3),
    }
    if oracle is not None:
        builders["oracle, lr 1e-2"] = (
            lambda: on_backbone(pretrained=True, frozen=True, source=oracle),
            1e-2,
        )
        builders["oracle at pool2"] = (
            lambda: on_backbone(pretrained=True, frozen=True, cut="pool2", source=oracle),
            1e-2,
        )
    return builders


def oracle_backbone() -> tuple[str, list[np.ndarray]]:
    """The backbone's architecture and recipe trained on all ten classes (about 40 s)."""
    from course.backbones import train_backbone

    model = train_backbone(classes=tuple(range(10)))
    return str(model.to_json()), [np.asarray(w) for w in model.get_weights()]


def measure(
    seeds: int, shots: int, oracle: tuple[str, list[np.ndarray]] | None = None
) -> dict[str, list[float]]:
    import keras
    from sklearn.linear_model import LogisticRegression

    from course.backbones import HELD_OUT_CLASSES, pretrained_backbone

    grader = grader_module()
    grader.IMAGES_PER_CLASS = shots
    (x, y), (x_test, y_test) = grader.held_out_data()
    config_json, weights = pretrained_backbone()
    builders = models(config_json, weights, len(HELD_OUT_CLASSES), oracle)

    def accuracy(model: Any) -> float:
        scores = model.predict(x_test, batch_size=1_000, verbose=0)
        return float(np.mean(np.argmax(scores, axis=1) == y_test))

    results: dict[str, list[float]] = {name: [] for name in builders}
    for seed in range(seeds):
        for name, (build, rate) in builders.items():
            keras.utils.set_random_seed(seed)
            model = build()
            model.compile(
                optimizer=keras.optimizers.Adam(learning_rate=rate),
                loss="sparse_categorical_crossentropy",
            )
            model.fit(x, y, epochs=30, batch_size=8, verbose=0)
            results[name].append(accuracy(model))
        print(f"  seed {seed} done", flush=True)
    # Deterministic: one fit serves every seed.
    logistic = LogisticRegression(max_iter=5_000).fit(x.reshape(len(x), -1), y)
    flat = x_test.reshape(len(x_test), -1)
    results["pixels, logistic"] = [float(logistic.score(flat, y_test))] * seeds
    return results


def report(shots: int, results: dict[str, list[float]]) -> dict[str, Any]:
    print(f"\n{shots} labelled images per class, accuracy on the 5,000 test images")
    for name, values in results.items():
        cells = " ".join(f"{v:.3f}" for v in values)
        print(f"  {name:18} {cells}   min {min(values):.3f}  max {max(values):.3f}")
    worst_transfer = min(min(results[name]) for name in TRANSFER)
    best_transfer = max(TRANSFER, key=lambda name: min(results[name]))
    print(f"  best transfer recipe: {best_transfer} (worst seed {min(results[best_transfer]):.3f})")
    gaps = {}
    for name, values in results.items():
        if name in TRANSFER or name in ORACLE:
            continue
        gaps[name] = round(min(results[best_transfer]) - max(values), 4)
        print(f"  margin over {name:18} {gaps[name]:+.3f}")
    row: dict[str, Any] = {
        "shots": shots,
        "accuracy": results,
        "worst_transfer": worst_transfer,
        "best_transfer_recipe": best_transfer,
        "margin_of_best_recipe": gaps,
    }
    oracles = [name for name in ORACLE if name in results]
    if oracles:
        best_oracle = max(oracles, key=lambda name: min(results[name]))
        best_scratch = max(max(results[name]) for name in SCRATCH if name in results)
        row["best_oracle_recipe"] = best_oracle
        row["headroom_over_scratch"] = round(min(results[best_oracle]) - best_scratch, 4)
        print(
            f"  headroom: {best_oracle} (worst seed {min(results[best_oracle]):.3f}) over the "
            f"best from-scratch seed ({best_scratch:.3f}): {row['headroom_over_scratch']:+.3f}"
        )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (default 5)")
    parser.add_argument(
        "--shots", type=int, nargs="+", default=[10], help="labelled images per class"
    )
    parser.add_argument(
        "--no-oracle",
        action="store_true",
        help="skip the oracle backbone (trained on all ten classes; about 40 s more)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    options = parser.parse_args()
    begin = time.monotonic()
    oracle = None
    if not options.no_oracle:
        print("training the oracle backbone on all ten classes", flush=True)
        oracle = oracle_backbone()
    rows = []
    for shots in options.shots:
        print(f"{shots} images per class, seeds 0-{options.seeds - 1}", flush=True)
        rows.append(report(shots, measure(options.seeds, shots, oracle)))
    print(f"\n{time.monotonic() - begin:.0f} s")
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        document = {"machine": platform.platform(), "runs": rows}
        options.json.write_text(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
