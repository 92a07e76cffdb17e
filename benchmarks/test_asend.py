"""asend() (blinker: send_async()) to async receivers.

One timed call runs BATCH sends in an event loop that is already set up, so the
loop's own start is spread thin; divide by BATCH for the time per send.
"""

import asyncio
import itertools

import cases

OPERATION = "asend"
BATCH = 100


def test_asend(benchmark, impl, count, target, kind):
    case = cases.build(impl, count, any_sender=target == "any", kind=kind, is_async=True)
    function, args, kwargs = case.call(OPERATION)

    async def batch():
        for _ in itertools.repeat(None, BATCH):
            await function(*args, **kwargs)

    loop = asyncio.new_event_loop()
    try:
        benchmark(lambda: loop.run_until_complete(batch()))
    finally:
        loop.close()
