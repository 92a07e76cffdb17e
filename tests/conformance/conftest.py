"""Hypothesis profiles for the stateful test, and the conformance summary.

FASTSIGNALS_HYPOTHESIS_PROFILE picks the profile: "ci" (the default: fixed seed,
a few hundred examples) or "long" (random seeds, many more and longer examples).
The profile applies to the conformance tests only, not to other hypothesis tests.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings

from .report import write_summary

settings.register_profile(
    "ci",
    max_examples=300,
    stateful_step_count=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "long",
    max_examples=5000,
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)

PROFILE = os.environ.get("FASTSIGNALS_HYPOTHESIS_PROFILE", "ci")


def profile() -> settings:
    """The selected profile's settings."""
    return settings.get_profile(PROFILE)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    write_summary(terminalreporter)
