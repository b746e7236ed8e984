# Source of the pytest-benchmark fixtures (tests/data/README says how each was made).
import time

import pytest


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def test_fib(benchmark):
    assert benchmark(fib, 12) == 144


@pytest.mark.parametrize("size", [10, 1000])
def test_sorted(benchmark, size):
    data = list(range(size, 0, -1))
    benchmark(sorted, data)


@pytest.mark.benchmark(group="sleepy")
def test_sleep(benchmark):
    benchmark.extra_info["note"] = "sleeps 0.2 ms"
    benchmark(time.sleep, 0.0002)


def test_pedantic(benchmark):
    benchmark.pedantic(fib, args=(8,), rounds=4, iterations=3)


def test_fails_after_benchmark(benchmark):
    benchmark(fib, 5)
    assert False, "fails after it was measured"
