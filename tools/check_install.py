"""Check that fastsignals is imported from an installation, not a source tree, and which engine it runs.

    python tools/check_install.py cython
    python tools/check_install.py python --tests-from . -m "not compiled"

The first argument is the IMPLEMENTATION expected. With --tests-from ROOT, the test
suite (ROOT's tests/, examples/ and pyproject.toml) is copied to a temporary
directory and run there, so `import fastsignals` can only find the installed
package; any further arguments go to pytest. Exits non-zero on any mismatch or failure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

#: What the test suite needs from the source tree: the tests and the example project they run.
TEST_SOURCES = ("tests", "examples", "pyproject.toml")


def installed_from() -> Path:
    """Where fastsignals is imported from; exits if that is not this interpreter's site-packages."""
    import fastsignals

    location = Path(fastsignals.__file__).resolve().parent
    site_dirs = {Path(sysconfig.get_path(name)).resolve() for name in ("purelib", "platlib")}
    if location.parent not in site_dirs:
        sys.exit(f"fastsignals is imported from {location}, not from site-packages ({', '.join(map(str, site_dirs))})")
    return location


def check_implementation(expected: str) -> None:
    import fastsignals

    location = installed_from()
    print(f"fastsignals {fastsignals.__version__}: IMPLEMENTATION = {fastsignals.IMPLEMENTATION} from {location}")
    if fastsignals.IMPLEMENTATION != expected:
        sys.exit(f"expected IMPLEMENTATION = {expected!r}")


def run_tests(root: Path, pytest_args: list[str]) -> int:
    """Run the test suite copied out of root, against the installed package."""
    with tempfile.TemporaryDirectory(prefix="fastsignals-tests-") as tmp:
        for name in TEST_SOURCES:
            source = root / name
            if source.is_dir():
                shutil.copytree(source, Path(tmp, name), ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, tmp)
        # What the tests download (Django's sdist, for its own suites) is cached in the source tree, as in make test.
        env = {**os.environ, "FASTSIGNALS_CACHE_DIR": os.environ.get("FASTSIGNALS_CACHE_DIR") or str(root / ".cache")}
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *pytest_args]
        print(f"running {' '.join(command)} in {tmp}", flush=True)
        return subprocess.call(command, cwd=tmp, env=env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("expected", choices=["cython", "python"], help="the IMPLEMENTATION expected")
    parser.add_argument("--tests-from", type=Path, metavar="ROOT", help="run ROOT's test suite against the installation")
    args, pytest_args = parser.parse_known_args()
    check_implementation(args.expected)
    if args.tests_from is None:
        return 0
    return run_tests(args.tests_from.resolve(), pytest_args)


if __name__ == "__main__":
    sys.exit(main())
