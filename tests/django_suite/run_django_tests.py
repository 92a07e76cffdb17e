"""Run Django's own tests/runtests.py with a chosen signal engine in effect.

    python run_django_tests.py ENGINE RESULTS_JSON RUNTESTS_PY [runtests options and labels...]

ENGINE is "stock" (Django's own dispatcher), "c" or "py" (fastsignals.swap.install()
with that engine, before runtests.py calls django.setup(); the parallel workers are
forked, so they inherit it). Every test's outcome is written to RESULTS_JSON as
{"engine": ..., "installed": ..., "outcomes": {test id: outcome}}.
"""

from __future__ import annotations

import json
import multiprocessing
import runpy
import sys
import unittest
from pathlib import Path
from typing import Any

OUTCOME_ORDER = ("error", "failure", "unexpected success", "expected failure", "skipped", "ok")


class RecordingResult(unittest.TextTestResult):
    """A TextTestResult that also remembers each test's worst outcome.

    Django's parallel runner replays its workers' events on this result in the
    parent process, so it sees every test whatever --parallel says.
    """

    outcomes: dict[str, str] = {}

    def _record(self, test: Any, outcome: str) -> None:
        test_id = test.id()
        previous = self.outcomes.get(test_id, "ok")
        worst = min(previous, outcome, key=OUTCOME_ORDER.index)
        self.outcomes[test_id] = worst

    def addSuccess(self, test: Any) -> None:
        super().addSuccess(test)
        self._record(test, "ok")

    def addError(self, test: Any, err: Any) -> None:
        super().addError(test, err)
        self._record(test, "error")

    def addFailure(self, test: Any, err: Any) -> None:
        super().addFailure(test, err)
        self._record(test, "failure")

    def addSkip(self, test: Any, reason: str) -> None:
        super().addSkip(test, reason)
        self._record(test, "skipped")

    def addExpectedFailure(self, test: Any, err: Any) -> None:
        super().addExpectedFailure(test, err)
        self._record(test, "expected failure")

    def addUnexpectedSuccess(self, test: Any) -> None:
        super().addUnexpectedSuccess(test)
        self._record(test, "unexpected success")

    def addSubTest(self, test: Any, subtest: Any, err: Any) -> None:
        super().addSubTest(test, subtest, err)
        if err is not None:
            failed = issubclass(err[0], test.failureException)
            self._record(test, "failure" if failed else "error")


def _install(engine: str) -> None:
    if engine == "stock":
        return
    from fastsignals import _signal_py, swap

    if engine == "py":
        swap.install(engine=_signal_py.Signal)
    elif engine == "c":
        from fastsignals import _signal_c

        swap.install(engine=_signal_c.Signal)
    else:
        raise SystemExit(f"unknown engine {engine!r}: expected stock, c or py")


def _use_recording_result() -> None:
    from django.test.runner import DiscoverRunner

    stock_get_resultclass = DiscoverRunner.get_resultclass

    def get_resultclass(self: Any) -> Any:
        # runtests.py's --debug-sql and --pdb pick their own result classes.
        return stock_get_resultclass(self) or RecordingResult

    DiscoverRunner.get_resultclass = get_resultclass


def main() -> None:
    engine, results_path, runtests, *arguments = sys.argv[1:]
    # Forked workers inherit install(); spawned ones would start with stock Django.
    multiprocessing.set_start_method("fork", force=True)
    _install(engine)
    _use_recording_result()
    sys.argv = [runtests, *arguments]
    # As `python runtests.py` would: its directory (the test apps, test_sqlite) comes first.
    sys.path.insert(0, str(Path(runtests).parent))
    try:
        runpy.run_path(runtests, run_name="__main__")
    finally:
        import fastsignals

        with open(results_path, "w") as results:
            json.dump(
                {
                    "engine": engine,
                    "installed": fastsignals.is_installed(),
                    "outcomes": RecordingResult.outcomes,
                },
                results,
                indent=1,
                sort_keys=True,
            )


if __name__ == "__main__":
    main()
