"""What both engines share: the behaviour of the installed Django version.

Django 5.2, 6.0 and 6.1 differ in their dispatcher internals. This module reads
the installed version once and exposes the few facts the engines branch on, plus
the parts of a signal whose cost is not in the dispatch loop (the DEBUG checks,
the async paths, failure logging). Without Django, the newest semantics apply.
"""

from __future__ import annotations

import asyncio
import builtins
import contextvars
import functools
import inspect
import logging
import sys
import threading
import weakref
from collections.abc import Callable, Coroutine, Iterable, Iterator
from types import FunctionType
from typing import TYPE_CHECKING, Any, TypeVar

from asgiref.sync import sync_to_async

try:
    import django
    from django import conf as django_conf
    from django.dispatch import Signal as DjangoSignal
    from django.dispatch import dispatcher as django_dispatcher
    from django.utils.functional import empty
except ImportError:
    django = None
    django_conf = None
    DjangoSignal = None
    django_dispatcher = None
    empty = None

__all__ = [
    "DJANGO_VERSION",
    "DjangoSignal",
    "INDEX_ATTR",
    "INDEXED",
    "SENDER_REFS",
    "FLAG_DEAD_RECEIVERS",
    "REF_CALLBACKS",
    "RECEIVER_TUPLE_LEN",
    "NONE_ID",
    "NO_RECEIVERS",
    "SignalBase",
    "make_id",
    "iscoroutinefunction",
    "call_receiver",
    "entry_of",
    "cache_entry_of",
    "first_of",
    "lookup_key_of",
    "check_receiver",
    "asend_for",
    "name_as_method",
    "own_methods",
]

logger = logging.getLogger("django.dispatch")

#: Where an engine keeps a signal's receiver index, in the signal's __dict__.
INDEX_ATTR = "_fastsignals_index"


class _Signals:
    """Signals held weakly and told apart by identity, never hashed: Django never hashes
    a signal, and a Signal subclass may be unhashable or hash in Python code."""

    def __init__(self) -> None:
        self._refs: dict[int, weakref.ref[Any]] = {}

    def add(self, signal: Any) -> None:
        key = id(signal)
        ref = self._refs.get(key)
        if ref is None or ref() is not signal:
            self._refs[key] = weakref.ref(signal, functools.partial(self._forget, key))

    def discard(self, signal: Any) -> None:
        ref = self._refs.get(id(signal))
        if ref is not None and ref() is signal:
            del self._refs[id(signal)]

    def __iter__(self) -> Iterator[Any]:
        live = [ref() for ref in list(self._refs.values())]
        return iter([signal for signal in live if signal is not None])

    def _forget(self, key: int, ref: weakref.ref[Any]) -> None:
        # A dead signal's entry goes, unless a new signal at its address replaced it.
        if self._refs.get(key) is ref:
            del self._refs[key]


#: Every signal that has an index, so uninstall() can drop those of stock signals.
INDEXED = _Signals()
#: Below this many receivers the engines scan, as Django does; from there on the
#: index counts the lookup keys so connect() and disconnect() need not.
SCAN_LIMIT = 8

#: (major, minor) of the installed Django, or None when Django is absent.
DJANGO_VERSION: tuple[int, int] | None = (
    (django.VERSION[0], django.VERSION[1]) if django is not None else None
)
_NEWEST = DJANGO_VERSION is None or DJANGO_VERSION >= (6, 0)

#: 6.x keeps a weak reference to each sender so receivers die with it.
SENDER_REFS: bool = _NEWEST
#: receivers tuples: (key, receiver, is_async) on 5.x, plus sender_ref on 6.x.
RECEIVER_TUPLE_LEN: int = 4 if SENDER_REFS else 3
#: The method weakref callbacks call to flag dead receivers (renamed in 6.0).
FLAG_DEAD_RECEIVERS: str = "_flag_dead_receivers" if _NEWEST else "_remove_receiver"
#: 6.1 runs async receivers in a TaskGroup sharing one copied context.
TASK_GROUP: bool = DJANGO_VERSION is None or DJANGO_VERSION >= (6, 1)
#: 6.1 flags a dead weak receiver from its reference's callback; before, a finalizer
#: on the receiver's object does, and connect() holds that object until it returns.
REF_CALLBACKS: bool = TASK_GROUP


def make_id(target: Any) -> object:
    """The identity Django keys a receiver or sender by: bound methods by (self, func)."""
    if hasattr(target, "__func__"):
        return (id(target.__self__), id(target.__func__))
    return id(target)


NONE_ID = make_id(None)

# Stock code (sentry's saved _live_receivers, uninstall()) reads the same cache,
# so the "no receivers" marker must be Django's own object when Django is there.
NO_RECEIVERS: object = (
    django_dispatcher.NO_RECEIVERS if django_dispatcher is not None else object()
)

# 6.1 tells async receivers apart with inspect's test; before, with asgiref's, which
# also accepts functions marked by markcoroutinefunction().
if not TASK_GROUP:
    from asgiref.sync import iscoroutinefunction
else:
    iscoroutinefunction = inspect.iscoroutinefunction


# How Django unpacks a receivers item, per version; the compiled engine calls these
# for any item that is not a well-formed tuple, so odd items fail with Python's words.
if SENDER_REFS:

    def lookup_key_of(item: Any) -> Any:
        lookup_key, _, _, _ = item
        return lookup_key

    def entry_of(item: Any) -> tuple[Any, tuple[Any, ...]]:
        (_, senderkey), receiver, sender_ref, is_async = item
        return senderkey, (receiver, sender_ref, is_async)

else:

    def lookup_key_of(item: Any) -> Any:
        lookup_key, _, _ = item
        return lookup_key

    def entry_of(item: Any) -> tuple[Any, tuple[Any, ...]]:
        (_, senderkey), receiver, is_async = item
        return senderkey, (receiver, is_async)


if SENDER_REFS:

    def cache_entry_of(entry: Any) -> tuple[Any, ...]:
        receiver, sender_ref, is_async = entry
        return receiver, sender_ref, is_async

else:

    def cache_entry_of(entry: Any) -> tuple[Any, ...]:
        receiver, is_async = entry
        return receiver, is_async


def first_of(item: Any) -> Any:
    """disconnect()'s view of an item: its first field."""
    lookup_key, *_ = item
    return lookup_key


# Django's connect() imports settings and reads settings.configured and settings.DEBUG,
# each through LazySettings' Python-level __getattribute__ (about 1 µs in all). On the
# stock LazySettings both answers are in its instance __dict__: "_wrapped", and the DEBUG
# value that __getattr__ caches there and that __setattr__ (override_settings too) drops.
# Read there, after checking that nothing on the classes could answer first, they cost
# about 0.4 µs; anything else is read as Django reads it.
_MISSING = object()
_import = builtins.__import__
_modules = sys.modules  # what the import system reads, even if sys.modules is rebound
_conf_dict: dict[str, Any] = vars(django_conf) if django_conf is not None else {}
_stock_settings: Any = _MISSING
_stock_settings_dict: dict[str, Any] = {}
if django_conf is not None and type(django_conf.settings) is django_conf.LazySettings:
    _stock_settings = django_conf.settings
    _stock_settings_dict = object.__getattribute__(_stock_settings, "__dict__")
    _LazySettings = django_conf.LazySettings
    _MRO = _LazySettings.__mro__
    # Live views of the classes' own attributes: looking in them runs no descriptor.
    _own, _base = vars(_MRO[0]), vars(_MRO[1])
    _STOCK_GETATTRIBUTE = _base["__getattribute__"]
    _STOCK_CONFIGURED = _own["configured"]


def _import_settings() -> Any:
    from django.conf import settings

    return settings


def check_receiver(receiver: object) -> None:
    """Django's DEBUG-only checks in connect(), when ``settings.configured and
    settings.DEBUG`` as Django's connect() tests them; nothing when Django is absent."""
    if django_conf is None:
        return
    # ``from django.conf import settings`` gives the module's attribute while the
    # import function and the module are the ones found at start.
    if builtins.__import__ is _import and _modules.get("django.conf") is django_conf and "settings" in _conf_dict:
        settings = _conf_dict["settings"]
    else:
        settings = _import_settings()
    try:
        stock = (settings is _stock_settings and type(settings) is _LazySettings and _LazySettings.__mro__ is _MRO
                 and "__getattribute__" not in _own and _base["__getattribute__"] is _STOCK_GETATTRIBUTE
                 and _own["configured"] is _STOCK_CONFIGURED
                 and "_wrapped" not in _own and _base["_wrapped"] is None
                 and "DEBUG" not in _own and "DEBUG" not in _base)
    except KeyError:  # a stock attribute deleted from its class
        stock = False
    debug: Any = _MISSING  # the cached DEBUG, when it alone answers
    if stock:
        wrapped = _stock_settings_dict.get("_wrapped", _MISSING)
        if wrapped is empty:
            return
        if wrapped is not _MISSING:
            debug = _stock_settings_dict.get("DEBUG", _MISSING)
    if type(debug) is bool:
        if not debug:
            return
    elif not (settings.configured and settings.DEBUG):
        return
    if not callable(receiver):
        raise TypeError("Signal receivers must be callable.")
    from django.utils.inspect import func_accepts_kwargs

    if not func_accepts_kwargs(receiver):
        raise ValueError(
            "Signal receivers must accept keyword arguments (**kwargs)."
        )


def call_receiver(receiver: Any, signal: Any, sender: object, named: dict[str, Any]) -> Any:
    """One receiver call made by Python itself, so its argument errors read as Django's."""
    return receiver(signal=signal, sender=sender, **named)


def _restore_context(context: contextvars.Context) -> None:
    # 6.1: what the receivers set in their shared context becomes visible to the caller.
    for var, value in context.items():
        try:
            if var.get() != value:
                var.set(value)
        except LookupError:
            var.set(value)


async def _run_parallel(*coros: Coroutine[Any, Any, Any]) -> list[Any]:
    if not coros:
        return []
    context = contextvars.copy_context()
    results: list[Any] = [None] * len(coros)

    async def run(index: int, coro: Coroutine[Any, Any, Any]) -> None:
        results[index] = await coro

    try:
        async with asyncio.TaskGroup() as group:
            for index, coro in enumerate(coros):
                group.create_task(run(index, coro), context=context)
        return results
    except BaseExceptionGroup as group_error:
        if len(group_error.exceptions) == 1:
            raise group_error.exceptions[0]
        raise
    finally:
        _restore_context(context)


async def asend_and_wrap_exception(signal: Any, receiver: Any, sender: object, named: dict[str, Any]) -> Any:
    # The receiver is called inside the guard: an error on the call itself is caught too.
    try:
        return await receiver(signal=signal, sender=sender, **named)
    except Exception as err:
        signal._log_robust_failure(receiver, err)
        return err


def _coros(
    signal: Any, sender: object, named: dict[str, Any], receivers: list[Any], robust: bool
) -> Iterator[Coroutine[Any, Any, Any]]:
    # A generator, unpacked by the caller: a receiver whose call fails (a duplicate
    # keyword) fails in <genexpr> right below it, as on Django.
    if robust:
        return (asend_and_wrap_exception(signal, receiver, sender, named) for receiver in receivers)
    return (receiver(signal=signal, sender=sender, **named) for receiver in receivers)


def asend_for(
    signal: Any, sender: object, named: dict[str, Any], receivers: list[Any], robust: bool
) -> Callable[[], Coroutine[Any, Any, Iterable[tuple[Any, Any]]]]:
    """The tail of send()/send_robust(): the coroutine function they pass to async_to_sync.

    The send methods call async_to_sync() themselves, so a traceback goes from send
    straight into asgiref, as on Django.
    """

    async def asend() -> Iterable[tuple[Any, Any]]:
        if TASK_GROUP:
            return zip(receivers, await _run_parallel(*_coros(signal, sender, named, receivers, robust)))
        return zip(receivers, await asyncio.gather(*_coros(signal, sender, named, receivers, robust)))

    return asend


def sync_send(
    signal: Any, sender: object, named: dict[str, Any], receivers: list[Any], robust: bool
) -> list[tuple[Any, Any]]:
    responses = []
    for receiver in receivers:
        if not robust:
            responses.append((receiver, receiver(signal=signal, sender=sender, **named)))
            continue
        try:
            response = receiver(signal=signal, sender=sender, **named)
        except Exception as err:
            signal._log_robust_failure(receiver, err)
            responses.append((receiver, err))
        else:
            responses.append((receiver, response))
    return responses


def _asend_method(robust: bool, doc: str) -> Callable[..., Coroutine[Any, Any, list[tuple[Any, Any]]]]:
    # One body for asend() and asend_robust(): the receivers run right below the method.
    name = "asend_robust" if robust else "asend"

    async def no_sync_receivers() -> list[tuple[Any, Any]]:
        return []

    # Named as Django's closure: its coroutine is the one a failed receiver call leaves unawaited.
    no_sync_receivers.__name__ = "sync_send"
    no_sync_receivers.__qualname__ = f"Signal.{name}.<locals>.sync_send"

    async def asend(self: Any, sender: object, **named: Any) -> list[tuple[Any, Any]]:
        if not self.receivers or self.sender_receivers_cache.get(sender) is NO_RECEIVERS:
            return []
        sync_receivers, async_receivers = self._live_receivers(sender)
        send_sync: Callable[[], Coroutine[Any, Any, list[tuple[Any, Any]]]]
        if sync_receivers:
            send_sync = functools.partial(sync_to_async(sync_send), self, sender, named, sync_receivers, robust)
        else:
            send_sync = no_sync_receivers
        # Each coroutine is made in the call that takes it, as on Django: none is left
        # in a local for a traceback to keep alive.
        if TASK_GROUP:
            responses = await send_sync()
            async_responses = await _run_parallel(*_coros(self, sender, named, async_receivers, robust))
        else:
            responses, async_responses = await asyncio.gather(
                send_sync(),
                asyncio.gather(*_coros(self, sender, named, async_receivers, robust)),
            )
        responses.extend(zip(async_receivers, async_responses))
        return responses

    asend.__doc__ = doc
    return asend


if TYPE_CHECKING:
    # Django has no type hints: to a type checker a signal is what this module declares, not Any.
    _Base = object
else:
    _Base = DjangoSignal if DjangoSignal is not None else object


class SignalBase(_Base):
    """The parts of a signal both engines share: construction, async sends, logging."""

    def __init__(self, use_caching: bool = False) -> None:
        self.receivers: list[tuple[Any, ...]] = []
        self.lock = threading.Lock()
        self.use_caching = use_caching
        # Django's contract: a per-sender WeakKeyDictionary when caching, else an unused dict.
        self.sender_receivers_cache: Any = weakref.WeakKeyDictionary() if use_caching else {}
        self._dead_receivers = False

    def has_listeners(self, sender: Any = None) -> bool:
        """Whether any live receiver would get a send() from this sender."""
        sync_receivers, async_receivers = self._live_receivers(sender)  # type: ignore[attr-defined]
        # Django's bool(sync) or bool(async), the same truth tests in the same order, less a call.
        if sync_receivers:
            return True
        return bool(async_receivers)

    asend = _asend_method(
        False,
        """Send to every receiver from async code; sync receivers run in one thread first.

        Errors propagate, as with send().
        """,
    )

    asend_robust = _asend_method(
        True, """As asend(), but an Exception a receiver raises is logged and returned as its response."""
    )

    def _log_robust_failure(self, receiver: Any, err: Exception) -> None:
        logger.error(
            "Error calling %s in Signal.send_robust() (%s)",
            receiver.__qualname__,
            err,
            exc_info=err,
        )

    # Runs from weakref callbacks, possibly while this thread holds self.lock: it only
    # raises the flag; the purge happens later under the lock. Named as the installed
    # Django names it.
    if FLAG_DEAD_RECEIVERS == "_flag_dead_receivers":

        def _flag_dead_receivers(self, reference: object = None) -> None:
            self._dead_receivers = True

    else:

        def _remove_receiver(self, receiver: object = None) -> None:
            self._dead_receivers = True


def name_as_method(function: Any, module: str, name: str) -> None:
    """Name function as Django's Signal.<name>, down to its code object.

    Errors word methods by their qualified name ("Signal.has_listeners()"), profilers
    and tracebacks read the code's, and pickle finds the function as ``name`` of
    ``module``'s Signal.
    """
    function.__module__ = module
    function.__name__ = name
    function.__qualname__ = f"Signal.{name}"
    function.__code__ = function.__code__.replace(co_name=name, co_qualname=function.__qualname__)


for _name, _method in vars(SignalBase).items():
    if callable(_method):
        name_as_method(_method, "fastsignals", _name)


def own_methods(engine: type) -> None:
    """Give an engine's Signal class its own copy of each SignalBase function it does not define.

    The interpreter specializes a code object's attribute lookups for the classes it
    meets: with one has_listeners() for both engines, a process using both (the
    benchmark, the tests) kept undoing it, which cost has_listeners() about 3%.
    """
    for name, function in vars(SignalBase).items():
        if isinstance(function, FunctionType) and name not in vars(engine):
            copy = FunctionType(
                function.__code__, function.__globals__, name, function.__defaults__, function.__closure__
            )
            copy.__kwdefaults__ = function.__kwdefaults__
            copy.__doc__ = function.__doc__
            copy.__annotations__ = dict(function.__annotations__)
            name_as_method(copy, engine.__module__, name)  # a new code object, so its own caches
            setattr(engine, name, copy)


_F = TypeVar("_F", bound=Callable[..., Any])


def receiver(signal: Any, **kwargs: Any) -> Callable[[_F], _F]:
    """Decorator: connect the function to a signal, or to each of a list or tuple of signals."""

    def decorator(func: _F) -> _F:
        signals = signal if isinstance(signal, (list, tuple)) else (signal,)
        for each in signals:
            each.connect(func, **kwargs)
        return func

    return decorator
