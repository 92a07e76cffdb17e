"""The counts behind the one summary printed at the end of a conformance run."""

from __future__ import annotations

from collections import Counter
from typing import Any

#: implementation name -> scenario runs (each run is one trace compared with Django's).
scenario_runs: Counter[str] = Counter()
#: "examples" and "steps" of the stateful test, each done on every implementation in lockstep.
hypothesis_runs: Counter[str] = Counter()
#: the implementations the stateful test ran in lockstep.
hypothesis_implementations: set[str] = set()
#: (suite, implementation) -> {"run": n, "passed": n, "skipped": n, "failed": n}
django_suites: dict[tuple[str, str], dict[str, int]] = {}
_printed = False


def summary_lines() -> list[str]:
    lines = []
    if scenario_runs:
        runs = ", ".join(f"{name} {count}" for name, count in sorted(scenario_runs.items()))
        lines.append(f"differential scenarios run: {runs}")
    if hypothesis_runs:
        lines.append(
            f"hypothesis lockstep: {hypothesis_runs['examples']} examples, {hypothesis_runs['steps']} steps,"
            f" each on {', '.join(sorted(hypothesis_implementations))}"
        )
    if django_suites:
        lines.append("Django's own tests (run / passed / skipped / failed):")
        for (suite, implementation), counts in sorted(django_suites.items()):
            lines.append(
                f"  {suite:<16} {implementation:<6} {counts['run']:>5} / {counts['passed']:>5}"
                f" / {counts['skipped']:>4} / {counts['failed']:>4}"
            )
    return lines


def write_summary(terminalreporter: Any) -> None:
    """Print the summary once, whichever of the conftests asks first."""
    global _printed
    lines = summary_lines()
    if _printed or not lines:
        return
    _printed = True
    terminalreporter.section("fastsignals conformance")
    for line in lines:
        terminalreporter.write_line(line)
