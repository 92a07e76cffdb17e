"""The public API type-checks under ``mypy --strict`` the way a typed project uses it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONSUMER = Path("tests", "typing", "consumer.py")


def test_consumer_passes_mypy_strict(tmp_path: Path) -> None:
    # fastsignals is found where it is installed: py.typed and the .pyi are what mypy reads.
    command = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path), str(CONSUMER)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_package_passes_mypy_strict(tmp_path: Path) -> None:
    # The installed package itself, the pure modules and the compiled module's stub.
    command = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path), "-p", "fastsignals"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_consumer_runs() -> None:
    # The file mypy accepts is also correct code: every call in it does what it asserts.
    result = subprocess.run([sys.executable, str(CONSUMER)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
