"""disconnect() of one receiver from a signal with ``count`` others (plus the others' senders).

Each round gets a fresh signal with the receiver connected last (setup, not timed).
"""

import cases

OPERATION = "disconnect"
ROUNDS = 200


def test_disconnect(benchmark, impl, count, target, kind):
    def setup():
        case = cases.build_connect(impl, count, kind=kind, any_sender=target == "any")
        cases.connect(impl, case.signal, case.receiver, case.sender)
        return (impl, case.signal, case.receiver, case.sender), {}

    benchmark.pedantic(cases.disconnect, setup=setup, rounds=ROUNDS)
