"""Bad input gets stock Django's outcome, and leaves the signal intact and usable.

Every case runs on Django's Signal and on an engine; the outcome of each step
(result, or exception type and message) and the signal's state after it must be
equal. Steps named "bad: ..." are the abuse; the steps after them check that the
signal still connects, sends and disconnects as it should.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from django.dispatch import Signal as DjangoSignal

from fastsignals._semantics import RECEIVER_TUPLE_LEN
from signal_traces import Play


def plain(signal: Any, sender: Any, **kwargs: Any) -> str:
    return "plain"


class Slotted:
    """A callable that refuses weak references."""

    __slots__ = ()

    def __call__(self, signal: Any, sender: Any, **kwargs: Any) -> str:
        return "slotted"

    def method(self, signal: Any, sender: Any, **kwargs: Any) -> str:
        return "slotted method"


class Unhashable:
    """A weakly referenceable sender that cannot be a dict key."""

    __hash__ = None  # type: ignore[assignment]


class Nameless:
    """A callable instance without __qualname__: send_robust() cannot log its failure."""

    def __call__(self, signal: Any, sender: Any, **kwargs: Any) -> None:
        raise ValueError("nameless failed")


def _interrupt(signal: Any, sender: Any, **kwargs: Any) -> None:
    raise KeyboardInterrupt("stop")


def _exit(signal: Any, sender: Any, **kwargs: Any) -> None:
    raise SystemExit(3)


def still_usable(play: Play) -> None:
    """Connect, send and disconnect a fresh receiver, with a specific sender and with None."""
    fresh = play.receiver("fresh")
    model = play.sender("fresh-model")
    play.do("connect fresh", lambda: play.signal.connect(fresh, sender=model))
    play.do("send", lambda: play.signal.send(model, value=1))
    play.do("send_robust", lambda: play.signal.send_robust(model, value=1))
    play.do("has_listeners", lambda: play.signal.has_listeners(model))
    play.do("disconnect fresh", lambda: play.signal.disconnect(fresh, sender=model))
    play.do("send after disconnect", lambda: play.signal.send(model))


# --- under settings.DEBUG (connect() checks the receiver) --------------------------


def debug_non_callable(play: Play) -> None:
    play.do("bad: connect(42)", lambda: play.signal.connect(42))
    play.do("bad: connect('x', weak=False)", lambda: play.signal.connect("x", weak=False))


def debug_no_kwargs(play: Play) -> None:
    def no_kwargs(signal: Any, sender: Any) -> None:
        return None

    play.do("bad: connect(receiver without **kwargs)", lambda: play.signal.connect(no_kwargs))
    play.do("bad: connect(print)", lambda: play.signal.connect(print))


DEBUG_CASES = [debug_non_callable, debug_no_kwargs]

# --- without DEBUG ----------------------------------------------------------------


def weak_unweakrefable(play: Play) -> None:
    play.do("bad: connect(Slotted())", lambda: play.signal.connect(Slotted()))
    play.do("bad: connect(Slotted().method)", lambda: play.signal.connect(Slotted().method))
    play.do("bad: connect(None)", lambda: play.signal.connect(None))
    play.do("bad: connect(5)", lambda: play.signal.connect(5))
    play.do("connect(Slotted(), weak=False)", lambda: play.signal.connect(play.names.add(Slotted(), "slotted"), weak=False))
    play.do("send", lambda: play.signal.send(None))


def weak_temporary_builtin_method(play: Play) -> None:
    held: list[Any] = []
    play.do("bad: connect([].append)", lambda: play.signal.connect(held.append))
    play.do("send", lambda: play.signal.send(None))


def strong_non_callable(play: Play) -> None:
    play.do("bad: connect(5, weak=False)", lambda: play.signal.connect(5, weak=False))
    play.do("bad: send", lambda: play.signal.send(None))
    play.do("bad: send_robust", lambda: play.signal.send_robust(None))
    play.do("disconnect(5)", lambda: play.signal.disconnect(5))


def robust_failure_without_qualname(play: Play) -> None:
    nameless = play.names.add(Nameless(), "nameless")
    play.held["nameless"] = nameless
    play.do("connect(Nameless())", lambda: play.signal.connect(nameless))
    play.do("bad: send_robust", lambda: play.signal.send_robust(None))
    play.do("bad: send", lambda: play.signal.send(None))
    play.do("disconnect", lambda: play.signal.disconnect(nameless))


def unhashable_dispatch_uid(play: Play) -> None:
    first, second = play.receiver("first"), play.receiver("second")
    play.do("bad: connect(uid=['uid'])", lambda: play.signal.connect(first, dispatch_uid=["uid"]))
    play.do("bad: connect again, same uid", lambda: play.signal.connect(second, dispatch_uid=["uid"]))
    play.do("bad: connect(uid={'a': 1})", lambda: play.signal.connect(second, dispatch_uid={"a": 1}))
    play.do("send", lambda: play.signal.send(None))
    play.do("bad: disconnect(uid=['uid'])", lambda: play.signal.disconnect(dispatch_uid=["uid"]))
    play.do("bad: disconnect(uid={'a': 1})", lambda: play.signal.disconnect(dispatch_uid={"a": 1}))
    play.do("send", lambda: play.signal.send(None))


def unhashable_sender(play: Play) -> None:
    listed = play.names.add([1, 2], "list-sender")
    odd = play.names.add(Unhashable(), "unhashable-sender")
    play.held.update(listed=listed, odd=odd)
    play.do("bad: connect(sender=[1, 2])", lambda: play.signal.connect(play.receiver("to-list"), sender=listed))
    play.do("bad: connect(sender=Unhashable())", lambda: play.signal.connect(play.receiver("to-odd"), sender=odd))
    play.do("bad: has_listeners([1, 2])", lambda: play.signal.has_listeners(listed))
    play.do("bad: send([1, 2])", lambda: play.signal.send(listed))
    play.do("bad: send_robust(Unhashable())", lambda: play.signal.send_robust(odd))
    play.do("bad: disconnect(sender=[1, 2])", lambda: play.signal.disconnect(play.held["to-list"], sender=listed))
    play.do("bad: disconnect(sender=Unhashable())", lambda: play.signal.disconnect(play.held["to-odd"], sender=odd))


def cached_unusable_senders(play: Play) -> None:
    odd = play.names.add(Unhashable(), "unhashable-sender")
    for sender, name in ((None, "None"), (7, "7"), (odd, "Unhashable()")):
        play.do(f"bad: send({name}) with nothing connected", lambda sender=sender: play.signal.send(sender))
        play.do(f"bad: has_listeners({name}) with nothing connected", lambda sender=sender: play.signal.has_listeners(sender))
    play.signal.connect(play.receiver("any"))
    for sender, name in ((None, "None"), (7, "7"), (odd, "Unhashable()")):
        play.do(f"bad: send({name})", lambda sender=sender: play.signal.send(sender))
        play.do(f"bad: send_robust({name})", lambda sender=sender: play.signal.send_robust(sender))
        play.do(f"bad: has_listeners({name})", lambda sender=sender: play.signal.has_listeners(sender))


def bad_send_arguments(play: Play) -> None:
    play.signal.connect(play.receiver("any"))
    play.do("bad: send()", lambda: play.signal.send())
    play.do("bad: send_robust()", lambda: play.signal.send_robust())
    play.do("bad: send(None, 1)", lambda: play.signal.send(None, 1))
    play.do("bad: send_robust(None, 1, 2)", lambda: play.signal.send_robust(None, 1, 2))
    play.do("bad: send(None, sender=1)", lambda: play.signal.send(None, sender=1))
    play.do("bad: send(None, **{1: 2})", lambda: play.signal.send(None, **{1: 2}))
    play.do("bad: has_listeners(None, 1)", lambda: play.signal.has_listeners(None, 1))
    play.do("bad: connect()", lambda: play.signal.connect())
    play.do("bad: disconnect(None, None, None, None)", lambda: play.signal.disconnect(None, None, None, None))


def signal_keyword(play: Play) -> None:
    play.signal.connect(play.receiver("any"))
    play.do("bad: send(None, signal=1)", lambda: play.signal.send(None, signal=1))
    play.do("bad: send_robust(None, signal=1)", lambda: play.signal.send_robust(None, signal=1))


def base_exceptions_under_send_robust(play: Play) -> None:
    play.signal.connect(play.receiver("before"))
    play.signal.connect(_interrupt)
    play.do("bad: send_robust (KeyboardInterrupt)", lambda: play.signal.send_robust(None))
    play.do("bad: send (KeyboardInterrupt)", lambda: play.signal.send(None))
    play.signal.disconnect(_interrupt)
    play.signal.connect(_exit)
    play.do("bad: send_robust (SystemExit)", lambda: play.signal.send_robust(None))
    play.signal.disconnect(_exit)


def _garbage_cases() -> list[tuple[str, Any]]:
    wrong_length = (("key", 0), plain, False, False, False)[: RECEIVER_TUPLE_LEN - 1]
    too_long = ((0, id(None)), plain) + (None, False, False, False)[: RECEIVER_TUPLE_LEN - 1]
    padding = (None, False)[4 - RECEIVER_TUPLE_LEN:]
    return [
        ("1", 1),
        ("None", None),
        ("(1, 2)", (1, 2)),
        ("'ab'", "ab"),
        ("tuple one short", wrong_length),
        ("tuple one long", too_long),
        ("key not a tuple", ("key", plain, *padding)),
        ("key of length 3", ((1, 2, 3), plain, *padding)),
        ("non-callable receiver for any sender", ((1, id(None)), 5, *padding)),
        ("dead-looking receiver", ((1, id(None)), None, *padding)),
    ]


GARBAGE = _garbage_cases()


def garbage_item(position: int, garbage: Any) -> Callable[[Play], None]:
    def edit(play: Play) -> None:
        kept = play.receiver("kept")
        model = play.sender("model")
        play.signal.connect(kept)
        play.signal.receivers.insert(position, garbage)
        garbage_list = play.signal.receivers
        play.do("bad: send", lambda: play.signal.send(model))
        play.do("bad: send_robust", lambda: play.signal.send_robust(model))
        play.do("bad: has_listeners", lambda: play.signal.has_listeners(model))
        play.do("bad: connect", lambda: play.signal.connect(play.receiver("new")))
        play.do("bad: disconnect kept", lambda: play.signal.disconnect(kept))
        play.do("bad: disconnect unknown", lambda: play.signal.disconnect(dispatch_uid="unknown"))
        # The third party notices and removes its garbage.
        play.signal.receivers = [item for item in garbage_list if item is not garbage]

    return edit


def receivers_replaced(value: Callable[[Play], Any]) -> Callable[[Play], None]:
    def edit(play: Play) -> None:
        model = play.sender("model")
        play.signal.connect(play.receiver("kept"))
        saved = play.signal.receivers
        play.signal.receivers = value(play)
        play.do("bad: send", lambda: play.signal.send(model))
        play.do("bad: send_robust", lambda: play.signal.send_robust(model))
        play.do("bad: has_listeners", lambda: play.signal.has_listeners(model))
        play.do("bad: connect", lambda: play.signal.connect(play.receiver("new")))
        play.do("bad: disconnect", lambda: play.signal.disconnect(play.held["kept"]))
        play.signal.receivers = saved

    return edit


def cache_replaced(value: Any) -> Callable[[Play], None]:
    def edit(play: Play) -> None:
        model = play.sender("model")
        play.signal.connect(play.receiver("kept"))
        saved = play.signal.sender_receivers_cache
        play.signal.sender_receivers_cache = value
        play.do("bad: send", lambda: play.signal.send(model))
        play.do("bad: has_listeners", lambda: play.signal.has_listeners(model))
        play.do("bad: connect", lambda: play.signal.connect(play.receiver("new")))
        play.signal.sender_receivers_cache = saved

    return edit


CASES: dict[str, Callable[[Play], None]] = {
    case.__name__: case
    for case in [
        weak_unweakrefable,
        weak_temporary_builtin_method,
        strong_non_callable,
        robust_failure_without_qualname,
        unhashable_dispatch_uid,
        unhashable_sender,
        cached_unusable_senders,
        bad_send_arguments,
        signal_keyword,
        base_exceptions_under_send_robust,
    ]
}
for _name, _garbage in GARBAGE:
    CASES[f"receivers + [{_name}]"] = garbage_item(1, _garbage)
    CASES[f"[{_name}] + receivers"] = garbage_item(0, _garbage)
CASES["receivers = tuple(receivers)"] = receivers_replaced(lambda play: tuple(play.signal.receivers))
CASES["receivers = None"] = receivers_replaced(lambda play: None)
CASES["receivers = {}"] = receivers_replaced(lambda play: {})
CASES["receivers = list subclass"] = receivers_replaced(lambda play: type("Receivers", (list,), {})(play.signal.receivers))
CASES["sender_receivers_cache = None"] = cache_replaced(None)
CASES["sender_receivers_cache = []"] = cache_replaced([])


def play_case(signal_class: type, case: Callable[[Play], None], use_caching: bool) -> list[Any]:
    def script(play: Play) -> None:
        case(play)
        still_usable(play)

    return Play(signal_class, use_caching).play(script)


@pytest.mark.usefixtures("quiet_dispatch_log")
@pytest.mark.parametrize("use_caching", [False, True], ids=["uncached", "cached"])
@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_matches_django(
    engine: Any, case: str, use_caching: bool
) -> None:
    expected = play_case(DjangoSignal, CASES[case], use_caching)
    assert play_case(engine.Signal, CASES[case], use_caching) == expected


@pytest.mark.usefixtures("debug_settings")
@pytest.mark.parametrize("case", DEBUG_CASES, ids=[case.__name__ for case in DEBUG_CASES])
def test_bad_receiver_under_debug_matches_django(engine: Any, case: Callable[[Play], None]) -> None:
    expected = play_case(DjangoSignal, case, False)
    assert play_case(engine.Signal, case, False) == expected


# A crash takes the interpreter with it, so these run in a child process each.
_CHILD = """
import sys
import django
from django.conf import settings
settings.configure()
django.setup()
from django.dispatch import Signal as DjangoSignal
from fastsignals import _signal_py
try:
    from fastsignals import _signal_c
except ImportError:
    _signal_c = None
signal_class = {"django": DjangoSignal, "py": _signal_py.Signal, "c": getattr(_signal_c, "Signal", None)}[sys.argv[1]]
garbage, dead_flag = eval(sys.argv[2]), sys.argv[3] == "flagged"

def plain(signal, sender, **kwargs):
    return "plain"

for operation in ("connect", "disconnect", "send", "has_listeners"):
    signal = signal_class()
    signal.connect(plain)
    signal.receivers.insert(0, garbage)
    signal._dead_receivers = dead_flag
    calls = {
        "connect": lambda: signal.connect(print, weak=False),
        "disconnect": lambda: signal.disconnect(print),
        "send": lambda: signal.send(None),
        "has_listeners": lambda: signal.has_listeners(),
    }
    try:
        result = repr(calls[operation]())
    except Exception as err:
        result = f"{type(err).__name__}: {err}"
    print(operation, result, flush=True)
"""


def _child(impl_name: str, garbage: str, dead_flag: str) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, impl_name, garbage, dead_flag],
        capture_output=True, text=True, timeout=120, check=False,
    )
    return done.returncode, done.stdout


@pytest.mark.parametrize("dead_flag", ["flagged", "unflagged"])
@pytest.mark.parametrize("garbage", ["()", "(1,)", "((0, id(None)), None)", "((0, id(None)), None, None)"])
def test_short_tuples_in_receivers_do_not_crash(engine: Any, garbage: str, dead_flag: str) -> None:
    """Items too short for the version's tuple shape, met while purging or scanning: Django raises."""
    expected = _child("django", garbage, dead_flag)
    assert expected[0] == 0
    assert _child(engine.name, garbage, dead_flag) == expected
