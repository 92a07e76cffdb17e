"""Signal(use_caching=True): a per-sender receiver cache in a WeakKeyDictionary.

Its quirks are Django's and are kept: senders must be hashable and weak-referenceable
once a receiver is connected, the cache is looked up by equality, and only
connect()/disconnect() (or an explicit clear) invalidate it.
"""

from __future__ import annotations

import gc
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
