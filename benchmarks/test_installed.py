"""A ModelSignal made as Django makes post_save: stock, then under fastsignals.install()
with each engine, each on a signal of its own (see cases.build_model_signal)."""

import pytest

import cases

OPERATION = "send"
IMPLEMENTATIONS = ("django", "c", "py")


@pytest.fixture
def case(impl, count):
    """Built, its receivers connected, before install()."""
    return cases.build_model_signal(impl, count)


def test_model_signal_send(benchmark, case, installed):
    function, args, kwargs = case.call(OPERATION)
    benchmark(function, *args, **kwargs)
