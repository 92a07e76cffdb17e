"""Signal(use_caching=True): a per-sender receiver cache in a WeakKeyDictionary.

Its quirks are Django's and are kept: senders must be hashable and weak-referenceable
once a receiver is connected, the cache is looked up by equality, and only
connect()/disconnect() (or an explicit clear) invalidate it.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("django")


class Sender:
    pass


class Unhashable:
    def __eq__(self, other: object) -> bool:
        return self is other

    __hash__ = None  # type: ignore[assignment]


class AlwaysEqual:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, AlwaysEqual)

    def __hash__(self) -> int:
        return 0


def make_receiver(value: Any) -> Any:
    def receiver(**kwargs: Any) -> Any:
        return value

    return receiver


def test_cache_filled_by_send_and_cleared_by_connect(impl: Any) -> None:
    signal = impl.Signal(use_caching=True)
    sender = Sender()
    first, second = make_receiver(1), make_receiver(2)
    signal.connect(first)
    assert sender not in signal.sender_receivers_cache
    assert signal.send(sender) == [(first, 1)]
    assert sender in signal.sender_receivers_cache
    signal.connect(second, sender=sender)
    assert sender not in signal.sender_receivers_cache
    assert signal.send(sender) == [(first, 1), (second, 2)]
    assert signal.disconnect(first) is True
    assert sender not in signal.sender_receivers_cache
    assert signal.send(sender) == [(second, 2)]
    assert signal.send_robust(Sender()) == []


def test_uncached_signal_keeps_its_dict_empty(impl: Any) -> None:
    signal = impl.Signal()
    receiver = make_receiver(1)
    signal.connect(receiver)
    signal.send(Sender())
    signal.has_listeners(Sender())
    assert signal.sender_receivers_cache == {}


def test_has_listeners_fills_the_cache(impl: Any) -> None:
    signal = impl.Signal(use_caching=True)
    sender = Sender()
    receiver = make_receiver(1)
    signal.connect(receiver, sender=sender)
    assert signal.has_listeners(sender) is True
    assert signal.has_listeners(Sender()) is False
    assert list(signal.sender_receivers_cache) == [sender]


def test_cache_entry_dies_with_its_sender(impl: Any) -> None:
    signal = impl.Signal(use_caching=True)
    receiver = make_receiver(1)
    signal.connect(receiver)
    sender = Sender()
    signal.send(sender)
    assert len(signal.sender_receivers_cache) == 1
    del sender
    gc.collect()
    assert len(signal.sender_receivers_cache) == 0


def test_weak_receiver_collected_after_caching(impl: Any) -> None:
    signal = impl.Signal(use_caching=True)
    sender = Sender()
    first, second = make_receiver(1), make_receiver(2)
    signal.connect(first)
    signal.connect(second)
    assert signal.send(sender) == [(first, 1), (second, 2)]
    del first
    gc.collect()
    assert signal.send(sender) == [(second, 2)]
    assert len(signal.receivers) == 1


@pytest.mark.parametrize("method", ["send", "send_robust", "has_listeners"])
@pytest.mark.parametrize(
    "sender, message",
    [
        (None, "cannot create weak reference to 'NoneType' object"),
        (1, "cannot create weak reference to 'int' object"),
        ("text", "cannot create weak reference to 'str' object"),
        (Unhashable(), "unhashable type: 'Unhashable'"),
    ],
    ids=["None", "int", "str", "unhashable"],
)
def test_sender_the_cache_cannot_hold(impl: Any, method: str, sender: Any, message: str) -> None:
    signal = impl.Signal(use_caching=True)
    if method != "has_listeners":
        assert getattr(signal, method)(sender) == []
    receiver = make_receiver(1)
    signal.connect(receiver)
    with pytest.raises(TypeError) as raised:
        getattr(signal, method)(sender)
    assert str(raised.value) == message


def test_unhashable_sender_without_caching(impl: Any) -> None:
    # Django looks the sender up in the unused dict too: with a receiver, it must hash.
    signal = impl.Signal()
    sender = Unhashable()
    assert signal.send(sender) == []
    receiver = make_receiver(1)
    signal.connect(receiver)
    with pytest.raises(TypeError) as raised:
        signal.send(sender)
    assert str(raised.value) == "unhashable type: 'Unhashable'"
    with pytest.raises(TypeError):
        signal.send_robust(sender)
    assert signal.has_listeners(sender) is True


def test_cache_is_looked_up_by_equality(impl: Any) -> None:
    signal = impl.Signal(use_caching=True)
    receiver = make_receiver(1)
    one, other = AlwaysEqual(), AlwaysEqual()
    signal.connect(receiver, sender=one)
    assert signal.send(one) == [(receiver, 1)]
    # other == one, so other finds one's cache entry, although it has no receiver.
    assert signal.send(other) == [(receiver, 1)]
    signal.sender_receivers_cache.clear()
    assert signal.send(other) == []
    # And now the empty entry stored for other answers for one.
    assert signal.send(one) == []
    assert signal.has_listeners(one) is False


def test_stale_cache_after_direct_append(impl: Any) -> None:
    signal = impl.Signal(use_caching=True)
    other = impl.Signal()
    sender = Sender()
    first, second = make_receiver(1), make_receiver(2)
    signal.connect(first)
    other.connect(second)
    assert signal.send(sender) == [(first, 1)]
    signal.receivers.append(other.receivers[0])
    # Nobody cleared the cache: the cached receivers answer.
    assert signal.send(sender) == [(first, 1)]
    assert signal.send_robust(sender) == [(first, 1)]
    assert signal.send(Sender()) == [(first, 1), (second, 2)]
    signal.sender_receivers_cache.clear()
    assert signal.send(sender) == [(first, 1), (second, 2)]


def test_stale_empty_cache_entry(impl: Any) -> None:
    signal = impl.Signal(use_caching=True)
    other = impl.Signal()
    sender = Sender()
    first, second = make_receiver(1), make_receiver(2)
    signal.connect(first, sender=Sender)
    other.connect(second)
    assert signal.send(sender) == []
    signal.receivers += other.receivers
    assert signal.send(sender) == []
    assert signal.has_listeners(sender) is False
    with signal.lock:
        signal.sender_receivers_cache.clear()
    assert signal.send(sender) == [(second, 2)]


def test_stale_cache_after_receivers_replaced(impl: Any) -> None:
    signal = impl.Signal(use_caching=True)
    sender = Sender()
    first = make_receiver(1)
    signal.connect(first)
    assert signal.send(sender) == [(first, 1)]
    saved = signal.receivers
    signal.receivers = []
    # An empty list short-cuts before the cache.
    assert signal.send(sender) == []
    assert signal.has_listeners(sender) is True
    signal.receivers = saved
    assert signal.send(sender) == [(first, 1)]


def test_stale_cache_sees_a_removed_receiver(impl: Any) -> None:
    signal = impl.Signal(use_caching=True)
    sender = Sender()
    first, second = make_receiver(1), make_receiver(2)
    signal.connect(first)
    signal.connect(second)
    assert signal.send(sender) == [(first, 1), (second, 2)]
    del signal.receivers[0]
    assert signal.send(sender) == [(first, 1), (second, 2)]
    signal.sender_receivers_cache.clear()
    assert signal.send(sender) == [(second, 2)]


def test_dead_receiver_bypasses_a_stale_cache(impl: Any) -> None:
    signal = impl.Signal(use_caching=True)
    other = impl.Signal()
    sender = Sender()
    first, second, third = make_receiver(1), make_receiver(2), make_receiver(3)
    signal.connect(first)
    signal.connect(second)
    other.connect(third)
    assert signal.send(sender) == [(first, 1), (second, 2)]
    signal.receivers.append(other.receivers[0])
    assert signal.send(sender) == [(first, 1), (second, 2)]
    # A collected receiver flags the signal: the next send rebuilds from the list.
    del first
    gc.collect()
    assert signal.send(sender) == [(second, 2), (third, 3)]


def test_caching_switched_on_later(impl: Any) -> None:
    # The unused dict becomes a strong per-sender cache, as on Django.
    signal = impl.Signal()
    signal.use_caching = True
    sender = Sender()
    first = make_receiver(1)
    signal.connect(first)
    assert signal.send(sender) == [(first, 1)]
    assert list(signal.sender_receivers_cache) == [sender]
    assert signal.send(None) == [(first, 1)]
    signal.receivers = signal.receivers + signal.receivers
    assert signal.send(sender) == [(first, 1)]


def test_caching_switched_off_later(impl: Any) -> None:
    # The WeakKeyDictionary stays, so its lookups (and its stale entries) still apply.
    signal = impl.Signal(use_caching=True)
    sender = Sender()
    first = make_receiver(1)
    signal.connect(first, sender=Sender)
    assert signal.send(sender) == []
    signal.use_caching = False
    signal.receivers.append(signal.receivers[0])
    assert signal.send(sender) == []
    signal.sender_receivers_cache.clear()
    assert signal.send(sender) == []
    assert signal.send(Sender) == [(first, 1), (first, 1)]
    assert len(signal.sender_receivers_cache) == 0
    with pytest.raises(TypeError, match="^cannot create weak reference to 'NoneType' object$"):
        signal.send(None)


def _respond(signal: Any, sender: Any) -> list[Any]:
    return [value for _, value in signal.send(sender)]


# Repeated sends for one sender: the compiled engine remembers its last cache lookup
# and must see every change that would make Django's lookup answer otherwise.


def _replace_cache(signal: Any, other: Any, sender: Any) -> None:
    other.kept = signal.sender_receivers_cache  # alive, and unchanged
    signal.receivers.append(other.receivers[0])
    signal.sender_receivers_cache = weakref.WeakKeyDictionary()


def _replace_data(signal: Any, other: Any, sender: Any) -> None:
    other.kept = signal.sender_receivers_cache.data  # alive, and unchanged
    signal.receivers.append(other.receivers[0])
    signal.sender_receivers_cache.data = {}


def _store_no_receivers(signal: Any, other: Any, sender: Any) -> None:
    from django.dispatch.dispatcher import NO_RECEIVERS

    signal.sender_receivers_cache[sender] = NO_RECEIVERS


def _give_func(signal: Any, other: Any, sender: Any) -> None:
    # Django's _make_id() then keys the sender as a bound method: (id(__self__), id(__func__)).
    sender.__self__ = sender
    sender.__func__ = other


def _swap_entries(signal: Any, other: Any, sender: Any) -> None:
    cache = signal.sender_receivers_cache
    cache[sender], cache[Sender] = cache[Sender], cache[sender]


def _reverse_entries(signal: Any, other: Any, sender: Any) -> None:
    signal.sender_receivers_cache[sender].reverse()


def _patch_instance(signal: Any, other: Any, sender: Any) -> None:
    signal._live_receivers = lambda sender: ([other.receivers[0][1]()], [])


def _patch_class(signal: Any, other: Any, sender: Any) -> None:
    type(signal)._live_receivers = lambda self, sender: ([other.receivers[0][1]()], [])


def _flag_dead(signal: Any, other: Any, sender: Any) -> None:
    signal._dead_receivers = True
    signal.receivers.append(other.receivers[0])


MEMO_CHANGES: dict[str, Callable[[Any, Any, Any], Any]] = {
    "receivers emptied in place": lambda signal, other, sender: signal.receivers.clear(),
    "receivers appended to": lambda signal, other, sender: signal.receivers.append(other.receivers[0]),
    "receivers replaced": lambda signal, other, sender: setattr(signal, "receivers", other.receivers[:]),
    "receivers replaced by an empty list": lambda signal, other, sender: setattr(signal, "receivers", []),
    "cache cleared": lambda signal, other, sender: signal.sender_receivers_cache.clear(),
    "cache cleared after an append": lambda signal, other, sender: (
        signal.receivers.append(other.receivers[0]),
        signal.sender_receivers_cache.clear(),
    ),
    "cache replaced": _replace_cache,
    "cache's data replaced": _replace_data,
    "cache entry deleted": lambda signal, other, sender: signal.sender_receivers_cache.__delitem__(sender),
    "cache entries swapped": _swap_entries,
    "cache entry edited in place": _reverse_entries,
    "caching switched off": lambda signal, other, sender: setattr(signal, "use_caching", False),
    "dead flag set": _flag_dead,
    "_live_receivers patched on the instance": _patch_instance,
    "_live_receivers patched on the class": _patch_class,
    "__dict__ updated": lambda signal, other, sender: signal.__dict__.update(receivers=other.receivers[:]),
    "an item replaced in place": lambda signal, other, sender: signal.receivers.__setitem__(1, other.receivers[0]),
    "NO_RECEIVERS stored for the sender": _store_no_receivers,
    "sender given a __func__": _give_func,
    "receiver connected": lambda signal, other, sender: signal.connect(other.receivers[0][1](), sender=sender),
    "receiver disconnected": lambda signal, other, sender: signal.disconnect(other.kept_receiver, sender=sender),
    "nothing": lambda signal, other, sender: None,
}
# Changes to what only a caching signal's cache has: entries, and data.
CACHED_ONLY = {"cache entry deleted", "cache entries swapped", "cache entry edited in place", "cache's data replaced"}


MEMO_CASES = [(change, True) for change in MEMO_CHANGES] + [
    (change, False) for change in MEMO_CHANGES if change not in CACHED_ONLY
]


def _memo_signals(signal_class: type, caching: bool) -> tuple[Any, Any, Any, dict[str, Any]]:
    """(signal, other, sender, receivers to keep alive): receivers for any sender and for
    sender on signal, one on other."""

    class Custom(signal_class):  # type: ignore[misc]
        pass  # a class of its own: a change may patch it

    signal, other = Custom(use_caching=caching), Custom(use_caching=caching)
    sender = type("Model", (), {})  # senders are classes, as Django's models
    receivers = {name: make_receiver(name) for name in ("any", "own", "own2", "other")}
    signal.connect(receivers["any"])
    signal.connect(receivers["own"], sender=sender)
    signal.connect(receivers["own2"], sender=sender)
    other.connect(receivers["other"])
    other.kept_receiver = receivers["own"]
    return signal, other, sender, receivers


def _sends_around(change: str, signal: Any, other: Any, sender: Any) -> list[Any]:
    """What repeated sends answer before and after the change; has_listeners() asks
    first once, since it looks up through the memo too."""
    seen = []
    for step in ("before", "after", "after, has_listeners() first"):
        if step != "before":
            MEMO_CHANGES[change](signal, other, sender)
        if step == "after, has_listeners() first":
            seen.append(signal.has_listeners(sender))
        for _ in range(3):
            seen.append(_respond(signal, sender))
            seen.append([value for _, value in signal.send_robust(sender)])
            seen.append(_respond(signal, Sender))
            seen.append(signal.has_listeners(sender))
            seen.append(_respond(signal, sender))
    return seen


@pytest.mark.parametrize(("change", "caching"), MEMO_CASES)
def test_repeated_sends_see_each_change_as_django_does(impl: Any, change: str, caching: bool) -> None:
    from django.dispatch import Signal as DjangoSignal

    def run(signal_class: type) -> list[Any]:
        signal, other, sender, _receivers = _memo_signals(signal_class, caching)
        return _sends_around(change, signal, other, sender)

    assert run(impl.Signal) == run(DjangoSignal)


@pytest.mark.parametrize(("change", "caching"), MEMO_CASES)
def test_sends_after_install_see_each_change_as_django_does(engine: Any, change: str, caching: bool) -> None:
    # Receivers connected and the cache filled by stock code, then install(): the
    # compiled engine indexes the signal on its first send, so that its memo answers.
    from django.dispatch import Signal as DjangoSignal
    from fastsignals import _semantics, swap

    def run(installed: bool) -> list[Any]:
        signal, other, sender, _receivers = _memo_signals(DjangoSignal, caching)
        _respond(signal, sender)
        _respond(signal, Sender)
        if installed:
            swap.install(engine=engine.Signal)
        try:
            seen = _sends_around(change, signal, other, sender)
            if installed and engine.name == "c" and change == "nothing":
                assert _semantics.INDEX_ATTR in vars(signal)  # what the memo lives in
            return seen
        finally:
            swap.uninstall()

    assert run(True) == run(False)


def test_repeated_sends_see_attribute_stores_the_interpreter_specialized(impl: Any) -> None:
    # A store run often enough is specialized by the interpreter; it still changes __dict__.
    signal = impl.Signal(use_caching=True)
    sender = Sender()
    first = make_receiver(1)
    signal.connect(first)
    full, empty = signal.receivers, list[Any]()
    seen = []
    for turn in range(200):
        signal.receivers = empty if turn % 3 == 0 else full
        signal.use_caching = turn % 5 != 0
        seen.append(len(signal.send(sender)))
        seen.append(len(signal.send(sender)))
    assert seen == [0 if turn % 3 == 0 else 1 for turn in range(200) for _ in range(2)]


def test_repeated_sends_for_a_new_sender_at_a_dead_senders_address(impl: Any) -> None:
    # While the cache is iterated, a dead sender's entry stays in it; an object made at
    # its address is another sender all the same.
    from django.dispatch import Signal as DjangoSignal

    def attempt(signal_class: type) -> tuple[list[Any], bool] | None:
        signal = signal_class(use_caching=True)
        signal.connect(anyone)
        sender = Sender()
        signal.connect(own, sender=sender)
        signal.send(first)
        signal.send(sender)
        signal.send(sender)
        iteration = iter(signal.sender_receivers_cache.items())
        assert next(iteration)[0] is first  # the iteration holds first, not sender
        address = id(sender)
        del sender  # freed at once: its last reference
        newcomers = [Sender() for _ in range(1000)]
        newcomer = next((new for new in newcomers if id(new) == address), None)
        if newcomer is None:
            return None
        return _respond(signal, newcomer), newcomer in signal.sender_receivers_cache

    def run(signal_class: type) -> tuple[list[Any], bool]:
        # The allocator nearly always gives the address again at once; a few tries make sure.
        for _ in range(50):
            outcome = attempt(signal_class)
            if outcome is not None:
                return outcome
        raise AssertionError("no new object was given the dead sender's address in 50 tries")

    own, anyone = make_receiver("own"), make_receiver("any")
    first = Sender()
    assert run(impl.Signal) == run(DjangoSignal)


def test_repeated_uncached_sends_from_a_class_whose_metaclass_finds_func(impl: Any) -> None:
    # Once its metaclass finds __func__, Django keys the class as a bound method.
    from django.dispatch import Signal as DjangoSignal

    def run(signal_class: type) -> list[Any]:
        class Meta(type):
            finds = False

            def __getattr__(cls, name: str) -> Any:
                if Meta.finds and name in ("__func__", "__self__"):
                    return cls
                raise AttributeError(name)

        sender = Meta("Model", (), {})
        signal = signal_class()
        own, anyone = make_receiver("own"), make_receiver("any")
        signal.connect(anyone)
        signal.connect(own, sender=sender)
        seen = [_respond(signal, sender) for _ in range(3)]
        Meta.finds = True
        return seen + [_respond(signal, sender) for _ in range(3)]

    assert run(impl.Signal) == run(DjangoSignal)


@pytest.mark.parametrize("caching", [True, False], ids=["caching", "not caching"])
def test_repeated_sends_nested_failing_and_releasing_as_django(impl: Any, caching: bool) -> None:
    # A send inside a receiver, a receiver that raises, and the receivers released once
    # send() returns: repeated sends for one class sender, compared with Django.
    from django.dispatch import Signal as DjangoSignal

    def run(signal_class: type) -> list[Any]:
        signal = signal_class(use_caching=caching)
        sender = type("Model", (), {})
        seen: list[Any] = []
        state = {"depth": 0, "fail": False}

        def outer(**kwargs: Any) -> Any:
            if state["fail"]:
                raise ValueError("outer failed")
            if state["depth"] < 2:
                state["depth"] += 1
                seen.append(_respond(signal, sender))
                state["depth"] -= 1
            return "outer"

        def inner(**kwargs: Any) -> str:
            return "inner"

        signal.connect(outer)
        signal.connect(inner, sender=sender)
        for fail in (False, True, False):
            state["fail"] = fail
            for _ in range(3):
                try:
                    seen.append(_respond(signal, sender))
                except ValueError as err:
                    seen.append(str(err))
                if not fail:  # a logged failure keeps Django's frames, and their receivers, alive
                    seen.append([str(value) for _, value in signal.send_robust(sender)])
        released = weakref.ref(inner)
        del inner
        seen.append(released() is None)  # no list the sends used still holds it
        seen.append(_respond(signal, sender))
        return seen

    assert run(impl.Signal) == run(DjangoSignal)


# Ways a lookup could answer differently on a later send although no dict the memo
# watches changed, or leave the memo pointing at something freed. Each returns what
# the sends gave; Django's answer is the reference.


def _refill_freed_memory() -> list[bytes]:
    # Objects freed by now get their memory reused, so reading one would show.
    return [b"\x05" + b"\0" * 7 + b"A" * (size - 8) for size in range(16, 48) for _ in range(200)]


def _trap_equal_sender_at_a_reused_address(signal_class: type) -> list[Any]:
    # Bound methods equal to the cached one are other objects; one dies, a new one takes its address.
    class Obj:
        def meth(self) -> None:
            pass

    class Other:
        def meth(self) -> None:
            pass

    signal = signal_class(use_caching=True)
    obj, other = Obj(), Other()
    key = obj.meth
    signal.connect(make_receiver("any"), weak=False)
    signal.connect(make_receiver("own"), sender=key, weak=False)
    signal.send(key)
    for _ in range(50):
        method = obj.meth
        signal.send(method)
        signal.send(method)
        address = id(method)
        del method
        newcomers = [other.meth for _ in range(20)]
        newcomer = next((new for new in newcomers if id(new) == address), None)
        if newcomer is not None:
            return _respond(signal, newcomer)
    raise AssertionError("no new method was given the dead one's address in 50 tries")


def _trap_colliding_key_whose_eq_changes(signal_class: type) -> list[Any]:
    signal = signal_class(use_caching=True)
    model = type("Model", (), {})
    equal = {"now": False}

    class Colliding:
        def __hash__(self) -> int:
            return hash(model)

        def __eq__(self, other: object) -> bool:
            return equal["now"]

    colliding = Colliding()
    signal.connect(make_receiver("any"), weak=False)
    signal.connect(make_receiver("own model"), sender=model, weak=False)
    signal.connect(make_receiver("own colliding"), sender=colliding, weak=False)
    signal.send(colliding)
    seen = [_respond(signal, model) for _ in range(3)]
    equal["now"] = True
    return seen + [_respond(signal, model) for _ in range(2)]


def _trap_func_that_vanishes_while_read(signal_class: type) -> list[Any]:
    # Django reads __func__ twice per uncached send (hasattr, then the value).
    signal = signal_class()
    model: Any = type("Model", (), {})
    anyone = make_receiver("any")
    signal.connect(anyone, weak=False)
    signal.connect(make_receiver("own"), sender=model, weak=False)
    seen = [_respond(signal, model)]
    reads = [0]

    class Vanishing:
        def __get__(self, obj: Any, owner: Any) -> Any:
            reads[0] += 1
            if reads[0] == 2:
                del model.__func__
            return anyone

    model.__self__ = model
    model.__func__ = Vanishing()
    return seen + [_respond(signal, model) for _ in range(3)]


def _trap_sender_class_gains_hash_and_eq(signal_class: type) -> list[Any]:
    signal = signal_class(use_caching=True)
    a, b = Sender(), Sender()
    kind = type("Kind", (), {})
    a.__class__ = b.__class__ = kind
    signal.connect(make_receiver("any"), weak=False)
    signal.connect(make_receiver("own a"), sender=a, weak=False)
    signal.connect(make_receiver("own b"), sender=b, weak=False)
    signal.send(b)
    seen = [_respond(signal, a) for _ in range(2)]
    setattr(kind, "__hash__", lambda self: object.__hash__(b))
    setattr(kind, "__eq__", lambda self, other: True)
    return seen + [_respond(signal, a) for _ in range(2)]


def _trap_metaclass_gains_a_failing_hash(signal_class: type) -> list[Any]:
    meta = type("Meta", (type,), {})
    model = meta("Model", (), {})
    signal = signal_class()
    signal.connect(make_receiver("any"), weak=False)
    seen: list[Any] = []
    for turn in range(4):
        if turn == 2:
            setattr(meta, "__hash__", lambda cls: (_ for _ in ()).throw(TypeError("unhashable sender")))
        try:
            seen.append(_respond(signal, model))
        except TypeError as err:
            seen.append(str(err))
    return seen


class _MissingCache(weakref.WeakKeyDictionary):  # type: ignore[type-arg]
    def get(self, key: Any, default: Any = None) -> Any:
        return default


class _EntriesCache(weakref.WeakKeyDictionary):  # type: ignore[type-arg]
    entries: Any

    def get(self, key: Any, default: Any = None) -> Any:
        return _Entries([(receiver, *entry) for receiver, *entry in self.entries])


class _Entries:
    """A cache value that is an iterable object, not a list: nothing else holds one."""

    def __init__(self, entries: Any) -> None:
        self.entries = list(entries)

    def __iter__(self) -> Any:
        return iter(self.entries)


def _trap_cache_class_switched(signal_class: type) -> list[Any]:
    signal, other = signal_class(use_caching=True), signal_class()
    sender = Sender()
    signal.connect(make_receiver("any"), weak=False)
    other.connect(make_receiver("late"), weak=False)
    seen = [_respond(signal, sender) for _ in range(2)]
    signal.receivers.append(other.receivers[0])
    seen.append(_respond(signal, sender))
    signal.sender_receivers_cache.__class__ = _MissingCache
    return seen + [_respond(signal, sender) for _ in range(2)]


def _trap_cache_class_switched_to_fresh_values(signal_class: type) -> list[Any]:
    signal = signal_class(use_caching=True)
    receiver = make_receiver("r")
    signal.connect(receiver, weak=False)
    a, b = Sender(), Sender()
    signal.send(a)
    signal.send(a)
    signal.sender_receivers_cache.entries = signal.sender_receivers_cache[a]
    signal.sender_receivers_cache.__class__ = _EntriesCache
    seen = [_respond(signal, b)]
    refill = _refill_freed_memory()
    seen.append(_respond(signal, b))
    del refill
    return seen


def _trap_data_replaced_during_the_lookup(signal_class: type) -> list[Any]:
    signal = signal_class(use_caching=True)
    signal.connect(make_receiver("any"), weak=False)
    model = type("Model", (), {})
    armed = [False]

    class Colliding:
        def __hash__(self) -> int:
            return hash(model)

        def __eq__(self, other: object) -> bool:
            if armed[0]:
                armed[0] = False
                signal.sender_receivers_cache.data = {}
            return False

    colliding = Colliding()
    signal.send(colliding)  # its entry comes first in the model's probe sequence
    seen = [_respond(signal, model)]
    signal.sender_receivers_cache[model] = _Entries(signal.sender_receivers_cache[model])
    armed[0] = True
    seen.append(_respond(signal, model))
    refill = _refill_freed_memory()
    seen.append(_respond(signal, model))
    del refill
    return seen


MEMO_TRAPS = {
    "an equal sender at a reused address": _trap_equal_sender_at_a_reused_address,
    "a colliding key whose __eq__ changes": _trap_colliding_key_whose_eq_changes,
    "a __func__ that vanishes while read": _trap_func_that_vanishes_while_read,
    "the sender's class gains __hash__ and __eq__": _trap_sender_class_gains_hash_and_eq,
    "the metaclass gains a failing __hash__": _trap_metaclass_gains_a_failing_hash,
    "the cache's class switched": _trap_cache_class_switched,
    "the cache's class switched to fresh values": _trap_cache_class_switched_to_fresh_values,
    "the cache's data replaced during the lookup": _trap_data_replaced_during_the_lookup,
}


@pytest.mark.parametrize("trap", list(MEMO_TRAPS))
def test_repeated_sends_are_not_fooled(impl: Any, trap: str) -> None:
    from django.dispatch import Signal as DjangoSignal

    assert MEMO_TRAPS[trap](impl.Signal) == MEMO_TRAPS[trap](DjangoSignal)


@pytest.mark.parametrize("where", ["instance", "class"])
def test_patched_cache_get_is_called(impl: Any, where: str) -> None:
    # A get() patched on the cache answers for it. Django and the pure engine call it twice per
    # send, the compiled one once (README, Known differences), so only the others' counts are compared.
    counted = impl.name != "c"
    from unittest import mock

    from django.dispatch import Signal as DjangoSignal

    def run(signal_class: type) -> list[Any]:
        signal = signal_class(use_caching=True)
        sender = type("Model", (), {})
        own = make_receiver("own")
        signal.connect(own, sender=sender)
        seen: list[Any] = [_respond(signal, sender) for _ in range(3)]
        signal.receivers.clear()
        signal.connect(make_receiver("new"), sender=sender, weak=False)
        signal.sender_receivers_cache[sender] = signal.sender_receivers_cache.get(Sender) or []
        target = signal.sender_receivers_cache if where == "instance" else weakref.WeakKeyDictionary
        with mock.patch.object(target, "get", return_value=None) as get:
            seen += [_respond(signal, sender) for _ in range(2)]
            seen.append(get.call_count if counted else get.called)
        return seen + [_respond(signal, sender) for _ in range(2)]

    assert run(impl.Signal) == run(DjangoSignal)
