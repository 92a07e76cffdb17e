"""The pure-Python engine: the same design as _signal_c.pyx, name for name.

``signal.receivers`` stays Django's list of tuples and the single source of truth.
An ``_Index`` derived from it answers "which receivers for this sender" with one
dict lookup instead of a scan, and knows each lookup key so connect() need not scan.
The index keeps a snapshot of the list's items and is rebuilt whenever the list no
longer holds exactly those items, so direct edits by third-party code are seen.
"""

from __future__ import annotations

import weakref
from typing import Any

from ._semantics import (
    FLAG_DEAD_RECEIVERS,
    INDEX_ATTR,
    INDEXED,
    NO_RECEIVERS,
    NONE_ID,
    RECEIVER_TUPLE_LEN,
    SENDER_REFS,
    SignalBase,
    check_receiver,
    entry_of,
    first_of,
    iscoroutinefunction,
    lookup_key_of,
    make_id,
    run_async_receivers,
)

__all__ = ["Signal"]

class _Index:
    """What one snapshot of ``signal.receivers`` says, ready for lookups."""

    __slots__ = ("snapshot", "keyed", "keys", "grouping")

    def __init__(self, receivers: Any) -> None:
        # Strong references to the snapshot's tuples: no tuple can be freed and its
        # address reused while we compare by identity, so the freshness test is exact.
        self.snapshot = list(receivers)
        self.keyed = False
        self.keys: dict[Any, int] | None = None
        # (anys, any_entries, specific, merged), built on first use and replaced whole:
        # a lock-free reader that took it sees one consistent grouping.
        self.grouping: tuple[Any, Any, Any, Any] | None = None

    def fresh(self, receivers: Any) -> bool:
        """Whether ``receivers`` still holds the snapshot's items, in order.

        List equality tests identity first, at C speed. It differs from the compiled
        twin's pure identity test only for a tuple replaced by an equal new tuple of
        distinct but equal parts, which dispatch the same unless a receiver defines __eq__.
        """
        if type(receivers) is tuple:
            receivers = list(receivers)
        return bool(receivers == self.snapshot)

    def has_key(self, lookup_key: Any) -> bool | None:
        """Whether a receiver has this key; None when only a scan can tell."""
        if not self.keyed:
            if len(self.snapshot) < _SCAN_LIMIT:
                return None
            self.keyed = True
            self.keys = _count_keys(self.snapshot)
        if self.keys is None or not _trusted(lookup_key):
            return None
        return lookup_key in self.keys

    def appended(self, item: tuple[Any, ...]) -> None:
        """Record an append the caller made to the list (under signal.lock)."""
        # First: readers fall back to the lock, and the old entries are not kept alive.
        self.grouping = None
        self.snapshot.append(item)
        if self.keys is not None and not _count_key(self.keys, item[0], 1):
            self.keys = None

    def deleted(self, index: int) -> None:
        """Record a deletion the caller made from the list (under signal.lock)."""
        # First: readers fall back to the lock, and the removed entry is not kept alive.
        self.grouping = None
        item = self.snapshot.pop(index)
        if self.keys is not None:
            _count_key(self.keys, item[0], -1)

    def entries_for(self, senderkey: Any) -> list[tuple[Any, ...]]:
        """Cache entries of the receivers for this sender key, in connection order."""
        grouping = self.grouping
        if grouping is None:
            grouping = self.grouping = self._group()
        anys, any_entries, specific, merged = grouping
        found: list[tuple[Any, ...]] | None = merged.get(senderkey)
        if found is not None:
            return found
        own = specific.get(senderkey)
        if own is None:
            return any_entries  # type: ignore[no-any-return]
        found = [entry for _, entry in sorted(anys + own, key=_position)]
        merged[senderkey] = found
        return found

    def _group(self) -> tuple[Any, Any, Any, Any]:
        anys: list[tuple[int, tuple[Any, ...]]] = []
        specific: dict[Any, list[tuple[int, tuple[Any, ...]]]] = {}
        for position, item in enumerate(self.snapshot):
            senderkey, entry = _entry_of(item)
            if senderkey == NONE_ID:
                anys.append((position, entry))
            else:
                specific.setdefault(senderkey, []).append((position, entry))
        return anys, [entry for _, entry in anys], specific, {}


def _position(pair: tuple[int, Any]) -> int:
    return pair[0]


_TRUSTED_TYPES = (int, bool, float, str, bytes)
# Below this many receivers connect() and disconnect() scan, as Django does; from
# there on the index counts the lookup keys so they need not.
_SCAN_LIMIT = 8


def _trusted(key: Any) -> bool:
    """Whether hashing agrees with == for key: builtin scalars and tuples of them."""
    if type(key) is not tuple:
        return key is None or type(key) in _TRUSTED_TYPES
    for part in key:
        if type(part) is tuple:
            if not _trusted(part):
                return False
        elif part is not None and type(part) not in _TRUSTED_TYPES:
            return False
    return True


def _count_keys(snapshot: list[Any]) -> dict[Any, int] | None:
    keys: dict[Any, int] = {}
    for item in snapshot:
        if not _count_key(keys, _lookup_key_of(item), 1):
            return None
    return keys


def _count_key(keys: dict[Any, int], lookup_key: Any, step: int) -> bool:
    # Django compares keys with ==; a dict may stand in for that scan only where
    # hash and == agree, so any other key sends connect() back to the scan.
    if not _trusted(lookup_key):
        return False
    count = keys.get(lookup_key, 0) + step
    if count:
        keys[lookup_key] = count
    else:
        del keys[lookup_key]
    return True


_lookup_key_of = lookup_key_of
_entry_of = entry_of
_first_of = first_of

if SENDER_REFS:

    def _resolve(entries: Any) -> tuple[list[Any], list[Any]]:
        """(live sync receivers, live async receivers) of cache entries, in order."""
        sync_receivers: list[Any] = []
        async_receivers: list[Any] = []
        for receiver, sender_ref, is_async in entries:
            if isinstance(receiver, weakref.ReferenceType):
                receiver = receiver()
                if receiver is None:
                    continue
            # A receiver tied to a collected sender is skipped even before the purge.
            if sender_ref is not None and sender_ref() is None:
                continue
            (async_receivers if is_async else sync_receivers).append(receiver)
        return sync_receivers, async_receivers

    def _is_dead(item: Any) -> bool:
        receiver, sender_ref = item[1], item[2]
        if isinstance(receiver, weakref.ReferenceType) and receiver() is None:
            return True
        return sender_ref is not None and sender_ref() is None

else:

    def _resolve(entries: Any) -> tuple[list[Any], list[Any]]:
        """(live sync receivers, live async receivers) of cache entries, in order."""
        sync_receivers: list[Any] = []
        async_receivers: list[Any] = []
        for receiver, is_async in entries:
            if isinstance(receiver, weakref.ReferenceType):
                receiver = receiver()
                if receiver is None:
                    continue
            (async_receivers if is_async else sync_receivers).append(receiver)
        return sync_receivers, async_receivers

    def _is_dead(item: Any) -> bool:
        receiver = item[1]
        return isinstance(receiver, weakref.ReferenceType) and receiver() is None


def _index(signal: Any) -> _Index:
    """The signal's index, rebuilt if ``receivers`` changed behind our back (caller holds lock)."""
    receivers = signal.receivers
    index = getattr(signal, INDEX_ATTR, None)
    if index is None:
        INDEXED.add(signal)
    if type(index) is not _Index or not index.fresh(receivers):
        index = _Index(receivers)
        setattr(signal, INDEX_ATTR, index)
    return index


def _scan_for_key(receivers: Any, lookup_key: Any) -> bool:
    """Django's duplicate test: the first item with an equal key ends the scan."""
    return any(_lookup_key_of(other) == lookup_key for other in receivers)


def _lookup_key(receiver: Any, sender: Any, dispatch_uid: Any) -> tuple[Any, Any]:
    if dispatch_uid:
        return (dispatch_uid, _make_id(sender))
    return (_make_id(receiver), _make_id(sender))


def _weak_receiver(signal: Any, receiver: Any) -> tuple[Any, Any]:
    """(weak reference to receiver, object the caller keeps alive until connect returns)."""
    ref: Any = weakref.ref
    if hasattr(receiver, "__self__") and hasattr(receiver, "__func__"):
        ref = weakref.WeakMethod
    if SENDER_REFS:
        return ref(receiver, getattr(signal, FLAG_DEAD_RECEIVERS)), None
    # 5.x: a finalizer on the receiver's object raises the flag, not the ref itself;
    # Django holds that object until connect() returns.
    target = receiver.__self__ if ref is weakref.WeakMethod else receiver
    weak = ref(receiver)
    weakref.finalize(target, getattr(signal, FLAG_DEAD_RECEIVERS))
    return weak, target


def _sender_ref(signal: Any, sender: Any) -> Any:
    # A weak reference ties the receiver's life to its sender, so a later object
    # reusing the sender's id() does not inherit it. Some senders refuse weakrefs.
    if sender is None:
        return None
    try:
        return weakref.ref(sender, getattr(signal, FLAG_DEAD_RECEIVERS))
    except TypeError:
        return None


_make_id = make_id


def _entries(signal: Any, sender: Any) -> Any:
    """Entries for sender from the receivers list, storing them when caching."""
    with signal.lock:
        signal._clear_dead_receivers()
        entries = _index(signal).entries_for(_make_id(sender))
        if signal.use_caching:
            signal.sender_receivers_cache[sender] = list(entries) if entries else NO_RECEIVERS
    return entries


def _is_ours(method: Any, function: Any) -> bool:
    """Whether a bound method runs the engine's own function: no class or instance override."""
    return getattr(method, "__func__", None) is function


def _send_entries(signal: Any, sender: Any, cached: Any) -> Any:
    """The entries to dispatch to, reusing the caller's cache lookup (``cached``)."""
    if signal.use_caching:
        if cached is not None and not signal._dead_receivers:
            return cached
    elif not signal._dead_receivers and _is_ours(signal._clear_dead_receivers, _clear_dead_receivers_py):
        # Lock-free read: connect/disconnect drop the grouping before touching the
        # snapshot, so a grouping taken from a fresh index is a consistent view.
        index = getattr(signal, INDEX_ATTR, None)
        grouping = index.grouping if isinstance(index, _Index) else None
        if grouping is not None and index.fresh(signal.receivers):  # type: ignore[union-attr]
            _, any_entries, specific, merged = grouping
            senderkey = _make_id(sender)
            entries = merged.get(senderkey)
            if entries is not None:
                return entries
            if senderkey not in specific:
                return any_entries
    return _entries(signal, sender)


class Signal(SignalBase):
    """A drop-in for django.dispatch.Signal with a per-sender receiver index.

    Receivers are called synchronous ones first, in connection order, then the
    async ones concurrently. Weak receivers (the default) vanish when collected;
    on Django 6.x, so do receivers tied to a collected sender.
    """

    def connect(
        self, receiver: Any, sender: Any = None, weak: bool = True, dispatch_uid: Any = None
    ) -> None:
        """Connect receiver to sender (None: any sender); a second connect of the same key is ignored."""
        check_receiver(receiver)
        lookup_key = _lookup_key(receiver, sender, dispatch_uid)
        is_async = iscoroutinefunction(receiver)
        if weak:
            # Rebinding drops our reference before the lock is taken, as Django does:
            # a receiver that dies right here is purged, not appended as live.
            receiver, receiver_object = _weak_receiver(self, receiver)
        if SENDER_REFS:
            item: tuple[Any, ...] = (lookup_key, receiver, _sender_ref(self, sender), is_async)
        else:
            item = (lookup_key, receiver, is_async)
        with self.lock:
            self._clear_dead_receivers()
            index = _index(self)
            present = index.has_key(lookup_key)
            if present is None:
                present = _scan_for_key(self.receivers, lookup_key)
            if not present:
                self.receivers.append(item)
                index.appended(item)
            self.sender_receivers_cache.clear()

    def disconnect(self, receiver: Any = None, sender: Any = None, dispatch_uid: Any = None) -> bool:
        """Disconnect the first receiver with this key; return whether one was removed."""
        lookup_key = _lookup_key(receiver, sender, dispatch_uid)
        removed = False
        with self.lock:
            self._clear_dead_receivers()
            count = len(self.receivers)
            index = _index(self)
            if index.has_key(lookup_key) is not False:
                for position in range(count):
                    if _first_of(self.receivers[position]) == lookup_key:
                        del self.receivers[position]
                        index.deleted(position)
                        removed = True
                        break
            self.sender_receivers_cache.clear()
        return removed

    def send(self, sender: Any, **named: Any) -> list[tuple[Any, Any]]:
        """Call every receiver for sender and return [(receiver, response), ...].

        Synchronous receivers run first, in connection order; the async ones then
        run concurrently. The first exception a receiver raises propagates and
        ends the dispatch.
        """
        if not self.receivers:
            return []
        cached = self.sender_receivers_cache.get(sender)
        if cached is NO_RECEIVERS:
            return []
        if _is_ours(self._live_receivers, _live_receivers_py):
            sync_receivers, async_receivers = _resolve(_send_entries(self, sender, cached))
        else:
            sync_receivers, async_receivers = self._live_receivers(sender)
        responses = []
        for receiver in sync_receivers:
            responses.append((receiver, receiver(signal=self, sender=sender, **named)))
        if async_receivers:
            responses.extend(run_async_receivers(self, sender, named, async_receivers, False))
        return responses

    def send_robust(self, sender: Any, **named: Any) -> list[tuple[Any, Any]]:
        """As send(), but an Exception a receiver raises is logged and returned as its response.

        BaseExceptions that are not Exceptions (KeyboardInterrupt...) still propagate.
        """
        if not self.receivers:
            return []
        cached = self.sender_receivers_cache.get(sender)
        if cached is NO_RECEIVERS:
            return []
        if _is_ours(self._live_receivers, _live_receivers_py):
            sync_receivers, async_receivers = _resolve(_send_entries(self, sender, cached))
        else:
            sync_receivers, async_receivers = self._live_receivers(sender)
        responses = []
        for receiver in sync_receivers:
            try:
                response = receiver(signal=self, sender=sender, **named)
            except Exception as err:
                self._log_robust_failure(receiver, err)
                responses.append((receiver, err))
            else:
                responses.append((receiver, response))
        if async_receivers:
            responses.extend(run_async_receivers(self, sender, named, async_receivers, True))
        return responses

    def _clear_dead_receivers(self) -> None:
        # Caller holds self.lock. Replaces the list, as Django does: code holding
        # the old list keeps a consistent view.
        if self._dead_receivers:
            self._dead_receivers = False
            self.receivers = [item for item in self.receivers if not _is_dead(item)]

    def _live_receivers(self, sender: Any) -> tuple[list[Any], list[Any]]:
        """(sync receivers, async receivers) for sender, weak references resolved."""
        cached = None
        if self.use_caching and not self._dead_receivers:
            cached = self.sender_receivers_cache.get(sender)
            if cached is NO_RECEIVERS:
                return [], []
            if cached is not None:
                return _resolve(cached)
        return _resolve(_send_entries(self, sender, cached))


# The engine's own methods: send() takes its fast path only while these are in place.
_live_receivers_py = Signal._live_receivers
_clear_dead_receivers_py = Signal._clear_dead_receivers
