"""Django's own test suites, run with fastsignals installed.

The sdist of the installed Django version is downloaded once into a cache outside git
(FASTSIGNALS_CACHE_DIR, default .cache/ in the repository) and its tests/runtests.py
runs SUITES three times: stock, then under swap.install() with each engine (through
run_django_tests.py). Every test that passes on stock Django must pass with each engine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from collections import Counter
from pathlib import Path
import django
import pytest

from conformance.report import django_suites

SUITES = ("dispatch", "signals", "m2m_signals", "delete", "delete_regress", "model_fields", "auth_tests")
ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("FASTSIGNALS_CACHE_DIR") or ROOT / ".cache") / "django-suite"
RUNNER = Path(__file__).with_name("run_django_tests.py")
# Two cores: two test processes, forked so they inherit install().
PARALLEL = str(min(2, os.cpu_count() or 1))

pytestmark = pytest.mark.slow


def _django_tests() -> Path:
    """tests/ of the installed Django's sdist, downloaded and unpacked on first use."""
    version = django.get_version()
    unpacked = CACHE / f"django-{version}"
    runtests = unpacked / "tests" / "runtests.py"
    complete = unpacked / ".unpacked"
    if complete.exists():
        return runtests
    CACHE.mkdir(parents=True, exist_ok=True)
    archive = CACHE / f"django-{version}.tar.gz"
    if not archive.exists():
        download = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
             f"django=={version}", "--dest", str(CACHE), "--quiet"],
            capture_output=True,
            text=True,
        )
        assert download.returncode == 0 and archive.exists(), f"pip download failed:\n{download.stderr}"
    with tarfile.open(archive) as sdist:
        # Only the tests: runtests.py imports the installed Django, the one fastsignals patches.
        members = [member for member in sdist.getmembers() if member.name.startswith(f"django-{version}/tests/")]
        sdist.extractall(CACHE, members=members, filter="data")
    complete.touch()
    return runtests


def _run(runtests: Path, engine: str) -> dict[str, str]:
    """Each test's outcome in one runtests.py run of SUITES with the engine ("stock", "c", "py")."""
    results = CACHE / f"results-django-{django.get_version()}-{engine}.json"
    log = results.with_suffix(".log")
    results.unlink(missing_ok=True)
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    with log.open("w") as output:
        subprocess.run(
            [sys.executable, str(RUNNER), engine, str(results), str(runtests), "--parallel", PARALLEL, *SUITES],
            cwd=runtests.parent,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    assert results.exists(), f"runtests.py ended without results; its output ({log}) ends:\n{_tail(log)}"
    run = json.loads(results.read_text())
    assert run["installed"] == (engine != "stock"), f"the engine was not in effect; see {log}"
    outcomes: dict[str, str] = run["outcomes"]
    _count(outcomes, engine)
    return outcomes


def _tail(log: Path, lines: int = 25) -> str:
    return "\n".join(log.read_text().splitlines()[-lines:])


def _count(outcomes: dict[str, str], engine: str) -> None:
    for suite in SUITES:
        of_suite = Counter(outcome for test, outcome in outcomes.items() if test.split(".")[0] == suite)
        django_suites[(suite, engine)] = {
            "run": sum(of_suite.values()),
            "passed": of_suite["ok"] + of_suite["expected failure"],
            "skipped": of_suite["skipped"],
            "failed": of_suite["failure"] + of_suite["error"] + of_suite["unexpected success"],
        }


def _passed(outcomes: dict[str, str]) -> set[str]:
    return {test for test, outcome in outcomes.items() if outcome in ("ok", "expected failure")}


@pytest.fixture(scope="module")
def runtests() -> Path:
    return _django_tests()


@pytest.fixture(scope="module")
def stock(runtests: Path) -> dict[str, str]:
    """The baseline: what passes with Django's own dispatcher."""
    return _run(runtests, "stock")


def test_stock_baseline(stock: dict[str, str]) -> None:
    for suite in SUITES:
        assert django_suites[(suite, "stock")]["passed"] > 0, f"no test of {suite} passed on stock Django"


@pytest.mark.parametrize("engine", [pytest.param("c", marks=pytest.mark.compiled), "py"])
def test_suites_pass_with_engine(runtests: Path, stock: dict[str, str], engine: str) -> None:
    outcomes = _run(runtests, engine)
    regressions = sorted(test for test in _passed(stock) if outcomes.get(test) not in ("ok", "expected failure"))
    shown = "\n".join(f"  {test}: {outcomes.get(test, 'not run')}" for test in regressions)
    assert not regressions, f"{len(regressions)} tests pass on stock Django but not with {engine}:\n{shown}"
