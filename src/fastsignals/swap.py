"""install() / uninstall(): route every django.dispatch.Signal through the fastsignals engine.

install() replaces the engine methods on django.dispatch.Signal itself, so every
instance (built-in, ModelSignal, third-party; made before or after the call) uses
them. The signals' state (``receivers``, ``lock``, ``sender_receivers_cache``) keeps
Django's format, so receivers connected earlier still fire, in the same order, and
uninstall() puts the stock methods back with nothing to convert.
"""

from __future__ import annotations

import threading
from typing import Any

from . import _semantics
from .signal import Signal

__all__ = ["install", "uninstall", "is_installed"]

#: The methods that make up the engine; everything else stays Django's.
ENGINE_METHODS = (
    "connect",
    "disconnect",
    "send",
    "send_robust",
    "_clear_dead_receivers",
    "_live_receivers",
)

_lock = threading.Lock()
# name -> the attribute django.dispatch.Signal had before install(); empty when not installed.
_replaced: dict[str, Any] = {}
_engine: type | None = None


def _django_signal() -> type:
    django_signal: type | None = _semantics.DjangoSignal
    if django_signal is None:
        raise ImportError("fastsignals.install() needs Django, and Django is not installed.")
    return django_signal


def _is_stock(name: str, attribute: Any) -> bool:
    # Another library's wrapper (sentry-sdk wraps _live_receivers) stays in place:
    # it calls the stock method, which works on the same state as ours.
    return getattr(attribute, "__module__", None) == "django.dispatch.dispatcher" and getattr(
        attribute, "__qualname__", None
    ) == f"Signal.{name}"


def install(engine: type | None = None) -> None:
    """Make every django.dispatch.Signal dispatch through fastsignals. Idempotent.

    ``engine`` picks the fastsignals Signal class whose methods are used; the
    default is ``fastsignals.Signal`` (compiled unless FASTSIGNALS_NO_EXTENSIONS).
    """
    global _engine
    django_signal = _django_signal()
    engine = engine or Signal
    with _lock:
        if _engine is engine:
            return
        _restore(django_signal)
        for name in ENGINE_METHODS:
            current = django_signal.__dict__[name]
            if _is_stock(name, current):
                _replaced[name] = current
                setattr(django_signal, name, engine.__dict__[name])
        _engine = engine


def uninstall() -> None:
    """Put Django's stock methods back and drop the indexes built on its signals."""
    global _engine
    django_signal = _django_signal()
    with _lock:
        _restore(django_signal)
        _engine = None


def is_installed() -> bool:
    """Whether install() is in effect."""
    return _engine is not None


def _restore(django_signal: type) -> None:
    for name, original in _replaced.items():
        # A wrapper set over ours after install() (sentry-sdk does this) stays: it is
        # the newest word on that method, and ours underneath works on stock state.
        if _engine is None or django_signal.__dict__.get(name) is _engine.__dict__[name]:
            setattr(django_signal, name, original)
    _replaced.clear()
    for signal in list(_semantics.INDEXED):
        # A stale index would keep tuples that stock code removes from receivers alive.
        # Its class's own hooks (__getattribute__, __delattr__, a __dict__ property) see
        # nothing of it, as they saw nothing of its making.
        if not issubclass(type(signal), _engines()):
            try:
                object.__delattr__(signal, _semantics.INDEX_ATTR)
            except AttributeError:
                pass
            _semantics.INDEXED.discard(signal)


def _engines() -> tuple[type, ...]:
    from . import _signal_py

    engines: list[type] = [_signal_py.Signal]
    try:
        from . import _signal_c
    except ImportError:
        pass
    else:
        engines.append(_signal_c.Signal)
    return tuple(engines)
