"""connect(): one new receiver, a batch of 10,000, and django-dirtyfields' patterns.

Where a connect changes the state, each round gets a fresh signal (setup, not timed),
so every timed connect meets the same state.
"""

import itertools

import cases

OPERATION = "connect"
ROUNDS = 200
BATCH = 10_000


def test_connect(benchmark, impl, count, target, kind):
    """A new receiver, to a signal that already has ``count`` (plus the other senders')."""

    def setup():
        case = cases.build_connect(impl, count, kind=kind, any_sender=target == "any")
        return (impl, case.signal, case.receiver, case.sender), {}

    benchmark.pedantic(cases.connect, setup=setup, rounds=ROUNDS)


def test_connect_10000_receivers(benchmark, impl):
    """The whole batch: 10,000 distinct receivers connected to a fresh signal."""

    def setup():
        receivers, _ = cases.make_receivers(BATCH)
        return (impl, cases.new_signal(impl, True), receivers), {}

    def connect_all(impl, signal, receivers):
        for receiver in receivers:
            cases.connect(impl, signal, receiver)

    benchmark.pedantic(connect_all, setup=setup, rounds=3)


def test_connect_same_dispatch_uid(benchmark, impl):
    """django-dirtyfields in every model __init__: connect by a dispatch_uid already connected
    (blinker, which has no dispatch_uid: the same receiver again), 100 receivers connected."""
    case = cases.build_connect(impl, 100)
    uid = {} if impl == "blinker" else {"dispatch_uid": "Item-DirtyFieldsMixin-sweeper"}
    cases.connect(impl, case.signal, case.receiver, case.sender, **uid)
    benchmark(cases.connect, impl, case.signal, case.receiver, case.sender, **uid)


def test_connect_disconnect_dispatch_uid_per_instance(benchmark, impl):
    """connect then disconnect with a dispatch_uid of each instance's own (blinker: without
    one), 100 receivers connected."""
    case = cases.build_connect(impl, 100)
    uids = (f"Item-{number}-sweeper" for number in itertools.count())
    signal, receiver, sender = case.signal, case.receiver, case.sender

    def cycle():
        uid = {} if impl == "blinker" else {"dispatch_uid": next(uids)}
        cases.connect(impl, signal, receiver, sender, **uid)
        cases.disconnect(impl, signal, receiver, sender, **uid)

    benchmark(cycle)
