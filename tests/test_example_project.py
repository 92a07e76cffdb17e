"""The example Django project's own tests pass with fastsignals on and off.

Each run is a separate ``manage.py`` process, as a project would run them; "on"
also checks that Django's model signals really dispatch through fastsignals.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import fastsignals

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "blog"

ENGINE_REPORT = (
    "import fastsignals; from django.db.models.signals import post_save; "
    "print(fastsignals.is_installed(), type(post_save).send is fastsignals.Signal.send, fastsignals.IMPLEMENTATION)"
)


def manage(use_fastsignals: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "USE_FASTSIGNALS": use_fastsignals}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=EXAMPLE, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize("use_fastsignals", ["1", "0"], ids=["fastsignals", "stock"])
def test_example_tests_pass(use_fastsignals: str) -> None:
    result = manage(use_fastsignals, "test", "--noinput", "-v", "2")
    assert result.returncode == 0, result.stderr
    assert "test_engine_follows_installed_apps" in result.stderr


@pytest.mark.parametrize(
    ("use_fastsignals", "dispatched_by_fastsignals"), [("1", True), ("0", False)], ids=["fastsignals", "stock"]
)
def test_post_save_dispatch(use_fastsignals: str, dispatched_by_fastsignals: bool) -> None:
    result = manage(use_fastsignals, "shell", "-c", ENGINE_REPORT)
    assert result.returncode == 0, result.stderr
    expected = f"{dispatched_by_fastsignals} {dispatched_by_fastsignals} {fastsignals.IMPLEMENTATION}"
    assert result.stdout.splitlines()[-1] == expected
