"""Workers started cold (a fresh sandbox and interpreter) and warm (forked by a zygote)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from course.sandbox import zygote
from course.sandbox.bubblewrap import BubblewrapLauncher, BubblewrapUnavailable


@pytest.fixture(scope="session")
def plain_zygote() -> Iterator[zygote.Zygote]:
    """A zygote without TensorFlow (the workers of these tests do not import it)."""
    try:
        launcher = BubblewrapLauncher()
    except BubblewrapUnavailable as error:
        pytest.skip(f"no bubblewrap sandbox here: {error}")
    started = zygote.Zygote(launcher, tensorflow=False)
    yield started
    started.close()


@pytest.fixture(params=["cold", "warm"])
def worker_start(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test of a module that uses it runs twice: with workers started cold, and with
    workers forked by a zygote (as a class's batch starts them)."""
    if request.param == "warm":
        monkeypatch.setattr(zygote, "_inherited", request.getfixturevalue("plain_zygote"))
    else:
        monkeypatch.setattr(zygote, "_inherited", None)
    return str(request.param)
