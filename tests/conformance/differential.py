"""Running a scenario on the reference and on an engine, and comparing their traces."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from typing import Any

from .report import scenario_runs
from .trace import Trace

Scenario = Callable[[Trace], None]


def run_trace(scenario: Scenario, signal_class: type, implementation: str, use_caching: bool) -> list[Any]:
    """The trace of one run; everything the scenario made is collected afterwards."""
    trace = Trace(signal_class, use_caching)
    scenario(trace)
    steps = trace.steps
    del trace
    gc.collect()
    scenario_runs[implementation] += 1
    return steps


def assert_same_trace(reference: list[Any], traced: list[Any], implementation: str) -> None:
    """Fail at the first step where the engine's trace leaves Django's, showing both."""
    for position, (expected, got) in enumerate(zip(reference, traced)):
        if expected != got:
            raise AssertionError(
                f"{implementation} differs from django at step {position}:\n"
                f"django: {show(expected)}\n{implementation + ':':<7} {show(got)}\n"
                f"steps before: {show(reference[max(0, position - 3):position])}"
            )
    assert len(traced) == len(reference), f"{implementation} made {len(traced)} steps, django {len(reference)}"


def show(value: Any) -> str:
    return json.dumps(value, default=repr, sort_keys=True)
