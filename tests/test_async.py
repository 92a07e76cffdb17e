"""asend(), asend_robust(), and async receivers reached from send().

Django 6.1 runs the async receivers in a TaskGroup that shares one copied context
(and puts the context's changes back for the caller); 5.2 and 6.0 use
asyncio.gather with a context per task. Each test states the installed version's
outcome and checks stock Django gives it too.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import logging
import traceback
import warnings
from collections.abc import Callable
from typing import Any

import pytest

django = pytest.importorskip("django")

from asgiref.sync import markcoroutinefunction  # noqa: E402
from django.dispatch import Signal as DjangoSignal  # noqa: E402

#: Django 6.1 runs async receivers in a TaskGroup sharing one context.
TASK_GROUP = django.VERSION[:2] >= (6, 1)

VAR: contextvars.ContextVar[str] = contextvars.ContextVar("fastsignals_tests_var")


class Sender:
    pass


def frame_names(err: BaseException) -> list[str]:
    return [entry.name for entry in traceback.extract_tb(err.__traceback__)]


def sync_receiver(**kwargs: Any) -> str:
    return "sync"


def other_sync_receiver(**kwargs: Any) -> str:
    return "other sync"


async def async_receiver(**kwargs: Any) -> str:
    await asyncio.sleep(0)
    return "async"


async def other_async_receiver(**kwargs: Any) -> str:
    return "other async"


def failing(**kwargs: Any) -> None:
    raise ValueError("sync boom")


async def async_failing(**kwargs: Any) -> None:
    raise ValueError("async boom")


async def other_async_failing(**kwargs: Any) -> None:
    raise KeyError("other async boom")


def connected(signal_class: type, *receivers: Any, use_caching: bool = False) -> Any:
    signal = signal_class(use_caching=use_caching)
    for receiver in receivers:
        signal.connect(receiver)
    return signal


@pytest.mark.parametrize("use_caching", [False, True])
def test_asend_sync_first_then_async(impl: Any, use_caching: bool) -> None:
    signal = connected(
        impl.Signal, async_receiver, sync_receiver, other_async_receiver, other_sync_receiver, use_caching=use_caching
    )
    expected = [
        (sync_receiver, "sync"),
        (other_sync_receiver, "other sync"),
        (async_receiver, "async"),
        (other_async_receiver, "other async"),
    ]
    sender = Sender()
    assert asyncio.run(signal.asend(sender)) == expected
    assert asyncio.run(signal.asend_robust(sender)) == expected
    assert signal.send(sender) == expected
    assert signal.send_robust(sender) == expected


def test_asend_arguments(impl: Any) -> None:
    calls = []

    def sync_spy(**kwargs: Any) -> None:
        calls.append(("sync", kwargs))

    async def async_spy(**kwargs: Any) -> None:
        calls.append(("async", kwargs))

    signal = connected(impl.Signal, sync_spy, async_spy)
    sender = Sender()
    asyncio.run(signal.asend(sender, a=1))
    if not TASK_GROUP:
        calls.sort(key=lambda call: call[0] == "async")
    assert calls == [
        ("sync", {"signal": signal, "sender": sender, "a": 1}),
        ("async", {"signal": signal, "sender": sender, "a": 1}),
    ]


def test_asend_without_receivers(impl: Any) -> None:
    signal = impl.Signal()
    assert asyncio.run(signal.asend(None)) == []
    assert asyncio.run(signal.asend_robust(None)) == []
    signal = connected(impl.Signal, sync_receiver)
    assert asyncio.run(signal.asend(None)) == [(sync_receiver, "sync")]
    signal = connected(impl.Signal, async_receiver)
    assert asyncio.run(signal.asend(None)) == [(async_receiver, "async")]


def test_asend_respects_senders(impl: Any) -> None:
    signal = impl.Signal(use_caching=True)
    sender = Sender()
    signal.connect(sync_receiver, sender=sender)
    signal.connect(async_receiver, sender=sender)
    assert asyncio.run(signal.asend(Sender())) == []
    assert asyncio.run(signal.asend(sender)) == [(sync_receiver, "sync"), (async_receiver, "async")]


def test_async_receivers_are_flagged(impl: Any) -> None:
    @markcoroutinefunction
    def marked(**kwargs: Any) -> Any:
        return async_receiver(**kwargs)

    class Handler:
        async def method(self, **kwargs: Any) -> str:
            return "method"

    handler = Handler()
    signal = connected(impl.Signal, sync_receiver, async_receiver, marked, handler.method)
    reference = connected(DjangoSignal, sync_receiver, async_receiver, marked, handler.method)
    flags = [item[-1] for item in signal.receivers]
    assert flags == [item[-1] for item in reference.receivers]
    assert flags == [False, True, True, True]
    assert signal.send(None) == [
        (sync_receiver, "sync"),
        (async_receiver, "async"),
        (marked, "async"),
        (handler.method, "method"),
    ]


def test_asend_calls_sync_receivers_before_async_ones(impl: Any) -> None:
    events = []

    def sync_event(**kwargs: Any) -> None:
        events.append("sync")

    async def async_event(**kwargs: Any) -> None:
        events.append("async")

    signal = connected(impl.Signal, async_event, sync_event)
    asyncio.run(signal.asend(None))
    # 5.2 and 6.0 gather the sync batch with the async receivers: no order then.
    if TASK_GROUP:
        assert events == ["sync", "async"]
    else:
        assert sorted(events) == ["async", "sync"]


def context_after(signal_class: type, send: Callable[[Any], Any]) -> tuple[str, list[str]]:
    """What the caller and a second receiver see of a variable the first receiver set."""
    seen: list[str] = []

    async def setter(**kwargs: Any) -> None:
        VAR.set("set by receiver")
        await asyncio.sleep(0)

    async def reader(**kwargs: Any) -> None:
        seen.append(VAR.get("unset"))

    signal = connected(signal_class, setter, reader)

    def caller() -> str:
        send(signal)
        return VAR.get("unset")

    return contextvars.copy_context().run(caller), seen


def run_asend(signal: Any) -> None:
    async def main() -> str:
        await signal.asend(None)
        return VAR.get("unset")

    VAR.set(asyncio.run(main()))


@pytest.mark.parametrize(
    "send",
    [
        pytest.param(lambda signal: signal.send(None), id="send"),
        pytest.param(lambda signal: signal.send_robust(None), id="send_robust"),
        pytest.param(run_asend, id="asend"),
        pytest.param(lambda signal: asyncio.run(signal.asend_robust(None)), id="asend_robust_outside"),
    ],
)
def test_context_shared_and_restored(impl: Any, send: Callable[[Any], Any]) -> None:
    outcome = context_after(impl.Signal, send)
    assert outcome == context_after(DjangoSignal, send)
    if TASK_GROUP:
        assert outcome[1] == ["set by receiver"]
    else:
        assert outcome[1] == ["unset"]


def test_context_visible_to_the_caller_after_asend(impl: Any) -> None:
    def outcome(signal_class: type) -> str:
        async def setter(**kwargs: Any) -> None:
            VAR.set("set by receiver")

        signal = connected(signal_class, setter)

        async def main() -> str:
            await signal.asend(None)
            return VAR.get("unset")

        return asyncio.run(main())

    assert outcome(impl.Signal) == outcome(DjangoSignal)
    assert outcome(impl.Signal) == ("set by receiver" if TASK_GROUP else "unset")


def test_context_set_by_sync_receiver_in_asend(impl: Any) -> None:
    def outcome(signal_class: type) -> str:
        def setter(**kwargs: Any) -> None:
            VAR.set("set by sync receiver")

        signal = connected(signal_class, setter)

        async def main() -> str:
            await signal.asend(None)
            return VAR.get("unset")

        return asyncio.run(main())

    assert outcome(impl.Signal) == outcome(DjangoSignal)
    # 5.2 and 6.0 run the sync batch in a task of its own: its context is a copy.
    assert outcome(impl.Signal) == ("set by sync receiver" if TASK_GROUP else "unset")


def error_outcome(signal_class: type, call: Callable[[Any], Any], *receivers: Any) -> tuple[str, list[str]]:
    signal = connected(signal_class, *receivers)
    try:
        call(signal)
    except BaseException as err:
        if isinstance(err, BaseExceptionGroup):
            return type(err).__name__, sorted(str(inner) for inner in err.exceptions)
        return type(err).__name__, [str(err)]
    raise AssertionError("no error")


CALLS = [
    pytest.param(lambda signal: signal.send(None), id="send"),
    pytest.param(lambda signal: asyncio.run(signal.asend(None)), id="asend"),
]


@pytest.mark.parametrize("call", CALLS)
def test_lone_async_error_is_unwrapped(impl: Any, call: Callable[[Any], Any]) -> None:
    outcome = error_outcome(impl.Signal, call, sync_receiver, async_failing, async_receiver)
    assert outcome == error_outcome(DjangoSignal, call, sync_receiver, async_failing, async_receiver)
    assert outcome == ("ValueError", ["async boom"])


@pytest.mark.parametrize("call", CALLS)
def test_several_async_errors(impl: Any, call: Callable[[Any], Any]) -> None:
    outcome = error_outcome(impl.Signal, call, async_failing, other_async_failing)
    assert outcome == error_outcome(DjangoSignal, call, async_failing, other_async_failing)
    if TASK_GROUP:
        assert outcome == ("ExceptionGroup", ["'other async boom'", "async boom"])
    else:
        assert outcome == ("ValueError", ["async boom"])


def test_sync_error_in_asend_stops_before_async_receivers(impl: Any) -> None:
    calls = []

    async def async_spy(**kwargs: Any) -> None:
        calls.append("async")

    signal = connected(impl.Signal, failing, async_spy)
    with pytest.raises(ValueError, match="^sync boom$"):
        asyncio.run(signal.asend(None))
    if TASK_GROUP:
        assert calls == []


def test_asend_robust_returns_errors_and_logs(impl: Any, caplog: pytest.LogCaptureFixture) -> None:
    signal = connected(impl.Signal, failing, sync_receiver, async_failing, async_receiver)
    with caplog.at_level(logging.ERROR, logger="django.dispatch"):
        responses = asyncio.run(signal.asend_robust(None))
    assert [receiver for receiver, _ in responses] == [failing, sync_receiver, async_failing, async_receiver]
    sync_error, async_error = responses[0][1], responses[2][1]
    assert type(sync_error) is ValueError and str(sync_error) == "sync boom"
    assert type(async_error) is ValueError and str(async_error) == "async boom"
    assert responses[1][1] == "sync" and responses[3][1] == "async"
    records = [record for record in caplog.records if record.name == "django.dispatch"]
    # 5.2 and 6.0 run the sync batch concurrently with the async receivers.
    if not TASK_GROUP:
        records.sort(key=lambda record: record.getMessage().startswith("Error calling async"))
    assert [record.getMessage() for record in records] == [
        "Error calling failing in Signal.send_robust() (sync boom)",
        "Error calling async_failing in Signal.send_robust() (async boom)",
    ]
    assert [record.exc_info[1] for record in records] == [sync_error, async_error]  # type: ignore[index]


def test_send_robust_with_async_receivers(impl: Any, caplog: pytest.LogCaptureFixture) -> None:
    signal = connected(impl.Signal, async_failing, sync_receiver, async_receiver)
    with caplog.at_level(logging.ERROR, logger="django.dispatch"):
        responses = signal.send_robust(None)
    assert [receiver for receiver, _ in responses] == [sync_receiver, async_failing, async_receiver]
    assert str(responses[1][1]) == "async boom"
    assert [record.getMessage() for record in caplog.records if record.name == "django.dispatch"] == [
        "Error calling async_failing in Signal.send_robust() (async boom)",
    ]


def robust_traceback_names(signal_class: type, call: Callable[[Any], Any]) -> list[list[str]]:
    signal = connected(signal_class, failing, async_failing)
    return [frame_names(error) for _, error in call(signal)]


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda signal: signal.send_robust(None), id="send_robust"),
        pytest.param(lambda signal: asyncio.run(signal.asend_robust(None)), id="asend_robust"),
    ],
)
def test_robust_traceback_names(impl: Any, call: Callable[[Any], Any]) -> None:
    names = robust_traceback_names(impl.Signal, call)
    assert names == robust_traceback_names(DjangoSignal, call)
    assert [frames[-1] for frames in names] == ["failing", "async_failing"]


def raised_traceback(signal_class: type, call: Callable[[Any], Any], receiver: Any) -> tuple[list[str], Any]:
    signal = connected(signal_class, sync_receiver, receiver)
    with pytest.raises(ValueError) as raised:
        call(signal)
    return frame_names(raised.value), type(raised.value.__context__)


@pytest.mark.parametrize("receiver", [failing, async_failing], ids=["sync", "async"])
@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda signal: signal.send(None), id="send"),
        pytest.param(lambda signal: asyncio.run(signal.asend(None)), id="asend"),
    ],
)
def test_raised_traceback_names(impl: Any, call: Callable[[Any], Any], receiver: Any) -> None:
    # Every entry, asgiref's and asyncio's included: the receivers run right below
    # the method that was called, as on Django.
    names, context = raised_traceback(impl.Signal, call, receiver)
    assert (names, context) == raised_traceback(DjangoSignal, call, receiver)
    assert names[-1] == receiver.__name__


def failed_call(signal_class: type, call: Callable[[Any], Any], receivers: tuple[Any, ...]) -> tuple[Any, ...]:
    signal = connected(signal_class, *receivers)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(TypeError) as raised:
            call(signal)
        names, message = frame_names(raised.value), str(raised.value)
        del raised
        gc.collect()
    return names, message, [str(warning.message) for warning in caught]


@pytest.mark.parametrize(
    "receivers", [(async_receiver,), (sync_receiver, async_receiver)], ids=["async", "sync-and-async"]
)
@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda signal: signal.send(None, signal=1), id="send"),
        pytest.param(lambda signal: asyncio.run(signal.asend(None, signal=1)), id="asend"),
    ],
)
def test_async_receiver_whose_call_fails(impl: Any, call: Callable[[Any], Any], receivers: tuple[Any, ...]) -> None:
    # The call fails before a coroutine exists: in <genexpr> right below asend, and on
    # 5.2/6.0 asend() leaves its sync batch's coroutine unawaited, named as Django's.
    outcome = failed_call(impl.Signal, call, receivers)
    assert outcome == failed_call(DjangoSignal, call, receivers)
    if receivers == (async_receiver,):
        assert outcome[0][-2:] == ["asend", "<genexpr>"]


def test_asend_propagates_base_exceptions_from_sync_receivers(impl: Any) -> None:
    class Stop(BaseException):
        pass

    def stopping(**kwargs: Any) -> None:
        raise Stop

    signal = connected(impl.Signal, stopping)
    with pytest.raises(Stop):
        asyncio.run(signal.asend_robust(None))


def test_send_with_async_receivers_inside_an_event_loop(impl: Any) -> None:
    def outcome(signal_class: type) -> tuple[str, str]:
        signal = connected(signal_class, async_receiver)

        async def main() -> None:
            signal.send(None)

        try:
            asyncio.run(main())
        except RuntimeError as err:
            return type(err).__name__, str(err)
        raise AssertionError("no error")

    assert outcome(impl.Signal) == outcome(DjangoSignal)
