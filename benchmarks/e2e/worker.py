"""The e2e workload in a process of its own for each implementation.

On Python 3.12 the compiled engine asks for a signal's ``__dict__``, and from then on
CPython keeps that signal's attributes in a real dict, where the interpreter no longer
specializes stock code's attribute lookups: measured by callgrind, a stock post_save
send to one receiver costs 20,615 instructions once the compiled engine has sent it,
against 17,427 before. In one process, Django's own signals would be touched
by the compiled engine's first sample, and stock Django (and the pure engine) timed
slower than they are. Each worker touches Django's signals with one implementation only.
"""

from __future__ import annotations

import multiprocessing
import time
from multiprocessing.connection import Connection


def _serve(connection: Connection, impl: str, clock_name: str, warm_up: int) -> None:
    """In the worker: set up, then answer each count with the clock's ns for the workload."""
    import cases

    cases.configure_django()
    import fastsignals
    from e2e import workload

    workload.create_tables()
    workload.connect_receivers()
    if impl != "django":
        fastsignals.swap.install(engine=cases.signal_class(impl))
    clock = getattr(time, clock_name)
    workload.run(warm_up)  # first-use costs (queries compiled, caches filled) stay out of the samples
    connection.send("ready")
    while (count := connection.recv()) is not None:
        start = clock()
        workload.run(count)
        connection.send(clock() - start)
    connection.close()


class Worker:
    """A process that runs the e2e workload with one implementation (stock Django, or
    install() with an engine); ``run(count)`` times it there with ``clock_name``.

    Start all the workers, then wait for each to be ``ready()``: a sample taken while
    another worker still warms up would share the machine with it.
    """

    def __init__(self, impl: str, clock_name: str = "thread_time_ns", warm_up: int = 1000) -> None:
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no signal touched yet
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, impl, clock_name, warm_up), daemon=True)
        self.process.start()
        child.close()
        self.is_ready = False

    def ready(self) -> None:
        """Wait until the worker has set up and warmed up."""
        if not self.is_ready:
            self.connection.recv()  # its "ready"
            self.is_ready = True

    def run(self, count: int) -> int:
        self.ready()
        self.connection.send(count)
        elapsed: int = self.connection.recv()
        return elapsed

    def close(self) -> None:
        self.connection.send(None)
        self.connection.close()
        self.process.join()
