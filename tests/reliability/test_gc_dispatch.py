"""Garbage collection during dispatch, and weak-reference callbacks while signal.lock is held.

A receiver may drop the last reference to another receiver, to itself or to the
sender while the signal dispatches; the dispatch in progress and the sends after
it must match stock Django. Weak-reference callbacks may fire while some thread
holds signal.lock: they must only raise the "dead receivers" flag, never take
the lock (Django's lock is not reentrant, so taking it there would deadlock).
"""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.dispatch import Signal as DjangoSignal

from signal_traces import Names, Play, outcome


class GuardedLock:
    """A stand-in for signal.lock that raises where a real one would block.

    Nothing in these single-purpose tests may wait for the lock, so contention
    means a weak-reference callback (or a finalizer) tried to take it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.contended: list[str] = []

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if self._lock.acquire(blocking=False):
            return True
        self.contended.append(threading.current_thread().name)
        raise RuntimeError("signal.lock taken while held: a real lock would deadlock here")

    def release(self) -> None:
        self._lock.release()

    def locked(self) -> bool:
        return self._lock.locked()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def _send_held(play: Play, label: str, robust: bool = False) -> None:
    # The sender comes from play.held only: once a receiver drops it there, the
    # send's own argument is its last reference.
    method = play.signal.send_robust if robust else play.signal.send
    play.depth += 1
    result = outcome(play.names, lambda: method(play.held[label]))
    play.depth -= 1
    play.settle()
    play.trace.append(("sent", label, result, play.names.state(play.signal)))


def drop_later_receiver(play: Play) -> None:
    def drop(play: Play, sender: Any) -> None:
        del play.held["victim"]

    play.signal.connect(play.receiver("dropper", drop))
    play.signal.connect(play.receiver("victim"))
    play.signal.connect(play.receiver("tail"))
    play.sends()


def drop_earlier_receiver_and_collect(play: Play) -> None:
    def drop(play: Play, sender: Any) -> None:
        play.held.pop("early", None)
        gc.collect()

    play.signal.connect(play.receiver("early"))
    play.signal.connect(play.receiver("dropper", drop))
    play.sends()


def drop_self(play: Play) -> None:
    def drop(play: Play, sender: Any) -> str:
        play.held.pop("self-dropper", None)
        return "dropped"

    play.signal.connect(play.receiver("self-dropper", drop))
    play.signal.connect(play.receiver("tail"))
    play.sends()


def drop_bound_method_owner(play: Play) -> None:
    class Owner:
        def method(self, signal: Any, sender: Any, **kwargs: Any) -> str:
            play.trace.append(("call", "owner.method", play.names.of(sender)))
            return "method"

    owner = play.names.add(Owner(), "owner")
    play.held["owner"] = owner

    def drop(play: Play, sender: Any) -> None:
        play.held.pop("owner", None)

    play.signal.connect(play.receiver("dropper", drop))
    play.signal.connect(owner.method)
    del owner
    play.sends()


def drop_sender(play: Play) -> None:
    play.sender("model")

    def drop(play: Play, sender: Any) -> None:
        play.held.pop("model", None)

    play.signal.connect(play.receiver("for-model", drop), sender=play.held["model"])
    play.signal.connect(play.receiver("strong-for-model"), sender=play.held["model"], weak=False)
    play.signal.connect(play.receiver("any"))
    _send_held(play, "model")
    play.trace.append(("after", play.names.state(play.signal)))
    play.sends()


def drop_cycle_and_collect(play: Play) -> None:
    class Cyclic:
        def __init__(self) -> None:
            self.me = self

        def __call__(self, signal: Any, sender: Any, **kwargs: Any) -> str:
            play.trace.append(("call", "cyclic"))
            return "cyclic"

    cyclic = play.names.add(Cyclic(), "cyclic")
    play.held["cyclic"] = cyclic
    del cyclic

    def drop(play: Play, sender: Any) -> None:
        play.held.pop("cyclic", None)
        gc.collect()

    play.signal.connect(play.held["cyclic"])
    play.signal.connect(play.receiver("dropper", drop))
    play.sends(robust=True)


class _Strong:
    """A receiver connected with weak=False: the signal's reference is its only one."""

    def __call__(self, signal: Any, sender: Any, **kwargs: Any) -> str:
        return "strong"


def _removed_by_third_party(edit: Callable[[Any], None]) -> Callable[[Play], None]:
    def scenario(play: Play) -> None:
        strong = play.names.add(_Strong(), "strong")
        alive = weakref.ref(strong)
        model = play.sender("model")
        play.signal.connect(strong, weak=False)
        play.signal.connect(play.receiver("weak"))
        del strong
        play.sends(model)
        play.do("third-party edit", lambda: edit(play.signal))
        play.trace.append(("strong receiver still alive", alive() is not None))
        play.sends(model)

    scenario.__name__ = f"freed_after_{edit.__name__}"
    return scenario


def receivers_clear(signal: Any) -> None:
    signal.receivers.clear()


def receivers_del(signal: Any) -> None:
    del signal.receivers[0]


def receivers_reassigned(signal: Any) -> None:
    signal.receivers = []


REMOVED_BY_THIRD_PARTY = [
    _removed_by_third_party(edit) for edit in (receivers_clear, receivers_del, receivers_reassigned)
]

SCENARIOS = [
    drop_later_receiver,
    drop_earlier_receiver_and_collect,
    drop_self,
    drop_bound_method_owner,
    drop_sender,
    drop_cycle_and_collect,
    *REMOVED_BY_THIRD_PARTY,
]

def play(signal_class: type, scenario: Callable[[Play], None], use_caching: bool) -> list[Any]:
    return Play(signal_class, use_caching).play(scenario)


@pytest.mark.usefixtures("quiet_dispatch_log")
@pytest.mark.parametrize("use_caching", [False, True], ids=["uncached", "cached"])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.__name__ for scenario in SCENARIOS])
def test_collection_during_dispatch_matches_django(
    engine: Any, scenario: Callable[[Play], None], use_caching: bool
) -> None:
    expected = play(DjangoSignal, scenario, use_caching)
    assert play(engine.Signal, scenario, use_caching) == expected


class _Cyclic:
    """A receiver in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self

    def __call__(self, signal: Any, sender: Any, **kwargs: Any) -> str:
        return "cyclic"


def _locked_drop(signal_class: type, use_caching: bool, holder: str) -> list[Any]:
    """Drop receivers' and a sender's last references while signal.lock is held, then use the signal."""
    signal = signal_class(use_caching=use_caching)
    lock = signal.lock = GuardedLock()
    names = Names()
    plain = names.add(_Cyclic(), "plain")
    plain.me = None
    cyclic = names.add(_Cyclic(), "cyclic")
    model = names.add(type("Model", (), {})(), "model")
    survivor = names.add(_Cyclic(), "survivor")
    signal.connect(plain)
    signal.connect(cyclic)
    signal.connect(survivor, sender=model)
    signal.connect(survivor)
    trace: list[Any] = [outcome(names, lambda: signal.send(model))]
    holding = threading.Event()
    done = threading.Event()

    def hold() -> None:
        with signal.lock:
            holding.set()
            done.wait()

    if holder == "other thread":
        thread = threading.Thread(target=hold, name="lock holder")
        thread.start()
        holding.wait()
        del plain, cyclic, model
        gc.collect()
        done.set()
        thread.join()
    else:
        with signal.lock:
            del plain, cyclic, model
            gc.collect()
    trace.append(("state", names.state(signal), lock.contended))
    trace.append(outcome(names, lambda: signal.send(None)))
    trace.append(outcome(names, lambda: signal.connect(survivor, dispatch_uid="again")))
    trace.append(("state", names.state(signal), lock.contended))
    return trace


@pytest.mark.parametrize("use_caching", [False, True], ids=["uncached", "cached"])
@pytest.mark.parametrize("holder", ["this thread", "other thread"])
def test_weakref_callbacks_under_held_lock_match_django(engine: Any, use_caching: bool, holder: str) -> None:
    expected = _locked_drop(DjangoSignal, use_caching, holder)
    assert expected[1][2] == []  # stock Django's callbacks never take the lock
    assert _locked_drop(engine.Signal, use_caching, holder) == expected


@pytest.fixture
def eager_collector() -> Iterator[None]:
    """Run the cyclic collector at nearly every allocation, so it fires inside the engines' locked sections."""
    saved = gc.get_threshold()
    gc.set_threshold(1, 1, 1)
    try:
        yield
    finally:
        gc.set_threshold(*saved)


@pytest.mark.usefixtures("eager_collector")
@pytest.mark.parametrize("use_caching", [False, True], ids=["uncached", "cached"])
def test_collector_firing_inside_locked_sections(impl: Any, use_caching: bool) -> None:
    signal = impl.Signal(use_caching=use_caching)
    lock = signal.lock = GuardedLock()
    senders = [type("Model", (), {})() for _ in range(4)]
    keep = []
    for round_ in range(60):
        garbage = _Cyclic()
        signal.connect(garbage, sender=senders[round_ % 4])
        signal.connect(garbage)
        del garbage
        survivor = _Cyclic()
        keep.append(survivor)
        signal.connect(survivor, sender=senders[round_ % 4])
        signal.send(senders[round_ % 4])
        signal.send_robust(senders[(round_ + 1) % 4])
        signal.has_listeners(senders[round_ % 4])
        signal.disconnect(keep[round_ // 2], sender=senders[(round_ // 2) % 4])
    gc.collect()
    assert lock.contended == []
    for index, sender in enumerate(senders):
        expected = [survivor for round_, survivor in enumerate(keep) if round_ % 4 == index and round_ >= 30]
        assert [receiver for receiver, _ in signal.send(sender)] == expected


@pytest.mark.usefixtures("quiet_dispatch_log")
@pytest.mark.parametrize("robust", [False, True], ids=["send", "send_robust"])
@pytest.mark.parametrize("use_caching", [False, True], ids=["uncached", "cached"])
def test_lists_seen_during_dispatch_are_whole(impl: Any, use_caching: bool, robust: bool) -> None:
    """A receiver that walks every list holding the receivers mid-dispatch, as memory
    profilers do, finds only whole lists; the responses are Django's."""
    signal = impl.Signal(use_caching=use_caching)
    walked: list[bool] = []

    def make(number: int) -> Callable[..., int]:
        def receiver(**kwargs: Any) -> int:
            if number == 5:
                for holder in gc.get_referrers(*receivers):
                    if isinstance(holder, list):
                        walked.append(len([*holder]) == len(holder) and repr(holder).startswith("["))
            if robust and number % 4 == 3:
                raise ValueError(number)
            return number

        return receiver

    receivers = [make(number) for number in range(12)]
    for receiver in receivers:
        signal.connect(receiver)
    sender = type("Model", (), {})
    responses = (signal.send_robust if robust else signal.send)(sender)
    assert [(receivers.index(receiver), str(response)) for receiver, response in responses] == [
        (number, str(number)) for number in range(12)
    ]
    assert len(walked) >= 2 and all(walked)
