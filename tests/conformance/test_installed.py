"""Differential scenarios under fastsignals.install(): Django's own signals, engine swapped in.

Each scenario runs three times on django.dispatch.Signal and its subclasses (ModelSignal,
the built-in signals): stock, then with swap.install(engine=...) for each engine. A
scenario may call t.install() / t.uninstall() itself to cross the switch mid-way; on
the stock run those do nothing. The traces must be equal.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from typing import Any

import django.dispatch
import pytest
from django.contrib.auth.models import Group, User
from django.db.models.signals import ModelSignal, post_init, post_save, pre_init
from django.test.signals import setting_changed
from django.test.utils import override_settings

import fastsignals
from fastsignals import swap

from .differential import assert_same_trace
from .report import scenario_runs
from .trace import Trace

GLOBAL_SIGNALS = (post_init, pre_init, post_save, setting_changed)


class SwitchTrace(Trace):
    """A trace that can switch the engine on and off (no-ops on the stock run)."""

    def __init__(self, engine: Any) -> None:
        super().__init__(django.dispatch.Signal)
        self.engine = engine
        for signal in GLOBAL_SIGNALS:
            self.watch(signal)

    def install(self) -> None:
        if self.engine is not None:
            swap.install(engine=self.engine)
            assert django.dispatch.Signal.send is self.engine.send

    def uninstall(self) -> None:
        fastsignals.uninstall()
        assert not fastsignals.is_installed()


INSTALLED_SCENARIOS: list[Callable[[SwitchTrace], None]] = []


def installed_scenario(func: Callable[[SwitchTrace], None]) -> Callable[[SwitchTrace], None]:
    INSTALLED_SCENARIOS.append(func)
    return func


@installed_scenario
def lazy_model_sender(t: SwitchTrace) -> None:
    t.install()
    t.adopt_sender(User)
    t.adopt_sender(Group)
    s = t.watch(ModelSignal(use_caching=True))
    for_users, anyone = t.receiver("for users"), t.receiver("anyone", "method")
    for_groups = t.receiver("for groups", "async_function")
    t.connect(s, for_users, sender="auth.User")
    t.connect(s, anyone)
    t.connect(s, for_groups, sender="auth.Group", dispatch_uid="groups")
    t.look(s)
    t.send(s, User, created=True)
    t.send(s, Group)
    t.has_listeners(s, Group)
    t.asend(s, User, robust=True)
    t.look(s, "cache filled")
    t.disconnect(s, for_users, sender="auth.User")
    t.disconnect(s, for_users, sender="auth.User")
    t.disconnect(s, sender="auth.Group", dispatch_uid="groups")
    t.send(s, User)
    t.look(s)


@installed_scenario
def real_post_init(t: SwitchTrace) -> None:
    t.install()
    t.adopt_sender(User)
    before, after = t.receiver("pre_init receiver", "method"), t.receiver("post_init receiver")
    t.connect(pre_init, before, sender="auth.User")
    t.connect(post_init, after, sender="auth.User", dispatch_uid="post_init_uid")
    t.do("User(username='alice')", lambda: User(username="alice").username)
    t.do("Group(name='staff')", lambda: Group(name="staff").name)
    t.has_listeners(post_init, User)
    t.disconnect(post_init, sender="auth.User", dispatch_uid="post_init_uid")
    t.do("User(username='bob')", lambda: User(username="bob").username)
    del before
    t.collect()
    t.has_listeners(pre_init, User)
    t.do("User(username='carol')", lambda: User(username="carol").username)


@installed_scenario
def raising_model_receivers(t: SwitchTrace) -> None:
    t.install()
    t.adopt_sender(User)
    fails = t.receiver("fails", raises=ValueError("no save"))
    fails_async = t.receiver("fails async", "async_function", raises=KeyError("async"))
    fine = t.receiver("fine", "callable")
    t.connect(post_save, fails, sender="auth.User", weak=False)
    t.connect(post_save, fine, sender=User)
    t.connect(post_save, fails_async, sender="auth.User")
    try:
        t.send_robust(post_save, User, instance=None, created=False)
        t.send(post_save, User, instance=None, created=False)
        t.asend(post_save, User, robust=True, instance=None, created=False)
    finally:
        t.disconnect(post_save, fails, sender="auth.User")
    t.send(post_save, User, instance=None, created=True)


@installed_scenario
def connected_before_install(t: SwitchTrace) -> None:
    s = t.signal()
    early, late = t.receiver("early"), t.receiver("late", "method")
    sender = t.sender("A")
    t.connect(s, early, sender=sender)
    t.send(s, sender)
    t.install()
    t.send(s, sender)
    t.connect(s, late)
    t.connect(s, early, sender=sender)
    t.look(s, "installed")
    t.uninstall()
    t.send(s, sender)
    t.disconnect(s, early, sender=sender)
    t.install()
    t.send(s, sender)
    t.look(s)
    t.uninstall()
    t.send(s, sender)


@installed_scenario
def collected_across_the_switch(t: SwitchTrace) -> None:
    s = t.watch(ModelSignal(use_caching=True))
    t.adopt_sender(User)
    first, second = t.receiver("first"), t.receiver("second", "method")
    t.connect(s, first, sender="auth.User")
    t.connect(s, second, sender="auth.User")
    t.send(s, User)
    del first
    t.collect()
    t.install()
    t.look(s, "flagged before install")
    t.has_listeners(s, User)
    t.look(s, "purged after install")
    del second
    t.collect()
    t.uninstall()
    t.has_listeners(s, User)
    t.look(s)


@installed_scenario
def settings_override(t: SwitchTrace) -> None:
    t.install()
    watcher = t.receiver("watcher", "method")
    t.connect(setting_changed, watcher, dispatch_uid="fastsignals-conformance")

    def override() -> None:
        with override_settings(FASTSIGNALS_CONFORMANCE=1):
            pass

    t.do("override_settings", override)
    t.disconnect(setting_changed, dispatch_uid="fastsignals-conformance")
    t.do("override_settings", override)


@installed_scenario
def factory_boy_mute_post_save(t: SwitchTrace) -> None:
    t.install()
    t.adopt_sender(User)
    mine = t.receiver("mine")
    t.connect(post_save, mine, sender="auth.User")
    t.send(post_save, User, instance=None, created=True)
    paused = post_save.receivers
    post_save.receivers = []
    try:
        t.send(post_save, User, instance=None, created=True)
        t.has_listeners(post_save, User)
    finally:
        post_save.receivers += paused
        with post_save.lock:
            post_save.sender_receivers_cache.clear()
    t.send(post_save, User, instance=None, created=True)
    t.disconnect(post_save, mine, sender="auth.User")
    t.send(post_save, User, instance=None, created=True)


def _settle_global_signals() -> None:
    # Every run starts from the same lists: earlier tests' dead receivers purged.
    gc.collect()
    for signal in GLOBAL_SIGNALS:
        with signal.lock:
            signal._dead_receivers = False
            signal.receivers = [entry for entry in signal.receivers if not _is_dead(entry)]
            signal.sender_receivers_cache.clear()


def _is_dead(entry: tuple[Any, ...]) -> bool:
    receiver = entry[1]
    return isinstance(receiver, weakref.ReferenceType) and receiver() is None


def run_switched(scenario: Callable[[SwitchTrace], None], engine: type | None, name: str) -> list[Any]:
    """One run; the built-in signals get back the receivers they had before it.

    A run's receivers can outlive it (pytest keeps logged errors' tracebacks, and
    with them the scenario's frame), so they are taken out, not left to die.
    """
    assert not fastsignals.is_installed()
    _settle_global_signals()
    saved = {signal: list(signal.receivers) for signal in GLOBAL_SIGNALS}
    trace = SwitchTrace(engine)
    try:
        scenario(trace)
    finally:
        fastsignals.uninstall()
        for signal, receivers in saved.items():
            with signal.lock:
                signal.receivers = receivers
                signal.sender_receivers_cache.clear()
    steps = trace.steps
    del trace
    gc.collect()
    scenario_runs[f"install({name})"] += 1
    return steps


@pytest.mark.parametrize("scenario_func", INSTALLED_SCENARIOS, ids=lambda func: func.__name__)
def test_installed_scenario(scenario_func: Callable[[SwitchTrace], None], engine: Any) -> None:
    reference = run_switched(scenario_func, None, "stock")
    traced = run_switched(scenario_func, engine.Signal, engine.name)
    assert_same_trace(reference, traced, f"install({engine.name})")
