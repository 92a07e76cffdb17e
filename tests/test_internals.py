"""The internals other code touches: ``receivers``, ``lock``, the cache, and the private methods.

Third-party code reads and edits ``signal.receivers``, takes ``signal.lock``,
clears ``sender_receivers_cache``, and wraps or overrides ``_live_receivers``
(sentry-sdk does) or ``send``. Each must work as it does on the installed Django.
"""

from __future__ import annotations

import functools
import gc
import threading
import types
import weakref
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest

django = pytest.importorskip("django")

#: Django 6.0 added a weak reference to the sender to each receivers tuple.
SENDER_REFS = django.VERSION[:2] >= (6, 0)


class Sender:
    pass


class Handler:
    def method(self, **kwargs: Any) -> str:
        return "method"


def make_receiver(value: Any) -> Any:
    def receiver(**kwargs: Any) -> Any:
        return value

    receiver.__qualname__ = f"receiver_{value}"
    return receiver


async def async_receiver(**kwargs: Any) -> str:
    return "async"


def test_receivers_tuples(impl: Any) -> None:
    signal = impl.Signal()
    sender = Sender()
    function = make_receiver(1)
    handler = Handler()
    signal.connect(function)
    signal.connect(handler.method, sender=sender)
    signal.connect(function, sender=sender, weak=False, dispatch_uid="uid")
    signal.connect(async_receiver)
    assert type(signal.receivers) is list
    keys = [item[0] for item in signal.receivers]
    assert keys == [
        (id(function), id(None)),
        ((id(handler), id(Handler.method)), id(sender)),
        ("uid", id(sender)),
        (id(async_receiver), id(None)),
    ]
    references = [item[1] for item in signal.receivers]
    assert type(references[0]) is weakref.ref
    assert references[0]() is function
    assert type(references[1]) is weakref.WeakMethod
    assert references[1]() == handler.method
    assert references[2] is function
    assert references[3]() is async_receiver
    assert [item[-1] for item in signal.receivers] == [False, False, False, True]
    if SENDER_REFS:
        assert [len(item) for item in signal.receivers] == [4] * 4
        sender_refs = [item[2] for item in signal.receivers]
        assert sender_refs[0] is None
        assert type(sender_refs[1]) is weakref.ref
        assert sender_refs[1]() is sender
        assert sender_refs[2]() is sender
        assert sender_refs[3] is None
    else:
        assert [len(item) for item in signal.receivers] == [3] * 4


def test_lock(impl: Any) -> None:
    signal = impl.Signal()
    assert type(signal.lock) is type(threading.Lock())
    with signal.lock:
        assert signal.lock.locked()
    assert not signal.lock.locked()


def test_receivers_replaced_and_restored(impl: Any) -> None:
    signal = impl.Signal()
    first, second = make_receiver(1), make_receiver(2)
    signal.connect(first)
    assert signal.send(None) == [(first, 1)]
    saved = signal.receivers
    signal.receivers = []
    assert signal.send(None) == []
    assert signal.has_listeners() is False
    signal.connect(second)
    assert signal.send(None) == [(second, 2)]
    signal.receivers = saved
    assert signal.send(None) == [(first, 1)]


def test_receivers_extended_in_place(impl: Any) -> None:
    signal = impl.Signal()
    first, second = make_receiver(1), make_receiver(2)
    signal.connect(first)
    signal.connect(second)
    saved = signal.receivers
    signal.receivers = []
    signal.receivers += saved
    assert signal.send(None) == [(first, 1), (second, 2)]
    signal.receivers += saved
    # Django does not deduplicate a direct edit: both copies are called.
    assert signal.send(None) == [(first, 1), (second, 2), (first, 1), (second, 2)]
    assert signal.disconnect(first) is True
    assert signal.send(None) == [(second, 2), (first, 1), (second, 2)]


def test_receivers_edited_in_place(impl: Any) -> None:
    signal = impl.Signal()
    receivers = [make_receiver(number) for number in range(4)]
    for receiver in receivers:
        signal.connect(receiver)
    signal.receivers.reverse()
    assert [r for r, _ in signal.send(None)] == receivers[::-1]
    signal.receivers[0], signal.receivers[1] = signal.receivers[1], signal.receivers[0]
    assert [r for r, _ in signal.send(None)] == [receivers[2], receivers[3], receivers[1], receivers[0]]
    del signal.receivers[1:3]
    assert [r for r, _ in signal.send(None)] == [receivers[2], receivers[0]]
    signal.receivers.clear()
    assert signal.send(None) == []
    assert signal.has_listeners() is False


def test_receivers_item_replaced_by_another_key(impl: Any) -> None:
    signal = impl.Signal()
    other = impl.Signal()
    first, second = make_receiver(1), make_receiver(2)
    signal.connect(first)
    other.connect(second)
    signal.receivers[0] = other.receivers[0]
    assert signal.send(None) == [(second, 2)]
    assert signal.disconnect(first) is False
    signal.connect(second)
    assert signal.send(None) == [(second, 2)]
    signal.connect(first)
    assert signal.send(None) == [(second, 2), (first, 1)]


def test_receivers_appended_directly(impl: Any) -> None:
    signal = impl.Signal()
    first, second = make_receiver(1), make_receiver(2)
    signal.connect(first)
    item = signal.receivers[0]
    signal.receivers.insert(0, item)
    assert signal.send(None) == [(first, 1), (first, 1)]
    # connect() sees the key is there; disconnect() removes the first match only.
    signal.connect(first)
    assert len(signal.receivers) == 2
    assert signal.disconnect(first) is True
    assert signal.send(None) == [(first, 1)]
    signal.receivers.append(item)
    signal.connect(second)
    assert signal.send(None) == [(first, 1), (first, 1), (second, 2)]


def test_clear_dead_receivers_replaces_the_list(impl: Any) -> None:
    signal = impl.Signal()
    first, second = make_receiver(1), make_receiver(2)
    signal.connect(first)
    signal.connect(second)
    before = signal.receivers
    assert signal._dead_receivers is False
    del first
    gc.collect()
    assert signal._dead_receivers is True
    with signal.lock:
        signal._clear_dead_receivers()
    assert signal._dead_receivers is False
    assert signal.receivers is not before
    assert len(before) == 2
    assert [item[1]() for item in signal.receivers] == [second]
    assert signal.send(None) == [(second, 2)]


def test_dead_receivers_flag_method(impl: Any) -> None:
    signal = impl.Signal()
    flag = signal._flag_dead_receivers if SENDER_REFS else signal._remove_receiver
    flag()
    assert signal._dead_receivers is True


FLAG_NAME = "_flag_dead_receivers" if SENDER_REFS else "_remove_receiver"


def test_each_signal_flags_only_itself(impl: Any) -> None:
    """Connects alternate between signals, one a subclass with its own flag method, one
    with an instance attribute: a dead receiver flags its own signal, through its own callback."""
    calls: list[str] = []

    class Flagging(impl.Signal):  # type: ignore[name-defined, misc]
        def _flag(self, reference: Any = None) -> None:
            calls.append("subclass")
            self._dead_receivers = True

    setattr(Flagging, FLAG_NAME, Flagging._flag)
    plain, flagging, patched = impl.Signal(), Flagging(), impl.Signal()

    def instance_flag(reference: Any = None) -> None:
        calls.append("instance")
        patched._dead_receivers = True

    setattr(patched, FLAG_NAME, instance_flag)
    sender = Sender()
    receivers = [make_receiver(n) for n in range(6)]
    for position, receiver in enumerate(receivers):
        signal = (plain, flagging, patched)[position % 3]
        signal.connect(receiver, sender=sender if position < 3 else None)
    del receiver
    for position in (1, 4):
        receivers[position] = None
    gc.collect()
    assert (plain._dead_receivers, flagging._dead_receivers, patched._dead_receivers) == (False, True, False)
    assert calls == ["subclass", "subclass"]
    receivers[0] = receivers[5] = None
    gc.collect()
    assert (plain._dead_receivers, patched._dead_receivers) == (True, True)
    assert calls == ["subclass", "subclass", "instance"]
    assert [len(signal.send(sender)) for signal in (plain, flagging, patched)] == [1, 0, 1]


def test_temporary_receiver_dies_where_it_dies_on_django(impl: Any) -> None:
    """connect(Receiver(), sender): the order of the flag reads, the receiver's death,
    the flag call and the purge is Django's (6.1 frees it once its reference is made)."""
    log: list[str] = []

    class Receiver:
        def __call__(self, **kwargs: Any) -> None:
            pass

        def __del__(self) -> None:
            log.append("receiver dies")

    class Logged(impl.Signal):  # type: ignore[name-defined, misc]
        def __getattribute__(self, name: str) -> Any:
            if name == FLAG_NAME:
                log.append("flag read")
            elif name == "_clear_dead_receivers":
                log.append(f"purge, dead={object.__getattribute__(self, '_dead_receivers')}")
            return super().__getattribute__(name)

    def flag(self: Any, reference: Any = None) -> None:
        log.append("flag raised")
        getattr(impl.Signal, FLAG_NAME)(self, reference)

    setattr(Logged, FLAG_NAME, flag)
    signal, sender = Logged(), Sender()
    signal.connect(Receiver(), sender=sender)
    if django.VERSION[:2] >= (6, 1):
        expected = ["flag read", "receiver dies", "flag raised", "flag read", "purge, dead=True"]
    elif SENDER_REFS:
        expected = ["flag read", "flag read", "purge, dead=False", "receiver dies", "flag raised"]
    else:
        expected = ["flag read", "purge, dead=False", "receiver dies", "flag raised"]
    assert log == expected


def test_flag_callbacks_keep_no_signal_alive(impl: Any) -> None:
    signal = impl.Signal()
    sender, receiver = Sender(), make_receiver(1)
    signal.connect(receiver, sender=sender)
    alive = weakref.ref(signal)
    del signal, sender, receiver  # before 6.1, a live receiver's finalizer holds the signal
    gc.collect()
    assert alive() is None


def test_receivers_share_one_flag_callback(engine: Any) -> None:
    """Django makes a bound method per weak reference; the engines hand out an equal one
    they already made: the pure engine within one connect(), the compiled one across them."""
    signal = engine.Signal()
    sender, first, second = Sender(), make_receiver(1), make_receiver(2)
    signal.connect(first, sender=sender)
    signal.connect(second, sender=sender)
    per_item = [
        [ref.__callback__ for ref in item[1:-1] if type(ref) is weakref.ref and ref.__callback__ is not None]
        for item in signal.receivers
    ]
    if django.VERSION[:2] >= (6, 0):
        assert [len(callbacks) for callbacks in per_item] == [2, 2] if django.VERSION[:2] >= (6, 1) else [1, 1]
    callbacks = [callback for item in per_item for callback in item]
    assert all(callback == getattr(signal, FLAG_NAME) for callback in callbacks)
    assert all(callback is item[0] for item in per_item for callback in item)
    if engine.name == "c":
        assert all(callback is callbacks[0] for callback in callbacks)


def test_live_receivers(impl: Any) -> None:
    signal = impl.Signal()
    sender = Sender()
    first, second = make_receiver(1), make_receiver(2)
    signal.connect(async_receiver)
    signal.connect(first)
    signal.connect(second, sender=sender)
    live = signal._live_receivers(sender)
    assert type(live) is tuple
    assert live == ([first, second], [async_receiver])
    assert type(live[0]) is list and type(live[1]) is list
    assert signal._live_receivers(None) == ([first], [async_receiver])
    assert impl.Signal()._live_receivers(None) == ([], [])


def test_live_receivers_with_caching(impl: Any) -> None:
    signal = impl.Signal(use_caching=True)
    sender = Sender()
    first = make_receiver(1)
    assert signal._live_receivers(sender) == ([], [])
    signal.connect(first)
    assert signal._live_receivers(sender) == ([first], [])
    assert signal._live_receivers(sender) == ([first], [])
    assert signal._live_receivers(Sender()) == ([first], [])


@pytest.fixture
def sentry_style(impl: Any) -> Iterator[list[Any]]:
    """Wraps impl.Signal._live_receivers at class level as sentry-sdk does; yields the calls."""
    calls: list[Any] = []
    cls = impl.Signal
    saved = cls.__dict__["_live_receivers"]
    old = cls._live_receivers

    def wrap(receiver: Any) -> Any:
        def wrapped_receiver(*args: Any, **kwargs: Any) -> Any:
            calls.append(receiver)
            return receiver(*args, **kwargs)

        return wrapped_receiver

    def _sentry_live_receivers(self: Any, sender: Any) -> Any:
        sync_receivers, async_receivers = old(self, sender)
        return [wrap(r) for r in sync_receivers], async_receivers

    cls._live_receivers = _sentry_live_receivers
    try:
        yield calls
    finally:
        cls._live_receivers = saved


@pytest.mark.parametrize("use_caching", [False, True])
def test_class_level_wrapper_of_live_receivers(impl: Any, sentry_style: list[Any], use_caching: bool) -> None:
    signal = impl.Signal(use_caching=use_caching)
    sender = Sender()
    first, second = make_receiver(1), make_receiver(2)
    signal.connect(first)
    signal.connect(second, sender=sender)
    responses = signal.send(sender)
    assert [response for _, response in responses] == [1, 2]
    assert [r.__name__ for r, _ in responses] == ["wrapped_receiver"] * 2
    assert sentry_style == [first, second]
    responses = signal.send_robust(sender)
    assert [r.__name__ for r, _ in responses] == ["wrapped_receiver"] * 2
    assert sentry_style == [first, second] * 2
    assert signal.has_listeners(sender) is True


def test_class_level_wrapper_reaches_subclasses(impl: Any, sentry_style: list[Any]) -> None:
    class Sub(impl.Signal):  # type: ignore[name-defined,misc]
        pass

    signal = Sub()
    first = make_receiver(1)
    signal.connect(first)
    assert [response for _, response in signal.send(None)] == [1]
    assert sentry_style == [first]


def test_instance_level_live_receivers(impl: Any) -> None:
    signal = impl.Signal()
    first, second = make_receiver(1), make_receiver(2)
    signal.connect(first)
    signal._live_receivers = lambda sender: ([second], [])
    assert signal.send(None) == [(second, 2)]
    assert signal.send_robust(None) == [(second, 2)]
    assert signal.has_listeners() is True


def test_live_receivers_spied_with_mock(impl: Any) -> None:
    signal = impl.Signal()
    sender = Sender()
    first = make_receiver(1)
    signal.connect(first)
    with mock.patch.object(signal, "_live_receivers", wraps=signal._live_receivers) as spy:
        assert signal.send(sender) == [(first, 1)]
    spy.assert_called_once_with(sender)


@pytest.mark.parametrize("use_caching", [False, True])
def test_subclass_overriding_live_receivers(impl: Any, use_caching: bool) -> None:
    class Filtered(impl.Signal):  # type: ignore[name-defined,misc]
        def _live_receivers(self, sender: Any) -> Any:
            sync_receivers, async_receivers = super()._live_receivers(sender)
            return [r for r in sync_receivers if r() != 2], async_receivers

    signal = Filtered(use_caching=use_caching)
    first, second, third = make_receiver(1), make_receiver(2), make_receiver(3)
    for receiver in (first, second, third):
        signal.connect(receiver)
    sender = Sender()
    assert signal.send(sender) == [(first, 1), (third, 3)]
    assert signal.send(sender) == [(first, 1), (third, 3)]
    assert signal.send_robust(sender) == [(first, 1), (third, 3)]


def test_subclass_overriding_send(impl: Any) -> None:
    class Counted(impl.Signal):  # type: ignore[name-defined,misc]
        sent = 0

        def send(self, sender: Any, **named: Any) -> Any:
            self.sent += 1
            return [(r, ("wrapped", response)) for r, response in super().send(sender, **named)]

    signal = Counted()
    first = make_receiver(1)
    signal.connect(first)
    assert signal.send(None) == [(first, ("wrapped", 1))]
    assert signal.sent == 1


def test_subclass_overriding_log_robust_failure(impl: Any) -> None:
    logged = []

    class Quiet(impl.Signal):  # type: ignore[name-defined,misc]
        def _log_robust_failure(self, receiver: Any, err: Exception) -> None:
            logged.append((receiver, err))

    signal = Quiet()

    def failing(**kwargs: Any) -> None:
        raise ValueError("boom")

    signal.connect(failing)
    ((_, error),) = signal.send_robust(None)
    assert logged == [(failing, error)]


def test_subclass_overriding_clear_dead_receivers(impl: Any) -> None:
    class Hoarding(impl.Signal):  # type: ignore[name-defined,misc]
        def _clear_dead_receivers(self) -> None:
            pass

    signal = Hoarding()
    first, second = make_receiver(1), make_receiver(2)
    signal.connect(first)
    signal.connect(second)
    del first
    gc.collect()
    assert signal.send(None) == [(second, 2)]
    assert len(signal.receivers) == 2


def test_receivers_as_a_tuple(impl: Any) -> None:
    # Reading code may swap in any sequence; send() only iterates it.
    signal = impl.Signal()
    first = make_receiver(1)
    signal.connect(first)
    signal.receivers = tuple(signal.receivers)
    assert signal.send(None) == [(first, 1)]
    assert signal.has_listeners() is True


def test_duplicate_keys_from_direct_edits(impl: Any) -> None:
    signal = impl.Signal()
    first, second = make_receiver(1), make_receiver(2)
    signal.connect(first)
    signal.connect(second)
    signal.receivers += list(signal.receivers)
    assert signal.disconnect(first) is True
    # One copy of first's key is left, so connect() ignores first.
    signal.connect(first)
    assert signal.send(None) == [(second, 2), (first, 1), (second, 2)]
    assert signal.disconnect(first) is True
    signal.connect(first)
    assert signal.send(None) == [(second, 2), (second, 2), (first, 1)]


def test_dead_item_borrowed_from_another_signal(impl: Any) -> None:
    signal = impl.Signal()
    other = impl.Signal()
    first, second = make_receiver(1), make_receiver(2)
    signal.connect(second)
    other.connect(first)
    signal.receivers.insert(0, other.receivers[0])
    assert signal.send(None) == [(first, 1), (second, 2)]
    del first
    gc.collect()
    # The weak reference's callback flags the other signal, not this one: the
    # dead item is skipped but stays in the list until something purges it.
    assert other._dead_receivers is True
    assert signal._dead_receivers is False
    assert signal.send(None) == [(second, 2)]
    assert len(signal.receivers) == 2
    signal.connect(second)
    assert len(signal.receivers) == 2
    signal._dead_receivers = True
    assert signal.has_listeners() is True
    assert len(signal.receivers) == 1


class OtherHandler:
    def method(self, **kwargs: Any) -> str:
        return "other"


def _method_signal(impl: Any, use_caching: bool) -> tuple[Any, Handler, weakref.WeakMethod[Any]]:
    """A signal with one method receiver, and the WeakMethod its receivers item holds."""
    signal = impl.Signal(use_caching=use_caching)
    handler = Handler()
    signal.connect(handler.method, sender=Sender)
    reference = signal.receivers[0][1]
    assert type(reference) is weakref.WeakMethod
    return signal, handler, reference


def _responses(signal: Any) -> list[tuple[Any, Any]]:
    return [(type(receiver), response) for receiver, response in signal.send(Sender)]


@pytest.mark.parametrize("use_caching", [False, True])
def test_weak_method_call_patched_on_the_class(impl: Any, use_caching: bool) -> None:
    signal, handler, _ = _method_signal(impl, use_caching)
    other = OtherHandler()
    assert signal.send(Sender) == [(handler.method, "method")]
    with mock.patch.object(weakref.WeakMethod, "__call__", lambda self: other.method):
        assert signal.send(Sender) == [(other.method, "other")]
        assert signal.has_listeners(Sender) is True
    with mock.patch.object(weakref.WeakMethod, "__call__", lambda self: None):
        assert signal.send(Sender) == []
        assert signal.has_listeners(Sender) is False
    assert signal.send(Sender) == [(handler.method, "method")]


@pytest.mark.parametrize("use_caching", [False, True])
def test_weak_method_slots_patched_on_the_class(impl: Any, use_caching: bool) -> None:
    signal, handler, _ = _method_signal(impl, use_caching)
    with mock.patch.object(weakref.WeakMethod, "_meth_type", property(lambda self: functools.partial)):
        assert _responses(signal) == [(functools.partial, "method")]
    with mock.patch.object(weakref.WeakMethod, "_func_ref", property(lambda self: weakref.ref(OtherHandler.method))):
        assert signal.send(Sender) == [(types.MethodType(OtherHandler.method, handler), "other")]

    def getattribute(self: Any, name: str) -> Any:
        return functools.partial if name == "_meth_type" else object.__getattribute__(self, name)

    with mock.patch.object(weakref.WeakMethod, "__getattribute__", getattribute):
        assert _responses(signal) == [(functools.partial, "method")]
    assert signal.send(Sender) == [(handler.method, "method")]


@pytest.mark.parametrize("use_caching", [False, True])
def test_weak_method_slots_edited_on_the_reference(impl: Any, use_caching: bool) -> None:
    signal, handler, reference = _method_signal(impl, use_caching)
    # _func_ref need not be a weak reference: WeakMethod.__call__ calls whatever it is.
    reference._func_ref = lambda: OtherHandler.method  # type: ignore[attr-defined]
    assert signal.send(Sender) == [(types.MethodType(OtherHandler.method, handler), "other")]

    # The call may change _meth_type, which WeakMethod.__call__ reads only after it.
    def switching_func_ref() -> Any:
        reference._meth_type = functools.partial  # type: ignore[attr-defined]
        return Handler.method

    reference._func_ref = switching_func_ref  # type: ignore[attr-defined]
    assert _responses(signal) == [(functools.partial, "method")]
    reference._func_ref = lambda: None  # type: ignore[attr-defined]
    assert signal.send(Sender) == []


@pytest.mark.parametrize("use_caching", [False, True])
@pytest.mark.parametrize("slot", ["_func_ref", "_meth_type"])
def test_weak_method_slot_unset(impl: Any, use_caching: bool, slot: str) -> None:
    signal, handler, reference = _method_signal(impl, use_caching)
    bare = weakref.WeakMethod(handler.method)
    delattr(bare, slot)
    with pytest.raises(AttributeError) as expected:
        bare()
    delattr(reference, slot)
    with pytest.raises(AttributeError) as raised:
        signal.send(Sender)
    assert str(raised.value) == str(expected.value)


class NotCallable:
    pass


@pytest.mark.parametrize("use_caching", [False, True])
@pytest.mark.parametrize("func_ref", ["dead-end reference", "callable"])
def test_weak_method_to_something_not_callable(impl: Any, use_caching: bool, func_ref: str) -> None:
    # WeakMethod.__call__ makes the bound method with MethodType, which refuses a function that cannot be called.
    signal, handler, reference = _method_signal(impl, use_caching)
    target = NotCallable()
    reference._func_ref = weakref.ref(target) if func_ref == "dead-end reference" else (lambda: 42)  # type: ignore[attr-defined]
    for call in (signal.send, signal.send_robust, signal.has_listeners):
        with pytest.raises(TypeError, match="^first argument must be callable$"):
            call(Sender)


@pytest.mark.skipif(not SENDER_REFS, reason="Django 5.2 keeps no reference to the sender")
def test_weak_method_refused_before_its_dead_sender_is_seen(impl: Any) -> None:
    # Django resolves the receiver before it looks at the sender's reference: a WeakMethod
    # that MethodType refuses raises even where the sender is gone (here a cache entry edited
    # by hand holds a dead one).
    signal, handler, reference = _method_signal(impl, use_caching=True)
    for _ in range(2):  # the second send takes the compiled engine's plain loop
        assert signal.send(Sender) == [(handler.method, "method")]
    target = NotCallable()
    reference._func_ref = weakref.ref(target)  # type: ignore[attr-defined]
    gone = Sender()
    dead = weakref.ref(gone)
    del gone
    gc.collect()
    signal.sender_receivers_cache[Sender][0] = (reference, dead, False)
    with pytest.raises(TypeError, match="^first argument must be callable$"):
        signal.send(Sender)
    reference._func_ref = weakref.ref(Handler.method)  # type: ignore[attr-defined]
    assert signal.send(Sender) == []


@pytest.mark.parametrize("use_caching", [False, True])
def test_references_resolved_with_the_lock_released(impl: Any, use_caching: bool) -> None:
    # A receiver reference may run code that connects or disconnects: Django resolves them unlocked.
    signal, handler, _ = _method_signal(impl, use_caching)
    call = weakref.WeakMethod.__call__
    locked: list[bool] = []

    def resolve(self: Any) -> Any:
        locked.append(signal.lock.locked())
        return call(self)

    with mock.patch.object(weakref.WeakMethod, "__call__", resolve):
        assert signal.send(Sender) == [(handler.method, "method")]
        assert signal.has_listeners(Sender) is True
    assert locked == [False, False]


@pytest.mark.parametrize("use_caching", [False, True])
@pytest.mark.parametrize("kind", ["proxy", "mock"])
def test_objects_that_claim_to_be_weak_references(impl: Any, use_caching: bool, kind: str) -> None:
    # Django tests receivers with isinstance(), which believes __class__: a proxy to a weak
    # reference, or a mock specced as one, placed by hand is called to resolve it.
    signal = impl.Signal(use_caching=use_caching)
    handler = Handler()
    signal.connect(make_receiver("placeholder"), sender=Sender, weak=False)
    method_reference = weakref.WeakMethod(handler.method)
    if kind == "proxy":
        claimant: Any = weakref.proxy(method_reference)
    else:
        claimant = mock.Mock(spec=weakref.ref, return_value=make_receiver("from the mock"))
    signal.receivers[0] = (signal.receivers[0][0], claimant, *signal.receivers[0][2:])
    expected = "method" if kind == "proxy" else "from the mock"
    assert [response for _, response in signal.send(Sender)] == [expected]
    assert signal.has_listeners(Sender) is True
