"""The implementation fixture: every behaviour test runs on stock Django, the pure engine and the compiled one."""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Iterator
from typing import Any

import pytest

try:
    import django
    from django.conf import settings
except ImportError:  # pragma: no cover - the suite also runs without Django
    django = None

if django is not None and not settings.configured:
    settings.configure(
        DEBUG=False,
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        USE_TZ=True,
    )
    django.setup()

import fastsignals
from fastsignals import _signal_py

try:
    from fastsignals import _signal_c
except ImportError:  # pragma: no cover - reported by test_implementation_is_compiled
    _signal_c = None


@dataclasses.dataclass(frozen=True)
class Impl:
    """One implementation under test: its Signal class and receiver decorator."""

    name: str
    Signal: type
    receiver: Any

    @property
    def is_reference(self) -> bool:
        return self.name == "django"


def _impls() -> list[Any]:
    params = []
    if django is not None:
        from django.dispatch import Signal, receiver

        params.append(pytest.param(Impl("django", Signal, receiver), id="django"))
    params.append(pytest.param(Impl("py", _signal_py.Signal, fastsignals.receiver), id="py"))
    if _signal_c is not None:
        params.append(
            pytest.param(Impl("c", _signal_c.Signal, fastsignals.receiver), id="c", marks=pytest.mark.compiled)
        )
    return params


IMPLS = _impls()
ENGINES = [p for p in IMPLS if p.id != "django"]


@pytest.fixture(scope="session", params=IMPLS)
def impl(request: pytest.FixtureRequest) -> Impl:
    """Stock Django (the reference), the pure engine ("py") and the compiled one ("c")."""
    return request.param


@pytest.fixture(scope="session", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Impl:
    """The fastsignals engines only, for tests of what Django does not have."""
    return request.param


@pytest.fixture(autouse=True)
def _stock_django_between_tests() -> Iterator[None]:
    # A test that installs fastsignals must not leak it into the reference runs.
    assert not fastsignals.is_installed()
    yield
    if fastsignals.is_installed():
        fastsignals.uninstall()
        pytest.fail("test left fastsignals installed")
    gc.collect()


@pytest.fixture
def debug_settings() -> Iterator[None]:
    """settings.DEBUG = True for the test (Django's connect() checks receivers then)."""
    if django is None:
        pytest.skip("needs Django")
    from django.test.utils import override_settings

    with override_settings(DEBUG=True):
        yield
