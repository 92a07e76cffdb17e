"""The public API of a signal: connect, disconnect, has_listeners, send, send_robust, receiver.

Every test runs on stock Django, the pure engine and the compiled one, and expects
the same outcome from all three.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
import types
import weakref
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest

django = pytest.importorskip("django")

#: Django 6.0 keeps a weak reference to each sender: receivers die with their sender.
SENDER_REFS = django.VERSION[:2] >= (6, 0)


def make_receivers(count: int) -> list[Any]:
    def make(number: int) -> Any:
        def receiver(**kwargs: Any) -> int:
            return number

        receiver.__qualname__ = f"receiver_{number}"
        return receiver

    return [make(number) for number in range(count)]


class Sender:
    """A weak-referenceable sender whose instances are distinct."""


class Handler:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def method(self, **kwargs: Any) -> str:
        self.calls.append(kwargs)
        return "method"

    def __call__(self, **kwargs: Any) -> str:
        self.calls.append(kwargs)
        return "call"


def test_public_names() -> None:
    import fastsignals
    from django.dispatch import Signal as DjangoSignal

    assert sorted(fastsignals.__all__) == [
        "IMPLEMENTATION",
        "Signal",
        "install",
        "is_installed",
        "receiver",
        "uninstall",
    ]
    assert fastsignals.IMPLEMENTATION in ("cython", "python")
    assert isinstance(fastsignals.Signal(), DjangoSignal)
    assert issubclass(fastsignals.Signal, DjangoSignal)


def test_isinstance_of_django_signal(impl: Any) -> None:
    from django.dispatch import Signal as DjangoSignal

    assert isinstance(impl.Signal(), DjangoSignal)
    assert isinstance(impl.Signal(use_caching=True), DjangoSignal)


def test_constructor_defaults(impl: Any) -> None:
    signal = impl.Signal()
    assert signal.use_caching is False
    assert signal.receivers == []
    assert type(signal.sender_receivers_cache) is dict
    cached = impl.Signal(use_caching=True)
    assert cached.use_caching is True
    assert type(cached.sender_receivers_cache) is weakref.WeakKeyDictionary


def test_send_without_receivers(impl: Any) -> None:
    signal = impl.Signal()
    assert signal.send(sender=None) == []
    assert signal.send_robust(sender=None) == []
    assert signal.has_listeners() is False


def test_send_returns_pairs_in_connection_order(impl: Any) -> None:
    signal = impl.Signal()
    receivers = make_receivers(5)
    for receiver in receivers:
        signal.connect(receiver)
    expected = [(receiver, number) for number, receiver in enumerate(receivers)]
    assert signal.send(sender=None) == expected
    assert signal.send_robust(sender=None) == expected
    assert signal.send(Sender()) == expected


def test_receivers_get_signal_sender_and_named_arguments(impl: Any) -> None:
    signal = impl.Signal()
    handler = Handler()
    signal.connect(handler.method)
    sender = Sender()
    signal.send(sender, a=1, b="two")
    signal.send_robust(sender=sender, a=3)
    assert handler.calls == [
        {"signal": signal, "sender": sender, "a": 1, "b": "two"},
        {"signal": signal, "sender": sender, "a": 3},
    ]


def test_many_named_arguments(impl: Any) -> None:
    signal = impl.Signal()
    seen = []

    def receiver(**kwargs: Any) -> int:
        seen.append(kwargs)
        return len(kwargs)

    signal.connect(receiver)
    named = {f"arg{number}": number for number in range(40)}
    assert signal.send(sender=None, **named) == [(receiver, 42)]
    assert signal.send_robust(sender=None, **named) == [(receiver, 42)]
    assert seen == [{"signal": signal, "sender": None, **named}] * 2


def test_named_arguments_that_change_between_sends(impl: Any) -> None:
    # The compiled engine reuses the latest send's keyword names while they repeat, in order.
    signal = impl.Signal()
    seen: list[list[str]] = []

    def receiver(**kwargs: Any) -> list[Any]:
        seen.append(list(kwargs))
        return list(kwargs.values())[2:]

    signal.connect(receiver)
    calls = [{"a": 1, "b": 2}, {"a": 1, "b": 2}, {"b": 2, "a": 1}, {"a": 1}, {"a": 1, "c": 3}, {}, {"a": 1, "b": 2}]
    for send in (signal.send, signal.send_robust):
        assert [send(sender=None, **named) for named in calls] == [[(receiver, list(named.values()))] for named in calls]
    assert seen == [["signal", "sender", *named] for named in calls] * 2


class Callable:
    def __call__(self, **kwargs: Any) -> str:
        return "callable object"


@pytest.mark.parametrize("use_caching", [True, False])
def test_receivers_of_every_kind_and_shape(impl: Any, use_caching: bool) -> None:
    # Functions, weakly or strongly held, bound methods (WeakMethod), callable objects and
    # async receivers, connected to the sender or to any, in one list; then cache entries
    # edited by hand into another shape, between entries of the usual one.
    from django.dispatch import Signal as DjangoSignal

    def run(signal_class: type) -> list[Any]:
        signal = signal_class(use_caching=use_caching)
        handlers = [Handler(), Handler()]
        functions = make_receivers(3)
        callable_object = Callable()

        async def async_receiver(**kwargs: Any) -> str:
            return "async"

        signal.connect(functions[0], sender=Sender)
        signal.connect(handlers[0].method)
        signal.connect(async_receiver, sender=Sender)
        signal.connect(functions[1], weak=False)
        signal.connect(callable_object, sender=Sender)
        signal.connect(handlers[1].method, sender=Sender, weak=False)
        signal.connect(functions[2], sender=Handler)
        seen: list[Any] = []
        for _ in range(3):
            for send in (signal.send, signal.send_robust):
                seen.append([(type(receiver).__name__, response) for receiver, response in send(Sender, x=1)])
            seen.append(signal.has_listeners(Sender))
        if use_caching:
            entries = signal.sender_receivers_cache[Sender]
            entries[1] = list(entries[1])
            seen.append([(type(receiver).__name__, response) for receiver, response in signal.send(Sender, x=1)])
        del handlers[0]
        gc.collect()
        seen.append([(type(receiver).__name__, response) for receiver, response in signal.send(Sender, x=1)])
        return seen

    assert run(impl.Signal) == run(DjangoSignal)


def test_sender_specific_and_any_sender_receivers_interleave(impl: Any) -> None:
    signal = impl.Signal()
    first, second = Sender(), Sender()
    r0, r1, r2, r3, r4 = make_receivers(5)
    signal.connect(r0)
    signal.connect(r1, sender=first)
    signal.connect(r2, sender=second)
    signal.connect(r3)
    signal.connect(r4, sender=first)
    assert [r for r, _ in signal.send(first)] == [r0, r1, r3, r4]
    assert [r for r, _ in signal.send(second)] == [r0, r2, r3]
    assert [r for r, _ in signal.send(None)] == [r0, r3]
    assert [r for r, _ in signal.send(Sender())] == [r0, r3]
    assert [r for r, _ in signal.send_robust(first)] == [r0, r1, r3, r4]


def test_sender_compared_by_identity(impl: Any) -> None:
    class Equal:
        def __eq__(self, other: object) -> bool:
            return True

        def __hash__(self) -> int:
            return 1

    signal = impl.Signal()
    (receiver,) = make_receivers(1)
    one, other = Equal(), Equal()
    signal.connect(receiver, sender=one)
    assert signal.send(one) == [(receiver, 0)]
    assert signal.send(other) == []
    assert signal.has_listeners(one) is True
    assert signal.has_listeners(other) is False


def test_has_listeners(impl: Any) -> None:
    signal = impl.Signal()
    sender = Sender()
    (receiver,) = make_receivers(1)
    assert signal.has_listeners() is False
    signal.connect(receiver, sender=sender)
    assert signal.has_listeners() is False
    assert signal.has_listeners(sender) is True
    assert signal.has_listeners(sender=sender) is True
    signal.disconnect(receiver, sender=sender)
    assert signal.has_listeners(sender) is False


@pytest.mark.parametrize("truths", [(True, True), (False, True), (False, False), (True, "raise"), (False, "raise"),
                                    (False, "not a bool"), (0, 2), (1, 0)])
def test_has_listeners_tests_what_live_receivers_returned(impl: Any, truths: tuple[Any, Any]) -> None:
    """A replaced _live_receivers (sentry-sdk's) may return any objects: has_listeners()
    asks each for its truth as Django does, in the same order, and answers a bool or
    raises as Django does. A bool is answered by __bool__, an int by __len__."""
    asked = []

    class Answer:
        def __init__(self, name: str, truth: Any) -> None:
            self.name, self.truth = name, truth

        def __bool__(self) -> Any:
            asked.append(self.name)
            if self.truth == "raise":
                raise LookupError(self.name)
            return self.truth

    class Sized:
        def __init__(self, name: str, size: int) -> None:
            self.name, self.size = name, size

        def __len__(self) -> int:
            asked.append(self.name)
            return self.size

    def answer(name: str, truth: Any) -> Any:
        return Sized(name, truth) if type(truth) is int else Answer(name, truth)

    signal = impl.Signal()
    signal._live_receivers = lambda sender: (answer("sync", truths[0]), answer("async", truths[1]))
    if not truths[0] and truths[1] == "raise":
        with pytest.raises(LookupError, match="async"):
            signal.has_listeners()
    elif not truths[0] and truths[1] == "not a bool":
        with pytest.raises(TypeError, match="__bool__ should return bool, returned str"):
            signal.has_listeners()
    else:
        assert signal.has_listeners() is bool(truths[0] or truths[1])
    assert asked == (["sync"] if truths[0] else ["sync", "async"])


def test_duplicate_connect_is_ignored(impl: Any) -> None:
    signal = impl.Signal()
    (receiver,) = make_receivers(1)
    signal.connect(receiver)
    signal.connect(receiver)
    signal.connect(receiver, weak=False)
    assert len(signal.receivers) == 1
    assert signal.send(None) == [(receiver, 0)]


def test_same_receiver_for_two_senders(impl: Any) -> None:
    signal = impl.Signal()
    first, second = Sender(), Sender()
    (receiver,) = make_receivers(1)
    signal.connect(receiver, sender=first)
    signal.connect(receiver, sender=second)
    signal.connect(receiver)
    assert len(signal.receivers) == 3
    assert signal.send(first) == [(receiver, 0), (receiver, 0)]
    assert signal.disconnect(receiver, sender=first) is True
    assert signal.send(first) == [(receiver, 0)]
    assert signal.send(second) == [(receiver, 0), (receiver, 0)]


def test_dispatch_uid_is_the_key(impl: Any) -> None:
    signal = impl.Signal()
    r0, r1 = make_receivers(2)
    signal.connect(r0, dispatch_uid="uid")
    signal.connect(r1, dispatch_uid="uid")
    assert signal.send(None) == [(r0, 0)]
    # The same function under another uid is another receiver.
    signal.connect(r0, dispatch_uid="other")
    assert signal.send(None) == [(r0, 0), (r0, 0)]
    # A uid key does not match the receiver's own key.
    signal.connect(r0)
    assert signal.send(None) == [(r0, 0), (r0, 0), (r0, 0)]
    assert signal.disconnect(dispatch_uid="uid") is True
    assert signal.disconnect(dispatch_uid="uid") is False
    assert signal.send(None) == [(r0, 0), (r0, 0)]


def test_dispatch_uid_with_sender(impl: Any) -> None:
    signal = impl.Signal()
    sender = Sender()
    r0, r1 = make_receivers(2)
    signal.connect(r0, sender=sender, dispatch_uid="uid")
    signal.connect(r1, dispatch_uid="uid")
    assert signal.send(sender) == [(r0, 0), (r1, 1)]
    assert signal.disconnect(dispatch_uid="uid") is True
    assert signal.send(sender) == [(r0, 0)]
    assert signal.disconnect(dispatch_uid="uid", sender=sender) is True
    assert signal.receivers == []


def test_hashable_non_string_dispatch_uid(impl: Any) -> None:
    signal = impl.Signal()
    r0, r1 = make_receivers(2)
    signal.connect(r0, dispatch_uid=("app", 1))
    signal.connect(r1, dispatch_uid=("app", 1))
    assert signal.send(None) == [(r0, 0)]
    assert signal.disconnect(dispatch_uid=("app", 1)) is True


@pytest.mark.parametrize("falsy", ["", 0, None, False])
def test_falsy_dispatch_uid_is_absent(impl: Any, falsy: Any) -> None:
    signal = impl.Signal()
    r0, r1 = make_receivers(2)
    signal.connect(r0, dispatch_uid=falsy)
    signal.connect(r1, dispatch_uid=falsy)
    assert signal.send(None) == [(r0, 0), (r1, 1)]
    assert signal.disconnect(dispatch_uid=falsy) is False
    assert signal.disconnect(r0, dispatch_uid=falsy) is True
    assert signal.send(None) == [(r1, 1)]


def test_disconnect_reports_removal(impl: Any) -> None:
    signal = impl.Signal()
    sender = Sender()
    r0, r1 = make_receivers(2)
    assert signal.disconnect(r0) is False
    signal.connect(r0)
    signal.connect(r1, sender=sender)
    assert signal.disconnect(r1) is False
    assert signal.disconnect(r0, sender=sender) is False
    assert signal.disconnect(r1, sender=sender) is True
    assert signal.disconnect(r0) is True
    assert signal.disconnect(r0) is False
    assert signal.receivers == []
    assert signal.send(sender) == []


def test_disconnect_without_arguments(impl: Any) -> None:
    signal = impl.Signal()
    (receiver,) = make_receivers(1)
    signal.connect(receiver)
    assert signal.disconnect() is False
    assert signal.send(None) == [(receiver, 0)]


def test_reconnect_after_disconnect_goes_last(impl: Any) -> None:
    signal = impl.Signal()
    r0, r1, r2 = make_receivers(3)
    for receiver in (r0, r1, r2):
        signal.connect(receiver)
    signal.disconnect(r0)
    signal.connect(r0)
    assert [r for r, _ in signal.send(None)] == [r1, r2, r0]


def test_receiver_decorator(impl: Any) -> None:
    signal = impl.Signal()
    sender = Sender()

    @impl.receiver(signal)
    def anything(**kwargs: Any) -> str:
        return "any"

    @impl.receiver(signal, sender=sender, dispatch_uid="specific")
    def specific(**kwargs: Any) -> str:
        return "specific"

    assert anything.__name__ == "anything"
    assert signal.send(sender) == [(anything, "any"), (specific, "specific")]
    assert signal.disconnect(dispatch_uid="specific", sender=sender) is True


@pytest.mark.parametrize("container", [list, tuple])
def test_receiver_decorator_with_several_signals(impl: Any, container: Any) -> None:
    first, second = impl.Signal(), impl.Signal()

    @impl.receiver(container([first, second]), weak=False)
    def both(**kwargs: Any) -> str:
        return "both"

    assert first.send(None) == [(both, "both")]
    assert second.send(None) == [(both, "both")]
    assert all(item[1] is both for item in first.receivers + second.receivers)


def test_weak_function_dropped_when_collected(impl: Any) -> None:
    signal = impl.Signal()
    (receiver,) = make_receivers(1)
    signal.connect(receiver)
    assert signal.has_listeners() is True
    del receiver
    gc.collect()
    assert signal.send(None) == []
    assert signal.send_robust(None) == []
    assert signal.has_listeners() is False
    assert signal.receivers == []


def test_weak_bound_method_dropped_with_its_object(impl: Any) -> None:
    signal = impl.Signal()
    handler = Handler()
    signal.connect(handler.method)
    assert signal.send(None, x=1) == [(handler.method, "method")]
    del handler
    gc.collect()
    assert signal.send(None) == []
    assert signal.receivers == []


def test_weak_callable_object_dropped_when_collected(impl: Any) -> None:
    signal = impl.Signal()
    handler = Handler()
    signal.connect(handler)
    assert signal.send(None) == [(handler, "call")]
    del handler
    gc.collect()
    assert signal.send(None) == []
    assert signal.receivers == []


def test_bound_methods_of_two_objects_are_two_receivers(impl: Any) -> None:
    signal = impl.Signal()
    one, other = Handler(), Handler()
    signal.connect(one.method)
    signal.connect(other.method)
    signal.connect(one.method)
    assert signal.send(None) == [(one.method, "method"), (other.method, "method")]
    del one
    gc.collect()
    assert signal.send(None) == [(other.method, "method")]


def test_strong_receivers_are_kept(impl: Any) -> None:
    signal = impl.Signal()
    (function,) = make_receivers(1)
    handler = Handler()
    signal.connect(function, weak=False)
    signal.connect(handler.method, weak=False)
    signal.connect(Handler(), weak=False)
    del function, handler
    gc.collect()
    responses = signal.send(None)
    assert [response for _, response in responses] == [0, "method", "call"]
    assert len(signal.receivers) == 3


def test_disconnect_weak_receiver(impl: Any) -> None:
    signal = impl.Signal()
    handler = Handler()
    signal.connect(handler.method)
    assert signal.disconnect(handler.method) is True
    assert signal.send(None) == []


def test_dead_receiver_does_not_block_a_new_one(impl: Any) -> None:
    signal = impl.Signal()
    r0, r1 = make_receivers(2)
    signal.connect(r0)
    signal.connect(r1)
    del r0
    gc.collect()
    (r2,) = make_receivers(1)
    signal.connect(r2)
    assert [r for r, _ in signal.send(None)] == [r1, r2]
    assert len(signal.receivers) == 2


def reuse_id(dead_id: int, make: Any, required: bool = True) -> Any:
    """An object from make() at the address of a collected object, as CPython reuses memory.

    The allocator may have given that address to another object meanwhile; unless
    ``required``, a fresh object then stands in (6.x must drop the receiver either way).
    """
    kept = []
    for _ in range(10_000):
        candidate = make()
        if id(candidate) == dead_id:
            return candidate
        kept.append(candidate)
    if required:
        raise AssertionError("no object reused the collected sender's id")
    return make()


def test_receiver_tied_to_a_collected_sender(impl: Any) -> None:
    signal = impl.Signal()
    (receiver,) = make_receivers(1)
    sender = Sender()
    signal.connect(receiver, sender=sender)
    assert signal.send(sender) == [(receiver, 0)]
    dead_id = id(sender)
    del sender
    gc.collect()
    successor = reuse_id(dead_id, Sender, required=not SENDER_REFS)
    # Django 6.0 drops a receiver with its sender; 5.2 hands it to the id's next owner.
    if SENDER_REFS:
        assert signal.send(successor) == []
        assert signal.has_listeners(successor) is False
        assert signal.receivers == []
    else:
        assert signal.send(successor) == [(receiver, 0)]
        assert signal.has_listeners(successor) is True
        assert len(signal.receivers) == 1


def test_strong_receiver_tied_to_a_collected_sender(impl: Any) -> None:
    signal = impl.Signal()
    (receiver,) = make_receivers(1)
    sender = Sender()
    signal.connect(receiver, sender=sender, weak=False)
    del sender
    gc.collect()
    signal.has_listeners()
    assert len(signal.receivers) == (0 if SENDER_REFS else 1)


def test_sender_that_refuses_weak_references(impl: Any) -> None:
    signal = impl.Signal()
    (receiver,) = make_receivers(1)
    sender = ("a", "tuple")
    signal.connect(receiver, sender=sender)
    assert signal.send(sender) == [(receiver, 0)]
    assert signal.send_robust(sender) == [(receiver, 0)]
    assert signal.has_listeners(sender) is True
    if SENDER_REFS:
        assert signal.receivers[0][2] is None


def test_send_propagates_and_stops(impl: Any) -> None:
    signal = impl.Signal()
    calls = []

    def first(**kwargs: Any) -> None:
        calls.append("first")

    def failing(**kwargs: Any) -> None:
        calls.append("failing")
        raise ValueError("boom")

    def last(**kwargs: Any) -> None:
        calls.append("last")

    for receiver in (first, failing, last):
        signal.connect(receiver)
    with pytest.raises(ValueError, match="^boom$"):
        signal.send(None)
    assert calls == ["first", "failing"]


def test_send_robust_returns_errors(impl: Any) -> None:
    signal = impl.Signal()
    error = ValueError("boom")

    def failing(**kwargs: Any) -> None:
        raise error

    r0, r1 = make_receivers(2)
    signal.connect(r0)
    signal.connect(failing)
    signal.connect(r1)
    assert signal.send_robust(None) == [(r0, 0), (failing, error), (r1, 1)]


def test_send_robust_logs_each_failure(impl: Any, caplog: pytest.LogCaptureFixture) -> None:
    signal = impl.Signal()

    class Failing:
        def method(self, **kwargs: Any) -> None:
            raise KeyError("key")

    def failing(**kwargs: Any) -> None:
        raise ValueError("boom")

    handler = Failing()
    signal.connect(failing)
    signal.connect(handler.method)
    with caplog.at_level(logging.ERROR, logger="django.dispatch"):
        responses = signal.send_robust(None)
    errors = [response for _, response in responses]
    records = [record for record in caplog.records if record.name == "django.dispatch"]
    assert [(record.levelno, record.getMessage()) for record in records] == [
        (
            logging.ERROR,
            f"Error calling {failing.__qualname__} in Signal.send_robust() (boom)",
        ),
        (
            logging.ERROR,
            f"Error calling {Failing.method.__qualname__} in Signal.send_robust() ('key')",
        ),
    ]
    assert [record.msg for record in records] == ["Error calling %s in Signal.send_robust() (%s)"] * 2
    assert [record.args for record in records] == [
        (failing.__qualname__, errors[0]),
        (Failing.method.__qualname__, errors[1]),
    ]
    assert [record.exc_info for record in records] == [
        (type(error), error, error.__traceback__) for error in errors
    ]


def test_send_robust_failure_of_a_receiver_without_qualname(impl: Any) -> None:
    # Logging the failure reads receiver.__qualname__: a partial has none.
    signal = impl.Signal()
    signal.connect(functools.partial(int, "x"), weak=False)
    with pytest.raises(AttributeError, match="__qualname__"):
        signal.send_robust(None)


def test_send_robust_lets_base_exceptions_through(impl: Any) -> None:
    class Stop(BaseException):
        pass

    signal = impl.Signal()
    calls = []

    def stopping(**kwargs: Any) -> None:
        calls.append("stopping")
        raise Stop

    def last(**kwargs: Any) -> None:
        calls.append("last")

    signal.connect(stopping)
    signal.connect(last)
    with pytest.raises(Stop):
        signal.send_robust(None)
    assert calls == ["stopping"]


def test_receiver_without_kwargs_fails_at_send(impl: Any) -> None:
    signal = impl.Signal()

    def strict(sender: Any) -> None:
        raise AssertionError("not called")

    signal.connect(strict)
    message = f"{strict.__qualname__}() got an unexpected keyword argument 'signal'"
    with pytest.raises(TypeError) as raised:
        signal.send(None)
    assert str(raised.value) == message
    ((receiver, error),) = signal.send_robust(None)
    assert receiver is strict
    assert type(error) is TypeError
    assert str(error) == message


def test_named_argument_clashing_with_signal(impl: Any) -> None:
    signal = impl.Signal()
    (receiver,) = make_receivers(1)
    signal.connect(receiver)
    # Python words this error itself (with the module name): a call like Django's gives the text.
    with pytest.raises(TypeError) as direct:
        receiver(signal=signal, sender=None, **{"signal": "clash"})
    message = str(direct.value)
    assert message.endswith("() got multiple values for keyword argument 'signal'")
    with pytest.raises(TypeError) as raised:
        signal.send(None, signal="clash")
    assert str(raised.value) == message
    ((_, error),) = signal.send_robust(None, signal="clash")
    assert str(error) == message


def test_debug_rejects_non_callable(impl: Any, debug_settings: None) -> None:
    signal = impl.Signal()
    with pytest.raises(TypeError) as raised:
        signal.connect(object())
    assert str(raised.value) == "Signal receivers must be callable."
    assert signal.receivers == []


def test_debug_rejects_receiver_without_kwargs(impl: Any, debug_settings: None) -> None:
    signal = impl.Signal()

    def strict(sender: Any, signal: Any) -> None:
        raise AssertionError("not called")

    with pytest.raises(ValueError) as raised:
        signal.connect(strict)
    assert str(raised.value) == "Signal receivers must accept keyword arguments (**kwargs)."
    assert signal.receivers == []


def test_debug_accepts_kwargs_receivers(impl: Any, debug_settings: None) -> None:
    signal = impl.Signal()
    handler = Handler()
    signal.connect(handler.method)
    signal.connect(handler)
    assert [response for _, response in signal.send(None)] == ["method", "call"]


def test_without_debug_nothing_is_checked(impl: Any) -> None:
    signal = impl.Signal()

    def strict(sender: Any) -> None:
        raise AssertionError("not called")

    signal.connect(strict)
    assert len(signal.receivers) == 1


@contextlib.contextmanager
def _wrapped_debug_behind_the_cache() -> Iterator[None]:
    # DEBUG changed on the wrapped settings, not through the proxy: Django's connect()
    # keeps reading the value the proxy cached.
    from django.conf import settings

    settings._wrapped.DEBUG = True
    try:
        yield
    finally:
        settings._wrapped.DEBUG = False


def _debug_ways() -> dict[str, tuple[Any, bool]]:
    from django import conf
    from django.test.utils import override_settings

    return {
        "override_settings": (lambda: override_settings(DEBUG=True), True),
        "truthy_non_bool": (lambda: override_settings(DEBUG=1), True),
        "falsy_non_bool": (lambda: override_settings(DEBUG=""), False),
        "setattr_on_settings": (lambda: mock.patch.object(conf.settings, "DEBUG", True), True),
        "settings_replaced": (
            lambda: mock.patch.object(conf, "settings", types.SimpleNamespace(configured=True, DEBUG=True)), True
        ),
        "unconfigured_replacement": (
            lambda: mock.patch.object(conf, "settings", types.SimpleNamespace(configured=False, DEBUG=True)), False
        ),
        "wrapped_behind_the_cache": (_wrapped_debug_behind_the_cache, False),
    }


@pytest.mark.parametrize("way", list(_debug_ways()))
def test_debug_checks_follow_settings_however_changed(impl: Any, way: str) -> None:
    """Django's connect() imports settings and reads configured and DEBUG at each call."""
    signal = impl.Signal()
    receiver = make_receivers(1)[0]
    signal.connect(receiver)  # DEBUG read once before: the proxy has cached it

    def strict(sender: Any) -> None:
        raise AssertionError("not called")

    change, checked = _debug_ways()[way]
    with change():
        if checked:
            with pytest.raises(ValueError) as raised:
                signal.connect(strict)
            assert str(raised.value) == "Signal receivers must accept keyword arguments (**kwargs)."
        else:
            signal.connect(strict)
    signal.connect(strict, dispatch_uid="after")
    assert len(signal.receivers) == (2 if checked else 3)


class _CountingFalsy:
    """A falsy value that counts how often its truth is tested."""

    def __init__(self) -> None:
        self.tests = 0

    def __bool__(self) -> bool:
        self.tests += 1
        return False


def test_debug_checks_read_settings_as_django_does(impl: Any) -> None:
    """A DEBUG property on the settings class, a replaced django.conf module, a traced
    import and a falsy ``configured``: each reaches the same code, as often, as on Django."""
    import builtins
    import sys

    from django import conf

    def strict(sender: Any) -> None:
        raise AssertionError("not called")

    impl.Signal().connect(make_receivers(1)[0])  # DEBUG cached by the proxy
    with mock.patch.object(
        type(conf.settings), "DEBUG", new_callable=mock.PropertyMock, return_value=True, create=True
    ) as debug_property, pytest.raises(ValueError):
        impl.Signal().connect(strict)
    assert debug_property.call_count == 1

    replaced = types.ModuleType("django.conf")
    replaced.settings = types.SimpleNamespace(configured=True, DEBUG=True)  # type: ignore[attr-defined]
    with mock.patch.dict(sys.modules, {"django.conf": replaced}), pytest.raises(ValueError):
        impl.Signal().connect(strict)

    imported: list[str] = []
    real_import = builtins.__import__

    def tracing_import(name: str, *args: Any, **kwargs: Any) -> Any:
        imported.append(name)
        return real_import(name, *args, **kwargs)

    with mock.patch.object(builtins, "__import__", tracing_import):
        impl.Signal().connect(make_receivers(1)[0])
    assert "django.conf" in imported

    configured = _CountingFalsy()
    with mock.patch.object(conf, "settings", types.SimpleNamespace(configured=configured, DEBUG=True)):
        impl.Signal().connect(strict)
    assert configured.tests == 1


def test_debug_checks_without_settings_in_django_conf(impl: Any) -> None:
    from django import conf

    with mock.patch.object(conf, "settings"):
        del conf.settings
        with pytest.raises(ImportError) as raised:
            impl.Signal().connect(make_receivers(1)[0])
    assert str(raised.value).startswith("cannot import name 'settings' from 'django.conf'")


def test_positional_use_caching(impl: Any) -> None:
    assert impl.Signal(True).use_caching is True


def test_unhashable_dispatch_uid(impl: Any) -> None:
    # Django finds a key by equality in a scan, so an unhashable uid works.
    signal = impl.Signal()
    r0, r1 = make_receivers(2)
    signal.connect(r0, dispatch_uid=["app", "uid"])
    signal.connect(r1, dispatch_uid=["app", "uid"])
    assert signal.send(None) == [(r0, 0)]
    assert signal.disconnect(dispatch_uid=["app", "uid"]) is True
    assert signal.receivers == []


def test_dispatch_uid_equal_across_types(impl: Any) -> None:
    signal = impl.Signal()
    r0, r1, r2 = make_receivers(3)
    signal.connect(r0, dispatch_uid=1)
    signal.connect(r1, dispatch_uid=True)
    signal.connect(r2, dispatch_uid=1.0)
    assert signal.send(None) == [(r0, 0)]
    assert signal.disconnect(dispatch_uid=True) is True


def test_dispatch_uid_equal_but_hashed_apart(impl: Any) -> None:
    # A uid breaking the hash contract: Django's scan still sees the two as one key.
    class Uid:
        def __eq__(self, other: object) -> bool:
            return isinstance(other, Uid)

        __hash__ = object.__hash__

    signal = impl.Signal()
    r0, r1 = make_receivers(2)
    signal.connect(r0, dispatch_uid=Uid())
    signal.connect(r1, dispatch_uid=Uid())
    assert signal.send(None) == [(r0, 0)]
    assert signal.disconnect(dispatch_uid=Uid()) is True
    assert signal.receivers == []


def test_receiver_that_refuses_weak_references(impl: Any) -> None:
    class Slotted:
        __slots__ = ()

        def method(self, **kwargs: Any) -> str:
            return "slotted"

        def __call__(self, **kwargs: Any) -> str:
            return "called"

    signal = impl.Signal()
    for receiver in (Slotted(), Slotted().method):
        with pytest.raises(TypeError) as raised:
            signal.connect(receiver)
        assert str(raised.value) == "cannot create weak reference to 'Slotted' object"
    assert signal.receivers == []
    slotted = Slotted()
    signal.connect(slotted.method, weak=False)
    assert signal.send(None) == [(slotted.method, "slotted")]


def test_temporary_weak_receiver_is_gone_at_once(impl: Any) -> None:
    signal = impl.Signal()
    signal.connect(functools.partial(make_receivers(1)[0]))
    gc.collect()
    assert signal.send(None) == []
    assert signal.has_listeners() is False


def test_class_and_static_method_receivers(impl: Any) -> None:
    class Owner:
        @classmethod
        def on_class(cls, **kwargs: Any) -> str:
            return cls.__name__

        @staticmethod
        def on_static(**kwargs: Any) -> str:
            return "static"

    signal = impl.Signal()
    signal.connect(Owner.on_class)
    signal.connect(Owner.on_static)
    signal.connect(Owner.on_class)
    assert signal.send(None) == [(Owner.on_class, "Owner"), (Owner.on_static, "static")]
    assert signal.disconnect(Owner.on_class) is True


def test_receivers_resolved_before_any_is_called(impl: Any) -> None:
    signal = impl.Signal()
    late = make_receivers(3)

    def connecting(**kwargs: Any) -> str:
        signal.connect(late[0])
        signal.disconnect(late[1])
        return "connecting"

    signal.connect(connecting)
    signal.connect(late[1])
    assert signal.send(None) == [(connecting, "connecting"), (late[1], 1)]
    assert signal.send(None) == [(connecting, "connecting"), (late[0], 0)]


def test_receiver_sending_the_same_signal(impl: Any) -> None:
    signal = impl.Signal()
    depths = []

    def recursive(depth: int = 0, **kwargs: Any) -> int:
        depths.append(depth)
        if depth < 3:
            signal.send(None, depth=depth + 1)
        return depth

    signal.connect(recursive)
    assert signal.send(None, depth=0) == [(recursive, 0)]
    assert depths == [0, 1, 2, 3]


def test_live_receivers_result_is_a_copy(impl: Any) -> None:
    signal = impl.Signal(use_caching=True)
    sender = Sender()
    (receiver,) = make_receivers(1)
    signal.connect(receiver)
    sync_receivers, async_receivers = signal._live_receivers(sender)
    sync_receivers.clear()
    async_receivers.append(receiver)
    assert signal.send(sender) == [(receiver, 0)]
    assert signal._live_receivers(sender) == ([receiver], [])


def _outcome_of(call: Any) -> tuple[Any, ...]:
    try:
        result = call()
    except TypeError as err:
        return ("raised", type(err).__name__, str(err))
    return ("returned", result)


# send(...) as code writes it: sender by position or by keyword, named arguments in any
# order, and the calls Python itself refuses. Each gives a receiver of **kwargs the
# same keywords, in the same order, or raises the same error, on every implementation.
SEND_CALLS = {
    "positional": lambda send, sender: send(sender, a=1, b=2),
    "no named": lambda send, sender: send(sender),
    "keyword sender": lambda send, sender: send(sender=sender, a=1),
    "keyword sender between": lambda send, sender: send(a=1, sender=sender, b=2),
    "keyword sender last": lambda send, sender: send(a=1, b=2, sender=sender),
    "unpacked": lambda send, sender: send(*(sender,), **{"b": 2, "a": 1}),
    "missing sender": lambda send, sender: send(a=1),
    "sender twice": lambda send, sender: send(sender, sender=sender),
    "extra positional": lambda send, sender: send(sender, 1),
    "self by keyword": lambda send, sender: send(sender, self=1),
    "signal by keyword": lambda send, sender: send(sender, signal=1),
}


@pytest.mark.parametrize("method", ["send", "send_robust"])
@pytest.mark.parametrize("connected", ["for the sender", "for another sender", "none"])
@pytest.mark.parametrize("call", list(SEND_CALLS))
def test_send_binds_its_arguments_as_django_does(impl: Any, call: str, connected: str, method: str) -> None:
    from django.dispatch import Signal as DjangoSignal

    def run(signal_class: type) -> tuple[Any, ...]:
        signal = signal_class(use_caching=True)
        sender, other = Sender(), Sender()
        seen: list[list[tuple[str, Any]]] = []

        def receiver(**kwargs: Any) -> str:
            names = {id(signal): "the signal", id(sender): "the sender"}
            seen.append([(name, names.get(id(value), value)) for name, value in kwargs.items()])
            return "done"

        if connected != "none":
            signal.connect(receiver, sender=sender if connected == "for the sender" else other, weak=False)
        outcome = _outcome_of(lambda: SEND_CALLS[call](getattr(signal, method), sender))
        responses = outcome[1] if outcome[0] == "returned" else []
        shown = [(response if isinstance(response, str) else repr(response)) for _, response in responses]
        return outcome[0], outcome[2:], shown, seen

    assert run(impl.Signal) == run(DjangoSignal)


@pytest.mark.parametrize("method", ["send", "send_robust"])
def test_send_methods_look_like_djangos(impl: Any, method: str) -> None:
    import inspect

    from django.dispatch import Signal as DjangoSignal

    def looks(signal_class: type) -> tuple[Any, ...]:
        function = getattr(signal_class, method)
        bound = getattr(signal_class(), method)
        return (
            # Names and kinds only: ours are annotated, Django's are not.
            [(p.name, p.kind) for p in inspect.signature(function).parameters.values()],
            [(p.name, p.kind) for p in inspect.signature(bound).parameters.values()],
            inspect.isfunction(function),
            inspect.ismethod(bound),
            function.__name__,
            function.__qualname__,
            bound.__func__ is function,
            function.__get__(None, signal_class) is function,
        )

    assert looks(impl.Signal) == looks(DjangoSignal)


@pytest.mark.parametrize(
    "method", ["send", "send_robust", "connect", "disconnect", "has_listeners", "asend", "asend_robust"]
)
def test_method_code_and_pickling_as_djangos(impl: Any, method: str) -> None:
    # Profilers and tracebacks read the code's names; pickle finds a method by
    # reference, through its module and qualified name.
    import pickle

    function = getattr(impl.Signal, method)
    assert (function.__code__.co_name, function.__code__.co_qualname) == (method, f"Signal.{method}")
    assert pickle.loads(pickle.dumps(function)) is function


def test_dead_receiver_flag_method_signature(impl: Any) -> None:
    import inspect

    from django.dispatch import Signal as DjangoSignal

    from fastsignals._semantics import FLAG_DEAD_RECEIVERS

    def looks(signal_class: type) -> tuple[Any, ...]:
        method = getattr(signal_class, FLAG_DEAD_RECEIVERS)
        (name,) = [p.name for p in inspect.signature(method).parameters.values()][1:]
        signal = signal_class()
        getattr(signal, FLAG_DEAD_RECEIVERS)(**{name: None})
        return name, method.__code__.co_name, signal._dead_receivers

    assert looks(impl.Signal) == looks(DjangoSignal)


@pytest.mark.parametrize("method", ["send", "send_robust", "has_listeners", "connect", "disconnect"])
def test_method_called_on_something_not_a_signal(impl: Any, method: str) -> None:
    from django.dispatch import Signal as DjangoSignal

    def error(signal_class: type) -> str:
        with pytest.raises(AttributeError) as raised:
            getattr(signal_class, method)(object(), make_receivers(1)[0])
        return str(raised.value)

    assert error(impl.Signal) == error(DjangoSignal)


@pytest.mark.parametrize("method", ["send", "send_robust"])
def test_send_called_through_the_class_and_a_subclass(impl: Any, method: str) -> None:
    class Custom(impl.Signal):  # type: ignore[misc, name-defined]
        def send(self, sender: Any, **named: Any) -> Any:
            return ["custom", *super().send(sender, **named)]

        def send_robust(self, sender: Any, **named: Any) -> Any:
            return ["custom", *super().send_robust(sender, **named)]

    (receiver,) = make_receivers(1)
    for signal in (impl.Signal(), Custom()):
        signal.connect(receiver)
        unbound = getattr(impl.Signal, method)(signal, None, extra=1)
        assert unbound == [(receiver, 0)]
        assert getattr(signal, method)(None)[-1] == (receiver, 0)
    with pytest.raises(TypeError, match=r"^Signal\.send(_robust)?\(\) missing 2 required positional arguments"):
        getattr(impl.Signal, method)()


def test_another_signals_send_as_a_receiver(impl: Any) -> None:
    import copy

    first, second = impl.Signal(), impl.Signal()
    first.connect(second.send)  # weak: a WeakMethod of the bound method
    assert first.send(None, a=1) == [(second.send, [])]
    assert copy.copy(impl.Signal.send) is impl.Signal.send
    assert copy.deepcopy({"method": impl.Signal.send_robust})["method"] is impl.Signal.send_robust


# Signal subclasses that Django serves without ever hashing the signal, running its
# attribute hooks for a name of ours, or keeping anything that copy cannot copy.


class Unhashable:
    """Mixed into a Signal subclass: instances equal by identity and unhashable."""

    def __eq__(self, other: object) -> bool:
        return self is other

    __hash__ = None  # type: ignore[assignment]


class OptionsFallback:
    """Mixed in: unknown attributes come from an options dict, a KeyError if absent."""

    def __getattr__(self, name: str) -> Any:
        return self.__dict__.setdefault("options", {})[name]


class SetterLog:
    """Mixed in: records each attribute name set on the signal."""

    def __setattr__(self, name: str, value: Any) -> None:
        type(self).names_set.append(name)
        object.__setattr__(self, name, value)


def _many_receivers_workout(signal: Any) -> list[Any]:
    # More receivers than SCAN_LIMIT, so both engines' connect() and disconnect() index.
    from fastsignals import _semantics

    receivers = make_receivers(_semantics.SCAN_LIMIT + 2)
    seen: list[Any] = []
    for number, receiver in enumerate(receivers):
        signal.connect(receiver, sender=Sender if number % 2 else None)
    for _ in range(3):
        seen.append([value for _, value in signal.send(Sender)])
        seen.append(signal.has_listeners(Sender))
        seen.append([value for _, value in signal.send_robust(Handler)])
    seen.append(signal.disconnect(receivers[3], sender=Sender))
    seen.append([value for _, value in signal.send(Sender)])
    seen.append(signal.has_listeners(Handler))
    return seen


@pytest.mark.parametrize("caching", [True, False])
@pytest.mark.parametrize("mixin", [Unhashable, OptionsFallback, SetterLog])
def test_signal_subclasses_with_their_own_hash_and_attribute_hooks(impl: Any, mixin: type, caching: bool) -> None:
    from django.dispatch import Signal as DjangoSignal

    def run(signal_class: type) -> tuple[list[Any], list[str]]:
        class Custom(mixin, signal_class):  # type: ignore[misc, valid-type]
            names_set: list[str] = []

        result = _many_receivers_workout(Custom(use_caching=caching))
        return result, Custom.names_set

    assert run(impl.Signal) == run(DjangoSignal)


def test_signal_subclass_whose_getattribute_switches_caching_off(impl: Any) -> None:
    from django.dispatch import Signal as DjangoSignal

    def run(signal_class: type) -> list[Any]:
        class Switchable(signal_class):  # type: ignore[misc, valid-type]
            caching_off = False

            def __getattribute__(self, name: str) -> Any:
                if name == "use_caching" and type(self).caching_off:
                    return False
                return super().__getattribute__(name)

        signal = Switchable(use_caching=True)
        receiver = make_receivers(1)[0]
        signal.connect(receiver, sender=Sender)
        seen = [signal.has_listeners(Sender), len(signal.send(Sender))]
        signal.receivers.clear()  # by hand: the cache still lists the receiver
        Switchable.caching_off = True
        return [*seen, signal.has_listeners(Sender), len(signal.send(Sender)), signal.has_listeners(Sender)]

    assert run(impl.Signal) == run(DjangoSignal)


def picklable_receiver(**kwargs: Any) -> str:
    return "ok"


def test_deepcopy_and_pickle_of_a_signal_that_allows_them(impl: Any) -> None:
    import copy
    import pickle
    import threading

    from django.dispatch import Signal as DjangoSignal

    def run(signal_class: type) -> list[Any]:
        def __getstate__(self: Any) -> dict[str, Any]:
            state = dict(self.__dict__)
            del state["lock"]
            return state

        def __setstate__(self: Any, state: dict[str, Any]) -> None:
            self.__dict__.update(state, lock=threading.Lock())

        # At module level, where pickle finds a class by its name.
        name = f"Copyable_{signal_class.__module__.replace('.', '_')}"
        copyable = type(name, (signal_class,), {"__getstate__": __getstate__, "__setstate__": __setstate__})
        copyable.__module__ = __name__
        globals()[name] = copyable

        from fastsignals import _semantics

        uids = [f"uid-{number}" for number in range(_semantics.SCAN_LIMIT + 2)]
        signal = copyable(use_caching=True)
        for uid in uids:
            # Strong, and a module-level function: pickle refuses weak references and locals.
            signal.connect(picklable_receiver, sender=Sender, weak=False, dispatch_uid=uid)
        signal.send(Sender)
        twin = copy.deepcopy(signal)
        twin.disconnect(sender=Sender, dispatch_uid=uids[0])
        copies = [signal, twin]
        try:
            copies.append(pickle.loads(pickle.dumps(signal)))
        except TypeError as err:  # on 6.x the senders' weak references refuse, as the cache's do
            return [str(err)] + [[len(s.send(Sender)), s.has_listeners(Sender)] for s in copies]
        copies[-1].connect(picklable_receiver, sender=Sender, weak=False, dispatch_uid="another")
        return [[len(s.send(Sender)), s.has_listeners(Sender)] for s in copies]

    assert run(impl.Signal) == run(DjangoSignal)


@pytest.mark.parametrize("caching", [True, False])
def test_a_class_that_watches_attribute_reads_sees_djangos(impl: Any, caching: bool) -> None:
    from django.dispatch import Signal as DjangoSignal

    from fastsignals import _semantics

    def run(signal_class: type) -> list[Any]:
        reads: list[str] = []

        class Watched(signal_class):  # type: ignore[misc, valid-type]
            def __getattribute__(self, name: str) -> Any:
                if not name.startswith("__"):
                    reads.append(name)
                return super().__getattribute__(name)

        signal = Watched(use_caching=caching)
        receivers = make_receivers(_semantics.SCAN_LIMIT + 2)
        doomed = make_receivers(1)  # connected weakly, then dropped
        steps: list[tuple[str, Any]] = []
        for number, receiver in enumerate(receivers):
            steps.append(("connect", lambda r=receiver, n=number: signal.connect(r, sender=Sender if n % 2 else None)))
        steps += [
            ("connect again", lambda: signal.connect(receivers[0])),
            ("connect doomed", lambda: signal.connect(doomed[0], sender=Sender)),
            ("send", lambda: [value for _, value in signal.send(Sender)]),
            ("send again", lambda: [value for _, value in signal.send(Sender)]),
            ("send_robust", lambda: [value for _, value in signal.send_robust(Handler)]),
            ("has_listeners", lambda: signal.has_listeners(Sender)),
            ("drop doomed", lambda: (doomed.clear(), gc.collect())[0]),
            ("send after a death", lambda: [value for _, value in signal.send(Sender)]),
            ("disconnect", lambda: signal.disconnect(receivers[5], sender=Sender)),
            ("disconnect missing", lambda: signal.disconnect(make_receivers(1)[0])),
            ("has_listeners after", lambda: signal.has_listeners(Handler)),
        ]
        seen = []
        for label, step in steps:
            reads.clear()
            seen.append((label, step(), list(reads)))
        return seen

    assert run(impl.Signal) == run(DjangoSignal)
