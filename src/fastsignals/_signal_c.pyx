# cython: language_level=3
"""The compiled engine: the same design as _signal_py.py, name for name.

``signal.receivers`` stays Django's list of tuples and the single source of truth.
An ``_Index`` derived from it answers "which receivers for this sender" with one
dict lookup instead of a scan, and knows each lookup key so connect() need not scan.
The index records only each item's lookup key and is rebuilt whenever an item no
longer has the key recorded at its position, so direct edits by third-party code are
seen, and an item removed by hand is freed as it is on Django.

Invariant for the lock-free reads below: with the GIL held, a stretch of C code
that calls no Python code cannot interleave with another thread, so a freshness
test and the lookups after it see one consistent list.
"""

import sys
import types
import weakref

cimport cython

from cpython.object cimport PyObject
from cpython.dict cimport PyDict_Next
from cpython.list cimport PyList_GET_SIZE
from cpython.long cimport PyLong_FromVoidPtr
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from cpython.ref cimport Py_DECREF, Py_INCREF
from cpython.weakref cimport PyWeakref_NewRef

from asgiref.sync import async_to_sync

from ._frame import keep_frame, keep_signatures
from ._semantics import (
    FLAG_DEAD_RECEIVERS,
    INDEX_ATTR,
    INDEXED,
    NO_RECEIVERS,
    NONE_ID,
    RECEIVER_TUPLE_LEN,
    REF_CALLBACKS,
    SCAN_LIMIT,
    SENDER_REFS,
    SignalBase,
    asend_for,
    cache_entry_of,
    call_receiver,
    check_receiver,
    entry_of,
    first_of,
    iscoroutinefunction,
    lookup_key_of,
    own_methods,
)

__all__ = ["Signal"]

cdef extern from "Python.h":
    ctypedef struct PyListObject:
        PyObject** ob_item
    ctypedef struct PyTupleObject:
        PyObject** ob_item
    object PyObject_Vectorcall(object callable, PyObject** args, size_t nargsf, PyObject* kwnames)
    const size_t PY_VECTORCALL_ARGUMENTS_OFFSET
    bint PyWeakref_CheckRef(object ob)
    object PyMethod_New(object func, object self)
    bint PyCallable_Check(object ob)
    PyObject* PyDict_GetItemWithError(object mp, object key) except? NULL
    Py_ssize_t PyObject_Hash(object ob) except -1
    object PyObject_GenericGetDict(object ob, void* context)
    ctypedef struct _TypeObject "PyTypeObject":
        unsigned int tp_version_tag
    PyObject* _PyType_Lookup(_TypeObject* tp, object name)

cdef extern from *:
    """
    /* hasattr() as the builtin does it: a miss raises no AttributeError to discard. */
    static int fastsignals_has_attr(PyObject *obj, PyObject *name) {
        PyObject *value;
    #if PY_VERSION_HEX >= 0x030D0000
        int found = PyObject_GetOptionalAttr(obj, name, &value);
    #else
        int found = _PyObject_LookupAttr(obj, name, &value);
    #endif
        Py_XDECREF(value);
        return found;
    }
    """
    int fastsignals_has_attr(object obj, object name) except -1

cdef extern from *:
    """
    /* A weak reference's referent as a new reference, None once it is dead. */
    static PyObject *fastsignals_referent(PyObject *ref) {
    #if PY_VERSION_HEX >= 0x030D0000
        PyObject *obj;
        if (PyWeakref_GetRef(ref, &obj) < 0) return NULL;
        if (obj == NULL) { Py_INCREF(Py_None); return Py_None; }
        return obj;
    #else
        PyObject *obj = PyWeakref_GetObject(ref);
        Py_XINCREF(obj);
        return obj;
    #endif
    }
    """
    object fastsignals_referent(object ref)

cdef extern from *:
    """
    /* Whether items[i] is a tuple of tuple_len whose first field is keys[i], for each i:
       pointer reads and compares only, so no Python code runs and nothing is allocated. */
    static int fastsignals_same_keys(PyObject **items, PyObject **keys, Py_ssize_t size,
                                     Py_ssize_t tuple_len) {
        for (Py_ssize_t i = 0; i < size; i++) {
            PyObject *item = items[i];
            if (!PyTuple_CheckExact(item) || PyTuple_GET_SIZE(item) != tuple_len
                    || PyTuple_GET_ITEM(item, 0) != keys[i])
                return 0;
        }
        return 1;
    }
    """
    bint fastsignals_same_keys(PyObject** items, PyObject** keys, Py_ssize_t size, Py_ssize_t tuple_len)

cdef extern from *:
    """
    /* slot_tp_hash and slot_tp_richcompare: the slots of a class whose __hash__ and
       __eq__ are Python code, read once from such a class. */
    static hashfunc fastsignals_python_hash = NULL;
    static richcmpfunc fastsignals_python_compare = NULL;

    static void fastsignals_learn_python_slots(PyObject *cls) {
        fastsignals_python_hash = ((PyTypeObject *)cls)->tp_hash;
        fastsignals_python_compare = ((PyTypeObject *)cls)->tp_richcompare;
    }

    /* Whether key's weak reference can be made and looked up in a dict without
       raising and without running Python code: then no frame is missing above it. */
    static int fastsignals_weak_key_in_c(PyObject *key) {
        PyTypeObject *tp = Py_TYPE(key);
        return PyType_SUPPORTS_WEAKREFS(tp)
            && tp->tp_hash != PyObject_HashNotImplemented
            && tp->tp_hash != fastsignals_python_hash
            && tp->tp_richcompare != fastsignals_python_compare;
    }

    /* Whether obj hashes and compares as object and type do, by identity, in C: then an
       equal key is obj itself, and looking it up runs no code. */
    static int fastsignals_identity_key(PyObject *obj) {
        PyTypeObject *tp = Py_TYPE(obj);
        return (tp->tp_richcompare == PyBaseObject_Type.tp_richcompare
                || tp->tp_richcompare == PyType_Type.tp_richcompare)
            && (tp->tp_hash == PyBaseObject_Type.tp_hash || tp->tp_hash == PyType_Type.tp_hash);
    }

    /* Whether every live key of a WeakKeyDictionary's data is an identity key: then a
       lookup in it compares in C, by identity, and finds a sender only under its own key. */
    static int fastsignals_identity_keys(PyObject *data) {
        Py_ssize_t pos = 0;
        PyObject *key, *value;
        while (PyDict_Next(data, &pos, &key, &value)) {
            if (!PyWeakref_Check(key))
                return 0;
    #pragma GCC diagnostic push
    #pragma GCC diagnostic ignored "-Wdeprecated-declarations"
            PyObject *referent = PyWeakref_GET_OBJECT(key);
    #pragma GCC diagnostic pop
            if (referent != Py_None && !fastsignals_identity_key(referent))
                return 0;
        }
        return 1;
    }

    /* Whether hasattr(sender, "__func__") is False without running any code: sender is
       a class whose metaclass reads attributes as type does, and neither has __func__.
       Django's _make_id() then keys it by its id. */
    static int fastsignals_class_keyed_by_id(PyObject *sender, PyObject *name) {
        PyTypeObject *meta = Py_TYPE(sender);
        return PyType_Check(sender) && meta->tp_getattro == PyType_Type.tp_getattro
            && _PyType_Lookup(meta, name) == NULL && _PyType_Lookup((PyTypeObject *)sender, name) == NULL;
    }
    """
    void fastsignals_learn_python_slots(object cls)
    bint fastsignals_weak_key_in_c(object key)
    bint fastsignals_class_keyed_by_id(object sender, object name)
    bint fastsignals_identity_key(object obj)
    bint fastsignals_identity_keys(object data)

cdef extern from *:
    """
    /* Room for capacity items in an empty list, so that fastsignals_push fills it
       without reallocating; a list with items, or room enough, is left alone. Lists
       keep their slots with PyMem_* in the GIL builds; free-threaded ones are left alone. */
    static int fastsignals_reserve(PyObject *list, Py_ssize_t capacity) {
    #ifndef Py_GIL_DISABLED
        PyListObject *l = (PyListObject *)list;
        if (Py_SIZE(l) != 0 || l->allocated >= capacity)
            return 0;
        PyObject **items = PyMem_Realloc(l->ob_item, capacity * sizeof(PyObject *));
        if (items == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        l->ob_item = items;
        l->allocated = capacity;
    #endif
        return 0;
    }

    /* list.append(item), in place while there is room: the list never shows an
       unset slot, since its size grows only after the slot is filled. */
    static int fastsignals_push(PyObject *list, PyObject *item) {
    #ifndef Py_GIL_DISABLED
        PyListObject *l = (PyListObject *)list;
        Py_ssize_t size = Py_SIZE(l);
        if (size < l->allocated) {
            Py_INCREF(item);
            l->ob_item[size] = item;
            Py_SET_SIZE(l, size + 1);
            return 0;
        }
    #endif
        return PyList_Append(list, item);
    }
    """
    int fastsignals_reserve(list lst, Py_ssize_t capacity) except -1
    int fastsignals_push(list lst, object item) except -1

cdef extern from *:
    """
    /* Push the live sync receivers of entries[start:] to out while each entry has the common
       shape: a tuple of size fields whose receiver (at first) is a function, a plain
       weakref.ref, or a weak_method (WeakMethod) with its slots set as WeakMethod sets them
       while the class has version, the tag it had when last found as at import (0: not found
       so yet); whose sender reference (with sender_refs) is None or a plain weakref.ref; and
       whose is_async is False. Returns the position of the first entry of another shape (the
       list's size when none), -1 on error. Each entry resolves as the general way would, and
       only pointers are read: no Python code runs but a collection that a WeakMethod's new
       bound method may start, after which the list is read again. */
    static Py_ssize_t fastsignals_resolve_plain(PyObject *entries, Py_ssize_t start, Py_ssize_t first,
                                                Py_ssize_t size, int sender_refs, PyObject *weak_method,
                                                unsigned int version, Py_ssize_t func_ref_offset,
                                                Py_ssize_t meth_type_offset, PyObject *out) {
        for (Py_ssize_t i = start; i < PyList_GET_SIZE(entries); i++) {
            PyObject *entry = PyList_GET_ITEM(entries, i);
            if (!PyTuple_CheckExact(entry) || PyTuple_GET_SIZE(entry) != size
                    || PyTuple_GET_ITEM(entry, size - 1) != Py_False)
                return i;
            PyObject *receiver = PyTuple_GET_ITEM(entry, first);
            PyObject *func_ref = NULL;
            int weak = PyWeakref_CheckRefExact(receiver);
            if (!weak && !PyFunction_Check(receiver)) {
                if (Py_TYPE(receiver) != (PyTypeObject *)weak_method || version == 0
                        || ((PyTypeObject *)weak_method)->tp_version_tag != version)
                    return i;
                func_ref = *(PyObject **)((char *)receiver + func_ref_offset);
                if (func_ref == NULL || !PyWeakref_CheckRefExact(func_ref)
                        || *(PyObject **)((char *)receiver + meth_type_offset) != (PyObject *)&PyMethod_Type)
                    return i;
            }
            /* A receiver tied to a collected sender is skipped, but only once the receiver
               itself resolved, as Django orders it: a WeakMethod that MethodType refuses raises. */
            int sender_dead = 0;
            if (sender_refs) {
                PyObject *sender_ref = PyTuple_GET_ITEM(entry, first + 1);
                if (sender_ref != Py_None) {
                    if (!PyWeakref_CheckRefExact(sender_ref))
                        return i;
                    PyObject *sender = fastsignals_referent(sender_ref);
                    if (sender == NULL)
                        return -1;
                    sender_dead = sender == Py_None;
                    Py_DECREF(sender);  /* alive or None, so not the last reference */
                }
            }
            int pushed;
            if (func_ref != NULL) {
                /* WeakMethod.__call__: both halves alive, bound as MethodType binds them. */
                PyObject *target = fastsignals_referent(receiver);
                if (target == NULL)
                    return -1;
                PyObject *func = fastsignals_referent(func_ref);
                if (func == NULL) {
                    Py_DECREF(target);
                    return -1;
                }
                int dead = target == Py_None || func == Py_None;
                int refused = !dead && !PyCallable_Check(func);
                if (dead || refused || sender_dead) {
                    Py_DECREF(target);
                    Py_DECREF(func);
                    if (refused)
                        return i;  /* MethodType refuses it: the general way raises its TypeError */
                    continue;
                }
                PyObject *method = PyMethod_New(func, target);
                Py_DECREF(target);
                Py_DECREF(func);
                if (method == NULL)
                    return -1;
                pushed = fastsignals_push(out, method);
                Py_DECREF(method);  /* out holds it now */
            }
            else if (sender_dead)
                continue;  /* a dead or live weakref.ref or a function: nothing to raise */
            else if (weak) {
                receiver = fastsignals_referent(receiver);
                if (receiver == NULL)
                    return -1;
                pushed = receiver == Py_None ? 0 : fastsignals_push(out, receiver);
                Py_DECREF(receiver);  /* out holds it now, if live */
            }
            else
                pushed = fastsignals_push(out, receiver);
            if (pushed < 0)
                return -1;
        }
        return PyList_GET_SIZE(entries);
    }
    """
    Py_ssize_t fastsignals_resolve_plain(list entries, Py_ssize_t start, Py_ssize_t first, Py_ssize_t size,
                                         bint sender_refs, PyObject* weak_method, unsigned int version,
                                         Py_ssize_t func_ref_offset, Py_ssize_t meth_type_offset,
                                         list out) except -1

cdef extern from *:
    """
    /* send()'s loop: call each receiver of a list with the keyword arguments kwnames names
       and args holds, and push (receiver, response) to responses. args[-1] is scratch space
       for a bound method's self.
       The size is re-read at each step and each receiver held while it runs, as a Python loop
       over the list would. */
    static int fastsignals_call_each(PyObject *receivers, PyObject *const *args, PyObject *kwnames,
                                     PyObject *responses) {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(receivers); i++) {
            PyObject *receiver = PyList_GET_ITEM(receivers, i);
            Py_INCREF(receiver);
            PyObject *response = PyObject_Vectorcall(receiver, args, PY_VECTORCALL_ARGUMENTS_OFFSET, kwnames);
            if (response == NULL) {
                Py_DECREF(receiver);
                return -1;
            }
            PyObject *pair = PyTuple_New(2);
            if (pair == NULL) {
                Py_DECREF(receiver);
                Py_DECREF(response);
                return -1;
            }
            PyTuple_SET_ITEM(pair, 0, receiver);  /* the pair takes both references */
            PyTuple_SET_ITEM(pair, 1, response);
            int pushed = fastsignals_push(responses, pair);
            Py_DECREF(pair);
            if (pushed < 0)
                return -1;
        }
        return 0;
    }
    """
    int fastsignals_call_each(list receivers, PyObject** args, PyObject* kwnames, list responses) except -1

cdef extern from *:
    """
    /* spare if nothing but its module holds it and it is empty, else a new empty list
       (a new reference either way). Free-threaded builds always get a new one. */
    static PyObject *fastsignals_take_list(PyObject *spare) {
    #ifndef Py_GIL_DISABLED
        if (Py_REFCNT(spare) == 1 && PyList_GET_SIZE(spare) == 0) {
            Py_INCREF(spare);
            return spare;
        }
    #endif
        return PyList_New(0);
    }

    /* Empty a list, keeping its room. The size drops first, so a finalizer that an
       item's release runs never sees a slot being emptied. */
    static void fastsignals_drop_items(PyObject *list) {
        PyListObject *l = (PyListObject *)list;
        Py_ssize_t size = Py_SIZE(l);
        Py_SET_SIZE(l, 0);
        for (Py_ssize_t i = 0; i < size; i++)
            Py_DECREF(l->ob_item[i]);
    }
    """
    list fastsignals_take_list(PyObject* spare)
    void fastsignals_drop_items(list lst)

cdef extern from *:
    """
    #include "structmember.h"

    /* The offset of the object slot a member descriptor reads (a class's __slots__
       entry), or 0 if descr is not one. */
    static Py_ssize_t fastsignals_slot_offset(PyObject *descr) {
        if (Py_TYPE(descr) != &PyMemberDescr_Type)
            return 0;
        PyMemberDef *member = ((PyMemberDescrObject *)descr)->d_member;
        return member->type == T_OBJECT_EX ? member->offset : 0;
    }

    /* The value in obj's slot at offset (borrowed), NULL while the slot is unset. */
    static inline PyObject *fastsignals_slot(PyObject *obj, Py_ssize_t offset) {
        return *(PyObject **)((char *)obj + offset);
    }

    /* Whether tp reads attributes as object does: no __getattribute__ or __getattr__. */
    static inline int fastsignals_generic_getattr(PyObject *tp) {
        return ((PyTypeObject *)tp)->tp_getattro == PyObject_GenericGetAttr;
    }

    /* Whether instances of tp get and set attributes by the generic rules: no
       __getattribute__, __getattr__ or __setattr__ of the class's own runs. */
    static inline int fastsignals_generic_attributes(PyObject *tp) {
        return fastsignals_generic_getattr(tp)
            && ((PyTypeObject *)tp)->tp_setattro == PyObject_GenericSetAttr;
    }
    """
    Py_ssize_t fastsignals_slot_offset(object descr)
    PyObject* fastsignals_slot(object obj, Py_ssize_t offset)
    bint fastsignals_generic_getattr(object tp)
    bint fastsignals_generic_attributes(object tp)

cdef str _INDEX_ATTR = INDEX_ATTR
cdef object _ReferenceType = weakref.ReferenceType
cdef object _WeakMethod = weakref.WeakMethod
cdef object _WeakKeyDictionary = weakref.WeakKeyDictionary
cdef object _MethodType = types.MethodType
cdef object _FunctionType = types.FunctionType
cdef object _NO_RECEIVERS = NO_RECEIVERS
cdef object _NONE_ID = NONE_ID
cdef bint _SENDER_REFS = SENDER_REFS
cdef bint _REF_CALLBACKS = REF_CALLBACKS
cdef Py_ssize_t _TUPLE_LEN = RECEIVER_TUPLE_LEN
cdef tuple _SIGNAL_SENDER = ("signal", "sender")
cdef tuple _TRUSTED_TYPES = (int, bool, float, str, bytes)
cdef Py_ssize_t _SCAN_LIMIT = SCAN_LIMIT
cdef str _ENGINE_FILE  # the file name Cython gives this module's frames in tracebacks
cdef object _CALL_RECEIVER_CODE = call_receiver.__code__
fastsignals_learn_python_slots(type("PythonKeyed", (), {"__hash__": lambda self: 0, "__eq__": lambda self, other: False}))

cdef extern from *:
    """
    /* A dict's version tag (PEP 509): every change to the dict gives it a new one and
       tags are never reused, so an equal tag means the same dict, unchanged. From 3.13
       on, an attribute stored in an object's inline values changes its __dict__ without
       a new tag, so there (and in free-threaded builds) this is 0: no memo is taken. */
    static inline unsigned long long fastsignals_dict_version(PyObject *d) {
    #if PY_VERSION_HEX < 0x030D0000 && !defined(Py_GIL_DISABLED)
    #pragma GCC diagnostic push
    #pragma GCC diagnostic ignored "-Wdeprecated-declarations"
        return ((PyDictObject *)d)->ma_version_tag;
    #pragma GCC diagnostic pop
    #else
        return 0;
    #endif
    }
    """
    unsigned long long fastsignals_dict_version(object d)

# Up to this many arguments (with the scratch slot) the argument vector lives on the C stack.
cdef enum:
    _STACK_ARGS = 20

# The senders whose cache lookups an index remembers (see _Index.recall).
cdef enum:
    _MEMO_SLOTS = 4


cdef class _Index:
    """What ``signal.receivers`` says, ready for lookups, holding none of its items.

    The index records each item's lookup key by position. Dispatch reads receivers,
    sender references and flags from the list itself, so the keys are all it needs
    to know that its positions still answer for the list.
    """

    cdef list keys_at
    # The address of the signal that holds the index, once registered in INDEXED; a copy
    # of the signal holds it under another address, so it registers too.
    cdef Py_ssize_t owner
    # Lookup key -> count, made once the list reaches _SCAN_LIMIT items.
    cdef dict keys
    # Positions (anys, specific, merged), built on first use and replaced whole;
    # merged holds a sender's own merged with anys, made when both exist.
    cdef tuple grouping
    # The memo of recent sends' lookups (see recall): borrowed pointers, each alive
    # only while the version tag taken with it shows its holder unchanged.
    cdef unsigned long long state_version  # signal.__dict__, holding receivers and the cache
    cdef bint caching  # answers are cache values, else positions in grouping
    cdef PyObject* receivers
    cdef PyObject* cache
    cdef unsigned long long cache_version  # caching: the cache's __dict__; else the cache itself
    cdef PyObject* data
    cdef PyObject* pending
    cdef unsigned long long data_version
    cdef Py_ssize_t remembered  # slots filled; the next one taken is remembered % _MEMO_SLOTS
    cdef PyObject* senders[_MEMO_SLOTS]  # compared by address, never read
    cdef PyObject* answers[_MEMO_SLOTS]

    def __init__(self, receivers):
        # Only the items' lookup keys, builtin values all: holding them is unobservable,
        # and a receiver removed from the list by hand dies when Django's would.
        self.keys_at = _keys_at(receivers)
        self.keys = None
        self.grouping = None
        self.state_version = 0

    def __reduce__(self):
        # A copy of a signal (copy.deepcopy, pickle) gets an index that stands for no
        # list, so the copy's own receivers rebuild it on first use.
        return _Index, (None,)

    cdef bint fresh(self, receivers) except -1:
        """Whether each item of ``receivers`` still has the key recorded at its position.

        Keys compare by identity alone, in C: the test runs no Python code, so the
        lock-free read may rely on it (see _items_without_lock).
        """
        cdef PyObject** items
        if self.keys_at is None:
            return False
        if type(receivers) is list:
            items = (<PyListObject*>receivers).ob_item
        elif type(receivers) is tuple:
            items = (<PyTupleObject*>receivers).ob_item
        else:
            return False
        cdef Py_ssize_t size = len(receivers)
        if size != len(self.keys_at):
            return False
        return fastsignals_same_keys(items, (<PyListObject*>self.keys_at).ob_item, size, _TUPLE_LEN)

    cdef object has_key(self, lookup_key):
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

    cdef void appended(self, tuple item) except *:
        """Record an append the caller made to the list (under signal.lock)."""
        self.grouping = None
        self.remembered = 0  # uncached answers are positions in the grouping
        if self.keys_at is None:
            return
        if not _indexable(item):
            self.keys_at = self.keys = None
            return
        self.keys_at.append(item[0])
        if self.keys is not None:
            _count_key(self.keys, item[0], 1)

    cdef void deleted(self, Py_ssize_t position) except *:
        """Record a deletion the caller made from the list (under signal.lock)."""
        self.grouping = None
        self.remembered = 0  # uncached answers are positions in the grouping
        if self.keys_at is None:
            return
        lookup_key = self.keys_at.pop(position)
        if self.keys is not None:
            _count_key(self.keys, lookup_key, -1)

    cdef bint unchanged(self, dict state) except -1:
        """Whether the memo's signal state and cache are as when it was taken. Runs no Python code."""
        if self.state_version == 0 or fastsignals_dict_version(state) != self.state_version:
            return False
        if not self.caching:
            return fastsignals_dict_version(<object>self.cache) == self.cache_version
        if type(<object>self.cache) is not _WeakKeyDictionary or (
                (<_TypeObject*>_WeakKeyDictionary).tp_version_tag != _standard_get_version):
            return False  # its class was switched, or get() patched on it: that get() answers now
        if fastsignals_dict_version(PyObject_GenericGetDict(<object>self.cache, NULL)) != self.cache_version:
            return False
        # A sender that died while the cache was iterated leaves data unchanged until the
        # iteration ends: its removal is pending, and a new object may have its address.
        return fastsignals_dict_version(<object>self.data) == self.data_version and not <list>self.pending

    cdef PyObject* recall(self, dict state, sender):
        """For a sender a recent send looked up, if the lookup would give the same again and
        receivers is not empty: what sender_receivers_cache.get(sender) gave (caching), or
        its positions in the receivers list (not caching); else NULL. Runs no Python code."""
        cdef Py_ssize_t slot
        # The sender's class may have been given Python __hash__ or __eq__ since.
        if not fastsignals_identity_key(sender) or not self.unchanged(state) or not <list>self.receivers:
            return NULL
        if not self.caching and not self.fresh(<list>self.receivers):
            return NULL
        for slot in range(min(self.remembered, _MEMO_SLOTS)):
            if self.senders[slot] == <PyObject*>sender:
                return self.answers[slot]
        return NULL

    cdef void remember(self, dict state, sender, answer, unsigned long long data_version) except *:
        """Memo that a plain signal's lookup for sender just gave answer (see recall); when
        caching, data_version is the cache data's version tag just before that lookup.

        Invariant: nothing has allocated since that lookup (a collection could run
        callbacks that change the signal), so the versions read here are the lookup's.
        """
        cdef bint caching
        if answer is None or not fastsignals_identity_key(sender):
            return
        caching = state.get("use_caching") is True
        if caching != self.caching or not self.unchanged(state):
            self.state_version = 0
            self.remembered = 0
            if not self.remember_state(state, caching):
                return
        if caching and data_version != self.data_version:
            return  # the lookup ran code that changed the cache (or did not look in its data)
        self.senders[self.remembered % _MEMO_SLOTS] = <PyObject*>sender
        self.answers[self.remembered % _MEMO_SLOTS] = <PyObject*>answer
        self.remembered += 1

    cdef bint remember_state(self, dict state, bint caching) except -1:
        receivers = state.get("receivers")
        cache = state.get("sender_receivers_cache")
        if type(receivers) is not list or state.get("_dead_receivers") is not False:
            return False
        if not caching:
            # Django's {}.get(sender) before each uncached send finds nothing while it stays empty.
            if type(cache) is not dict or cache or state.get("use_caching") is not False:
                return False
            self.cache_version = fastsignals_dict_version(cache)
        else:
            if type(cache) is not _WeakKeyDictionary:
                return False
            cache_state = <dict>PyObject_GenericGetDict(cache, NULL)
            data = cache_state.get("data")
            pending = cache_state.get("_pending_removals")
            if type(data) is not dict or type(pending) is not list or not fastsignals_identity_keys(data):
                return False
            self.cache_version = fastsignals_dict_version(cache_state)
            self.data = <PyObject*>data
            self.pending = <PyObject*>pending
            self.data_version = fastsignals_dict_version(data)
        self.caching = caching
        self.receivers = <PyObject*>receivers
        self.cache = <PyObject*>cache
        self.state_version = fastsignals_dict_version(state)
        return True

    cdef list positions_for(self, senderkey):
        """Positions of the receivers for this sender key, in connection order (index must hold keys)."""
        grouping = self.grouping
        if grouping is None:
            grouping = self.grouping = _group(self.keys_at)
        found = _positions_in(grouping, senderkey)
        if found is None:
            anys, specific, merged = grouping
            found = (<dict>merged)[senderkey] = sorted(<list>anys + <list>(<dict>specific)[senderkey])
        return <list>found

    cdef list entries_for(self, receivers, senderkey):
        """Cache entries of the receivers for this sender key, in connection order (caller holds lock).

        The positions are read after they are made: a finalizer that edits the list while
        they are built sends this call to Django's scan, as a changed list would.
        """
        cdef list items
        if self.keys_at is not None:
            positions = self.positions_for(senderkey)
            items = []
            # From the test to the last append nothing runs Python code or allocates a
            # GC-tracked object, so the items are those the test saw.
            if self.fresh(receivers):
                _append_items(items, receivers, positions)
                return [(<tuple>item)[1:] for item in items]
        return _scan(receivers, senderkey)


cdef tuple _group(list keys_at):
    cdef list anys = []
    cdef dict specific = {}
    cdef Py_ssize_t position
    for position, lookup_key in enumerate(keys_at):
        senderkey = (<tuple>lookup_key)[1]
        if senderkey == _NONE_ID:
            anys.append(position)
        else:
            specific.setdefault(senderkey, []).append(position)
    return anys, specific, {}


cdef object _positions_in(tuple grouping, senderkey):
    """The positions for senderkey that grouping holds already; None while its merge is to make.

    Dict lookups of builtin keys only: no Python code runs (see _items_without_lock).
    """
    anys = grouping[0]
    found = (<dict>grouping[2]).get(senderkey)
    if found is not None:
        return found
    own = (<dict>grouping[1]).get(senderkey)
    if own is None:
        return anys
    if not anys:
        return own
    return None


cdef list _scan(receivers, senderkey):
    """Django's own filter, for a list the index cannot stand for: every item unpacked in turn."""
    cdef list entries = []
    for item in receivers:
        r_senderkey, entry = _entry_of(item)
        if r_senderkey == _NONE_ID or r_senderkey == senderkey:
            entries.append(entry)
    return entries


cdef bint _trusted(key) except -1:
    """Whether hashing agrees with == for key: builtin scalars and tuples of them."""
    if type(key) is tuple:
        for part in <tuple>key:
            if not _trusted(part):
                return False
        return True
    return key is None or type(key) in _TRUSTED_TYPES


cdef bint _indexable(item) except -1:
    """Whether the index may stand for item: a well-formed tuple whose lookup key is a builtin value."""
    if type(item) is not tuple or len(<tuple>item) != _TUPLE_LEN:
        return False
    lookup_key = (<tuple>item)[0]
    return type(lookup_key) is tuple and len(<tuple>lookup_key) == 2 and _trusted(lookup_key)


cdef list _keys_at(receivers):
    """Each item's lookup key, or None when the list is not one the index can stand for."""
    if type(receivers) is not list and type(receivers) is not tuple:
        return None
    cdef list keys_at = []
    for item in receivers:
        if not _indexable(item):
            return None
        keys_at.append((<tuple>item)[0])
    return keys_at


cdef dict _count_keys(list keys_at):
    cdef dict keys = {}
    for lookup_key in keys_at:
        _count_key(keys, lookup_key, 1)
    return keys


cdef void _count_key(dict keys, lookup_key, int step) except *:
    # Django compares keys with ==; the dict stands in for that scan because the
    # index holds only keys whose hash agrees with ==.
    count = keys.get(lookup_key, 0) + step
    if count:
        keys[lookup_key] = count
    else:
        del keys[lookup_key]


cdef object _lookup_key_of(item):
    if type(item) is tuple and len(<tuple>item) == _TUPLE_LEN:
        return (<tuple>item)[0]
    return lookup_key_of(item)


cdef tuple _entry_of(item):
    if type(item) is tuple and len(<tuple>item) == _TUPLE_LEN:
        key = (<tuple>item)[0]
        if type(key) is tuple and len(<tuple>key) == 2:
            return (<tuple>key)[1], (<tuple>item)[1:]
    return entry_of(item)


cdef bint _scan_for_key(receivers, lookup_key) except -1:
    """Django's duplicate test: the first item with an equal key ends the scan."""
    for other in receivers:
        if _lookup_key_of(other) == lookup_key:
            return True
    return False


cdef object _first_of(item):
    if type(item) is tuple and len(<tuple>item) >= 1:
        return (<tuple>item)[0]
    return first_of(item)


# WeakMethod's __call__, and the offsets of its _func_ref and _meth_type slots, read from
# its member descriptors at import (0: not slots there, so never read at an offset).
cdef tuple _WEAK_METHOD_NAMES = ("__call__", "_func_ref", "_meth_type")
cdef tuple _WEAK_METHOD_ORIGINALS = tuple(_WeakMethod.__dict__.get(name) for name in _WEAK_METHOD_NAMES)
cdef object _FUNC_REF_SLOT = _WEAK_METHOD_ORIGINALS[1]
cdef object _METH_TYPE_SLOT = _WEAK_METHOD_ORIGINALS[2]
cdef Py_ssize_t _func_ref_offset = fastsignals_slot_offset(_FUNC_REF_SLOT)
cdef Py_ssize_t _meth_type_offset = fastsignals_slot_offset(_METH_TYPE_SLOT)
# WeakMethod's version tag when it was last found plain (see _class_unpatched).
cdef unsigned int _plain_weak_method_version = 0


cdef inline bint _class_unpatched(object tp, tuple names, tuple originals, unsigned int* checked) except -1:
    """Whether class tp still finds each of names as the matching original (as _PyType_Lookup
    does), remembered in checked as tp's version tag: any assignment to a class gives it a
    new tag, and tags are never reused."""
    cdef unsigned int version = (<_TypeObject*>tp).tp_version_tag
    cdef Py_ssize_t i
    if version != 0 and version == checked[0]:
        return True
    for i in range(len(names)):
        if _PyType_Lookup(<_TypeObject*>tp, names[i]) != <PyObject*>originals[i]:
            return False
    checked[0] = (<_TypeObject*>tp).tp_version_tag  # _PyType_Lookup gave tp a tag if it had none
    return True


cdef bint _plain_weak_method() except -1:
    """Whether WeakMethod still has the __call__ found at import, which reads _func_ref
    and _meth_type from the slots found then: nothing patched on the class (mock.patch)."""
    return (_func_ref_offset and _meth_type_offset and fastsignals_generic_getattr(_WeakMethod)
            and _class_unpatched(_WeakMethod, _WEAK_METHOD_NAMES, _WEAK_METHOD_ORIGINALS, &_plain_weak_method_version))


cdef inline object _deref(object receiver):
    """The object a receiver reference points to, or None once it is dead."""
    if type(receiver) is _ReferenceType:
        return fastsignals_referent(receiver)
    return _call_reference(receiver)


cdef object _call_reference(object receiver):
    """receiver(), for a reference that is not a plain weakref.ref."""
    cdef PyObject* slot
    if type(receiver) is _WeakMethod and _plain_weak_method():
        slot = fastsignals_slot(receiver, _func_ref_offset)
        if slot is not NULL:  # else WeakMethod.__call__ raises Python's AttributeError
            # WeakMethod.__call__ without its Python frame, reading what it reads in its order.
            target = fastsignals_referent(receiver)
            func_ref = <object>slot
            if type(func_ref) is _ReferenceType:
                func = fastsignals_referent(func_ref)
                slot = fastsignals_slot(receiver, _meth_type_offset)
            else:
                func = func_ref()
                slot = NULL  # that call may have changed anything: _meth_type is read by getattr
            if target is None or func is None:  # both halves must be alive
                return None
            meth_type = <object>slot if slot is not NULL else getattr(receiver, "_meth_type")
            if meth_type is _MethodType and PyCallable_Check(func):  # else MethodType raises its TypeError
                return PyMethod_New(func, target)
            return meth_type(func, target)
    return receiver()


cdef void _append_items(list items, receivers, list positions) except *:
    """Append the items of receivers (a list or tuple the index stands for) at positions."""
    cdef PyObject** slots
    if type(receivers) is list:
        slots = (<PyListObject*>receivers).ob_item
    else:
        slots = (<PyTupleObject*>receivers).ob_item
    fastsignals_reserve(items, len(positions))
    for position in positions:
        fastsignals_push(items, <object>slots[<Py_ssize_t>position])


cdef inline bint _claims_reference(receiver) except -1:
    """isinstance(receiver, weakref.ReferenceType) for an object that is not one, as Django
    tests it: a proxy or a mock may claim the class through __class__. Functions and bound
    methods cannot, so they skip the attribute lookup."""
    if type(receiver) is _FunctionType or type(receiver) is _MethodType:
        return False
    return isinstance(receiver, _ReferenceType)


cdef list _resolve_into(entries, list sync_receivers, Py_ssize_t first):
    """Append the live sync receivers to sync_receivers; return the async ones (None if none).

    ``entries`` are cache entries (``first`` 0) or whole receivers items (``first`` 1).
    """
    cdef list async_receivers = None
    cdef Py_ssize_t size = _TUPLE_LEN - 1 + first
    cdef Py_ssize_t position = 0
    if type(entries) is not list:
        for entry in entries:
            async_receivers = _resolve_entry(entry, size, first, sync_receivers, async_receivers)
        return async_receivers
    fastsignals_reserve(sync_receivers, len(<list>entries))
    while True:
        # WeakMethod's version when last found plain: 0 until the general way has found it so.
        position = fastsignals_resolve_plain(<list>entries, position, first, size, _SENDER_REFS, <PyObject*>_WeakMethod,
                                             _plain_weak_method_version, _func_ref_offset, _meth_type_offset,
                                             sync_receivers)
        # Re-read: an entry resolved the general way may run code that edits the list.
        if position >= len(<list>entries):
            return async_receivers
        async_receivers = _resolve_entry((<list>entries)[position], size, first, sync_receivers, async_receivers)
        position += 1


cdef list _resolve_entry(entry, Py_ssize_t size, Py_ssize_t at, list sync_receivers, list async_receivers):
    """_resolve_into() for one entry of any shape: push it to sync_receivers if live and sync,
    else append it to async_receivers (made if None) if live; return async_receivers."""
    if type(entry) is not tuple or len(<tuple>entry) != size:
        entry = cache_entry_of(entry)  # a cache edited by hand: unpacked as Django does
        at = 0
    receiver = (<tuple>entry)[at]
    if PyWeakref_CheckRef(receiver) or _claims_reference(receiver):
        receiver = _deref(receiver)
        if receiver is None:
            return async_receivers
    if _SENDER_REFS:
        # A receiver tied to a collected sender is skipped even before the purge.
        sender_ref = (<tuple>entry)[at + 1]
        if sender_ref is not None and _deref(sender_ref) is None:
            return async_receivers
    if (<tuple>entry)[at + 2 if _SENDER_REFS else at + 1]:
        if async_receivers is None:
            async_receivers = []
        async_receivers.append(receiver)
    else:
        fastsignals_push(sync_receivers, receiver)
    return async_receivers


cdef bint _is_dead(item) except -1:
    receiver = item[1]
    if isinstance(receiver, _ReferenceType) and receiver() is None:
        return True
    if _SENDER_REFS:
        sender_ref = item[2]
        return sender_ref is not None and sender_ref() is None
    return False


cdef inline bint _may_index(signal):
    """Whether disconnect() may answer from the index: not for a class whose attribute
    reads run its own code, which sees each of the reads of ``receivers`` Django's search
    makes. (connect() reads it once either way.)"""
    return fastsignals_generic_getattr(type(signal))


cdef _Index _index(signal, receivers):
    """The signal's index, rebuilt if ``receivers`` changed behind our back (caller holds
    lock, except _adopt(), which only ever makes one).

    Kept in the signal's __dict__ itself: Django never reads or sets it, so neither may
    the class's own __getattr__ or __setattr__ see it.
    """
    cdef dict state = <dict>PyObject_GenericGetDict(signal, NULL)
    index = state.get(_INDEX_ATTR)
    if type(index) is not _Index or not (<_Index>index).fresh(receivers):
        index = _Index(receivers)
        state[_INDEX_ATTR] = index
    if (<_Index>index).owner != <Py_ssize_t><void*>signal:
        INDEXED.add(signal)  # so uninstall() drops it from a stock signal
        (<_Index>index).owner = <Py_ssize_t><void*>signal
    return <_Index>index


# The callback the latest connect() handed out, held weakly: it keeps no signal alive.
cdef object _last_flag = None


cdef object _dead_flag(signal, shared):
    """getattr(signal, FLAG_DEAD_RECEIVERS), or ``shared`` (None: the latest connect()'s)
    when it is an equal bound method.

    Django makes one bound method per weak reference. One with the same __self__ and
    __func__ calls the very same code, so each reference may hold the shared one and a
    receiver costs two bound methods less.
    """
    global _last_flag
    flag = getattr(signal, FLAG_DEAD_RECEIVERS)
    if type(flag) is not _MethodType:
        return flag
    if shared is None and _last_flag is not None:
        shared = fastsignals_referent(_last_flag)
    if type(shared) is _MethodType and shared.__self__ is flag.__self__ and shared.__func__ is flag.__func__:
        return shared
    _last_flag = PyWeakref_NewRef(flag, None)
    return flag


cdef tuple _weak_receiver(signal, receiver):
    """(weak reference to receiver, the object the caller keeps alive until connect()
    returns, the dead-receiver callback given), in Django's order of reads."""
    ref = weakref.ref
    if hasattr(receiver, "__self__") and hasattr(receiver, "__func__"):
        ref = _WeakMethod
    if _REF_CALLBACKS:
        flag = _dead_flag(signal, None)
        return ref(receiver, flag), None, flag
    # Before 6.1: a finalizer on the receiver's object raises the flag, not the ref
    # itself; Django holds that object until connect() returns.
    receiver_object = receiver.__self__ if ref is _WeakMethod else receiver
    weak = ref(receiver)
    flag = _dead_flag(signal, None)
    weakref.finalize(receiver_object, flag)
    return weak, receiver_object, flag


cdef object _sender_ref(signal, sender, flag):
    # A weak reference ties the receiver's life to its sender, so a later object
    # reusing the sender's id() does not inherit it. Some senders refuse weakrefs.
    if sender is None:
        return None
    try:
        return weakref.ref(sender, _dead_flag(signal, flag))
    except TypeError:
        return None


cdef object _make_id(target):
    # PyLong_FromVoidPtr is what id() returns, without the call to the builtin.
    if fastsignals_has_attr(target, "__func__"):
        return (PyLong_FromVoidPtr(<void*>target.__self__), PyLong_FromVoidPtr(<void*>target.__func__))
    return PyLong_FromVoidPtr(<void*>target)


cdef list _entries(signal, sender, senderkey):
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
            signal.sender_receivers_cache[sender] = entries if entries else _NO_RECEIVERS
    return entries


cdef tuple _WEAK_KEY_NAMES = ("get",)
cdef tuple _WEAK_KEY_ORIGINALS = (_WeakKeyDictionary.get,)
# WeakKeyDictionary's version tag when its get() was last found to be the standard one
# (see _class_unpatched).
cdef unsigned int _standard_get_version = 0


cdef bint _standard_get(dict cache_state) except -1:
    """Whether a WeakKeyDictionary with this __dict__ has the standard get(): none patched
    on the instance or on the class (mock.patch), so its data can be read in C."""
    return (_class_unpatched(_WeakKeyDictionary, _WEAK_KEY_NAMES, _WEAK_KEY_ORIGINALS, &_standard_get_version)
            and "get" not in cache_state)


cdef object _cache_get(cache, sender, unsigned long long* data_version):
    """cache.get(sender), without the Python frame for a plain dict or WeakKeyDictionary.

    Sets data_version to the version tag of the WeakKeyDictionary's data just before
    the lookup in it, 0 when there was no such lookup.
    """
    cdef PyObject* found
    data_version[0] = 0
    if type(cache) is dict:
        if not cache:
            PyObject_Hash(sender)  # {}.get(sender) still hashes: unhashable senders raise.
            return None
        found = PyDict_GetItemWithError(cache, sender)
    elif type(cache) is _WeakKeyDictionary:
        cache_state = <dict>PyObject_GenericGetDict(cache, NULL)
        data = cache_state.get("data")
        if type(data) is not dict or not fastsignals_weak_key_in_c(sender) or not _standard_get(cache_state):
            return cache.get(sender)  # its errors and the sender's own code run below get(), as on Django
        key = PyWeakref_NewRef(sender, None)
        data_version[0] = fastsignals_dict_version(data)
        found = PyDict_GetItemWithError(data, key)
    else:
        return cache.get(sender)
    if found is NULL:
        return None
    return <object>found


cdef object _live_receivers_c = None  # Signal._live_receivers, set below the class.
cdef object _clear_dead_receivers_c = None  # Signal._clear_dead_receivers, likewise.


# type -> its version tag when last found plain (see _plain_state); never shrinks,
# but holds only Signal classes, which live as long as the program anyway.
cdef dict _plain_types = {}
# The class _plain_state() last found plain, and its version tag then. Tags are never
# reused, so a freed class whose address is taken by a new one cannot match.
cdef PyObject* _last_plain_type = NULL
cdef unsigned int _last_plain_version = 0
cdef tuple _STATE_NAMES = ("receivers", "sender_receivers_cache", "use_caching", "_dead_receivers", INDEX_ATTR)


cdef dict _plain_state(signal):
    """The signal's __dict__ if its class and the instance leave our methods and its state alone, else None."""
    return _unpatched(_plain_class_state(signal))


cdef dict _plain_class_state(signal):
    """The signal's __dict__ if its class leaves our methods and its state alone, else None.

    A class that overrides _live_receivers or _clear_dead_receivers, defines one of
    the state attributes itself, or hooks attribute access, gets the generic path. The
    verdict is cached per class until the class changes (any class-level assignment
    bumps its version tag).
    """
    global _last_plain_type, _last_plain_version
    tp = type(signal)
    cdef unsigned int version = (<_TypeObject*>tp).tp_version_tag
    if <PyObject*>tp == _last_plain_type and version == _last_plain_version and version:
        return <dict>PyObject_GenericGetDict(signal, NULL)
    tag = _plain_types.get(tp)
    if tag is None or <unsigned int>tag != version:
        if not fastsignals_generic_attributes(tp):
            return None  # its __getattribute__, __getattr__ or __setattr__ must see each access
        if (getattr(tp, "_live_receivers", None) is not _live_receivers_c
                or tp._clear_dead_receivers is not _clear_dead_receivers_c):
            return None
        for name in _STATE_NAMES:
            if fastsignals_has_attr(tp, name):
                return None
        if version:
            _plain_types[tp] = version
    if version:
        _last_plain_type, _last_plain_version = <PyObject*>tp, version
    return <dict>PyObject_GenericGetDict(signal, NULL)


cdef inline dict _unpatched(dict state):
    if state is None or "_live_receivers" in state or "_clear_dead_receivers" in state:
        return None  # patched on the instance (mock.patch.object, ...)
    return state


# The __dict__ _index_in() last found an index in, its version tag then, and the index:
# borrowed, and read only while that dict has the same tag (so it holds the index still).
cdef PyObject* _last_state = NULL
cdef unsigned long long _last_state_version = 0
cdef PyObject* _last_index = NULL


cdef inline _Index _index_in(dict state):
    """The index in a plain signal's __dict__, or None."""
    global _last_state, _last_state_version, _last_index
    cdef PyObject* index
    if state is None:
        return None
    cdef unsigned long long version = fastsignals_dict_version(state)
    if <PyObject*>state == _last_state and version == _last_state_version and version:
        return <_Index>_last_index
    index = PyDict_GetItemWithError(state, _INDEX_ATTR)
    if index is NULL or type(<object>index) is not _Index:
        return None
    _last_state, _last_state_version, _last_index = <PyObject*>state, version, index
    return <_Index>index


cdef inline object _get(signal, dict state, str name):
    """signal.<name>, straight from its __dict__ when _plain_state allowed it."""
    cdef PyObject* found
    if state is not None:
        found = PyDict_GetItemWithError(state, name)
        if found is not NULL:
            return <object>found
    return getattr(signal, name)


cdef _Index _adopt(signal, dict state):
    """An index for a plain signal that has none, so its memo can answer the next send.

    A signal whose receivers stock code connected, and whose cache stock code filled
    (before install()), gets none from connect() or a cache miss. Made without the lock,
    which Django's send does not take: every reader confirms an index against the list
    before it uses a key (fresh), and a cache value or miss from the memo never reads one.
    """
    receivers = state.get("receivers")
    if receivers is None or _INDEX_ATTR in state:
        return None  # something else under our name: _index_in() turned it down
    return _index(signal, receivers)


cdef object _cache_get_remembered(signal, dict state, _Index index, sender):
    """signal.sender_receivers_cache.get(sender), remembered in the index of a plain
    signal (``state`` not None), which gets one if it has none (see _adopt)."""
    cdef unsigned long long data_version
    if index is None and state is not None:
        index = _adopt(signal, state)
    cached = _cache_get(_get(signal, state, "sender_receivers_cache"), sender, &data_version)
    if state is not None and index is not None:
        index.remember(state, sender, cached, data_version)  # nothing has allocated since the lookup
    return cached


cdef list _items_without_lock(dict state, sender, senderkey, bint keyed_by_id):
    """The receivers items for sender, read through the index without the lock; None if it cannot tell.

    Invariant: from reading the grouping to the last append nothing runs Python code or
    allocates a GC-tracked object (which could start a collection and its callbacks),
    so with the GIL held no other thread and no finalizer changes the list meanwhile.
    """
    cdef list items = []
    cdef _Index idx
    index = state.get(_INDEX_ATTR)
    if type(index) is not _Index:
        return None
    idx = <_Index>index
    grouping = idx.grouping
    receivers = state.get("receivers")
    if grouping is None or not idx.fresh(receivers):
        return None
    positions = _positions_in(grouping, senderkey)
    if positions is None:
        return None  # this sender's merged positions are built under the lock
    if keyed_by_id:  # the only senders send() recalls without caching
        idx.remember(state, sender, positions, 0)
    _append_items(items, receivers, positions)
    return items


cdef list _live_into(signal, dict state, sender, cached, list sync_receivers):
    """Append sender's live sync receivers to sync_receivers; return the async ones (None if none).

    Reuses the caller's cache lookup (``cached``). ``state`` is None unless
    _plain_state() allowed reading the index without the lock.
    """
    if _get(signal, state, "use_caching"):
        if cached is not None and not _get(signal, state, "_dead_receivers"):
            return _resolve_into(cached, sync_receivers, 0)
    elif state is not None and not _get(signal, state, "_dead_receivers"):
        keyed_by_id = fastsignals_class_keyed_by_id(sender, "__func__")  # before _make_id() runs any code
        senderkey = _make_id(sender)  # may run the sender's own code: before the lock-free stretch
        items = _items_without_lock(state, sender, senderkey, keyed_by_id)
        if items is not None:
            return _resolve_into(items, sync_receivers, 1)
        return _resolve_into(_entries(signal, sender, senderkey), sync_receivers, 0)
    return _resolve_into(_entries(signal, sender, None), sync_receivers, 0)


cdef extern from *:
    """
    static PyObject *(*fastsignals_dispatch_impl)(PyObject *, PyObject *, PyObject *, int) = NULL;

    /* _dispatch(signal, sender, named, robust), a builtin function taking its arguments as the
       interpreter's vector: its only callers are send() and send_robust(), so a bad call need
       only be refused. */
    static PyObject *fastsignals_dispatch(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
        if (nargs != 4 || !PyDict_CheckExact(args[2]) || !PyBool_Check(args[3])) {
            PyErr_SetString(PyExc_TypeError, "_dispatch() takes (signal, sender, named: dict, robust: bool)");
            return NULL;
        }
        return fastsignals_dispatch_impl(args[0], args[1], args[2], args[3] == Py_True);
    }

    static PyMethodDef fastsignals_dispatch_def = {
        "_dispatch", (PyCFunction)(void (*)(void))fastsignals_dispatch, METH_FASTCALL,
        "send() and send_robust() past their Python frame: the whole loop in C."};

    static PyObject *fastsignals_dispatch_function(PyObject *module_name) {
        return PyCFunction_NewEx(&fastsignals_dispatch_def, NULL, module_name);
    }
    """
    object (*fastsignals_dispatch_impl)(object, object, object, bint)
    object fastsignals_dispatch_function(object module_name)


cdef object _dispatch_impl(signal, sender, named_object, bint robust):
    """send() and send_robust() past their Python frame: the whole loop in C."""
    cdef dict named = <dict>named_object
    cdef dict state = _plain_class_state(signal)
    cdef _Index index = _index_in(state)
    cdef PyObject* remembered
    cdef list items
    if index is not None and index.caching:
        remembered = index.recall(state, sender)
        if remembered is not NULL:
            if remembered == <PyObject*>_NO_RECEIVERS:
                return []
            return _send_remembered(signal, sender, named, robust, remembered, None)
    elif index is not None and fastsignals_class_keyed_by_id(sender, "__func__"):
        # Taken before the recall: from it to the last append nothing may allocate (see _items_without_lock).
        items = fastsignals_take_list(<PyObject*>_spare_items)
        remembered = index.recall(state, sender)
        if remembered is not NULL:
            if not <list>remembered:
                return []  # no receiver for this sender
            _append_items(items, <list>index.receivers, <list>remembered)
            return _send_remembered(signal, sender, named, robust, NULL, items)
    state = _unpatched(state)
    if not _get(signal, state, "receivers"):
        return []
    cached = _cache_get_remembered(signal, state, index, sender)
    if cached is _NO_RECEIVERS:
        return []
    if state is not None:
        sync_receivers = []
        async_receivers = _live_into(signal, state, sender, cached, sync_receivers)
    else:
        sync_receivers, async_receivers = signal._live_receivers(sender)
    cached = None  # released before the receivers run, as Django's _live_receivers() releases it
    return _call_receivers(signal, sender, named, robust, sync_receivers, async_receivers)


fastsignals_dispatch_impl = _dispatch_impl
# A builtin function with the vector calling convention: send() calls it with no argument
# parsing and no cyfunction dispatch.
_dispatch = fastsignals_dispatch_function(__name__)


# Lists the memo's sends reuse while no other send holds them: the live receivers, and
# without caching the receivers items. Each is emptied before send() returns.
cdef list _spare_receivers = []
cdef list _spare_items = []


cdef list _send_remembered(signal, sender, dict named, bint robust, PyObject* cached, list items):
    """Resolve and call the receivers of the cache value the memo gave (borrowed: held here
    before anything allocates) or, without caching, of the items read through the index.
    Either is released before the receivers run, as Django's _live_receivers() releases it."""
    entries = <object>cached if items is None else None
    cdef list sync_receivers = fastsignals_take_list(<PyObject*>_spare_receivers)
    try:
        if items is None:
            async_receivers = _resolve_into(entries, sync_receivers, 0)
            entries = None
        else:
            async_receivers = _resolve_into(items, sync_receivers, 1)
            fastsignals_drop_items(items)
        return _call_receivers(signal, sender, named, robust, sync_receivers, async_receivers)
    finally:
        if items is not None:
            fastsignals_drop_items(items)
        fastsignals_drop_items(sync_receivers)  # the receivers are released when send() is done, as on Django


cdef inline bint _nonempty(receivers) except -1:
    """bool(receivers), read from the size of a list."""
    if type(receivers) is list:
        return PyList_GET_SIZE(receivers) != 0
    return bool(receivers)


cdef list _call_receivers(signal, sender, dict named, bint robust, sync_receivers, async_receivers):
    cdef list responses = []
    if _nonempty(sync_receivers):
        _call_all(signal, sender, named, sync_receivers, responses, robust)
    if async_receivers:
        responses.extend(async_to_sync(asend_for(signal, sender, named, async_receivers, robust))())
    return responses


cdef tuple _last_kwnames = _SIGNAL_SENDER  # the names of the latest send, reused when equal


cdef tuple _named_args(dict named, PyObject** values):
    """("signal", "sender", *named), with named's values put in values[0:len(named)] as new
    references; None, with nothing put, if named has "signal" itself.

    A send's names usually repeat, so one pass over named both compares its keys with the
    latest send's tuple and reads its values; that tuple never holds "signal" past its first
    slot, so a reused one needs no check.
    """
    global _last_kwnames
    cdef tuple last = _last_kwnames
    cdef Py_ssize_t count = len(named)
    cdef bint same = len(last) == count + 2
    cdef Py_ssize_t pos = 0
    cdef Py_ssize_t i
    cdef PyObject* key
    cdef PyObject* value
    # Borrowed until the references are taken below: nothing in between runs Python code.
    for i in range(count):
        PyDict_Next(named, &pos, &key, &value)
        if same and (<PyTupleObject*>last).ob_item[i + 2] != key:
            same = False
        values[i] = value
    if not same:
        if "signal" in named:
            return None
        last = _SIGNAL_SENDER + tuple(named)
        _last_kwnames = last
        # Read again: the membership test may have run a key's own __eq__.
        if len(last) != count + 2:
            raise RuntimeError("dictionary changed size during iteration")
        pos = 0
        for i in range(count):
            if not PyDict_Next(named, &pos, &key, &value) or (<PyTupleObject*>last).ob_item[i + 2] != key:
                raise RuntimeError("dictionary changed size during iteration")
            values[i] = value
    for i in range(count):
        Py_INCREF(<object>values[i])
    return last


cdef int _call_all(signal, sender, dict named, receivers, list responses, bint robust) except -1:
    """Call each receiver as receiver(signal=, sender=, **named), appending (receiver, response)."""
    cdef Py_ssize_t nargs = len(named) + 2
    cdef PyObject* stack[_STACK_ARGS]
    cdef PyObject** args = stack
    cdef tuple kwnames = None
    cdef Py_ssize_t i
    if nargs + 1 > _STACK_ARGS:
        args = <PyObject**>PyMem_Malloc((nargs + 1) * sizeof(PyObject*))
        if args is NULL:
            raise MemoryError()
    try:
        # Slot 0 is scratch space that PY_VECTORCALL_ARGUMENTS_OFFSET lets a bound method
        # use for its self. The vector owns a reference to each value: a receiver cannot
        # free one by mutating ``named`` through frame introspection.
        kwnames = _named_args(named, args + 3)
        if kwnames is None:
            # Let Python word the duplicate-keyword TypeError exactly as Django's call does.
            _call_each_in_python(signal, sender, named, receivers, responses, robust)
            return 0
        args[0] = NULL
        args[1] = <PyObject*>signal
        args[2] = <PyObject*>sender
        if type(receivers) is list:
            fastsignals_reserve(responses, len(<list>receivers))
            if not robust:
                return fastsignals_call_each(<list>receivers, args + 1, <PyObject*>kwnames, responses)
        for receiver in receivers:
            if not robust:
                response = PyObject_Vectorcall(receiver, args + 1, PY_VECTORCALL_ARGUMENTS_OFFSET, <PyObject*>kwnames)
                fastsignals_push(responses, (receiver, response))
                continue
            try:
                response = PyObject_Vectorcall(receiver, args + 1, PY_VECTORCALL_ARGUMENTS_OFFSET, <PyObject*>kwnames)
            except Exception as err:
                _record_failure(signal, receiver, err, responses)
            else:
                fastsignals_push(responses, (receiver, response))
        return 0
    finally:
        if kwnames is not None:
            for i in range(3, len(kwnames) + 1):
                Py_DECREF(<object>args[i])
        if args is not stack:
            PyMem_Free(args)


cdef void _call_each_in_python(signal, sender, dict named, receivers, list responses,
                               bint robust) except *:
    for receiver in receivers:
        if not robust:
            responses.append((receiver, call_receiver(receiver, signal, sender, named)))
            continue
        try:
            response = call_receiver(receiver, signal, sender, named)
        except Exception as err:
            _record_failure(signal, receiver, err, responses)
        else:
            responses.append((receiver, response))


cdef void _record_failure(signal, receiver, err, list responses) except *:
    """send_robust()'s answer to a receiver's Exception: log it, return it as the response."""
    _add_caller_frame(err)
    signal._log_robust_failure(receiver, err)
    fastsignals_push(responses, (receiver, err))


cdef void _add_caller_frame(err) except *:
    # Caught in C, the traceback starts at this module's entry; in Django it starts
    # in send_robust(). Drop ours and put our send_robust's frame (the innermost
    # Python frame) first.
    tb = err.__traceback__
    while tb is not None and (tb.tb_frame.f_code.co_filename == _ENGINE_FILE
                              or tb.tb_frame.f_code is _CALL_RECEIVER_CODE):
        tb = tb.tb_next
    frame = sys._getframe(0)
    err.__traceback__ = types.TracebackType(tb, frame, frame.f_lasti, frame.f_lineno)


def _prepare(self, receiver, sender, weak, dispatch_uid):
    """Signal.connect()'s first half: ((lookup key, receiver or its weak reference,
    is_async, dead-receiver callback), object to keep alive until connect() returns)."""
    check_receiver(receiver)
    if dispatch_uid:
        lookup_key = (dispatch_uid, _make_id(sender))
    else:
        lookup_key = (_make_id(receiver), _make_id(sender))
    is_async = iscoroutinefunction(receiver)
    receiver_object = flag = None
    if weak:
        receiver, receiver_object, flag = _weak_receiver(self, receiver)
    return (lookup_key, receiver, is_async, flag), receiver_object


_ENGINE_FILE = _prepare.__code__.co_filename  # _dispatch, a builtin function, has no __code__


def _add(self, tuple prepared, sender):
    """Signal.connect()'s second half: make the sender's weak reference, then append
    the item unless its key is taken."""
    lookup_key, receiver, is_async, flag = prepared
    if _SENDER_REFS:
        item = (lookup_key, receiver, _sender_ref(self, sender, flag), is_async)
    else:
        item = (lookup_key, receiver, is_async)
    cdef _Index index
    with self.lock:
        self._clear_dead_receivers()
        # receivers is read once for the duplicate test and once for the append, as Django reads it.
        receivers = self.receivers
        index = _index(self, receivers)
        present = index.has_key(lookup_key)
        if present is None:
            present = _scan_for_key(receivers, lookup_key)
        if not present:
            self.receivers.append(item)
            index.appended(item)
        self.sender_receivers_cache.clear()


def _disconnect(self, receiver, sender, dispatch_uid):
    """Signal.disconnect(), past its Python frame."""
    if dispatch_uid:
        lookup_key = (dispatch_uid, _make_id(sender))
    else:
        lookup_key = (_make_id(receiver), _make_id(sender))
    removed = False
    cdef _Index index
    cdef Py_ssize_t count
    with self.lock:
        self._clear_dead_receivers()
        receivers = self.receivers
        count = len(receivers)
        index = _index(self, receivers) if _may_index(self) else None
        present = index.has_key(lookup_key) if index is not None else None
        if present:
            # The list is the index's: its first equal key is the one Django's loop stops at.
            position = index.keys_at.index(lookup_key)
            del self.receivers[position]
            index.deleted(position)
            removed = True
        elif present is None:
            for position in range(count):
                if _first_of(self.receivers[position]) == lookup_key:
                    del self.receivers[position]
                    if index is not None:
                        index.deleted(position)
                    removed = True
                    break
        self.sender_receivers_cache.clear()
    return removed


class Signal(SignalBase):
    """A drop-in for django.dispatch.Signal with a per-sender receiver index.

    Receivers are called synchronous ones first, in connection order, then the
    async ones concurrently. Weak receivers (the default) vanish when collected;
    on Django 6.x, so do receivers tied to a collected sender.
    """

    connect, disconnect = keep_signatures(_prepare, _add, _disconnect)

    send, send_robust = keep_frame(_dispatch, _ENGINE_FILE)

    def _clear_dead_receivers(self):
        # Caller holds self.lock. Replaces the list, as Django does: code holding
        # the old list keeps a consistent view.
        if self._dead_receivers:
            self._dead_receivers = False
            self.receivers = [item for item in self.receivers if not _is_dead(item)]

    def _live_receivers(self, sender):
        """(sync receivers, async receivers) for sender, weak references resolved.

        A plain signal's lookup goes through its memo, as send()'s does.
        """
        cdef dict state = _plain_state(self)
        cdef _Index index = _index_in(state)
        cdef PyObject* remembered = NULL
        cached = None
        if index is not None and index.caching:
            remembered = index.recall(state, sender)
        if remembered is not NULL:
            cached = <object>remembered  # held before anything allocates
        elif _get(self, state, "use_caching") and not _get(self, state, "_dead_receivers"):
            cached = _cache_get_remembered(self, state, index, sender)
        if cached is _NO_RECEIVERS:
            return [], []
        cdef list sync_receivers = []
        if state is not None:
            async_receivers = _live_into(self, state, sender, cached, sync_receivers)
        else:
            # Django's reads in Django's order, for a class that may watch them: caching and
            # the flag were read above, and only a lookup that found nothing reads on.
            async_receivers = _resolve_into(cached if cached is not None else _entries(self, sender, None),
                                            sync_receivers, 0)
        return sync_receivers, async_receivers if async_receivers is not None else []


own_methods(Signal)
_live_receivers_c = Signal.__dict__["_live_receivers"]
_clear_dead_receivers_c = Signal.__dict__["_clear_dead_receivers"]
