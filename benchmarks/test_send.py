"""send(): receivers for the sender or for any sender, caching on and off, functions or bound methods."""

import cases

OPERATION = "send"


def test_send(benchmark, impl, count, target, use_caching, kind):
    case = cases.build(impl, count, any_sender=target == "any", use_caching=use_caching, kind=kind)
    function, args, kwargs = case.call(OPERATION)
    benchmark(function, *args, **kwargs)
