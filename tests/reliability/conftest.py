"""Reliability suite options: ``--long`` runs the long variants (the default run is short)."""

from __future__ import annotations

import dataclasses
import gc
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--long",
        action="store_true",
        default=False,
        help="reliability suite: run the long variants (threads, leak loop, crash hunt)",
    )


#: (test id, figures) the stress tests reported, printed at the end of the run.
_FIGURES: list[tuple[str, str]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        _FIGURES.extend((report.nodeid, value) for key, value in report.user_properties if key == "figures")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _FIGURES:
        terminalreporter.section("reliability figures")
        for nodeid, figures in _FIGURES:
            terminalreporter.write_line(f"{nodeid.rpartition('::')[2]}: {figures}")


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """report(text): a line of measurements for the summary at the end of the run."""

    def report(text: str) -> None:
        request.node.user_properties.append(("figures", text))

    return report


@dataclasses.dataclass(frozen=True)
class Budget:
    """How hard the stress tests push: short for every run, long behind --long."""

    long: bool
    threads: int
    thread_seconds: float
    leak_iterations: int
    hunt_examples: int


SHORT = Budget(long=False, threads=8, thread_seconds=0.4, leak_iterations=5_000, hunt_examples=150)
LONG = Budget(long=True, threads=8, thread_seconds=8.0, leak_iterations=100_000, hunt_examples=2_500)


@pytest.fixture(scope="session")
def budget(request: pytest.FixtureRequest) -> Budget:
    """The short budget, or the long one when pytest runs with --long."""
    return LONG if request.config.getoption("--long") else SHORT


@pytest.fixture
def quiet_dispatch_log() -> Iterator[None]:
    """No records from send_robust()'s failure log: each would hold a traceback, its frames and their receivers."""
    dispatch_logger = logging.getLogger("django.dispatch")
    saved = dispatch_logger.disabled
    dispatch_logger.disabled = True
    try:
        yield
    finally:
        dispatch_logger.disabled = saved


@pytest.fixture
def frozen_heap() -> Iterator[None]:
    """Move every existing object out of the collector's reach, so gc.collect() takes microseconds."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
