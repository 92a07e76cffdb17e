"""pytest-benchmark suites, one file per operation: ``python -m pytest benchmarks``.

Every test is parametrized over the implementations that have its operation (see
cases.py) and grouped by scenario, so pytest-benchmark prints stock Django, the two
fastsignals engines, blinker and the plain-loop floor side by side. The tests only
measure; benchmarks/report.py prints the ratios and checks the targets. A quicker
pass: ``--benchmark-max-time=0.1``; a smoke run: ``--benchmark-disable``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import cases

cases.configure_django()

import fastsignals  # noqa: E402 - after the settings, like any Django code

COUNTS = (0, 1, 3, 10, 100)
TARGETS = ("sender", "any")
KINDS = ("function", "method")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The grid: implementations having the module's OPERATION, receiver counts for the
    sender or for any sender, use_caching on and off, function or bound-method receivers."""
    names = metafunc.fixturenames
    if "impl" in names:
        operation = metafunc.module.OPERATION
        impls = getattr(metafunc.module, "IMPLEMENTATIONS", cases.IMPLEMENTATIONS)
        metafunc.parametrize("impl", [impl for impl in impls if impl in cases.OPERATIONS[operation]])
    if "count" in names and "target" in names:
        # No receivers at all for the sender is one scenario, whichever way they would connect.
        grid = [(count, target) for count in COUNTS for target in TARGETS if count or target == "sender"]
        metafunc.parametrize(("count", "target"), grid, ids=[f"{count}-{target}" for count, target in grid])
    elif "count" in names:
        metafunc.parametrize("count", COUNTS)
    if "use_caching" in names:
        metafunc.parametrize("use_caching", [True, False], ids=["caching", "no_caching"])
    if "kind" in names:
        metafunc.parametrize("kind", KINDS)


@pytest.fixture(autouse=True)
def _group_by_scenario(request: pytest.FixtureRequest) -> None:
    # One pytest-benchmark table per scenario, one row per implementation.
    if "benchmark" not in request.fixturenames or not hasattr(request.node, "callspec"):
        return
    params = {name: value for name, value in request.node.callspec.params.items() if name != "impl"}
    label = " ".join(f"{name}={value}" for name, value in params.items())
    request.getfixturevalue("benchmark").group = f"{request.node.originalname} {label}".strip()


@pytest.fixture
def installed(impl: str) -> Iterator[None]:
    """fastsignals.install() with the implementation's engine, for "c" and "py"; stock for "django"."""
    if impl == "django":
        yield
        return
    fastsignals.swap.install(engine=cases.signal_class(impl))
    try:
        yield
    finally:
        fastsignals.uninstall()

