"""Traces: what a scenario observed, as plain data that two implementations can be compared by.

A scenario gets a ``Trace`` bound to one Signal class, drives a signal through it and
records each step's outcome: the returned value or the exception (type name and
message), the receivers called in order, the records logged on "django.dispatch",
and, when asked, the shape and content of ``signal.receivers``. Receivers and senders
are named when made, so a trace holds names, never identities, and the traces of stock
Django and of a fastsignals engine are equal exactly when their behaviour is.
The trace itself keeps no strong reference to a receiver or a sender: collecting them
is part of what is observed.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import os
import sys
import traceback
import types
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import django
from asgiref.sync import SyncToAsync

# The reference's own definitions: the traces do not lean on the engines' copies.
from django.dispatch.dispatcher import NO_RECEIVERS, NONE_ID
from django.dispatch.dispatcher import _make_id as make_id

#: Django 6.1 runs async receivers after the sync ones; 5.x and 6.0 run them together.
SYNC_BEFORE_ASYNC = django.VERSION >= (6, 1)

SENDER_KINDS = ("class", "instance", "unhashable", "no_weakref")
RECEIVER_KINDS = (
    "function",
    "method",
    "callable",
    "lambda",
    "partial",
    "slots_callable",
    "async_function",
    "async_method",
)


def name_of(obj: Any) -> Any:
    """The name a trace uses for a receiver, sender or response."""
    if hasattr(obj, "__self__") and hasattr(obj, "__func__"):
        func = obj.__func__
        return f"{name_of(obj.__self__)}.{getattr(func, '__name__', None) or name_of(func)}"
    name = _own_name(obj)
    if name is not None:
        return name
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (type, types.FunctionType)):
        # Not made by a trace: a model class, one of Django's own receivers.
        return f"{obj.__module__}.{obj.__qualname__}"
    return f"<unnamed {type(obj).__name__}>"


def _own_name(obj: Any) -> str | None:
    # An instance's name is its own, never its class's.
    if isinstance(obj, (SlotsCallable, SlotsSender)):
        return obj.trace_name
    try:
        return vars(obj).get("trace_name")  # type: ignore[no-any-return]
    except TypeError:
        return None


def normalise(value: Any) -> Any:
    """A JSON-like rendering of a send() result (or any return value)."""
    if isinstance(value, BaseException):
        return ["exception", type(value).__name__, str(value)]
    if isinstance(value, (list, tuple)):
        return [normalise(item) for item in value]
    if isinstance(value, dict):
        return {str(key): normalise(item) for key, item in sorted(value.items(), key=repr)}
    return name_of(value)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[list[Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        self.seen.append(
            [
                record.levelname,
                record.getMessage(),
                None if error is None else [type(error).__name__, str(error)],
            ]
        )


@contextmanager
def logged_records() -> Iterator[list[list[Any]]]:
    """The records logged on "django.dispatch" (send_robust's failures) while in the block."""
    handler = _Records()
    logger = logging.getLogger("django.dispatch")
    logger.addHandler(handler)
    try:
        yield handler.seen
    finally:
        logger.removeHandler(handler)


class Trace:
    """One run of a scenario on one implementation, and what it observed."""

    def __init__(self, signal_class: type, use_caching: bool = False) -> None:
        self.Signal = signal_class
        self.use_caching = use_caching
        self.steps: list[Any] = []
        self.calls: list[Any] = []
        # make_id -> name of every sender made, so receivers keys read as names.
        self._sender_ids: dict[Any, str] = {}
        # Every step also records the receivers of these signals, while they live.
        self._watched: list[weakref.ref[Any]] = []

    def signal(self, **kwargs: Any) -> Any:
        """A signal of the class under test, watched: each step records its receivers."""
        kwargs.setdefault("use_caching", self.use_caching)
        return self.watch(self.Signal(**kwargs))

    def watch(self, signal: Any) -> Any:
        self._watched.append(weakref.ref(signal))
        return signal

    # Receivers and senders.

    def receiver(
        self,
        name: str,
        kind: str = "function",
        *,
        raises: BaseException | None = None,
        action: Callable[..., Any] | None = None,
    ) -> Any:
        """A receiver of the given kind that logs its call, runs action, then raises or returns "<name> ok"."""
        response = f"{name} ok"
        is_async = kind.startswith("async")

        def hit(caller: Any, kwargs: dict[str, Any]) -> Any:
            # self.calls is the list of the step running now (do() starts a new one).
            self.calls.append(call_record(name, is_async, caller, kwargs))
            if action is not None:
                action(**kwargs)
            if raises is not None:
                # A fresh exception per call: a raised one accumulates traceback entries.
                raise type(raises)(*raises.args)
            return response

        async def ahit(kwargs: dict[str, Any]) -> Any:
            return hit(None, kwargs)

        return make_receiver(kind, name, hit, ahit)

    def sender(self, name: str, kind: str = "instance") -> Any:
        """A sender of one of SENDER_KINDS."""
        return self.adopt_sender(make_sender(name, kind))

    def adopt_sender(self, sender: Any) -> Any:
        """Name a sender the trace did not make (a model class) in receivers keys."""
        self._sender_ids[make_id(sender)] = name_of(sender)
        return sender

    # Observations.

    def do(self, label: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run one operation and record its result or exception, the calls and the logs."""
        self.calls = []
        result = None
        with logged_records() as records:
            try:
                result = func(*args, **kwargs)
            except (Exception, Interrupt) as err:
                outcome = ["raised", type(err).__name__, str(err), _traceback_functions(err)]
            else:
                outcome = ["returned", normalise(result)]
        self.steps.append(
            {
                "step": label,
                "outcome": outcome,
                "calls": self.calls,
                "logs": records,
                "receivers after": self._watched_receivers(),
            }
        )
        return result

    def _watched_receivers(self) -> list[Any]:
        signals = [reference() for reference in self._watched]
        return [
            [self._describe_entry(entry) for entry in list(signal.receivers)]
            for signal in signals
            if signal is not None
        ]

    def send(self, signal: Any, sender: Any, **named: Any) -> Any:
        return self.do(f"send({name_of(sender)})", signal.send, sender, **named)

    def send_robust(self, signal: Any, sender: Any, **named: Any) -> Any:
        return self.do(f"send_robust({name_of(sender)})", signal.send_robust, sender, **named)

    def asend(self, signal: Any, sender: Any, robust: bool = False, **named: Any) -> Any:
        method = signal.asend_robust if robust else signal.asend
        label = f"{method.__name__}({name_of(sender)})"
        result = self.do(label, lambda: asyncio.run(method(sender, **named)))
        # The sync receivers' thread may still be busy after an error ended the send.
        SyncToAsync.single_thread_executor.submit(int).result()
        # Sync receivers run in a thread, before the async ones on Django 6.1 and
        # concurrently with them before: only the order within each kind is defined.
        # Before 6.1, an async receiver's error can end the send before or after the
        # sync receivers ran, so which ran is not defined either.
        step = self.steps[-1]
        sync_calls: Any = [call[:2] for call in step["calls"] if not call[1]]
        if step["outcome"][0] == "raised" and not SYNC_BEFORE_ASYNC:
            sync_calls = "undefined"
        step["calls"] = {"sync": sync_calls, "async": [call[:2] for call in step["calls"] if call[1]]}
        return result

    def has_listeners(self, signal: Any, sender: Any = None) -> Any:
        return self.do(f"has_listeners({name_of(sender)})", signal.has_listeners, sender)

    def connect(self, signal: Any, receiver: Any, **kwargs: Any) -> Any:
        return self.do(f"connect({name_of(receiver)}, {_kwargs_label(kwargs)})", signal.connect, receiver, **kwargs)

    def disconnect(self, signal: Any, receiver: Any = None, **kwargs: Any) -> Any:
        label = f"disconnect({name_of(receiver)}, {_kwargs_label(kwargs)})"
        return self.do(label, signal.disconnect, receiver, **kwargs)

    def note(self, label: str, value: Any) -> None:
        self.steps.append({"note": label, "value": normalise(value)})

    def collect(self) -> None:
        """Collect garbage: weak receivers and senders nobody holds die now."""
        gc.collect()

    def look(self, signal: Any, label: str = "receivers") -> None:
        """Record the shape and content of signal.receivers and of the sender cache now."""
        self.steps.append(
            {
                "look": label,
                "receivers": [self._describe_entry(entry) for entry in list(signal.receivers)],
                "cache": self._describe_cache(signal),
            }
        )

    def _describe_entry(self, entry: tuple[Any, ...]) -> Any:
        lookup_key, receiver = entry[0], entry[1]
        if isinstance(receiver, weakref.WeakMethod):
            reference = "WeakMethod"
        elif isinstance(receiver, weakref.ReferenceType):
            reference = "weakref"
        else:
            reference = "strong"
        target = receiver() if reference != "strong" else receiver
        described: dict[str, Any] = {
            "len": len(entry),
            "reference": reference,
            "receiver": "dead" if target is None else name_of(target),
            "key": [self._describe_receiver_key(lookup_key[0], target), self._describe_sender_key(lookup_key[1])],
            "is_async": entry[-1],
        }
        if len(entry) == 4:
            sender_ref = entry[2]
            if sender_ref is None:
                described["sender_ref"] = None
            else:
                sender = sender_ref()
                described["sender_ref"] = "dead" if sender is None else name_of(sender)
        return described

    def _describe_receiver_key(self, key: Any, target: Any) -> Any:
        if target is not None and key == make_id(target):
            return "id(receiver)"
        if isinstance(key, (str, bytes)) or (isinstance(key, int) and abs(key) < 1 << 16):
            return ["dispatch_uid", key]
        return "an id"

    def _describe_sender_key(self, key: Any) -> Any:
        if key == NONE_ID:
            return "any sender"
        return self._sender_ids.get(key, "an unknown sender")

    def _describe_cache(self, signal: Any) -> Any:
        cache = signal.sender_receivers_cache
        described: list[Any] = [type(cache).__name__]
        for sender, entries in sorted(list(cache.items()), key=lambda item: repr(name_of(item[0]))):
            if entries is NO_RECEIVERS:
                described.append([name_of(sender), "NO_RECEIVERS"])
            else:
                described.append([name_of(sender), [_describe_cached(entry) for entry in entries]])
        return described


def call_record(name: str, is_async: bool, caller: Any, kwargs: dict[str, Any]) -> list[Any]:
    named = {key: normalise(value) for key, value in sorted(kwargs.items()) if key not in {"signal", "sender"}}
    record: list[Any] = [name, is_async, name_of(kwargs.get("sender")), named]
    if caller is not None:
        # The frames between the caller of send() and the receiver: Django has send only.
        record.append([caller.f_code.co_name, caller.f_back.f_code.co_name])
    return record


def _describe_cached(entry: Any) -> Any:
    receiver = entry[0]
    if isinstance(receiver, weakref.ReferenceType):
        target = receiver()
        return ["weak", "dead" if target is None else name_of(target), len(entry)]
    return ["strong", name_of(receiver), len(entry)]


def _kwargs_label(kwargs: dict[str, Any]) -> str:
    return ", ".join(f"{key}={name_of(value)!r}" for key, value in sorted(kwargs.items()))


def _traceback_functions(err: BaseException) -> list[str]:
    """The functions a receiver's error went through, from the signal's method on.

    Django's path is caller -> send -> receiver: that is kept whole. Through the
    async machinery (asyncio, asgiref) only the ends are kept, the method and the
    receiver's own frames, as the helpers between are each implementation's own;
    so are the frames of an error the signal raises itself, which keeps none.
    """
    frames = traceback.extract_tb(err.__traceback__)[1:]
    if not frames or frames[-1].name != "hit":
        return []
    names = [frame.name for frame in frames]
    if any(_is_async_machinery(frame.filename) for frame in frames):
        return [names[0], "...", *names[-2:]]
    return names


def _is_async_machinery(filename: str) -> bool:
    return f"{os.sep}asyncio{os.sep}" in filename or f"{os.sep}asgiref{os.sep}" in filename


class Interrupt(BaseException):
    """A BaseException that is not an Exception: send_robust() lets it propagate."""


class Named:
    """An ordinary object a trace can name."""

    trace_name: str


class Unhashable:
    """A weak-referenceable sender that cannot be a dict key."""

    trace_name: str
    __hash__ = None  # type: ignore[assignment]


class SlotsSender:
    """A hashable sender that refuses weak references."""

    __slots__ = ("trace_name",)

    def __init__(self, trace_name: str) -> None:
        self.trace_name = trace_name


class SlotsCallable:
    """A callable receiver that refuses weak references (connect it with weak=False)."""

    __slots__ = ("trace_name", "hit")

    def __init__(self, trace_name: str, hit: Callable[..., Any]) -> None:
        self.trace_name = trace_name
        self.hit = hit

    def __call__(self, **kwargs: Any) -> Any:
        return self.hit(sys._getframe(1), kwargs)


def make_sender(name: str, kind: str) -> Any:
    """A class, an instance, an unhashable or a non-weak-referenceable object, named name."""
    made: Any
    if kind == "class":
        made = type(name, (), {"trace_name": name})
    elif kind == "instance":
        made = Named()
        made.trace_name = name
    elif kind == "unhashable":
        made = Unhashable()
        made.trace_name = name
    elif kind == "no_weakref":
        made = SlotsSender(name)
    else:
        raise ValueError(kind)
    return made


def make_receiver(kind: str, name: str, hit: Callable[..., Any], ahit: Callable[..., Any]) -> Any:
    made: Any
    if kind == "function":

        def made(**kwargs: Any) -> Any:
            return hit(sys._getframe(1), kwargs)

    elif kind == "lambda":
        made = lambda **kwargs: hit(sys._getframe(1), kwargs)  # noqa: E731
    elif kind == "partial":

        def target(bound: str, **kwargs: Any) -> Any:
            return hit(sys._getframe(1), kwargs)

        made = functools.partial(target, "bound")
    elif kind in ("method", "async_method"):

        class Owner:
            def receive(self, **kwargs: Any) -> Any:
                return hit(sys._getframe(1), kwargs)

            async def areceive(self, **kwargs: Any) -> Any:
                return await ahit(kwargs)

        owner = Owner()
        owner.trace_name = name  # type: ignore[attr-defined]
        return owner.receive if kind == "method" else owner.areceive
    elif kind == "callable":

        class CallableReceiver:
            def __call__(self, **kwargs: Any) -> Any:
                return hit(sys._getframe(1), kwargs)

        made = CallableReceiver()
    elif kind == "slots_callable":
        return SlotsCallable(name, hit)
    elif kind == "async_function":

        async def made(**kwargs: Any) -> Any:
            return await ahit(kwargs)

    else:
        raise ValueError(kind)
    made.trace_name = name
    return made
