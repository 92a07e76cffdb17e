"""Code a typed project would write against fastsignals' public API.

tests/typing/test_mypy.py runs ``mypy --strict`` on this file and then runs it,
so every name in ``fastsignals.__all__`` must be usable under strict typing.
"""

from __future__ import annotations

import asyncio
from typing import Any

import fastsignals
from fastsignals import IMPLEMENTATION, Signal, install, is_installed, receiver, uninstall

order_placed = Signal()
order_cached = Signal(use_caching=True)


class Shop:
    def on_order(self, sender: object, **kwargs: Any) -> str:
        return f"shop saw {kwargs['order_id']}"


@receiver(order_placed)
def log_order(sender: object, **kwargs: Any) -> int:
    return int(kwargs["order_id"])


@receiver([order_placed, order_cached], sender=Shop, dispatch_uid="audit")
def audit(sender: object, **kwargs: Any) -> None:
    return None


async def notify(sender: object, **kwargs: Any) -> str:
    return "notified"


def flaky(sender: object, **kwargs: Any) -> None:
    raise RuntimeError("unavailable")


def responses_of(results: list[tuple[Any, Any]]) -> list[object]:
    return [response for _, response in results]


def main() -> None:
    shop = Shop()
    order_placed.connect(shop.on_order, sender=Shop, weak=False)
    order_placed.connect(notify)
    listening: bool = order_placed.has_listeners(Shop)
    assert listening and order_cached.has_listeners(Shop)

    assert responses_of(order_placed.send(Shop, order_id=1)) == [1, None, "shop saw 1", "notified"]
    order_placed.connect(flaky, dispatch_uid="flaky")
    robust = order_placed.send_robust(Shop, order_id=2)
    assert isinstance(robust[-2][1], RuntimeError) and robust[-1][1] == "notified"

    async def from_async_code() -> None:
        sent = await order_cached.asend(Shop, order_id=3)
        robust_sent = await order_placed.asend_robust(None, order_id=4)
        assert responses_of(sent) == [None] and len(robust_sent) == 3

    asyncio.run(from_async_code())

    removed: bool = order_placed.disconnect(dispatch_uid="flaky")
    assert removed and not order_placed.disconnect(flaky)

    engine: str = IMPLEMENTATION
    assert engine in ("cython", "python")
    install()
    try:
        assert is_installed()
    finally:
        uninstall()
    assert not fastsignals.is_installed()


if __name__ == "__main__":
    main()
