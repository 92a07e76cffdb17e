"""install() / uninstall(): every django.dispatch.Signal dispatches through a fastsignals engine.

Each test installs in a fixture or a try/finally and uninstalls before it ends.
"""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import textwrap
import threading
import traceback
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

django = pytest.importorskip("django")

import fastsignals  # noqa: E402
from django.db.models.signals import ModelSignal  # noqa: E402
from django.dispatch import Signal as DjangoSignal  # noqa: E402
from fastsignals import _semantics, swap  # noqa: E402

SIGNAL_MODULES = [
    "django.core.signals",
    "django.db.models.signals",
    "django.db.backends.signals",
    "django.test.signals",
    "django.contrib.auth.signals",
]


def builtin_signals() -> list[tuple[str, Any]]:
    import importlib

    found = []
    for module_name in SIGNAL_MODULES:
        module = importlib.import_module(module_name)
        for name, value in sorted(vars(module).items()):
            if isinstance(value, DjangoSignal):
                found.append((f"{module_name}.{name}", value))
    return found


def make_receiver(value: Any) -> Any:
    def receiver(**kwargs: Any) -> Any:
        return value

    receiver.__qualname__ = f"receiver_{value}"
    return receiver


def engine_methods(cls: type) -> dict[str, Any]:
    return {name: cls.__dict__[name] for name in swap.ENGINE_METHODS}


@pytest.fixture
def installed(engine: Any) -> Iterator[Any]:
    """fastsignals installed with the engine under test; uninstalled afterwards."""
    swap.install(engine=engine.Signal)
    try:
        yield engine
    finally:
        swap.uninstall()


def test_install_swaps_the_engine_methods(installed: Any) -> None:
    assert fastsignals.is_installed() is True
    assert engine_methods(DjangoSignal) == engine_methods(installed.Signal)
    for name, method in engine_methods(installed.Signal).items():
        assert DjangoSignal.__dict__[name] is method


def test_default_engine_is_fastsignals_signal() -> None:
    fastsignals.install()
    try:
        assert fastsignals.is_installed() is True
        for name, method in engine_methods(fastsignals.Signal).items():
            assert DjangoSignal.__dict__[name] is method
    finally:
        fastsignals.uninstall()
    assert fastsignals.is_installed() is False


def test_every_builtin_signal_uses_the_engine(installed: Any) -> None:
    signals = builtin_signals()
    names = [name for name, _ in signals]
    for expected in (
        "django.core.signals.request_started",
        "django.core.signals.setting_changed",
        "django.db.models.signals.post_save",
        "django.db.models.signals.m2m_changed",
        "django.contrib.auth.signals.user_logged_in",
        "django.db.backends.signals.connection_created",
    ):
        assert expected in names
    receiver = make_receiver("seen")
    # Enough receivers that both engines' connect() builds the index: it is the spy,
    # as the signals' own receivers are not called.
    uids = [f"fastsignals-test-{n}" for n in range(_semantics.SCAN_LIMIT + 1)]
    for name, signal in signals:
        assert type(signal).send is installed.Signal.__dict__["send"], name
        assert type(signal).send_robust is installed.Signal.__dict__["send_robust"], name
        assert type(signal)._live_receivers is installed.Signal.__dict__["_live_receivers"], name
        for uid in uids:
            signal.connect(receiver, dispatch_uid=uid)
        try:
            assert receiver in signal._live_receivers(object)[0], name
            assert _semantics.INDEX_ATTR in vars(signal), name
        finally:
            for uid in uids:
                assert signal.disconnect(dispatch_uid=uid) is True


def test_third_party_signals_before_and_after_install(engine: Any) -> None:
    class ThirdParty(DjangoSignal):
        pass

    before, subclassed = DjangoSignal(), ThirdParty(use_caching=True)
    first, second, third = make_receiver(1), make_receiver(2), make_receiver(3)
    before.connect(first)
    subclassed.connect(first)
    swap.install(engine=engine.Signal)
    try:
        after = DjangoSignal()
        for signal in (before, subclassed, after):
            # Receivers for another sender, enough that both engines' connect() indexes.
            for uid in range(_semantics.SCAN_LIMIT):
                signal.connect(first, sender=ThirdParty, dispatch_uid=uid)
            signal.connect(second)
            signal.connect(third)
        assert before.send(None) == [(first, 1), (second, 2), (third, 3)]
        assert subclassed.send(object) == [(first, 1), (second, 2), (third, 3)]
        assert after.send(None) == [(second, 2), (third, 3)]
        assert all(_semantics.INDEX_ATTR in vars(s) for s in (before, subclassed, after))
    finally:
        swap.uninstall()
    # Stock methods read the same receivers: nothing was converted.
    assert before.send(None) == [(first, 1), (second, 2), (third, 3)]
    assert subclassed.send(object) == [(first, 1), (second, 2), (third, 3)]
    assert after.send(None) == [(second, 2), (third, 3)]
    assert not any(_semantics.INDEX_ATTR in vars(s) for s in (before, subclassed, after))


def test_order_across_install_and_uninstall(engine: Any) -> None:
    signal = DjangoSignal()
    receivers = [make_receiver(number) for number in range(5)]
    signal.connect(receivers[0])
    signal.connect(receivers[1])
    swap.install(engine=engine.Signal)
    try:
        signal.connect(receivers[2])
        assert signal.disconnect(receivers[0]) is True
        signal.connect(receivers[0])
    finally:
        swap.uninstall()
    signal.connect(receivers[3])
    assert signal.disconnect(receivers[1]) is True
    swap.install(engine=engine.Signal)
    try:
        signal.connect(receivers[4])
        assert [r for r, _ in signal.send(None)] == [receivers[i] for i in (2, 0, 3, 4)]
    finally:
        swap.uninstall()
    assert [r for r, _ in signal.send(None)] == [receivers[i] for i in (2, 0, 3, 4)]


def test_weak_receivers_under_install(installed: Any) -> None:
    signal = DjangoSignal()
    cached = DjangoSignal(use_caching=True)

    class Handler:
        def method(self, **kwargs: Any) -> str:
            return "method"

    function, handler = make_receiver(1), Handler()
    for each in (signal, cached):
        each.connect(function)
        each.connect(handler.method)
        each.connect(handler.method, sender=Handler)
    assert [response for _, response in signal.send(Handler)] == [1, "method", "method"]
    assert [response for _, response in cached.send(Handler)] == [1, "method", "method"]
    del function, handler
    gc.collect()
    assert signal.send(Handler) == []
    assert cached.send(Handler) == []
    assert signal.receivers == [] and cached.receivers == []


def test_weak_receivers_connected_before_install(engine: Any) -> None:
    signal = DjangoSignal()
    first, second = make_receiver(1), make_receiver(2)
    signal.connect(first)
    signal.connect(second)
    swap.install(engine=engine.Signal)
    try:
        del first
        gc.collect()
        assert signal.send(None) == [(second, 2)]
        assert len(signal.receivers) == 1
    finally:
        swap.uninstall()


def test_debug_checks_under_install(installed: Any, debug_settings: None) -> None:
    signal = DjangoSignal()
    with pytest.raises(TypeError, match=r"^Signal receivers must be callable\.$"):
        signal.connect(object())
    with pytest.raises(ValueError, match=r"^Signal receivers must accept keyword arguments \(\*\*kwargs\)\.$"):
        signal.connect(lambda sender: None)


def test_send_robust_and_asend_under_install(installed: Any) -> None:
    signal = DjangoSignal()

    def failing(**kwargs: Any) -> None:
        raise ValueError("boom")

    async def async_receiver(**kwargs: Any) -> str:
        return "async"

    first = make_receiver(1)
    signal.connect(async_receiver)
    signal.connect(failing)
    signal.connect(first)
    responses = signal.send_robust(None)
    assert [r for r, _ in responses] == [failing, first, async_receiver]
    assert str(responses[0][1]) == "boom"
    assert signal.has_listeners() is True
    signal.disconnect(failing)
    assert asyncio.run(signal.asend(None)) == [(first, 1), (async_receiver, "async")]


def test_install_is_idempotent(engine: Any) -> None:
    stock = dict(vars(DjangoSignal))
    swap.install(engine=engine.Signal)
    try:
        first = dict(vars(DjangoSignal))
        swap.install(engine=engine.Signal)
        assert dict(vars(DjangoSignal)) == first
        assert all(vars(DjangoSignal)[name] is value for name, value in first.items())
    finally:
        swap.uninstall()
    assert fastsignals.is_installed() is False
    assert vars(DjangoSignal).keys() == stock.keys()
    assert all(vars(DjangoSignal)[name] is value for name, value in stock.items())


def test_uninstall_restores_stock_exactly(engine: Any) -> None:
    classes = [DjangoSignal, ModelSignal]
    stock = [dict(vars(cls)) for cls in classes]
    swap.install(engine=engine.Signal)
    try:
        signal = DjangoSignal(use_caching=True)
        first = make_receiver(1)
        signal.connect(first)
        signal.send(object)
    finally:
        swap.uninstall()
    for cls, before in zip(classes, stock):
        assert vars(cls).keys() == before.keys()
        assert all(vars(cls)[name] is value for name, value in before.items())
    assert signal.send(object) == [(first, 1)]


def test_uninstall_when_not_installed() -> None:
    stock = dict(vars(DjangoSignal))
    fastsignals.uninstall()
    assert fastsignals.is_installed() is False
    assert all(vars(DjangoSignal)[name] is value for name, value in stock.items())


def test_switching_engines(engine: Any) -> None:
    from fastsignals import _signal_py

    stock = dict(vars(DjangoSignal))
    signal = DjangoSignal()
    first = make_receiver(1)
    signal.connect(first)
    swap.install(engine=_signal_py.Signal)
    try:
        swap.install(engine=engine.Signal)
        assert engine_methods(DjangoSignal) == engine_methods(engine.Signal)
        assert signal.send(None) == [(first, 1)]
    finally:
        swap.uninstall()
    assert all(vars(DjangoSignal)[name] is value for name, value in stock.items())


def test_fastsignals_signals_are_unaffected(engine: Any) -> None:
    signal = engine.Signal()
    methods = engine_methods(engine.Signal)
    first = make_receiver(1)
    signal.connect(first)
    swap.install(engine=engine.Signal)
    try:
        assert signal.send(None) == [(first, 1)]
    finally:
        swap.uninstall()
    assert engine_methods(engine.Signal) == methods
    assert signal.send(None) == [(first, 1)]


def test_model_signal_with_lazy_sender(installed: Any) -> None:
    from django.contrib.auth.models import User
    from django.db.models.signals import post_init, post_save, pre_init

    calls = []

    def on_save(sender: Any, **kwargs: Any) -> None:
        calls.append(("save", sender, kwargs["created"]))

    def on_init(sender: Any, **kwargs: Any) -> None:
        calls.append(("init", sender))

    post_save.connect(on_save, sender="auth.User")
    post_init.connect(on_init, sender="auth.User")
    pre_init.connect(on_init, sender="auth.Group", dispatch_uid="group")
    try:
        User(username="someone")
        post_save.send(sender=User, instance=None, created=True)
        assert calls == [("init", User), ("save", User, True)]
        assert type(post_save).send is installed.Signal.__dict__["send"]
    finally:
        # ModelSignal.disconnect returns what the lazy operation gives back: None.
        assert post_save.disconnect(on_save, sender="auth.User") is None
        assert post_init.disconnect(on_init, sender=User) is True
        assert pre_init.disconnect(sender="auth.Group", dispatch_uid="group") is None
    assert post_save.has_listeners(User) is False
    assert pre_init.has_listeners(User) is False


def test_model_signal_pending_lazy_sender(installed: Any) -> None:
    from django.apps.registry import Apps
    from django.db import models
    from django.db.models.signals import post_init

    registry = Apps([])
    calls = []

    def on_init(sender: Any, **kwargs: Any) -> None:
        calls.append(sender)

    receivers = list(post_init.receivers)
    post_init.connect(on_init, sender="lazyapp.Thing", apps=registry)
    assert post_init.receivers == receivers
    try:

        class Thing(models.Model):
            class Meta:
                app_label = "lazyapp"
                apps = registry

        Thing()
        assert calls == [Thing]
    finally:
        post_init.disconnect(on_init, sender="lazyapp.Thing", apps=registry)
    assert post_init.receivers == receivers


@pytest.fixture
def sentry_before_install(engine: Any) -> Iterator[list[Any]]:
    """sentry-sdk's wrapper of Signal._live_receivers, applied before install()."""
    saved = DjangoSignal.__dict__["_live_receivers"]
    calls = patch_like_sentry()
    wrapper = DjangoSignal.__dict__["_live_receivers"]
    try:
        swap.install(engine=engine.Signal)
        try:
            assert DjangoSignal.__dict__["_live_receivers"] is wrapper
            yield calls
        finally:
            swap.uninstall()
        assert DjangoSignal.__dict__["_live_receivers"] is wrapper
    finally:
        DjangoSignal._live_receivers = saved


@pytest.fixture
def sentry_after_install(engine: Any) -> Iterator[list[Any]]:
    """sentry-sdk's wrapper of Signal._live_receivers, applied after install()."""
    swap.install(engine=engine.Signal)
    try:
        saved = DjangoSignal.__dict__["_live_receivers"]
        calls = patch_like_sentry()
        try:
            yield calls
        finally:
            DjangoSignal._live_receivers = saved
    finally:
        swap.uninstall()


def patch_like_sentry() -> list[Any]:
    calls: list[Any] = []
    old_live_receivers = DjangoSignal._live_receivers

    def _sentry_live_receivers(self: Any, sender: Any) -> Any:
        sync_receivers, async_receivers = old_live_receivers(self, sender)

        def sentry_sync_receiver_wrapper(receiver: Any) -> Any:
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                calls.append(receiver)
                return receiver(*args, **kwargs)

            return wrapper

        return [sentry_sync_receiver_wrapper(r) for r in sync_receivers], async_receivers

    DjangoSignal._live_receivers = _sentry_live_receivers
    return calls


def check_sentry_wrapper(calls: list[Any]) -> None:
    from django.contrib.auth.models import User
    from django.db.models.signals import post_init

    signal = DjangoSignal()
    first, second = make_receiver(1), make_receiver(2)
    signal.connect(first)
    signal.connect(second)
    responses = signal.send(None)
    assert [response for _, response in responses] == [1, 2]
    assert [r.__name__ for r, _ in responses] == ["wrapper", "wrapper"]
    assert calls == [first, second]
    assert [r.__name__ for r, _ in signal.send_robust(None)] == ["wrapper", "wrapper"]
    del calls[:]
    post_init.connect(first, sender=User)
    try:
        User(username="someone")
        assert calls == [first]
    finally:
        post_init.disconnect(first, sender=User)


def test_sentry_wrapper_applied_before_install(sentry_before_install: list[Any]) -> None:
    check_sentry_wrapper(sentry_before_install)


def test_sentry_wrapper_applied_after_install(sentry_after_install: list[Any]) -> None:
    check_sentry_wrapper(sentry_after_install)


def test_subclass_overrides_under_install(installed: Any) -> None:
    class Filtered(DjangoSignal):
        def _live_receivers(self, sender: Any) -> Any:
            sync_receivers, async_receivers = super()._live_receivers(sender)
            return sync_receivers[1:], async_receivers

    signal = Filtered(use_caching=True)
    first, second = make_receiver(1), make_receiver(2)
    signal.connect(first)
    signal.connect(second)
    assert signal.send(object) == [(second, 2)]
    assert signal.send(object) == [(second, 2)]


@pytest.mark.parametrize("method", ["send", "send_robust"])
def test_frames_under_install(installed: Any, method: str) -> None:
    signal = DjangoSignal(use_caching=True)
    seen = []

    def receiver(**kwargs: Any) -> None:
        seen.append((sys._getframe(1).f_code.co_name, sys._getframe(2)))
        warnings.warn("at caller", UserWarning, stacklevel=3)
        raise ValueError("boom")

    signal.connect(receiver)
    caller = sys._getframe(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = sys._getframe(0).f_lineno + 2
        try:
            getattr(signal, method)(object)
        except ValueError as err:
            error = err
        else:
            error = getattr(signal, method)(object)[0][1]
    assert seen[0] == (method, caller)
    assert (caught[0].filename, caught[0].lineno) == (__file__, line)
    names = [entry.name for entry in traceback.extract_tb(error.__traceback__)]
    expected = [method, "receiver"] if method == "send_robust" else ["test_frames_under_install", "send", "receiver"]
    assert names == expected


def test_cache_shared_across_install(engine: Any) -> None:
    signal = DjangoSignal(use_caching=True)
    donor = DjangoSignal()
    first, second = make_receiver(1), make_receiver(2)
    signal.connect(first)
    donor.connect(second)
    assert signal.send(object) == [(first, 1)]
    # A direct edit without clearing the cache: each side keeps reading the other's entries.
    signal.receivers.append(donor.receivers[0])
    swap.install(engine=engine.Signal)
    try:
        assert signal.send(object) == [(first, 1)]
        assert signal.send(int) == [(first, 1), (second, 2)]
    finally:
        swap.uninstall()
    assert signal.send(int) == [(first, 1), (second, 2)]
    signal.receivers.pop()
    assert signal.send(int) == [(first, 1), (second, 2)]
    assert signal.send(str) == [(first, 1)]


def run_python(code: str, tmp_path: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )


def setup_and_save(apps: list[str], engine_path: str) -> str:
    """A script: configure settings, django.setup(), save a model, check post_save ran on the engine."""
    return textwrap.dedent(
        f"""
        from django.conf import settings
        settings.configure(
            INSTALLED_APPS={apps!r},
            DATABASES={{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}}},
        )
        import django
        django.setup()

        import fastsignals
        from django.contrib.contenttypes.models import ContentType
        from django.db import connection
        from django.db.models.signals import post_save
        from django.dispatch import Signal

        assert fastsignals.is_installed()
        assert Signal.__dict__["send"] is {engine_path}.__dict__["send"], Signal.send
        with connection.schema_editor() as editor:
            editor.create_model(ContentType)
        calls = []

        def on_save(sender, instance, created, **kwargs):
            calls.append((sender.__name__, instance.model, created))

        post_save.connect(on_save, sender="contenttypes.ContentType")
        ContentType.objects.create(app_label="app", model="thing")
        assert calls == [("ContentType", "thing", True)], calls
        fastsignals.uninstall()
        print("done")
        """
    )


STOCK_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]


def test_install_before_django_setup(engine: Any, tmp_path: Any) -> None:
    module = engine.Signal.__module__
    code = f"import fastsignals, {module}\nfastsignals.swap.install(engine={module}.Signal)\n"
    result = run_python(code + setup_and_save(STOCK_APPS, f"{module}.Signal"), tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "done\n", "")


@pytest.mark.parametrize("early", [False, True], ids=["app-config", "install-then-app-config"])
def test_app_config_installs(tmp_path: Any, early: bool) -> None:
    code = "import fastsignals\n"
    if early:
        code += "fastsignals.install()\n"
    code += setup_and_save(["fastsignals", *STOCK_APPS], "fastsignals.Signal")
    result = run_python(code, tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "done\n", "")


def test_stock_made_signals_of_unusual_classes_after_install(engine: Any) -> None:
    # Receivers connected and the cache filled by stock code; then the first sends under
    # install() must not hash the signal, nor run its attribute hooks for a name of ours.
    class Unhashable(DjangoSignal):
        def __eq__(self, other: object) -> bool:
            return self is other

        __hash__ = None  # type: ignore[assignment]

    class Options(DjangoSignal):
        def __getattr__(self, name: str) -> Any:
            return self.__dict__.setdefault("options", {})[name]

    class Sender:
        pass

    def run(installed: bool) -> list[Any]:
        seen: list[Any] = []
        receiver = make_receiver("seen")
        for signal_class in (Unhashable, Options):
            signal = signal_class(use_caching=True)
            signal.connect(receiver, sender=Sender)
            signal.send(Sender)
            if installed:
                swap.install(engine=engine.Signal)
            try:
                for _ in range(3):
                    seen.append(signal.has_listeners(Sender))
                    seen.append([value for _, value in signal.send(Sender)])
                seen.append(sorted(vars(signal).keys() - {_semantics.INDEX_ATTR}))
            finally:
                swap.uninstall()
        return seen

    assert run(True) == run(False)


class PicklableSignal(DjangoSignal):
    """The usual way to make a signal picklable: leave the lock out."""

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, lock=threading.Lock())


def echo_sender(**kwargs: Any) -> Any:
    return kwargs["sender"]


def test_uninstall_leaves_copies_made_meanwhile_as_stock_ones(engine: Any) -> None:
    import copy
    import pickle

    def run(installed: bool) -> list[Any]:
        uids = [f"uid{number}" for number in range(_semantics.SCAN_LIMIT + 2)]  # both engines index
        if installed:
            swap.install(engine=engine.Signal)
        try:
            picklable, plain = PicklableSignal(), DjangoSignal()
            for signal in (picklable, plain):
                for uid in uids:
                    signal.connect(echo_sender, weak=False, dispatch_uid=uid)
                signal.send(sender=None)
            copies = [pickle.loads(pickle.dumps(picklable)), copy.copy(plain), copy.deepcopy(picklable)]
            for twin in copies:
                twin.connect(echo_sender, weak=False, dispatch_uid="late")
                twin.send(sender=None)
        finally:
            swap.uninstall()
        pickled = [pickle.dumps(s, 0) for s in (picklable, copies[0], copies[2])]
        return [sorted(vars(s)) for s in (picklable, *copies)] + [b"fastsignals" in p for p in pickled]

    assert run(True) == run(False)


def test_uninstall_past_the_signal_class_hooks(engine: Any) -> None:
    reads: list[str] = []

    class Watched(DjangoSignal):
        def __getattribute__(self, name: str) -> Any:
            reads.append(name)
            return object.__getattribute__(self, name)

    class DictProperty(DjangoSignal):
        @property  # type: ignore[misc]
        def __dict__(self) -> dict[str, Any]:  # type: ignore[override]
            return {}

    def run(installed: bool) -> tuple[list[str], bool]:
        if installed:
            swap.install(engine=engine.Signal)
        try:
            watched, hidden = Watched(), DictProperty()
            watched.connect(echo_sender)
            watched.send(sender=None)
            watched.has_listeners()
            for number in range(_semantics.SCAN_LIMIT + 2):
                hidden.connect(echo_sender, weak=False, dispatch_uid=number)
            hidden.send(sender=None)
            reads.clear()
        finally:
            swap.uninstall()
        return list(reads), hasattr(hidden, _semantics.INDEX_ATTR)

    assert run(True) == run(False)
