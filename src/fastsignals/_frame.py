"""The Python methods around the compiled engine: Django's frames and signatures.

Django's receivers run with exactly one frame between them and the caller of
send(): the method itself. Receivers rely on it (``warnings.warn(stacklevel=N)``,
``logging`` with ``stacklevel``). The compiled send methods find the receivers in C
and call them from the small Python functions receiver_frames() makes, named send
and send_robust. Calls the C methods leave alone go to the methods keep_frame()
makes, with Django's signature, so Python binds them and words their errors as on
Django. connect() and disconnect() are Python functions for the same reason.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Callable

Loop = Callable[[Any, Any, "dict[str, Any]", bool], "list[tuple[Any, Any]]"]
CallReceivers = Callable[[Any, Any, Any, Any, "dict[str, Any]", bool], "list[tuple[Any, Any]]"]


def _receiver_traceback(tb: TracebackType | None, engine_file: str) -> TracebackType | None:
    # Skip this frame's own entry and the compiled loop's: re-raising here puts the
    # traceback back in Django's shape, caller -> send -> receiver.
    tb = tb.tb_next if tb is not None else None
    while tb is not None and tb.tb_frame.f_code.co_filename == engine_file:
        tb = tb.tb_next
    return tb


def keep_frame(loop: Loop, engine_file: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """send and send_robust methods around ``loop(signal, sender, named, robust)``,
    with Django's signature: the compiled methods stand for these and call them for
    any call they do not bind themselves."""

    def send(self: Any, sender: Any, **named: Any) -> list[tuple[Any, Any]]:
        """Call every receiver for sender and return [(receiver, response), ...].

        Synchronous receivers run first, in connection order; the async ones then
        run concurrently. The first exception a receiver raises propagates and
        ends the dispatch.
        """
        try:
            return loop(self, sender, named, False)
        except BaseException as err:
            raise err.with_traceback(_receiver_traceback(err.__traceback__, engine_file))

    def send_robust(self: Any, sender: Any, **named: Any) -> list[tuple[Any, Any]]:
        """As send(), but an Exception a receiver raises is logged and returned as its response.

        BaseExceptions that are not Exceptions (KeyboardInterrupt...) still propagate.
        """
        try:
            return loop(self, sender, named, True)
        except BaseException as err:
            raise err.with_traceback(_receiver_traceback(err.__traceback__, engine_file))

    for method in (send, send_robust):
        method.__qualname__ = f"Signal.{method.__name__}"
    return send, send_robust


def receiver_frames(call_receivers: CallReceivers, engine_file: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The frames the compiled send() and send_robust() call receivers in.

    The compiled method finds the receivers before any frame; when there are some,
    it calls one of these with them and the caller's named arguments (or, in place
    of the receivers, the error met on the way, raised here). The receivers then see
    send() or send_robust() right above them, with Django's locals self, sender,
    named, sync_receivers and async_receivers, and the caller right above that.
    """

    def send(self: Any, sender: Any, sync_receivers: Any, async_receivers: Any, /, **named: Any) -> list[tuple[Any, Any]]:
        try:
            return call_receivers(self, sender, sync_receivers, async_receivers, named, False)
        except BaseException as err:
            if err is sync_receivers:
                del sync_receivers  # held by its own traceback's frame, the error would live in a cycle
            raise err.with_traceback(_receiver_traceback(err.__traceback__, engine_file))

    def send_robust(
        self: Any, sender: Any, sync_receivers: Any, async_receivers: Any, /, **named: Any
    ) -> list[tuple[Any, Any]]:
        try:
            return call_receivers(self, sender, sync_receivers, async_receivers, named, True)
        except BaseException as err:
            if err is sync_receivers:
                del sync_receivers  # held by its own traceback's frame, the error would live in a cycle
            raise err.with_traceback(_receiver_traceback(err.__traceback__, engine_file))

    for method in (send, send_robust):
        method.__qualname__ = f"Signal.{method.__name__}"
    return send, send_robust


def keep_signatures(
    prepare: Callable[[Any, Any, Any, Any, Any], tuple[Any, Any]],
    add: Callable[[Any, Any, Any], None],
    disconnect_impl: Callable[[Any, Any, Any, Any], bool],
) -> tuple[Callable[..., None], Callable[..., bool]]:
    """connect and disconnect methods with Django's signatures around the compiled ones."""

    def connect(self: Any, receiver: Any, sender: Any = None, weak: bool = True, dispatch_uid: Any = None) -> None:
        """Connect receiver to sender (None: any sender); a second connect of the same key is ignored."""
        # Rebinding drops this frame's reference before the sender's weak reference is
        # made, as Django does: a receiver that dies right here is purged, not appended.
        receiver, receiver_object = prepare(self, receiver, sender, weak, dispatch_uid)
        add(self, receiver, sender)

    def disconnect(self: Any, receiver: Any = None, sender: Any = None, dispatch_uid: Any = None) -> bool:
        """Disconnect the first receiver with this key; return whether one was removed."""
        return disconnect_impl(self, receiver, sender, dispatch_uid)

    for method in (connect, disconnect):
        method.__qualname__ = f"Signal.{method.__name__}"
    return connect, disconnect
