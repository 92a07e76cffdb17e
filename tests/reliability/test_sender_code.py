"""A sender whose own attribute code runs while a send looks it up, as on Django.

Django makes the sender's key (reading ``__func__``, which runs a ``__getattr__`` or
a property) before it reads ``receivers``, once per send; that code may edit the list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.dispatch import Signal as DjangoSignal

from fastsignals._semantics import RECEIVER_TUPLE_LEN

_PAD = (None, False)[4 - RECEIVER_TUPLE_LEN:]

EDITS: dict[str, Callable[[Any, Any], None]] = {
    "insert for another sender": lambda signal, receiver: signal.receivers.insert(0, ((1, 2), receiver, *_PAD)),
    "delete the first": lambda signal, receiver: signal.receivers.__delitem__(0),
    "item as a list": lambda signal, receiver: signal.receivers.__setitem__(1, list(signal.receivers[1])),
    "reassign the list": lambda signal, receiver: setattr(signal, "receivers", []),
}


def play(signal_class: type, use_caching: bool, edit: Callable[[Any, Any], None]) -> list[Any]:
    signal = signal_class(use_caching=use_caching)
    calls: list[str] = []

    def first(**kwargs: Any) -> str:
        calls.append("first")
        return "first"

    def second(**kwargs: Any) -> str:
        calls.append("second")
        return "second"

    lookups = []

    class Sender:
        armed = False

        def __getattr__(self, name: str) -> Any:
            lookups.append(name)
            if Sender.armed:
                Sender.armed = False
                edit(signal, first)
            raise AttributeError(name)

    sender = Sender()
    signal.connect(first, weak=False)
    signal.connect(second, weak=False)
    other = type("Other", (), {})()
    signal.send(other)  # builds the engines' index
    trace: list[Any] = []
    for armed in (True, False):
        Sender.armed = armed
        lookups.clear()
        try:
            responses: Any = [response for _, response in signal.send(sender)]
        except Exception as err:  # noqa: BLE001 - the outcome is what is compared
            responses = (type(err).__name__, str(err))
        trace.append((responses, list(lookups), len(signal.receivers)))
    return trace + [calls]


@pytest.mark.parametrize("use_caching", [False, True], ids=["uncached", "cached"])
@pytest.mark.parametrize("edit", list(EDITS))
def test_sender_code_editing_receivers_matches_django(engine: Any, edit: str, use_caching: bool) -> None:
    expected = play(DjangoSignal, use_caching, EDITS[edit])
    assert play(engine.Signal, use_caching, EDITS[edit]) == expected


class RecordingKey:
    """A sender key put in receivers by hand: it records every comparison made with it."""

    def __init__(self, log: list[str], equal: bool) -> None:
        self.log, self.equal = log, equal

    def __eq__(self, other: object) -> bool:
        self.log.append("eq")
        return self.equal

    def __ne__(self, other: object) -> bool:
        self.log.append("ne")
        return not self.equal

    __hash__ = None  # type: ignore[assignment]


@pytest.mark.parametrize("use_caching", [False, True], ids=["uncached", "cached"])
@pytest.mark.parametrize("equal", [False, True], ids=["unequal", "equal"])
def test_hand_inserted_sender_key_sees_djangos_comparisons(engine: Any, equal: bool, use_caching: bool) -> None:
    def play(signal_class: type) -> list[Any]:
        signal = signal_class(use_caching=use_caching)
        log: list[str] = []

        def receiver(**kwargs: Any) -> str:
            return "called"

        signal.connect(receiver, weak=False)
        signal.receivers.append(((1, RecordingKey(log, equal)), receiver, *_PAD))
        sender = type("Sender", (), {})()
        responses = [response for _, response in signal.send(sender)]
        return [responses, log]

    assert play(engine.Signal) == play(DjangoSignal)
