"""Probes: the questions a grader may ask about a submission, answered inside the worker.

A probe is a function ``probe(module, **args) -> plain data`` registered by name with
:func:`probe`. It runs in the worker process only, receives the imported submission module
and plain arguments chosen by the grader, and returns JSON data and numpy arrays: model
configs and weights, predictions, callback decisions, return values. Probes never receive
labels, thresholds or expected values, and never judge: the grader does.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from types import ModuleType
from typing import Any

from course.probes.errors import UnknownProbe

ProbeFunction = Callable[..., Any]

_REGISTRY: dict[str, ProbeFunction] = {}


def probe(name: str) -> Callable[[ProbeFunction], ProbeFunction]:
    """Register the decorated function as the probe called ``name``."""

    def register(function: ProbeFunction) -> ProbeFunction:
        if name in _REGISTRY:
            raise ValueError(f"probe {name!r} is registered twice")
        _REGISTRY[name] = function
        return function

    return register


def run_probe(module: ModuleType, *, name: str, args: dict[str, Any], seed: int) -> Any:
    """Seed every random generator, then run the probe ``name`` on ``module``."""
    if not _REGISTRY:
        load_all()
    function = _REGISTRY.get(name)
    if function is None:
        raise UnknownProbe(f"no probe named {name!r}")
    from course.probes.values import seed_everything

    seed_everything(seed)
    return function(module, **args)


def load_all() -> dict[str, ProbeFunction]:
    """Import every module of this package, registering its probes; return the registry."""
    for info in pkgutil.iter_modules(__path__):
        if info.name != "errors":
            importlib.import_module(f"{__name__}.{info.name}")
    return dict(_REGISTRY)
