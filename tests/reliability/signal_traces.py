"""Implementation-neutral traces: what a signal did, with objects replaced by labels.

Two runs of the same script on stock Django and on an engine create different
objects, so traces name every receiver and sender by a label given at creation,
and every id() (the keys in ``signal.receivers``) by the label of its object.
"""

from __future__ import annotations

import gc
import re
import types
import weakref
from collections.abc import Callable
from typing import Any

#: ids above this are addresses; below it, plain integers a test put somewhere.
_ADDRESS_FLOOR = 1 << 20
#: Addresses in messages ("<X object at 0x7f...>") differ between any two runs.
_ADDRESS = re.compile(r"0x[0-9a-f]+")


def message(err: BaseException) -> str:
    """str(err) with object addresses blanked out."""
    return _ADDRESS.sub("0x?", str(err))


class Names:
    """Labels of the objects one run created, looked up by id() while they live."""

    def __init__(self) -> None:
        self._labels: dict[int, str] = {id(None): "None"}

    def add(self, obj: Any, label: str) -> Any:
        """Name obj (an id reused after its death takes the newer name)."""
        self._labels[id(obj)] = label
        return obj

    def new(self, make: Callable[[], Any], label: str) -> Any:
        """Name make(), an object made anew until its id is one no earlier object had.

        Keys in ``receivers`` hold id()s. Were a new object to reuse a dead one's id,
        one run's trace would name the dead one's key after it and another's would not.
        """
        spares = []
        obj = make()
        while id(obj) in self._labels:
            spares.append(obj)
            obj = make()
        return self.add(obj, label)

    def of(self, obj: Any) -> Any:
        """A comparable stand-in for obj: labels for named objects, structure for containers."""
        if isinstance(obj, weakref.WeakMethod):
            return ("weakmethod", self.of(obj()))
        if isinstance(obj, weakref.ReferenceType):
            return ("weak", self.of(obj()))
        if isinstance(obj, tuple):
            return tuple(self.of(item) for item in obj)
        if isinstance(obj, list):
            return [self.of(item) for item in obj]
        if isinstance(obj, BaseException):
            return ("exception", type(obj).__name__, message(obj))
        if obj is None or isinstance(obj, (bool, str, float)):
            return obj
        if isinstance(obj, int):
            if obj in self._labels:
                return ("id", self._labels[obj])
            return ("id", "?") if obj > _ADDRESS_FLOOR else obj
        if isinstance(obj, types.MethodType):
            return ("method", self.of(obj.__self__), obj.__func__.__name__)
        if id(obj) in self._labels:
            return self._labels[id(obj)]
        return ("object", type(obj).__name__)

    def state(self, signal: Any) -> Any:
        """The signal's internals that stock Django exposes, ready to compare."""
        cache = signal.sender_receivers_cache
        try:
            cached = sorted(repr((self.of(sender), self.of(entries))) for sender, entries in list(cache.items()))
        except (TypeError, AttributeError) as err:  # a cache a test replaced by something else
            cached = [f"unreadable cache: {err}"]
        receivers = signal.receivers
        listed = self.of(receivers) if isinstance(receivers, (list, tuple)) else ("other", repr(receivers))
        return {"receivers": listed, "cache": cached, "dead_flag": signal._dead_receivers}


def outcome(names: Names, call: Callable[[], Any]) -> tuple[Any, ...]:
    """("ok", result) or ("raised", type name, message) of call(), any BaseException included."""
    try:
        result = call()
    except BaseException as err:  # noqa: BLE001 - KeyboardInterrupt from receivers is an outcome too
        return ("raised", type(err).__name__, message(err))
    return ("ok", names.of(result))


class Play:
    """One run of a scenario: a signal, named receivers and senders, and the trace."""

    def __init__(self, signal_class: type, use_caching: bool) -> None:
        self.signal = signal_class(use_caching=use_caching)
        self.names = Names()
        self.trace: list[Any] = []
        self.held: dict[str, Any] = {}  # the only strong references to weakly connected receivers
        self.depth = 0

    def receiver(self, label: str, action: Callable[[Play, Any], Any] | None = None) -> Any:
        """A receiver that logs its call, then runs action(play, sender) and returns its result."""

        def make() -> Callable[..., Any]:
            def receiver(signal: Any, sender: Any, **kwargs: Any) -> Any:
                self.trace.append(("call", label, self.names.of(sender), self.depth))
                if action is None:
                    return label
                return action(self, sender)

            return receiver

        self.held[label] = receiver = self.names.new(make, label)
        return receiver

    def sender(self, label: str) -> Any:
        sender = self.names.new(lambda: type(label, (), {})(), label)
        self.held[label] = sender
        return sender

    def play(self, scenario: Callable[[Play], None]) -> list[Any]:
        """Run scenario(self) and return the trace.

        The collector runs only where the trace is taken (after each top-level
        step), not whenever an implementation's allocations trigger it: cyclic
        garbage such as a failed send's traceback then dies at the same point
        of the script on every implementation. Freezing what exists already
        keeps those collections small.
        """
        gc.disable()
        gc.freeze()
        try:
            scenario(self)
        finally:
            gc.unfreeze()
            gc.enable()
        return self.trace

    def settle(self) -> None:
        if self.depth == 0:
            gc.collect()

    def send(self, sender: Any, robust: bool = False) -> None:
        """Send, nested sends included, logging the outcome and the state after it."""
        method = self.signal.send_robust if robust else self.signal.send
        self.depth += 1
        try:
            result = outcome(self.names, lambda: method(sender))
        finally:
            self.depth -= 1
        self.settle()
        self.trace.append(("sent", self.depth, robust, self.names.of(sender), result, self.names.state(self.signal)))

    def sends(self, sender: Any = None, robust: bool = False, times: int = 3) -> None:
        for _ in range(times):
            self.send(sender, robust)
        self.do("has_listeners", lambda: self.signal.has_listeners(sender))

    def do(self, label: str, call: Callable[[], Any]) -> None:
        """Run call, logging its outcome and the signal's state after it."""
        result = outcome(self.names, call)
        self.settle()
        self.trace.append((label, result, self.names.state(self.signal)))
