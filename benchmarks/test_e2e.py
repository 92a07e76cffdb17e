"""End to end: create, save, load and save again 10,000 model instances with typical
receivers (see e2e/workload.py), stock Django against fastsignals.install(), each in a
worker process of its own (see e2e/worker.py)."""

import pytest
from e2e.worker import Worker

OPERATION = "send"
IMPLEMENTATIONS = ("django", "c", "py")
COUNT = 10_000


@pytest.fixture
def worker(impl):
    worker = Worker(impl)
    worker.ready()  # set up and warmed up before the first timed round
    yield worker
    worker.close()


def test_e2e(benchmark, worker):
    benchmark.pedantic(worker.run, args=(COUNT,), rounds=3)
