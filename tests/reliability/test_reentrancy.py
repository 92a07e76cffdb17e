"""Receivers that re-enter their signal while it dispatches behave as on stock Django.

Each scenario is a script run once on Django's Signal and once on an engine; the
traces (receiver calls, send outcomes, the signal's state after each send) must
be equal, for the dispatch in progress and for the sends after it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.dispatch import Signal as DjangoSignal

from signal_traces import Play


def _nested_send(play: Play, sender: Any) -> str:
    if play.depth < 3:
        play.send(sender)
    return "nested"


def recursive_send(play: Play) -> None:
    play.signal.connect(play.receiver("first"))
    play.signal.connect(play.receiver("recurse", _nested_send))
    play.signal.connect(play.receiver("last"))
    play.sends()


def recursive_send_robust_with_failure(play: Play) -> None:
    def fail_when_nested(play: Play, sender: Any) -> str:
        if play.depth > 1:
            raise ValueError(f"nested at depth {play.depth}")
        play.send(sender)
        return "outer"

    play.signal.connect(play.receiver("fails-nested", fail_when_nested))
    play.signal.connect(play.receiver("after"))
    play.sends(robust=True)
    play.sends(robust=False)


def connect_new_receiver(play: Play) -> None:
    def connect_more(play: Play, sender: Any) -> None:
        count = sum(1 for label in play.held if label.startswith("new"))
        play.signal.connect(play.receiver(f"new{count}"))

    play.signal.connect(play.receiver("connector", connect_more))
    play.signal.connect(play.receiver("tail"))
    play.sends()


def connect_for_this_sender(play: Play) -> None:
    model = play.sender("model")

    def connect_specific(play: Play, sender: Any) -> None:
        play.signal.connect(play.receiver("specific"), sender=sender)

    play.signal.connect(play.receiver("connector", connect_specific), sender=model)
    play.sends(model)
    play.sends(None)


def disconnect_self(play: Play) -> None:
    def leave(play: Play, sender: Any) -> bool:
        return play.signal.disconnect(play.held["leaver"])

    play.signal.connect(play.receiver("head"))
    play.signal.connect(play.receiver("leaver", leave))
    play.signal.connect(play.receiver("tail"))
    play.sends()


def disconnect_later_receiver(play: Play) -> None:
    def cut(play: Play, sender: Any) -> bool:
        return play.signal.disconnect(play.held["victim"])

    play.signal.connect(play.receiver("cutter", cut))
    play.signal.connect(play.receiver("victim"))
    play.signal.connect(play.receiver("tail"))
    play.sends()


def disconnect_earlier_by_uid(play: Play) -> None:
    def cut(play: Play, sender: Any) -> bool:
        return play.signal.disconnect(dispatch_uid="early")

    play.signal.connect(play.receiver("early"), dispatch_uid="early")
    play.signal.connect(play.receiver("cutter", cut))
    play.sends()


def reconnect_self_moves_to_end(play: Play) -> None:
    def rejoin(play: Play, sender: Any) -> None:
        play.signal.disconnect(play.held["rejoiner"])
        play.signal.connect(play.held["rejoiner"])

    play.signal.connect(play.receiver("rejoiner", rejoin))
    play.signal.connect(play.receiver("a"))
    play.signal.connect(play.receiver("b"))
    play.sends()


def connect_duplicate_during_dispatch(play: Play) -> None:
    def again(play: Play, sender: Any) -> None:
        play.signal.connect(play.held["dup"])
        play.signal.connect(play.receiver("other-uid"), dispatch_uid="uid")

    play.signal.connect(play.receiver("dup", again))
    play.signal.connect(play.receiver("uid-holder"), dispatch_uid="uid")
    play.sends()


def clear_receivers_in_place(play: Play) -> None:
    def clear(play: Play, sender: Any) -> None:
        play.signal.receivers.clear()

    model = play.sender("model")
    play.signal.connect(play.receiver("clearer", clear))
    play.signal.connect(play.receiver("tail"))
    play.sends(model)
    play.signal.connect(play.receiver("fresh"))
    play.sends(model)


def replace_receivers_list(play: Play) -> None:
    def replace(play: Play, sender: Any) -> None:
        play.signal.receivers = []

    model = play.sender("model")
    play.signal.connect(play.receiver("replacer", replace))
    play.signal.connect(play.receiver("tail"))
    play.sends(model)
    play.signal.connect(play.receiver("fresh"))
    play.sends(model)


def clear_then_send_nested(play: Play) -> None:
    def clear_and_send(play: Play, sender: Any) -> None:
        if play.depth == 1:
            play.signal.receivers.clear()
            play.send(sender)

    play.signal.connect(play.receiver("clearer", clear_and_send))
    play.signal.connect(play.receiver("tail"))
    play.sends()


def edit_receivers_directly(play: Play) -> None:
    def edit(play: Play, sender: Any) -> None:
        receivers = play.signal.receivers
        if len(receivers) > 1:
            receivers.reverse()
            del receivers[0]
            receivers.append(receivers[0])

    play.signal.connect(play.receiver("editor", edit))
    play.signal.connect(play.receiver("a"))
    play.signal.connect(play.receiver("b"))
    play.signal.connect(play.receiver("c"))
    play.sends()


def clear_cache_during_dispatch(play: Play) -> None:
    model = play.sender("model")

    def clear_cache(play: Play, sender: Any) -> None:
        play.signal.sender_receivers_cache.clear()
        play.signal.connect(play.receiver("late"), sender=sender)

    play.signal.connect(play.receiver("clearer", clear_cache), sender=model)
    play.sends(model)


def raise_after_reentry(play: Play) -> None:
    def connect_then_fail(play: Play, sender: Any) -> None:
        play.signal.connect(play.receiver("added-before-failure"))
        raise RuntimeError("after connecting")

    play.signal.connect(play.receiver("failer", connect_then_fail))
    play.signal.connect(play.receiver("tail"))
    play.sends(robust=False)
    play.sends(robust=True)


SCENARIOS = [
    recursive_send,
    recursive_send_robust_with_failure,
    connect_new_receiver,
    connect_for_this_sender,
    disconnect_self,
    disconnect_later_receiver,
    disconnect_earlier_by_uid,
    reconnect_self_moves_to_end,
    connect_duplicate_during_dispatch,
    clear_receivers_in_place,
    replace_receivers_list,
    clear_then_send_nested,
    edit_receivers_directly,
    clear_cache_during_dispatch,
    raise_after_reentry,
]


def play(signal_class: type, scenario: Callable[[Play], None], use_caching: bool) -> list[Any]:
    return Play(signal_class, use_caching).play(scenario)


@pytest.mark.usefixtures("quiet_dispatch_log")
@pytest.mark.parametrize("use_caching", [False, True], ids=["uncached", "cached"])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.__name__ for scenario in SCENARIOS])
def test_reentrant_dispatch_matches_django(engine: Any, scenario: Callable[[Play], None], use_caching: bool) -> None:
    expected = play(DjangoSignal, scenario, use_caching)
    assert play(engine.Signal, scenario, use_caching) == expected
