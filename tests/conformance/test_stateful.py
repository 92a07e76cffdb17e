"""Random sequences of signal operations, run on stock Django and every engine in lockstep.

One RuleBasedStateMachine drives a "world" per implementation: a signal of that class,
and a Trace recording each operation's outcome there. Receivers and senders are shared
by the worlds, so dropping one and collecting garbage happens to all of them at once.
After every step the worlds' latest observations, and the shapes of their receivers
lists, must equal the reference's. FASTSIGNALS_HYPOTHESIS_PROFILE picks how long it runs
(see conftest.py).
"""

from __future__ import annotations

import gc
import logging
from typing import Any

import django.dispatch
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

from fastsignals import _signal_py

from .conftest import profile
from .differential import show
from .report import hypothesis_implementations, hypothesis_runs
from .trace import SENDER_KINDS, Trace, call_record, make_receiver, make_sender

WORLDS: dict[str, type] = {"django": django.dispatch.Signal, "py": _signal_py.Signal}
try:
    from fastsignals import _signal_c
except ImportError:  # pragma: no cover - test_lockstep_runs_every_implementation fails
    pass
else:
    WORLDS["c"] = _signal_c.Signal

NO_SENDER = "<None>"
RECEIVER_KINDS = (
    "function",
    "method",
    "callable",
    "lambda",
    "partial",
    "slots_callable",
    "async_function",
    "async_method",
    "raises",
    "async_raises",
    "connects_partner",
    "disconnects_partner",
)
DISPATCH_UIDS = st.sampled_from([None, None, 0, "", "uid-a", "uid-b"])


class Boom(Exception):
    """What the raising receivers raise."""


class SignalLockstep(RuleBasedStateMachine):
    receivers = Bundle("receivers")
    senders = Bundle("senders")

    def __init__(self) -> None:
        super().__init__()
        self.objects: dict[str, Any] = {}
        self.traces: dict[str, Trace] = {}
        self.signals: dict[str, Any] = {}
        self.world_of: dict[int, str] = {}
        self.stashed: dict[str, Any] = {}
        self.snapshots: dict[str, Any] = {}
        self.made = 0
        self.partner = self._make("partner", "function")
        # send_robust's failures stay in the traces, not in pytest's log capture.
        self.dispatch_logger = logging.getLogger("django.dispatch")
        self.propagate = self.dispatch_logger.propagate
        self.dispatch_logger.propagate = False
        hypothesis_runs["examples"] += 1

    def teardown(self) -> None:
        self.dispatch_logger.propagate = self.propagate

    # Setting up.

    @initialize(use_caching=st.booleans())
    def make_signals(self, use_caching: bool) -> None:
        for world, signal_class in WORLDS.items():
            trace = Trace(signal_class, use_caching)
            signal = trace.signal()
            self.traces[world], self.signals[world] = trace, signal
            self.world_of[id(signal)] = world
            hypothesis_implementations.add(world)

    def _make(self, name: str, kind: str) -> Any:
        def hit(caller: Any, kwargs: dict[str, Any]) -> Any:
            signal = kwargs["signal"]
            world = self.world_of[id(signal)]
            self.traces[world].calls.append(call_record(name, kind.startswith("async"), caller, kwargs))
            if kind == "connects_partner":
                signal.connect(self.partner)
            elif kind == "disconnects_partner":
                signal.disconnect(self.partner)
            elif kind.endswith("raises"):
                raise Boom(name)
            return f"{name} ok"

        async def ahit(kwargs: dict[str, Any]) -> Any:
            return hit(None, kwargs)

        make_kind = {"raises": "function", "async_raises": "async_function"}.get(kind, kind)
        if make_kind.endswith("_partner"):
            make_kind = "method"
        return make_receiver(make_kind, name, hit, ahit)

    @initialize(target=receivers, kinds=st.lists(st.sampled_from(RECEIVER_KINDS), min_size=2, max_size=4))
    def first_receivers(self, kinds: list[str]) -> Any:
        return multiple(*(self.new_receiver(kind) for kind in kinds))

    @initialize(target=senders, kinds=st.lists(st.sampled_from(SENDER_KINDS), min_size=1, max_size=2))
    def first_senders(self, kinds: list[str]) -> Any:
        return multiple(*(self.new_sender(kind) for kind in kinds))

    @rule(target=receivers, kind=st.sampled_from(RECEIVER_KINDS))
    def new_receiver(self, kind: str) -> str:
        self.made += 1
        name = f"{kind}-{self.made}"
        self.objects[name] = self._make(name, kind)
        return name

    @rule(target=senders, kind=st.sampled_from(SENDER_KINDS))
    def new_sender(self, kind: str) -> str:
        self.made += 1
        name = f"{kind}-sender-{self.made}"
        sender = make_sender(name, kind)
        self.objects[name] = sender
        for trace in self.traces.values():
            trace.adopt_sender(sender)
        return name

    def _object(self, name: Any) -> Any:
        return None if name in (None, NO_SENDER) else self.objects[name]

    # Operations, each done in every world and compared with the reference.

    def _each(self, operation: Any) -> None:
        for world, trace in self.traces.items():
            operation(trace, self.signals[world])
        self._compare("step")
        hypothesis_runs["steps"] += 1

    def _compare(self, what: str) -> None:
        reference = self.traces["django"].steps[-1]
        for world, trace in self.traces.items():
            got = trace.steps[-1]
            assert got == reference, (
                f"{world} differs from django at this {what}:\ndjango: {show(reference)}\n{world}: {show(got)}"
            )

    @rule(
        receiver=receivers,
        sender=st.one_of(st.just(NO_SENDER), senders),
        weak=st.booleans(),
        dispatch_uid=DISPATCH_UIDS,
    )
    def connect(self, receiver: str, sender: str, weak: bool, dispatch_uid: Any) -> None:
        receiver_object, sender_object = self._object(receiver), self._object(sender)
        self._each(
            lambda t, s: t.connect(s, receiver_object, sender=sender_object, weak=weak, dispatch_uid=dispatch_uid)
        )

    @rule(
        receiver=st.one_of(st.none(), receivers),
        sender=st.one_of(st.just(NO_SENDER), senders),
        dispatch_uid=DISPATCH_UIDS,
    )
    def disconnect(self, receiver: str | None, sender: str, dispatch_uid: Any) -> None:
        receiver_object, sender_object = self._object(receiver), self._object(sender)
        self._each(lambda t, s: t.disconnect(s, receiver_object, sender=sender_object, dispatch_uid=dispatch_uid))

    @rule(sender=st.one_of(st.just(NO_SENDER), senders), robust=st.booleans())
    def send(self, sender: str, robust: bool) -> None:
        sender_object = self._object(sender)
        if robust:
            self._each(lambda t, s: t.send_robust(s, sender_object, value=1))
        else:
            self._each(lambda t, s: t.send(s, sender_object, value=1))

    @rule(sender=st.one_of(st.just(NO_SENDER), senders), robust=st.booleans())
    def asend(self, sender: str, robust: bool) -> None:
        sender_object = self._object(sender)
        self._each(lambda t, s: t.asend(s, sender_object, robust=robust))

    @rule(sender=st.one_of(st.just(NO_SENDER), senders))
    def has_listeners(self, sender: str) -> None:
        sender_object = self._object(sender)
        self._each(lambda t, s: t.has_listeners(s, sender_object))

    @rule(name=st.one_of(consumes(receivers), consumes(senders)))
    def drop_and_collect(self, name: str) -> None:
        del self.objects[name]
        gc.collect()
        self._each(lambda t, s: t.note(f"dropped {name}", None))

    # Direct edits of signal.receivers, as third-party libraries make them.

    @precondition(lambda self: self.signals and not self.stashed)
    @rule()
    def mute(self) -> None:
        """factory_boy and cacheops: set the receivers aside, keep the list object."""
        for world, signal in self.signals.items():
            self.stashed[world] = signal.receivers
            signal.receivers = []

    @precondition(lambda self: self.stashed)
    @rule(clear_cache=st.booleans())
    def unmute(self, clear_cache: bool) -> None:
        """factory_boy clears the cache under the lock afterwards; cacheops does not."""
        for world, signal in self.signals.items():
            signal.receivers += self.stashed.pop(world)
            if clear_cache:
                with signal.lock:
                    signal.sender_receivers_cache.clear()

    @precondition(lambda self: self.signals)
    @rule()
    def snapshot(self) -> None:
        for world, signal in self.signals.items():
            self.snapshots[world] = list(signal.receivers)

    @precondition(lambda self: self.snapshots)
    @rule()
    def restore_snapshot(self) -> None:
        """django-reversion: assign a saved list and clear the cache, under the lock."""
        for world, signal in self.signals.items():
            with signal.lock:
                signal.receivers = list(self.snapshots[world])
                signal.sender_receivers_cache.clear()

    @precondition(lambda self: self.signals)
    @rule(position=st.integers(min_value=0, max_value=7), edit=st.sampled_from(["reverse", "delete", "duplicate"]))
    def edit_in_place(self, position: int, edit: str) -> None:
        for signal in self.signals.values():
            receivers = signal.receivers
            if edit == "reverse":
                receivers.reverse()
            elif receivers and edit == "delete":
                del receivers[position % len(receivers)]
            elif receivers:
                receivers.append(receivers[position % len(receivers)])

    @precondition(lambda self: self.signals)
    @invariant()
    def same_receivers(self) -> None:
        for world, trace in self.traces.items():
            trace.look(self.signals[world])
        self._compare("look at receivers")


SignalLockstep.TestCase.settings = profile()
TestSignalLockstep = SignalLockstep.TestCase


@pytest.mark.compiled
def test_lockstep_runs_every_implementation() -> None:
    assert list(WORLDS) == ["django", "py", "c"]
