"""The conformance summary, also when only the Django suites run."""

from __future__ import annotations

from typing import Any

from conformance.report import write_summary


def pytest_terminal_summary(terminalreporter: Any) -> None:
    write_summary(terminalreporter)
