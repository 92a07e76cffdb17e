"""The cases that both the pytest-benchmark suites and report.py time.

A case is one implementation set up for one scenario: a signal, its receivers, a
sender and the names a timed statement uses. Every implementation gets receivers
built the same way, the same senders and the same keyword arguments, so timings
differ only by the dispatcher. The implementations:

- ``django``: stock ``django.dispatch.Signal``, the reference every ratio is against;
- ``c`` and ``py``: ``fastsignals._signal_c.Signal`` and ``fastsignals._signal_py.Signal``;
- ``blinker``: ``blinker.Signal`` doing the equivalent operation (it has no
  use_caching, send_robust or dispatch_uid; a sender of None is its ANY);
- ``loop``: the floor, a plain Python loop over exactly the receivers for the
  sender, called as Django calls them, building the same [(receiver, response)].

Receivers take ``(sender, **named)``: Django passes ``signal=`` and ``sender=`` as
keywords, blinker passes the sender positionally; both reach the same function.
"""

from __future__ import annotations

import dataclasses
import gc
import itertools
import tracemalloc
from collections.abc import Callable
from typing import Any

import blinker
import django
from django.conf import settings

from fastsignals import _signal_c, _signal_py

IMPLEMENTATIONS = ("django", "c", "py", "blinker", "loop")
LABELS = {"django": "Django", "c": "compiled", "py": "pure", "blinker": "blinker", "loop": "plain loop"}
#: The named arguments of every timed send, like post_save's instance=, created=.
NAMED = "instance=instance, created=False"
#: Every signal also has one receiver for each of this many other senders.
OTHER_SENDERS = 5
#: Per operation, the implementations that have it, and blinker's name for it.
OPERATIONS = {
    "send": {"django": "send", "c": "send", "py": "send", "blinker": "send", "loop": "send"},
    "send_robust": {"django": "send_robust", "c": "send_robust", "py": "send_robust", "loop": "send_robust"},
    "has_listeners": {"django": "has_listeners", "c": "has_listeners", "py": "has_listeners", "blinker": "has_receivers_for"},
    "asend": {"django": "asend", "c": "asend", "py": "asend", "blinker": "send_async", "loop": "asend"},
    "connect": {"django": "connect", "c": "connect", "py": "connect", "blinker": "connect"},
    "disconnect": {"django": "disconnect", "c": "disconnect", "py": "disconnect", "blinker": "disconnect"},
}


def configure_django() -> None:
    """Settings for every benchmark: sqlite in memory, the e2e app, DEBUG off."""
    if settings.configured:
        return
    settings.configure(
        DEBUG=False,
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "e2e"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        USE_TZ=True,
    )
    django.setup()


def signal_class(impl: str) -> Any:
    """The Signal class of a dispatcher implementation."""
    if impl == "django":
        from django.dispatch import Signal

        return Signal
    return {"c": _signal_c.Signal, "py": _signal_py.Signal, "blinker": blinker.Signal}[impl]


def new_signal(impl: str, use_caching: bool) -> Any:
    if impl == "blinker":
        return blinker.Signal()
    return signal_class(impl)(use_caching=use_caching)


def connect(impl: str, signal: Any, receiver: Any, sender: Any = None, **options: Any) -> None:
    """signal.connect(receiver, sender), None meaning any sender for every implementation."""
    if impl == "blinker":
        signal.connect(receiver, sender=blinker.ANY if sender is None else sender)
    else:
        signal.connect(receiver, sender=sender, **options)


def disconnect(impl: str, signal: Any, receiver: Any, sender: Any = None, **options: Any) -> None:
    """signal.disconnect(receiver, sender), None meaning any sender for every implementation."""
    if impl == "blinker":
        signal.disconnect(receiver, sender=blinker.ANY if sender is None else sender)
    else:
        signal.disconnect(receiver, sender=sender, **options)


class PlainLoop:
    """The baseline: a list of receivers called in a Python loop, as Django calls them."""

    def __init__(self, receivers: list[Any]) -> None:
        self.receivers = receivers

    def send(self, sender: Any, **named: Any) -> list[tuple[Any, Any]]:
        responses = []
        for receiver in self.receivers:
            responses.append((receiver, receiver(signal=self, sender=sender, **named)))
        return responses

    def send_robust(self, sender: Any, **named: Any) -> list[tuple[Any, Any]]:
        responses = []
        for receiver in self.receivers:
            try:
                response = receiver(signal=self, sender=sender, **named)
            except Exception as err:
                response = err
            responses.append((receiver, response))
        return responses

    async def asend(self, sender: Any, **named: Any) -> list[tuple[Any, Any]]:
        responses = []
        for receiver in self.receivers:
            responses.append((receiver, await receiver(signal=self, sender=sender, **named)))
        return responses


class Holder:
    """An object whose bound methods are receivers."""

    def on_signal(self, sender: Any, **named: Any) -> None:
        return None

    async def on_signal_async(self, sender: Any, **named: Any) -> None:
        return None


def make_receivers(count: int, kind: str = "function", is_async: bool = False) -> tuple[list[Any], list[Any]]:
    """(receivers, objects to keep alive): distinct functions or bound methods of distinct objects."""
    if kind == "method":
        holders = [Holder() for _ in range(count)]
        name = "on_signal_async" if is_async else "on_signal"
        return [getattr(holder, name) for holder in holders], holders
    receivers = [_async_function() if is_async else _function() for _ in range(count)]
    return receivers, receivers


def _function() -> Callable[..., Any]:
    def receiver(sender: Any, **named: Any) -> None:
        return None

    return receiver


def _async_function() -> Callable[..., Any]:
    async def receiver(sender: Any, **named: Any) -> None:
        return None

    return receiver


def new_sender(name: str = "Sender") -> type:
    """A sender as Django code has them: a class (a model), hashable and weakly referenceable."""
    return type(name, (), {})


@dataclasses.dataclass
class Case:
    """One implementation set up for one scenario."""

    impl: str
    signal: Any
    sender: Any
    instance: Any = dataclasses.field(default_factory=object)
    keep: list[Any] = dataclasses.field(default_factory=list)
    #: A receiver not connected yet, for the connect and disconnect cases.
    receiver: Any = None

    def namespace(self) -> dict[str, Any]:
        """The names the timed statements use."""
        return {"signal": self.signal, "sender": self.sender, "instance": self.instance, "receiver": self.receiver}

    def statement(self, operation: str) -> str:
        method = OPERATIONS[operation][self.impl]
        if operation == "has_listeners":
            return f"signal.{method}(sender)"
        return f"signal.{method}(sender, {NAMED})"

    def call(self, operation: str) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
        """(function, args, kwargs) for pytest-benchmark's benchmark(function, *args, **kwargs)."""
        function = getattr(self.signal, OPERATIONS[operation][self.impl])
        if operation == "has_listeners":
            return function, (self.sender,), {}
        return function, (self.sender,), {"instance": self.instance, "created": False}


def build(
    impl: str,
    count: int,
    *,
    any_sender: bool = False,
    use_caching: bool = True,
    kind: str = "function",
    is_async: bool = False,
    others: int = OTHER_SENDERS,
) -> Case:
    """A signal with ``count`` receivers for the sender (or for any sender), after
    one receiver for each of ``others`` other senders."""
    sender = new_sender()
    receivers, keep = make_receivers(count, kind, is_async)
    if impl == "loop":
        return Case(impl, PlainLoop(list(receivers)), sender, keep=[keep])
    signal = new_signal(impl, use_caching)
    other_senders = [new_sender(f"Other{i}") for i in range(others)]
    background, background_keep = make_receivers(others, kind, is_async)
    for other, receiver in zip(other_senders, background):
        connect(impl, signal, receiver, other)
    for receiver in receivers:
        connect(impl, signal, receiver, None if any_sender else sender)
    return Case(impl, signal, sender, keep=[keep, other_senders, background_keep])


def build_spread(impl: str, senders: int = 1000) -> Case:
    """One receiver for each of ``senders`` senders, use_caching=False; the case sends for one."""
    all_senders = [new_sender(f"Sender{i}") for i in range(senders)]
    receivers, keep = make_receivers(senders)
    target = all_senders[senders // 2]
    if impl == "loop":
        return Case(impl, PlainLoop([receivers[senders // 2]]), target, keep=[keep, all_senders])
    signal = new_signal(impl, use_caching=False)
    for sender, receiver in zip(all_senders, receivers):
        connect(impl, signal, receiver, sender)
    return Case(impl, signal, target, keep=[keep, all_senders])


def build_model_signal(impl: str, count: int) -> Case:
    """A signal of Django's own class, made as Django makes post_save (a ModelSignal with
    use_caching=True), with ``count`` receivers for a model and one for each of five
    other models; "c" and "py" send it under install() (see report.installing()).

    Each implementation gets a signal of its own: on Python 3.12 a signal the compiled
    engine has sent keeps its attributes in a real dict, where stock code reading them is
    not specialized (see e2e/worker.py), so a shared one would time stock Django and the
    pure engine slower than they are.
    """
    from django.contrib.auth.models import Group, Permission, User
    from django.contrib.contenttypes.models import ContentType
    from django.db.models.signals import ModelSignal
    from e2e.models import Item, Tag

    signal = ModelSignal(use_caching=True)
    receivers, keep = make_receivers(count)
    others, others_keep = make_receivers(OTHER_SENDERS)
    for receiver, sender in [*zip(others, (Tag, User, Group, Permission, ContentType)),
                             *((receiver, Item) for receiver in receivers)]:
        signal.connect(receiver, sender=sender)
    return Case(impl, signal, Item, instance=Item(), keep=[keep, others_keep])


def build_connect(impl: str, count: int, *, kind: str = "function", any_sender: bool = False) -> Case:
    """A signal with ``count`` receivers (plus the others) and ``case.receiver`` not
    connected yet; ``case.sender`` is None when connecting to any sender."""
    case = build(impl, count, any_sender=any_sender, kind=kind)
    spare, keep = make_receivers(1, kind)
    case.keep.append(keep)
    case.receiver = spare[0]
    if any_sender:
        case.sender = None
    return case


def connect_statement(case: Case, operation: str) -> str:
    """The statement timing ``operation`` on a case from build_connect():

    - "connect_disconnect": connect case.receiver, then disconnect it;
    - "connect_same_uid": django-dirtyfields in every model __init__, a connect by a
      dispatch_uid that is already connected (run it once untimed first);
    - "connect_unique_uid": connect by a dispatch_uid of each instance's own, then disconnect.

    blinker has no dispatch_uid: its statements connect (and disconnect) the receiver itself.
    """
    if case.impl == "blinker":
        pair = "signal.connect(receiver, sender or ANY); signal.disconnect(receiver, sender or ANY)"
        return {"connect_same_uid": "signal.connect(receiver, sender or ANY)"}.get(operation, pair)
    if operation == "connect_disconnect":
        return "signal.connect(receiver, sender); signal.disconnect(receiver, sender)"
    if operation == "connect_same_uid":
        return "signal.connect(receiver, sender, dispatch_uid='Item-DirtyFieldsMixin-sweeper')"
    return (
        "uid = next(uids); signal.connect(receiver, sender, dispatch_uid=uid); "
        "signal.disconnect(receiver, sender, dispatch_uid=uid)"
    )


def connect_namespace(case: Case) -> dict[str, Any]:
    names = case.namespace()
    names["ANY"] = blinker.ANY
    names["uids"] = (f"Item-{i}-sweeper" for i in itertools.count())
    return names


def bytes_per_receiver(impl: str, send: bool, count: int = 1000, senders: int = 100) -> float:
    """Memory a connected receiver costs: tracemalloc's growth over connecting ``count``
    weak receivers spread over ``senders`` senders (then, if ``send``, sending once for
    each sender, so whatever indexes or caches a send builds count too), over ``count``."""
    all_senders = [new_sender(f"Sender{i}") for i in range(senders)]
    receivers, keep = make_receivers(count)
    signal = new_signal(impl, use_caching=True)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for position, receiver in enumerate(receivers):
            connect(impl, signal, receiver, all_senders[position % senders])
        for sender in all_senders if send else ():
            signal.send(sender, instance=None, created=False)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del keep
    return (after - before) / count
