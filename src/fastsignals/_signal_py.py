"""The pure-Python engine: the same design as _signal_c.pyx, name for name.

``signal.receivers`` stays Django's list of tuples and the single source of truth.
An ``_Index`` derived from it answers "which receivers for this sender" with one
dict lookup instead of a scan, and knows each lookup key so connect() need not scan.
The index records only each item's lookup key and is rebuilt whenever an item no
longer has the key recorded at its position, so direct edits by third-party code are
seen, and an item removed by hand is freed as it is on Django.
"""

from __future__ import annotations

import weakref
from operator import is_
from typing import Any

from ._semantics import (
    FLAG_DEAD_RECEIVERS,
    INDEX_ATTR,
    INDEXED,
    NO_RECEIVERS,
    NONE_ID,
    RECEIVER_TUPLE_LEN,
    REF_CALLBACKS,
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
    """What ``signal.receivers`` says, ready for lookups, holding none of its items.

    The index records each item's lookup key by position. Dispatch reads receivers,
    sender references and flags from the list itself, so the keys are all it needs
    to know that its positions still answer for the list.
    """

    __slots__ = ("keys_at", "keys", "grouping")

    def __init__(self, receivers: Any) -> None:
        # Only the items' lookup keys, builtin values all: holding them is unobservable,
        # and a receiver removed from the list by hand dies when Django's would.
        self.keys_at = _keys_at(receivers)
        # Lookup key -> count, made once the list reaches _SCAN_LIMIT items.
        self.keys: dict[Any, int] | None = None
        # Positions (anys, specific, merged), built on first use and replaced whole;
        # merged holds a sender's own merged with anys, made when both exist.
        self.grouping: tuple[Any, Any, Any] | None = None

    def fresh(self, receivers: Any) -> bool:
        """Whether each item of ``receivers`` still has the very key recorded at its position."""
        keys_at = self.keys_at
        if keys_at is None or type(receivers) not in _SEQUENCE_TYPES or len(receivers) != len(keys_at):
            return False
        try:
            return all(map(is_, _item_keys(receivers), keys_at))
        except Exception:  # an item that does not unpack: rebuilt, and fails there as on Django
            return False

    def has_key(self, lookup_key: Any) -> bool | None:
        """Whether a receiver has this key; None when only a scan can tell."""
        if self.keys_at is None:
            return None
        if self.keys is None:
            if len(self.keys_at) < _SCAN_LIMIT:
                return None
            self.keys = _count_keys(self.keys_at)
        if not _trusted(lookup_key):
            return None
        return lookup_key in self.keys

    def appended(self, item: tuple[Any, ...]) -> None:
        """Record an append the caller made to the list (under signal.lock)."""
        self.grouping = None
        if self.keys_at is None:
            return
        if not _indexable(item):
            self.keys_at = self.keys = None
            return
        self.keys_at.append(item[0])
        if self.keys is not None:
            _count_key(self.keys, item[0], 1)

    def deleted(self, position: int) -> None:
        """Record a deletion the caller made from the list (under signal.lock)."""
        self.grouping = None
        if self.keys_at is None:
            return
        lookup_key = self.keys_at.pop(position)
        if self.keys is not None:
            _count_key(self.keys, lookup_key, -1)

    def positions_for(self, senderkey: Any) -> list[int]:
        """Positions of the receivers for this sender key, in connection order (index must hold keys)."""
        grouping = self.grouping
        if grouping is None:
            grouping = self.grouping = _group(self.keys_at)  # type: ignore[arg-type]
        found = _positions_in(grouping, senderkey)
        if found is None:
            anys, specific, merged = grouping
            found = merged[senderkey] = sorted(anys + specific[senderkey])
        return found

    def entries_for(self, receivers: Any, senderkey: Any) -> list[tuple[Any, ...]]:
        """Cache entries of the receivers for this sender key, in connection order (caller holds lock).

        The positions are read after they are made: a finalizer that edits the list while
        they are built sends this call to Django's scan, as a changed list would.
        """
        if self.keys_at is not None:
            positions = self.positions_for(senderkey)
            if self.fresh(receivers):
                return _gather(receivers, positions)
        return _scan(receivers, senderkey)


def _group(keys_at: list[Any]) -> tuple[list[int], dict[Any, list[int]], dict[Any, list[int]]]:
    anys: list[int] = []
    specific: dict[Any, list[int]] = {}
    for position, (_, senderkey) in enumerate(keys_at):
        if senderkey == NONE_ID:
            anys.append(position)
        else:
            specific.setdefault(senderkey, []).append(position)
    return anys, specific, {}


def _positions_in(grouping: tuple[Any, Any, Any], senderkey: Any) -> list[int] | None:
    """The positions for senderkey that grouping holds already; None while its merge is to make."""
    anys, specific, merged = grouping
    found: list[int] | None = merged.get(senderkey)
    if found is not None:
        return found
    own = specific.get(senderkey)
    if own is None:
        return anys  # type: ignore[no-any-return]
    if not anys:
        return own  # type: ignore[no-any-return]
    return None


def _scan(receivers: Any, senderkey: Any) -> list[tuple[Any, ...]]:
    """Django's own filter, for a list the index cannot stand for: every item unpacked in turn."""
    entries = []
    for item in receivers:
        r_senderkey, entry = _entry_of(item)
        if r_senderkey == NONE_ID or r_senderkey == senderkey:
            entries.append(entry)
    return entries


_SEQUENCE_TYPES = (list, tuple)
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


def _indexable(item: Any) -> bool:
    """Whether the index may stand for item: a well-formed tuple whose lookup key is a builtin value."""
    if type(item) is not tuple or len(item) != RECEIVER_TUPLE_LEN:
        return False
    lookup_key = item[0]
    return type(lookup_key) is tuple and len(lookup_key) == 2 and _trusted(lookup_key)


def _keys_at(receivers: Any) -> list[Any] | None:
    """Each item's lookup key, or None when the list is not one the index can stand for."""
    if type(receivers) not in _SEQUENCE_TYPES:
        return None
    keys_at = []
    for item in receivers:
        if not _indexable(item):
            return None
        keys_at.append(item[0])
    return keys_at


def _count_keys(keys_at: list[Any]) -> dict[Any, int]:
    keys: dict[Any, int] = {}
    for lookup_key in keys_at:
        _count_key(keys, lookup_key, 1)
    return keys


def _count_key(keys: dict[Any, int], lookup_key: Any, step: int) -> None:
    # Django compares keys with ==; the dict stands in for that scan because the
    # index holds only keys whose hash agrees with ==.
    count = keys.get(lookup_key, 0) + step
    if count:
        keys[lookup_key] = count
    else:
        del keys[lookup_key]


_lookup_key_of = lookup_key_of
_entry_of = entry_of
_first_of = first_of

if SENDER_REFS:

    def _item_keys(receivers: Any) -> list[Any]:
        return [lookup_key for lookup_key, _, _, _ in receivers]

    def _gather(receivers: Any, positions: list[int]) -> list[tuple[Any, ...]]:
        return [
            (receiver, sender_ref, is_async)
            for _, receiver, sender_ref, is_async in map(receivers.__getitem__, positions)
        ]

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

    def _item_keys(receivers: Any) -> list[Any]:
        return [lookup_key for lookup_key, _, _ in receivers]

    def _gather(receivers: Any, positions: list[int]) -> list[tuple[Any, ...]]:
        return [(receiver, is_async) for _, receiver, is_async in map(receivers.__getitem__, positions)]

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


def _index(signal: Any, receivers: Any) -> _Index:
    """The signal's index, rebuilt if ``receivers`` changed behind our back (caller holds lock)."""
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
    if REF_CALLBACKS:
        return ref(receiver, getattr(signal, FLAG_DEAD_RECEIVERS)), None
    # Before 6.1: a finalizer on the receiver's object raises the flag, not the ref
    # itself; Django holds that object until connect() returns.
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


def _entries(signal: Any, sender: Any, senderkey: Any = None) -> Any:
    """Entries for sender from the receivers list, storing them when caching.

    ``senderkey`` is _make_id(sender) when the caller made it already: a sender's own
    attribute code then runs once per send, as on Django.
    """
    with signal.lock:
        signal._clear_dead_receivers()
        if senderkey is None:
            senderkey = _make_id(sender)
        # After the sender key, as Django: code that making it runs may edit the list.
        receivers = signal.receivers
        entries = _index(signal, receivers).entries_for(receivers, senderkey)
        if signal.use_caching:
            signal.sender_receivers_cache[sender] = entries if entries else NO_RECEIVERS
    return entries


def _send_entries(signal: Any, sender: Any, cached: Any) -> Any:
    """The entries to dispatch to, reusing the caller's cache lookup (``cached``).

    Without the cache, they are read through the index without the lock when it can
    tell. Another thread may change the list meanwhile, so the entries are read first
    and kept only if the index still stands for the same list afterwards: then they
    are what the list held for this sender at that moment.
    """
    if signal.use_caching:
        if cached is not None and not signal._dead_receivers:
            return cached
        return _entries(signal, sender)
    index: Any = getattr(signal, INDEX_ATTR, None)
    grouping = index.grouping if type(index) is _Index else None
    if (
        grouping is None
        or signal._dead_receivers
        or getattr(signal._clear_dead_receivers, "__func__", None) is not _clear_dead_receivers_py
    ):
        return _entries(signal, sender)
    senderkey = _make_id(sender)
    positions = _positions_in(grouping, senderkey)
    if positions is None:
        return _entries(signal, sender, senderkey)  # this sender's merge is made under the lock
    receivers = signal.receivers
    keys_at = index.keys_at
    if type(receivers) in _SEQUENCE_TYPES and keys_at is not None:
        try:
            # _gather() and fresh(), written out: as calls they cost this send about
            # 0.3 µs, a fifth of it. An item's fields after its key are its cache entry.
            entries = [receivers[position][1:] for position in positions]
            # Still the signal's index, with the same grouping, standing for the same list.
            still = getattr(signal, INDEX_ATTR, None) is index
            if (
                still
                and index.grouping is grouping
                and len(receivers) == len(keys_at)
                and all(map(is_, _item_keys(receivers), keys_at))
            ):
                return entries
        except Exception:  # the list changed under us: the lock decides
            pass
    return _entries(signal, sender, senderkey)


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
            index = _index(self, self.receivers)
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
            index = _index(self, self.receivers)
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
        if getattr(self._live_receivers, "__func__", None) is _live_receivers_py:
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
        if getattr(self._live_receivers, "__func__", None) is _live_receivers_py:
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
