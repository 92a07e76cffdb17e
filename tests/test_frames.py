"""What a receiver sees of the stack: exactly one frame, send() or send_robust(), above it.

Code relies on that depth: ``warnings.warn(stacklevel=N)``, ``logging`` with
``stacklevel``, ``sys._getframe(N)``, and the tracebacks of receiver errors.
"""

from __future__ import annotations

import gc
import logging
import re
import sys
import traceback
import warnings
import weakref
from typing import Any

import pytest

pytest.importorskip("django")

from django.dispatch import Signal as DjangoSignal  # noqa: E402


class Sender:
    pass


def frame_names(err: BaseException) -> list[str]:
    return [entry.name for entry in traceback.extract_tb(err.__traceback__)]


def current_line() -> int:
    return sys._getframe(1).f_lineno


@pytest.fixture(params=[False, True], ids=["uncached", "cached"])
def signal(impl: Any, request: pytest.FixtureRequest) -> Any:
    return impl.Signal(use_caching=request.param)


@pytest.fixture(params=["any", "specific"])
def sender(request: pytest.FixtureRequest) -> Sender:
    return Sender()


@pytest.fixture
def connect(signal: Any, sender: Sender, request: pytest.FixtureRequest) -> Any:
    """Connects a receiver for any sender or for the test's sender."""
    specific = request.node.callspec.params["sender"] == "specific"

    def connect(receiver: Any) -> None:
        signal.connect(receiver, sender=sender if specific else None, weak=False)

    return connect


@pytest.mark.parametrize("method", ["send", "send_robust"])
def test_receiver_called_directly_from_send(signal: Any, sender: Sender, connect: Any, method: str) -> None:
    seen = []

    def receiver(**kwargs: Any) -> None:
        outer = sys._getframe(1)
        seen.append((outer.f_code.co_name, outer.f_locals["self"], outer.f_locals["sender"], sys._getframe(2)))

    connect(receiver)
    caller = sys._getframe(0)
    getattr(signal, method)(sender)
    assert seen == [(method, signal, sender, caller)]


@pytest.mark.parametrize("method", ["send", "send_robust"])
def test_warning_stacklevel(signal: Any, sender: Sender, connect: Any, method: str) -> None:
    def receiver(**kwargs: Any) -> None:
        warnings.warn("in send", UserWarning, stacklevel=2)
        warnings.warn("at caller", UserWarning, stacklevel=3)

    connect(receiver)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = current_line() + 1
        getattr(signal, method)(sender)
    in_send, at_caller = caught
    method_code = getattr(type(signal), method).__code__
    # stacklevel=2 names the send method's own file and a line inside it.
    assert in_send.filename == method_code.co_filename
    assert method_code.co_firstlineno < in_send.lineno
    assert (at_caller.filename, at_caller.lineno) == (__file__, line)


@pytest.mark.parametrize("method", ["send", "send_robust"])
def test_logging_stacklevel(
    signal: Any, sender: Sender, connect: Any, method: str, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger("fastsignals.tests.frames")

    def receiver(**kwargs: Any) -> None:
        logger.warning("receiver")
        logger.warning("send", stacklevel=2)
        logger.warning("caller", stacklevel=3)

    connect(receiver)
    with caplog.at_level(logging.WARNING, logger=logger.name):
        line = current_line() + 1
        getattr(signal, method)(sender)
    records = [record for record in caplog.records if record.name == logger.name]
    assert [record.funcName for record in records] == [
        "receiver",
        method,
        "test_logging_stacklevel",
    ]
    assert (records[2].pathname, records[2].lineno) == (__file__, line)


def test_send_traceback(signal: Any, sender: Sender, connect: Any) -> None:
    def failing(**kwargs: Any) -> None:
        raise ValueError("boom")

    connect(failing)
    with pytest.raises(ValueError) as raised:
        signal.send(sender)
    assert frame_names(raised.value) == ["test_send_traceback", "send", "failing"]
    assert raised.value.__context__ is None
    assert raised.value.__cause__ is None


def test_send_traceback_of_a_nested_error(signal: Any, sender: Sender, connect: Any) -> None:
    def helper() -> None:
        raise KeyError("deep")

    def failing(**kwargs: Any) -> None:
        try:
            helper()
        except KeyError as err:
            raise ValueError("wrapped") from err

    connect(failing)
    with pytest.raises(ValueError) as raised:
        signal.send(sender)
    assert frame_names(raised.value) == ["test_send_traceback_of_a_nested_error", "send", "failing"]
    cause = raised.value.__cause__
    assert isinstance(cause, KeyError)
    assert frame_names(cause) == ["failing", "helper"]


def test_send_robust_traceback(signal: Any, sender: Sender, connect: Any) -> None:
    def helper() -> None:
        raise KeyError("deep")

    def failing(**kwargs: Any) -> None:
        raise ValueError("boom")

    def nested(**kwargs: Any) -> None:
        helper()

    connect(failing)
    connect(nested)
    (_, shallow), (_, deep) = signal.send_robust(sender)
    assert frame_names(shallow) == ["send_robust", "failing"]
    assert frame_names(deep) == ["send_robust", "nested", "helper"]
    assert shallow.__traceback__.tb_frame.f_locals["self"] is signal
    assert shallow.__context__ is None


def test_send_robust_traceback_of_a_builtin_receiver(signal: Any, sender: Sender, connect: Any) -> None:
    receiver = int
    connect(receiver)
    with pytest.raises(TypeError) as direct:
        receiver(signal=signal, sender=sender)
    ((_, error),) = signal.send_robust(sender)
    assert type(error) is TypeError
    assert str(error) == str(direct.value)
    assert frame_names(error) == ["send_robust"]


def test_base_exception_traceback_from_send_robust(signal: Any, sender: Sender, connect: Any) -> None:
    class Stop(BaseException):
        pass

    def stopping(**kwargs: Any) -> None:
        raise Stop

    connect(stopping)
    with pytest.raises(Stop) as raised:
        signal.send_robust(sender)
    assert frame_names(raised.value) == [
        "test_base_exception_traceback_from_send_robust",
        "send_robust",
        "stopping",
    ]


class Unhashable:
    __hash__ = None  # type: ignore[assignment]


@pytest.mark.parametrize("method", ["send", "send_robust"])
def test_error_before_any_receiver_runs(impl: Any, method: str) -> None:
    # An error met before any receiver is called reaches the caller through send()'s
    # frame, and nothing keeps the sender alive once the error is dropped.
    signal = impl.Signal(use_caching=True)
    signal.connect(lambda **kwargs: None, weak=False)
    sender = Unhashable()
    alive = weakref.ref(sender)
    gc.disable()
    try:
        with pytest.raises(TypeError, match="^unhashable type: 'Unhashable'$") as raised:
            getattr(signal, method)(sender)
        names = frame_names(raised.value)
        del raised, sender
        assert alive() is None
    finally:
        gc.enable()
    assert names == ["test_error_before_any_receiver_runs", method, "get"]


class RefusesWeakReferences:
    __slots__ = ()


class FailingHash:
    def __hash__(self) -> int:
        raise KeyError("no hash")


def sender_error(signal_class: type, use_caching: bool, method: str, sender: Any) -> tuple[Any, ...]:
    signal = signal_class(use_caching=use_caching)
    signal.connect(lambda **kwargs: None, weak=False)
    with pytest.raises((TypeError, KeyError)) as raised:
        getattr(signal, method)(sender)
    return type(raised.value), str(raised.value), frame_names(raised.value), type(raised.value.__context__)


@pytest.mark.parametrize(
    ("sender_class", "use_caching"),
    [
        (Unhashable, False),
        (FailingHash, False),
        (Unhashable, True),
        (RefusesWeakReferences, True),
        (int, True),
        (FailingHash, True),
    ],
)
@pytest.mark.parametrize("method", ["send", "send_robust"])
def test_traceback_of_a_sender_the_cache_refuses(
    impl: Any, sender_class: type, use_caching: bool, method: str
) -> None:
    # With caching, the weak reference and the hash are made in WeakKeyDictionary.get(),
    # whose frame is in the traceback; without, the hash is taken in send() itself.
    sender = sender_class()
    error = sender_error(impl.Signal, use_caching, method, sender)
    assert error == sender_error(DjangoSignal, use_caching, method, sender)
    assert error[2][:2] == ["sender_error", method]


@pytest.mark.parametrize("method", ["send", "send_robust"])
def test_traceback_of_a_duplicate_signal_keyword(signal: Any, sender: Sender, connect: Any, method: str) -> None:
    connect(lambda **kwargs: None)
    expected = "<lambda>() got multiple values for keyword argument 'signal'"
    if method == "send":
        with pytest.raises(TypeError, match=f"{re.escape(expected)}$") as raised:
            signal.send(sender, signal=1)
        assert frame_names(raised.value) == ["test_traceback_of_a_duplicate_signal_keyword", "send"]
    else:
        ((_, error),) = signal.send_robust(sender, signal=1)
        assert str(error).endswith(expected)
        assert frame_names(error) == ["send_robust"]


@pytest.mark.parametrize("method", ["send", "send_robust"])
def test_send_frame_code_is_named_as_djangos(signal: Any, sender: Sender, connect: Any, method: str) -> None:
    # What profilers and Python 3.13's tracebacks read.
    seen = []

    def receiver(**kwargs: Any) -> None:
        code = sys._getframe(1).f_code
        seen.append((code.co_name, code.co_qualname))

    connect(receiver)
    getattr(signal, method)(sender)
    assert seen == [(method, f"Signal.{method}")]


@pytest.mark.parametrize("method", ["send", "send_robust"])
def test_send_frame_holds_the_named_arguments(signal: Any, sender: Sender, connect: Any, method: str) -> None:
    seen = []

    def receiver(**kwargs: Any) -> None:
        seen.append(sys._getframe(1).f_locals["named"])

    connect(receiver)
    getattr(signal, method)(sender, a=1, b=2)
    assert seen == [{"a": 1, "b": 2}]


class Noisy:
    """A sender whose hashing is Python code that looks at the stack."""

    def __init__(self) -> None:
        self.seen: list[list[str]] = []

    def __hash__(self) -> int:
        self.seen.append([sys._getframe(depth).f_code.co_name for depth in range(1, 6)])
        return 1


@pytest.mark.parametrize("method", ["send", "send_robust"])
def test_sender_code_runs_below_send(signal: Any, connect: Any, method: str) -> None:
    # Python code that looking the sender up runs (here its __hash__) finds send()
    # above it, as on Django.
    connect(lambda **kwargs: None)
    sender = Noisy()
    getattr(signal, method)(sender)
    assert sender.seen
    assert all(method in names for names in sender.seen)
