"""End to end: create, save, load and save again 10,000 model instances with typical
receivers (see e2e/workload.py), stock Django against fastsignals.install()."""

import pytest
from e2e import workload

OPERATION = "send"
IMPLEMENTATIONS = ("django", "c", "py")
COUNT = 10_000


@pytest.fixture(scope="module")
def receivers():
    workload.create_tables()
    workload.connect_receivers()
    yield
    workload.disconnect_receivers()


def test_e2e(benchmark, impl, receivers, installed):
    benchmark.pedantic(workload.run, args=(COUNT,), rounds=3)
