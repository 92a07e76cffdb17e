"""A hypothesis-driven hunt: random programs of normal and abusive operations.

Each program runs on stock Django and on an engine, step by step; the outcome of
every step (result, or exception type and message) and the signal's state after
it must be equal. A crash of the interpreter fails the run outright.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

import pytest
from django.dispatch import Signal as DjangoSignal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fastsignals._semantics import RECEIVER_TUPLE_LEN
from signal_traces import Names, outcome


class Owner:
    def method(self, signal: Any, sender: Any, **kwargs: Any) -> str:
        return "method"

    def __call__(self, signal: Any, sender: Any, **kwargs: Any) -> str:
        return "instance"


class Slotted:
    __slots__ = ()

    def __call__(self, signal: Any, sender: Any, **kwargs: Any) -> str:
        return "slotted"


class Unhashable:
    __hash__ = None  # type: ignore[assignment]


class World:
    """One implementation's signal plus the named receivers and senders a program uses."""

    def __init__(self, signal_class: type, use_caching: bool) -> None:
        self.signal = signal_class(use_caching=use_caching)
        self.names = Names()
        self.held: dict[str, Any] = {}
        self.trace: list[Any] = []
        self.depth = 0

    def function(self, label: str) -> Any:
        def receiver(signal: Any, sender: Any, **kwargs: Any) -> Any:
            self.trace.append(("call", label, self.names.of(sender), sorted(kwargs)))
            return self._act(label, sender)

        return receiver

    def _act(self, label: str, sender: Any) -> Any:
        signal = self.signal
        if label == "raiser":
            raise ValueError("receiver failed")
        if label == "interrupter":
            raise KeyboardInterrupt("interrupted")
        if label == "connector":
            signal.connect(self.receiver("plain1"))
        elif label == "leaver":
            return signal.disconnect(self.receiver("leaver"))
        elif label == "nester" and self.depth < 2:
            self.depth += 1
            try:
                return outcome(self.names, lambda: signal.send(sender, nested=self.depth))
            finally:
                self.depth -= 1
        elif label == "clearer":
            signal.receivers.clear()
        return label

    def receiver(self, label: str) -> Any:
        """The receiver named label, created (again) if it was dropped."""
        if label == "five":
            return 5
        if label == "method":
            return self._object("owner", Owner).method
        if label in ("instance", "slotted"):
            return self._object(label, Owner if label == "instance" else Slotted)
        if label not in self.held:
            self.held[label] = self.names.new(lambda: self.function(label), label)
        return self.held[label]

    def _object(self, label: str, factory: Callable[[], Any]) -> Any:
        if label not in self.held:
            self.held[label] = self.names.new(factory, label)
        return self.held[label]

    def sender(self, label: str) -> Any:
        if label == "None":
            return None
        if label == "seven":
            return 7
        if label == "list":
            return self._object(label, list)
        if label == "unhashable":
            return self._object(label, Unhashable)
        return self._object(label, lambda: type(label, (), {})())

    def drop(self, label: str) -> None:
        """Drop the program's reference to a receiver or sender (it is created again when used)."""
        self.held.pop(label, None)
        gc.collect()

    def run(self, step: tuple[Any, ...]) -> Any:
        kind, *args = step
        signal = self.signal
        if kind == "connect":
            receiver, sender, weak, uid = args
            call = lambda: signal.connect(self.receiver(receiver), self.sender(sender), weak, _uid(uid))  # noqa: E731
        elif kind == "disconnect":
            receiver, sender, uid = args
            target = None if receiver is None else self.receiver(receiver)
            call = lambda: signal.disconnect(target, self.sender(sender), _uid(uid))  # noqa: E731
        elif kind == "send":
            sender, robust, keywords = args
            method = signal.send_robust if robust else signal.send
            call = lambda: method(self.sender(sender), **_KEYWORDS[keywords])  # noqa: E731
        elif kind == "has_listeners":
            call = lambda: signal.has_listeners(self.sender(args[0]))  # noqa: E731
        elif kind == "drop":
            call = lambda: self.drop(args[0])  # noqa: E731
        elif kind == "garbage":
            call = lambda: signal.receivers.insert(args[1], _GARBAGE[args[0]])  # noqa: E731
        else:
            call = lambda: _EDITS[args[0]](signal)  # noqa: E731
        return outcome(self.names, call), self.names.state(signal)


def _uid(uid: str | None) -> Any:
    return {"list": ["uid"], "zero": 0, "empty": ""}.get(uid, uid)  # type: ignore[arg-type]


_KEYWORDS: dict[str, dict[str, Any]] = {
    "none": {},
    "one": {"value": 1},
    "many": {f"k{number}": number for number in range(20)},
    "signal": {"signal": 1},
}

_PAD = (None, False)[4 - RECEIVER_TUPLE_LEN:]
_GARBAGE = {
    "int": 1,
    "None": None,
    "pair": (1, 2),
    "string": "ab",
    "short": ((0, id(None)), None),
    "long": ((0, id(None)), None, None, None, None),
    "flat key": ("key", None, *_PAD),
    "non-callable": ((1, id(None)), 5, *_PAD),
}


def _restore(signal: Any) -> None:
    signal.receivers = [
        item for item in signal.receivers
        if isinstance(item, tuple) and len(item) == RECEIVER_TUPLE_LEN and isinstance(item[0], tuple)
        and len(item[0]) == 2 and callable(item[1])
    ]


_EDITS = {
    "reverse": lambda signal: signal.receivers.reverse(),
    "delete first": lambda signal: signal.receivers.__delitem__(0),
    "duplicate first": lambda signal: signal.receivers.append(signal.receivers[0]),
    "clear": lambda signal: signal.receivers.clear(),
    "replace": lambda signal: setattr(signal, "receivers", list(signal.receivers)),
    "tuple": lambda signal: setattr(signal, "receivers", tuple(signal.receivers)),
    "restore": _restore,
    "clear cache": lambda signal: signal.sender_receivers_cache.clear(),
    "flag dead": lambda signal: setattr(signal, "_dead_receivers", True),
}

RECEIVERS = ["plain0", "plain1", "raiser", "interrupter", "connector", "leaver", "nester", "clearer",
             "method", "instance", "slotted", "five"]
SENDERS = ["s0", "s1", "None", "seven", "list", "unhashable"]
UIDS = [None, None, None, "uid", "list", "zero", "empty"]

steps = st.one_of(
    st.tuples(st.just("connect"), st.sampled_from(RECEIVERS), st.sampled_from(SENDERS + ["None"] * 3),
              st.booleans(), st.sampled_from(UIDS)),
    st.tuples(st.just("disconnect"), st.sampled_from([*RECEIVERS, None]), st.sampled_from(SENDERS + ["None"] * 3),
              st.sampled_from(UIDS)),
    st.tuples(st.just("send"), st.sampled_from(SENDERS), st.booleans(), st.sampled_from(list(_KEYWORDS))),
    st.tuples(st.just("has_listeners"), st.sampled_from(SENDERS)),
    st.tuples(st.just("drop"), st.sampled_from(["plain0", "nester", "owner", "instance", "s0", "s1", "unhashable"])),
    st.tuples(st.just("garbage"), st.sampled_from(list(_GARBAGE)), st.integers(0, 3)),
    st.tuples(st.just("edit"), st.sampled_from(list(_EDITS))),
)


def _play(signal_class: type, use_caching: bool, program: list[tuple[Any, ...]]) -> list[Any]:
    # Garbage dies at the end of each step, not whenever the implementation's own
    # allocations happen to trigger the collector. Freezing what exists already
    # keeps those collections down to the objects of this one program.
    gc.disable()
    gc.freeze()
    world = World(signal_class, use_caching)
    try:
        for step in program:
            result = world.run(step)
            gc.collect()
            world.trace.append((step, *result, world.names.state(world.signal)))
    finally:
        gc.unfreeze()
        gc.enable()
    return world.trace


@pytest.mark.usefixtures("quiet_dispatch_log")
def test_random_programs_match_django(engine: Any, budget: Any) -> None:
    @settings(
        max_examples=budget.hunt_examples,
        # The default run is repeatable (fixed seed, as CI needs); --long explores.
        derandomize=not budget.long,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        database=None,
    )
    @given(use_caching=st.booleans(), program=st.lists(steps, max_size=30))
    def hunt(use_caching: bool, program: list[tuple[Any, ...]]) -> None:
        expected = _play(DjangoSignal, use_caching, program)
        assert _play(engine.Signal, use_caching, program) == expected

    hunt()
