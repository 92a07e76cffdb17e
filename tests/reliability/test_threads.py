"""Many threads hammering one signal leave it exactly as a single-threaded model predicts.

Each worker thread owns its receivers (slots) and its senders, so the expected
state of its part of the signal is known at every moment: a send by the worker
must reach exactly its connected receivers for that sender, in its own connection
order, whatever the other workers do meanwhile. Receivers also check that no send
*started* after their disconnect returned reaches them (a send already running may).
"""

from __future__ import annotations

import dataclasses
import gc
import itertools
import random
import sys
import threading
import time
import traceback
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

from fastsignals._semantics import SENDER_REFS

#: Every send and every completed disconnect draws a ticket: a send whose ticket is
#: later than a receiver's disconnect ticket started after that disconnect returned.
_tickets = itertools.count()


class ReceiverError(Exception):
    """What the raising receivers raise; the only exception a send may propagate."""


class Probe:
    """A receiver's identity: its owner and slot, and a check on calls after disconnect."""

    def __init__(self, owner: int, slot: int, raises: bool, violations: list[str]) -> None:
        self.owner = owner
        self.slot = slot
        self.raises = raises
        self.violations = violations
        self.disconnected_at: int | None = None
        self.__qualname__ = f"probe{owner}.{slot}"  # send_robust() logs failures by __qualname__

    def __repr__(self) -> str:
        return f"<probe worker {self.owner} slot {self.slot}>"

    def hit(self, ticket: int) -> Probe:
        disconnected_at = self.disconnected_at
        if disconnected_at is not None and ticket > disconnected_at:
            self.violations.append(f"{self!r} got send #{ticket}, started after its disconnect #{disconnected_at}")
        if self.raises:
            raise ReceiverError(self)
        return self

    def __call__(self, signal: Any, sender: Any, ticket: int, **kwargs: Any) -> Probe:
        return self.hit(ticket)

    def method(self, signal: Any, sender: Any, ticket: int, **kwargs: Any) -> Probe:
        return self.hit(ticket)


def _function_receiver(probe: Probe) -> Any:
    def receiver(signal: Any, sender: Any, ticket: int, **kwargs: Any) -> Probe:
        return probe.hit(ticket)

    return receiver


class Sender:
    """A model class stand-in: weakly referenceable, hashed by identity."""


@dataclasses.dataclass
class Slot:
    """One receiver a worker owns, and what the model says about it."""

    kind: str  # "function", "instance" or "method"
    sender: int | None  # index into the worker's senders; None: any sender
    uid: str | None
    raises: bool
    probe: Probe | None = None
    handle: Any = None  # the worker's only reference: the function, or the probe
    state: str = "off"  # "on", "off", or "dropped" (weak, last reference gone)
    order: int = 0

    def receiver(self) -> Any:
        return self.handle.method if self.kind == "method" else self.handle


# kind, sender index, dispatch_uid?, raises
_SLOTS = [
    ("function", None, False, False),
    ("instance", 0, False, False),
    ("method", None, True, False),
    ("function", 1, False, True),
    ("method", 0, False, False),
    ("instance", None, True, False),
    ("instance", 1, True, True),
]


class Worker:
    """One thread's receivers, senders and model, and the random operations it runs."""

    def __init__(self, index: int, signal: Any, violations: list[str]) -> None:
        self.index = index
        self.signal = signal
        self.violations = violations
        self.random = random.Random(index)
        self.senders = [Sender(), Sender()]
        self.slots = [
            Slot(kind, sender, f"worker{index}-slot{number}" if uid else None, raises)
            for number, (kind, sender, uid, raises) in enumerate(_SLOTS)
        ]
        self.order = itertools.count()
        # (sender index, weak reference) of dropped receivers tied to a sender: one
        # may outlive the drop for a while (a send in flight holds it).
        self.ghosts: list[tuple[int, weakref.ReferenceType[Any]]] = []
        self.operations = 0
        self.error: str | None = None

    def expected(self, sender: int | None) -> list[Probe]:
        """The worker's receivers a send from senders[sender] (None: from None) must reach, in order."""
        matching = [
            slot for slot in self.slots
            if slot.state == "on" and (slot.sender is None or slot.sender == sender)
        ]
        return [slot.probe for slot in sorted(matching, key=lambda slot: slot.order)]  # type: ignore[misc]

    def own(self, responses: list[tuple[Any, Any]]) -> list[Probe]:
        """The live slots' probes among the responses, in order (duplicates kept)."""
        live = {id(slot.probe) for slot in self.slots if slot.state == "on"}
        probes = [_probe_of(response) for _, response in responses]
        return [probe for probe in probes if probe.owner == self.index and id(probe) in live]

    def run(self, deadline: float, start: threading.Barrier) -> None:
        operations = [
            (self.connect, 25), (self.disconnect, 20), (self.send, 20), (self.send_robust, 10),
            (self.has_listeners, 10), (self.drop_receiver, 6), (self.drop_sender, 2), (self.collect, 1),
        ]
        choices = list(itertools.chain.from_iterable([operation] * weight for operation, weight in operations))
        start.wait()
        try:
            while time.monotonic() < deadline:
                self.random.choice(choices)()
                self.operations += 1
        except BaseException:  # noqa: BLE001 - reported by the test, whatever it is
            self.error = traceback.format_exc()

    def collect(self) -> None:
        # Mostly the young generation: a full collection takes milliseconds.
        gc.collect(0 if self.random.random() < 0.9 else 2)

    def send_choice(self) -> int | None:
        choices: list[int | None] = [0, 1] if self.signal.use_caching else [0, 1, None]
        return self.random.choice(choices)

    def connect(self) -> None:
        slot = self.random.choice(self.slots)
        if slot.state == "dropped" or slot.handle is None:
            slot.probe = Probe(self.index, self.slots.index(slot), slot.raises, self.violations)
            slot.handle = _function_receiver(slot.probe) if slot.kind == "function" else slot.probe
        assert slot.probe is not None
        slot.probe.disconnected_at = None  # before connect: a send may reach it as soon as it is listed
        sender = None if slot.sender is None else self.senders[slot.sender]
        self.signal.connect(slot.receiver(), sender=sender, weak=self.random.random() < 0.6, dispatch_uid=slot.uid)
        if slot.state != "on":  # a second connect of a connected receiver changes nothing
            slot.state = "on"
            slot.order = next(self.order)

    def disconnect(self) -> None:
        slot = self.random.choice([slot for slot in self.slots if slot.state != "dropped"])
        if slot.handle is None:
            return
        sender = None if slot.sender is None else self.senders[slot.sender]
        if slot.uid is not None:
            removed = self.signal.disconnect(sender=sender, dispatch_uid=slot.uid)
        else:
            removed = self.signal.disconnect(slot.receiver(), sender=sender)
        assert slot.probe is not None
        slot.probe.disconnected_at = next(_tickets)
        assert removed == (slot.state == "on"), f"disconnect of {slot} returned {removed}"
        slot.state = "off"

    def send(self) -> None:
        sender = self.send_choice()
        expected = self.expected(sender)
        raisers = [probe for probe in expected if probe.raises]
        try:
            responses = self.signal.send(None if sender is None else self.senders[sender], ticket=next(_tickets))
        except ReceiverError as err:
            probe = err.args[0]
            assert probe.owner == self.index, f"{probe!r} raised in a send of worker {self.index}"
            if any(probe is slot.probe for slot in self.slots if slot.state == "on"):
                assert raisers and probe is raisers[0], f"{probe!r} raised, expected {raisers}"
            return
        assert not raisers, f"send returned although {raisers} raise"
        assert self.own(responses) == expected

    def send_robust(self) -> None:
        sender = self.send_choice()
        expected = self.expected(sender)
        responses = self.signal.send_robust(None if sender is None else self.senders[sender], ticket=next(_tickets))
        assert self.own(responses) == expected

    def has_listeners(self) -> None:
        sender = self.send_choice()
        listening = self.signal.has_listeners(None if sender is None else self.senders[sender])
        assert listening or not self.expected(sender)

    def drop_receiver(self) -> None:
        # Only weakly connected receivers without dispatch_uid: their slots may be
        # reused at once (a new object cannot share the id of one still alive).
        candidates = [
            slot for slot in self.slots
            if slot.uid is None and slot.handle is not None and not self._strongly_held(slot)
        ]
        if candidates:
            slot = self.random.choice(candidates)
            if slot.sender is not None and slot.state == "on":
                self.ghosts.append((slot.sender, weakref.ref(slot.handle)))
            slot.handle = None
            slot.probe = None
            if slot.state == "on":
                slot.state = "dropped"

    def _strongly_held(self, slot: Slot) -> bool:
        if slot.state != "on":
            return False
        return any(self._entry_is_strong(entry, slot) for entry in list(self.signal.receivers))

    def _entry_is_strong(self, entry: tuple[Any, ...], slot: Slot) -> bool:
        stored = entry[1]
        return stored is slot.handle or getattr(stored, "__self__", None) is slot.handle

    def drop_sender(self) -> None:
        index = self.random.randrange(2)
        self.ghosts = [(sender, ghost) for sender, ghost in self.ghosts if ghost() is not None]
        if not SENDER_REFS and any(sender == index for sender, _ in self.ghosts):
            # 5.x: a dropped receiver still alive keeps its entry, keyed by id(sender);
            # a new sender at the same address would inherit it, as on stock Django.
            return
        for slot in self.slots:
            if slot.sender == index and slot.state == "on":
                if SENDER_REFS:
                    slot.state = "off"  # its entry dies with the sender
                else:
                    # 5.x keys receivers by id(sender) only: disconnect first, or a new
                    # sender reusing the address would inherit them (as on stock Django).
                    self.disconnect_slot(slot)
        self.senders[index] = Sender()

    def disconnect_slot(self, slot: Slot) -> None:
        sender = self.senders[slot.sender] if slot.sender is not None else None
        if slot.uid is not None:
            assert self.signal.disconnect(sender=sender, dispatch_uid=slot.uid)
        else:
            assert self.signal.disconnect(slot.receiver(), sender=sender)
        assert slot.probe is not None
        slot.probe.disconnected_at = next(_tickets)
        slot.state = "off"


def _probe_of(response: Any) -> Probe:
    if isinstance(response, ReceiverError):
        return response.args[0]  # type: ignore[no-any-return]
    assert isinstance(response, Probe), f"unexpected response {response!r}"
    return response


@pytest.fixture
def fine_switching() -> Iterator[None]:
    """Switch threads every 100 µs instead of 5 ms, for many more interleavings."""
    saved = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    try:
        yield
    finally:
        sys.setswitchinterval(saved)


@pytest.mark.usefixtures("quiet_dispatch_log", "fine_switching")
@pytest.mark.parametrize("use_caching", [False, True], ids=["uncached", "cached"])
def test_threads_leave_the_state_the_model_predicts(
    impl: Any, use_caching: bool, budget: Any, figures: Any
) -> None:
    signal = impl.Signal(use_caching=use_caching)
    violations: list[str] = []
    workers = [Worker(index, signal, violations) for index in range(budget.threads)]
    start = threading.Barrier(len(workers))
    deadline = time.monotonic() + budget.thread_seconds
    threads = [threading.Thread(target=worker.run, args=(deadline, start)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    operations = sum(worker.operations for worker in workers)
    figures(f"{len(workers)} threads x {budget.thread_seconds} s: {operations} operations")

    assert [worker.error for worker in workers if worker.error] == []
    assert violations == []
    gc.collect()
    # Single-threaded now: every send reaches exactly the model's receivers.
    for worker in workers:
        for index, sender in enumerate(worker.senders):
            responses = signal.send_robust(sender, ticket=next(_tickets))
            probes = [_probe_of(response) for _, response in responses]
            for other in workers:
                mine = [probe for probe in probes if probe.owner == other.index]
                assert mine == other.expected(index if other is worker else None)
    live = [entry for entry in signal.receivers if _alive(entry)]
    assert len(live) == sum(1 for worker in workers for slot in worker.slots if slot.state == "on")
    assert len({entry[0] for entry in live}) == len(live)


def _alive(entry: tuple[Any, ...]) -> bool:
    receiver = entry[1]
    if isinstance(receiver, weakref.ReferenceType) and receiver() is None:
        return False
    return not (SENDER_REFS and entry[2] is not None and entry[2]() is None)
