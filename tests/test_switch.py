"""FASTSIGNALS_NO_EXTENSIONS: any non-empty value selects the pure engine at import time."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

import fastsignals
import fastsignals.signal
from fastsignals import _signal_py

SWITCH = "FASTSIGNALS_NO_EXTENSIONS"


def implementation_in_subprocess(value: str | None) -> str:
    env = {name: text for name, text in os.environ.items() if name != SWITCH}
    if value is not None:
        env[SWITCH] = value
    code = (
        "import fastsignals, fastsignals.signal\n"
        "assert fastsignals.IMPLEMENTATION == fastsignals.signal.IMPLEMENTATION\n"
        "assert fastsignals.Signal is fastsignals.signal.Signal\n"
        "print(fastsignals.IMPLEMENTATION, fastsignals.Signal.__module__)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stderr == ""
    return result.stdout


@pytest.mark.parametrize("value", ["1", "true"])
def test_switch_selects_pure_engine(value: str) -> None:
    assert implementation_in_subprocess(value) == "python fastsignals._signal_py\n"


@pytest.mark.compiled
@pytest.mark.parametrize("value", [None, ""], ids=["unset", "empty"])
def test_compiled_engine_by_default(value: str | None) -> None:
    assert implementation_in_subprocess(value) == "cython fastsignals._signal_c\n"


@pytest.fixture
def reimport() -> Iterator[None]:
    """Reloads the engine choice after the test, as it was, so other tests see no change."""
    saved = os.environ.get(SWITCH)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(SWITCH, None)
        else:
            os.environ[SWITCH] = saved
        importlib.reload(fastsignals.signal)
        importlib.reload(fastsignals)


def test_reimport_with_switch(monkeypatch: pytest.MonkeyPatch, reimport: None) -> None:
    monkeypatch.setenv(SWITCH, "1")
    importlib.reload(fastsignals.signal)
    importlib.reload(fastsignals)
    assert fastsignals.IMPLEMENTATION == "python"
    assert fastsignals.Signal is _signal_py.Signal
    assert fastsignals.signal.Signal is _signal_py.Signal


@pytest.mark.compiled
def test_reimport_without_switch(monkeypatch: pytest.MonkeyPatch, reimport: None) -> None:
    from fastsignals import _signal_c

    monkeypatch.delenv(SWITCH, raising=False)
    importlib.reload(fastsignals.signal)
    importlib.reload(fastsignals)
    assert fastsignals.IMPLEMENTATION == "cython"
    assert fastsignals.Signal is _signal_c.Signal


@pytest.mark.compiled
def test_implementation_is_compiled() -> None:
    # Run by default: a build that silently fell back to pure fails here.
    if os.environ.get(SWITCH):
        pytest.fail(f"{SWITCH} is set: the compiled engine is not under test")
    assert fastsignals.IMPLEMENTATION == "cython"
