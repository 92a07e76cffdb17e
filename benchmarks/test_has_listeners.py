"""has_listeners() (blinker: has_receivers_for()), caching on and off."""

import cases

OPERATION = "has_listeners"


def test_has_listeners(benchmark, impl, count, target, use_caching):
    case = cases.build(impl, count, any_sender=target == "any", use_caching=use_caching)
    function, args, kwargs = case.call(OPERATION)
    benchmark(function, *args, **kwargs)
