"""fastsignals without Django: asgiref only, the newest (6.1) semantics, no DEBUG checks.

The checks run in a fresh interpreter whose imports of ``django`` fail, so the
result does not depend on Django being installed here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Any

SCRIPT = textwrap.dedent(
    """
    import sys


    class NoDjango:
        def find_spec(self, name, path=None, target=None):
            if name == "django" or name.startswith("django."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None


    sys.meta_path.insert(0, NoDjango())

    import asyncio
    import contextvars
    import gc
    import importlib
    import json
    import logging
    import weakref

    import fastsignals
    from fastsignals import _semantics

    Signal = importlib.import_module(sys.argv[1]).Signal
    facts = {}
    facts["django_imported"] = any(name.split(".")[0] == "django" for name in sys.modules)
    facts["django_version"] = _semantics.DJANGO_VERSION
    facts["mro"] = [cls.__name__ for cls in Signal.__mro__]
    facts["implementation"] = fastsignals.IMPLEMENTATION


    class Sender:
        pass


    def first(**kwargs):
        return "first"


    def strict(sender):
        return "strict"


    def failing(**kwargs):
        raise ValueError("boom")


    signal = Signal()
    sender = Sender()
    signal.connect(first)
    signal.connect(strict, sender=sender)
    facts["tuple_lengths"] = [len(item) for item in signal.receivers]
    facts["sender_ref"] = signal.receivers[1][2]() is sender
    facts["has_listeners"] = [signal.has_listeners(), signal.has_listeners(sender)]
    facts["send"] = [(r.__name__, response) for r, response in signal.send(None, a=1)]
    signal.disconnect(strict, sender=sender)

    messages = []


    class Collect(logging.Handler):
        def emit(self, record):
            messages.append((record.name, record.getMessage(), record.exc_info[0].__name__))


    logging.getLogger("django.dispatch").addHandler(Collect())
    signal.connect(failing)
    responses = signal.send_robust(None)
    facts["send_robust"] = [(r.__name__, repr(response)) for r, response in responses]
    facts["logged"] = messages
    signal.disconnect(failing)

    var = contextvars.ContextVar("var")


    async def async_setter(**kwargs):
        var.set("set")
        return "async"


    signal.connect(async_setter)


    async def main():
        responses = await signal.asend(None)
        robust = await signal.asend_robust(None)
        return [r.__name__ for r, _ in responses], len(robust), var.get("unset")


    facts["asend"] = asyncio.run(main())


    def tied(**kwargs):
        return "tied"


    cached = Signal(use_caching=True)
    owner = Sender()
    cached.connect(tied, sender=owner)
    facts["tied_before"] = [response for _, response in cached.send(owner)]
    del owner
    gc.collect()
    cached.has_listeners(sender)
    facts["tied_after"] = len(cached.receivers)

    for name in ("install", "uninstall"):
        try:
            getattr(fastsignals, name)()
        except ImportError as err:
            facts[name] = str(err)
    facts["is_installed"] = fastsignals.is_installed()

    decorated = Signal()


    @fastsignals.receiver([decorated], weak=False)
    def by_decorator(**kwargs):
        return "decorated"


    facts["receiver"] = [response for _, response in decorated.send(None)]
    print(json.dumps(facts))
    """
)


def run_without_django(engine: Any, tmp_path: Any) -> dict[str, Any]:
    env = {name: text for name, text in os.environ.items() if name != "FASTSIGNALS_NO_EXTENSIONS"}
    if engine.name == "py":
        env["FASTSIGNALS_NO_EXTENSIONS"] = "1"
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, engine.Signal.__module__],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    facts: dict[str, Any] = json.loads(result.stdout)
    return facts


def test_signal_without_django(engine: Any, tmp_path: Any) -> None:
    facts = run_without_django(engine, tmp_path)
    message = "fastsignals.install() needs Django, and Django is not installed."
    assert facts == {
        "django_imported": False,
        "django_version": None,
        "mro": ["Signal", "SignalBase", "object"],
        "implementation": "python" if engine.name == "py" else "cython",
        "tuple_lengths": [4, 4],
        "sender_ref": True,
        "has_listeners": [True, True],
        "send": [["first", "first"]],
        "send_robust": [["first", "'first'"], ["failing", "ValueError('boom')"]],
        "logged": [["django.dispatch", "Error calling failing in Signal.send_robust() (boom)", "ValueError"]],
        "asend": [["first", "async_setter"], 2, "set"],
        "tied_before": ["tied"],
        "tied_after": 0,
        "install": message,
        "uninstall": message,
        "is_installed": False,
        "receiver": ["decorated"],
    }
