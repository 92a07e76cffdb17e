"""send() on a signal with 1,000 receivers, one for each of 1,000 senders, use_caching=False."""

import cases

OPERATION = "send"


def test_send_one_of_1000_senders(benchmark, impl):
    case = cases.build_spread(impl)
    function, args, kwargs = case.call(OPERATION)
    benchmark(function, *args, **kwargs)
