"""The Python methods around the compiled engine: Django's frames and signatures.

Django's receivers run with exactly one frame between them and the caller of
send(): the method itself. Receivers rely on it (``warnings.warn(stacklevel=N)``,
``logging`` with ``stacklevel``), so the compiled send methods are these small
Python functions, each calling the C loop once. connect() and disconnect() are
Python functions too, so a bad call is worded by Python exactly as on Django.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Callable

from ._semantics import call_receiver, name_as_method

Loop = Callable[[Any, Any, "dict[str, Any]", bool], "list[tuple[Any, Any]]"]


def _receiver_traceback(tb: TracebackType | None, engine_file: str) -> TracebackType | None:
    # Skip this frame's own entry, the compiled loop's and call_receiver's (whose call
    # fails on a duplicate keyword): re-raising here puts the traceback back in
    # Django's shape, caller -> send -> receiver.
    tb = tb.tb_next if tb is not None else None
    while tb is not None and (
        tb.tb_frame.f_code.co_filename == engine_file or tb.tb_frame.f_code is call_receiver.__code__
    ):
        tb = tb.tb_next
    return tb


def keep_frame(loop: Loop, engine_file: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """send and send_robust methods around ``loop(signal, sender, named, robust)``."""

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
        name_as_method(method, loop.__module__, method.__name__)
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
        name_as_method(method, add.__module__, method.__name__)
    return connect, disconnect
