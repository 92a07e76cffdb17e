"""No leaks: a long connect/send/disconnect churn keeps memory and live objects flat,
and a send leaves the reference counts of everything it touched as they were.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest


class Sender:
    """A model class stand-in, created and dropped by the churn."""


class Owner:
    """Has a bound-method receiver and is itself a callable receiver."""

    def method(self, signal: Any, sender: Any, **kwargs: Any) -> str:
        return "method"

    def __call__(self, signal: Any, sender: Any, **kwargs: Any) -> str:
        return "instance"


class ReceiverError(Exception):
    pass


def _raising(signal: Any, sender: Any, **kwargs: Any) -> None:
    raise ReceiverError("receiver failed")


def _churn(signal: Any, iterations: int) -> None:
    """Connect, send and disconnect weak and strong receivers of short-lived senders."""
    for iteration in range(iterations):
        sender = Sender()
        owner = Owner()

        def function(signal: Any, sender: Any, value: Any, **kwargs: Any) -> Any:
            return value

        # Rotate: a weak function, a weak bound method, a strong callable instance.
        receiver, weak = ((function, True), (owner.method, True), (owner, False))[iteration % 3]
        uid = "churn" if iteration % 5 == 0 else None
        connected_to = sender if iteration % 2 else None
        signal.connect(receiver, sender=connected_to, weak=weak, dispatch_uid=uid)
        signal.send(sender, value=iteration, extra=[iteration])
        signal.send_robust(sender, value=iteration)
        signal.has_listeners(sender)
        if iteration % 8 == 0:
            signal.send_robust(Sender, value=iteration)
            try:
                signal.send(Sender, value=iteration)
            except ReceiverError:
                pass
        # Strong receivers are always disconnected; weak ones half the time just die.
        if not weak or iteration % 4 < 2:
            assert signal.disconnect(receiver, sender=connected_to, dispatch_uid=uid)
        del function, owner, sender, receiver


def _measure() -> tuple[int, int]:
    gc.collect()
    return tracemalloc.get_traced_memory()[0], len(gc.get_objects())


@pytest.mark.usefixtures("quiet_dispatch_log", "frozen_heap")
@pytest.mark.parametrize("use_caching", [False, True], ids=["uncached", "cached"])
def test_churn_keeps_memory_and_objects_flat(engine: Any, use_caching: bool, budget: Any, figures: Any) -> None:
    signal = engine.Signal(use_caching=use_caching)
    signal.connect(_raising, sender=Sender)
    tracemalloc.start()
    try:
        _churn(signal, budget.leak_iterations // 10)  # warm-up: caches, free lists, interned ids
        memory_before, objects_before = _measure()
        _churn(signal, budget.leak_iterations)
        memory_after, objects_after = _measure()
    finally:
        tracemalloc.stop()
    figures(
        f"{budget.leak_iterations} iterations: traced memory {memory_before} -> {memory_after} B, "
        f"gc objects {objects_before} -> {objects_after}"
    )
    # A leak of even one small object per iteration exceeds both bounds several times over.
    assert memory_after - memory_before < max(32_768, 4 * budget.leak_iterations)
    assert objects_after - objects_before < max(100, budget.leak_iterations // 50)


def _refcounts(objects: dict[str, Any]) -> dict[str, int]:
    gc.collect()
    return {name: sys.getrefcount(obj) for name, obj in objects.items()}


SENDS: dict[str, Callable[[Any, Any, dict[str, Any]], Any]] = {
    "send": lambda signal, sender, named: signal.send(sender, **named),
    "send_robust": lambda signal, sender, named: signal.send_robust(sender, **named),
    "has_listeners": lambda signal, sender, named: signal.has_listeners(sender),
}


@pytest.mark.usefixtures("quiet_dispatch_log", "frozen_heap")
@pytest.mark.parametrize("receivers", ["plain", "raising", "no-receivers"])
@pytest.mark.parametrize("use_caching", [False, True], ids=["uncached", "cached"])
def test_send_leaves_refcounts_unchanged(impl: Any, use_caching: bool, receivers: str) -> None:
    signal = impl.Signal(use_caching=use_caching)
    sender = Sender()
    owner = Owner()

    def function(signal: Any, sender: Any, **kwargs: Any) -> Any:
        return kwargs

    if receivers != "no-receivers":
        signal.connect(function)
        signal.connect(owner.method, sender=sender)
        signal.connect(owner, sender=sender, weak=False)
    if receivers == "raising":
        signal.connect(_raising)
    # 1 keyword: the compiled call's argument vector on the C stack; 40: on the heap.
    for keywords in (1, 40):
        named = {f"value{number}": object() for number in range(keywords)}
        tracked = {"signal": signal, "sender": sender, "owner": owner, "function": function, **named}
        for operation, call in SENDS.items():
            counts = []
            for _ in range(4):  # the first send may fill the cache, which then holds the strong receivers
                try:
                    result = call(signal, sender, named)
                except ReceiverError:
                    pass
                else:
                    del result
                counts.append(_refcounts(tracked))
            assert counts[1:] == counts[:1] * 3, f"{operation} with {keywords} keywords"


@pytest.mark.usefixtures("frozen_heap")
@pytest.mark.parametrize("use_caching", [False, True], ids=["uncached", "cached"])
def test_failed_argument_binding_leaves_refcounts_unchanged(impl: Any, use_caching: bool) -> None:
    signal = impl.Signal(use_caching=use_caching)
    sender = Sender()
    owner = Owner()
    signal.connect(owner)
    value = object()
    tracked = {"signal": signal, "sender": sender, "owner": owner, "value": value}
    signal.send(sender)
    before = _refcounts(tracked)
    for _ in range(3):
        with pytest.raises(TypeError):
            signal.send(sender, signal=value)
        with pytest.raises(TypeError):
            signal.send_robust(sender, value, value=value)
    assert _refcounts(tracked) == before
