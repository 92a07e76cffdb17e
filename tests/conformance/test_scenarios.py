"""Differential scenarios: each runs on stock Django and on an engine, and the traces must be equal.

A scenario takes a Trace (bound to one Signal class, with use_caching on or off) and
records what it observes; see trace.py for what a trace holds. The test runs the
scenario on django.dispatch.Signal and on the engine inside one test, so a difference
is a failure, not two independent passes.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from typing import Any

import django.dispatch
import pytest

from .differential import assert_same_trace, run_trace
from .trace import RECEIVER_KINDS, Interrupt, Trace

SCENARIOS: list[Callable[[Trace], None]] = []
DEBUG_SCENARIOS: list[Callable[[Trace], None]] = []


def scenario(func: Callable[[Trace], None]) -> Callable[[Trace], None]:
    SCENARIOS.append(func)
    return func


def debug_scenario(func: Callable[[Trace], None]) -> Callable[[Trace], None]:
    """A scenario run with settings.DEBUG = True as well as with the default False."""
    DEBUG_SCENARIOS.append(func)
    return scenario(func)


# Receivers of every kind.


@scenario
def every_kind_weak(t: Trace) -> None:
    s = t.signal()
    receivers = [t.receiver(kind, kind) for kind in RECEIVER_KINDS]
    for receiver in receivers:
        t.connect(s, receiver)
    t.look(s)
    t.send(s, None)
    t.send(s, t.sender("A"), extra=1)
    t.send_robust(s, None, extra=2)
    t.asend(s, None)
    t.asend(s, None, robust=True)
    t.has_listeners(s)
    t.look(s)


@scenario
def every_kind_strong(t: Trace) -> None:
    s = t.signal()
    receivers = [t.receiver(kind, kind) for kind in RECEIVER_KINDS]
    for receiver in receivers:
        t.connect(s, receiver, weak=False)
    t.look(s)
    t.send(s, None)
    t.send_robust(s, None)
    t.asend(s, None)
    del receivers
    t.collect()
    t.send(s, None)
    t.look(s)


@scenario
def every_kind_dropped(t: Trace) -> None:
    s = t.signal()
    sender = t.sender("A")
    for kind in RECEIVER_KINDS:
        receiver = t.receiver(kind, kind)
        t.connect(s, receiver, weak=kind != "slots_callable", sender=sender)
        del receiver
    t.collect()
    t.look(s, "after collect")
    t.has_listeners(s, sender)
    t.look(s, "after has_listeners")
    t.send(s, sender)


@scenario
def mixed_sync_and_async_order(t: Trace) -> None:
    s = t.signal()
    sender = t.sender("A")
    receivers = [
        t.receiver("a1", "async_function"),
        t.receiver("s1", "function"),
        t.receiver("a2", "async_method"),
        t.receiver("s2", "method"),
        t.receiver("s3", "lambda"),
        t.receiver("a3", "async_function"),
    ]
    for position, receiver in enumerate(receivers):
        t.connect(s, receiver, sender=sender if position % 2 else None)
    t.send(s, sender)
    t.send(s, None)
    t.send_robust(s, sender)
    t.asend(s, sender)
    t.asend(s, None, robust=True)


@scenario
def same_callable_many_ways(t: Trace) -> None:
    s = t.signal()
    method = t.receiver("owner", "method")
    t.connect(s, method)
    # A fresh bound method of the same object and function has the same key.
    t.connect(s, method.__func__.__get__(method.__self__))
    t.connect(s, method, weak=False)
    t.look(s)
    t.do("disconnect(fresh bound method)", s.disconnect, method.__func__.__get__(method.__self__))
    t.look(s)
    function = t.receiver("f")
    t.connect(s, function, sender=None)
    t.connect(s, function, sender=t.sender("A", "class"))
    t.connect(s, function, dispatch_uid="uid")
    t.look(s)
    t.send(s, None)


@scenario
def builtin_receiver_without_kwargs(t: Trace) -> None:
    s = t.signal()
    t.connect(s, print)
    t.connect(s, t.receiver("after"), weak=False)
    t.look(s)
    t.send(s, None)
    t.send_robust(s, None)


# Senders.


@scenario
def sender_kinds(t: Trace) -> None:
    s = t.signal()
    senders = [t.sender(f"{kind} sender", kind) for kind in ("class", "instance", "unhashable", "no_weakref")]
    anyone = t.receiver("anyone")
    t.connect(s, anyone)
    receivers = []
    for sender in senders:
        receiver = t.receiver(f"for {sender.trace_name}", "method")
        receivers.append(receiver)
        t.connect(s, receiver, sender=sender)
    t.look(s)
    for sender in [*senders, None]:
        t.send(s, sender)
        t.send_robust(s, sender)
        t.has_listeners(s, sender)
        t.look(s)
    for sender, receiver in zip(senders, receivers):
        t.disconnect(s, receiver, sender=sender)
    t.look(s)


@scenario
def sender_specific_order(t: Trace) -> None:
    s = t.signal()
    first, second = t.sender("S1", "class"), t.sender("S2")
    plan = [("a", None), ("b", first), ("c", None), ("d", second), ("e", first), ("f", None)]
    receivers = [t.receiver(name) for name, _ in plan]
    for receiver, (_, sender) in zip(receivers, plan):
        t.connect(s, receiver, sender=sender)
    for sender in (first, second, None, t.sender("other")):
        t.send(s, sender)
        t.has_listeners(s, sender)
    t.look(s)


@scenario
def sender_collected(t: Trace) -> None:
    s = t.signal()
    # All dropped at once: a sender made after one is freed could take its id().
    senders = [t.sender(f"{kind} sender", kind) for kind in ("class", "instance", "unhashable")]
    for sender in senders:
        receiver = t.receiver(f"for {sender.trace_name}", "function")
        t.connect(s, receiver, sender=sender, weak=False)
        t.send(s, sender)
    del sender
    senders.clear()
    anyone = t.receiver("anyone")
    t.connect(s, anyone, weak=False)
    t.look(s, "before collect")
    t.collect()
    t.look(s, "after collect")
    t.send(s, None)
    t.look(s, "after send")


@scenario
def sender_collected_then_connect(t: Trace) -> None:
    s = t.signal()
    sender = t.sender("A", "class")
    receiver = t.receiver("r")
    t.connect(s, receiver, sender=sender)
    del sender
    t.collect()
    t.connect(s, t.receiver("late", "function"), weak=False)
    t.look(s)
    t.disconnect(s, receiver)
    t.look(s)
    t.send(s, None)


# dispatch_uid.


@scenario
def dispatch_uids(t: Trace) -> None:
    s = t.signal()
    f, g = t.receiver("f"), t.receiver("g")
    t.connect(s, f, dispatch_uid="uid")
    t.connect(s, g, dispatch_uid="uid")
    t.look(s, "one per uid")
    t.send(s, None)
    t.disconnect(s, dispatch_uid="uid")
    t.disconnect(s, dispatch_uid="uid")
    for falsy in (0, "", None, False):
        t.connect(s, f, dispatch_uid=falsy)
        t.look(s, f"uid {falsy!r}")
    t.connect(s, g, dispatch_uid=1)
    t.connect(s, g, dispatch_uid=True)
    t.connect(s, f, dispatch_uid=1, sender=t.sender("A"))
    t.look(s)
    t.send(s, None)
    t.disconnect(s, None, dispatch_uid=0)
    t.disconnect(s, f, dispatch_uid="")
    t.disconnect(s, g, dispatch_uid=True)
    t.disconnect(s, g, dispatch_uid=1)
    t.look(s)


@scenario
def dispatch_uid_unhashable(t: Trace) -> None:
    s = t.signal()
    f = t.receiver("f")
    t.connect(s, f, dispatch_uid="uid")
    t.connect(s, f, dispatch_uid=["a", "list"])
    g = t.receiver("g")
    t.connect(s, g, dispatch_uid=["a", "list"])
    t.look(s)
    t.send(s, None)
    t.disconnect(s, dispatch_uid=["a", "list"])
    t.look(s)


# disconnect().


@scenario
def disconnect_returns(t: Trace) -> None:
    s = t.signal()
    sender = t.sender("A")
    f, g = t.receiver("f"), t.receiver("g", "method")
    t.disconnect(s, f)
    t.connect(s, f)
    t.connect(s, g, sender=sender)
    t.disconnect(s, f, sender=sender)
    t.disconnect(s, g)
    t.disconnect(s, g, sender=sender)
    t.disconnect(s, g, sender=sender)
    t.send(s, sender)
    t.disconnect(s, f)
    t.disconnect(s, f)
    t.disconnect(s)
    t.look(s)
    t.send(s, sender)


@scenario
def disconnect_dead_receiver(t: Trace) -> None:
    s = t.signal()
    f = t.receiver("f")
    t.connect(s, f)
    t.connect(s, t.receiver("g"), weak=False)
    del f
    t.collect()
    t.look(s, "flagged, not purged")
    t.disconnect(s, t.receiver("unknown"))
    t.look(s, "purged by disconnect")
    t.send(s, None)


# Exceptions and send_robust's logging.


@scenario
def raising_receivers(t: Trace) -> None:
    s = t.signal()
    receivers = [
        t.receiver("ok1"),
        t.receiver("fails", raises=ValueError("bad value")),
        t.receiver("ok2", "method"),
        t.receiver("fails lambda", "lambda", raises=KeyError("key")),
        t.receiver("fails method", "method", raises=RuntimeError("boom")),
        t.receiver("fails callable", "callable", raises=LookupError()),
    ]
    for receiver in receivers:
        t.connect(s, receiver)
    t.send(s, None)
    t.send_robust(s, None)
    t.asend(s, None, robust=True)
    t.asend(s, None)


@scenario
def raising_async_receivers(t: Trace) -> None:
    s = t.signal()
    receivers = [
        t.receiver("sync ok"),
        t.receiver("async fails", "async_function", raises=ValueError("async bad")),
        t.receiver("async ok", "async_function"),
        t.receiver("async method fails", "async_method", raises=TypeError("typed")),
    ]
    for receiver in receivers:
        t.connect(s, receiver)
    t.send(s, None)
    t.send_robust(s, None)
    t.asend(s, None)
    t.asend(s, None, robust=True)
    s.disconnect(receivers[3])
    t.send(s, None)
    t.asend(s, None)


@scenario
def raising_partial_in_send_robust(t: Trace) -> None:
    # A partial has no __qualname__: logging its failure raises AttributeError.
    s = t.signal()
    receiver = t.receiver("partial", "partial", raises=ValueError("partial bad"))
    after = t.receiver("after")
    t.connect(s, receiver)
    t.connect(s, after)
    t.send_robust(s, None)
    t.send(s, None)


@scenario
def base_exception_propagates(t: Trace) -> None:
    s = t.signal()
    t.connect(s, t.receiver("before"), weak=False)
    t.connect(s, t.receiver("interrupts", raises=Interrupt("stop")), weak=False)
    t.connect(s, t.receiver("after"), weak=False)
    t.send_robust(s, None)
    t.send(s, None)


@scenario
def receiver_argument_errors(t: Trace) -> None:
    s = t.signal()

    def no_kwargs(sender: Any) -> str:
        return "unreachable"

    t.connect(s, no_kwargs)
    t.send(s, None)
    t.send_robust(s, None)
    t.disconnect(s, no_kwargs)
    f = t.receiver("f")
    t.connect(s, f)
    t.do("send(None, signal=1)", s.send, None, signal=1)
    t.do("send_robust(None, signal=1)", s.send_robust, None, signal=1)
    t.do("send()", s.send)
    t.do("send_robust()", s.send_robust)
    t.do("send(sender=None, x=1)", s.send, sender=None, x=1)


@scenario
def not_callable_receiver(t: Trace) -> None:
    s = t.signal()
    t.connect(s, t.receiver("first"), weak=False)
    t.connect(s, "not callable")
    t.connect(s, 42, weak=False)
    t.look(s)
    t.send(s, None)
    t.send_robust(s, None)


@debug_scenario
def debug_checks(t: Trace) -> None:
    s = t.signal()

    def no_kwargs(sender: Any) -> None:
        return None

    lambda_receiver = t.receiver("lambda", "lambda")
    t.connect(s, lambda_receiver)
    t.connect(s, no_kwargs)
    t.connect(s, 42, weak=False)
    t.connect(s, t.receiver("partial", "partial"), weak=False)
    t.connect(s, t.receiver("callable", "callable"), weak=False)
    t.connect(s, t.receiver("slots", "slots_callable"))
    t.connect(s, t.receiver("slots", "slots_callable"), weak=False)
    t.look(s)
    t.send(s, None)


# Receivers that connect, disconnect or send during dispatch.


@scenario
def connect_during_send(t: Trace) -> None:
    s = t.signal()
    late = t.receiver("late", "function")
    late_async = t.receiver("late async", "async_function")

    def connect_more(**kwargs: Any) -> None:
        s.connect(late)
        s.connect(late_async)

    connector, second = t.receiver("connector", action=connect_more), t.receiver("second")
    t.connect(s, connector)
    t.connect(s, second)
    t.send(s, None)
    t.look(s)
    t.send(s, None)


@scenario
def disconnect_during_send(t: Trace) -> None:
    s = t.signal()
    victims = [t.receiver("victim"), t.receiver("async victim", "async_function")]

    def disconnect_victims(**kwargs: Any) -> None:
        for victim in victims:
            s.disconnect(victim)

    disconnector = t.receiver("disconnector", action=disconnect_victims)
    t.connect(s, disconnector)
    for victim in victims:
        t.connect(s, victim)
    t.send(s, None)
    t.look(s)
    t.send(s, None)


@scenario
def disconnect_self_during_send(t: Trace) -> None:
    s = t.signal()
    holder: list[Any] = []

    def disconnect_self(**kwargs: Any) -> None:
        t.note("self disconnected", s.disconnect(holder[0]))

    holder.append(t.receiver("once", "method", action=disconnect_self))
    t.connect(s, holder[0])
    other = t.receiver("other")
    t.connect(s, other)
    t.send(s, None)
    t.send(s, None)
    t.look(s)


@scenario
def send_during_send(t: Trace) -> None:
    s = t.signal()
    inner_sender = t.sender("inner")
    outer_sender = t.sender("outer", "class")

    def resend(sender: Any, **kwargs: Any) -> None:
        if sender is outer_sender:
            t.note("nested send", s.send(inner_sender, depth=2))
            t.note("nested send_robust", s.send_robust(inner_sender, depth=3))

    resender = t.receiver("resender", action=resend)
    inner, outer = t.receiver("inner only"), t.receiver("outer only", "method")
    t.connect(s, resender)
    t.connect(s, inner, sender=inner_sender)
    t.connect(s, outer, sender=outer_sender)
    t.send(s, outer_sender, depth=1)
    t.look(s)


@scenario
def nested_signals(t: Trace) -> None:
    first, second = t.signal(), t.signal()

    def forward(sender: Any, **kwargs: Any) -> None:
        t.note("forwarded", second.send(sender))

    forwarder, second_receiver = t.receiver("forwarder", action=forward), t.receiver("second receiver", "callable")
    t.connect(first, forwarder)
    t.connect(second, second_receiver)
    t.send(first, t.sender("A"))


# Garbage collection between and during sends.


@scenario
def dropped_between_sends(t: Trace) -> None:
    s = t.signal()
    sender = t.sender("A", "class")
    function, method = t.receiver("f"), t.receiver("m", "method")
    survivor = t.receiver("survivor", "async_function")
    t.connect(s, function)
    t.connect(s, method, sender=sender)
    t.connect(s, survivor)
    t.send(s, sender)
    t.has_listeners(s, sender)
    del function
    t.collect()
    t.look(s, "function collected")
    t.send(s, sender)
    t.look(s, "after send")
    del method
    t.collect()
    t.has_listeners(s, sender)
    t.look(s, "method collected")
    del survivor
    t.collect()
    t.has_listeners(s, sender)
    t.send(s, sender)
    t.look(s, "all collected")


@scenario
def dropped_during_send(t: Trace) -> None:
    s = t.signal()
    others: list[Any] = [t.receiver("dropped later", "method"), t.receiver("dropped async", "async_method")]

    def drop_others(**kwargs: Any) -> None:
        others.clear()
        t.collect()

    t.connect(s, t.receiver("dropper", action=drop_others), weak=False)
    for other in others:
        t.connect(s, other)
    t.send(s, None)
    t.look(s, "after the send that dropped them")
    t.send(s, None)
    t.look(s)


@scenario
def sender_dropped_during_send(t: Trace) -> None:
    s = t.signal()
    senders = [t.sender("doomed", "class")]

    def drop_sender(**kwargs: Any) -> None:
        senders.clear()
        t.collect()

    t.connect(s, t.receiver("for doomed"), sender=senders[0], weak=False)
    t.connect(s, t.receiver("dropper", action=drop_sender), weak=False)
    t.send(s, None)
    t.look(s)
    t.send(s, None)
    t.look(s)


@scenario
def collected_then_reconnected(t: Trace) -> None:
    s = t.signal()
    f = t.receiver("f")
    t.connect(s, f)
    del f
    t.collect()
    g = t.receiver("g")
    t.connect(s, g)
    t.look(s)
    t.send(s, None)


# use_caching.


@scenario
def caching_cycle(t: Trace) -> None:
    s = t.signal(use_caching=True)
    first, second = t.sender("S1", "class"), t.sender("S2")
    f = t.receiver("f")
    t.connect(s, f, sender=first)
    t.send(s, first)
    t.send(s, second)
    t.look(s, "cache filled")
    g = t.receiver("g", "async_function")
    t.connect(s, g)
    t.look(s, "connect clears the cache")
    t.send(s, second)
    t.has_listeners(s, first)
    t.look(s)
    del f
    t.collect()
    t.send(s, first)
    t.look(s, "after collect")


@scenario
def caching_unusable_senders(t: Trace) -> None:
    s = t.signal(use_caching=True)
    t.connect(s, t.receiver("f"), weak=False)
    for sender in (None, t.sender("U", "unhashable"), t.sender("N", "no_weakref"), 7, "text"):
        t.send(s, sender)
        t.send_robust(s, sender)
        t.has_listeners(s, sender)
        t.asend(s, sender)
    t.look(s)


# Direct edits of signal.receivers, as third-party libraries do them.


@scenario
def factory_boy_mute(t: Trace) -> None:
    s = t.signal()
    sender = t.sender("A")
    f, g = t.receiver("f"), t.receiver("g", "method")
    t.connect(s, f)
    t.connect(s, g, sender=sender)
    t.send(s, sender)
    paused = s.receivers
    s.receivers = []
    t.look(s, "muted")
    t.send(s, sender)
    t.has_listeners(s, sender)
    h = t.receiver("h", "callable")
    t.connect(s, h)
    t.send(s, sender)
    s.receivers += paused
    with s.lock:
        s.sender_receivers_cache.clear()
    t.look(s, "unmuted")
    t.send(s, sender)
    t.disconnect(s, g, sender=sender)
    t.send(s, sender)


@scenario
def reversion_swap(t: Trace) -> None:
    s = t.signal()
    f, g = t.receiver("f"), t.receiver("g")
    t.connect(s, f)
    t.send(s, None)
    with s.lock:
        saved = s.receivers
        s.receivers = []
        s.sender_receivers_cache.clear()
    t.send(s, None)
    t.connect(s, g)
    t.send(s, None)
    with s.lock:
        s.receivers = saved
        s.sender_receivers_cache.clear()
    t.look(s, "restored")
    t.send(s, None)
    t.connect(s, g)
    t.send(s, None)


@scenario
def cacheops_extend(t: Trace) -> None:
    s = t.signal()
    f, g = t.receiver("f"), t.receiver("g", "async_function")
    t.connect(s, f)
    t.connect(s, g)
    old = s.receivers
    s.receivers = []
    t.send(s, None)
    t.connect(s, f)
    s.receivers += old
    t.look(s, "duplicate key after +=")
    t.send(s, None)
    t.disconnect(s, f)
    t.look(s)
    t.send(s, None)


@scenario
def in_place_edits(t: Trace) -> None:
    s = t.signal()
    receivers = [t.receiver(name) for name in "abcd"]
    for receiver in receivers:
        t.connect(s, receiver)
    t.send(s, None)
    s.receivers.reverse()
    t.send(s, None)
    del s.receivers[0]
    t.send(s, None)
    s.receivers[0] = s.receivers[-1]
    t.look(s, "duplicated entry")
    t.send(s, None)
    t.disconnect(s, receivers[0])
    t.send(s, None)
    s.receivers.clear()
    t.send(s, None)
    t.connect(s, receivers[1])
    s.receivers.insert(0, s.receivers[0])
    t.send(s, None)
    t.look(s)


@scenario
def stale_cache_after_edit(t: Trace) -> None:
    # Without the cache clear, a caching signal keeps answering from its cache.
    s = t.signal(use_caching=True)
    sender = t.sender("A")
    f, g = t.receiver("f"), t.receiver("g")
    t.connect(s, f)
    t.send(s, sender)
    scratch = t.signal()
    scratch.connect(g)
    s.receivers.append(scratch.receivers[0])
    t.send(s, sender)
    s.receivers = []
    t.send(s, sender)
    t.send(s, t.sender("B"))
    with s.lock:
        s.sender_receivers_cache.clear()
    t.send(s, sender)
    t.connect(s, g)
    t.send(s, sender)


# Senders that compare equal, and signals whose methods are overridden.


class EqualSender:
    """Senders that all compare equal and hash alike: the sender cache cannot tell them apart."""

    def __init__(self, trace_name: str) -> None:
        self.trace_name = trace_name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EqualSender)

    def __hash__(self) -> int:
        return 1


@scenario
def equal_senders(t: Trace) -> None:
    s = t.signal()
    first, second = t.adopt_sender(EqualSender("first")), t.adopt_sender(EqualSender("second"))
    for_first, for_second = t.receiver("for first"), t.receiver("for second", "method")
    t.connect(s, for_first, sender=first)
    t.connect(s, for_second, sender=second)
    t.send(s, first)
    t.send(s, second)
    t.has_listeners(s, second)
    t.disconnect(s, for_first, sender=first)
    t.send(s, second)
    t.send(s, first)
    t.look(s)


@scenario
def subclass_overrides(t: Trace) -> None:
    # sentry-sdk wraps _live_receivers; others override send or connect and call super().
    class Overriding(t.Signal):  # type: ignore[name-defined,misc]
        def _live_receivers(self, sender: Any) -> Any:
            sync_receivers, async_receivers = super()._live_receivers(sender)
            t.note("_live_receivers", [sync_receivers, async_receivers])
            return sync_receivers[::-1], async_receivers

        def connect(self, receiver: Any, sender: Any = None, weak: bool = True, dispatch_uid: Any = None) -> None:
            t.note("connect override", receiver)
            super().connect(receiver, sender, weak, dispatch_uid)

        def send(self, sender: Any, **named: Any) -> Any:
            return [("wrapped", response) for response in super().send(sender, **named)]

    s = t.watch(Overriding(use_caching=t.use_caching))
    first, second = t.receiver("first"), t.receiver("second", "method")
    late = t.receiver("late", "async_function")
    t.connect(s, first)
    t.connect(s, second)
    t.connect(s, late)
    t.send(s, None)
    t.send_robust(s, None)
    t.asend(s, None)
    t.has_listeners(s)


@scenario
def instance_overrides(t: Trace) -> None:
    s = t.signal()
    first, second = t.receiver("first"), t.receiver("second")
    t.connect(s, first)
    t.connect(s, second)
    stock_live_receivers = s._live_receivers

    def live_receivers(sender: Any) -> Any:
        sync_receivers, async_receivers = stock_live_receivers(sender)
        t.note("instance _live_receivers", sync_receivers)
        return sync_receivers[:1], async_receivers

    s._live_receivers = live_receivers
    t.send(s, None)
    t.send_robust(s, None)
    t.has_listeners(s)
    del s._live_receivers
    t.send(s, None)


class MethodLike:
    """A callable that is not a method but has __self__ and __func__, as Django tests them."""

    def __init__(self, owner: Any, target: Any) -> None:
        self.__self__ = owner
        self.__func__ = target

    def __call__(self, **kwargs: Any) -> Any:
        return self.__func__(**kwargs)


@scenario
def method_like_receivers(t: Trace) -> None:
    s = t.signal()
    target, owner = t.receiver("target"), t.sender("owner")
    method_like = MethodLike(owner, target)
    t.connect(s, method_like)
    t.connect(s, method_like, weak=False)
    t.connect(s, target)
    t.look(s)
    t.send(s, None)
    t.disconnect(s, MethodLike(owner, target))
    t.disconnect(s, method_like)
    t.send(s, None)
    t.look(s)


@scenario
def class_and_builtin_receivers(t: Trace) -> None:
    s = t.signal()
    holder = t.receiver("holder", "method")

    class Receivers:
        trace_name = "Receivers"

        @classmethod
        def on_class(cls, **kwargs: Any) -> Any:
            return holder(**kwargs)

        @staticmethod
        def on_static(**kwargs: Any) -> Any:
            return holder(**kwargs)

    collected: list[Any] = []
    t.connect(s, Receivers.on_class)
    t.connect(s, Receivers.on_static)
    t.connect(s, collected.append, weak=False)
    t.connect(s, dict, weak=False)
    t.look(s)
    t.send_robust(s, None, key="value")
    t.disconnect(s, collected.append)
    t.disconnect(s, Receivers.on_class)
    t.send(s, None, key="value")
    del Receivers
    t.collect()
    t.send(s, None)
    t.look(s)


@scenario
def receivers_replaced_by_other_types(t: Trace) -> None:
    s = t.signal()
    first, second = t.receiver("first"), t.receiver("second")
    t.connect(s, first)
    s.receivers = tuple(s.receivers)
    t.send(s, None)
    t.has_listeners(s)
    t.connect(s, second)
    t.disconnect(s, first)
    t.look(s)
    s.receivers = list(s.receivers)
    t.connect(s, second)
    t.send(s, None)
    s.sender_receivers_cache = {}
    s.use_caching = not s.use_caching
    t.send(s, None)
    t.connect(s, first, sender=t.sender("A"))
    t.send(s, None)
    t.look(s)


SEEN_BY_CALLER: contextvars.ContextVar[str] = contextvars.ContextVar("seen_by_caller", default="unset")


@scenario
def context_variables(t: Trace) -> None:
    # What receivers set in contextvars, and whether the caller of the send sees it.
    s = t.signal()

    def set_from(**kwargs: Any) -> None:
        SEEN_BY_CALLER.set(f"{SEEN_BY_CALLER.get()} > set by {kwargs['by']}")

    setters = [
        t.receiver("sync setter", action=set_from),
        t.receiver("async setter", "async_function", action=set_from),
    ]
    for setter in setters:
        t.connect(s, setter)

    sender = t.sender("A")

    def send_then_read(method: str) -> Any:
        context = contextvars.copy_context()

        def run() -> Any:
            if method.startswith("a"):
                asyncio.run(getattr(s, method)(sender, by=method))
            else:
                getattr(s, method)(sender, by=method)
            return SEEN_BY_CALLER.get()

        return context.run(run)

    for method in ("send", "send_robust"):
        t.do(f"{method} then read", send_then_read, method)
    for method in ("asend", "asend_robust"):
        outcome = t.do(f"{method} then read", send_then_read, method)
        # The two setters may run in either order before 6.1: only what the caller sees counts.
        t.steps[-1]["calls"] = sorted(call[0] for call in t.steps[-1]["calls"])
        t.note(f"{method} read", sorted(outcome.split(" > ")))


def _ids(func: Callable[..., Any]) -> str:
    return func.__name__


@pytest.mark.parametrize("use_caching", [False, True], ids=["no_cache", "cache"])
@pytest.mark.parametrize("scenario_func", SCENARIOS, ids=_ids)
def test_scenario(scenario_func: Callable[[Trace], None], use_caching: bool, engine: Any) -> None:
    reference = run_trace(scenario_func, django.dispatch.Signal, "django", use_caching)
    traced = run_trace(scenario_func, engine.Signal, engine.name, use_caching)
    assert_same_trace(reference, traced, engine.name)


@pytest.mark.parametrize("scenario_func", DEBUG_SCENARIOS, ids=_ids)
def test_scenario_debug(scenario_func: Callable[[Trace], None], engine: Any, debug_settings: None) -> None:
    reference = run_trace(scenario_func, django.dispatch.Signal, "django", False)
    traced = run_trace(scenario_func, engine.Signal, engine.name, False)
    assert_same_trace(reference, traced, engine.name)


def test_scenarios_are_meaningful() -> None:
    """A scenario whose trace holds no call would compare nothing of dispatch."""
    idle = []
    for scenario_func in SCENARIOS:
        steps = run_trace(scenario_func, django.dispatch.Signal, "django", False)
        if not any(step.get("calls") for step in steps):
            idle.append(scenario_func.__name__)
    assert idle == []


@pytest.mark.parametrize("kind", RECEIVER_KINDS)
def test_receiver_kinds_are_what_they_say(kind: str) -> None:
    receiver = Trace(django.dispatch.Signal).receiver("r", kind)
    if kind == "partial":
        assert isinstance(receiver, functools.partial)
    assert hasattr(receiver, "__self__") == kind.endswith("method")
